"""Bans: a banned account's token still reads, and every write it sends to /3 is refused with 403 "This
account is banned from posting", whatever the route; its web session reads pages and its forms are
refused. Bans come from the operator's CLI (`imghost user ban|unban`) or an admin's API call."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.accounts.helpers import Browser, User, db_rows, make_user, new_token, parse_page
from tests.api.helpers import unique_png
from tests.community.moderation_helpers import (
    BANNED,
    ban_via_cli,
    comment_on,
    envelope_error,
    envelope_ok,
    new_admin,
    reported,
    reports_of,
    shared_image,
    unban_via_cli,
    upload,
)
from tests.live import LiveServer


@pytest.fixture
def person(server: LiveServer, session_client: tuple[str, str]) -> Callable[[str], User]:
    return lambda prefix="u": make_user(server, session_client, prefix=prefix)


@pytest.fixture(scope="module")
def admin(server: LiveServer, session_client: tuple[str, str]) -> User:
    return new_admin(server, session_client)


def banned_flag(server: LiveServer, user: User) -> bool:
    return bool(db_rows(server, "SELECT banned FROM accounts WHERE id = ?", (user.id,))[0][0])


def writes(http: httpx.Client, who: User, world: dict[str, Any]) -> dict[str, httpx.Response]:
    """One of every kind of write an account makes, sent with who's token."""
    h = who.bearer
    own, post, cid, album = world["own_image"], world["post"], world["comment"], world["album"]
    return {
        "upload": http.post("/3/upload", headers=h, files={"image": ("a.png", world["png"])}),
        "image form": http.post("/3/image", headers=h, data={"image": world["b64"], "type": "base64"}),
        "image update": http.post(f"/3/image/{own}", headers=h, data={"title": "changed"}),
        "image delete": http.delete(f"/3/image/{own}", headers=h),
        "image favourite": http.post(f"/3/image/{post}/favorite", headers=h),
        "album create": http.post("/3/album", headers=h, data={"title": "new album"}),
        "album update": http.put(f"/3/album/{album}", headers=h, data={"title": "changed"}),
        "share": http.post(f"/3/gallery/image/{own}", headers=h, data={"title": "share", "terms": "1"}),
        "share old": http.post(f"/3/gallery/{own}", headers=h, data={"title": "share", "terms": "1"}),
        "unshare": http.delete(f"/3/gallery/{world['own_post']}", headers=h),
        "vote": http.post(f"/3/gallery/{post}/vote/up", headers=h),
        "vote image": http.post(f"/3/gallery/image/{post}/vote/down", headers=h),
        "gallery favourite": http.post(f"/3/gallery/{post}/favorite", headers=h),
        "comment": http.post("/3/comment", headers=h, data={"image_id": post, "comment": "hello"}),
        "gallery comment": http.post(f"/3/gallery/{post}/comment", headers=h, data={"comment": "hello"}),
        "reply": http.post(f"/3/comment/{cid}", headers=h, data={"image_id": post, "comment": "reply"}),
        "comment vote": http.post(f"/3/comment/{cid}/vote/up", headers=h),
        "report": http.post(f"/3/gallery/{post}/report", headers=h, data={"reason": "2"}),
        "report image": http.post(f"/3/gallery/image/{post}/report", headers=h, data={"reason": "2"}),
        "report comment": http.post(f"/3/comment/{cid}/report", headers=h, data={"reason": "2"}),
        "settings": http.put(f"/3/account/{who.name}/settings", headers=h, data={"bio": "changed"}),
        "tags": http.post(f"/3/gallery/tags/{world['own_post']}", headers=h, data={"tags": "cats"}),
        "account delete": http.delete(f"/3/account/{who.name}", headers=h),
    }


def reads(http: httpx.Client, who: User, world: dict[str, Any]) -> dict[str, httpx.Response]:
    h = who.bearer
    return {
        "image": http.get(f"/3/image/{world['own_image']}", headers=h),
        "account": http.get(f"/3/account/{who.name}", headers=h),
        "me": http.get("/3/account/me", headers=h),
        "settings": http.get("/3/account/me/settings", headers=h),
        "images": http.get("/3/account/me/images", headers=h),
        "album": http.get(f"/3/album/{world['album']}", headers=h),
        "post": http.get(f"/3/gallery/{world['post']}", headers=h),
        "listing": http.get("/3/gallery/hot/viral/day", headers=h),
        "comments": http.get(f"/3/gallery/{world['post']}/comments", headers=h),
        "comment": http.get(f"/3/comment/{world['comment']}", headers=h),
        "votes": http.get(f"/3/gallery/{world['post']}/votes", headers=h),
        "credits": http.get("/3/credits", headers=h),
    }


