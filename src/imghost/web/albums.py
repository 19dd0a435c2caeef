"""Album pages: /a/{id} for everyone (hidden and secret albums too: the link is what they share), its
zip download, and the owner's changes to it. Every change is a plain form post that scripts may also
send (with JSON answers); who may change what is the album service's rule, not this module's."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial

from fastapi import APIRouter, Request
from starlette.responses import Response, StreamingResponse

from imghost.auth import Subject
from imghost.domain.albums import archive
from imghost.domain.albums.model import Album
from imghost.domain.albums.service import AlbumFields
from imghost.domain.images.model import Image
from imghost.errors import InvalidRequest
from imghost.http.params import Params
from imghost.services import Services
from imghost.web import forms
from imghost.web.forms import json_answer, see_other, submitted, wants_json
from imghost.web.templating import render
from imghost.web.viewer import Viewer, services, signed_in, viewer

router = APIRouter(include_in_schema=False)

NOTICES = {
    "saved": "Saved.",
    "order": "The new order is saved.",
    "added": "Images added.",
    "removed": "Removed from the album. The image itself is still in your uploads.",
    "cover": "The cover is set.",
}
EAGER = 3  # the first images are on screen at once; the rest load as they scroll into view
PICKER = 60  # recent uploads offered to the owner for adding
_TOKEN = re.compile(r"[\s,]+")
_ALT = re.compile(r"[\[\]\\\r\n]")  # what would end a Markdown image's alt text early


@dataclass(frozen=True, slots=True)
class Shown:
    """An image as the page shows it: its `l` thumbnail's size, for the width/height attributes."""

    image: Image
    width: int
    height: int


def shown(image: Image, box: int = 640) -> Shown:
    scale = min(1.0, box / max(image.width, image.height, 1))
    return Shown(image, max(1, round(image.width * scale)), max(1, round(image.height * scale)))


def codes(base: str, images: list[Image]) -> tuple[str, str]:
    """Markdown and BBCode that show every image of the album, one per line."""
    markdown = "\n".join(f"![{_ALT.sub('', i.title or '')}]({base}/{i.id}.{i.ext})" for i in images)
    bbcode = "\n".join(f"[img]{base}/{i.id}.{i.ext}[/img]" for i in images)
    return markdown, bbcode


def album_fields(form: Params) -> AlbumFields:
    """Title, description and privacy from a page's form (line breaks as the API stores them)."""
    return AlbumFields(
        title=forms.text(form, "title"),
        description=forms.text(form, "description"),
        privacy=form.get("privacy"),
        present=frozenset(k for k in ("title", "description") if form.has(k)),
    )


def subject_of(v: Viewer) -> Subject:
    return Subject(client_id=None, account_id=v.account_id, username=v.username)


@router.get("/a/{album_id}")
async def album_page(request: Request, album_id: str) -> Response:
    svc = services(request)
    v = await viewer(request)
    album = await svc.albums.get(album_id)
    await svc.albums.add_view(album.id)
    images = await svc.albums.images(album.id)
    owner = subject_of(v).owns(album.account_id)
    base = svc.settings.base_url
    markdown, bbcode = codes(base, images)
    ctx = {
        "album": album,
        "heading": album.title or "Untitled album",
        "shown": [shown(i) for i in images],
        "cover": await svc.albums.cover_image(album, images),
        "page_url": f"{base}/a/{album.id}",
        "markdown": markdown,
        "bbcode": bbcode,
        "owner": owner,
        "eager": EAGER,
        "message": NOTICES.get(request.query_params.get("done", ""), ""),
        "recent": await _recent(svc, v, images) if owner else [],
    }
    return render(request, v, "album.html", ctx)


async def _recent(svc: Services, v: Viewer, images: list[Image]) -> list[Image]:
    assert v.account_id is not None
    account = await svc.accounts.get_by_id(v.account_id)
    inside = {i.id for i in images}
    return [i for i in await svc.accounts.list_images(account, page=0, per_page=PICKER) if i.id not in inside]


