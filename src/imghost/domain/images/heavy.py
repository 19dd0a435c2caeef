"""A pool of its own for media work that takes seconds of CPU (transcodes, conversions, video frames).

The default executor serves disk reads, ordinary thumbnails and the light part of every upload; if heavy
work shared it, six hostile MKV uploads would leave an uncached thumbnail waiting minutes. Here it runs on
`workers` threads with at most `queue` more jobs waiting; past that, Busy (503 with Retry-After) at once.

A job counts against the pool until its thread is done, even when the request that asked for it has gone
(a thread cannot be stopped): otherwise disconnecting clients could pile up unbounded work."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from imghost.errors import Busy

T = TypeVar("T")


class HeavyPool:
    def __init__(self, workers: int, queue: int, *, retry_after: int = 5) -> None:
        self.workers = max(1, workers)
        self.capacity = self.workers + max(0, queue)
        self.retry_after = retry_after
        self.in_use = 0
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="imghost-media")

    async def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        if self.in_use >= self.capacity:
            raise Busy(self.retry_after)
        loop = asyncio.get_running_loop()
        self.in_use += 1
        try:
            job = self._executor.submit(functools.partial(fn, *args, **kwargs))
        except BaseException:
            self.in_use -= 1
            raise
        job.add_done_callback(functools.partial(self._finished, loop))
        waiter = asyncio.wrap_future(job)
        try:
            return await asyncio.shield(waiter)
        except asyncio.CancelledError:
            # The caller is going away and will remove its files: let the job finish writing them first.
            if not job.cancel():
                with contextlib.suppress(BaseException):
                    await asyncio.wait({waiter})
            raise

    def _finished(self, loop: asyncio.AbstractEventLoop, job: Future[Any]) -> None:
        # Runs on the worker thread: the count belongs to the event loop.
        with contextlib.suppress(RuntimeError):  # the loop has closed: nothing is counting any more
            loop.call_soon_threadsafe(self._release)

    def _release(self) -> None:
        self.in_use -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
