from __future__ import annotations

import asyncio
import fcntl
import hashlib
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from imghost.errors import ServiceUnavailable
from imghost.locks.base import InProcessLocks


class FileLocks:
    """flock() on files in the data directory: holds across processes on one host.

    In-process locks sit in front so that one process never polls a file lock against itself."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self._local = InProcessLocks()

    @asynccontextmanager
    async def hold(self, name: str, *, timeout: float = 30.0) -> AsyncIterator[None]:
        async with self._local.hold(name, timeout):
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

    async def close(self) -> None:
        return None
