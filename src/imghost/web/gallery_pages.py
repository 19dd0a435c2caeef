"""The gallery in the browser: /gallery (hot, top in a window, new; pages of cards), the post page
/gallery/{id} (the image, video or album, votes, favourite, tags, report, threaded comments), the
writes those pages make, and /share/{id}, where an owner puts an image or album in the gallery.

Every write is a plain form post that a script may also send (asking for JSON), so that the pages
work without JavaScript; who may do what is the services' rule. A post page reads its comments with
one service call, whatever their number: the tree comes built."""

from __future__ import annotations

import gzip
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.auth import Subject
from imghost.domain.comments.model import POST_SORTS, Thread
from imghost.domain.gallery.items import GalleryItem
from imghost.domain.gallery.model import Listing
from imghost.domain.gallery.ranking import WINDOWS
from imghost.domain.gallery.service import ShareFields
from imghost.domain.images.model import Image
from imghost.errors import (
    CommentNotFound,
    Forbidden,
    InvalidRequest,
    NotFound,
    SignInRequired,
    TermsNotAccepted,
)
from imghost.http.params import Params
from imghost.web import forms
from imghost.web.forms import json_answer, see_other, submitted, wants_json
from imghost.web.image_view import Picture, Shown, fitted
from imghost.web.page_cache import PageCache
from imghost.web.templating import gzip_ok, page, render, respond
from imghost.web.viewer import Viewer, services, signed_in, viewer

router = APIRouter(include_in_schema=False)

PER_PAGE = 60
EAGER = 4  # cards (and album images) on screen at once load first; the rest as they scroll into view
MAX_PAGE = 100_000
# The tabs, and the listing each path segment names: "new" is Imgur's user section, newest first.
SECTIONS = {"hot": "hot", "top": "top", "new": "user", "user": "user"}
SORTS = ("viral", "top", "time", "rising")
TABS = (("hot", "Hot"), ("top", "Top"), ("new", "New"))
WINDOW_NAMES = (("day", "Day"), ("week", "Week"), ("month", "Month"), ("year", "Year"), ("all", "All time"))
COMMENT_SORTS = (("best", "Best"), ("top", "Top"), ("new", "New"))
# The report reasons of the API (§3.5), as a person reads them.
REASONS = (
    (1, "It does not belong in the gallery"),
    (2, "Spam"),
    (3, "Abusive or harassing"),
    (4, "Mature content that is not marked mature"),
    (5, "Pornography"),
)
NOTICES = {
    "shared": "Shared to the gallery.",
    "reported": "Thank you. The report is in the moderators' queue.",
    "commented": "Your comment is posted.",
    "deleted": "Your comment is deleted.",
}
VOTE_VALUES = {"up": 1, "down": -1, "veto": 0}
# Visitors' pages of the gallery and of posts: kept for VISITOR_SECONDS (see _for_visitors), apart from
# the image pages' cache so that a busy gallery does not push those out.
VISITOR_SECONDS = 1.0
_visitor_pages = PageCache(max_entries=512)


def _subject(v: Viewer) -> Subject:
    return Subject(client_id=None, account_id=v.account_id, username=v.username)


def _plain(value: str) -> str:
    return value if value.isascii() and value.isalnum() else ""


def _page_number(value: str | None) -> int:
    return min(int(value), MAX_PAGE) if value and value.isascii() and value.isdigit() else 0


# ------------------------------------------------------------------------------------ listings


@dataclass(frozen=True, slots=True)
class Shape:
    """What a gallery path asks for: the tab it belongs to and the listing's section, sort and window."""

    tab: str
    section: str
    sort: str
    window: str


def shape(section: str, *rest: str) -> Shape:
    """/gallery/{section}[/{sort}][/{window}] as the API names them (sorts and windows in either
    order after the section); anything else is no gallery page."""
    name = section.lower()
    if name not in SECTIONS:
        raise NotFound()
    sort = window = ""
    for segment in rest:
        word = segment.lower()
        if word in WINDOWS and not window:
            window = word
        elif word in SORTS and not sort:
            sort = word
        else:
            raise NotFound()
    listed = SECTIONS[name]
    if listed == "top":
        sort = sort if sort in ("top", "time") else "top"
    elif listed == "hot":
        sort = sort if sort in ("viral", "top", "time") else "viral"
    else:
        sort = sort or "time"
    tab = "new" if listed == "user" else listed
    return Shape(tab, listed, sort, window or "day")


