"""Image pages: /{id} (and /{id}.gifv) for everyone, the owner's edits, and the /delete/{deletehash}
confirmation."""

from __future__ import annotations

import gzip

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.auth import Subject
from imghost.domain.albums.service import AlbumFields
from imghost.domain.images.model import Image
from imghost.errors import ImageNotFound
from imghost.web import forms
from imghost.web.forms import see_other, submitted
from imghost.web.image_view import Shown
from imghost.web.page_cache import visitor_pages
from imghost.web.templating import gzip_ok, page, render, respond
from imghost.web.viewer import Viewer, services, viewer

router = APIRouter(include_in_schema=False)
_NOINDEX = {"x-robots-tag": "noindex"}
# The owner's albums offered in "Add to album"; past this many they are managed from the album pages.
_ALBUM_CHOICES = 500


def _subject(v: Viewer) -> Subject:
    return Subject(client_id=None, account_id=v.account_id, username=v.username)


def _plain_id(value: str) -> str:
    return value if value.isascii() and value.isalnum() else ""


# Imgur's .gifv links name a page that plays the MP4, not a file: the same page as /{id}, for animations
# and videos only. The path parameter takes the whole segment, so that one route serves both.
@router.api_route("/{image_id}", methods=["GET", "HEAD"])
async def image_page(request: Request, image_id: str) -> Response:
    svc = services(request)
    v = await viewer(request)
    image = await svc.images.get(image_id.removesuffix(".gifv"))
    shown = Shown(image, svc.settings.base_url)
    if image_id.endswith(".gifv") and not shown.video:
        raise ImageNotFound(image_id)
    if request.method == "GET":
        svc.views.add(image.id, 0)
    if not v.signed_in:
        return _visitor_page(request, v, image_id, image, shown)
    owner = _subject(v).owns(image.account_id)
    albums = []
    if owner and v.account_id is not None:
        albums = await svc.albums.of_account(
            v.account_id, include_hidden=True, page=0, per_page=_ALBUM_CHOICES
        )
    context = {
        "image": image,
        "shown": shown,
        "owner": owner,
        "albums": albums,
        "copies": shown.copies(owner=owner),
        "views": image.views + svc.views.pending(image.id)[0],
        "saved": request.query_params.get("saved") == "1",
        "added": _plain_id(request.query_params.get("added", "")),
    }
    return render(request, v, "image.html", context)


def _visitor_page(request: Request, v: Viewer, segment: str, image: Image, shown: Shown) -> Response:
    """What every signed-out visitor sees, rendered once per version of the record (views as last
    counted, so that the record, and with it the page, changes only when the counts are written)."""
    gz = "gzip" in request.headers.get("accept-encoding", "")
    key = ("image", segment, image, gz)
    body = visitor_pages.get(key)
    if body is None:
        context = {
            "image": image,
            "shown": shown,
            "owner": False,
            "albums": [],
            "copies": shown.copies(owner=False),
            "views": image.views,
            "saved": False,
            "added": "",
        }
        body = page(request, None, "image.html", context)
        if gz and gzip_ok(request, body):
            body = gzip.compress(body, 6)  # once per version: the better ratio is worth it here
        else:
            gz = False
        visitor_pages.put(key, body)
    elif gz and body[:2] != b"\x1f\x8b":
        gz = False
    return respond(request, v, body, gzipped=gz)


@router.post("/{image_id}/edit")
async def edit(request: Request, image_id: str) -> Response:
    v, form = await submitted(request)
    svc = services(request)
    image = await svc.images.get(image_id)
    # An emptied field clears it.
    fields = {name: forms.text(form, name) or None for name in ("title", "description")}
    await svc.images.update(_subject(v), image.id, fields)
    return see_other(request, v, f"/{image.id}?saved=1")


@router.post("/{image_id}/delete")
async def delete(request: Request, image_id: str) -> Response:
    v, _ = await submitted(request)
    svc = services(request)
    image = await svc.images.get(image_id)
    await svc.images.delete(_subject(v), image.id)
    return see_other(request, v, "/account/images")


@router.post("/{image_id}/album")
async def add_to_album(request: Request, image_id: str) -> Response:
    v, form = await submitted(request)
    svc = services(request)
    image = await svc.images.get(image_id)
    album_id = form.get("album") or ""
    await svc.albums.add(_subject(v), album_id, AlbumFields(ids=[image.id]))
    return see_other(request, v, f"/{image.id}?added={_plain_id(album_id)}")


# ShareX and Flameshot open this page in a browser with the deletehash from the upload response.
# The deletehash is the only credential; a page that merely shows a button leaks nothing, and the
# delete itself needs a POST so that link previews and prefetchers never delete anything.
@router.get("/delete/{deletehash}")
async def delete_confirm(request: Request, deletehash: str) -> Response:
    svc = services(request)
    v = await viewer(request)
    image = await svc.images.by_deletehash(deletehash)
    shown = Shown(image, svc.settings.base_url)
    context = {"image": image, "shown": shown, "thumb": shown.thumb("m")}
    return render(request, v, "delete.html", context, headers=_NOINDEX)


@router.post("/delete/{deletehash}")
async def delete_do(request: Request, deletehash: str) -> Response:
    v, _ = await submitted(request)
    svc = services(request)
    await svc.images.by_deletehash(deletehash)
    await svc.images.delete(Subject(client_id=None), deletehash)
    return render(request, v, "deleted.html", headers=_NOINDEX)
