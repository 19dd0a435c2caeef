from __future__ import annotations

import asyncio
import fcntl
import hashlib
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from weakref import WeakValueDictionary

from imghost.errors import ServiceUnavailable


class FileLocks:
    """flock() on files in the data directory: holds across processes on one host.

    An asyncio.Lock per name sits in front so that one process never waits on itself in a thread."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self._local: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()

    @asynccontextmanager
    async def hold(self, name: str, *, timeout: float = 30.0) -> AsyncIterator[None]:
        lock = self._local.get(name)
        if lock is None:
            lock = asyncio.Lock()
            self._local[name] = lock
        try:
            await asyncio.wait_for(lock.acquire(), timeout)
        except TimeoutError:
            raise ServiceUnavailable() from None
        try:
            digest = hashlib.sha1(name.encode()).hexdigest()
            fd = os.open(self.dir / f"{digest[:3]}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                deadline = time.monotonic() + timeout
                delay = 0.001
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() > deadline:
                            raise ServiceUnavailable() from None
                        await asyncio.sleep(delay)
                        delay = min(delay * 2, 0.05)
                try:
                    yield
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
        finally:
            lock.release()

    async def close(self) -> None:
        return None
