"""Comment routes (§3.4), a gallery post's comment routes (§3.5, with and without the image/ or album/
segment of the 2012 form) and an account's comment rows (§3.1).

Included before the gallery router: its /gallery/{a}/{b}... routes would take these paths. Within
this router the literal forms (/comments/ids, /comments/count) come before /comments/{sort}."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.convertors import Convertor, register_url_convertor
from starlette.responses import Response

from imghost.api.deps import services as _svc
from imghost.api.deps import subject as _subject
from imghost.api.envelope import ok
from imghost.api.params import digits
from imghost.domain.comments.model import DELETED, Thread
from imghost.domain.gallery.model import VOTE_NAMES
from imghost.http.params import Params, read_params

router = APIRouter(prefix="/3", tags=["comment"])


def comment_json(thread: Thread) -> dict[str, Any]:
    """The Comment object (§2.8): `children` always present, a deleted comment's author hidden."""
    c = thread.comment
    hidden_author = c.deleted or c.account_id is None
    return {
        "id": c.id,
        "image_id": c.post_id,
        "comment": DELETED if c.deleted else c.body,
        "author": DELETED if hidden_author else c.author,
        "author_id": 0 if hidden_author else c.account_id,
        "on_album": c.on_album,
        "album_cover": thread.album_cover,
        "ups": c.ups,
        "downs": c.downs,
        "points": c.points,
        "datetime": c.created_at,
        "parent_id": c.parent_id or 0,
        "deleted": c.deleted,
        "vote": VOTE_NAMES.get(thread.vote),
        "children": [comment_json(t) for t in thread.children],
        "platform": c.platform,
        "has_admin_badge": c.author_is_admin and not hidden_author,
    }


async def _create(request: Request, post_id: str | None, parent_id: str | None) -> Response:
    p = await read_params(request)
    created = await _svc(request).comments.create(
        _subject(request),
        post_id or p.get("image_id", "imageId") or "",
        p.get("comment"),
        parent_id or p.get("parent_id", "parentId"),
        platform=p.get("platform"),
    )
    return ok({"id": created.id})


# ------------------------------------------------------------------------------------- /comment


@router.post(
    "/comment", summary="Comment on a gallery post (or reply: parent_id)", operation_id="comment_new"
)
async def create(request: Request) -> Response:
    return await _create(request, None, None)


@router.get("/comment/{comment_id}", summary="A comment, with its replies", operation_id="comment_get")
async def get_comment(request: Request, comment_id: str) -> Response:
    return ok(comment_json(await _svc(request).comments.get(_subject(request), comment_id)))


@router.post("/comment/{comment_id}", summary="Reply to a comment", operation_id="comment_reply")
async def reply(request: Request, comment_id: str) -> Response:
    return await _create(request, None, comment_id)


@router.delete(
    "/comment/{comment_id}",
    summary="Delete a comment (its author, or an admin)",
    operation_id="comment_delete",
)
async def delete(request: Request, comment_id: str) -> Response:
    await _svc(request).comments.delete(_subject(request), comment_id)
    return ok(True)


@router.get("/comment/{comment_id}/replies", summary="A comment's replies", operation_id="comment_replies")
@router.get(
    "/comment/{comment_id}/replied", summary="A comment's replies (alias)", operation_id="comment_replied"
)
async def replies(request: Request, comment_id: str) -> Response:
    return ok(comment_json(await _svc(request).comments.replies(_subject(request), comment_id)))


@router.post("/comment/{comment_id}/vote/{vote}", summary="Vote on a comment", operation_id="comment_vote")
async def vote(request: Request, comment_id: str, vote: str) -> Response:
    await _svc(request).comments.vote(_subject(request), comment_id, vote)
    return ok(True)


# ------------------------------------------------------------------- a gallery post's comments


class GalleryPostConvertor(Convertor[str]):
    """A post's id, after /gallery/ or after the 2012 /gallery/image/ and /gallery/album/ (one id space):
    one route serves all three forms."""

    regex = "(?:image/|album/)?[^/]+"

    def convert(self, value: str) -> str:
        return value.rsplit("/", 1)[-1]

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("gallery_post", GalleryPostConvertor())
POST = "/gallery/{post_id:gallery_post}"  # handlers read post_id from request.path_params


def _post_id(request: Request) -> str:
    return str(request.path_params["post_id"])


@router.get(f"{POST}/comments/ids", summary="Ids of a post's comments", operation_id="gallery_comment_ids")
async def post_comment_ids(request: Request) -> Response:
    return ok(await _svc(request).comments.post_ids(_post_id(request)))


@router.get(
    f"{POST}/comments/count", summary="Number of a post's comments", operation_id="gallery_comment_count"
)
async def post_comment_count(request: Request) -> Response:
    return ok(await _svc(request).comments.post_count(_post_id(request)))


