"""Managing one's own uploads: /account/images (pages of the account's images, newest first, with
bulk delete and move into an album) and /account/albums (every album of the account, and a new one).

The grid is one plain form of checkboxes named ids, so that selecting many and acting on them needs no
script; select.js only adds range selection and a live count."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.auth import Subject
from imghost.domain.accounts.model import Account
from imghost.domain.albums.model import Album
from imghost.domain.albums.service import PRIVACY, AlbumFields
from imghost.errors import InvalidRequest
from imghost.http.params import Params
from imghost.services import Services
from imghost.web.albums import album_fields
from imghost.web.forms import json_answer, see_other, submitted, wants_json
from imghost.web.templating import render
from imghost.web.viewer import Viewer, services, signed_in, viewer

router = APIRouter(include_in_schema=False)

PER_PAGE = 60
MAX_PER_PAGE = 200
MAX_PAGE = 100_000
ALBUM_CHOICES = 500  # albums offered as a destination (the newest); more than anyone picks from a list
_ID = re.compile(r"[A-Za-z0-9]{5,16}")


def _number(raw: str | None, default: int, low: int, high: int) -> int:
    try:
        value = int(raw or "")
    except ValueError:
        return default
    return max(low, min(high, value))


def paging(source: Params | dict[str, str]) -> tuple[int, int]:
    """(page, per_page) from the query or a form: bounded, so that no page asks for more than a few
    hundred rows, and any nonsense means the defaults."""
    return (
        _number(source.get("page"), 0, 0, MAX_PAGE),
        _number(source.get("per_page"), PER_PAGE, 1, MAX_PER_PAGE),
    )


def page_link(base: str, page: int, per_page: int, **extra: object) -> str:
    """A link to one page of a list, keeping a chosen page size; `extra` joins the query."""
    query: dict[str, object] = {"page": page} if page else {}
    if per_page != PER_PAGE:
        query["per_page"] = per_page
    query.update(extra)
    return base + ("?" + urlencode(query) if query else "")


def pages(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


async def _me(request: Request) -> tuple[Viewer, Subject, Account]:
    session = await signed_in(request)
    subject = Subject(client_id=None, account_id=session.account_id, username=session.username)
    return await viewer(request), subject, await services(request).accounts.get_by_id(session.account_id)


# ---------------------------------------------------------------- images


@router.get("/account/images")
async def images_page(request: Request) -> Response:
    v, _, account = await _me(request)
    svc = services(request)
    query = dict(request.query_params)
    page, per_page = paging(query)
    total = await svc.accounts.image_count(account)
    ctx = {
        "images": await svc.accounts.list_images(account, page=page, per_page=per_page),
        "total": total,
        "page": page,
        "pages": pages(total, per_page),
        "per_page": per_page,
        "prev_url": page_link("/account/images", page - 1, per_page) if page > 0 else "",
        "next_url": page_link("/account/images", page + 1, per_page) if (page + 1) * per_page < total else "",
        "all_url": page_link("/account/images", page, per_page, select="all"),
        "select_all": query.get("select") == "all",
        "albums": await _destinations(svc, account),
        **_notice(query),
    }
    return render(request, v, "account_images.html", ctx)


async def _destinations(svc: Services, account: Account) -> list[Album]:
    return await svc.albums.of_account(account.id, include_hidden=True, page=0, per_page=ALBUM_CHOICES)


def _notice(query: dict[str, str]) -> dict[str, str]:
    """The line shown after a bulk action, from fixed texts (nothing from the query is echoed but a
    count and an album id of the right shape)."""
    done, n = query.get("done", ""), _number(query.get("n"), 0, 0, 10**6)
    album = query.get("album", "")
    noun = "image" if n == 1 else "images"
    if done == "deleted":
        return {"message": f"Deleted {n} {noun}.", "moved_to": ""}
    if done == "moved" and _ID.fullmatch(album):
        return {"message": f"Moved {n} {noun} into the album.", "moved_to": album}
    return {"message": "", "moved_to": ""}


def _selected(form: Params) -> list[str]:
    ids = list(dict.fromkeys(form.get_list("ids") or []))
    if not ids:
        raise InvalidRequest("Select at least one image first.")
    return ids


@router.post("/account/images")
async def images_bulk(request: Request) -> Response:
    """The grid's buttons: delete (which asks first) or move into an album."""
    v, form = await submitted(request)
    _, subject, account = await _me(request)
    svc = services(request)
    ids = _selected(form)
    page, per_page = paging(form)
    if form.get("action") == "move":
        album_id = await _move(svc, subject, form, ids)
        if wants_json(request):
            return json_answer({"album": album_id, "ids": ids})
        back = page_link("/account/images", page, per_page, done="moved", n=len(ids), album=album_id)
        return see_other(request, v, back)
    if form.get("action") != "delete":
        raise InvalidRequest("Choose what to do with the selected images.")
    found = {i.id: i for i in await svc.accounts.list_images(account, page=page, per_page=per_page)}
    ctx = {
        "ids": ids,
        "images": [found[i] for i in ids if i in found],
        "page": page,
        "per_page": per_page,
        "back_url": page_link("/account/images", page, per_page),
    }
    return render(request, v, "account_media_confirm.html", ctx)


async def _move(svc: Services, subject: Subject, form: Params, ids: list[str]) -> str:
    target = form.get("album") or ""
    if target == "new":
        title = form.get("new_title") or None
        album = await svc.albums.create(
            subject, AlbumFields(title=title, ids=ids, present=frozenset({"title"}))
        )
        return album.id
    if not target:
        raise InvalidRequest("Choose an album to put the images into.")
    album = await svc.albums.owned(subject, target)
    await svc.albums.add(subject, album.id, AlbumFields(ids=ids))
    return album.id


@router.post("/account/images/delete")
async def images_delete(request: Request) -> Response:
    v, form = await submitted(request)
    _, subject, _ = await _me(request)
    deleted = await services(request).images.delete_many(subject, _selected(form))
    if wants_json(request):
        return json_answer({"deleted": deleted})
    page, per_page = paging(form)
    back = page_link("/account/images", page, per_page, done="deleted", n=len(deleted))
    return see_other(request, v, back)


# ---------------------------------------------------------------- albums


@router.get("/account/albums")
async def albums_page(request: Request) -> Response:
    v, _, account = await _me(request)
    svc = services(request)
    page, per_page = paging(dict(request.query_params))
    total = await svc.albums.count_of_account(account.id, include_hidden=True)
    ctx = {
        "albums": await svc.albums.of_account(account.id, include_hidden=True, page=page, per_page=per_page),
        "total": total,
        "page": page,
        "pages": pages(total, per_page),
        "prev_url": page_link("/account/albums", page - 1, per_page) if page > 0 else "",
        "next_url": page_link("/account/albums", page + 1, per_page) if (page + 1) * per_page < total else "",
        "default_privacy": account.album_privacy if account.album_privacy in PRIVACY else "public",
        "deleted": request.query_params.get("done") == "deleted",
    }
    return render(request, v, "account_albums.html", ctx)


@router.post("/account/albums")
async def album_create(request: Request) -> Response:
    v, form = await submitted(request)
    _, subject, _ = await _me(request)
    album = await services(request).albums.create(subject, album_fields(form))
    if wants_json(request):
        return json_answer({"id": album.id})
    return see_other(request, v, f"/a/{album.id}")
