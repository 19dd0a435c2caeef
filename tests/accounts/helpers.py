"""Shared pieces of the account and OAuth tests: users, tokens, unique uploads and a small browser that
fills in the /oauth2/authorize form the way a person would."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.api.helpers import envelope_ok, unique_png  # noqa: F401  (unique_png: shared with other suites)
from tests.live import LiveServer, db_rows, sqlite_db  # noqa: F401  (shared with other suites)

TOKEN_KEYS = {
    "access_token",
    "expires_in",
    "token_type",
    "scope",
    "refresh_token",
    "account_id",
    "account_username",
}
ACCOUNT_KEYS = {
    "id",
    "url",
    "bio",
    "avatar",
    "avatar_name",
    "cover",
    "cover_name",
    "reputation",
    "reputation_name",
    "created",
    "pro_expiration",
    "user_follow",
    "is_blocked",
}
# Account settings: every key imgurpython reads, plus the ones the current Imgur sends.
SETTINGS_KEYS = {
    "account_url",
    "email",
    "high_quality",
    "public_images",
    "album_privacy",
    "pro_expiration",
    "accepted_gallery_terms",
    "active_emails",
    "messaging_enabled",
    "blocked_users",
    "show_mature",
    "first_party",
    "newsletter_subscribed",
}
STATS_KEYS = {"total_images", "total_views", "total_bandwidth", "total_size"}
DEFAULT_TOKEN_LIFETIME = 28 * 86400
# The restricted server (tests/accounts/conftest.py).
CAPTCHA_SECRET = "site-secret-42"
RESTRICTED_TOKEN_LIFETIME = 3
RESTRICTED_LOGIN_ATTEMPTS = 3
RESTRICTED_LOGIN_WINDOW = 5

INVALID_TOKEN = "The access token provided is invalid."
AUTH_REQUIRED = "Authentication required"
NEEDS_USER = "This method requires authentication"
NOT_YOUR_ACCOUNT = "You are not allowed to access this account"
NOT_YOUR_IMAGE = "You are not the owner of this image. Use its deletehash."


def unique_name(prefix: str = "u") -> str:
    """A fresh, valid username (letters and digits only, well under 63 characters)."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"


@dataclass
class CaptchaHost:
    url: str = ""
    calls: list[dict[str, list[str]]] = field(default_factory=list)


@dataclass
class User:
    name: str
    password: str
    email: str
    id: int
    access_token: str = ""
    refresh_token: str = ""
    extra_tokens: list[dict[str, Any]] = field(default_factory=list)

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


def register(
    srv: LiveServer, client_id: str, name: str, password: str, email: str, **extra: str
) -> httpx.Response:
    """POST /3/account/{name}: self-service sign-up through the API."""
    return httpx.post(
        f"{srv.url}/3/account/{name}",
        headers={"Authorization": f"Client-ID {client_id}"},
        data={"email": email, "password": password, **extra},
        timeout=60,
    )


def password_grant(srv: LiveServer, creds: tuple[str, str], username: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{srv.url}/oauth2/token",
        data={
            "client_id": creds[0],
            "client_secret": creds[1],
            "grant_type": "password",
            "username": username,
            "password": password,
        },
        timeout=60,
    )


def new_token(srv: LiveServer, creds: tuple[str, str], user: User) -> dict[str, Any]:
    r = password_grant(srv, creds, user.name, user.password)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == TOKEN_KEYS, body
    return body


def make_user(
    srv: LiveServer,
    creds: tuple[str, str],
    *,
    via: str = "api",
    token: bool = True,
    prefix: str = "u",
    **signup: str,
) -> User:
    """A new account with a unique name, created through the API (extra sign-up fields in `signup`) or the
    operator CLI, and (by default) an access token obtained with the password grant."""
    name = unique_name(prefix)
    password = f"pw-{secrets.token_hex(8)}"
    email = f"{name}@example.org"
    if via == "cli":
        srv.cli("user", "create", name, "--password", password, "--email", email)
        account = envelope_ok(httpx.get(f"{srv.url}/3/account/{name}", timeout=60))
    else:
        account = envelope_ok(register(srv, creds[0], name, password, email, **signup))
    user = User(name=name, password=password, email=email, id=account["id"])
    if token:
        t = new_token(srv, creds, user)
        user.access_token, user.refresh_token = t["access_token"], t["refresh_token"]
    return user


