"""Public profiles: /user/{name}: the avatar, bio, public albums and (when the account shows them) its
images; its reputation, and the latest of its gallery posts, gallery favourites and comments."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.api.schemas import reputation_name
from imghost.auth import Subject
from imghost.services import Services
from imghost.web.gallery_pages import card
from imghost.web.templating import render
from imghost.web.viewer import services, viewer

router = APIRouter(include_in_schema=False)
ALBUMS_SHOWN = 60
PER_PAGE = 60
POSTS_SHOWN = 12  # of the gallery posts and of the gallery favourites: the latest
COMMENTS_SHOWN = 10


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
    ctx: dict[str, object] = {
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
    ctx.update(await _gallery_rows(svc, Subject(None, v.account_id, v.username), account.id))
    return render(request, v, "profile.html", ctx)


async def _gallery_rows(svc: Services, subject: Subject, account_id: int) -> dict[str, object]:
    """The account's reputation, and the latest of its gallery posts, gallery favourites and comments."""
    reputation = await svc.gallery.reputation(account_id)
    posts = await svc.gallery.submissions(subject, account_id, sort="newest", page=0, per_page=POSTS_SHOWN)
    favorites = await svc.gallery.gallery_favorites(
        subject, account_id, newest=True, page=0, per_page=POSTS_SHOWN
    )
    comments = (await svc.comments.of_account(subject, account_id, "newest", 0))[:COMMENTS_SHOWN]
    return {
        "reputation": reputation,
        "reputation_name": reputation_name(reputation),
        "gallery": await svc.gallery.profile(account_id),
        "posts": [card(i) for i in await svc.gallery.items(subject, posts)],
        "favorites": [card(i) for i in await svc.gallery.items(subject, favorites)],
        "comments": comments,
        # The posts the comments are on, for their titles.
        "comment_posts": await svc.gallery.many(sorted({t.comment.post_id for t in comments})),
    }
