"""Session fixtures for the backing services the unit tests run against: always real servers.

CI may start the services itself and hand them over through IMGHOST_TEST_REDIS_URL and
IMGHOST_TEST_S3_ENDPOINT_URL / _ACCESS_KEY / _SECRET_KEY (/ _REGION); otherwise the fixtures start private
servers from tests/services.py and stop them when the session ends.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator

import pytest

from tests.services import RedisServer, S3Config, SeaweedServer, drop_bucket


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    url = os.environ.get("IMGHOST_TEST_REDIS_URL")
    if url:
        yield url
        return
    with RedisServer() as srv:
        yield srv.url


@pytest.fixture(scope="session")
def s3_server() -> Iterator[tuple[str, str, str, str]]:
    """(endpoint_url, access_key, secret_key, region) of a reachable S3 server."""
    endpoint = os.environ.get("IMGHOST_TEST_S3_ENDPOINT_URL")
    region = os.environ.get("IMGHOST_TEST_S3_REGION") or "us-east-1"
    if endpoint:
        yield (
            endpoint,
            os.environ.get("IMGHOST_TEST_S3_ACCESS_KEY", ""),
            os.environ.get("IMGHOST_TEST_S3_SECRET_KEY", ""),
            region,
        )
        return
    with SeaweedServer() as srv:
        yield srv.endpoint_url, srv.access_key, srv.secret_key, region


@pytest.fixture(scope="session")
def s3_config(s3_server: tuple[str, str, str, str]) -> Iterator[S3Config]:
    """A bucket of its own for this session, created through S3Store.ensure_bucket and removed afterwards."""
    endpoint, key, secret, region = s3_server
    cfg = S3Config(endpoint, key, secret, f"imghost-test-{secrets.token_hex(4)}", region)
    asyncio.run(cfg.store().ensure_bucket())
    try:
        yield cfg
    finally:
        drop_bucket(cfg)
