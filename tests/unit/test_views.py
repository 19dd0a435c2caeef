"""ViewCounter: counts stay visible while a batch is being written, and survive a failed write."""

from __future__ import annotations

import asyncio
from pathlib import Path

from imghost.db import migrate
from imghost.db.database import SqliteDatabase
from imghost.domain.images.views import ViewCounter
from imghost.settings import Settings


def _db(tmp_path: Path) -> SqliteDatabase:
    settings = Settings(data_dir=tmp_path)
    migrate.upgrade(settings)
    return SqliteDatabase(tmp_path / "imghost.db")


def test_counts_stay_visible_during_a_flush(tmp_path: Path) -> None:
    async def go() -> None:
        db = _db(tmp_path)
        views = ViewCounter()
        views.add("abc1234", 100)
        views.add("abc1234", 50)
        release = asyncio.Event()

        async def hold_write_lock() -> None:
            async with db.transaction():
                await release.wait()

        holder = asyncio.create_task(hold_write_lock())
        await asyncio.sleep(0)
        flush = asyncio.create_task(views.flush(db))
        await asyncio.sleep(0.01)
        assert not flush.done()  # waiting for the database
        assert views.pending("abc1234") == (2, 150)  # not dropped while the batch is in flight
        views.add("abc1234", 10)
        assert views.pending("abc1234") == (3, 160)
        release.set()
        await asyncio.gather(holder, flush)
        assert views.pending("abc1234") == (1, 10)  # the written batch is the database's now
        await db.close()

    asyncio.run(go())


def test_a_failed_write_keeps_the_counts(tmp_path: Path) -> None:
    async def go() -> None:
        db = _db(tmp_path)
        views = ViewCounter()
        views.add("abc1234", 100)
        await db.close()  # every statement now fails
        await views.flush(db)
        assert views.pending("abc1234") == (1, 100)

    asyncio.run(go())
