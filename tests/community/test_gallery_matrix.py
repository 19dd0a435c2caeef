"""Who may call which gallery route: sharing, taking out, votes, favourites, gallery items, listings and
the account's gallery rows × every kind of caller (no header, Client-ID, the post's owner, another
account, a token never issued, a banned account, an admin).

Reads are open to every application, a banned account's token included; the likes are the owner's
alone (votes are private, §2.20). Writes need a signed-in account that is not banned; sharing needs the
item's owner; taking a post out needs its owner or an admin. Every cell that writes acts on posts of its
own, and a refused write changes nothing: the post, its votes and its favourites read back the same."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.accounts.helpers import NOT_YOUR_ACCOUNT, User
from tests.community.gallery_helpers import (
    DENIED,
    KINDS,
    READ,
    WRITE,
    caller,
    envelope_error,
    envelope_ok,
    get_post,
    matrix_users,
    share,
    shared_image,
    upload,
    vote,
)
from tests.live import LiveServer

NOT_YOURS = "Permission denied"

OWNER_READ = {**READ, "client": 403, "other": 403, "banned": 403, "admin": 403}
SHARE = {**WRITE, "other": 403, "admin": 403}
UNSHARE = {**WRITE, "other": 403}


@dataclass
class Ctx:
    http: httpx.Client  # no default headers: each cell says who calls
    reader: httpx.Client  # an application's Client-ID, to read back what a cell did
    client_id: str
    users: dict[str, User]
    post: str  # the owner's image post, voted on and favourited by the owner
    album: str  # the owner's album post

    def headers(self, kind: str) -> dict[str, str]:
        return caller(kind, self.client_id, self.users)

    @property
    def owner(self) -> User:
        return self.users["owner"]

    def path(self, template: str, **more: str) -> str:
        return template.format(post=self.post, album=self.album, u=self.owner.name, **more)

    def album_post(self) -> str:
        image = upload(self.reader, self.owner.bearer)
        album = envelope_ok(
            self.reader.post("/3/album", headers=self.owner.bearer, data={"ids[]": [image["id"]]})
        )
        return str(share(self.reader, self.owner, album["id"], "album")["id"])


@pytest.fixture(scope="module")
def ctx(server: LiveServer, session_client: tuple[str, str], http: httpx.Client, reader: httpx.Client) -> Ctx:
    users = matrix_users(server, session_client, "gm")
    post = shared_image(reader, users["owner"])["id"]
    vote(reader, users["owner"], post, "up")
    envelope_ok(reader.post(f"/3/gallery/{post}/favorite", headers=users["owner"].bearer))
    c = Ctx(http, reader, session_client[0], users, post, "")
    c.album = c.album_post()
    return c


def _refused(r: httpx.Response, status: int, kind: str, text: str | None = None) -> None:
    assert envelope_error(r, status)["error"] == DENIED.get(kind, text)


# ---------------------------------------------------------------- reads

READS = (
    "/3/gallery/{post}",
    "/3/gallery/image/{post}",
    "/3/gallery/album/{album}",
    "/3/gallery/{album}",
    "/3/gallery/{post}/votes",
    "/3/gallery/image/{post}/votes",
    "/3/gallery/album/{album}/votes",
    "/3/gallery",
    "/3/gallery/hot",
    "/3/gallery/1",
    "/3/gallery/hot/viral",
    "/3/gallery/hot/viral/0",
    "/3/gallery/top/top/week",
    "/3/gallery/top/top/week/0",
    "/3/gallery/user/rising/0?showViral=false",
    "/3/gallery/user/time/day/0?mature=true&album_previews=true",
    "/3/account/{u}/gallery_profile",
    "/3/account/{u}/submissions",
    "/3/account/{u}/submissions/0",
    "/3/account/{u}/submissions/0/best",
    "/3/account/{u}/submissions/worst/0",
    "/3/account/{u}/gallery_favorites",
    "/3/account/{u}/gallery_favorites/0",
    "/3/account/{u}/gallery_favorites/0/oldest",
)


def _read_as(ctx: Ctx, kind: str, data: Any, path: str) -> None:
    """What a reader sees: the viewer's own vote and favourite, the owner's private fields for the owner."""
    if isinstance(data, dict) and "is_album" in data:
        assert data["id"] in (ctx.post, ctx.album)
        if data["id"] == ctx.post:
            assert data["vote"] == ("up" if kind == "owner" else None)
            assert data["favorite"] is (kind == "owner")
            # The deletehash is the owner's alone.
            assert (data["deletehash"] != "") is (kind == "owner")
    elif "/votes" in path:
        assert set(data) == {"ups", "downs"}
    elif "gallery_profile" in path:
        assert data["total_gallery_submissions"] >= 2 and data["total_gallery_favorites"] == 1
    elif "/submissions" in path:
        assert {ctx.post, ctx.album} <= {i["id"] for i in data}
    elif "/gallery_favorites" in path:
        assert [i["id"] for i in data] == [ctx.post]
    else:
        assert isinstance(data, list)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", READS)
def test_reads(ctx: Ctx, path: str, kind: str) -> None:
    full = ctx.path(path)
    r = ctx.http.get(full, headers=ctx.headers(kind))
    if READ[kind] == 200:
        _read_as(ctx, kind, envelope_ok(r), full)
    else:
        _refused(r, READ[kind], kind)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", ["/3/account/{u}/likes", "/3/account/{u}/likes/0"])
def test_likes_are_the_owners(ctx: Ctx, path: str, kind: str) -> None:
    r = ctx.http.get(ctx.path(path), headers=ctx.headers(kind))
    if OWNER_READ[kind] == 200:
        assert [i["id"] for i in envelope_ok(r)][:1] == [ctx.post]
    else:
        # A banned account still reads: refused here for not being the owner, like any other account.
        text = NOT_YOUR_ACCOUNT if kind in ("other", "banned", "admin") else DENIED[kind]
        assert envelope_error(r, OWNER_READ[kind])["error"] == text


# ---------------------------------------------------------------- sharing and taking out


def _fresh_image(ctx: Ctx) -> str:
    return str(upload(ctx.reader, ctx.owner.bearer)["id"])


def _fresh_album(ctx: Ctx) -> str:
    image = upload(ctx.reader, ctx.owner.bearer)
    return str(
        envelope_ok(ctx.reader.post("/3/album", headers=ctx.owner.bearer, data={"ids[]": [image["id"]]}))[
            "id"
        ]
    )


SHARES: dict[str, tuple[str, Callable[[Ctx], str], str]] = {
    "POST /3/gallery/image/{id}": (
        "/3/gallery/image/{id}",
        _fresh_image,
        "Only the owner can share this image",
    ),
    "POST /3/gallery/album/{id}": (
        "/3/gallery/album/{id}",
        _fresh_album,
        "Only the owner can share this album",
    ),
    "POST /3/gallery/{id} (image)": ("/3/gallery/{id}", _fresh_image, "Only the owner can share this image"),
    "POST /3/gallery/{id} (album)": ("/3/gallery/{id}", _fresh_album, "Only the owner can share this album"),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("route", sorted(SHARES))
def test_share(ctx: Ctx, route: str, kind: str) -> None:
    template, make, not_owner = SHARES[route]
    item = make(ctx)
    r = ctx.http.post(
        template.format(id=item), headers=ctx.headers(kind), data={"title": "matrix", "terms": "1"}
    )
    if SHARE[kind] == 200:
        assert envelope_ok(r) is True
        got = get_post(ctx.reader, {}, item)
        assert got["title"] == "matrix" and got["account_id"] == ctx.owner.id
        return
    _refused(r, SHARE[kind], kind, not_owner)
    envelope_error(ctx.reader.get(f"/3/gallery/{item}"), 404)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("kind_of_post", ["image", "album"])
def test_unshare(ctx: Ctx, kind_of_post: str, kind: str) -> None:
    post = shared_image(ctx.reader, ctx.owner)["id"] if kind_of_post == "image" else ctx.album_post()
    vote(ctx.reader, ctx.users["other"], post, "up")
    r = ctx.http.delete(f"/3/gallery/{post}", headers=ctx.headers(kind))
    if UNSHARE[kind] == 200:
        assert envelope_ok(r) is True
        envelope_error(ctx.reader.get(f"/3/gallery/{post}"), 404)
        return
    _refused(r, UNSHARE[kind], kind, NOT_YOURS)
    got = get_post(ctx.reader, {}, post)
    assert (got["id"], got["ups"]) == (post, 1)


# ---------------------------------------------------------------- votes and favourites

VOTES = ("/3/gallery/{id}/vote/up", "/3/gallery/image/{id}/vote/up", "/3/gallery/album/{id}/vote/up")
FAVORITES = ("/3/gallery/{id}/favorite", "/3/gallery/image/{id}/favorite", "/3/gallery/album/{id}/favorite")


def _post_for(ctx: Ctx, template: str) -> str:
    """A post of the cell's own (of the kind the route names), with one upvote and one favourite."""
    post = ctx.album_post() if "/album/" in template else shared_image(ctx.reader, ctx.owner)["id"]
    vote(ctx.reader, ctx.users["other"], post, "up")
    envelope_ok(ctx.reader.post(f"/3/gallery/{post}/favorite", headers=ctx.users["other"].bearer))
    return post


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("template", VOTES)
def test_vote(ctx: Ctx, template: str, kind: str) -> None:
    post = _post_for(ctx, template)
    voter = ctx.users.get(kind)
    if kind == "other":
        vote(ctx.reader, ctx.users["other"], post, "veto")  # so that its upvote is a change
    before = get_post(ctx.reader, {}, post)
    r = ctx.http.post(template.format(id=post), headers=ctx.headers(kind))
    after = get_post(ctx.reader, {}, post)
    if WRITE[kind] == 200:
        assert envelope_ok(r) is True
        assert (after["ups"], after["downs"]) == (before["ups"] + 1, before["downs"])
        assert voter is not None and get_post(ctx.reader, voter.bearer, post)["vote"] == "up"
        return
    _refused(r, WRITE[kind], kind)
    assert (after["ups"], after["downs"], after["points"]) == (
        before["ups"],
        before["downs"],
        before["points"],
    )
    if voter is not None:
        assert get_post(ctx.reader, voter.bearer, post)["vote"] is None


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("template", FAVORITES)
def test_favorite(ctx: Ctx, template: str, kind: str) -> None:
    post = _post_for(ctx, template)
    before = get_post(ctx.reader, {}, post)["favorite_count"]
    r = ctx.http.post(template.format(id=post), headers=ctx.headers(kind))
    after = get_post(ctx.reader, {}, post)["favorite_count"]
    if WRITE[kind] == 200:
        # The other account favourited it already: its call takes the favourite back.
        expect = "unfavorited" if kind == "other" else "favorited"
        assert envelope_ok(r) == expect
        assert after == before + (-1 if kind == "other" else 1)
        return
    _refused(r, WRITE[kind], kind)
    assert after == before
