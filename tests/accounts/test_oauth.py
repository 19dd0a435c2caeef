"""OAuth 2 as Imgur clients drive it: the sign-in-and-allow page in a browser, the
three response types (code, token, pin), the token endpoint in every body encoding and grant type,
refresh, revocation, and the two Python libraries doing all of it unmodified.

The browser is an httpx client with a cookie jar that reads every redirect itself: it opens
/oauth2/authorize, reads the form (hidden fields, the CSRF cookie), types the credentials and presses
Allow or Deny.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import imgurpython
import pyimgur
import pytest
from imgurpython.imgur.models.account_settings import AccountSettings

from tests.accounts.helpers import (
    DEFAULT_TOKEN_LIFETIME,
    INVALID_TOKEN,
    RESTRICTED_TOKEN_LIFETIME,
    TOKEN_KEYS,
    Browser,
    User,
    authorize,
    db_rows,
    exchange,
    location_parts,
    make_user,
    new_token,
    parse_page,
    password_grant,
    pin_from,
    unique_png,
)
from tests.api.helpers import envelope_error, envelope_ok
from tests.clients.helpers import RequestLog
from tests.live import LiveServer, free_port, start_server

CALLBACK_A = "http://127.0.0.1:9/callback?app=a"
CALLBACK_B = "http://127.0.0.1:9/b-callback"
CSRF_REFUSED = "The sign-in form expired or came from another site. Open it again."
BAD_LOGIN = "Invalid username or password"


@pytest.fixture(scope="module")
def app_a(server: LiveServer) -> tuple[str, str]:
    """A registered application whose callback already carries a query string."""
    return server.create_client("Photo App", CALLBACK_A)


@pytest.fixture(scope="module")
def app_b(server: LiveServer) -> tuple[str, str]:
    return server.create_client("Other App", CALLBACK_B)


def _me(srv: LiveServer, access_token: str) -> httpx.Response:
    return httpx.get(
        f"{srv.url}/3/account/me/settings", headers={"Authorization": f"Bearer {access_token}"}, timeout=60
    )


def _check_token_body(
    r: httpx.Response, user: User, lifetime: int = DEFAULT_TOKEN_LIFETIME
) -> dict[str, Any]:
    """An unwrapped token answer: no data/success/status, exact keys and types."""
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers.get("cache-control") == "no-store"
    body = r.json()
    assert set(body) == TOKEN_KEYS, body
    assert body["token_type"] == "bearer" and body["scope"] is None
    assert type(body["expires_in"]) is int and body["expires_in"] == lifetime
    assert type(body["account_id"]) is int and body["account_id"] == user.id
    assert body["account_username"] == user.name
    assert re.fullmatch(r"[0-9a-f]{40}", body["access_token"]), body
    assert re.fullmatch(r"[0-9a-f]{40}", body["refresh_token"]), body
    assert body["access_token"] != body["refresh_token"]
    return body


def _count(srv: LiveServer, table: str) -> int:
    return db_rows(srv, f"SELECT COUNT(*) FROM {table}")[0][0]


# ---------------------------------------------------------------- the authorize page


class TestAuthorizePage:
    def test_form_carries_a_csrf_field_matching_its_cookie(
        self, server: LiveServer, app_a: tuple[str, str]
    ) -> None:
        with Browser(server.url) as b:
            page = b.open(f"/oauth2/authorize?client_id={app_a[0]}&response_type=code&state=st-1")
            r = page.response
            assert "Photo App" in r.text
            assert (
                page.forms[0]["method"].lower() == "post" and page.forms[0]["action"] == "/oauth2/authorize"
            )
            assert {k: page.hidden[k] for k in ("client_id", "response_type", "state")} == {
                "client_id": app_a[0],
                "response_type": "code",
                "state": "st-1",
            }
            csrf = page.hidden["csrf_token"]
            assert len(csrf) >= 16
            assert {"username", "password"} <= page.input_names
            assert {bt.get("name") for bt in page.buttons} == {"allow", "deny"}
            cookie = next(
                c for c in r.headers.get_list("set-cookie") if c.startswith(f"imghost_csrf={csrf};")
            )
            assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
            # One visitor token for the whole site (the sign-in and upload forms share it).
            assert "path=/;" in cookie.lower() + ";"
            assert r.headers.get("x-frame-options") == "DENY"  # no click-jacking of the Allow button
            # Reopening the page in the same browser keeps the cookie's value.
            assert (
                b.open(f"/oauth2/authorize?client_id={app_a[0]}&response_type=pin").hidden["csrf_token"]
                == csrf
            )

    def test_missing_client_id(self, raw: httpx.Client) -> None:
        data = envelope_error(raw.get("/oauth2/authorize?response_type=code"), 400)
        assert data == {"error": "No client id supplied", "request": "/oauth2/authorize", "method": "GET"}

    def test_unknown_client_id_and_response_type(self, raw: httpx.Client, app_a: tuple[str, str]) -> None:
        assert (
            envelope_error(raw.get("/oauth2/authorize?client_id=000000000000000&response_type=code"), 400)[
                "error"
            ]
            == "Invalid client_id"
        )
        assert (
            envelope_error(raw.get(f"/oauth2/authorize?client_id={app_a[0]}&response_type=password"), 400)[
                "error"
            ]
            == "Invalid response_type"
        )


# ---------------------------------------------------------------- the three flows


class TestCodeFlow:
    def test_code_redirect_and_exchange(self, server: LiveServer, app_a: tuple[str, str], user: User) -> None:
        r = authorize(server, app_a[0], "code", user, state="xyz-123")
        assert r.headers.get("cache-control") == "no-store"
        base, query, fragment = location_parts(r)
        assert base == "http://127.0.0.1:9/callback"
        assert set(query) == {"app", "code", "state"} and fragment == {}
        assert query["app"] == "a" and query["state"] == "xyz-123"
        body = _check_token_body(exchange(server, app_a, "authorization_code", query["code"]), user)
        assert envelope_ok(_me(server, body["access_token"]))["account_url"] == user.name
        # Single use.
        again = envelope_error(exchange(server, app_a, "authorization_code", query["code"]), 400)
        assert again == {"error": "Invalid authorization code", "request": "/oauth2/token", "method": "POST"}

    def test_code_is_bound_to_its_client(
        self, server: LiveServer, app_a: tuple[str, str], app_b: tuple[str, str], user: User
    ) -> None:
        _, query, _ = location_parts(authorize(server, app_a[0], "code", user))
        r = exchange(server, app_b, "authorization_code", query["code"])
        assert envelope_error(r, 400)["error"] == "Invalid authorization code"
        assert "access_token" not in r.text

    def test_code_is_not_a_pin(self, server: LiveServer, app_a: tuple[str, str], user: User) -> None:
        _, query, _ = location_parts(authorize(server, app_a[0], "code", user))
        assert envelope_error(exchange(server, app_a, "pin", query["code"]), 400)["error"] == "Invalid pin"

    def test_deny(self, server: LiveServer, app_a: tuple[str, str], user: User) -> None:
        base, query, fragment = location_parts(
            authorize(server, app_a[0], "code", user, state="s9", button="deny")
        )
        assert base == "http://127.0.0.1:9/callback" and fragment == {}
        assert query == {"app": "a", "error": "access_denied", "state": "s9"}

    def test_no_state_no_state_parameter(
        self, server: LiveServer, app_b: tuple[str, str], user: User
    ) -> None:
        base, query, _ = location_parts(authorize(server, app_b[0], "code", user))
        assert base == CALLBACK_B and set(query) == {"code"}

    def test_code_expiry(self, tmp_path: Path, user: User) -> None:
        srv = start_server(
            tmp_path / "data", port=free_port(), extra_env={"IMGHOST_OAUTH_CODE_LIFETIME": "1"}
        )
        try:
            creds = srv.create_client("expiry", CALLBACK_B)
            u = make_user(srv, creds, token=False)
            _, query, _ = location_parts(authorize(srv, creds[0], "code", u))
            time.sleep(2.5)
            assert envelope_error(exchange(srv, creds, "authorization_code", query["code"]), 400)[
                "error"
            ] == ("Invalid authorization code")
        finally:
            srv.stop()


class TestTokenFlow:
    def test_fragment_carries_the_tokens(
        self, server: LiveServer, app_a: tuple[str, str], user: User
    ) -> None:
        base, query, frag = location_parts(authorize(server, app_a[0], "token", user, state="abc"))
        assert base == "http://127.0.0.1:9/callback"
        assert query == {"app": "a"}  # nothing secret in the query string
        assert set(frag) == {
            "access_token",
            "expires_in",
            "token_type",
            "refresh_token",
            "account_username",
            "account_id",
            "state",
        }
        assert frag["token_type"] == "bearer" and frag["state"] == "abc"
        assert frag["expires_in"] == str(DEFAULT_TOKEN_LIFETIME)
        assert frag["account_username"] == user.name and frag["account_id"] == str(user.id)
        assert envelope_ok(_me(server, frag["access_token"]))["email"] == user.email
        refreshed = _check_token_body(exchange(server, app_a, "refresh_token", frag["refresh_token"]), user)
        assert refreshed["access_token"] != frag["access_token"]

    def test_deny(self, server: LiveServer, app_a: tuple[str, str], user: User) -> None:
        _, query, frag = location_parts(authorize(server, app_a[0], "token", user, state="q", button="deny"))
        assert query == {"app": "a"} and frag == {"error": "access_denied", "state": "q"}


class TestPinFlow:
    def test_pin_page_and_exchange(self, server: LiveServer, app_a: tuple[str, str], user: User) -> None:
        r = authorize(server, app_a[0], "pin", user)
        assert "location" not in r.headers
        pin = pin_from(r)
        body = _check_token_body(exchange(server, app_a, "pin", pin), user)
        assert envelope_ok(_me(server, body["access_token"]))["account_url"] == user.name
        assert envelope_error(exchange(server, app_a, "pin", pin), 400)["error"] == "Invalid pin"

    def test_pin_is_bound_to_kind_and_client(
        self, server: LiveServer, app_a: tuple[str, str], app_b: tuple[str, str], user: User
    ) -> None:
        pin = pin_from(authorize(server, app_a[0], "pin", user))
        assert envelope_error(exchange(server, app_a, "authorization_code", pin), 400)["error"] == (
            "Invalid authorization code"
        )
        pin2 = pin_from(authorize(server, app_a[0], "pin", user))
        assert envelope_error(exchange(server, app_b, "pin", pin2), 400)["error"] == "Invalid pin"

    def test_deny_shows_no_pin(self, server: LiveServer, app_a: tuple[str, str], user: User) -> None:
        r = authorize(server, app_a[0], "pin", user, button="deny")
        assert r.status_code == 200 and "location" not in r.headers
        ids = parse_page(r).by_id
        assert "pin" not in ids and ids.get("denied") == "Access denied"


class TestSignInForm:
    def test_wrong_password_shows_the_form_again(
        self, server: LiveServer, app_a: tuple[str, str], user: User
    ) -> None:
        with Browser(server.url) as b:
            page = b.open(f"/oauth2/authorize?client_id={app_a[0]}&response_type=code&state=k")
            codes = _count(server, "auth_codes")
            r = b.submit(page, username=user.name, password=user.password + "x")
            assert r.status_code == 401 and "location" not in r.headers
            assert r.headers["content-type"].startswith("text/html")
            again = parse_page(r)
            assert again.by_id.get("error") == BAD_LOGIN
            assert again.hidden == page.hidden  # same client, type, state and CSRF token
            assert _count(server, "auth_codes") == codes
            # The person types the right password into the re-shown form: the flow completes.
            ok = b.submit(again, username=user.name, password=user.password)
            _, query, _ = location_parts(ok)
            assert query["state"] == "k" and query["code"]

    def test_unknown_user_gets_the_same_answer(self, server: LiveServer, app_a: tuple[str, str]) -> None:
        ghost = User(name="nosuchuser12345", password="whatever-pw", email="", id=0)
        r = authorize(server, app_a[0], "token", ghost)
        assert r.status_code == 401 and parse_page(r).by_id.get("error") == BAD_LOGIN


class TestCsrf:
    """A cross-site page can post the form but can neither read nor set the cookie."""

    def _refused(self, server: LiveServer, r: httpx.Response, codes: int | None, tokens: int | None) -> None:
        data = envelope_error(r, 403)
        assert data["error"] == CSRF_REFUSED and "location" not in r.headers
        assert _count(server, "auth_codes") == codes and _count(server, "tokens") == tokens

    @pytest.mark.parametrize("rtype", ["code", "token", "pin"])
    def test_post_without_cookie(
        self, server: LiveServer, app_a: tuple[str, str], user: User, rtype: str
    ) -> None:
        with Browser(server.url) as b:
            page = b.open(f"/oauth2/authorize?client_id={app_a[0]}&response_type={rtype}")
        codes, tokens = _count(server, "auth_codes"), _count(server, "tokens")
        with Browser(server.url) as attacker:  # empty cookie jar, the victim's hidden fields
            r = attacker.submit(page, username=user.name, password=user.password)
        self._refused(server, r, codes, tokens)

    def test_post_without_field(self, server: LiveServer, app_a: tuple[str, str], user: User) -> None:
        with Browser(server.url) as b:
            page = b.open(f"/oauth2/authorize?client_id={app_a[0]}&response_type=code")
            codes, tokens = _count(server, "auth_codes"), _count(server, "tokens")
            r = b.submit(page, username=user.name, password=user.password, drop=("csrf_token",))
            self._refused(server, r, codes, tokens)

    def test_post_with_other_value(self, server: LiveServer, app_a: tuple[str, str], user: User) -> None:
        with Browser(server.url) as b:
            page = b.open(f"/oauth2/authorize?client_id={app_a[0]}&response_type=token")
            codes, tokens = _count(server, "auth_codes"), _count(server, "tokens")
            r = b.submit(
                page,
                username=user.name,
                password=user.password,
                override={"csrf_token": page.hidden["csrf_token"][::-1] + "x"},
            )
            self._refused(server, r, codes, tokens)

    def test_deny_also_needs_the_token(self, server: LiveServer, app_a: tuple[str, str], user: User) -> None:
        with Browser(server.url) as b:
            page = b.open(f"/oauth2/authorize?client_id={app_a[0]}&response_type=code")
        with Browser(server.url) as attacker:
            r = attacker.submit(page, button="deny")
        assert envelope_error(r, 403)["error"] == CSRF_REFUSED


# ---------------------------------------------------------------- the token endpoint


def _send(
    srv: LiveServer, encoding: str, fields: dict[str, str], headers: dict[str, str] | None = None
) -> httpx.Response:
    url = f"{srv.url}/oauth2/token"
    if encoding == "urlencoded":
        return httpx.post(url, data=fields, headers=headers, timeout=60)
    if encoding == "multipart":
        r = httpx.post(url, files=[(k, (None, v)) for k, v in fields.items()], headers=headers, timeout=60)
        assert r.request.headers["content-type"].startswith("multipart/form-data")
        return r
    return httpx.post(url, json=fields, headers=headers, timeout=60)


ENCODINGS = ["urlencoded", "multipart", "json"]


class TestTokenEndpoint:
    @pytest.mark.parametrize("encoding", ENCODINGS)
    def test_password_grant(
        self, server: LiveServer, app_a: tuple[str, str], user: User, encoding: str
    ) -> None:
        r = _send(
            server,
            encoding,
            {
                "client_id": app_a[0],
                "client_secret": app_a[1],
                "grant_type": "password",
                "username": user.name,
                "password": user.password,
            },
        )
        assert "authorization" not in r.request.headers
        body = _check_token_body(r, user)
        assert envelope_ok(_me(server, body["access_token"]))["account_url"] == user.name

    @pytest.mark.parametrize("encoding", ENCODINGS)
    def test_exchanges_in_every_encoding(
        self, server: LiveServer, app_a: tuple[str, str], user: User, encoding: str
    ) -> None:
        base = {"client_id": app_a[0], "client_secret": app_a[1]}
        _, query, _ = location_parts(authorize(server, app_a[0], "code", user))
        by_code = _check_token_body(
            _send(server, encoding, {**base, "grant_type": "authorization_code", "code": query["code"]}), user
        )
        pin = pin_from(authorize(server, app_a[0], "pin", user))
        _check_token_body(_send(server, encoding, {**base, "grant_type": "pin", "pin": pin}), user)
        refreshed = _check_token_body(
            _send(
                server,
                encoding,
                {**base, "grant_type": "refresh_token", "refresh_token": by_code["refresh_token"]},
            ),
            user,
        )
        assert refreshed["access_token"] != by_code["access_token"]

    def test_client_id_header_is_ignored(
        self, server: LiveServer, app_a: tuple[str, str], user: User
    ) -> None:
        """imgurpython's authorize() and PyImgur send `Client-ID …` to the token endpoint."""
        r = _send(
            server,
            "urlencoded",
            {
                "client_id": app_a[0],
                "client_secret": app_a[1],
                "grant_type": "password",
                "username": user.name,
                "password": user.password,
            },
            headers={"Authorization": f"Client-ID {app_a[0]}"},
        )
        _check_token_body(r, user)

    def test_refresh_replaces_the_access_token(
        self, server: LiveServer, app_a: tuple[str, str], user: User
    ) -> None:
        first = new_token(server, app_a, user)
        assert envelope_ok(_me(server, first["access_token"]))["account_url"] == user.name
        second = _check_token_body(exchange(server, app_a, "refresh_token", first["refresh_token"]), user)
        assert second["access_token"] != first["access_token"]
        assert envelope_error(_me(server, first["access_token"]), 403)["error"] == INVALID_TOKEN
        assert envelope_ok(_me(server, second["access_token"]))["account_url"] == user.name
        # The refresh token handed back keeps working (Imgur's refresh tokens do not expire).
        third = _check_token_body(exchange(server, app_a, "refresh_token", second["refresh_token"]), user)
        assert envelope_error(_me(server, second["access_token"]), 403)["error"] == INVALID_TOKEN
        assert envelope_ok(_me(server, third["access_token"]))["account_url"] == user.name
        # Other tokens of the same account are not touched by a refresh.
        assert envelope_ok(_me(server, user.access_token))["account_url"] == user.name

    def test_refresh_errors(
        self, server: LiveServer, app_a: tuple[str, str], app_b: tuple[str, str], user: User
    ) -> None:
        t = new_token(server, app_a, user)
        data = envelope_error(exchange(server, app_a, "refresh_token", "f" * 40), 400)
        assert data == {"error": "Invalid refresh token", "request": "/oauth2/token", "method": "POST"}
        assert envelope_error(exchange(server, app_b, "refresh_token", t["refresh_token"]), 400)["error"] == (
            "Invalid refresh token"
        )
        assert envelope_error(exchange(server, app_a, "refresh_token", t["access_token"]), 400)["error"] == (
            "Invalid refresh token"
        )
        # Failed attempts leave the token as it was.
        assert envelope_ok(_me(server, t["access_token"]))["account_url"] == user.name

    def test_client_credentials_are_checked(
        self, server: LiveServer, app_a: tuple[str, str], user: User
    ) -> None:
        bad = (app_a[0], "0" * len(app_a[1]))
        r = password_grant(server, bad, user.name, user.password)
        assert (
            envelope_error(r, 401)["error"] == "Invalid client credentials" and "access_token" not in r.text
        )
        r = password_grant(server, (app_a[0], ""), user.name, user.password)
        assert envelope_error(r, 401)["error"] == "Invalid client credentials"
        t = new_token(server, app_a, user)
        r = exchange(server, bad, "refresh_token", t["refresh_token"])
        assert (
            envelope_error(r, 401)["error"] == "Invalid client credentials" and "access_token" not in r.text
        )
        r = httpx.post(
            f"{server.url}/oauth2/token",
            data={"grant_type": "password", "username": user.name, "password": user.password},
            timeout=60,
        )
        assert envelope_error(r, 400)["error"] == "No client id supplied"

    def test_unknown_grant_type(self, server: LiveServer, app_a: tuple[str, str]) -> None:
        for grant in ("client_credentials", ""):
            r = httpx.post(
                f"{server.url}/oauth2/token",
                data={"client_id": app_a[0], "client_secret": app_a[1], "grant_type": grant},
                timeout=60,
            )
            assert envelope_error(r, 400)["error"] == "Invalid grant_type"

    def test_password_grant_wrong_password(
        self, server: LiveServer, app_a: tuple[str, str], user: User
    ) -> None:
        r = password_grant(server, app_a, user.name, "not-the-password")
        assert envelope_error(r, 401)["error"] == BAD_LOGIN and "access_token" not in r.text

    def test_password_grant_can_be_switched_off(
        self, private_server: LiveServer, private_app: tuple[str, str]
    ) -> None:
        """The private server runs with IMGHOST_OAUTH_PASSWORD_GRANT=false."""
        srv, creds = private_server, private_app
        u = make_user(srv, creds, via="cli", token=False, prefix="np")
        r = password_grant(srv, creds, u.name, u.password)
        assert envelope_error(r, 400)["error"] == "Invalid grant_type" and "access_token" not in r.text
        # The browser flows still work.
        body = _check_token_body(exchange(srv, creds, "pin", pin_from(authorize(srv, creds[0], "pin", u))), u)
        assert envelope_ok(_me(srv, body["access_token"]))["account_url"] == u.name

    def test_configured_lifetime(
        self, restricted_server: LiveServer, restricted_app: tuple[str, str], restricted_user: Any
    ) -> None:
        srv, creds = restricted_server, restricted_app
        u = restricted_user()
        _check_token_body(
            password_grant(srv, creds, u.name, u.password), u, lifetime=RESTRICTED_TOKEN_LIFETIME
        )

    def test_access_tokens_expire(
        self, restricted_server: LiveServer, restricted_app: tuple[str, str], restricted_user: Any
    ) -> None:
        srv, creds = restricted_server, restricted_app
        u = restricted_user()
        _, _, frag = location_parts(authorize(srv, creds[0], "token", u))
        assert frag["expires_in"] == str(RESTRICTED_TOKEN_LIFETIME)
        assert envelope_ok(_me(srv, frag["access_token"]))["account_url"] == u.name
        time.sleep(RESTRICTED_TOKEN_LIFETIME + 1.1)
        assert envelope_error(_me(srv, frag["access_token"]), 403)["error"] == INVALID_TOKEN
        fresh = _check_token_body(
            exchange(srv, creds, "refresh_token", frag["refresh_token"]),
            u,
            lifetime=RESTRICTED_TOKEN_LIFETIME,
        )
        assert envelope_ok(_me(srv, fresh["access_token"]))["account_url"] == u.name


