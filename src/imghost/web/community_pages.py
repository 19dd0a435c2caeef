"""The community's pages beside the gallery's own: a tag (/t/{tag}), a community (/r/{name}), search
(/search: the API's query syntax, and its advanced fields as a form) and the admins' moderation queue
(/admin/reports), with the forms they post (following a tag; dismissing, removing, banning and
unbanning).

Sorts and windows come as query parameters (?sort=top&window=week&page=2); odd values fall back to
the defaults, as the API's listings do. Whether a listing has a next page is asked of the listing
itself (one post past this page), so that "Older" never leads to an empty page."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.auth import Subject
from imghost.domain.gallery.items import GalleryItem
from imghost.domain.gallery.model import Listing
from imghost.domain.gallery.ranking import WINDOWS
from imghost.domain.gallery.service import community_name
from imghost.domain.moderation.repository import REASONS, Report
from imghost.domain.search.service import SearchRequest
from imghost.domain.tags.model import tag_name
from imghost.errors import AccountNotFound, InvalidRequest, InvalidSearch, NotFollowingTag
from imghost.services import Services
from imghost.web.forms import see_other, submitted
from imghost.web.gallery_pages import EAGER, card
from imghost.web.templating import render
from imghost.web.viewer import Viewer, services, signed_in, viewer

router = APIRouter(include_in_schema=False)

PER_PAGE = 30
MAX_PAGE = 10_000
SORT_NAMES = {"viral": "Popular", "top": "Top", "time": "Newest"}
WINDOW_NAMES = {"day": "Day", "week": "Week", "month": "Month", "year": "Year", "all": "All time"}
ADMIN_NOTICES = {
    "dismissed": "Dismissed: the item stays, and shows in listings again.",
    "removed": "Removed: a post leaves the gallery (its image or album stays), a comment is deleted.",
    "banned": "Banned: the account can still read, but can no longer post, comment or vote.",
    "unbanned": "The ban is lifted.",
}


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    href: str
    current: bool


@dataclass(frozen=True, slots=True)
class Order:
    """A listing page's sort, window and page, read from its query."""

    sort: str
    window: str
    page: int

    def listing(self) -> Listing:
        return Listing(sort=self.sort, window=self.window, page=self.page, per_page=PER_PAGE)


def subject_of(v: Viewer) -> Subject:
    return Subject(client_id=None, account_id=v.account_id, username=v.username)


def page_number(value: str | None) -> int:
    return (
        min(int(value), MAX_PAGE) if value and value.isascii() and value.isdigit() and len(value) < 7 else 0
    )


def read_order(request: Request, sorts: Sequence[str], *, sort: str, window: str) -> Order:
    q = request.query_params
    wanted_sort = (q.get("sort") or "").lower()
    wanted_window = (q.get("window") or "").lower()
    return Order(
        sort=wanted_sort if wanted_sort in sorts else sort,
        window=wanted_window if wanted_window in WINDOWS else window,
        page=page_number(q.get("page")),
    )


def _href(base: str, params: Mapping[str, str]) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{base}?{query}" if query else base


def order_links(
    base: str, order: Order, sorts: Sequence[str], keep: Mapping[str, str] | None = None
) -> tuple[list[Link], list[Link]]:
    """The sort links and (for top) the window links of a listing page; other parameters kept."""
    keep = dict(keep or {})
    sort_links = [Link(SORT_NAMES[s], _href(base, {**keep, "sort": s}), s == order.sort) for s in sorts]
    window_links = []
    if order.sort == "top":
        window_links = [
            Link(label, _href(base, {**keep, "sort": "top", "window": w}), w == order.window)
            for w, label in WINDOW_NAMES.items()
        ]
    return sort_links, window_links


def pager_query(order: Order, keep: Mapping[str, str] | None = None) -> str:
    """What the pager's links keep besides the page ("sort=top&window=week&")."""
    query = urlencode(
        {k: v for k, v in {**(keep or {}), "sort": order.sort, "window": order.window}.items() if v}
    )
    return query + "&"


async def more_after(svc: Services, q: Listing) -> bool:
    """Whether the listing has a post past this page: one row asked for, at the next page's offset."""
    probe = dataclasses.replace(q, page=(q.page + 1) * q.per_page, per_page=1)
    return bool(await svc.gallery.listing(probe))


# ---------------------------------------------------------------------------------------- tags

TAG_SORTS = ("viral", "top", "time")