@pytest.fixture
def world(http: httpx.Client, person: Callable[[str], User]) -> dict[str, Any]:
    """Someone about to be banned, with an image, an album and a post of theirs, and someone else's post
    and comment to vote on, comment on and report."""
    target, other = person("ban"), person("oth")
    own_image = upload(http, target.bearer)["id"]
    album = envelope_ok(
        http.post("/3/album", headers=target.bearer, data={"ids[]": [own_image], "title": "kept"})
    )
    own_post = shared_image(http, target)["id"]
    post = shared_image(http, other)["id"]
    png = unique_png()
    return {
        "target": target,
        "other": other,
        "own_image": own_image,
        "album": album["id"],
        "own_post": own_post,
        "post": post,
        "comment": comment_on(http, other, post),
        "png": png,
        "b64": base64.b64encode(unique_png()).decode(),
    }


def snapshot(http: httpx.Client, world: dict[str, Any]) -> dict[str, Any]:
    """What the writes above would change, read with the other account's token."""
    h, target = world["other"].bearer, world["target"]
    post = envelope_ok(http.get(f"/3/gallery/{world['post']}", headers=h))
    comment = envelope_ok(http.get(f"/3/comment/{world['comment']}", headers=h))
    return {
        "image": envelope_ok(http.get(f"/3/image/{world['own_image']}", headers=h))["title"],
        "album": envelope_ok(http.get(f"/3/album/{world['album']}", headers=h))["title"],
        "own post": envelope_ok(http.get(f"/3/gallery/{world['own_post']}", headers=h))["title"],
        "post": (post["ups"], post["downs"], post["comment_count"], post["favorite_count"]),
        "comment": (comment["ups"], comment["downs"], len(comment["children"])),
        "account": envelope_ok(http.get(f"/3/account/{target.name}", headers=h))["bio"],
        "images": envelope_ok(http.get("/3/account/me/images/count", headers=target.bearer)),
    }


def test_a_banned_token_reads_and_cannot_write(
    server: LiveServer, http: httpx.Client, world: dict[str, Any], admin: User
) -> None:
    target = world["target"]
    before = snapshot(http, world)
    ban_via_cli(server, target.name)
    assert banned_flag(server, target) is True
    for name, r in writes(http, target, world).items():
        err = envelope_error(r, 403)
        assert err["error"] == BANNED, (name, err)
    assert snapshot(http, world) == before
    assert reports_of(http, admin, post=world["post"]) == []
    for name, r in reads(http, target, world).items():
        assert r.status_code == 200, (name, r.text)


def test_unbanned_the_account_writes_again(
    server: LiveServer, http: httpx.Client, world: dict[str, Any]
) -> None:
    target, post = world["target"], world["post"]
    ban_via_cli(server, target.name)
    assert (
        envelope_error(http.post(f"/3/gallery/{post}/vote/up", headers=target.bearer), 403)["error"] == BANNED
    )
    unban_via_cli(server, target.name)
    assert banned_flag(server, target) is False
    upload(http, target.bearer)
    assert envelope_ok(http.post(f"/3/gallery/{post}/vote/up", headers=target.bearer)) is True
    assert envelope_ok(http.get(f"/3/gallery/{post}/votes", headers=target.bearer))["ups"] == 1
    comment_on(http, target, post)


def test_a_token_issued_after_the_ban_only_reads(
    server: LiveServer, session_client: tuple[str, str], http: httpx.Client, person: Callable[[str], User]
) -> None:
    target = person("late")
    ban_via_cli(server, target.name)
    token = new_token(server, session_client, target)["access_token"]
    h = {"Authorization": f"Bearer {token}"}
    assert envelope_ok(http.get("/3/account/me", headers=h))["url"] == target.name
    r = http.post("/3/upload", headers=h, files={"image": ("a.png", b"\x89PNG")})
    assert envelope_error(r, 403)["error"] == BANNED


