"""The embedded database's WAL is copied back into the database file by the checkpoint thread, not by
the COMMIT of whichever request crossed SQLite's threshold: the rows reach the main file within a few
checkpoint periods though no statement of the app's connection checkpoints, and closing stops the thread."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import threading
import time
from pathlib import Path

from imghost.db.database import SqliteDatabase


def _rows_in_main_file(path: Path, copy: Path) -> int:
    """The rows a reader of the main database file alone sees (its WAL left behind)."""
    shutil.copyfile(path, copy)
    conn = sqlite3.connect(copy)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM t").fetchone()[0])
    except sqlite3.OperationalError:  # the table itself is still only in the WAL
        return -1
    finally:
        conn.close()


def test_commits_do_not_checkpoint_and_the_thread_does(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"

    async def main() -> None:
        db = SqliteDatabase(path)
        try:
            assert await db.fetch_value("PRAGMA wal_autocheckpoint") == 0
            async with db.transaction() as tx:
                await tx.execute("CREATE TABLE t (n INTEGER)")
                await tx.execute_many("INSERT INTO t VALUES (:n)", [{"n": n} for n in range(500)])
            deadline = time.monotonic() + 10
            while _rows_in_main_file(path, tmp_path / "copy.sqlite") != 500:
                assert time.monotonic() < deadline, "the WAL was never checkpointed"
                await asyncio.sleep(0.2)
        finally:
            await db.close()
        assert not [t for t in threading.enumerate() if t.name == "sqlite-checkpoint"]

    asyncio.run(main())