# ---------------------------------------------------------------- revocation


class TestRevocation:
    def test_password_change_revokes_every_token(
        self,
        server: LiveServer,
        app_a: tuple[str, str],
        user: User,
        token_for: Callable[[User], dict[str, Any]],
    ) -> None:
        extra = token_for(user)
        for at in (user.access_token, extra["access_token"]):
            envelope_ok(_me(server, at))
        out = server.cli("user", "set-password", user.name, "--password", "brand-new-password")
        assert out.stdout.strip() == f"imghost: password changed for {user.name}; its tokens are revoked"
        for at in (user.access_token, extra["access_token"]):
            assert envelope_error(_me(server, at), 403)["error"] == INVALID_TOKEN
        for rt in (user.refresh_token, extra["refresh_token"]):
            assert envelope_error(exchange(server, app_a, "refresh_token", rt), 400)["error"] == (
                "Invalid refresh token"
            )
        assert (
            envelope_error(password_grant(server, app_a, user.name, user.password), 401)["error"] == BAD_LOGIN
        )
        user.password = "brand-new-password"
        _check_token_body(password_grant(server, app_a, user.name, user.password), user)

    def test_revoke_all_tokens_of_a_user(
        self,
        server: LiveServer,
        app_a: tuple[str, str],
        cli_user: User,
        other_user: User,
        token_for: Callable[[User], dict[str, Any]],
    ) -> None:
        user = cli_user  # made by `imghost user create`
        extra = token_for(user)
        _, _, frag = location_parts(authorize(server, app_a[0], "token", user))
        out = server.cli("token", "revoke", "--user", user.name)
        assert out.stdout.strip() == f"imghost: revoked 3 token(s) of {user.name}"
        for at in (user.access_token, extra["access_token"], frag["access_token"]):
            assert envelope_error(_me(server, at), 403)["error"] == INVALID_TOKEN
        assert envelope_error(exchange(server, app_a, "refresh_token", frag["refresh_token"]), 400)[
            "error"
        ] == ("Invalid refresh token")
        # Nobody else's session ends; the user can sign in again.
        assert envelope_ok(_me(server, other_user.access_token))["account_url"] == other_user.name
        _check_token_body(password_grant(server, app_a, user.name, user.password), user)

    def test_revoke_one_token(
        self,
        server: LiveServer,
        app_a: tuple[str, str],
        user: User,
        token_for: Callable[[User], dict[str, Any]],
    ) -> None:
        keep = token_for(user)
        out = server.cli("token", "revoke", user.access_token)
        assert out.stdout.strip() == "imghost: token revoked"
        assert envelope_error(_me(server, user.access_token), 403)["error"] == INVALID_TOKEN
        # The whole grant goes: its refresh token cannot bring the session back.
        assert envelope_error(exchange(server, app_a, "refresh_token", user.refresh_token), 400)["error"] == (
            "Invalid refresh token"
        )
        assert envelope_ok(_me(server, keep["access_token"]))["account_url"] == user.name


