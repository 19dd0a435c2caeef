"""Fixtures for the album tests: one persistent HTTP client on the session server, fresh accounts with
tokens, and the Client-ID header of the suite's application.

The request recorder / off-host guard and the base-URL redirection of the client libraries are the ones the
client-library tests use; the recorder is autouse, so no album test can reach the real Imgur."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.albums.helpers import User, client_auth, make_account
from tests.clients.conftest import imgurpython_at, pyimgur_at, sent_requests  # noqa: F401
from tests.live import LiveServer


@pytest.fixture(scope="session")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    """No default Authorization header: every call passes the caller's own."""
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    with httpx.Client(base_url=server.url, timeout=60, limits=limits) as c:
        yield c


@pytest.fixture(scope="session")
def anon(session_client: tuple[str, str]) -> dict[str, str]:
    """`Authorization: Client-ID …` of the suite's registered application."""
    return client_auth(session_client[0])


@pytest.fixture
def new_account(http: httpx.Client, session_client: tuple[str, str]) -> Callable[..., User]:
    def make(prefix: str = "al") -> User:
        return make_account(http, session_client, prefix)

    return make


@pytest.fixture
def alice(new_account: Callable[..., User]) -> User:
    return new_account("alice")


@pytest.fixture
def bob(new_account: Callable[..., User]) -> User:
    return new_account("bob")


@pytest.fixture(scope="module")
def carol(http: httpx.Client, session_client: tuple[str, str]) -> User:
    """One account shared by a module's tests that only ever look at albums they made themselves."""
    return make_account(http, session_client, "carol")
