"""The fixture itself: the services are the backend the test environment names, and each test has its own."""

from __future__ import annotations

import os

from imghost.db.database import PostgresDatabase, SqliteDatabase
from imghost.locks.local import FileLocks
from imghost.locks.redis import RedisLocks
from imghost.services import Services
from imghost.storage.local import LocalStore
from imghost.storage.s3 import S3Store
from tests.inproc.conftest import InProc
from tests.inproc.helpers import app, count, put, stored_keys

# (Redis prefix, storage URL) of each test that ran _isolated so far.
_prefixes: list[tuple[str, str]] = []


def test_the_backend_is_the_one_the_environment_names(inproc: InProc) -> None:
    async def body(svc: Services) -> None:
        want_pg = bool(os.environ.get("IMGHOST_TEST_DATABASE_URL"))
        assert isinstance(svc.db, PostgresDatabase if want_pg else SqliteDatabase)
        assert isinstance(svc.store, S3Store if os.environ.get("IMGHOST_TEST_STORAGE_URL") else LocalStore)
        assert isinstance(svc.locks, RedisLocks if os.environ.get("IMGHOST_TEST_REDIS_URL") else FileLocks)
        if want_pg:
            # A database of this test's own, not the shared one the environment names.
            assert svc.settings.database_url != os.environ["IMGHOST_TEST_DATABASE_URL"]

    inproc.run(body)


def _isolated(inproc: InProc) -> None:
    """Each of two tests finds an empty database and store, and has Redis keys and an S3 prefix (when on S3)
    of its own, whichever runs first."""

    async def body(svc: Services) -> None:
        assert await count(svc, "SELECT COUNT(*) FROM images") == 0
        assert await stored_keys(svc) == set()
        await put(svc, await app(svc))
        assert len(await stored_keys(svc)) == 1

    inproc.run(body)
    redis, storage = inproc.settings.redis_prefix, inproc.settings.storage_url
    assert all(redis != r and (not storage or storage != s) for r, s in _prefixes)
    _prefixes.append((redis, storage))


def test_isolated_first(inproc: InProc) -> None:
    _isolated(inproc)


def test_isolated_second(inproc: InProc) -> None:
    _isolated(inproc)
