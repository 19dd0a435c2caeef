""" "Download my data": an account's archive (the format of `imghost export`) built in the background,
with its progress in the database and the finished zip in the blob store, so that whichever process
answers the next page view can show the progress and hand out the file.

The archive writer is passed in (services.py wires the one in domain.imports.archive). A build runs as a
task of the process that was asked; if that process dies, the row stops moving and is reported as
interrupted after `STALE` seconds, so the person can start again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from imghost.db.database import Database, Row
from imghost.domain.accounts.model import Account
from imghost.errors import ImghostError, NotFound
from imghost.storage.base import BlobStore

log = logging.getLogger(__name__)

STALE = 600
KEEP = 3  # finished archives kept per account; older ones are removed when a new one starts
PREFIX = "x/"

Progress = Callable[[int, int], None]
Writer = Callable[[Account, Path, Progress], Awaitable[None]]


def archive_key(export_id: str) -> str:
    return f"{PREFIX}{export_id}.zip"


@dataclass(frozen=True, slots=True)
class Export:
    id: str
    status: str  # running | ready | failed
    done: int
    total: int
    size: int
    error: str | None
    created_at: int
    updated_at: int

    @property
    def percent(self) -> int:
        return 100 if self.status == "ready" else int(100 * self.done / self.total) if self.total else 0


class ExportService:
    def __init__(self, db: Database, store: BlobStore, tmp_dir: Path) -> None:
        self.db = db
        self.store = store
        self.tmp_dir = tmp_dir
        self.writer: Writer | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, account: Account) -> Export:
        """A new archive of the account, unless one is being built already (then that one)."""
        current = await self.latest(account.id)
        if current is not None and current.status == "running":
            return current
        await self._prune(account.id)
        export_id = secrets.token_hex(16)
        now = int(time.time())
        await self.db.execute(
            "INSERT INTO exports (id, account_id, status, done, total, size, created_at, updated_at)"
            " VALUES (:id, :a, 'running', 0, 0, 0, :now, :now)",
            {"id": export_id, "a": account.id, "now": now},
        )
        task = asyncio.create_task(self._build(export_id, account))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return await self._get(account.id, export_id)

    async def latest(self, account_id: int) -> Export | None:
        row = await self.db.fetch_one(
            "SELECT * FROM exports WHERE account_id = :a ORDER BY created_at DESC, id LIMIT 1",
            {"a": account_id},
        )
        return None if row is None else _export(row)

    async def download(self, account_id: int, export_id: str) -> tuple[Export, AsyncIterator[bytes]]:
        """The finished archive's bytes, for its owner only (another's id is not found)."""
        export = await self._get(account_id, export_id)
        if export.status != "ready":
            raise NotFound("That archive is not ready")
        return export, self.store.stream(archive_key(export.id))

    async def sweep(self) -> int:
        """Stored archives without a row (an account deleted, a build cut short): removed."""
        known = {r["id"] for r in await self.db.fetch_all("SELECT id FROM exports")}
        removed = 0
        async for obj in self.store.list(PREFIX):
            name = obj.key[len(PREFIX) :].removesuffix(".zip")
            if name not in known and obj.modified < time.time() - STALE:
                await self.store.delete(obj.key)
                removed += 1
        return removed

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task

    async def _get(self, account_id: int, export_id: str) -> Export:
        row = await self.db.fetch_one(
            "SELECT * FROM exports WHERE id = :id AND account_id = :a", {"id": export_id, "a": account_id}
        )
        if row is None:
            raise NotFound("No such archive")
        return _export(row)

    async def _build(self, export_id: str, account: Account) -> None:
        path = self.tmp_dir / f"export-{export_id}.zip"
        last = [0.0]
        pending: list[asyncio.Task[None]] = []

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.5 or done == total:
                last[0] = now
                pending.append(asyncio.ensure_future(self._progress(export_id, done, total)))

        try:
            if self.writer is None:
                raise ImghostError("Archives cannot be built here")
            await self.writer(account, path, progress)
            for t in pending:
                await t
            size = path.stat().st_size
            await self.store.put_file(archive_key(export_id), path, "application/zip", move=True)
            await self._finish(export_id, "ready", size=size)
        except asyncio.CancelledError:
            await asyncio.shield(self._finish(export_id, "failed", error="The server stopped; start again"))
            raise
        except Exception as exc:
            log.warning("an archive build failed: %s", type(exc).__name__)
            public = exc.public if isinstance(exc, ImghostError) else "The archive could not be built"
            await self._finish(export_id, "failed", error=public)
        finally:
            path.unlink(missing_ok=True)

    async def _progress(self, export_id: str, done: int, total: int) -> None:
        await self.db.execute(
            "UPDATE exports SET done = :d, total = :t, updated_at = :now WHERE id = :id AND status = 'running'",
            {"d": done, "t": total, "now": int(time.time()), "id": export_id},
        )

    async def _finish(self, export_id: str, status: str, *, size: int = 0, error: str | None = None) -> None:
        await self.db.execute(
            "UPDATE exports SET status = :s, size = :size, error = :e, done = total, updated_at = :now"
            " WHERE id = :id",
            {"s": status, "size": size, "e": error, "now": int(time.time()), "id": export_id},
        )

    async def _prune(self, account_id: int) -> None:
        rows = await self.db.fetch_all(
            "SELECT id FROM exports WHERE account_id = :a ORDER BY created_at DESC, id", {"a": account_id}
        )
        for row in rows[KEEP - 1 :]:
            await self.store.delete(archive_key(row["id"]))
            await self.db.execute("DELETE FROM exports WHERE id = :id", {"id": row["id"]})


def _export(row: Row) -> Export:
    status = row["status"]
    error = row["error"]
    if status == "running" and int(row["updated_at"]) < time.time() - STALE:
        status, error = "failed", "The build was interrupted; start again"
    return Export(
        id=row["id"],
        status=status,
        done=int(row["done"]),
        total=int(row["total"]),
        size=int(row["size"]),
        error=error,
        created_at=int(row["created_at"]),
        updated_at=int(row["updated_at"]),
    )
