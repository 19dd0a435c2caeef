"""Fixtures for the scale-out tests: several `imghost serve` processes on one PostgreSQL + S3 + Redis.

When the test environment provides the services (IMGHOST_TEST_DATABASE_URL, IMGHOST_TEST_STORAGE_URL,
IMGHOST_TEST_REDIS_URL, IMGHOST_TEST_S3_ENDPOINT_URL / _ACCESS_KEY / _SECRET_KEY / _REGION) they are used,
under an S3 prefix and a Redis prefix of each test module's own; otherwise private servers from
tests/services.py are started once for the session. Tests that take services away (test_faults.py) never
use these: they start services of their own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.live import LiveServer, free_port, start_server
from tests.services import PostgresServer, RedisServer, SeaweedServer

BUCKET = "imghost-scale"

Launch = Callable[..., LiveServer]


def _ci(name: str) -> str:
    return os.environ.get(f"IMGHOST_TEST_{name}", "")


@pytest.fixture(scope="session")
def scale_services() -> Iterator[dict[str, str]]:
    """Base environment for PostgreSQL + S3 + Redis; each value from CI when given, else a private server."""
    own: list[PostgresServer | RedisServer | SeaweedServer] = []
    try:
        env: dict[str, str] = {}
        if _ci("DATABASE_URL"):
            env["IMGHOST_DATABASE_URL"] = _ci("DATABASE_URL")
        else:
            pg = PostgresServer()
            own.append(pg)
            pg.start()
            env["IMGHOST_DATABASE_URL"] = pg.dsn
        if _ci("REDIS_URL"):
            env["IMGHOST_REDIS_URL"] = _ci("REDIS_URL")
        else:
            redis = RedisServer()
            own.append(redis)
            redis.start()
            env["IMGHOST_REDIS_URL"] = redis.url
        if _ci("STORAGE_URL") and _ci("S3_ENDPOINT_URL"):
            env.update(
                IMGHOST_STORAGE_URL=_ci("STORAGE_URL"),
                IMGHOST_S3_ENDPOINT_URL=_ci("S3_ENDPOINT_URL"),
                IMGHOST_S3_ACCESS_KEY=_ci("S3_ACCESS_KEY"),
                IMGHOST_S3_SECRET_KEY=_ci("S3_SECRET_KEY"),
                IMGHOST_S3_REGION=_ci("S3_REGION") or "us-east-1",
            )
        else:
            # No bucket is made here: every imghost server creates its bucket at startup (ensure_bucket).
            s3 = SeaweedServer()
            own.append(s3)
            s3.start()
            env.update(
                IMGHOST_STORAGE_URL=f"s3://{BUCKET}/media",
                IMGHOST_S3_ENDPOINT_URL=s3.endpoint_url,
                IMGHOST_S3_ACCESS_KEY=s3.access_key,
                IMGHOST_S3_SECRET_KEY=s3.secret_key,
                IMGHOST_S3_REGION="us-east-1",
            )
        yield env
    finally:
        for srv in reversed(own):
            srv.close()


def _drop_prefix(env: dict[str, str]) -> None:
    """Remove what this module stored under its own prefix, so a shared bucket is left as it was found."""
    import obstore
    from obstore.store import S3Store

    bucket, _, prefix = env["IMGHOST_STORAGE_URL"].removeprefix("s3://").partition("/")
    endpoint = env["IMGHOST_S3_ENDPOINT_URL"]
    store = S3Store(
        bucket,
        endpoint=endpoint,
        access_key_id=env["IMGHOST_S3_ACCESS_KEY"],
        secret_access_key=env["IMGHOST_S3_SECRET_KEY"],
        region=env["IMGHOST_S3_REGION"],
        virtual_hosted_style_request=False,
        client_options={"allow_http": endpoint.startswith("http:")},
    )
    paths = [m["path"] for batch in obstore.list(store, prefix=prefix) for m in batch]
    if paths:
        obstore.delete(store, paths)


@pytest.fixture(scope="module")
def shared_backend(
    scale_services: dict[str, str], request: pytest.FixtureRequest
) -> Iterator[dict[str, str]]:
    """The env every server of one test module shares: same database, same S3 prefix, same Redis prefix."""
    tag = f"scale-{request.module.__name__.rsplit('.', 1)[-1]}-{uuid.uuid4().hex[:8]}"
    env = {
        **scale_services,
        "IMGHOST_STORAGE_URL": f"{scale_services['IMGHOST_STORAGE_URL'].rstrip('/')}/{tag}",
        "IMGHOST_REDIS_PREFIX": f"t-{tag}:",
    }
    yield env
    try:
        _drop_prefix(env)
    except Exception:  # the service may be gone already; nothing refers to these objects
        pass


def _launcher(factory: pytest.TempPathFactory) -> tuple[Launch, list[LiveServer]]:
    started: list[LiveServer] = []

    def launch(
        env: dict[str, str], *, data_dir: Path | None = None, workers: int = 1, name: str = "srv"
    ) -> LiveServer:
        srv = start_server(data_dir or factory.mktemp(name), port=free_port(), extra_env=env, workers=workers)
        started.append(srv)
        return srv

    return launch, started


@pytest.fixture
def launch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launch]:
    """Start `imghost serve` processes for one test; every one is stopped when the test ends."""
    fn, started = _launcher(tmp_path_factory)
    try:
        yield fn
    finally:
        for srv in started:
            srv.stop()


@pytest.fixture(scope="module")
def module_launch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launch]:
    """Like `launch`, for servers a whole module shares."""
    fn, started = _launcher(tmp_path_factory)
    try:
        yield fn
    finally:
        for srv in started:
            srv.stop()