def test_an_admin_bans_and_unbans_through_the_api(
    server: LiveServer, http: httpx.Client, world: dict[str, Any], admin: User
) -> None:
    target, post = world["target"], world["post"]
    assert envelope_ok(http.post(f"/3/admin/account/{target.name}/ban", headers=admin.bearer)) is True
    assert banned_flag(server, target) is True
    assert (
        envelope_error(http.post(f"/3/gallery/{post}/report", headers=target.bearer), 403)["error"] == BANNED
    )
    assert envelope_ok(http.get(f"/3/gallery/{post}", headers=target.bearer))["id"] == post
    # Banning twice is still banned; unbanning twice is still unbanned.
    assert envelope_ok(http.post(f"/3/admin/account/{target.name}/ban", headers=admin.bearer)) is True
    assert envelope_ok(http.post(f"/3/admin/account/{target.name}/unban", headers=admin.bearer)) is True
    assert envelope_ok(http.post(f"/3/admin/account/{target.name}/unban", headers=admin.bearer)) is True
    assert banned_flag(server, target) is False
    reported(http, target, f"/3/gallery/{post}/report", 2)


def test_admins_are_not_banned_by_admins(
    server: LiveServer, session_client: tuple[str, str], http: httpx.Client, admin: User
) -> None:
    second = new_admin(server, session_client, prefix="adb")
    r = http.post(f"/3/admin/account/{admin.name}/ban", headers=admin.bearer)
    assert envelope_error(r, 400)["error"] == "You cannot ban yourself"
    r = http.post(f"/3/admin/account/{second.name}/ban", headers=admin.bearer)
    assert envelope_error(r, 403)["error"] == "Admins cannot be banned; the operator revokes the role first"
    assert banned_flag(server, admin) is banned_flag(server, second) is False
    r = http.post("/3/admin/account/nosuchname1/ban", headers=admin.bearer)
    assert envelope_error(r, 404)["error"] == "Unable to find an account with the username, nosuchname1"
    # The operator answers to nobody: revoke the role, then ban.
    server.cli("user", "admin", second.name, "--revoke")
    assert envelope_ok(http.post(f"/3/admin/account/{second.name}/ban", headers=admin.bearer)) is True


def test_the_cli_names_accounts_that_do_not_exist(server: LiveServer) -> None:
    for verb in ("ban", "unban", "admin"):
        got = server.cli("user", verb, "nosuchname2", check=False)
        assert got.returncode == 1, got
        assert "Unable to find an account with the username, nosuchname2" in got.stderr


def test_a_banned_web_session_reads_pages_and_its_forms_are_refused(
    server: LiveServer, http: httpx.Client, world: dict[str, Any]
) -> None:
    target = world["target"]
    with Browser(server.url) as b:
        page = b.open("/signin")
        form = {**page.hidden, "username": target.name, "password": target.password}
        assert b.http.post("/signin", data=form).status_code == 303
        ban_via_cli(server, target.name)
        settings = b.open("/account/settings")
        token = settings.hidden["csrf_token"]
        assert b.open(f"/{world['own_image']}").response.status_code == 200
        r = b.http.post("/account/settings", data={"csrf_token": token, "bio": "changed"})
        assert r.status_code == 403 and r.headers["content-type"].startswith("text/html"), r.text
        assert BANNED in r.text
        r = b.http.post(f"/{world['own_image']}/delete", data={"csrf_token": token})
        assert r.status_code == 403 and BANNED in r.text
        assert envelope_ok(http.get(f"/3/image/{world['own_image']}", headers=target.bearer))["id"]
        assert envelope_ok(http.get(f"/3/account/{target.name}", headers=target.bearer))["bio"] is None
        # Signing out still works.
        assert b.http.post("/signout", data={"csrf_token": token}).status_code == 303
        assert b.http.get("/account/settings").status_code == 303
        unban_via_cli(server, target.name)
        page = b.open("/signin")
        b.http.post("/signin", data={**page.hidden, "username": target.name, "password": target.password})
        token = parse_page(b.http.get("/account/settings")).hidden["csrf_token"]
        r = b.http.post("/account/settings", data={"csrf_token": token, "bio": "changed"})
        assert r.status_code == 303, r.text
