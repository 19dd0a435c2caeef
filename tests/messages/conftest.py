"""Fixtures of the message tests: the suite's session server (tests/conftest.py), one HTTP client on it,
and three fresh accounts per test: two parties and a third who must learn nothing."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.accounts.helpers import User, make_user
from tests.live import LiveServer


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


@pytest.fixture
def trio(server: LiveServer, session_client: tuple[str, str]) -> tuple[User, User, User]:
    return (
        make_user(server, session_client, prefix="alice"),
        make_user(server, session_client, prefix="bob"),
        make_user(server, session_client, prefix="carol"),
    )