def _gallery_url(tab: str, window: str, *, mature: bool) -> str:
    """A tab's own address (the first page)."""
    path = {"hot": "/gallery", "new": "/gallery/new"}.get(tab) or (
        "/gallery/top" if window == "day" else f"/gallery/top/{window}"
    )
    return path + _query(mature=mature)


def _query(*, mature: bool, page: int = 0) -> str:
    parts = (["mature=1"] if mature else []) + ([f"page={page}"] if page else [])
    return "?" + "&".join(parts) if parts else ""


@dataclass(frozen=True, slots=True)
class Card:
    """A post as the gallery's grid shows it: its `m` thumbnail with the thumbnail's own size."""

    id: str
    title: str
    points: int
    comment_count: int
    is_album: bool
    mature: bool
    images_count: int
    thumb: Picture | None


def card(item: GalleryItem) -> Card:
    p, image = item.post, item.image
    thumb = None
    if image is not None:
        w, h = fitted(image.width, image.height, 320)
        thumb = Picture(f"/{image.id}m.jpg", w, h)
    return Card(
        id=p.id,
        title=p.title,
        points=p.points,
        comment_count=p.comment_count,
        is_album=p.is_album,
        mature=p.mature,
        images_count=item.album.images_count if item.album else 1,
        thumb=thumb,
    )


async def _gallery(request: Request, section: str, *rest: str) -> Response:
    v = await viewer(request)
    want = shape(section, *rest)
    if v.signed_in:
        return render(request, v, "gallery.html", await _gallery_context(request, want))
    return await _for_visitors(
        request, v, ("gallery", request.url.path), "gallery.html", lambda: _gallery_context(request, want)
    )


async def _gallery_context(request: Request, want: Shape) -> dict[str, Any]:
    svc = services(request)
    q = request.query_params
    page_no = _page_number(q.get("page"))
    mature = q.get("mature", "") in ("1", "true", "on")
    listing = Listing(
        section=want.section,
        sort=want.sort,
        window=want.window,
        page=page_no,
        mature=mature,
        per_page=PER_PAGE,
    )
    posts = await svc.gallery.listing(listing)
    # The cards show nothing of the viewer's (votes, favourites): read them as anyone would.
    found = await svc.gallery.items(Subject(client_id=None), posts)
    here = request.url.path
    return {
        "cards": [card(i) for i in found],
        "tab": want.tab,
        "window": want.window,
        "tabs": [(key, label, _gallery_url(key, "day", mature=mature)) for key, label in TABS],
        "windows": [(key, label, _gallery_url("top", key, mature=mature)) for key, label in WINDOW_NAMES],
        "mature": mature,
        "mature_url": here + _query(mature=not mature),
        "page": page_no,
        "prev_url": here + _query(mature=mature, page=page_no - 1) if page_no else "",
        "next_url": here + _query(mature=mature, page=page_no + 1) if len(posts) == PER_PAGE else "",
        # Pages that infinite scroll appends are below the fold: all of their thumbnails wait.
        "eager": EAGER if page_no == 0 else 0,
    }


async def gallery_page(request: Request, *segments: str) -> Response:
    """GET /gallery[/...]: a tab (/gallery, /gallery/hot, /gallery/top/week, ...) or a post's page
    (/gallery/{id}). web.fast calls it without the router; the routes below are the same pages."""
    if not segments:
        return await _gallery(request, "hot")
    if len(segments) == 1 and segments[0].lower() not in SECTIONS:
        return await post_page(request, segments[0])
    return await _gallery(request, *segments)


@router.get("/gallery")
async def gallery_root(request: Request) -> Response:
    return await gallery_page(request)


@router.get("/gallery/{first}")
async def gallery_first(request: Request, first: str) -> Response:
    """A tab (/gallery/hot, /gallery/top, /gallery/new), or else a post's page."""
    return await gallery_page(request, first)


@router.get("/gallery/{section}/{sort}")
async def gallery_two(request: Request, section: str, sort: str) -> Response:
    return await gallery_page(request, section, sort)


@router.get("/gallery/{section}/{sort}/{window}")
async def gallery_three(request: Request, section: str, sort: str, window: str) -> Response:
    return await gallery_page(request, section, sort, window)


