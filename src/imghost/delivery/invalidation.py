"""Keeping every process's cached media rows honest when an image is deleted somewhere else.

On one host (the embedded default: the server, its workers, and the operator's CLI share the data
directory) a delete bumps the modification time of a file that every process checks before trusting a
cached row: one stat() per media request. Several hosts with Redis publish the id on a channel every
process listens to; while a process is not subscribed (Redis away), it stops caching rows, so it can
never serve a deleted image from memory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from pathlib import Path

from imghost.delivery.cache import DeliveryCache

log = logging.getLogger(__name__)


class FileInvalidator:
    # Checking the stamp costs a stat(); at most this often. A delete made by another process (the CLI,
    # another worker) is therefore seen within 10 ms; deletes made by this process are seen at once.
    CHECK_EVERY = 0.01

    def __init__(self, path: Path, cache: DeliveryCache) -> None:
        self.path = str(path)
        self.cache = cache
        path.touch(exist_ok=True)
        self._seen = self._stamp()
        self._next_check = 0.0
        cache.validator = self.check

    def _stamp(self) -> int:
        try:
            return os.stat(self.path).st_mtime_ns
        except FileNotFoundError:
            return -1

    def check(self) -> None:
        now = time.monotonic()
        if now < self._next_check:
            return
        self._next_check = now + self.CHECK_EVERY
        stamp = self._stamp()
        if stamp != self._seen:
            self._seen = stamp
            self.cache.clear_rows()

    async def start(self) -> None:
        return None

    async def publish(self, image_id: str) -> None:
        self.cache.forget(image_id)
        # A fresh timestamp even when two deletes land in the same clock tick.
        now = time.time_ns()
        os.utime(self.path, ns=(now, max(now, self._stamp() + 1)))

    async def close(self) -> None:
        return None


class RedisInvalidator:
    def __init__(self, url: str, channel: str, cache: DeliveryCache) -> None:
        from redis.asyncio import Redis

        self.redis = Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)
        self.channel = channel
        self.cache = cache
        self.ttl = cache.row_ttl
        self.cache.disable_rows()
        self._task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen())
        # Serve without the cache rather than wait long for Redis at start-up.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), 2)

    async def _listen(self) -> None:
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                self.cache.enable_rows(self.ttl)
                self._subscribed.set()
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self.cache.forget(message["data"].decode())
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("invalidation channel lost; media rows uncached until it is back")
            finally:
                self.cache.disable_rows()
                self._subscribed.clear()
                with contextlib.suppress(Exception):
                    # redis-py leaves PubSub.aclose unannotated.
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(1)

    async def publish(self, image_id: str) -> None:
        self.cache.forget(image_id)
        try:
            await self.redis.publish(self.channel, image_id)
        except Exception:
            # Others will still stop serving it when their cached row expires (a few seconds).
            log.warning("could not publish an invalidation")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        with contextlib.suppress(Exception):
            await self.redis.aclose()