# ---------------------------------------------------------------- imgurpython


def _png_file(tmp_path: Path, name: str = "up.png") -> Path:
    path = tmp_path / name
    path.write_bytes(unique_png(40, 30))
    return path


class TestImgurpython:
    def test_pin_flow_then_user_calls(
        self,
        server: LiveServer,
        app_a: tuple[str, str],
        user: User,
        imgurpython_at: Callable[[str], None],
        sent_requests: RequestLog,
        tmp_path: Path,
    ) -> None:
        imgurpython_at(server.url)
        client = imgurpython.ImgurClient(*app_a)
        url = client.get_auth_url("pin")
        assert url == f"{server.url}/oauth2/authorize?client_id={app_a[0]}&response_type=pin"
        with Browser(server.url) as b:
            page = b.open(url)
            pin = pin_from(b.submit(page, username=user.name, password=user.password))
        tokens = client.authorize(pin, "pin")
        assert set(tokens) == TOKEN_KEYS and tokens["account_username"] == user.name
        assert tokens["account_id"] == user.id
        client.set_user_auth(tokens["access_token"], tokens["refresh_token"])

        sent_requests.clear()
        up = client.upload_from_path(str(_png_file(tmp_path)), config={"title": "mine"}, anon=False)
        (req,) = sent_requests.to("POST", "/3/upload")
        assert req.headers["authorization"] == f"Bearer {tokens['access_token']}"
        assert up["account_url"] == user.name and up["account_id"] == user.id and up["title"] == "mine"
        assert up["deletehash"]

        account = client.get_account("me")
        assert (account.id, account.url, account.pro_expiration) == (user.id, user.name, False)
        settings = client.get_account_settings("me")
        assert isinstance(settings, AccountSettings) and settings.email == user.email
        assert settings.album_privacy == "public" and settings.blocked_users == []
        assert [i.id for i in client.get_account_images("me")] == [up["id"]]
        assert client.get_account_images("me", page=1) == []
        assert client.get_account_image_ids("me") == [up["id"]]
        assert client.get_account_images_count("me") == 1
        assert client.change_account_settings("me", {"bio": "via imgurpython", "public_images": True}) is True
        assert client.get_account(user.name).bio == "via imgurpython"
        assert client.favorite_image(up["id"]) == "favorited"
        assert client.get_image(up["id"]).favorite is True
        # The owner deletes by id: no deletehash needed with a user token.
        assert client.delete_image(up["id"]) is True
        assert client.get_account_images_count("me") == 0

    def test_authorization_code_grant(
        self, server: LiveServer, app_a: tuple[str, str], user: User, imgurpython_at: Callable[[str], None]
    ) -> None:
        imgurpython_at(server.url)
        client = imgurpython.ImgurClient(*app_a)
        with Browser(server.url) as b:
            page = b.open(client.get_auth_url("code"))
            _, query, _ = location_parts(b.submit(page, username=user.name, password=user.password))
        tokens = client.authorize(query["code"], "authorization_code")
        assert tokens["account_username"] == user.name
        client.set_user_auth(tokens["access_token"], tokens["refresh_token"])
        assert client.get_account("me").url == user.name

    def test_refreshes_an_expired_token_on_403(
        self,
        restricted_server: LiveServer,
        restricted_app: tuple[str, str],
        restricted_user: Any,
        imgurpython_at: Callable[[str], None],
        sent_requests: RequestLog,
        tmp_path: Path,
    ) -> None:
        """On the restricted server access tokens live three seconds."""
        srv, creds = restricted_server, restricted_app
        u = restricted_user()
        imgurpython_at(srv.url)
        client = imgurpython.ImgurClient(*creds)
        with Browser(srv.url) as b:
            pin = pin_from(b.submit(b.open(client.get_auth_url("pin")), username=u.name, password=u.password))
        tokens = client.authorize(pin, "pin")
        assert tokens["expires_in"] == RESTRICTED_TOKEN_LIFETIME
        client.set_user_auth(tokens["access_token"], tokens["refresh_token"])
        time.sleep(RESTRICTED_TOKEN_LIFETIME + 1.1)

        sent_requests.clear()
        up = client.upload_from_path(str(_png_file(tmp_path)), anon=False)
        assert up["account_url"] == u.name
        calls = [(r.method, r.path) for r in sent_requests.sent]
        assert calls == [("POST", "/3/upload"), ("POST", "/oauth2/token"), ("POST", "/3/upload")]
        first, refresh, retry = sent_requests.sent
        assert first.headers["authorization"] == f"Bearer {tokens['access_token']}"
        assert "authorization" not in refresh.headers  # AuthWrapper.refresh sends none
        assert parse_qs(refresh.body.decode())["grant_type"] == ["refresh_token"]
        new_access = client.auth.get_current_access_token()
        assert new_access != tokens["access_token"]
        assert retry.headers["authorization"] == f"Bearer {new_access}"


