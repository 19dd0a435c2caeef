"""Public profiles: /user/{name}: the avatar, bio, public albums and (when the account shows them) its
images."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.web.templating import render
from imghost.web.viewer import services, viewer

router = APIRouter(include_in_schema=False)
ALBUMS_SHOWN = 60
PER_PAGE = 60


@router.get("/user/{name}")
async def profile_page(request: Request, name: str) -> Response:
    v = await viewer(request)
    svc = services(request)
    account = await svc.accounts.get(name)
    raw_page = request.query_params.get("page") or "0"
    page = min(int(raw_page), 10_000) if raw_page.isdigit() else 0
    images, has_next = [], False
    if account.public_images:
        images = await svc.accounts.list_images(account, page=page, per_page=PER_PAGE)
        has_next = (page + 1) * PER_PAGE < await svc.accounts.image_count(account)
    ctx = {
        "account": account,
        "avatar": await svc.accounts.avatar_image(account),
        "albums": await svc.albums.of_account(
            account.id, include_hidden=False, page=0, per_page=ALBUMS_SHOWN
        ),
        "album_count": await svc.albums.count_of_account(account.id, include_hidden=False),
        "images": images,
        "page": page,
        "has_next": has_next,
        "own": v.account_id == account.id,
    }
    return render(request, v, "profile.html", ctx)
