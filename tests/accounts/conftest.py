"""Fixtures for account and OAuth tests: fresh users with unique names and fresh tokens for them.

Users are created through the API (`POST /3/account/{name}`, the self-service sign-up) or through the
operator CLI (`imghost user create`); tokens come from `POST /oauth2/token` with grant_type=password.
The request recorder / off-host guard and the base-URL redirection of the client libraries are the ones
the client-library tests use.

`restricted_server` is an imghost with the strict settings several tests need at once (a server start is
the most expensive thing here, so they share it): sign-up behind a captcha checked by the local
`captcha_host`, access tokens that live three seconds, and sign-in locked after three failures per name
in a five-second window. `private_server` (registration closed, no password grant) and `invite_server`
(registration by invite) start alongside it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

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
from tests.live import LiveServer, free_port, http_thread, start_server

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

    with http_thread(Handler, "captcha-host") as base:
        host.url = f"{base}/siteverify"
        yield host


@pytest.fixture(scope="session")
def side_servers(
    tmp_path_factory: pytest.TempPathFactory, captcha_host: CaptchaHost
) -> Iterator[dict[str, tuple[LiveServer, tuple[str, str]]]]:
    """The servers with special settings, each with one registered application. They start side by side
    (a start is mostly waiting), once per session:

    - private: registration closed (the operator makes accounts), no password grant;
    - invite: registration by invite code;
    - restricted: see the module docstring.
    """
    envs = {
        "private": {"IMGHOST_REGISTRATION": "closed", "IMGHOST_OAUTH_PASSWORD_GRANT": "false"},
        "invite": {"IMGHOST_REGISTRATION": "invite"},
        "restricted": {
            "IMGHOST_CAPTCHA_PROVIDER": "custom",
            "IMGHOST_CAPTCHA_SECRET": CAPTCHA_SECRET,
            "IMGHOST_CAPTCHA_VERIFY_URL": captcha_host.url,
            "IMGHOST_TOKEN_LIFETIME": str(RESTRICTED_TOKEN_LIFETIME),
            "IMGHOST_LOGIN_ATTEMPTS": str(RESTRICTED_LOGIN_ATTEMPTS),
            "IMGHOST_LOGIN_WINDOW": str(RESTRICTED_LOGIN_WINDOW),
        },
    }
    ports: set[int] = set()
    while len(ports) < len(envs):
        ports.add(free_port())
    started: dict[str, LiveServer] = {}
    lock = threading.Lock()

    def boot(name: str, port: int) -> tuple[LiveServer, tuple[str, str]]:
        srv = start_server(tmp_path_factory.mktemp(f"imghost-{name}"), port=port, extra_env=envs[name])
        with lock:
            started[name] = srv
        return srv, srv.create_client(name, "http://127.0.0.1:9/b-callback")

    try:
        with ThreadPoolExecutor(len(envs)) as pool:
            futures = {
                name: pool.submit(boot, name, port) for name, port in zip(envs, sorted(ports), strict=True)
            }
            servers = {name: f.result() for name, f in futures.items()}
        yield servers
    finally:
        for srv in started.values():
            srv.stop()


@pytest.fixture(scope="session")
def private_server(side_servers: dict[str, tuple[LiveServer, tuple[str, str]]]) -> LiveServer:
    return side_servers["private"][0]


@pytest.fixture(scope="session")
def private_app(side_servers: dict[str, tuple[LiveServer, tuple[str, str]]]) -> tuple[str, str]:
    return side_servers["private"][1]


@pytest.fixture(scope="session")
def invite_server(side_servers: dict[str, tuple[LiveServer, tuple[str, str]]]) -> LiveServer:
    return side_servers["invite"][0]


@pytest.fixture(scope="session")
def invite_app(side_servers: dict[str, tuple[LiveServer, tuple[str, str]]]) -> tuple[str, str]:
    return side_servers["invite"][1]


@pytest.fixture(scope="session")
def restricted_server(side_servers: dict[str, tuple[LiveServer, tuple[str, str]]]) -> LiveServer:
    return side_servers["restricted"][0]


@pytest.fixture(scope="session")
def restricted_app(side_servers: dict[str, tuple[LiveServer, tuple[str, str]]]) -> tuple[str, str]:
    return side_servers["restricted"][1]


@pytest.fixture
def restricted_user(restricted_server: LiveServer, restricted_app: tuple[str, str]) -> UserFactory:
    """restricted_user() -> a fresh account on the restricted server (signed up with a solved captcha), no
    token (one would live three seconds)."""

    def make(prefix: str = "r") -> User:
        return make_user(restricted_server, restricted_app, token=False, prefix=prefix, captcha="good")

    return make
