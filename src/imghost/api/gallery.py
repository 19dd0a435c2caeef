"""Gallery routes: sharing, gallery items, listings, votes and gallery favourites.

The segment after /gallery/ is overloaded (§3.5): literals first (image, album, r, t, search, tags,
tag_info ... in the routers included before this one), then the section keywords hot/top/user make a
listing, and anything else is a gallery item id. This router is included after every other gallery
router, because its `/gallery/{a}/{b}...` routes would otherwise take their paths."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.api.deps import services as _svc
from imghost.api.deps import subject as _subject
from imghost.api.envelope import JSON, ok, ok_body
from imghost.api.gallery_schemas import gallery_json
from imghost.api.listing_answers import kept_answer
from imghost.api.params import page_number
from imghost.domain.gallery.model import Listing
from imghost.domain.gallery.ranking import WINDOWS
from imghost.domain.gallery.service import ShareFields
from imghost.http.params import Params, read_params

router = APIRouter(prefix="/3", tags=["gallery"])

SECTIONS = ("hot", "top", "user")
SORTS = ("viral", "top", "time", "rising")


def listing_query(
    params: Params,
    section: str | None = None,
    sort: str | None = None,
    window: str | None = None,
    page: str | int | None = None,
    **scope: Any,
) -> Listing:
    """A listing from the path's segments and the query; odd values fall back to the defaults (clients
    send them), as Imgur does."""
    section = (section or "hot").lower()
    section = section if section in SECTIONS else "hot"
    sort = (sort or "viral").lower()
    sort = sort if sort in SORTS else "viral"
    if sort == "rising" and section != "user":
        sort = "viral"
    if section == "top" and sort == "viral":
        sort = "top"  # the top section ranks by points inside its window
    window = (window or "day").lower()
    window = window if window in WINDOWS else "day"
    return Listing(
        section=section,
        sort=sort,
        window=window,
        page=page_number(page if page is not None else params.get("page")),
        mature=params.get_bool("mature", False),
        show_viral=params.get_bool("showViral", True),
        **scope,
    )


async def listing_answer(request: Request, q: Listing, params: Params) -> Response:
    """A listing's page; a visitor's (no account: nothing in it is the caller's) is kept
    (api/listing_answers.py)."""
    svc, subject = _svc(request), _subject(request)
    previews = "preview" if params.get_bool("album_previews", False) else "none"

    async def make() -> bytes:
        posts = await svc.gallery.listing(q)
        found = await svc.gallery.items(subject, posts, album_images=previews)
        return ok_body([gallery_json(svc, subject, i) for i in found])

    if subject.account_id is None:
        return await kept_answer(request, (q, previews), make)
    return Response(await make(), media_type=JSON)


# ---------------------------------------------------------------------------------------- sharing


def _share_fields(p: Params) -> ShareFields:
    return ShareFields(
        title=p.get("title"),
        topic=p.get("topic"),
        terms=p.get_bool("terms", False),
        mature=p.get_bool("mature", False),
        tags=p.get_list("tags") or (),
        community=p.get("community", "subreddit"),
    )


@router.post(
    "/gallery/image/{item_id}", summary="Share an image to the gallery", operation_id="gallery_share_image"
)
async def share_image(request: Request, item_id: str) -> Response:
    await _svc(request).gallery.share(
        _subject(request), item_id, "image", _share_fields(await read_params(request))
    )
    return ok(True)


@router.post(
    "/gallery/album/{item_id}", summary="Share an album to the gallery", operation_id="gallery_share_album"
)
async def share_album(request: Request, item_id: str) -> Response:
    await _svc(request).gallery.share(
        _subject(request), item_id, "album", _share_fields(await read_params(request))
    )
    return ok(True)


@router.get("/gallery/image/{item_id}", summary="A gallery image", operation_id="gallery_image")
async def gallery_image(request: Request, item_id: str) -> Response:
    svc, subject = _svc(request), _subject(request)
    return ok(gallery_json(svc, subject, await svc.gallery.item(subject, item_id, kind="image")))


@router.get("/gallery/album/{item_id}", summary="A gallery album", operation_id="gallery_album")
async def gallery_album(request: Request, item_id: str) -> Response:
    svc, subject = _svc(request), _subject(request)
    return ok(gallery_json(svc, subject, await svc.gallery.item(subject, item_id, kind="album")))


# ------------------------------------------------------------------------------------ votes, favs


async def _vote(request: Request, item_id: str, vote: str) -> Response:
    await _svc(request).gallery.vote(_subject(request), item_id, vote)
    return ok(True)


@router.post(
    "/gallery/image/{item_id}/vote/{vote}",
    summary="Vote on a gallery image",
    operation_id="gallery_image_vote",
)
async def vote_image(request: Request, item_id: str, vote: str) -> Response:
    return await _vote(request, item_id, vote)


@router.post(
    "/gallery/album/{item_id}/vote/{vote}",
    summary="Vote on a gallery album",
    operation_id="gallery_album_vote",
)
async def vote_album(request: Request, item_id: str, vote: str) -> Response:
    return await _vote(request, item_id, vote)


@router.get(
    "/gallery/image/{item_id}/votes", summary="Votes of a gallery image", operation_id="gallery_image_votes"
)
@router.get(
    "/gallery/album/{item_id}/votes", summary="Votes of a gallery album", operation_id="gallery_album_votes"
)
async def votes_kind(request: Request, item_id: str) -> Response:
    return ok(await _svc(request).gallery.votes(item_id))


async def _favorite(request: Request, item_id: str) -> Response:
    svc, subject = _svc(request), _subject(request)
    post = await svc.gallery.get(item_id)
    if post.is_album:
        return ok(await svc.albums.toggle_favorite(subject, item_id))
    return ok(await svc.accounts.toggle_favorite(subject, item_id))


@router.post(
    "/gallery/image/{item_id}/favorite", summary="Favourite a gallery image", operation_id="gallery_image_fav"
)
@router.post(
    "/gallery/album/{item_id}/favorite", summary="Favourite a gallery album", operation_id="gallery_album_fav"
)
async def favorite_kind(request: Request, item_id: str) -> Response:
    return await _favorite(request, item_id)


# ------------------------------------------------------------- /gallery/{a}[/{b}[/{c}[/{d}]]]


@router.get("/gallery", summary="The gallery: hot, viral, first page", operation_id="gallery")
async def gallery_root(request: Request) -> Response:
    params = await read_params(request)
    return await listing_answer(request, listing_query(params), params)


@router.get("/gallery/{first}", summary="A gallery section, or one gallery item", operation_id="gallery_one")
async def gallery_first(request: Request, first: str) -> Response:
    params = await read_params(request)
    if first.lower() in SECTIONS or first.isdigit():
        page = first if first.isdigit() else None
        section = None if first.isdigit() else first
        return await listing_answer(request, listing_query(params, section, page=page), params)
    svc, subject = _svc(request), _subject(request)
    return ok(gallery_json(svc, subject, await svc.gallery.item(subject, first)))


@router.post("/gallery/{item_id}", summary="Share an image or album (old form)", operation_id="gallery_share")
async def share_old(request: Request, item_id: str) -> Response:
    await _svc(request).gallery.share(
        _subject(request), item_id, None, _share_fields(await read_params(request))
    )
    return ok(True)


@router.delete("/gallery/{item_id}", summary="Take a post out of the gallery", operation_id="gallery_remove")
async def unshare(request: Request, item_id: str) -> Response:
    await _svc(request).gallery.unshare(_subject(request), item_id)
    return ok(True)


@router.get("/gallery/{item_id}/votes", summary="A gallery item's votes", operation_id="gallery_votes")
async def votes(request: Request, item_id: str) -> Response:
    return ok(await _svc(request).gallery.votes(item_id))


@router.post("/gallery/{item_id}/vote/{vote}", summary="Vote on a gallery item", operation_id="gallery_vote")
async def vote(request: Request, item_id: str, vote: str) -> Response:
    return await _vote(request, item_id, vote)


@router.post("/gallery/{item_id}/favorite", summary="Favourite a gallery item", operation_id="gallery_fav")
async def favorite(request: Request, item_id: str) -> Response:
    return await _favorite(request, item_id)


@router.get("/gallery/{section}/{sort}", summary="A gallery listing", operation_id="gallery_two")
async def gallery_two(request: Request, section: str, sort: str) -> Response:
    params = await read_params(request)
    if sort.isdigit():
        return await listing_answer(request, listing_query(params, section, page=sort), params)
    return await listing_answer(request, listing_query(params, section, sort), params)


@router.get("/gallery/{section}/{sort}/{third}", summary="A gallery listing", operation_id="gallery_three")
async def gallery_three(request: Request, section: str, sort: str, third: str) -> Response:
    params = await read_params(request)
    if third.isdigit():
        return await listing_answer(request, listing_query(params, section, sort, page=third), params)
    return await listing_answer(request, listing_query(params, section, sort, third), params)


@router.get(
    "/gallery/{section}/{sort}/{window}/{page}", summary="A gallery listing", operation_id="gallery_four"
)
async def gallery_four(request: Request, section: str, sort: str, window: str, page: str) -> Response:
    params = await read_params(request)
    return await listing_answer(request, listing_query(params, section, sort, window, page), params)
