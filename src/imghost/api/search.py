"""Gallery search: /3/gallery/search[/{sort}[/{window}]][/{page}] with q or the advanced fields (§3.5).

Included before the gallery router, whose /gallery/{a}/{b}... routes would otherwise take these paths.
Clients send every shape: imgurpython and PyImgur always /{sort}/{window}/{page} (a window for time too),
j0k3r /{sort}/{page}, node-imgur the window only for top; a numeric segment is a page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.api.deps import services as _svc
from imghost.api.deps import subject as _subject
from imghost.api.envelope import JSON, ok_body
from imghost.api.gallery_schemas import gallery_json
from imghost.api.listing_answers import kept_answer
from imghost.api.params import page_number
from imghost.domain.gallery.ranking import WINDOWS
from imghost.domain.search.service import SORTS, SearchRequest
from imghost.http.params import Params, read_params

router = APIRouter(prefix="/3", tags=["gallery"])


def search_request(params: Params, sort: str | None, window: str | None, page: str | None) -> SearchRequest:
    sort = (sort or "time").lower()
    window = (window or "all").lower()
    return SearchRequest(
        q=params.get("q", "query"),
        q_all=params.get("q_all"),
        q_any=params.get("q_any"),
        q_exactly=params.get("q_exactly"),
        q_not=params.get("q_not"),
        q_type=params.get("q_type"),
        q_size_px=params.get("q_size_px"),
        sort=sort if sort in SORTS else "time",
        window=window if window in WINDOWS else "all",
        page=page_number(page if page is not None else params.get("page")),
        mature=params.get_bool("mature", False),
        album_previews=params.get_bool("album_previews", False),
    )


async def _answer(request: Request, sort: str | None, window: str | None, page: str | None) -> Response:
    """A search's page; a visitor's is kept like a listing's (api/listing_answers.py: the same version,
    moved by every edit a search reads, so a title edit is found at once; votes, and the `top` order
    they make, at most gallery_listing_seconds old)."""
    svc, subject = _svc(request), _subject(request)
    wanted = search_request(await read_params(request), sort, window, page)

    async def make() -> bytes:
        found = await svc.search.search(subject, wanted)
        return ok_body([gallery_json(svc, subject, i) for i in found])

    if subject.account_id is None:
        return await kept_answer(request, ("search", wanted), make)
    return Response(await make(), media_type=JSON)


@router.get("/gallery/search", summary="Search the gallery", operation_id="gallery_search")
async def search(request: Request) -> Response:
    return await _answer(request, None, None, None)


@router.get("/gallery/search/{first}", summary="Search the gallery", operation_id="gallery_search_one")
async def search_one(request: Request, first: str) -> Response:
    if first.isdigit():
        return await _answer(request, None, None, first)
    return await _answer(request, first, None, None)


@router.get(
    "/gallery/search/{sort}/{second}", summary="Search the gallery", operation_id="gallery_search_two"
)
async def search_two(request: Request, sort: str, second: str) -> Response:
    if second.isdigit():
        return await _answer(request, sort, None, second)
    return await _answer(request, sort, second, None)


@router.get(
    "/gallery/search/{sort}/{window}/{page}",
    summary="Search the gallery",
    operation_id="gallery_search_three",
)
async def search_three(request: Request, sort: str, window: str, page: str) -> Response:
    return await _answer(request, sort, window, page)