@router.get("/t/{tag}")
async def tag_page(request: Request, tag: str) -> Response:
    v = await viewer(request)
    svc = services(request)
    order = read_order(request, TAG_SORTS, sort="viral", window="week")
    found, items = await svc.tags.page(subject_of(v), tag, order.listing())
    base = _tag_url(found.name)
    sorts, windows = order_links(base, order, TAG_SORTS)
    ctx = {
        "tag": found,
        "base": base,
        "cards": [card(i) for i in items],
        "eager": EAGER,
        "sorts": sorts,
        "windows": windows,
        "page": order.page,
        "has_next": await more_after(svc, dataclasses.replace(order.listing(), tag=found.name)),
        "pager_query": pager_query(order),
    }
    return render(request, v, "tag.html", ctx)


@router.post("/t/{tag}/follow")
async def follow_tag(request: Request, tag: str) -> Response:
    v, _ = await submitted(request)
    await signed_in(request)
    svc = services(request)
    await svc.tags.follow(subject_of(v), tag)
    return see_other(request, v, _tag_url(tag))


@router.post("/t/{tag}/unfollow")
async def unfollow_tag(request: Request, tag: str) -> Response:
    v, _ = await submitted(request)
    await signed_in(request)
    svc = services(request)
    try:
        await svc.tags.unfollow(subject_of(v), tag)
    except NotFollowingTag:
        pass  # a second click of the same button: what the person wanted is already so
    return see_other(request, v, _tag_url(tag))


def _tag_url(raw: str) -> str:
    parsed = tag_name(raw)
    return "/t/" + quote(parsed[0] if parsed else raw, safe="")


# --------------------------------------------------------------------------------- communities

COMMUNITY_SORTS = ("time", "top")


@router.get("/r/{community}")
async def community_page(request: Request, community: str) -> Response:
    v = await viewer(request)
    svc = services(request)
    try:
        name = community_name(community)
    except InvalidRequest:
        name = None
    order = read_order(request, COMMUNITY_SORTS, sort="time", window="week")
    # An unknown community is an empty one, as the API answers it: communities exist through posts.
    items = await svc.communities.page(subject_of(v), community, order.listing()) if name else []
    base = "/r/" + quote(name or community.strip(), safe="")
    sorts, windows = order_links(base, order, COMMUNITY_SORTS)
    more = bool(name) and await more_after(svc, dataclasses.replace(order.listing(), community=name))
    ctx = {
        "name": name or community,
        "base": base,
        "cards": [card(i) for i in items],
        "eager": EAGER,
        "sorts": sorts,
        "windows": windows,
        "page": order.page,
        "has_next": more,
        "pager_query": pager_query(order),
    }
    return render(request, v, "community.html", ctx)


# ------------------------------------------------------------------------------------------ search

SEARCH_SORTS = ("time", "viral", "top")
# The search fields a page keeps in its links and form: q and the API's advanced ones.
SEARCH_FIELDS = ("q", "q_all", "q_any", "q_exactly", "q_not", "q_type", "q_size_px")
ADVANCED = SEARCH_FIELDS[1:]
TYPES = (
    ("", "Any"),
    ("jpg", "JPEG"),
    ("png", "PNG"),
    ("gif", "GIF"),
    ("anigif", "Animated GIF"),
    ("album", "Album"),
)
SIZES = (
    ("", "Any"),
    ("small", "Small (up to 500 px)"),
    ("med", "Medium (501–2,000 px)"),
    ("big", "Big (2,001–5,000 px)"),
    ("lrg", "Large (5,001–9,999 px)"),
    ("huge", "Huge (10,000 px and more)"),
)


def _search_request(fields: Mapping[str, str], order: Order) -> SearchRequest:
    return SearchRequest(
        q=fields["q"] or None,
        q_all=fields["q_all"] or None,
        q_any=fields["q_any"] or None,
        q_exactly=fields["q_exactly"] or None,
        q_not=fields["q_not"] or None,
        q_type=fields["q_type"] or None,
        q_size_px=fields["q_size_px"] or None,
        sort=order.sort,
        window=order.window,
        page=order.page,
    )


@router.get("/search")
async def search_page(request: Request) -> Response:
    v = await viewer(request)
    svc = services(request)
    order = read_order(request, SEARCH_SORTS, sort="time", window="all")
    fields = {f: (request.query_params.get(f) or "").strip() for f in SEARCH_FIELDS}
    asked = any(fields.values())
    cards, error = [], ""
    if asked:
        try:
            found = await svc.search.search(subject_of(v), _search_request(fields, order))
            cards = [card(i) for i in found]
        except InvalidSearch as exc:
            error = exc.public
    sorts, windows = order_links("/search", order, SEARCH_SORTS, fields) if asked else ([], [])
    ctx = {
        "fields": fields,
        "asked": asked,
        "advanced": any(fields[f] for f in ADVANCED),
        "error": error,
        "cards": cards,
        "eager": EAGER,
        "sorts": sorts,
        "windows": windows,
        "order": order,
        "types": TYPES,
        "sizes": SIZES,
        "page": order.page,
        # A full page may have more after it: the search is not run twice to find out.
        "has_next": len(cards) >= svc.search.per_page,
        "pager_query": pager_query(order, fields),
    }
    return render(request, v, "search.html", ctx, status=400 if error else 200)


