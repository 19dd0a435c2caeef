from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from imghost.errors import ServiceUnavailable


class LockService(Protocol):
    def hold(self, name: str, *, timeout: float = 30.0) -> AbstractAsyncContextManager[None]:
        """Hold a named lock across every imghost process sharing this deployment.

        Raises ServiceUnavailable if it cannot be had within timeout."""

    async def close(self) -> None: ...


class InProcessLocks:
    """One asyncio.Lock per name, in front of a cross-process lock: coroutines of one process queue here
    instead of polling the shared lock against each other."""

    def __init__(self) -> None:
        from weakref import WeakValueDictionary

        self._locks: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()

    @asynccontextmanager
    async def hold(self, name: str, timeout: float) -> AsyncIterator[None]:
        lock = self._locks.get(name)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[name] = lock
        try:
            # asyncio.timeout, unlike wait_for, takes a free lock without scheduling a task for it.
            async with asyncio.timeout(timeout):
                await lock.acquire()
        except TimeoutError:
            raise ServiceUnavailable() from None
        try:
            yield
        finally:
            lock.release()