# ---------------------------------------------------------------- the authorize form, as a browser sees it


_VOID = {"input", "br", "img", "meta", "link", "hr", "source", "wbr"}


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.inputs: list[dict[str, str]] = []
        self.buttons: list[dict[str, str]] = []
        self.by_id: dict[str, str] = {}
        self._open: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(a)
        elif tag == "input":
            self.inputs.append(a)
        elif tag == "button":
            self.buttons.append(a)
        if "id" in a:
            self.by_id.setdefault(a["id"], "")
        if tag not in _VOID:
            self._open.append((tag, a.get("id", "")))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for _, ident in self._open:
            if ident:
                self.by_id[ident] += data


@dataclass
class Page:
    response: httpx.Response
    forms: list[dict[str, Any]]
    hidden: dict[str, str]
    input_names: set[str]
    buttons: list[dict[str, str]]
    by_id: dict[str, str]


def parse_page(r: httpx.Response) -> Page:
    p = _PageParser()
    p.feed(r.text)
    hidden = {i["name"]: i.get("value", "") for i in p.inputs if i.get("type") == "hidden" and "name" in i}
    return Page(
        r,
        p.forms,
        hidden,
        {i["name"] for i in p.inputs if "name" in i},
        p.buttons,
        {k: v.strip() for k, v in p.by_id.items()},
    )


class Browser:
    """An httpx client with a cookie jar that never follows redirects: the test reads every Location."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=60)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def open(self, url: str) -> Page:
        r = self.http.get(url)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/html"), r.headers
        return parse_page(r)

    def submit(
        self,
        page: Page,
        *,
        username: str = "",
        password: str = "",
        button: str = "allow",
        override: dict[str, str] | None = None,
        drop: tuple[str, ...] = (),
    ) -> httpx.Response:
        """Post the form as a browser would: its hidden fields, the typed credentials, the pressed button."""
        # Signed in (the form signs in to the site too), the layout's own Sign out form comes first.
        form = next((f for f in page.forms if f.get("action") == "/oauth2/authorize"), page.forms[0])
        assert form.get("method", "").lower() == "post"
        data = {**page.hidden, "username": username, "password": password, button: "1", **(override or {})}
        for k in drop:
            data.pop(k, None)
        return self.http.post(form.get("action") or "/oauth2/authorize", data=data)


def authorize(
    srv: LiveServer, client_id: str, response_type: str, user: User, *, state: str = "", button: str = "allow"
) -> httpx.Response:
    """The whole browser round trip: open the authorize page, sign in, press a button."""
    with Browser(srv.url) as b:
        q = f"/oauth2/authorize?client_id={client_id}&response_type={response_type}"
        if state:
            q += f"&state={state}"
        page = b.open(q)
        return b.submit(page, username=user.name, password=user.password, button=button)


def pin_from(r: httpx.Response) -> str:
    assert r.status_code == 200, r.text
    pin = parse_page(r).by_id.get("pin", "")
    assert pin, r.text
    return pin


def location_parts(r: httpx.Response) -> tuple[str, dict[str, str], dict[str, str]]:
    """(URL without query/fragment, query params, fragment params) of a redirect."""
    assert r.status_code == 302, r.text
    loc = r.headers["location"]
    parts = urlsplit(loc)
    q = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    f = {k: v[0] for k, v in parse_qs(parts.fragment, keep_blank_values=True).items()}
    return f"{parts.scheme}://{parts.netloc}{parts.path}", q, f


def exchange(srv: LiveServer, creds: tuple[str, str], grant: str, value: str) -> httpx.Response:
    key = {"authorization_code": "code", "pin": "pin", "refresh_token": "refresh_token"}[grant]
    return httpx.post(
        f"{srv.url}/oauth2/token",
        data={"client_id": creds[0], "client_secret": creds[1], "grant_type": grant, key: value},
        timeout=60,
    )
