"""Album pages: /a/{id} for everyone, and the owner's management of it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.web.templating import render
from imghost.web.viewer import services, viewer

router = APIRouter(include_in_schema=False)


@router.get("/a/{album_id}")
async def album_page(request: Request, album_id: str) -> Response:
    svc = services(request)
    v = await viewer(request)
    album = await svc.albums.get(album_id)
    await svc.albums.add_view(album.id)
    images = await svc.albums.images(album.id)
    return render(request, v, "album.html", {"album": album, "images": images})