@router.get("/a/{album_id}/zip")
async def album_zip(request: Request, album_id: str) -> Response:
    svc = services(request)
    album = await svc.albums.get(album_id)
    images = await svc.albums.images(album.id)
    width = max(2, len(str(len(images))))
    members = [
        archive.Member(
            f"{n:0{width}d}-{i.id}.{i.ext}", i.created_at, i.size, partial(svc.images.original_chunks, i)
        )
        for n, i in enumerate(images, 1)
    ]
    headers = {
        "content-disposition": f'attachment; filename="album-{album.id}.zip"',
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
    }
    return StreamingResponse(archive.stream(members), media_type="application/zip", headers=headers)


# ---------------------------------------------------------------- the owner's changes


async def _owned(request: Request, album_id: str) -> tuple[Viewer, Params, Subject, Album]:
    """A change to the album: the form checked for CSRF, a signed-in session, and the album if theirs."""
    v, form = await submitted(request)
    await signed_in(request)
    subject = subject_of(v)
    return v, form, subject, await services(request).albums.owned(subject, album_id)


def _done(
    request: Request, v: Viewer, album: Album, what: str, data: object = None, anchor: str = ""
) -> Response:
    if wants_json(request):
        return json_answer(data if data is not None else {"ok": True})
    return see_other(request, v, f"/a/{album.id}?done={what}{anchor}")


@router.post("/a/{album_id}/edit")
async def album_edit(request: Request, album_id: str) -> Response:
    v, form, subject, album = await _owned(request, album_id)
    await services(request).albums.update(subject, album.id, album_fields(form))
    return _done(request, v, album, "saved")


@router.post("/a/{album_id}/order")
async def album_order(request: Request, album_id: str) -> Response:
    """A whole new order (ids, as a script sends after a drag), or one image one place up or down (the
    buttons, which work without a script)."""
    v, form, subject, album = await _owned(request, album_id)
    albums = services(request).albums
    up, down = form.get("move_up"), form.get("move_down")
    target = up or down
    if target:
        order = await albums.move(subject, album.id, target, -1 if up else 1)
    else:
        order = await albums.reorder(subject, album.id, form.get_list("ids") or [])
    return _done(request, v, album, "order", {"ids": order}, f"#item-{target}" if target else "")


@router.post("/a/{album_id}/remove")
async def album_remove(request: Request, album_id: str) -> Response:
    v, form, subject, album = await _owned(request, album_id)
    await services(request).albums.remove_images(subject, album.id, form.get_list("remove") or [])
    return _done(request, v, album, "removed")


def _named_ids(form: Params) -> list[str]:
    """Ticked images, and ids typed or pasted as links (https://host/AbC1234, AbC1234.jpg)."""
    typed = [t.rstrip("/").rsplit("/", 1)[-1].split(".", 1)[0] for t in _TOKEN.split(form.get("more") or "")]
    return list(dict.fromkeys([*(form.get_list("ids") or []), *(t for t in typed if t)]))


@router.post("/a/{album_id}/add")
async def album_add(request: Request, album_id: str) -> Response:
    v, form, subject, album = await _owned(request, album_id)
    await services(request).albums.add(subject, album.id, AlbumFields(ids=_named_ids(form)))
    return _done(request, v, album, "added")


@router.post("/a/{album_id}/cover")
async def album_cover(request: Request, album_id: str) -> Response:
    v, form, subject, album = await _owned(request, album_id)
    cover = form.get("cover")
    if not cover:
        raise InvalidRequest("Choose the image that becomes the cover")
    await services(request).albums.update(subject, album.id, AlbumFields(cover=cover))
    return _done(request, v, album, "cover")


@router.get("/a/{album_id}/delete")
async def album_delete_page(request: Request, album_id: str) -> Response:
    v = await viewer(request)
    await signed_in(request)
    album = await services(request).albums.owned(subject_of(v), album_id)
    return render(
        request, v, "album_delete.html", {"album": album, "heading": album.title or "Untitled album"}
    )


@router.post("/a/{album_id}/delete")
async def album_delete(request: Request, album_id: str) -> Response:
    v, _, subject, album = await _owned(request, album_id)
    await services(request).albums.delete(subject, album.id)
    if wants_json(request):
        return json_answer({"ok": True})
    return see_other(request, v, "/account/albums?done=deleted")
