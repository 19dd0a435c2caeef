"""Hearing of an account's notifications as they change: the unread count as a server-sent event stream.

The notifications service calls `LiveFeed.publish` after every commit that made or marked one (its
listeners). Each open stream holds a Watch: one flag, not a queue, so a flood of changes costs one
recount per wake-up and memory stays bounded. Streams recount the unread number when woken and send
it only when it differs from what they last sent.

Other processes hear it too:
- with Redis (settings.redis_url), the account id is published on `{redis_prefix}notify`, every
  process subscribes; while the subscription is down, every stream recounts every few seconds;
- without (the embedded default, several processes on one SQLite file), a publish bumps the
  modification time of a stamp file in the data directory, which each process with open streams
  stat()s every `poll` seconds: a change wakes all its streams, which recount (one cheap query each).

Bounded: a cap of open streams per account (TooManyStreams), each stream ends after `lifetime`
seconds (EventSource reconnects by itself), and a heartbeat comment every `heartbeat` seconds keeps
proxies from closing an idle connection and finds out clients that went away."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from pathlib import Path
from typing import Any

from imghost.errors import RateLimited

log = logging.getLogger(__name__)

# While Redis is away, streams recount this often instead of hearing of changes.
REDIS_DOWN_RECOUNT = 5.0


class TooManyStreams(RateLimited):
    public = "Too many open notification streams for this account"


class Watch:
    __slots__ = ("account_id", "_event")

    def __init__(self, account_id: int) -> None:
        self.account_id = account_id
        self._event = asyncio.Event()

    def poke(self) -> None:
        self._event.set()

    async def wait(self, timeout: float) -> bool:
        """True when something changed within timeout (and clears the flag)."""
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except TimeoutError:
            return False
        self._event.clear()
        return True


class LiveFeed:
    def __init__(
        self,
        *,
        stamp: Path,
        redis_url: str = "",
        channel: str = "imghost:notify",
        per_account: int = 5,
        lifetime: float = 300.0,
        heartbeat: float = 15.0,
        poll: float = 1.0,
    ) -> None:
        self.stamp = str(stamp)
        self.redis_url = redis_url
        self.channel = channel
        self.per_account = per_account
        self.lifetime = lifetime
        self.heartbeat = heartbeat
        self.poll = poll
        self._watches: dict[int, set[Watch]] = {}
        self._task: asyncio.Task[None] | None = None
        self._redis: Any = None
        self._subscribed = False
        if not redis_url:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.touch(exist_ok=True)

    # ------------------------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        if self.redis_url:
            from redis.asyncio import Redis

            self._redis = Redis.from_url(self.redis_url, socket_connect_timeout=5)

    def _listen(self) -> None:
        """Starts hearing of other processes' changes with the first stream: a process that never
        streams (the operator's CLI) never subscribes."""
        if self._task is None:
            self._task = asyncio.create_task(self._listen_redis() if self.redis_url else self._watch_stamp())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            # Bounded: a subscription cancelled halfway through connecting must not hold up shutdown.
            await asyncio.wait({self._task}, timeout=2)
        if self._redis is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._redis.aclose(), 2)

    # ------------------------------------------------------------------------------- publishing

    async def publish(self, account_id: int) -> None:
        """A listener of the notifications service: account_id's notifications changed."""
        self._poke(account_id)
        if self._redis is not None:
            try:
                await self._redis.publish(self.channel, str(account_id))
            except Exception:
                # Other processes' streams recount on their own while Redis is away.
                log.warning("could not publish a notification change")
        else:
            now = time.time_ns()
            with contextlib.suppress(OSError):
                os.utime(self.stamp, ns=(now, max(now, self._stamp() + 1)))

    def _poke(self, account_id: int) -> None:
        for w in self._watches.get(account_id, ()):
            w.poke()

    def _poke_all(self) -> None:
        for watches in self._watches.values():
            for w in watches:
                w.poke()

    def _stamp(self) -> int:
        try:
            return os.stat(self.stamp).st_mtime_ns
        except OSError:
            return -1

    async def _watch_stamp(self) -> None:
        seen = self._stamp()
        # A change between the first stream's count and this first look is recounted.
        self._poke_all()
        while True:
            await asyncio.sleep(self.poll)
            if not self._watches:
                seen = self._stamp()
                continue
            now = self._stamp()
            if now != seen:
                seen = now
                self._poke_all()

    async def _listen_redis(self) -> None:
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                self._subscribed = True
                # What changed while the subscription was down is recounted now.
                self._poke_all()
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        with contextlib.suppress(ValueError):
                            self._poke(int(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("notification channel lost; streams recount until it is back")
            finally:
                self._subscribed = False
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(pubsub.aclose(), 2)
            await asyncio.sleep(1)

    # ------------------------------------------------------------------------------- streams

    def check(self, account_id: int) -> None:
        """TooManyStreams when the account has its cap of streams open in this process (asked before
        the answer starts, so that it can be a 429)."""
        if len(self._watches.get(account_id, ())) >= self.per_account:
            raise TooManyStreams()

    def _open(self, account_id: int) -> Watch | None:
        self._listen()
        watches = self._watches.setdefault(account_id, set())
        if len(watches) >= self.per_account:
            return None
        w = Watch(account_id)
        watches.add(w)
        return w

    def _release(self, w: Watch) -> None:
        watches = self._watches.get(w.account_id)
        if watches is None:
            return
        watches.discard(w)
        if not watches:
            del self._watches[w.account_id]

    def open_streams(self, account_id: int) -> int:
        return len(self._watches.get(account_id, ()))

    async def events(
        self, account_id: int, count: Callable[[], Awaitable[int]]
    ) -> AsyncGenerator[bytes, None]:
        """The stream's bytes: `event: unread` with {"unread": N} at once and whenever N changes, a
        heartbeat comment when idle, and the end after `lifetime` seconds. The watch is taken when the
        stream starts and let go however it ends (the client leaving included); a stream that starts
        beyond the cap (others opened in between) ends at once."""
        w = self._open(account_id)
        if w is None:
            return
        try:
            # How soon EventSource reconnects after the stream ends (milliseconds).
            yield b"retry: 2000\n\n"
            last = await count()
            yield _unread(last)
            ends = time.monotonic() + self.lifetime
            while True:
                left = ends - time.monotonic()
                if left <= 0:
                    return
                wait = min(self.heartbeat, left)
                if self.redis_url and not self._subscribed:
                    wait = min(wait, REDIS_DOWN_RECOUNT)
                changed = await w.wait(wait)
                if changed or (self.redis_url and not self._subscribed):
                    now = await count()
                    if now != last:
                        last = now
                        yield _unread(now)
                        continue
                if not changed:
                    yield b": heartbeat\n\n"
        finally:
            self._release(w)


def _unread(n: int) -> bytes:
    return b"event: unread\ndata: " + json.dumps({"unread": n}).encode() + b"\n\n"
