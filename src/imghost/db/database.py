"""A deliberately small database layer: named-parameter SQL, two drivers.

Why not the ORM or SQLAlchemy's async engine: GET /3/image/{id} must run at a large fraction of a
hello-world route. A point read on sqlite3 takes a few microseconds, less than a hop to a thread pool,
so the SQLite driver runs statements directly on the event loop; PostgreSQL uses an asyncpg pool.
Repositories write portable SQL with :name parameters; each driver rewrites it once and caches it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
import threading
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

from imghost.errors import InvalidRequest, ServiceUnavailable

log = logging.getLogger(__name__)

Row = Mapping[str, Any]
_PARAM = re.compile(r"(?<!:):([a-zA-Z_][a-zA-Z0-9_]*)")


class Connection(Protocol):
    async def fetch_one(self, sql: str, params: Mapping[str, Any] | None = None) -> Row | None: ...
    async def fetch_all(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]: ...
    async def fetch_value(self, sql: str, params: Mapping[str, Any] | None = None) -> Any: ...
    async def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int: ...
    async def execute_many(self, sql: str, params: Sequence[Mapping[str, Any]]) -> None: ...


class Database(Connection, Protocol):
    def transaction(self) -> Any: ...
    async def close(self) -> None: ...


# ---------------------------------------------------------------- SQLite


class _SqliteConn:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._c = conn

    def _run(self, sql: str, params: Mapping[str, Any] | None) -> sqlite3.Cursor:
        try:
            return self._c.execute(sql, params or {})
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "unable to open" in str(exc) or "disk I/O" in str(exc):
                raise ServiceUnavailable() from exc
            raise

    async def fetch_one(self, sql: str, params: Mapping[str, Any] | None = None) -> Row | None:
        row: Row | None = self._run(sql, params).fetchone()
        return row

    async def fetch_all(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._run(sql, params).fetchall()

    async def fetch_value(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        row = self._run(sql, params).fetchone()
        return None if row is None else next(iter(row.values()))

    async def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        return self._run(sql, params).rowcount

    async def execute_many(self, sql: str, params: Sequence[Mapping[str, Any]]) -> None:
        self._c.executemany(sql, params)


def _dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    return {d[0]: v for d, v in zip(cursor.description, row, strict=True)}


class _Checkpointer:
    """Passive WAL checkpoints every CHECKPOINT_SECONDS on a daemon thread with its own connection
    (sqlite3 lets go of the GIL while it works). Passive: it never waits for, nor holds up, a reader or
    a writer; what it cannot copy yet, the next round does. Every process on the file runs one."""

    CHECKPOINT_SECONDS = 1.0

    def __init__(self, path: Path) -> None:
        self._path = path
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error:
            log.exception("checkpoint connection failed")
            return
        try:
            while not self._stopping.wait(self.CHECKPOINT_SECONDS):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:
                    log.warning("WAL checkpoint failed; retried in %.0f s", self.CHECKPOINT_SECONDS)
            with contextlib.suppress(sqlite3.Error):
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            conn.close()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)


class SqliteDatabase(_SqliteConn):
    """One connection, used from the event loop thread only.

    Statements never yield to the loop, so a transaction body that awaits only this connection runs
    without interleaving; the lock covers bodies that do await something else."""

    def __init__(self, path: Path) -> None:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, cached_statements=256)
        conn.row_factory = _dict_row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        # Other worker processes may hold the write lock briefly; wait rather than fail.
        conn.execute("PRAGMA busy_timeout=5000")
        # Checkpoints off the event loop: SQLite would copy the WAL back into the database inside the
        # COMMIT that crosses its threshold, on this thread, where every request waits behind it (a
        # third of a vote's time under a storm of them). A thread with its own connection does it.
        conn.execute("PRAGMA wal_autocheckpoint=0")
        super().__init__(conn)
        self._tx_lock = asyncio.Lock()
        self._checkpoints = _Checkpointer(path)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_SqliteConn]:
        async with self._tx_lock:
            self._run("BEGIN IMMEDIATE", None)
            try:
                yield self
            except BaseException:
                self._c.execute("ROLLBACK")
                raise
            else:
                self._run("COMMIT", None)

    async def close(self) -> None:
        self._checkpoints.stop()
        self._c.close()


# ---------------------------------------------------------------- PostgreSQL


def _to_dollar(sql: str) -> tuple[str, list[str]]:
    names: list[str] = []

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return _PARAM.sub(sub, sql), names


_PG_DOWN: tuple[type[BaseException], ...] = (OSError, asyncio.TimeoutError, ConnectionError)


def _pg_errors() -> tuple[type[BaseException], ...]:
    import asyncpg

    # InternalClientError: a connection torn down mid-query (server stopping) leaves its state machine
    # half-way; it is an outage like the others, not a bug to report as 500.
    return (
        *_PG_DOWN,
        asyncpg.PostgresConnectionError,
        asyncpg.InterfaceError,
        asyncpg.InternalClientError,
        asyncpg.exceptions.CannotConnectNowError,
        asyncpg.exceptions.AdminShutdownError,
        # A deadlock or serialization failure rolled the whole transaction back: nothing was done, and
        # the client may retry. The services take locks in one order so that this stays a last resort.
        asyncpg.exceptions.TransactionRollbackError,
    )


def _pg_input_errors() -> tuple[type[BaseException], ...]:
    import asyncpg

    return (asyncpg.exceptions.DataError,)


class _PgConn:
    def __init__(self, conn: Any, cache: dict[str, tuple[str, list[str]]]) -> None:
        self._conn = conn
        self._cache = cache

    def _prep(self, sql: str, params: Mapping[str, Any] | None) -> tuple[str, list[Any]]:
        hit = self._cache.get(sql)
        if hit is None:
            hit = self._cache[sql] = _to_dollar(sql)
        text, names = hit
        p = params or {}
        return text, [p[n] for n in names]

    async def fetch_one(self, sql: str, params: Mapping[str, Any] | None = None) -> Row | None:
        text, args = self._prep(sql, params)
        row: Row | None = await self._conn.fetchrow(text, *args)
        return row

    async def fetch_all(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        text, args = self._prep(sql, params)
        rows: list[Row] = await self._conn.fetch(text, *args)
        return rows

    async def fetch_value(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        text, args = self._prep(sql, params)
        return await self._conn.fetchval(text, *args)

    async def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        text, args = self._prep(sql, params)
        status = await self._conn.execute(text, *args)
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isdigit() else 0

    async def execute_many(self, sql: str, params: Sequence[Mapping[str, Any]]) -> None:
        if not params:
            return
        text, names = self._prep(sql, params[0])[0], self._cache[sql][1]
        await self._conn.executemany(text, [[p[n] for n in names] for p in params])


class PostgresDatabase:
    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._pool: Any = None
        self._cache: dict[str, tuple[str, list[str]]] = {}
        self._errors = _pg_errors()
        self._input_errors = _pg_input_errors()

    async def connect(self) -> None:
        import asyncpg

        class _NoReset(asyncpg.Connection):  # type: ignore[misc]
            # The pool's default reset (unlock advisory locks, close cursors, UNLISTEN, RESET ALL) is a
            # round trip on every release. imghost sets none of those on pooled connections.
            def get_reset_query(self) -> str:
                return ""

        try:
            self._pool = await asyncpg.create_pool(
                self._dsn, min_size=1, max_size=10, timeout=5, command_timeout=30, connection_class=_NoReset
            )
        except self._errors as exc:
            raise ServiceUnavailable() from exc

    @asynccontextmanager
    async def _acquire(self) -> AsyncIterator[_PgConn]:
        if self._pool is None:
            await self.connect()
        try:
            async with self._pool.acquire(timeout=5) as conn:
                yield _PgConn(conn, self._cache)
        except self._errors as exc:
            raise ServiceUnavailable() from exc
        except self._input_errors as exc:
            # The last line of defence: the services keep values PostgreSQL refuses (NUL in text, numbers
            # out of range) from reaching it, and anything that slips through is bad input, not a 500.
            raise InvalidRequest("Invalid parameters") from exc

    async def fetch_one(self, sql: str, params: Mapping[str, Any] | None = None) -> Row | None:
        async with self._acquire() as c:
            return await c.fetch_one(sql, params)

    async def fetch_all(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        async with self._acquire() as c:
            return await c.fetch_all(sql, params)

    async def fetch_value(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        async with self._acquire() as c:
            return await c.fetch_value(sql, params)

    async def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        async with self._acquire() as c:
            return await c.execute(sql, params)

    async def execute_many(self, sql: str, params: Sequence[Mapping[str, Any]]) -> None:
        async with self._acquire() as c:
            await c.execute_many(sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_PgConn]:
        async with self._acquire() as c:
            try:
                async with c._conn.transaction():
                    yield c
            except self._errors as exc:
                raise ServiceUnavailable() from exc

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()


def asyncpg_dsn(url: str) -> str:
    """SQLAlchemy-style URLs (postgresql+asyncpg://) to what asyncpg accepts."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest


def sync_url(url: str) -> str:
    """The SQLAlchemy URL Alembic uses (a sync driver)."""
    scheme, rest = url.split("://", 1)
    if scheme.startswith("postgres"):
        return "postgresql+psycopg://" + rest
    return url