# ------------------------------------------------------------------------------------ the post


@dataclass(frozen=True)
class PostShown(Shown):
    """An image post as link previews see it: the post's title and the post page's address."""

    post_title: str = ""

    @property
    def title(self) -> str:
        return self.post_title or super().title

    @property
    def alt(self) -> str:
        own = self.image.title or self.image.description
        return super().alt if own or not self.post_title else self.post_title

    @property
    def page(self) -> str:
        return f"{self.base}/gallery/{self.image.id}"


@dataclass(frozen=True, slots=True)
class AlbumImage:
    image: Image
    pic: Picture  # the `l` thumbnail (a video's poster)
    video: bool
    video_src: str


def _album_images(images: list[Image]) -> list[AlbumImage]:
    out = []
    for i in images:
        w, h = fitted(i.width, i.height, 640)
        s = Shown(i, "")
        out.append(AlbumImage(i, Picture(f"/{i.id}l.jpg", w, h), s.video, s.video_src))
    return out


@dataclass(frozen=True, slots=True)
class Row:
    """A comment in reading order, with how the nested lists around it go on: `opens` when its replies
    follow (inside it), `closes` the number of reply lists that end after it."""

    thread: Thread
    opens: bool
    closes: int


def rows(threads: list[Thread]) -> list[Row]:
    """Comment trees as one flat run: a page renders it in a single loop, which costs a fraction of a
    recursive one on a long thread."""
    order: list[tuple[Thread, int]] = []
    todo = [(t, 0) for t in reversed(threads)]
    while todo:
        thread, depth = todo.pop()
        order.append((thread, depth))
        todo.extend((c, depth + 1) for c in reversed(thread.children))
    out = []
    for n, (thread, depth) in enumerate(order):
        after = order[n + 1][1] if n + 1 < len(order) else 0
        out.append(Row(thread, bool(thread.children), 0 if thread.children else depth - after))
    return out


def _sort(value: str | None) -> str:
    return value if value is not None and value in POST_SORTS else "best"


async def post_page(request: Request, post_id: str) -> Response:
    v = await viewer(request)
    if v.signed_in:
        return render(request, v, "post.html", await _post_context(request, v, post_id))
    # The post's row (by its primary key) and a one-row summary of its comments are read afresh for
    # the key, both cheap beside the page: a vote, a comment, a comment's vote or deletion shows at
    # once; what neither holds (favourites, tags, an album's images, a renamed author) within a moment.
    svc = services(request)
    post = await svc.gallery.get(post_id)
    comments = await svc.comments.changes(post.id)
    return await _for_visitors(
        request, v, ("post", post, comments), "post.html", lambda: _post_context(request, v, post.id)
    )


async def _post_context(request: Request, v: Viewer, post_id: str) -> dict[str, Any]:
    svc = services(request)
    subject = _subject(v)
    item = await svc.gallery.item(subject, post_id)
    post = item.post
    q = request.query_params
    sort = _sort(q.get("sort"))
    threads = await svc.comments.of_post(subject, post.id, sort)
    reply = q.get("reply", "")
    base = svc.settings.base_url
    shown = None
    if not post.is_album and item.image is not None:
        shown = PostShown(item.image, base, post_title=post.title)
    return {
        "item": item,
        "post": post,
        "shown": shown,
        "album": item.album,
        "album_images": _album_images(item.images) if post.is_album else [],
        "cover": item.image,
        "page_url": f"{base}/gallery/{post.id}",
        "rows": rows(threads),
        "sort": sort,
        "sorts": COMMENT_SORTS,
        "reply_to": int(reply) if reply.isascii() and reply.isdigit() and len(reply) < 19 else 0,
        "owner": subject.owns(post.account_id),
        "reasons": REASONS,
        "notice": NOTICES.get(q.get("done", ""), ""),
        "eager": EAGER,
        "comment_max": svc.comments.max_length,
        "fragment": False,
    }


# ------------------------------------------------------------------------------------ visitors


