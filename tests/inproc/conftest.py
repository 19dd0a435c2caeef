"""In-process service tests: the real services, built by `Services.start` from a `Settings` on a temporary
directory, without a server process, so the rules beneath the HTTP contract are tested where they live.

The backend is the suite's (tests/conftest.py): the embedded default (SQLite, local disk, in-process counters),
or PostgreSQL, S3 and Redis where the IMGHOST_TEST_* variables name them, taken as tests/live.py hands them to a
live server. Each test gets what a live server gets: a data directory, an S3 prefix and a Redis prefix of its
own (tests/live.py `isolation`), and on PostgreSQL a database of its own, copied from one migrated for the
session and dropped afterwards, so no test sees another's rows.

The services are async and bound to the event loop that started them: a test hands `inproc.run` a coroutine
function, which runs in one `asyncio.run` between `Services.start` and `close()`.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import create_engine, make_url

from imghost.db import migrate
from imghost.db.database import sync_url
from imghost.domain.images import keys
from imghost.services import Services, open_store
from imghost.settings import Settings
from tests.live import backend_env, isolation

T = TypeVar("T")

# Every backend knob, empty unless the test environment names it: an IMGHOST_DATABASE_URL (or the like) in the
# environment of the test run must not point these tests at a deployment's own services.
_EMBEDDED = {
    "database_url": "",
    "storage_url": "",
    "redis_url": "",
    "s3_endpoint_url": "",
    "s3_access_key": "",
    "s3_secret_key": "",
    "s3_region": "us-east-1",
    "s3_redirect": False,
}


@dataclass
class InProc:
    """One test's services: `settings` to build them from, `run` to use them."""

    settings: Settings

    def run(self, body: Callable[[Services], Awaitable[T]], **overrides: Any) -> T:
        """`body(services)` on services started from these settings (changed by `overrides`), closed after."""
        settings = self.settings.model_copy(update=overrides) if overrides else self.settings

        async def main() -> T:
            svc = await Services.start(settings)
            try:
                return await body(svc)
            finally:
                await svc.close()

        return asyncio.run(main())


def _database(base: str, name: str) -> str:
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def _admin(sql: str) -> None:
    engine = create_engine(sync_url(os.environ["IMGHOST_TEST_DATABASE_URL"]), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | None]:
    """On PostgreSQL, the name of a database migrated to head once, for each test to be copied from."""
    base = os.environ.get("IMGHOST_TEST_DATABASE_URL")
    if not base:
        yield None
        return
    name = f"inproc_template_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        migrate.upgrade(
            Settings(data_dir=tmp_path_factory.mktemp("inproc-template"), database_url=_database(base, name))
        )
        yield name
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def inproc(tmp_path: Path, postgres_template: str | None) -> Iterator[InProc]:
    data = tmp_path / "data"
    env = {**backend_env(), **isolation(data)}
    values: dict[str, Any] = {**_EMBEDDED, **{k.removeprefix("IMGHOST_").lower(): v for k, v in env.items()}}
    database = None
    if postgres_template is not None:
        # A copy of the migrated template: as fresh as a migration, at the cost of a file copy.
        database = f"inproc_{uuid.uuid4().hex[:12]}"
        _admin(f'CREATE DATABASE "{database}" TEMPLATE "{postgres_template}"')
        values["database_url"] = _database(os.environ["IMGHOST_TEST_DATABASE_URL"], database)
    settings = Settings(data_dir=data, public_url="http://127.0.0.1:1", **values)
    try:
        if database is None:
            migrate.upgrade(settings)
        yield InProc(settings)
    finally:
        if settings.storage_url:
            asyncio.run(_empty_store(settings))
        if database is not None:
            _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


async def _empty_store(settings: Settings) -> None:
    """Remove what the test stored under its own S3 prefix, so a shared bucket is left as it was found."""
    store = open_store(settings)
    try:
        found = [obj.key for prefix in keys.PREFIXES async for obj in store.list(prefix)]
        for key in found:
            await store.delete(key)
    finally:
        await store.close()