# ---------------------------------------------------------------- PyImgur


class TestPyImgur:
    def test_pin_flow_refresh_and_user_calls(
        self,
        server: LiveServer,
        app_a: tuple[str, str],
        user: User,
        pyimgur_at: Callable[[str], None],
        sent_requests: RequestLog,
        tmp_path: Path,
    ) -> None:
        pyimgur_at(server.url)
        im = pyimgur.Imgur(app_a[0], app_a[1])
        url = im.authorization_url("pin")
        assert url == f"{server.url}/oauth2/authorize?client_id={app_a[0]}&response_type=pin&state="
        with Browser(server.url) as b:
            pin = pin_from(b.submit(b.open(url), username=user.name, password=user.password))
        access, refresh = im.exchange_pin(pin)
        assert (im.access_token, im.refresh_token) == (access, refresh)

        me = im.get_user("me")
        assert (me.name, me.id) == (user.name, user.id)
        sent_requests.clear()
        img = im.upload_image(str(_png_file(tmp_path)), title="from pyimgur")
        (req,) = sent_requests.to("POST", "/3/image")
        assert req.headers["authorization"] == f"Bearer {access}"
        data = envelope_ok(httpx.get(f"{server.url}/3/image/{img.id}", headers=user.bearer, timeout=60))
        assert data["account_url"] == user.name and data["title"] == "from pyimgur"

        # PyImgur pages until a page comes back empty.
        assert [i.id for i in me.get_images()] == [img.id]
        assert me.get_settings()["email"] == user.email
        stats = me.get_statistics()
        assert stats["total_images"] == 1 and stats["total_size"] == data["size"]
        assert me.change_settings(bio="pyimgur bio", album_privacy="hidden") is True
        assert im.get_user(user.name).bio == "pyimgur bio"

        new_access = im.refresh_access_token()
        assert new_access != access and im.access_token == new_access
        assert envelope_error(_me(server, access), 403)["error"] == INVALID_TOKEN
        assert im.get_user("me").name == user.name
        # With a token, PyImgur deletes by id.
        assert img.delete() is True
        envelope_error(httpx.get(f"{server.url}/3/image/{img.id}", headers=user.bearer, timeout=60), 404)

    def test_code_flow(
        self, server: LiveServer, app_a: tuple[str, str], user: User, pyimgur_at: Callable[[str], None]
    ) -> None:
        pyimgur_at(server.url)
        im = pyimgur.Imgur(app_a[0], app_a[1])
        with Browser(server.url) as b:
            _, query, _ = location_parts(
                b.submit(
                    b.open(im.authorization_url("code", state="py")),
                    username=user.name,
                    password=user.password,
                )
            )
        assert query["state"] == "py"
        im.exchange_code(query["code"])
        assert im.get_user("me").name == user.name

    def test_get_user_without_a_token(
        self,
        server: LiveServer,
        session_client: tuple[str, str],
        user: User,
        pyimgur_at: Callable[[str], None],
    ) -> None:
        pyimgur_at(server.url)
        im = pyimgur.Imgur(session_client[0])
        u = im.get_user(user.name)
        assert (u.name, u.id, u.bio, u.reputation) == (user.name, user.id, None, 0.0)
        assert isinstance(u.created, int)
