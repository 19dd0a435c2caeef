"""The front page: upload, front and centre."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.web.templating import render
from imghost.web.uploads import NEW_ALBUM
from imghost.web.viewer import services, viewer

router = APIRouter(include_in_schema=False)

# The albums offered as upload targets: the most recent ones (the rest are on /account/albums).
ALBUM_CHOICES = 100


@router.get("/")
async def home(request: Request) -> Response:
    v = await viewer(request)
    svc = services(request)
    albums = []
    if v.account_id is not None:
        albums = await svc.albums.of_account(
            v.account_id, include_hidden=True, page=0, per_page=ALBUM_CHOICES
        )
    s = svc.settings
    context = {
        "albums": albums,
        "new_album": NEW_ALBUM,
        "max_image_bytes": s.max_image_bytes,
        "max_video_bytes": s.max_video_bytes,
    }
    return render(request, v, "home.html", context)