async def _for_visitors(
    request: Request,
    v: Viewer,
    key: tuple[Hashable, ...],
    template: str,
    context: Callable[[], Awaitable[dict[str, Any]]],
) -> Response:
    """A page as every signed-out visitor gets it (no form, no token: web.page_cache), rendered at
    most once a moment per address and per version of what `key` holds (read afresh by the caller).
    Listings are kept by the moment alone: reading a listing's rows for a key costs more than the
    whole page answered from here, they move with every vote anyway, and a visitor cannot tell a page
    a second old from a fresh one; at the gallery's busiest a render a second replaces thousands."""
    gz = "gzip" in request.headers.get("accept-encoding", "")
    moment = int(time.monotonic() / VISITOR_SECONDS)
    full = (*key, request.url.query, gz, moment)
    body = _visitor_pages.get(full)
    if body is None:
        body = page(request, None, template, await context())
        if gz and gzip_ok(request, body):
            body = gzip.compress(body, 6)  # once a moment: the better ratio is worth it here
        else:
            gz = False
        _visitor_pages.put(full, body)
    elif gz and body[:2] != b"\x1f\x8b":
        gz = False
    return respond(request, v, body, gzipped=gz)


# ------------------------------------------------------------------------------------ the writes


async def _write(request: Request, post_id: str) -> tuple[Viewer, Params, Subject]:
    """A form post on a post page: CSRF checked, and a signed-in person (else off to sign in, and
    back to the post afterwards)."""
    v, form = await submitted(request)
    if not v.signed_in:
        raise SignInRequired(f"/gallery/{_plain(post_id)}")
    return v, form, _subject(v)


def _back(request: Request, v: Viewer, post_id: str, anchor: str = "", done: str = "") -> Response:
    return see_other(request, v, f"/gallery/{_plain(post_id)}{'?done=' + done if done else ''}{anchor}")


@router.post("/gallery/{post_id}/vote")
async def vote(request: Request, post_id: str) -> Response:
    v, form, subject = await _write(request, post_id)
    svc = services(request)
    choice = (form.get("vote") or "").lower()
    await svc.gallery.vote(subject, post_id, choice)
    if wants_json(request):
        counts = await svc.gallery.votes(post_id)
        return json_answer(
            {**counts, "points": counts["ups"] - counts["downs"], "vote": VOTE_VALUES.get(choice, 0)}
        )
    return _back(request, v, post_id, "#votes")


@router.post("/gallery/{post_id}/favorite")
async def favorite(request: Request, post_id: str) -> Response:
    v, _, subject = await _write(request, post_id)
    svc = services(request)
    post = await svc.gallery.get(post_id)
    if post.is_album:
        done = await svc.albums.toggle_favorite(subject, post.id)
    else:
        done = await svc.accounts.toggle_favorite(subject, post.id)
    if wants_json(request):
        return json_answer({"favorite": done == "favorited"})
    return _back(request, v, post.id, "#votes")


def _thread_html(request: Request, v: Viewer, post_id: str, thread: Thread, sort: str) -> str:
    """One comment as the page's tree shows it, for a script to put in place."""
    ctx = {"rows": rows([thread]), "post": {"id": post_id}, "reply_to": 0, "sort": sort, "fragment": True}
    return page(request, v, "_comments.html", ctx).decode()


@router.post("/gallery/{post_id}/comment")
async def comment(request: Request, post_id: str) -> Response:
    """A new comment, or a reply (parent: the comment's id)."""
    v, form, subject = await _write(request, post_id)
    svc = services(request)
    made = await svc.comments.create(
        subject, post_id, forms.text(form, "comment"), form.get("parent") or None, platform="desktop"
    )
    if wants_json(request):
        post = await svc.gallery.get(made.post_id)
        return json_answer(
            {
                "id": made.id,
                "parent": made.parent_id,
                "count": post.comment_count,
                "html": _thread_html(request, v, post.id, Thread(made), _sort(form.get("sort"))),
            }
        )
    return see_other(request, v, f"/gallery/{made.post_id}?done=commented#c{made.id}")


async def _comment_of(request: Request, post_id: str, comment_id: str) -> int:
    """The id of a comment on this post (one on another post is not found here)."""
    found = await services(request).comments.find(comment_id)
    if found.post_id != post_id:
        raise CommentNotFound(comment_id)
    return found.id


@router.post("/gallery/{post_id}/comment/{comment_id}/delete")
async def comment_delete(request: Request, post_id: str, comment_id: str) -> Response:
    v, _, subject = await _write(request, post_id)
    svc = services(request)
    number = await _comment_of(request, post_id, comment_id)
    await svc.comments.delete(subject, number)
    if wants_json(request):
        return json_answer({"ok": True, "count": (await svc.gallery.get(post_id)).comment_count})
    return _back(request, v, post_id, "#comments", done="deleted")


