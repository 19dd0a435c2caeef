"""Shared pieces of the album tests: accounts and tokens, album calls and snapshots (uploads go through
tests/api/helpers.py).

Everything goes through one persistent httpx client per test session (a new client costs a TLS context,
~0.15 s), with the caller's Authorization header passed per request.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

import httpx

from tests.accounts.helpers import User, unique_name
from tests.api.helpers import IMAGE_KEYS, envelope_error, envelope_ok

# The Album object, without the two fields that depend on the route and the caller: `deletehash` (owner only) and
# `images` (direct album GET only). `ad_config` is omitted on purpose (spec: "new, omit").
ALBUM_KEYS = {
    "id",
    "title",
    "description",
    "datetime",
    "cover",
    "cover_width",
    "cover_height",
    "cover_edited",
    "account_url",
    "account_id",
    "privacy",
    "layout",
    "views",
    "link",
    "favorite",
    "nsfw",
    "section",
    "order",
    "images_count",
    "in_gallery",
    "is_ad",
    "include_album_ads",
    "is_album",
}
ALBUM_ID_RE = re.compile(r"^[A-Za-z0-9]{7}$")
DELETEHASH_RE = re.compile(r"^[A-Za-z0-9]{15}$")

__all__ = ["ALBUM_KEYS", "IMAGE_KEYS", "User", "envelope_error", "envelope_ok"]


def client_auth(client_id: str) -> dict[str, str]:
    return {"Authorization": f"Client-ID {client_id}"}


def make_account(http: httpx.Client, creds: tuple[str, str], prefix: str = "al") -> User:
    """A fresh account (self-service sign-up) with a password-grant token."""
    name = unique_name(prefix)
    password = f"pw-{secrets.token_hex(8)}"
    email = f"{name}@example.org"
    account = envelope_ok(
        http.post(
            f"/3/account/{name}", headers=client_auth(creds[0]), data={"email": email, "password": password}
        )
    )
    user = User(name=name, password=password, email=email, id=account["id"])
    r = http.post(
        "/oauth2/token",
        data={
            "client_id": creds[0],
            "client_secret": creds[1],
            "grant_type": "password",
            "username": name,
            "password": password,
        },
    )
    assert r.status_code == 200, r.text
    tok = r.json()
    user.access_token, user.refresh_token = tok["access_token"], tok["refresh_token"]
    return user


def create(http: httpx.Client, headers: dict[str, str], data: Any = None, **kw: Any) -> dict[str, Any]:
    """POST /3/album; returns {id, deletehash} after checking that this is exactly what came back."""
    got = envelope_ok(http.post("/3/album", headers=headers, data=data, **kw))
    assert set(got) == {"id", "deletehash"}, got
    assert ALBUM_ID_RE.match(got["id"]) and DELETEHASH_RE.match(got["deletehash"]), got
    return got


def get_album(http: httpx.Client, headers: dict[str, str], ref: str) -> dict[str, Any]:
    return envelope_ok(http.get(f"/3/album/{ref}", headers=headers))


def album_image_ids(http: httpx.Client, headers: dict[str, str], ref: str) -> list[str]:
    """The album's images in order, read both ways (album GET and /images); they must agree."""
    album = get_album(http, headers, ref)
    listed = envelope_ok(http.get(f"/3/album/{ref}/images", headers=headers))
    ids = [i["id"] for i in album["images"]]
    assert [i["id"] for i in listed] == ids
    assert album["images_count"] == len(ids)
    return ids


def snapshot(http: httpx.Client, headers: dict[str, str], ref: str) -> dict[str, Any]:
    """Everything about an album that a write could change (fields, images in order), for before/after
    comparisons."""
    return get_album(http, headers, ref)
