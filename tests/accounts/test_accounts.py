"""Accounts: sign-up in the three registration modes and with a captcha, username
and password rules, how passwords are kept, sign-in throttling, the Account and Settings objects, the
owner's image lists and their paging, favorites, and deleting an account with everything it owns.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import string
import time
from typing import Any

import httpx
import imgurpython
import pytest

from tests.accounts.helpers import (
    ACCOUNT_KEYS,
    CAPTCHA_SECRET,
    INVALID_TOKEN,
    RESTRICTED_LOGIN_ATTEMPTS,
    RESTRICTED_LOGIN_WINDOW,
    SETTINGS_KEYS,
    STATS_KEYS,
    Browser,
    CaptchaHost,
    User,
    db_rows,
    exchange,
    location_parts,
    new_token,
    parse_page,
    password_grant,
    register,
    sqlite_db,
    unique_name,
    unique_png,
)
from tests.api.helpers import IMAGE_KEYS, envelope_error, envelope_ok, upload
from tests.live import LiveServer, stored_keys

BAD_USERNAME = "Usernames are 4 to 63 letters and digits"
TAKEN = "That username is already taken"
BAD_LOGIN = "Invalid username or password"
THROTTLED = "Too many failed sign-in attempts. Try again later."


def _no_account(srv: LiveServer, name: str) -> None:
    data = envelope_error(httpx.get(f"{srv.url}/3/account/{name}", timeout=60), 404)
    assert data["error"] == f"Unable to find an account with the username, {name}"


def _get(srv: LiveServer, path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
    return envelope_ok(httpx.get(f"{srv.url}{path}", headers=headers, params=params or None, timeout=60))


# ---------------------------------------------------------------- registration modes
# private_server (closed) and invite_server come from conftest.py.


class TestRegistration:
    def test_open_signup_returns_the_account(
        self, server: LiveServer, session_client: tuple[str, str]
    ) -> None:
        name = unique_name("Open")
        before = int(time.time())
        data = envelope_ok(
            register(server, session_client[0], name, "open-password-1", f"{name}@example.org")
        )
        assert set(data) == ACCOUNT_KEYS
        assert data["url"] == name and type(data["id"]) is int
        assert before - 1 <= data["created"] <= int(time.time()) + 1
        assert _get(server, f"/3/account/{name}") == data
        t = password_grant(server, session_client, name, "open-password-1")
        assert t.status_code == 200 and t.json()["account_id"] == data["id"]

    def test_signup_needs_an_application(self, server: LiveServer) -> None:
        name = unique_name()
        r = httpx.post(
            f"{server.url}/3/account/{name}",
            data={"email": f"{name}@example.org", "password": "password-123"},
            timeout=60,
        )
        assert envelope_error(r, 401)["error"] == "Authentication required"
        _no_account(server, name)

    def test_closed(self, private_server: LiveServer, private_app: tuple[str, str]) -> None:
        name = unique_name()
        r = register(private_server, private_app[0], name, "closed-password", f"{name}@example.org")
        assert envelope_error(r, 403)["error"] == "Registration is closed"
        _no_account(private_server, name)
        # The operator still can.
        out = private_server.cli(
            "user",
            "create",
            name,
            "--password",
            "closed-password",
            "--email",
            f"{name}@example.org",
            "--json",
        )
        made = json.loads(out.stdout)
        assert made["username"] == name
        assert _get(private_server, f"/3/account/{name}")["id"] == made["id"]

    def test_invite(self, invite_server: LiveServer, invite_app: tuple[str, str]) -> None:
        app = invite_app
        name = unique_name()
        for extra in ({}, {"invite": "no-such-code"}):
            r = register(invite_server, app[0], name, "invite-password", f"{name}@example.org", **extra)
            assert envelope_error(r, 403)["error"] == "Registration needs a valid invite code"
        _no_account(invite_server, name)
        code = invite_server.cli("user", "invite").stdout.strip()
        assert len(code) >= 12
        assert (
            envelope_ok(
                register(invite_server, app[0], name, "invite-password", f"{name}@example.org", invite=code)
            )["url"]
            == name
        )
        # One code, one account.
        again = unique_name()
        r = register(invite_server, app[0], again, "invite-password", f"{again}@example.org", invite=code)
        assert envelope_error(r, 403)["error"] == "Registration needs a valid invite code"
        _no_account(invite_server, again)
        # A code refused for a bad password is not spent.
        code2 = invite_server.cli("user", "invite").stdout.strip()
        r = register(invite_server, app[0], again, "short", f"{again}@example.org", invite_code=code2)
        assert envelope_error(r, 400)["error"] == "Passwords need at least 8 characters"
        assert (
            envelope_ok(
                register(
                    invite_server, app[0], again, "invite-password", f"{again}@example.org", invite_code=code2
                )
            )["url"]
            == again
        )


# ---------------------------------------------------------------- captcha


class TestCaptcha:
    """The restricted server checks sign-ups with the local siteverify endpoint."""

    def test_missing_or_wrong_answer_is_refused(
        self, restricted_server: LiveServer, restricted_app: tuple[str, str], captcha_host: CaptchaHost
    ) -> None:
        captcha_server, captcha_app = restricted_server, restricted_app
        name = unique_name()
        r = register(captcha_server, captcha_app[0], name, "captcha-password", f"{name}@example.org")
        assert envelope_error(r, 400)["error"] == "The captcha was not solved"
        captcha_host.calls.clear()
        r = register(
            captcha_server, captcha_app[0], name, "captcha-password", f"{name}@example.org", captcha="bad"
        )
        assert envelope_error(r, 400)["error"] == "The captcha was not solved"
        assert captcha_host.calls == [
            {"secret": [CAPTCHA_SECRET], "response": ["bad"], "remoteip": ["127.0.0.1"]}
        ]
        _no_account(captcha_server, name)

    @pytest.mark.parametrize(
        "field_name", ["captcha", "g-recaptcha-response", "h-captcha-response", "cf-turnstile-response"]
    )
    def test_solved(
        self,
        restricted_server: LiveServer,
        restricted_app: tuple[str, str],
        captcha_host: CaptchaHost,
        field_name: str,
    ) -> None:
        captcha_server, captcha_app = restricted_server, restricted_app
        name = unique_name()
        captcha_host.calls.clear()
        r = register(
            captcha_server,
            captcha_app[0],
            name,
            "captcha-password",
            f"{name}@example.org",
            **{field_name: "good"},
        )
        assert envelope_ok(r)["url"] == name
        assert [c["response"] for c in captcha_host.calls] == [["good"]]


# ---------------------------------------------------------------- names, passwords, sign-in


class TestNamesAndPasswords:
    @pytest.mark.parametrize(
        "name",
        [
            "abc",
            "a" * 64,
            "bad_name1",
            "bad-name1",
            "bad.name1",
            "üsername1",
            "two words",
            "admin",
            "root",
            "settings",
            "oauth2",
        ],
    )
    def test_invalid_usernames(self, server: LiveServer, session_client: tuple[str, str], name: str) -> None:
        r = register(server, session_client[0], name, "password-123", "x@example.org")
        assert envelope_error(r, 400)["error"] == BAD_USERNAME

    def test_length_limits_are_inclusive(self, server: LiveServer, session_client: tuple[str, str]) -> None:
        for n in (4, 63):
            name = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n))
            r = register(server, session_client[0], name, "password-123", "x@example.org")
            assert envelope_ok(r)["url"] == name

    def test_names_are_unique_regardless_of_case(
        self, server: LiveServer, session_client: tuple[str, str]
    ) -> None:
        name = unique_name("Case")
        first = envelope_ok(register(server, session_client[0], name, "password-123", "x@example.org"))
        for variant in (name, name.upper(), name.lower()):
            r = register(server, session_client[0], variant, "password-123", "x@example.org")
            assert envelope_error(r, 400)["error"] == TAKEN
        # Lookup ignores case too, and answers with the name as it was registered.
        assert _get(server, f"/3/account/{name.upper()}") == first

    @pytest.mark.parametrize(
        ("email", "password", "message"),
        [
            ("not-an-email", "password-123", "A valid email address is required"),
            ("", "password-123", "A valid email address is required"),
            ("a@example.org", "short", "Passwords need at least 8 characters"),
            ("a@example.org", "", "Passwords need at least 8 characters"),
            ("a@example.org", "x" * 1025, "Password is too long"),
        ],
    )
    def test_email_and_password_rules(
        self, server: LiveServer, session_client: tuple[str, str], email: str, password: str, message: str
    ) -> None:
        name = unique_name()
        r = register(server, session_client[0], name, password, email)
        assert envelope_error(r, 400)["error"] == message
        _no_account(server, name)

    def test_database_never_holds_a_password_or_token(
        self, server: LiveServer, session_client: tuple[str, str]
    ) -> None:
        name = unique_name("Hash")
        password = f"Plain-Secret-{unique_name()}"
        envelope_ok(register(server, session_client[0], name, password, f"{name}@example.org"))
        u = User(name=name, password=password, email="", id=0)
        tokens = new_token(server, session_client, u)
        ((stored,),) = db_rows(server, "SELECT password_hash FROM accounts WHERE username = ?", (name,))
        assert stored.startswith("$argon2id$") and password not in stored
        secrets = (password, tokens["access_token"], tokens["refresh_token"])
        if sqlite_db(server) is not None:
            files = [p for p in server.data_dir.glob("imghost.db*") if p.is_file()]
            assert files
            for path in files:
                raw = path.read_bytes()
                for secret in secrets:
                    assert secret.encode() not in raw, f"{secret!r} in {path.name}"
        else:  # every column of every row, as text
            for table in ("accounts", "tokens", "auth_codes"):
                dump = " ".join(str(r) for r in db_rows(server, f"SELECT * FROM {table}"))
                for secret in secrets:
                    assert secret not in dump, f"{secret!r} in {table}"
        ((access_hash,),) = db_rows(
            server, "SELECT access_hash FROM tokens WHERE account_id = ?", (tokens["account_id"],)
        )
        assert access_hash == hashlib.sha256(tokens["access_token"].encode()).hexdigest()
        # Two accounts with one password get different hashes (salted).
        other = unique_name("Hash")
        envelope_ok(register(server, session_client[0], other, password, f"{other}@example.org"))
        ((stored2,),) = db_rows(server, "SELECT password_hash FROM accounts WHERE username = ?", (other,))
        assert stored2 != stored


def _window_start(window: int) -> None:
    """Sleep until just after a fixed window begins, so a burst of attempts falls into one window."""
    left = window - time.time() % window
    if left < window - 0.3:
        time.sleep(left + 0.05)


class TestThrottling:
    """On the restricted server three failed sign-ins lock a name for the rest of a five-second window,
    through the token endpoint and the sign-in form alike."""

    def test_failures_lock_the_name_until_the_window_passes(
        self, restricted_server: LiveServer, restricted_app: tuple[str, str], restricted_user: Any
    ) -> None:
        srv, app = restricted_server, restricted_app
        victim, bystander = restricted_user("T"), restricted_user("T")
        window = RESTRICTED_LOGIN_WINDOW

        def sign_in(browser: Browser, name: str, password: str) -> httpx.Response:
            page = browser.open(f"/oauth2/authorize?client_id={app[0]}&response_type=code&state=t")
            return browser.submit(page, username=name, password=password)

        with Browser(srv.url) as b:
            _window_start(window)
            for _ in range(RESTRICTED_LOGIN_ATTEMPTS - 1):
                r = password_grant(srv, app, victim.name, "wrong-password")
                assert envelope_error(r, 401)["error"] == BAD_LOGIN
            r = sign_in(b, victim.name, "wrong-password")
            assert r.status_code == 401 and parse_page(r).by_id.get("error") == BAD_LOGIN
            # Now even the right password is refused, whatever the case of the name.
            for name in (victim.name, victim.name.upper()):
                r = password_grant(srv, app, name, victim.password)
                assert envelope_error(r, 429)["error"] == THROTTLED and "access_token" not in r.text
            r = sign_in(b, victim.name, victim.password)
            assert r.status_code == 429 and "location" not in r.headers
            assert r.headers["content-type"].startswith("text/html")
            assert parse_page(r).by_id.get("error") == THROTTLED
            # Only that name is locked.
            assert password_grant(srv, app, bystander.name, bystander.password).status_code == 200
            time.sleep(window - time.time() % window + 0.1)
            assert password_grant(srv, app, victim.name, victim.password).status_code == 200
            _, query, _ = location_parts(sign_in(b, victim.name, victim.password))
            assert query["code"] and query["state"] == "t"


# ---------------------------------------------------------------- Account and Settings objects


class TestAccountObject:
    def test_shape_with_and_without_headers(
        self, server: LiveServer, session_client: tuple[str, str], user: User, other_user: User
    ) -> None:
        plain = _get(server, f"/3/account/{user.name}")
        assert set(plain) == ACCOUNT_KEYS
        assert plain["id"] == user.id and type(plain["id"]) is int
        assert plain["url"] == user.name and plain["bio"] is None
        assert plain["reputation"] == 0 and type(plain["reputation"]) is float
        assert plain["reputation_name"] == "Neutral"
        assert type(plain["created"]) is int and abs(plain["created"] - time.time()) < 300
        assert plain["pro_expiration"] is False
        assert plain["avatar"] is None and plain["cover"] is None
        assert plain["user_follow"] == {"status": False} and plain["is_blocked"] is False
        for headers in ({"Authorization": f"Client-ID {session_client[0]}"}, user.bearer, other_user.bearer):
            assert _get(server, f"/3/account/{user.name}", headers) == plain
        # ?account_id= looks the account up by id instead of by the name in the path.
        assert _get(server, f"/3/account/{other_user.name}", None, account_id=str(user.id)) == plain

    def test_unknown(self, server: LiveServer) -> None:
        _no_account(server, "nosuchaccount1")
        r = httpx.get(f"{server.url}/3/account/x", params={"account_id": "999999999"}, timeout=60)
        assert envelope_error(r, 404)["error"] == "Unable to find an account with the id, 999999999"

    def test_imgurpython_reads_it_without_a_user(
        self, server: LiveServer, session_client: tuple[str, str], user: User, imgurpython_at: Any
    ) -> None:
        imgurpython_at(server.url)
        account = imgurpython.ImgurClient(*session_client).get_account(user.name)
        assert (account.id, account.url, account.bio, account.reputation, account.pro_expiration) == (
            user.id,
            user.name,
            None,
            0.0,
            False,
        )


class TestSettings:
    def test_all_fields_and_defaults(self, server: LiveServer, user: User) -> None:
        s = _get(server, f"/3/account/{user.name}/settings", user.bearer)
        assert SETTINGS_KEYS <= set(s)
        expected = {
            "account_url": user.name,
            "email": user.email,
            "high_quality": False,
            "public_images": False,
            "album_privacy": "public",
            "pro_expiration": False,
            "accepted_gallery_terms": False,
            "active_emails": [],
            "messaging_enabled": True,
            "blocked_users": [],
            "show_mature": False,
            "first_party": True,
            "newsletter_subscribed": False,
        }
        assert {k: s[k] for k in SETTINGS_KEYS} == expected

    def test_put_and_post_change_settings(self, server: LiveServer, user: User) -> None:
        path = f"{server.url}/3/account/{user.name}/settings"
        r = httpx.put(
            path,
            headers=user.bearer,
            timeout=60,
            data={
                "bio": "hello there",
                "public_images": "true",
                "messaging_enabled": "0",
                "show_mature": "1",
                "newsletter_subscribed": "True",
                "accepted_gallery_terms": "yes",
                "album_privacy": "hidden",
            },
        )
        assert envelope_ok(r) is True
        s = _get(server, f"/3/account/{user.name}/settings", user.bearer)
        assert (
            s["public_images"],
            s["messaging_enabled"],
            s["show_mature"],
            s["newsletter_subscribed"],
            s["accepted_gallery_terms"],
            s["album_privacy"],
        ) == (True, False, True, True, True, "hidden")
        assert _get(server, f"/3/account/{user.name}")["bio"] == "hello there"
        # JSON booleans (PyImgur sends Python values) and POST work the same; unsent fields stay.
        r = httpx.post(
            path, headers=user.bearer, timeout=60, json={"public_images": False, "album_privacy": "secret"}
        )
        assert envelope_ok(r) is True
        s = _get(server, f"/3/account/{user.name}/settings", user.bearer)
        assert (s["public_images"], s["show_mature"], s["album_privacy"]) == (False, True, "secret")
        assert _get(server, f"/3/account/{user.name}")["bio"] == "hello there"
        r = httpx.post(
            path,
            headers=user.bearer,
            timeout=60,
            data={"album_privacy": "public", "email": "new@example.org"},
        )
        assert envelope_ok(r) is True
        s = _get(server, f"/3/account/{user.name}/settings", user.bearer)
        assert (s["album_privacy"], s["email"]) == ("public", "new@example.org")

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            (
                {"album_privacy": "private", "bio": "must not stick"},
                "album_privacy must be public, hidden or secret",
            ),
            (
                {"album_privacy": "", "bio": "must not stick"},
                "album_privacy must be public, hidden or secret",
            ),
            ({"email": "nope", "bio": "must not stick"}, "A valid email address is required"),
            ({"username": "no", "bio": "must not stick"}, BAD_USERNAME),
            ({"username": "bad_name", "bio": "must not stick"}, BAD_USERNAME),
            ({"bio": "x" * 5000}, "bio is too long"),
        ],
    )
    def test_invalid_values_change_nothing(
        self, server: LiveServer, user: User, fields: dict[str, str], message: str
    ) -> None:
        r = httpx.post(
            f"{server.url}/3/account/{user.name}/settings", headers=user.bearer, data=fields, timeout=60
        )
        assert envelope_error(r, 400)["error"] == message
        s = _get(server, f"/3/account/{user.name}/settings", user.bearer)
        assert (s["account_url"], s["album_privacy"], s["email"]) == (user.name, "public", user.email)
        assert _get(server, f"/3/account/{user.name}")["bio"] is None

    def test_username_change(
        self, server: LiveServer, session_client: tuple[str, str], user: User, other_user: User
    ) -> None:
        image = upload(server, user.bearer)
        new = unique_name("Renamed")
        r = httpx.post(
            f"{server.url}/3/account/{user.name}/settings",
            headers=user.bearer,
            data={"username": new},
            timeout=60,
        )
        assert envelope_ok(r) is True
        _no_account(server, user.name)
        assert _get(server, f"/3/account/{new}")["id"] == user.id
        assert (
            _get(server, "/3/account/me/settings", user.bearer)["account_url"] == new
        )  # the token still works
        assert _get(server, f"/3/image/{image['id']}", user.bearer)["account_url"] == new
        renamed = User(name=new, password=user.password, email=user.email, id=user.id)
        assert new_token(server, session_client, renamed)["account_username"] == new
        assert password_grant(server, session_client, user.name, user.password).status_code == 401
        # Taken names, whatever their case, are refused; changing only the case of one's own name is fine.
        r = httpx.post(
            f"{server.url}/3/account/me/settings",
            headers=user.bearer,
            data={"username": other_user.name.upper()},
            timeout=60,
        )
        assert envelope_error(r, 400)["error"] == TAKEN
        r = httpx.post(
            f"{server.url}/3/account/me/settings",
            headers=user.bearer,
            data={"username": new.upper()},
            timeout=60,
        )
        assert envelope_ok(r) is True
        assert _get(server, f"/3/account/{new}")["url"] == new.upper()


# ---------------------------------------------------------------- the owner's images


@pytest.fixture
def five(server: LiveServer, user: User) -> list[dict[str, Any]]:
    return [upload(server, user.bearer, title=f"n{i}") for i in range(5)]


class TestImageLists:
    def test_count_ids_and_pages(self, server: LiveServer, user: User, five: list[dict[str, Any]]) -> None:
        base, h = f"/3/account/{user.name}", user.bearer
        uploaded = {i["id"] for i in five}
        assert _get(server, f"{base}/images/count", h) == 5
        ids = _get(server, f"{base}/images/ids", h)
        assert len(ids) == 5 and set(ids) == uploaded
        assert _get(server, f"{base}/images/ids/0", h) == ids
        assert _get(server, f"{base}/images/ids/1", h) == []
        full = _get(server, f"{base}/images", h)
        assert [i["id"] for i in full] == ids  # one order for both lists
        datetimes = [i["datetime"] for i in full]
        assert datetimes == sorted(datetimes, reverse=True)  # newest first
        for item in full:
            assert set(item) == IMAGE_KEYS
            assert item["account_url"] == user.name and item["account_id"] == user.id and item["deletehash"]
        pages = [[i["id"] for i in _get(server, f"{base}/images/{p}", h, perPage="2")] for p in range(4)]
        assert pages == [ids[0:2], ids[2:4], ids[4:5], []]
        # `page` in the query (ShareX) means the same as in the path.
        for p in range(4):
            assert [i["id"] for i in _get(server, f"{base}/images", h, page=str(p), perPage="2")] == pages[p]
            assert _get(server, f"{base}/images/ids/{p}", h, perPage="2") == pages[p]
        assert _get(server, f"{base}/images/99", h) == []
        assert _get(server, f"{base}/images/ids/99", h, perPage="2") == []

    def test_one_image_of_the_account(
        self, server: LiveServer, session_client: tuple[str, str], user: User, other_user: User
    ) -> None:
        mine = upload(server, user.bearer, title="mine")
        theirs = upload(server, other_user.bearer)
        anon = upload(server, {"Authorization": f"Client-ID {session_client[0]}"})
        got = _get(server, f"/3/account/{user.name}/image/{mine['id']}", user.bearer)
        assert set(got) == IMAGE_KEYS and got["deletehash"] == mine["deletehash"] and got["title"] == "mine"
        for img in (theirs, anon):
            r = httpx.get(
                f"{server.url}/3/account/{user.name}/image/{img['id']}", headers=user.bearer, timeout=60
            )
            assert envelope_error(r, 404)["error"] == f"Unable to find an image with the id, {img['id']}"

    def test_stats(self, server: LiveServer, user: User) -> None:
        a, b = upload(server, user.bearer), upload(server, user.bearer)
        for _ in range(2):
            assert httpx.get(a["link"], timeout=60).status_code == 200
        s = _get(server, f"/3/account/{user.name}/stats", user.bearer)
        assert set(s) == STATS_KEYS and all(type(v) is int for v in s.values())
        assert s["total_images"] == 2 and s["total_size"] == a["size"] + b["size"]
        # The same numbers the image objects report at this moment.
        images = _get(server, f"/3/account/{user.name}/images", user.bearer)
        assert sum(i["views"] for i in images) == 2
        assert s["total_views"] == 2 and s["total_bandwidth"] == 2 * a["size"]

    def test_delete_by_deletehash(
        self, server: LiveServer, session_client: tuple[str, str], user: User, other_user: User
    ) -> None:
        mine, theirs = upload(server, user.bearer), upload(server, other_user.bearer)
        anon = upload(server, {"Authorization": f"Client-ID {session_client[0]}"})
        base = f"{server.url}/3/account/{user.name}/image"
        r = httpx.delete(f"{base}/{mine['id']}", headers=user.bearer, timeout=60)
        assert envelope_error(r, 400)["error"] == "This route needs the image's deletehash, not its id"
        for img in (theirs, anon):
            r = httpx.delete(f"{base}/{img['deletehash']}", headers=user.bearer, timeout=60)
            assert (
                envelope_error(r, 404)["error"] == f"Unable to find an image with the id, {img['deletehash']}"
            )
            assert httpx.get(img["link"], timeout=60).status_code == 200
        keys = stored_keys(server)
        assert (
            envelope_ok(httpx.delete(f"{base}/{mine['deletehash']}", headers=user.bearer, timeout=60)) is True
        )
        envelope_error(httpx.get(f"{server.url}/3/image/{mine['id']}", headers=user.bearer, timeout=60), 404)
        assert httpx.get(mine["link"], timeout=60).status_code == 404
        assert len(keys - stored_keys(server)) == 1
        assert _get(server, f"/3/account/{user.name}/images/count", user.bearer) == 0

    def test_owner_edits_and_deletes_by_id(
        self, server: LiveServer, session_client: tuple[str, str], user: User
    ) -> None:
        img = upload(server, user.bearer, title="before")
        url = f"{server.url}/3/image/{img['id']}"
        assert envelope_ok(httpx.post(url, headers=user.bearer, data={"title": "after"}, timeout=60)) is True
        assert (
            envelope_ok(httpx.put(url, headers=user.bearer, json={"description": "desc"}, timeout=60)) is True
        )
        mine = _get(server, f"/3/image/{img['id']}", user.bearer)
        assert (mine["title"], mine["description"]) == ("after", "desc")
        assert mine["deletehash"] == img["deletehash"] and mine["name"] == "pic.png"
        public = _get(server, f"/3/image/{img['id']}", {"Authorization": f"Client-ID {session_client[0]}"})
        assert public["deletehash"] == "" and public["name"] == "" and public["title"] == "after"
        keys = stored_keys(server)
        assert envelope_ok(httpx.delete(url, headers=user.bearer, timeout=60)) is True
        envelope_error(httpx.get(url, headers=user.bearer, timeout=60), 404)
        assert httpx.get(img["link"], timeout=60).status_code == 404
        assert len(keys - stored_keys(server)) == 1


# ---------------------------------------------------------------- favorites


class TestFavorites:
    def test_toggle_and_list(
        self, server: LiveServer, session_client: tuple[str, str], user: User, other_user: User
    ) -> None:
        client_h = {"Authorization": f"Client-ID {session_client[0]}"}
        a = upload(server, other_user.bearer)  # somebody else's image
        b = upload(server, client_h)  # an anonymous one
        fav = f"{server.url}/3/image/{{}}/favorite"
        assert envelope_ok(httpx.post(fav.format(a["id"]), headers=user.bearer, timeout=60)) == "favorited"
        time.sleep(1.1)  # favorites are ordered by the second they were made
        assert envelope_ok(httpx.post(fav.format(b["id"]), headers=user.bearer, timeout=60)) == "favorited"
        base = f"/3/account/{user.name}/favorites"
        newest = _get(server, base, user.bearer)
        assert [i["id"] for i in newest] == [b["id"], a["id"]]
        for item in newest:
            assert IMAGE_KEYS <= set(item) and item["favorite"] is True and item["is_album"] is False
            assert item["deletehash"] == ""  # favoriting does not make one the owner
        assert [i["id"] for i in _get(server, f"{base}/0", user.bearer)] == [b["id"], a["id"]]
        assert [i["id"] for i in _get(server, f"{base}/0/newest", user.bearer)] == [b["id"], a["id"]]
        assert [i["id"] for i in _get(server, f"{base}/0/oldest", user.bearer)] == [a["id"], b["id"]]
        assert _get(server, f"{base}/1", user.bearer) == []
        # `favorite` on an image is the viewer's own.
        assert _get(server, f"/3/image/{a['id']}", user.bearer)["favorite"] is True
        assert _get(server, f"/3/image/{a['id']}", other_user.bearer)["favorite"] is False
        assert _get(server, f"/3/image/{a['id']}", client_h)["favorite"] is False
        assert _get(server, f"/3/account/{other_user.name}/favorites", other_user.bearer) == []
        # Toggle off, and on again.
        assert envelope_ok(httpx.post(fav.format(a["id"]), headers=user.bearer, timeout=60)) == "unfavorited"
        assert [i["id"] for i in _get(server, base, user.bearer)] == [b["id"]]
        assert _get(server, f"/3/image/{a['id']}", user.bearer)["favorite"] is False
        assert envelope_ok(httpx.post(fav.format(a["id"]), headers=user.bearer, timeout=60)) == "favorited"
        # A deleted image leaves the list.
        assert (
            envelope_ok(httpx.delete(f"{server.url}/3/image/{b['deletehash']}", headers=client_h, timeout=60))
            is True
        )
        assert [i["id"] for i in _get(server, base, user.bearer)] == [a["id"]]

    def test_missing_image(self, server: LiveServer, user: User) -> None:
        r = httpx.post(f"{server.url}/3/image/zzzzzzz/favorite", headers=user.bearer, timeout=60)
        assert envelope_error(r, 404)["error"] == "Unable to find an image with the id, zzzzzzz"


# ---------------------------------------------------------------- deleting an account


class TestAccountDeletion:
    def test_everything_goes_except_what_others_share(
        self, server: LiveServer, session_client: tuple[str, str], new_user: Any
    ) -> None:
        owner, other = new_user(prefix="Del"), new_user(prefix="Keep")
        shared = unique_png(32, 32)
        theirs = upload(server, other.bearer, shared)
        keys_before = stored_keys(server)

        mine = [upload(server, owner.bearer), upload(server, owner.bearer)]
        same_bytes = upload(server, owner.bearer, shared)
        thumb = mine[0]["link"].rsplit(".", 1)[0] + "m.jpg"
        assert httpx.get(thumb, timeout=60).status_code == 200
        assert (
            len(stored_keys(server) - keys_before) == 3
        )  # two originals and one thumbnail; shared bytes once
        h = owner.bearer
        assert (
            envelope_ok(httpx.post(f"{server.url}/3/image/{theirs['id']}/favorite", headers=h, timeout=60))
            == "favorited"
        )
        assert (
            envelope_ok(
                httpx.post(f"{server.url}/3/image/{mine[0]['id']}/favorite", headers=other.bearer, timeout=60)
            )
            == "favorited"
        )
        second = new_token(server, session_client, owner)
        # Everyone has just looked at the images: whatever the server keeps in memory about them is fresh.
        for url in (thumb, *(i["link"] for i in (*mine, same_bytes))):
            assert httpx.get(url, timeout=60).status_code == 200

        assert (
            envelope_ok(httpx.delete(f"{server.url}/3/account/{owner.name}", headers=h, timeout=60)) is True
        )
        for url in (thumb, *(i["link"] for i in (*mine, same_bytes))):
            assert httpx.get(url, timeout=60).status_code == 404, f"{url} still served after the account went"

        _no_account(server, owner.name)
        for token in (owner.access_token, second["access_token"]):
            r = httpx.get(f"{server.url}/3/credits", headers={"Authorization": f"Bearer {token}"}, timeout=60)
            assert envelope_error(r, 403)["error"] == INVALID_TOKEN
        assert (
            envelope_error(exchange(server, session_client, "refresh_token", owner.refresh_token), 400)[
                "error"
            ]
            == "Invalid refresh token"
        )
        assert (
            envelope_error(password_grant(server, session_client, owner.name, owner.password), 401)["error"]
            == BAD_LOGIN
        )
        for img in (*mine, same_bytes):
            r = httpx.get(f"{server.url}/3/image/{img['id']}", headers=other.bearer, timeout=60)
            assert envelope_error(r, 404)["error"] == f"Unable to find an image with the id, {img['id']}"
        # The other account's copy of the shared bytes survives, byte for byte.
        assert _get(server, f"/3/image/{theirs['id']}", other.bearer)["id"] == theirs["id"]
        assert httpx.get(theirs["link"], timeout=60).content == shared
        assert stored_keys(server) == keys_before
        # Its favorite of a deleted image is gone with the image.
        assert _get(server, f"/3/account/{other.name}/favorites", other.bearer) == []

        for table, column in (
            ("accounts", "id"),
            ("tokens", "account_id"),
            ("favorites", "account_id"),
            ("images", "account_id"),
            ("auth_codes", "account_id"),
        ):
            assert db_rows(server, f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (owner.id,)) == [(0,)]
        assert db_rows(
            server,
            "SELECT b.refcount FROM blobs b JOIN images i ON i.blob_id = b.id WHERE i.id = ?",
            (theirs["id"],),
        ) == [(1,)]

        # The name is free again, for a new account that inherits nothing.
        again = envelope_ok(
            register(server, session_client[0], owner.name, "another-password", "n@example.org")
        )
        assert again["id"] != owner.id
        successor = User(owner.name, "another-password", "n@example.org", again["id"])
        h2 = {"Authorization": "Bearer " + new_token(server, session_client, successor)["access_token"]}
        assert _get(server, f"/3/account/{owner.name}/images/count", h2) == 0
        assert _get(server, f"/3/account/{owner.name}/favorites", h2) == []

    def test_operator_cli_delete(self, server: LiveServer, user: User, other_user: User) -> None:
        img = upload(server, user.bearer)
        keys = stored_keys(server)
        assert httpx.get(img["link"], timeout=60).status_code == 200  # the server has just served it
        out = server.cli("user", "delete", user.name)
        assert out.stdout.strip() == f"imghost: deleted account {user.name} and everything it owned"
        # Once the command returns, the running server no longer hands out the account's media.
        assert httpx.get(img["link"], timeout=60).status_code == 404
        _no_account(server, user.name)
        r = httpx.get(f"{server.url}/3/credits", headers=user.bearer, timeout=60)
        assert envelope_error(r, 403)["error"] == INVALID_TOKEN
        envelope_error(
            httpx.get(f"{server.url}/3/image/{img['id']}", headers=other_user.bearer, timeout=60), 404
        )
        assert len(keys - stored_keys(server)) == 1
        listed = json.loads(server.cli("user", "list", "--json").stdout)
        assert user.name not in {r["username"] for r in listed}
        (row,) = [r for r in listed if r["username"] == other_user.name]
        assert row == {
            "id": other_user.id,
            "username": other_user.name,
            "email": other_user.email,
            "created_at": row["created_at"],
        }  # never a password hash
        missing = server.cli("user", "delete", user.name, check=False)
        assert missing.returncode == 1
        assert missing.stderr.strip() == f"imghost: Unable to find an account with the username, {user.name}"