@router.post("/gallery/{post_id}/comment/{comment_id}/vote")
async def comment_vote(request: Request, post_id: str, comment_id: str) -> Response:
    v, form, subject = await _write(request, post_id)
    svc = services(request)
    number = await _comment_of(request, post_id, comment_id)
    choice = (form.get("vote") or "").lower()
    await svc.comments.vote(subject, number, choice)
    if wants_json(request):
        now = await svc.comments.find(number)
        return json_answer({"points": now.points, "vote": VOTE_VALUES.get(choice, 0)})
    return _back(request, v, post_id, f"#c{number}")


@router.post("/gallery/{post_id}/report")
async def report(request: Request, post_id: str) -> Response:
    v, form, subject = await _write(request, post_id)
    await services(request).moderation.report_post(subject, post_id, form.get("reason"))
    return _back(request, v, post_id, "#report", done="reported")


@router.post("/gallery/{post_id}/unshare")
async def unshare(request: Request, post_id: str) -> Response:
    """Take the post out of the gallery; back to the image or album, which stays."""
    v, _, subject = await _write(request, post_id)
    svc = services(request)
    post = await svc.gallery.get(post_id)
    await svc.gallery.unshare(subject, post.id)
    return see_other(request, v, f"/a/{post.id}" if post.is_album else f"/{post.id}")


# ------------------------------------------------------------------------------------ sharing


async def _shareable(request: Request, v: Viewer, item_id: str) -> dict[str, Any]:
    """The owner's image or album (an image first, as the API's share looks), with what the share
    form shows of it."""
    svc = services(request)
    subject = _subject(v)
    try:
        image = await svc.images.get(item_id)
        owner_id, title, kind = image.account_id, image.title, "image"
        found_id, item_url, thumb = image.id, f"/{image.id}", f"/{image.id}b.jpg"
    except NotFound:
        album = await svc.albums.get(item_id)
        owner_id, title, kind = album.account_id, album.title, "album"
        found_id, item_url = album.id, f"/a/{album.id}"
        thumb = f"/{album.cover}b.jpg" if album.cover else ""
    if not subject.owns(owner_id):
        raise Forbidden("Only the owner can share this to the gallery")
    assert v.account_id is not None
    account = await svc.accounts.get_by_id(v.account_id)
    post = await svc.gallery.find(found_id)
    tags: list[str] = []
    if post is not None:
        tags = [t.display_name for t in (await svc.gallery.item(subject, post.id)).tags]
    return {
        "item_id": found_id,
        "kind": kind,
        "item_url": item_url,
        "thumb": thumb,
        "post": post,
        "terms_needed": not account.accepted_gallery_terms,
        "values": {
            "title": post.title if post else (title or ""),
            "tags": ", ".join(tags),
            "community": (post.community or "") if post else "",
            "mature": post.mature if post else False,
        },
        "error": "",
    }


@router.get("/share/{item_id}")
async def share_page(request: Request, item_id: str) -> Response:
    v = await viewer(request)
    await signed_in(request)
    return render(request, v, "share.html", await _shareable(request, v, item_id))


@router.post("/share/{item_id}")
async def share(request: Request, item_id: str) -> Response:
    v, form = await submitted(request)
    await signed_in(request)
    svc = services(request)
    ctx = await _shareable(request, v, item_id)
    fields = ShareFields(
        title=forms.text(form, "title"),
        terms=form.get_bool("terms", False),
        mature=form.get_bool("mature", False),
        tags=form.get_list("tags") or (),
        community=form.get("community"),
    )
    try:
        post = await svc.gallery.share(_subject(v), ctx["item_id"], ctx["kind"], fields)
    except (InvalidRequest, TermsNotAccepted) as exc:
        # Said beside the form, which keeps what was typed.
        values = {
            "title": fields.title or "",
            "tags": form.get("tags") or "",
            "community": fields.community or "",
            "mature": fields.mature,
        }
        return render(
            request, v, "share.html", {**ctx, "values": values, "error": exc.public}, status=exc.status
        )
    return see_other(request, v, f"/gallery/{post.id}?done=shared")
