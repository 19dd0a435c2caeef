"""Shared pieces of the report, ban and admin tests: posts and comments to report, admins made with the
operator's CLI, the moderation queue read back through the admin API, and listings searched page by
page (the servers of one run share a database on the second backend, so other tests' posts are there
too)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from tests.accounts.helpers import User, make_user
from tests.api.helpers import envelope_error, envelope_ok, upload
from tests.community.gallery_helpers import share, shared_image
from tests.live import LiveServer

__all__ = ["envelope_error", "envelope_ok", "share", "shared_image", "upload"]

REASONS = {1: "doesn't belong", 2: "spam", 3: "abusive", 4: "mature not marked", 5: "pornography"}
REPORT_KEYS = {
    "id",
    "kind",
    "post_id",
    "comment_id",
    "sender_id",
    "link",
    "reason",
    "reason_name",
    "reporter",
    "reporter_id",
    "status",
    "resolution",
    "resolved_by",
    "resolved_at",
    "datetime",
    "item",
}
ITEM_KEYS = {"text", "author", "reports_open", "hidden"}
BANNED = "This account is banned from posting"
NEEDS_ADMIN = "This method requires an admin account"
NEEDS_USER = "This method requires authentication"


def new_admin(srv: LiveServer, creds: tuple[str, str], prefix: str = "adm") -> User:
    """A fresh account given the admin role by the operator (`imghost user admin NAME`)."""
    user = make_user(srv, creds, prefix=prefix)
    out = srv.cli("user", "admin", user.name)
    assert user.name in out.stdout and "admin" in out.stdout, out.stdout
    return user


def shared_album(http: httpx.Client, who: User) -> dict[str, Any]:
    """A new album of who's (two new uploads), shared to the gallery."""
    images = [upload(http, who.bearer)["id"] for _ in range(2)]
    album = envelope_ok(
        http.post("/3/album", headers=who.bearer, data={"ids[]": images, "title": "to share"})
    )
    return share(http, who, album["id"], "album")


def comment_on(http: httpx.Client, who: User, post_id: str, text: str = "a comment") -> int:
    got = envelope_ok(
        http.post("/3/comment", headers=who.bearer, data={"image_id": post_id, "comment": text})
    )
    assert set(got) == {"id"} and isinstance(got["id"], int), got
    return int(got["id"])


def report(
    http: httpx.Client, who: Mapping[str, str], path: str, reason: int | str | None = None
) -> httpx.Response:
    data = {} if reason is None else {"reason": str(reason)}
    return http.post(path, headers=dict(who), data=data)


def reported(http: httpx.Client, who: User, path: str, reason: int | str | None = None) -> None:
    assert envelope_ok(report(http, who.bearer, path, reason)) is True


def queue(http: httpx.Client, admin: User, status: str = "all") -> Iterator[dict[str, Any]]:
    """Every report with this status, page after page, through GET /3/admin/reports."""
    page = 0
    while True:
        got = envelope_ok(
            http.get("/3/admin/reports", headers=admin.bearer, params={"status": status, "page": page})
        )
        assert len(got) <= 50
        for r in got:
            assert set(r) == REPORT_KEYS, r
            assert set(r["item"]) == ITEM_KEYS, r
        yield from got
        if not got:
            return
        page += 1


def reports_of(
    http: httpx.Client,
    admin: User,
    *,
    post: str | None = None,
    comment: int | None = None,
    status: str = "all",
) -> list[dict[str, Any]]:
    """The reports of one post (not of its comments) or of one comment."""
    if comment is not None:
        return [r for r in queue(http, admin, status) if r["comment_id"] == comment]
    return [r for r in queue(http, admin, status) if r["post_id"] == post and r["comment_id"] is None]


def in_listing(http: httpx.Client, headers: Mapping[str, str], path: str, post_id: str) -> bool:
    """Whether the post is on any page of a gallery listing."""
    page = 0
    while True:
        got = envelope_ok(http.get(f"{path}/{page}", headers=dict(headers)))
        if any(i["id"] == post_id for i in got):
            return True
        if not got:
            return False
        page += 1


def ban_via_cli(srv: LiveServer, name: str) -> None:
    out = srv.cli("user", "ban", name)
    assert name in out.stdout and "banned" in out.stdout, out.stdout


def unban_via_cli(srv: LiveServer, name: str) -> None:
    out = srv.cli("user", "unban", name)
    assert name in out.stdout, out.stdout
