"""Fixtures most community test modules share: one HTTP client on the session server, whose requests
each say who is calling, an application's Client-ID header for reads, and a client that sends it by
default (to read back what a test did)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.community.gallery_helpers import client_auth
from tests.live import LiveServer


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    # Room for the tests that call from many threads at once.
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    with httpx.Client(base_url=server.url, timeout=60, limits=limits) as c:
        yield c


@pytest.fixture(scope="module")
def anon(session_client: tuple[str, str]) -> dict[str, str]:
    return client_auth(session_client[0])


@pytest.fixture(scope="module")
def reader(server: LiveServer, anon: dict[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers=anon, timeout=60) as c:
        yield c