# ------------------------------------------------------------------------------------- moderation


@dataclass
class Reported:
    """One reported post or comment as the queue shows it: its open reports on this page together."""

    kind: str
    first: Report  # the oldest open report: the one the buttons resolve (resolving closes them all)
    item: GalleryItem | None  # the post (or the post the comment is on), while it is in the gallery
    reports: list[Report] = dataclasses.field(default_factory=list)
    author_banned: bool | None = None  # None: no account to ban (gone, or no author)

    @property
    def reasons(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for r in self.reports:
            name = REASONS.get(r.reason, str(r.reason))
            counts[name] = counts.get(name, 0) + 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    @property
    def reporters(self) -> list[str]:
        return sorted({r.reporter for r in self.reports})


async def _admin(request: Request) -> tuple[Viewer, Subject]:
    """An admin's page: visitors go to sign in first, everyone else who is not an admin gets a 403."""
    await signed_in(request)
    v = await viewer(request)
    subject = subject_of(v)
    await services(request).moderation.admin(subject)
    return v, subject


async def _reported(svc: Services, subject: Subject, reports: list[Report]) -> list[Reported]:
    """The page's reports grouped by what they report, in queue order, with the posts to show."""
    groups: dict[tuple[str, str], Reported] = {}
    for r in reports:
        key = (r.kind, str(r.item))
        if key not in groups:
            groups[key] = Reported(kind=r.kind, first=r, item=None)
        groups[key].reports.append(r)
    post_ids = sorted({r.post_id for r in reports if r.post_id})
    posts = await svc.gallery.many(post_ids)
    shown = {
        i.post.id: i for i in await svc.gallery.items(subject, [posts[p] for p in post_ids if p in posts])
    }
    banned: dict[str, bool | None] = {}
    for name in sorted({r.item_author for r in reports if r.item_author}):
        try:
            banned[name] = (await svc.accounts.get(name)).banned
        except AccountNotFound:
            banned[name] = None
    for g in groups.values():
        g.item = shown.get(g.first.post_id or "")
        g.author_banned = banned.get(g.first.item_author or "")
    return list(groups.values())


@router.get("/admin/reports")
async def reports_page(request: Request) -> Response:
    v, subject = await _admin(request)
    svc = services(request)
    page = page_number(request.query_params.get("page"))
    reports = await svc.moderation.queue(status="open", page=page)
    following = await svc.moderation.queue(status="open", page=page + 1) if reports else []
    ctx = {
        "groups": await _reported(svc, subject, reports),
        "page": page,
        "has_next": bool(following),
        "message": ADMIN_NOTICES.get(request.query_params.get("done", ""), ""),
    }
    return render(request, v, "admin_reports.html", ctx)


def _back(page: str | None, done: str) -> str:
    number = page_number(page)
    return f"/admin/reports?done={done}" + (f"&page={number}" if number else "")


@router.post("/admin/reports/{report_id}/resolve")
async def resolve_report(request: Request, report_id: str) -> Response:
    v, form = await submitted(request)
    await signed_in(request)
    svc = services(request)
    actor = await svc.moderation.admin(subject_of(v))
    resolution = (form.get("resolution") or "").strip().lower()
    await svc.moderation.resolve(actor, report_id, resolution)
    return see_other(
        request, v, _back(form.get("page"), "removed" if resolution == "remove" else "dismissed")
    )


@router.post("/admin/accounts/{username}/ban")
async def ban_account(request: Request, username: str) -> Response:
    v, form = await submitted(request)
    await signed_in(request)
    svc = services(request)
    actor = await svc.moderation.admin(subject_of(v))
    await svc.moderation.ban(actor, username)
    return see_other(request, v, _back(form.get("page"), "banned"))


@router.post("/admin/accounts/{username}/unban")
async def unban_account(request: Request, username: str) -> Response:
    v, form = await submitted(request)
    await signed_in(request)
    svc = services(request)
    actor = await svc.moderation.admin(subject_of(v))
    await svc.moderation.unban(actor, username)
    return see_other(request, v, _back(form.get("page"), "unbanned"))