@router.get(f"{POST}/comments", summary="A post's comments, as trees", operation_id="gallery_comments")
@router.get(
    f"{POST}/comments/{{sort}}",
    summary="A post's comments: best, top or new",
    operation_id="gallery_comments_sorted",
)
@router.get(
    f"{POST}/comments/{{sort}}/{{page}}",
    summary="A post's comments, a page of threads",
    operation_id="gallery_comments_page",
)
async def post_comments(request: Request) -> Response:
    svc, subject = _svc(request), _subject(request)
    sort = request.path_params.get("sort") or (await read_params(request)).get("sort") or "best"
    page = request.path_params.get("page")
    threads = await svc.comments.of_post(
        subject, _post_id(request), sort.lower(), None if page is None else digits(page, 0)
    )
    return ok([comment_json(t) for t in threads])


@router.get(f"{POST}/comment/{{comment_id}}", summary="One comment of a post", operation_id="gallery_comment")
async def post_comment(request: Request, comment_id: str) -> Response:
    found = await _svc(request).comments.in_post(_subject(request), _post_id(request), comment_id)
    return ok(comment_json(found))


@router.post(f"{POST}/comment", summary="Comment on a post", operation_id="gallery_comment_new")
async def post_create(request: Request) -> Response:
    return await _create(request, _post_id(request), None)


@router.post(
    f"{POST}/comment/{{comment_id}}",
    summary="Reply to a comment of a post (old form)",
    operation_id="gallery_comment_reply",
)
async def post_reply(request: Request, comment_id: str) -> Response:
    return await _create(request, _post_id(request), comment_id)


# ------------------------------------------------------------------------- an account's comments


async def _account_id(request: Request, username: str) -> int:
    return (await _svc(request).accounts.resolve(_subject(request), username)).id


def _sort_page(request: Request, params: Params) -> tuple[str, int]:
    """Sort and page from the path (taken from the path only, see api.params.path_page) or the query.
    The 2012 form put the page where the sort is now: /comments/{page}."""
    sort, page = request.path_params.get("sort"), request.path_params.get("page")
    if sort is not None and sort.isdigit() and page is None:
        sort, page = None, sort
    return (sort or params.get("sort") or "newest").lower(), digits(page or params.get("page"), 0)


@router.get(
    "/account/{username}/comments/ids",
    summary="Ids of an account's comments",
    operation_id="account_comment_ids",
)
@router.get(
    "/account/{username}/comments/ids/{sort}",
    summary="Ids of an account's comments, sorted",
    operation_id="account_comment_ids_sorted",
)
@router.get(
    "/account/{username}/comments/ids/{sort}/{page}",
    summary="Ids of an account's comments, one page",
    operation_id="account_comment_ids_page",
)
async def account_comment_ids(request: Request, username: str) -> Response:
    svc = _svc(request)
    order, number = _sort_page(request, await read_params(request))
    return ok(await svc.comments.account_ids(await _account_id(request, username), order, number))


@router.get(
    "/account/{username}/comments/count",
    summary="Number of an account's comments",
    operation_id="account_comment_count",
)
async def account_comment_count(request: Request, username: str) -> Response:
    return ok(await _svc(request).comments.account_count(await _account_id(request, username)))


@router.get("/account/{username}/comments", summary="An account's comments", operation_id="account_comments")
@router.get(
    "/account/{username}/comments/{sort}",
    summary="An account's comments: best, worst, oldest or newest",
    operation_id="account_comments_sorted",
)
@router.get(
    "/account/{username}/comments/{sort}/{page}",
    summary="An account's comments, one page of 50",
    operation_id="account_comments_page",
)
async def account_comments(request: Request, username: str) -> Response:
    svc, subject = _svc(request), _subject(request)
    order, number = _sort_page(request, await read_params(request))
    threads = await svc.comments.of_account(subject, await _account_id(request, username), order, number)
    return ok([comment_json(t) for t in threads])


@router.get(
    "/account/{username}/comment/{comment_id}",
    summary="One of an account's comments",
    operation_id="account_comment",
)
async def account_comment(request: Request, username: str, comment_id: str) -> Response:
    svc, subject = _svc(request), _subject(request)
    found = await svc.comments.of_account_one(subject, await _account_id(request, username), comment_id)
    return ok(comment_json(found))


@router.delete(
    "/account/{username}/comment/{comment_id}",
    summary="Delete one of the account's comments (owner)",
    operation_id="account_comment_delete",
)
async def account_comment_delete(request: Request, username: str, comment_id: str) -> Response:
    svc, subject = _svc(request), _subject(request)
    owner = await svc.accounts.resolve_owned(subject, username)
    await svc.comments.delete_of_account(subject, owner.id, comment_id)
    return ok(True)
