"""Shared fixtures. The API tests drive a real `imghost serve` process over real HTTP.

The backend under test comes from the environment, so the same suite runs on the embedded default and on
PostgreSQL + S3 + Redis:
  IMGHOST_TEST_DATABASE_URL, IMGHOST_TEST_STORAGE_URL, IMGHOST_TEST_REDIS_URL,
  IMGHOST_TEST_S3_ENDPOINT_URL, IMGHOST_TEST_S3_ACCESS_KEY, IMGHOST_TEST_S3_SECRET_KEY
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.live import UNLIMITED, LiveServer, free_port, start_server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("imghost-data")
    # Budgets large enough for the whole suite; rate limiting itself is tested on servers of its own.
    srv = start_server(
        data,
        port=free_port(),
        extra_env={
            **UNLIMITED,
        },
    )
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="session")
def session_client(server: LiveServer) -> tuple[str, str]:
    return server.create_client("suite")


@pytest.fixture
def client_creds(server: LiveServer) -> tuple[str, str]:
    """A fresh application, for tests that count credits."""
    return server.create_client()


@pytest.fixture
def api(server: LiveServer, session_client: tuple[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Client-ID {session_client[0]}"}, timeout=60
    ) as c:
        yield c


@pytest.fixture
def raw(server: LiveServer) -> Iterator[httpx.Client]:
    """No Authorization header."""
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c
