"""Tags, topics and communities: /3/tags, /3/gallery/t/..., /3/gallery/tag_info/..., a post's tags and
their votes, following tags, /3/topics/..., and the community galleries /3/gallery/r/....

The segment after a tag, topic or community is overloaded as the gallery's is (§3.5): a sort word
makes a listing, a short number is a page, and anything else is a gallery item id. A number of five
digits or more is an item of that listing when there is one, else a page (ids are 5 to 10 letters
and digits, so rarely all digits). Odd sorts and windows fall back to the defaults, as Imgur does.

An unknown tag is a 404 "Tag does not exist" on every tag route, as Imgur answers tag_info; an
unknown topic is a 404 too (topics are the operator's list); an unknown community is an empty list
(communities exist only through the posts that name them)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.api.deps import services as _svc
from imghost.api.deps import subject as _subject
from imghost.api.envelope import ok
from imghost.api.gallery_schemas import gallery_json, tag_json
from imghost.api.params import page_number
from imghost.auth import Subject
from imghost.domain.gallery.items import GalleryItem
from imghost.domain.gallery.model import Listing
from imghost.domain.gallery.ranking import WINDOWS
from imghost.domain.tags.model import Tag, TagVote
from imghost.domain.topics.model import Topic
from imghost.errors import GalleryItemNotFound
from imghost.http.params import Params, read_params
from imghost.services import Services

router = APIRouter(prefix="/3", tags=["tags, topics and communities"])

SORTS = ("viral", "top", "time", "rising")


# ---------------------------------------------------------------------------------- presenters


def tag_list_json(tag: Tag) -> dict[str, Any]:
    return {
        "id": tag.name,
        "name": tag.name,
        "display_name": tag.display_name,
        "followers": tag.followers,
        "total_items": tag.total_items,
        "background_hash": "",
    }


def tag_vote_json(vote: TagVote) -> dict[str, Any]:
    return {"ups": vote.ups, "downs": vote.downs, "name": vote.name, "author": vote.author}


def _item(svc: Services, subject: Subject, item: GalleryItem | None) -> dict[str, Any] | None:
    return None if item is None else gallery_json(svc, subject, item)


def topic_json(svc: Services, subject: Subject, topic: Topic, top: GalleryItem | None) -> dict[str, Any]:
    # camelCase keys, as Imgur's Topic model has them (§2.15).
    post = _item(svc, subject, top)
    return {
        "id": topic.id,
        "name": topic.name,
        "description": topic.description,
        "css": topic.css or "",
        "ephemeral": topic.ephemeral,
        "topPost": post,
        "heroImage": post,
        "isHero": False,
    }


# ------------------------------------------------------------------------------------- parsing


def _listing(
    params: Params, sort: str | None, window: str | None, page: str | None, *, default_sort: str
) -> Listing:
    sort = (sort or default_sort).lower()
    window = (window or "week").lower()
    return Listing(
        sort=sort if sort in SORTS else default_sort,
        window=window if window in WINDOWS else "week",
        page=page_number(page if page is not None else params.get("page")),
        mature=params.get_bool("mature", False),
    )


def _previews(params: Params) -> str:
    return "preview" if params.get_bool("album_previews", False) else "none"


def _is_page(value: str) -> bool:
    return value.isdigit() and len(value) < 5


Page = Callable[[Request, str, Listing, str], Awaitable[Response]]
One = Callable[[Request, str, str], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Listings:
    """The four path forms of a tag's, a community's or a topic's posts, read the same way for each:
    its default sort, a page of its posts (page) and one post of them (one)."""

    default_sort: str
    page: Page
    one: One

    def _listing(self, params: Params, sort: str | None, window: str | None, page: str | None) -> Listing:
        return _listing(params, sort, window, page, default_sort=self.default_sort)

    async def first(self, request: Request, key: str) -> Response:
        params = await read_params(request)
        return await self.page(request, key, self._listing(params, None, None, None), _previews(params))

    async def second(self, request: Request, key: str, x: str) -> Response:
        """/{key}/{x}: a sort, a page or an item id (module docstring)."""
        params = await read_params(request)
        if x.lower() in SORTS:
            return await self.page(request, key, self._listing(params, x, None, None), _previews(params))
        if not _is_page(x):
            try:
                return await self.one(request, key, x)
            except GalleryItemNotFound:
                if not x.isdigit():
                    raise
        return await self.page(request, key, self._listing(params, None, None, x), _previews(params))

    async def third(self, request: Request, key: str, sort: str, x: str) -> Response:
        """/{key}/{sort}/{x}: x a page when it is a number, else a window."""
        params = await read_params(request)
        q = self._listing(params, sort, None, x) if x.isdigit() else self._listing(params, sort, x, None)
        return await self.page(request, key, q, _previews(params))

    async def fourth(self, request: Request, key: str, sort: str, window: str, page: str) -> Response:
        params = await read_params(request)
        return await self.page(request, key, self._listing(params, sort, window, page), _previews(params))


# ----------------------------------------------------------------------------------------- tags


@router.get("/tags", summary="Popular tags and the topics", operation_id="tags")
async def tags(request: Request) -> Response:
    svc, subject = _svc(request), _subject(request)
    popular = await svc.tags.popular()
    topics = await svc.topics.defaults(subject)
    return ok(
        {
            "tags": [tag_list_json(t) for t in popular],
            "featured": popular[0].name if popular else "",
            "galleries": [
                {
                    "id": t.id,
                    "name": t.name,
                    "description": t.description,
                    "topPost": _item(svc, subject, top),
                }
                for t, top in topics
            ],
        }
    )


@router.get("/gallery/tag_info/{tag}", summary="A tag", operation_id="tag_info")
async def tag_info(request: Request, tag: str) -> Response:
    found = await _svc(request).tags.info(_subject(request), tag)
    return ok(tag_json(found.ref(), following=found.following))


async def _tag_page(request: Request, tag: str, q: Listing, previews: str) -> Response:
    svc, subject = _svc(request), _subject(request)
    found, items = await svc.tags.page(subject, tag, q, album_images=previews)
    data = tag_json(found.ref(), following=found.following)
    data["items"] = [gallery_json(svc, subject, i) for i in items]
    return ok(data)


async def _tag_item(request: Request, tag: str, item_id: str) -> Response:
    svc, subject = _svc(request), _subject(request)
    return ok(gallery_json(svc, subject, await svc.tags.item(subject, tag, item_id)))


TAG = Listings("viral", _tag_page, _tag_item)


@router.get("/gallery/t/{tag}", summary="A tag with its posts", operation_id="tag_gallery")
async def tag_gallery(request: Request, tag: str) -> Response:
    return await TAG.first(request, tag)


@router.get(
    "/gallery/t/{tag}/{x}", summary="A tag's posts (sort or page), or one of them", operation_id="tag_two"
)
async def tag_two(request: Request, tag: str, x: str) -> Response:
    return await TAG.second(request, tag, x)


@router.get("/gallery/t/{tag}/{sort}/{x}", summary="A tag's posts", operation_id="tag_three")
async def tag_three(request: Request, tag: str, sort: str, x: str) -> Response:
    return await TAG.third(request, tag, sort, x)


@router.get("/gallery/t/{tag}/{sort}/{window}/{page}", summary="A tag's posts", operation_id="tag_four")
async def tag_four(request: Request, tag: str, sort: str, window: str, page: str) -> Response:
    return await TAG.fourth(request, tag, sort, window, page)


# ------------------------------------------------------------------------------ communities


async def _community_page(request: Request, name: str, q: Listing, previews: str) -> Response:
    svc, subject = _svc(request), _subject(request)
    items = await svc.communities.page(subject, name, q, album_images=previews)
    return ok([gallery_json(svc, subject, i) for i in items])


async def _community_item(request: Request, name: str, item_id: str) -> Response:
    svc, subject = _svc(request), _subject(request)
    return ok(gallery_json(svc, subject, await svc.communities.item(subject, name, item_id)))


COMMUNITY = Listings("time", _community_page, _community_item)


@router.get("/gallery/r/{name}", summary="A community's posts", operation_id="community")
async def community(request: Request, name: str) -> Response:
    return await COMMUNITY.first(request, name)


@router.get(
    "/gallery/r/{name}/{x}",
    summary="A community's posts (sort or page), or one of them",
    operation_id="community_two",
)
async def community_two(request: Request, name: str, x: str) -> Response:
    return await COMMUNITY.second(request, name, x)


@router.get("/gallery/r/{name}/{sort}/{x}", summary="A community's posts", operation_id="community_three")
async def community_three(request: Request, name: str, sort: str, x: str) -> Response:
    return await COMMUNITY.third(request, name, sort, x)


@router.get(
    "/gallery/r/{name}/{sort}/{window}/{page}", summary="A community's posts", operation_id="community_four"
)
async def community_four(request: Request, name: str, sort: str, window: str, page: str) -> Response:
    return await COMMUNITY.fourth(request, name, sort, window, page)


# ---------------------------------------------------------------------------- a post's tags


@router.post(
    "/gallery/tags", summary="Set a post's tags (id in the body)", operation_id="post_tags_set_by_param"
)
async def set_tags_param(request: Request) -> Response:
    params = await read_params(request)
    await _svc(request).tags.set_tags(_subject(request), params.get("id") or "", params.get_list("tags"))
    return ok(True)


@router.post("/gallery/tags/{item_id}", summary="Set a post's tags (owner)", operation_id="post_tags_set")
async def set_tags(request: Request, item_id: str) -> Response:
    params = await read_params(request)
    await _svc(request).tags.set_tags(_subject(request), item_id, params.get_list("tags"))
    return ok(True)


@router.get("/gallery/{item_id}/tags", summary="A post's tags and their votes", operation_id="post_tags")
@router.get(
    "/gallery/image/{item_id}/tags", summary="A post's tags and their votes", operation_id="post_tags_image"
)
@router.get(
    "/gallery/album/{item_id}/tags", summary="A post's tags and their votes", operation_id="post_tags_album"
)
async def post_tags(request: Request, item_id: str) -> Response:
    return ok({"tags": [tag_vote_json(v) for v in await _svc(request).tags.of_post(item_id)]})


@router.post(
    "/gallery/{item_id}/vote/tag/{tag}/{vote}", summary="Vote on a post's tag", operation_id="tag_vote"
)
@router.post(
    "/gallery/image/{item_id}/vote/tag/{tag}/{vote}",
    summary="Vote on a post's tag",
    operation_id="tag_vote_image",
)
@router.post(
    "/gallery/album/{item_id}/vote/tag/{tag}/{vote}",
    summary="Vote on a post's tag",
    operation_id="tag_vote_album",
)
async def tag_vote(request: Request, item_id: str, tag: str, vote: str) -> Response:
    await _svc(request).tags.vote(_subject(request), item_id, tag, vote)
    return ok(True)


# ---------------------------------------------------------------------------------- following


@router.post("/account/{username}/follow/tag/{tag}", summary="Follow a tag", operation_id="tag_follow")
async def follow_tag(request: Request, username: str, tag: str) -> Response:
    svc, subject = _svc(request), _subject(request)
    await svc.accounts.resolve_owned(subject, username)
    await svc.tags.follow(subject, tag)
    return ok(True)


@router.delete(
    "/account/{username}/follow/tag/{tag}", summary="Stop following a tag", operation_id="tag_unfollow"
)
async def unfollow_tag(request: Request, username: str, tag: str) -> Response:
    svc, subject = _svc(request), _subject(request)
    await svc.accounts.resolve_owned(subject, username)
    await svc.tags.unfollow(subject, tag)
    return ok(True)


# --------------------------------------------------------------------------------------- topics


@router.get("/topics/defaults", summary="The topics", operation_id="topics_defaults")
async def topics_defaults(request: Request) -> Response:
    svc, subject = _svc(request), _subject(request)
    return ok([topic_json(svc, subject, t, top) for t, top in await svc.topics.defaults(subject)])


async def _topic_page(request: Request, topic: str, q: Listing, previews: str) -> Response:
    svc, subject = _svc(request), _subject(request)
    items = await svc.topics.page(subject, topic, q, album_images=previews)
    return ok([gallery_json(svc, subject, i) for i in items])


async def _topic_item(request: Request, topic: str, item_id: str) -> Response:
    svc, subject = _svc(request), _subject(request)
    return ok(gallery_json(svc, subject, await svc.topics.item(subject, topic, item_id)))


TOPIC = Listings("viral", _topic_page, _topic_item)


@router.get("/topics/{topic}", summary="A topic's posts", operation_id="topic")
async def topic(request: Request, topic: str) -> Response:
    return await TOPIC.first(request, topic)


@router.get(
    "/topics/{topic}/{x}", summary="A topic's posts (sort or page), or one of them", operation_id="topic_two"
)
async def topic_two(request: Request, topic: str, x: str) -> Response:
    return await TOPIC.second(request, topic, x)


@router.get("/topics/{topic}/{sort}/{x}", summary="A topic's posts", operation_id="topic_three")
async def topic_three(request: Request, topic: str, sort: str, x: str) -> Response:
    return await TOPIC.third(request, topic, sort, x)


@router.get("/topics/{topic}/{sort}/{window}/{page}", summary="A topic's posts", operation_id="topic_four")
async def topic_four(request: Request, topic: str, sort: str, window: str, page: str) -> Response:
    return await TOPIC.fourth(request, topic, sort, window, page)
