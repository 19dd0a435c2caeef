"""Fixtures for account and OAuth tests: fresh users with unique names and fresh tokens for them.

Users are created through the API (`POST /3/account/{name}`, the self-service sign-up) or through the
operator CLI (`imghost user create`); tokens come from `POST /oauth2/token` with grant_type=password.
The request recorder / off-host guard and the base-URL redirection of the client libraries are the ones
the client-library tests use.

`restricted_server` is a second imghost with the strict settings several tests need at once (a server
start is the most expensive thing here, so they share it): sign-up behind a captcha checked by the local
`captcha_host`, access tokens that live three seconds, no password grant, and sign-in locked after three
failures per name in a five-second window.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from tests.accounts.helpers import (
    CAPTCHA_SECRET,
    RESTRICTED_LOGIN_ATTEMPTS,
    RESTRICTED_LOGIN_WINDOW,
    RESTRICTED_TOKEN_LIFETIME,
    CaptchaHost,
    User,
    make_user,
    new_token,
)

# The autouse recorder refuses any request the libraries would send off this machine.
from tests.clients.conftest import imgurpython_at, pyimgur_at, sent_requests  # noqa: F401
from tests.live import LiveServer, free_port, start_server

UserFactory = Callable[..., User]


@pytest.fixture
def new_user(server: LiveServer, session_client: tuple[str, str]) -> UserFactory:
    """new_user(via="api"|"cli", token=True, prefix="u") -> a fresh User on the session server."""

    def make(via: str = "api", token: bool = True, prefix: str = "u") -> User:
        return make_user(server, session_client, via=via, token=token, prefix=prefix)

    return make


@pytest.fixture
def user(new_user: UserFactory) -> User:
    """A fresh account (created through the API) with an access token."""
    return new_user()


@pytest.fixture
def other_user(new_user: UserFactory) -> User:
    """A second fresh account with its own token."""
    return new_user(prefix="o")


@pytest.fixture
def cli_user(new_user: UserFactory) -> User:
    """A fresh account made by the operator CLI (`imghost user create`), with a token."""
    return new_user(via="cli", prefix="c")


@pytest.fixture
def token_for(server: LiveServer, session_client: tuple[str, str]) -> Callable[[User], dict[str, Any]]:
    """token_for(user) -> a new token response (password grant) for that user; the user keeps its first."""

    def issue(u: User) -> dict[str, Any]:
        t = new_token(server, session_client, u)
        u.extra_tokens.append(t)
        return t

    return issue


@pytest.fixture
def as_user(server: LiveServer) -> Iterator[Callable[[User], httpx.Client]]:
    """as_user(user) -> an httpx client sending `Authorization: Bearer <user's access token>`."""
    opened: list[httpx.Client] = []

    def client(u: User) -> httpx.Client:
        c = httpx.Client(base_url=server.url, headers=u.bearer, timeout=60)
        opened.append(c)
        return c

    yield client
    for c in opened:
        c.close()


# ---------------------------------------------------------------- the restricted server


@pytest.fixture(scope="session")
def captcha_host() -> Iterator[CaptchaHost]:
    """A siteverify endpoint (the reCAPTCHA/hCaptcha/Turnstile protocol): {"success": true} only for the
    response "good". Records every form it receives."""
    host = CaptchaHost()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            host.calls.append(form)
            body = json.dumps({"success": form.get("response") == ["good"]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    host.url = f"http://127.0.0.1:{httpd.server_address[1]}/siteverify"
    thread = threading.Thread(target=httpd.serve_forever, name="captcha-host", daemon=True)
    thread.start()
    try:
        yield host
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


@pytest.fixture(scope="session")
def restricted_server(tmp_path_factory: pytest.TempPathFactory, captcha_host: CaptchaHost) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("imghost-restricted")
    srv = start_server(data, port=free_port(), extra_env={
        "IMGHOST_CAPTCHA_PROVIDER": "custom",
        "IMGHOST_CAPTCHA_SECRET": CAPTCHA_SECRET,
        "IMGHOST_CAPTCHA_VERIFY_URL": captcha_host.url,
        "IMGHOST_TOKEN_LIFETIME": str(RESTRICTED_TOKEN_LIFETIME),
        "IMGHOST_OAUTH_PASSWORD_GRANT": "false",
        "IMGHOST_LOGIN_ATTEMPTS": str(RESTRICTED_LOGIN_ATTEMPTS),
        "IMGHOST_LOGIN_WINDOW": str(RESTRICTED_LOGIN_WINDOW),
    })
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="session")
def restricted_app(restricted_server: LiveServer) -> tuple[str, str]:
    return restricted_server.create_client("restricted", "http://127.0.0.1:9/b-callback")


@pytest.fixture
def restricted_user(restricted_server: LiveServer, restricted_app: tuple[str, str]) -> UserFactory:
    """restricted_user() -> a fresh account on the restricted server (signed up with a solved captcha), no
    token: that server has no password grant."""

    def make(prefix: str = "r") -> User:
        return make_user(restricted_server, restricted_app, token=False, prefix=prefix, captcha="good")

    return make
