"""An account's gallery rows (§3.1, §2.7): its gallery profile, its submissions, the posts it liked
(upvoted) and its gallery favourites.

Who sees what (§2.20): the profile, the submissions and the gallery favourites are public (a Client-ID
will do); the likes are the account's votes, which only the voter sees anywhere, so only the owner reads
them. `me` is the signed-in account. Pages hold 60 items, as gallery listings do (`perPage` may ask for
1 to 100); a page past the end is `[]`. Every short form clients send is accepted: the page and the sort
in either order, or either alone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.api.deps import services as _svc
from imghost.api.deps import subject as _subject
from imghost.api.envelope import ok
from imghost.api.gallery_schemas import gallery_json
from imghost.api.params import paging, path_page
from imghost.domain.gallery.model import Post
from imghost.http.params import Params, read_params

router = APIRouter(prefix="/3/account", tags=["account"])

PER_PAGE = 60
Handler = Callable[..., Awaitable[Response]]


async def _answer(request: Request, posts: Sequence[Post], params: Params) -> Response:
    svc, subject = _svc(request), _subject(request)
    previews = "preview" if params.get_bool("album_previews", False) else "none"
    found = await svc.gallery.items(subject, posts, album_images=previews)
    return ok([gallery_json(svc, subject, i) for i in found])


@router.get(
    "/{username}/gallery_profile",
    summary="Totals of the account's gallery profile",
    operation_id="account_gallery_profile",
)
async def gallery_profile(request: Request, username: str) -> Response:
    svc = _svc(request)
    account = await svc.accounts.resolve(_subject(request), username)
    totals = await svc.gallery.profile(account.id)
    return ok(
        {
            "total_gallery_comments": totals.total_gallery_comments,
            "total_gallery_favorites": totals.total_gallery_favorites,
            "total_gallery_submissions": totals.total_gallery_submissions,
            "trophies": [],
        }
    )


# The forms clients send for a sorted listing: the page and the sort in either order, or either alone.
# The numeric forms register first, so that /submissions/1 is a page, not a sort.
_SORTED_FORMS = (
    ("/{page:int}", ", one page", "_page"),
    ("/{page:int}/{sort}", ", one page, sorted", "_page_sorted"),
    ("/{sort}", ", sorted", "_sorted"),
    ("/{sort}/{page:int}", ", sorted, one page", "_sorted_page"),
    ("", "", ""),
)


def _sorted_listing(path: str, summary: str, operation_id: str) -> Callable[[Handler], Handler]:
    """Register a handler of /{username}/{path} under every form of _SORTED_FORMS."""

    def register(handler: Handler) -> Handler:
        for suffix, how, op in _SORTED_FORMS:
            route = router.get(
                f"/{{username}}/{path}{suffix}", summary=summary + how, operation_id=operation_id + op
            )
            route(handler)
        return handler

    return register


async def _paging(request: Request) -> tuple[Params, int, int]:
    """The request's parameters, and the page and page size they and the path ask for."""
    params = await read_params(request)
    page, per_page = paging(params, path_page(request), default_per_page=PER_PAGE)
    return params, page, per_page


@_sorted_listing("submissions", "The account's gallery posts", "account_submissions")
async def submissions(request: Request, username: str, sort: str = "newest") -> Response:
    svc, subject = _svc(request), _subject(request)
    account = await svc.accounts.resolve(subject, username)
    params, page, per_page = await _paging(request)
    posts = await svc.gallery.submissions(subject, account.id, sort=sort, page=page, per_page=per_page)
    return await _answer(request, posts, params)


@router.get("/{username}/likes", summary="Posts the account upvoted (owner)", operation_id="account_likes")
@router.get(
    "/{username}/likes/{page:int}",
    summary="Posts the account upvoted, one page (owner)",
    operation_id="account_likes_page",
)
async def likes(request: Request, username: str) -> Response:
    svc = _svc(request)
    account = await svc.accounts.resolve_owned(_subject(request), username)
    params, page, per_page = await _paging(request)
    return await _answer(request, await svc.gallery.likes(account.id, page=page, per_page=per_page), params)


@_sorted_listing("gallery_favorites", "The account's gallery favourites", "account_gallery_favorites")
async def gallery_favorites(request: Request, username: str, sort: str = "newest") -> Response:
    svc, subject = _svc(request), _subject(request)
    account = await svc.accounts.resolve(subject, username)
    params, page, per_page = await _paging(request)
    posts = await svc.gallery.gallery_favorites(
        subject, account.id, newest=sort.lower() != "oldest", page=page, per_page=per_page
    )
    return await _answer(request, posts, params)
