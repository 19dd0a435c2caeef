"""Shared pieces of the gallery, vote and account-row tests: the Gallery Image / Gallery Album shapes,
sharing, voting and reading back over raw HTTP, through one persistent client with the caller's
Authorization header passed per request."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from typing import Any

import httpx

from tests.accounts.helpers import AUTH_REQUIRED, INVALID_TOKEN, NEEDS_USER, User, make_user
from tests.albums.helpers import ALBUM_KEYS
from tests.api.helpers import IMAGE_KEYS, envelope_error, envelope_ok, upload
from tests.live import LiveServer, sqlite_db

# What a post adds to the image or album object (§2.3, §2.4).
POST_KEYS = {
    "is_album",
    "ups",
    "downs",
    "points",
    "score",
    "comment_count",
    "favorite_count",
    "topic",
    "topic_id",
    "vote",
    "account_url",
    "account_id",
    "in_most_viral",
    "tags",
    "in_gallery",
}
GALLERY_IMAGE_KEYS = IMAGE_KEYS | POST_KEYS
# An album post: the album object, its images, and the post fields (ad_type/ad_url as on images).
GALLERY_ALBUM_KEYS = ALBUM_KEYS | POST_KEYS | {"images", "ad_type", "ad_url"}
# In lists, an album shows its images only when asked for previews (album_previews=true).
LISTED_ALBUM_KEYS = GALLERY_ALBUM_KEYS - {"images"}
PROFILE_KEYS = {"total_gallery_comments", "total_gallery_favorites", "total_gallery_submissions", "trophies"}

__all__ = ["envelope_error", "envelope_ok", "upload"]


def listed_shape(item: Mapping[str, Any], *, previews: bool = False) -> None:
    """A Gallery Image or Gallery Album as lists show it: every key, and no other."""
    if item["is_album"]:
        assert set(item) == (GALLERY_ALBUM_KEYS if previews else LISTED_ALBUM_KEYS), item["id"]
    else:
        assert set(item) == GALLERY_IMAGE_KEYS, item["id"]


def client_auth(client_id: str) -> dict[str, str]:
    return {"Authorization": f"Client-ID {client_id}"}


def share(http: httpx.Client, who: User, item_id: str, kind: str = "image", **fields: str) -> dict[str, Any]:
    """Share the owner's image or album (kind "image", "album", or "" for the old POST /3/gallery/{id})
    and return the post as GET /3/gallery/{id} shows it to the owner."""
    path = f"/3/gallery/{kind}/{item_id}" if kind else f"/3/gallery/{item_id}"
    body = {"title": f"post {item_id}", "terms": "1", **fields}
    assert envelope_ok(http.post(path, headers=who.bearer, data=body)) is True
    return get_post(http, who.bearer, item_id)


def shared_image(http: httpx.Client, who: User, **fields: str) -> dict[str, Any]:
    """A new upload of who's, shared to the gallery."""
    image = upload(http, who.bearer)
    return share(http, who, image["id"], **fields)


def get_post(http: httpx.Client, headers: Mapping[str, str], item_id: str) -> dict[str, Any]:
    return envelope_ok(http.get(f"/3/gallery/{item_id}", headers=dict(headers)))


def vote(http: httpx.Client, who: User, item_id: str, value: str) -> None:
    assert envelope_ok(http.post(f"/3/gallery/{item_id}/vote/{value}", headers=who.bearer)) is True


def votes(http: httpx.Client, headers: Mapping[str, str], item_id: str) -> dict[str, int]:
    return envelope_ok(http.get(f"/3/gallery/{item_id}/votes", headers=dict(headers)))


def account(http: httpx.Client, headers: Mapping[str, str], name: str) -> dict[str, Any]:
    return envelope_ok(http.get(f"/3/account/{name}", headers=dict(headers)))


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [i["id"] for i in items]


def change_one_row(server: LiveServer, sql: str, params: tuple[Any, ...]) -> None:
    """Change exactly one row of the server's database behind its back (SQL with ? placeholders)."""
    path = sqlite_db(server)
    if path is None:
        import psycopg

        url = server.env.get("IMGHOST_DATABASE_URL") or os.environ["IMGHOST_TEST_DATABASE_URL"]
        with psycopg.connect(url) as pg:
            assert pg.execute(sql.replace("?", "%s"), params).rowcount == 1
        return
    con = sqlite3.connect(path, timeout=30)
    try:
        with con:
            assert con.execute(sql, params).rowcount == 1
    finally:
        con.close()


# ------------------------------------------------------------------ who may call what (the matrices)

# The kinds of caller every matrix tries: no header, an application's Client-ID, the item's owner,
# another account, a token never issued, a banned account, an admin.
KINDS = ("none", "client", "owner", "other", "invalid", "banned", "admin")
BOGUS_TOKEN = "0123456789abcdef0123456789abcdef01234567"
BANNED = "This account is banned from posting"
READ = {"none": 401, "client": 200, "owner": 200, "other": 200, "invalid": 403, "banned": 200, "admin": 200}
WRITE = {"none": 401, "client": 403, "owner": 200, "other": 200, "invalid": 403, "banned": 403, "admin": 200}
# What a refused caller is told, where the refusal is not the route's own.
DENIED = {"none": AUTH_REQUIRED, "client": NEEDS_USER, "invalid": INVALID_TOKEN, "banned": BANNED}


def matrix_users(server: LiveServer, creds: tuple[str, str], prefix: str) -> dict[str, User]:
    """The accounts behind the kinds: owner, other, banned (banned by the operator) and admin."""
    users = {
        kind: make_user(server, creds, prefix=f"{prefix}{kind}")
        for kind in ("owner", "other", "banned", "admin")
    }
    server.cli("user", "ban", users["banned"].name)
    server.cli("user", "admin", users["admin"].name)
    return users


def caller(kind: str, client_id: str, users: Mapping[str, User]) -> dict[str, str]:
    """The Authorization header (or none) a kind of caller sends."""
    if kind == "none":
        return {}
    if kind == "client":
        return client_auth(client_id)
    if kind == "invalid":
        return {"Authorization": f"Bearer {BOGUS_TOKEN}"}
    return users[kind].bearer
