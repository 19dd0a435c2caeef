"""People with a browser session and an API token, and their uploads, for the album and account media
browser tests."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import httpx

from tests.accounts.helpers import password_grant
from tests.api.helpers import envelope_ok, unique_jpeg, upload
from tests.live import LiveServer
from tests.web.conftest import PASSWORD, new_context, sign_up


@dataclass
class Person:
    context: Any
    page: Any
    name: str
    token: str

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def csrf(self) -> str:
        return str(self.page.locator('meta[name="csrf-token"]').get_attribute("content"))


def person(browser: Any, server: LiveServer, creds: tuple[str, str], **options: Any) -> Person:
    """A new account, signed in through the sign-up page in a context of its own, with a token."""
    context = new_context(browser, server, **options)
    page = context.new_page()
    name = sign_up(page)
    r = password_grant(server, creds, name, PASSWORD)
    assert r.status_code == 200, r.text
    return Person(context, page, name, r.json()["access_token"])


def uploads(server: LiveServer, who: Person, n: int, **fields: str) -> list[dict[str, Any]]:
    """n JPEGs of distinct pixels uploaded through the API as `who`, oldest first."""
    return [
        upload(server, who.bearer, unique_jpeg(secrets.randbits(40), 240, 180), **fields) for _ in range(n)
    ]


def api(server: LiveServer, creds: tuple[str, str]) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Client-ID {creds[0]}"}, timeout=60)


def album_of(server: LiveServer, creds: tuple[str, str], album_id: str) -> dict[str, Any]:
    with api(server, creds) as c:
        return envelope_ok(c.get(f"/3/album/{album_id}"))


def album_ids(server: LiveServer, creds: tuple[str, str], album_id: str) -> list[str]:
    with api(server, creds) as c:
        return [i["id"] for i in envelope_ok(c.get(f"/3/album/{album_id}/images"))]


def image_exists(server: LiveServer, creds: tuple[str, str], image_id: str) -> bool:
    with api(server, creds) as c:
        r = c.get(f"/3/image/{image_id}")
    assert r.status_code in (200, 404), r.text
    return r.status_code == 200


def new_album(server: LiveServer, who: Person, images: list[dict[str, Any]], **fields: str) -> str:
    with httpx.Client(base_url=server.url, headers=who.bearer, timeout=60) as c:
        made = envelope_ok(c.post("/3/album", data={"ids[]": [i["id"] for i in images], **fields}))
    return str(made["id"])


def shown_ids(page: Any, selector: str = "#album-images li[data-id]") -> list[str]:
    return list(page.locator(selector).evaluate_all("els => els.map(e => e.dataset.id)"))
