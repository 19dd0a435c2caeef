"""Fixtures for account and OAuth tests: fresh users with unique names and fresh tokens for them.

Users are created through the API (`POST /3/account/{name}`, the self-service sign-up) or through the
operator CLI (`imghost user create`); tokens come from `POST /oauth2/token` with grant_type=password.
The request recorder / off-host guard and the base-URL redirection of the client libraries are the ones
the client-library tests use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

# The autouse recorder refuses any request the libraries would send off this machine.
from tests.clients.conftest import imgurpython_at, pyimgur_at, sent_requests  # noqa: F401
from tests.accounts.helpers import User, make_user, new_token
from tests.live import LiveServer

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
