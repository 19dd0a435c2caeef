"""GET /oembed: oEmbed 1.0 (oembed.com) for image pages, direct links and album pages of this site, so that a
link pasted into a chat app or an editor embeds the picture. Pages announce it with a discovery link
(_preview.html). Answers are JSON only; the spec's 501 says so to consumers that ask for XML."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from imghost import ids
from imghost.errors import NotFound
from imghost.services import Services
from imghost.web.image_view import BOXES, Shown
from imghost.web.viewer import services

router = APIRouter(include_in_schema=False)
CACHE_AGE = 3600
_ALBUM = re.compile(r"/a/([A-Za-z0-9]+)/?")
_POST = re.compile(r"/gallery/([A-Za-z0-9]+)/?")
_IMAGE = re.compile(r"/([A-Za-z0-9]+)(?:\.([A-Za-z0-9]+))?/?")
_ID_LENGTHS = (ids.LEGACY_ID_LENGTH, ids.ID_LENGTH)


class _Bad(ValueError):
    pass


@router.get("/oembed")
async def oembed(request: Request) -> Response:
    q = request.query_params
    if q.get("format", "json").lower() != "json":
        return _answer({"error": "Only the json format is offered"}, 501)
    try:
        bounds = _bound(q.get("maxwidth")), _bound(q.get("maxheight"))
    except _Bad:
        return _answer({"error": "maxwidth and maxheight are whole numbers of pixels"}, 400)
    svc = services(request)
    target = _target(q.get("url", ""), svc.settings.base_url)
    try:
        data = None if target is None else await _describe(svc, *target, *bounds)
    except NotFound:
        data = None
    if data is None:
        return _answer({"error": "No image or album of this site has that URL"}, 404)
    return _answer(data, 200)


def _bound(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit() or int(value) < 1:
        raise _Bad(value)
    return int(value)


def _target(url: str, base: str) -> tuple[str, str] | None:
    """("album" | "image" | "post", id) of a URL of this site: /a/{id}, /{id}, /{id}.gifv, /{id}.{ext},
    /{id}{size}.jpg, /gallery/{id}."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != urlsplit(base).netloc.lower():
        return None
    if m := _POST.fullmatch(parts.path):
        return "post", m.group(1)
    if m := _ALBUM.fullmatch(parts.path):
        return "album", m.group(1)
    if m := _IMAGE.fullmatch(parts.path):
        name, ext = m.group(1), m.group(2)
        # A thumbnail's name is its image's id and a size letter.
        if ext and len(name) - 1 in _ID_LENGTHS and name[-1] in "sbtmlh":
            name = name[:-1]
        return "image", name
    return None


async def _describe(
    svc: Services, kind: str, ref: str, max_w: int | None, max_h: int | None
) -> dict[str, Any] | None:
    base = svc.settings.base_url
    common: dict[str, Any] = {
        "version": "1.0",
        "provider_name": "imghost",
        "provider_url": base,
        "cache_age": CACHE_AGE,
    }
    # A gallery post is its image or album under the post's title.
    post_title = None
    if kind == "post":
        post = await svc.gallery.get(ref)
        kind, ref, post_title = ("album" if post.is_album else "image"), post.id, post.title
    if kind == "album":
        album = await svc.albums.get(ref)
        cover = await svc.albums.cover_image(album)
        title = post_title or album.title or f"Album {album.id}"
        if cover is None:
            return {**common, "type": "link", "title": title, **_author(base, album.account_url)}
        return {
            **common,
            **_photo(Shown(cover, base), max_w, max_h),
            "title": title,
            **_author(base, album.account_url),
        }
    image = await svc.images.get(ref)
    shown = Shown(image, base)
    body = _video(shown, max_w, max_h) if shown.video else _photo(shown, max_w, max_h)
    return {**common, **body, "title": post_title or shown.title, **_author(base, image.account_url)}


def _photo(shown: Shown, max_w: int | None, max_h: int | None) -> dict[str, Any]:
    # A video cover (an album's) is shown by a thumbnail: photo answers are pictures.
    p = shown.fitting(max_w, max_h)
    return {
        "type": "photo",
        "url": p.url,
        "width": p.width,
        "height": p.height,
        **_thumbnail(shown, max_w, max_h),
    }


def _video(shown: Shown, max_w: int | None, max_h: int | None) -> dict[str, Any]:
    i = shown.image
    scale = min(1.0, (max_w or i.width) / i.width, (max_h or i.height) / i.height)
    w, h = max(1, round(i.width * scale)), max(1, round(i.height * scale))
    poster = shown.thumb("l", absolute=True).url
    player = (
        f'<video src="{html.escape(shown.mp4)}" poster="{html.escape(poster)}" width="{w}" height="{h}" '
        "autoplay muted loop playsinline controls></video>"
    )
    return {"type": "video", "html": player, "width": w, "height": h, **_thumbnail(shown, max_w, max_h)}


def _thumbnail(shown: Shown, max_w: int | None, max_h: int | None) -> dict[str, Any]:
    t = shown.fitting(min(max_w or BOXES["l"], BOXES["l"]), min(max_h or BOXES["l"], BOXES["l"]))
    return {"thumbnail_url": t.url, "thumbnail_width": t.width, "thumbnail_height": t.height}


def _author(base: str, username: str | None) -> dict[str, str]:
    return {"author_name": username, "author_url": f"{base}/user/{username}"} if username else {}


def _answer(data: dict[str, Any], status: int) -> Response:
    cache = f"public, max-age={CACHE_AGE}" if status == 200 else "no-store"
    headers = {
        "cache-control": cache,
        "access-control-allow-origin": "*",
        "x-content-type-options": "nosniff",
    }
    return JSONResponse(data, status_code=status, headers=headers)
