"""Who may call which comment route: every comment route × every kind of caller (no header, Client-ID,
the comment's author, another account, a token never issued, a banned account, an admin).

Reads are open to every application; writes need a signed-in account that is not banned; deleting
needs the author or an admin (the account form: the account itself). A refused write changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from tests.accounts.helpers import NOT_YOUR_ACCOUNT, User
from tests.api.helpers import envelope_error, envelope_ok
from tests.community.gallery_helpers import (
    BANNED,
    DENIED,
    KINDS,
    READ,
    WRITE,
    caller,
    matrix_users,
    shared_image,
)
from tests.community.test_comments import comment, get_comment
from tests.live import LiveServer

NOT_AUTHOR = "Only the author of a comment can delete it"

DELETE = {**WRITE, "other": 403}
ACCOUNT_DELETE = {**DELETE, "admin": 403}


@dataclass
class Ctx:
    http: httpx.Client  # no default headers: each cell says who calls
    reader: httpx.Client  # an application's Client-ID, to read back what a cell did
    server: LiveServer
    client_id: str
    users: dict[str, User]
    post: str
    cid: int  # the owner's comment, with a reply
    reply: int

    def headers(self, kind: str) -> dict[str, str]:
        return caller(kind, self.client_id, self.users)

    def path(self, template: str) -> str:
        return template.format(post=self.post, cid=self.cid, u=self.users["owner"].name)

    def fresh(self) -> int:
        """A new comment of the owner's, for a cell that may delete it."""
        return comment(self.reader, self.users["owner"], self.post, "to be deleted, maybe")

    def count(self) -> int:
        return int(envelope_ok(self.reader.get(f"/3/gallery/{self.post}/comments/count")))


@pytest.fixture(scope="module")
def ctx(server: LiveServer, session_client: tuple[str, str], http: httpx.Client, reader: httpx.Client) -> Ctx:
    users = matrix_users(server, session_client, "cm")
    post = shared_image(reader, users["other"])["id"]
    cid = comment(reader, users["owner"], post, "the matrix comment")
    reply = comment(reader, users["other"], post, "a reply to it", parent=cid)
    return Ctx(http, reader, server, session_client[0], users, post, cid, reply)


READS = (
    "/3/comment/{cid}",
    "/3/comment/{cid}/replies",
    "/3/comment/{cid}/replied",
    "/3/gallery/{post}/comments",
    "/3/gallery/{post}/comments/top",
    "/3/gallery/{post}/comments/new/0",
    "/3/gallery/{post}/comments/ids",
    "/3/gallery/{post}/comments/count",
    "/3/gallery/{post}/comment/{cid}",
    "/3/gallery/image/{post}/comments",
    "/3/gallery/image/{post}/comment/{cid}",
    "/3/account/{u}/comments",
    "/3/account/{u}/comments/best/0",
    "/3/account/{u}/comments/ids",
    "/3/account/{u}/comments/ids/oldest/0",
    "/3/account/{u}/comments/count",
    "/3/account/{u}/comment/{cid}",
)


def _refused(r: httpx.Response, status: int, kind: str, text: str | None = None) -> None:
    assert envelope_error(r, status)["error"] == DENIED.get(kind, text)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", READS)
def test_reads(ctx: Ctx, path: str, kind: str) -> None:
    r = ctx.http.get(ctx.path(path), headers=ctx.headers(kind))
    if READ[kind] == 200:
        assert envelope_ok(r) is not None
    else:
        _refused(r, READ[kind], kind)


CREATES = {
    "POST /3/comment": ("/3/comment", {"image_id": "{post}", "comment": "matrix"}),
    "POST /3/comment (reply)": (
        "/3/comment",
        {"image_id": "{post}", "comment": "matrix", "parent_id": "{cid}"},
    ),
    "POST /3/comment/{id}": ("/3/comment/{cid}", {"comment": "matrix reply"}),
    "POST /3/gallery/{id}/comment": ("/3/gallery/{post}/comment", {"comment": "matrix"}),
    "POST /3/gallery/{id}/comment/{cid}": ("/3/gallery/{post}/comment/{cid}", {"comment": "matrix reply"}),
    "POST /3/gallery/image/{id}/comment": ("/3/gallery/image/{post}/comment", {"comment": "matrix"}),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("route", sorted(CREATES))
def test_creates(ctx: Ctx, route: str, kind: str) -> None:
    path, data = CREATES[route]
    before = ctx.count()
    r = ctx.http.post(
        ctx.path(path), headers=ctx.headers(kind), data={k: ctx.path(v) for k, v in data.items()}
    )
    if WRITE[kind] == 200:
        made = envelope_ok(r)
        got = get_comment(ctx.reader, made["id"])
        assert got["author"] == ctx.users[kind].name and got["image_id"] == ctx.post
        assert got["parent_id"] == (ctx.cid if "{cid}" in path or "parent_id" in data else 0)
        assert ctx.count() == before + 1
    else:
        _refused(r, WRITE[kind], kind)
        assert ctx.count() == before


@pytest.mark.parametrize("kind", KINDS)
def test_vote(ctx: Ctx, kind: str) -> None:
    before = get_comment(ctx.reader, ctx.reply)
    r = ctx.http.post(f"/3/comment/{ctx.reply}/vote/up", headers=ctx.headers(kind))
    after = get_comment(ctx.reader, ctx.reply, ctx.headers(kind) if WRITE[kind] == 200 else None)
    if WRITE[kind] == 200:
        assert envelope_ok(r) is True
        assert after["ups"] == before["ups"] + 1 and after["vote"] == "up"
        assert (
            envelope_ok(ctx.http.post(f"/3/comment/{ctx.reply}/vote/veto", headers=ctx.headers(kind))) is True
        )
        assert get_comment(ctx.reader, ctx.reply)["ups"] == before["ups"]
    else:
        _refused(r, WRITE[kind], kind)
        assert after["ups"] == before["ups"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("form", ["/3/comment/{id}", "/3/account/{u}/comment/{id}"])
def test_delete(ctx: Ctx, form: str, kind: str) -> None:
    cid = ctx.fresh()
    before = ctx.count()
    path = form.format(id=cid, u=ctx.users["owner"].name)
    r = ctx.http.delete(path, headers=ctx.headers(kind))
    expect = (ACCOUNT_DELETE if "account" in form else DELETE)[kind]
    if expect == 200:
        assert envelope_ok(r) is True
        envelope_error(ctx.reader.get(f"/3/comment/{cid}"), 404)
        assert ctx.count() == before - 1
        return
    not_theirs = NOT_YOUR_ACCOUNT if "account" in form else NOT_AUTHOR
    # A banned account that is not the author's is refused for being banned or for not being it.
    if kind == "banned" and "account" in form:
        assert envelope_error(r, 403)["error"] in (BANNED, NOT_YOUR_ACCOUNT)
    else:
        _refused(r, expect, kind, not_theirs)
    assert get_comment(ctx.reader, cid)["deleted"] is False
    assert ctx.count() == before
