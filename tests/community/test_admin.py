"""The admin role and the moderation API: who may call each route added for reports and moderation, one
table (no header, Client-ID, the owner of the item, another account, a token never issued, a banned
account, an admin), and what admins do through the ordinary routes.

Each row starts from a fresh owner with an image post, an album post, a comment and an open report of
the post by a third account. The refused cells run first, each followed by a check that nothing
changed; the accepted ones follow, each checked for what it did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.accounts.helpers import INVALID_TOKEN, User, db_rows, make_user
from tests.community.moderation_helpers import (
    BANNED,
    NEEDS_ADMIN,
    NEEDS_USER,
    REPORT_KEYS,
    ban_via_cli,
    comment_on,
    envelope_error,
    envelope_ok,
    new_admin,
    reported,
    reports_of,
    shared_album,
    shared_image,
)
from tests.live import LiveServer

KINDS = ("none", "client", "owner", "other", "invalid", "banned", "admin")
BOGUS = {"Authorization": "Bearer 0123456789abcdef0123456789abcdef01234567"}
REPORTERS = {
    "none": 401,
    "client": 403,
    "owner": 200,
    "other": 200,
    "invalid": 403,
    "banned": 403,
    "admin": 200,
}
ADMINS = {"none": 401, "client": 403, "owner": 403, "other": 403, "invalid": 403, "banned": 403, "admin": 200}


@dataclass
class World:
    server: LiveServer
    creds: tuple[str, str]
    other: User
    banned: User
    admin: User
    reporter: User


@dataclass
class Row:
    """What one row of the table starts from."""

    owner: User
    post: str
    album: str
    comment: int
    report: int

    def path(self, template: str) -> str:
        return template.format(
            post=self.post, album=self.album, comment=self.comment, report=self.report, owner=self.owner.name
        )


@pytest.fixture(scope="module")
def world(server: LiveServer, session_client: tuple[str, str]) -> World:
    banned = make_user(server, session_client, prefix="mxb")
    ban_via_cli(server, banned.name)
    return World(
        server=server,
        creds=session_client,
        other=make_user(server, session_client, prefix="mxo"),
        banned=banned,
        admin=new_admin(server, session_client, prefix="mxa"),
        reporter=make_user(server, session_client, prefix="mxr"),
    )


def headers(world: World, row: Row, kind: str) -> dict[str, str]:
    return {
        "none": {},
        "client": {"Authorization": f"Client-ID {world.creds[0]}"},
        "owner": row.owner.bearer,
        "other": world.other.bearer,
        "invalid": BOGUS,
        "banned": world.banned.bearer,
        "admin": world.admin.bearer,
    }[kind]


def refusal(route: Route, kind: str) -> str:
    method = route.method
    if kind == "none":
        return "Authentication required"
    if kind == "client":
        return NEEDS_USER
    if kind == "invalid":
        return INVALID_TOKEN
    if (kind == "banned" or kind == "owner" and route.banned_owner) and method != "GET":
        return BANNED
    return NEEDS_ADMIN


def caller(world: World, row: Row, kind: str) -> str | None:
    return {"owner": row.owner.name, "other": world.other.name, "admin": world.admin.name}.get(kind)


# ------------------------------------------------------------------------------- checks per row


def report_names(
    http: httpx.Client, world: World, *, post: str | None = None, comment: int | None = None
) -> list[str]:
    return sorted(r["reporter"] for r in reports_of(http, world.admin, post=post, comment=comment))


def banned_flag(world: World, user: User) -> bool:
    return bool(db_rows(world.server, "SELECT banned FROM accounts WHERE id = ?", (user.id,))[0][0])


Check = Callable[[httpx.Client, World, Row, list[str]], None]


def reports_on(target: str) -> Check:
    """The item's reporters: the setup's reporter, then each caller accepted so far."""

    def check(http: httpx.Client, world: World, row: Row, accepted: list[str]) -> None:
        if target == "comment":
            found = report_names(http, world, comment=row.comment)
            assert found == sorted(accepted), found
        else:
            post = row.album if target == "album" else row.post
            found = report_names(http, world, post=post)
            assert found == sorted([world.reporter.name] * (post == row.post) + accepted), found

    return check


def report_open(http: httpx.Client, world: World, row: Row, accepted: list[str]) -> None:
    status = [r["status"] for r in reports_of(http, world.admin, post=row.post)]
    assert status == (["resolved"] if accepted else ["open"]), status


def post_there(http: httpx.Client, world: World, row: Row, accepted: list[str]) -> None:
    r = http.get(f"/3/gallery/{row.post}", headers=world.other.bearer)
    assert r.status_code == (404 if accepted else 200), r.text


def comment_there(http: httpx.Client, world: World, row: Row, accepted: list[str]) -> None:
    r = http.get(f"/3/comment/{row.comment}", headers=world.other.bearer)
    assert r.status_code == (404 if accepted else 200), r.text


def owner_banned(expected_before: bool) -> Check:
    def check(http: httpx.Client, world: World, row: Row, accepted: list[str]) -> None:
        assert banned_flag(world, row.owner) is (expected_before != bool(accepted))

    return check


def nothing(http: httpx.Client, world: World, row: Row, accepted: list[str]) -> None:
    pass


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    expect: dict[str, int]
    check: Check = nothing
    data: dict[str, str] | None = None
    banned_owner: bool = False
    answer: Callable[[Any, Row], None] | None = None


def one_report(data: Any, row: Row) -> None:
    assert set(data) == REPORT_KEYS and data["id"] == row.report and data["post_id"] == row.post, data


def some_reports(data: Any, row: Row) -> None:
    assert isinstance(data, list) and all(set(r) == REPORT_KEYS for r in data), data


ROUTES = [
    Route("POST", "/3/gallery/{post}/report", REPORTERS, reports_on("post"), {"reason": "2"}),
    Route("POST", "/3/gallery/image/{post}/report", REPORTERS, reports_on("post"), {"reason": "3"}),
    Route("POST", "/3/gallery/album/{album}/report", REPORTERS, reports_on("album"), {"reason": "4"}),
    Route("POST", "/3/comment/{comment}/report", REPORTERS, reports_on("comment"), {"reason": "1"}),
    Route("GET", "/3/admin/reports", ADMINS, answer=some_reports),
    Route("GET", "/3/admin/reports?status=all&page=0", ADMINS, answer=some_reports),
    Route("GET", "/3/admin/reports/{report}", ADMINS, answer=one_report),
    Route("POST", "/3/admin/reports/{report}/resolve", ADMINS, report_open, {"resolution": "dismiss"}),
    Route("DELETE", "/3/admin/post/{post}", ADMINS, post_there),
    Route("DELETE", "/3/admin/comment/{comment}", ADMINS, comment_there),
    Route("POST", "/3/admin/account/{owner}/ban", ADMINS, owner_banned(False)),
    Route("POST", "/3/admin/account/{owner}/unban", ADMINS, owner_banned(True), banned_owner=True),
]


def fresh_row(http: httpx.Client, world: World, *, banned: bool) -> Row:
    owner = make_user(world.server, world.creds, prefix="mxw")
    post = shared_image(http, owner)["id"]
    album = shared_album(http, owner)["id"]
    comment = comment_on(http, owner, post)
    reported(http, world.reporter, f"/3/gallery/{post}/report", 5)
    report = reports_of(http, world.admin, post=post)[0]["id"]
    if banned:
        assert (
            envelope_ok(http.post(f"/3/admin/account/{owner.name}/ban", headers=world.admin.bearer)) is True
        )
    return Row(owner=owner, post=post, album=album, comment=comment, report=report)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_who_may_call_what(http: httpx.Client, world: World, route: Route) -> None:
    row = fresh_row(http, world, banned=route.banned_owner)
    path = row.path(route.path)
    refused = [k for k in KINDS if route.expect[k] != 200]
    accepted_kinds = [k for k in KINDS if route.expect[k] == 200]
    accepted: list[str] = []
    for kind in refused + accepted_kinds:
        r = http.request(route.method, path, headers=headers(world, row, kind), data=route.data)
        status = route.expect[kind]
        if status == 200:
            data = envelope_ok(r)
            if route.answer is not None:
                route.answer(data, row)
            accepted.append(caller(world, row, kind) or kind)
        else:
            err = envelope_error(r, status)
            assert err == {
                "error": refusal(route, kind),
                "request": path.split("?")[0],
                "method": route.method,
            }
        route.check(http, world, row, accepted)


# ------------------------------------------------------------------------------------ the role


def test_the_admin_role_comes_and_goes_with_the_cli(
    server: LiveServer, session_client: tuple[str, str], http: httpx.Client
) -> None:
    user = make_user(server, session_client, prefix="role")

    def role() -> str:
        return str(db_rows(server, "SELECT role FROM accounts WHERE id = ?", (user.id,))[0][0])

    assert envelope_error(http.get("/3/admin/reports", headers=user.bearer), 403)["error"] == NEEDS_ADMIN
    out = server.cli("user", "admin", user.name)
    assert out.stdout.strip() == f"imghost: {user.name} is now an admin"
    assert role() == "admin"
    assert isinstance(envelope_ok(http.get("/3/admin/reports", headers=user.bearer)), list)
    out = server.cli("user", "admin", user.name, "--revoke")
    assert out.stdout.strip() == f"imghost: {user.name} is no longer an admin"
    assert role() == "user"
    assert envelope_error(http.get("/3/admin/reports", headers=user.bearer), 403)["error"] == NEEDS_ADMIN


def test_admins_unshare_and_delete_through_the_ordinary_routes(http: httpx.Client, world: World) -> None:
    owner = make_user(world.server, world.creds, prefix="ord")
    post = shared_image(http, owner)["id"]
    comment = comment_on(http, owner, post)
    # Someone else may not.
    assert envelope_error(http.delete(f"/3/gallery/{post}", headers=world.other.bearer), 403)
    assert envelope_error(http.delete(f"/3/comment/{comment}", headers=world.other.bearer), 403)
    assert envelope_ok(http.delete(f"/3/comment/{comment}", headers=world.admin.bearer)) is True
    assert envelope_error(http.get(f"/3/comment/{comment}", headers=world.other.bearer), 404)
    assert envelope_ok(http.delete(f"/3/gallery/{post}", headers=world.admin.bearer)) is True
    assert envelope_error(http.get(f"/3/gallery/{post}", headers=world.other.bearer), 404)
    assert envelope_ok(http.get(f"/3/image/{post}", headers=world.other.bearer))["in_gallery"] is False


def test_the_queue_by_status_and_page(http: httpx.Client, world: World) -> None:
    owner = make_user(world.server, world.creds, prefix="que")
    kept, dismissed = shared_image(http, owner)["id"], shared_image(http, owner)["id"]
    for post in (kept, dismissed):
        reported(http, world.reporter, f"/3/gallery/{post}/report", 2)
    rid = reports_of(http, world.admin, post=dismissed)[0]["id"]
    r = http.post(
        f"/3/admin/reports/{rid}/resolve", headers=world.admin.bearer, data={"resolution": "dismiss"}
    )
    assert envelope_ok(r) == 1
    h = world.admin.bearer

    def pages(status: str | None) -> list[dict[str, Any]]:
        rows, page = [], 0
        while True:
            params = {"page": str(page)} if status is None else {"page": str(page), "status": status}
            got = envelope_ok(http.get("/3/admin/reports", headers=h, params=params))
            rows += got
            if not got:
                return rows
            page += 1

    open_ids = {r["id"] for r in pages("open")}
    resolved_ids = {r["id"] for r in pages("resolved")}
    all_rows = pages("all")
    assert {r["id"] for r in pages(None)} == {r["id"] for r in pages("nonsense")} == open_ids
    assert open_ids.isdisjoint(resolved_ids) and {r["id"] for r in all_rows} == open_ids | resolved_ids
    assert rid in resolved_ids and reports_of(http, world.admin, post=kept)[0]["id"] in open_ids
    # Resolved and all come newest first.
    assert [r["id"] for r in all_rows] == sorted((r["id"] for r in all_rows), reverse=True)
    assert envelope_ok(http.get("/3/admin/reports", headers=h, params={"page": "100000"})) == []
    assert envelope_ok(http.get("/3/admin/reports", headers=h, params={"page": "abc"})) == envelope_ok(
        http.get("/3/admin/reports", headers=h)
    )


def test_removing_what_is_not_there(http: httpx.Client, world: World) -> None:
    h = world.admin.bearer
    cases = [
        ("DELETE", "/3/admin/post/nosuch1", 404, "Unable to find a gallery item with the id, nosuch1"),
        (
            "DELETE",
            "/3/admin/comment/987654321987",
            404,
            "Unable to find a comment with the id, 987654321987",
        ),
        ("DELETE", "/3/admin/comment/abc", 404, "Unable to find a comment with the id, abc"),
        ("GET", "/3/admin/reports/987654321", 404, "Unable to find a report with the id, 987654321"),
        ("GET", "/3/admin/reports/x", 404, "Unable to find a report with the id, x"),
        (
            "POST",
            "/3/admin/account/nosuchname3/unban",
            404,
            "Unable to find an account with the username, nosuchname3",
        ),
    ]
    for method, path, status, message in cases:
        assert envelope_error(http.request(method, path, headers=h), status)["error"] == message, path
