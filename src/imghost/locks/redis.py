"""Named locks in Redis: hold across every imghost process and host of a deployment."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from imghost.errors import ServiceUnavailable
from imghost.locks.base import InProcessLocks

# Only the holder's token may release or extend: after an expiry the key may belong to someone else.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


class RedisLocks:
    """SET key token NX PX ttl, polled with backoff until the timeout; released by compare-and-delete.

    While held, the expiry is pushed forward every ttl/3, so a long critical section keeps its lock and a
    crashed holder frees it within ttl. An asyncio.Lock per name sits in front so that tasks of one process
    queue locally instead of polling Redis against each other."""

    def __init__(
        self, url: str, *, ttl: float = 30.0, prefix: str = "imghost:lock:", max_connections: int = 50
    ) -> None:
        # A blocking pool queues bursts for a free connection instead of failing them; short timeouts make a
        # dead Redis a prompt 503 rather than a hang.
        pool = aioredis.BlockingConnectionPool.from_url(
            url, max_connections=max_connections, timeout=5, socket_connect_timeout=5, socket_timeout=5
        )
        self._redis: aioredis.Redis = aioredis.Redis.from_pool(pool)
        self._release = self._redis.register_script(_RELEASE)
        self._extend = self._redis.register_script(_EXTEND)
        self._ttl_ms = int(ttl * 1000)
        self._prefix = prefix
        self._local = InProcessLocks()

    @asynccontextmanager
    async def hold(self, name: str, *, timeout: float = 30.0) -> AsyncIterator[None]:
        deadline = time.monotonic() + timeout
        async with self._local.hold(name, timeout):
            key = self._prefix + name
            token = secrets.token_hex(16)
            await self._acquire(key, token, deadline)
            keeper = asyncio.create_task(self._keep(key, token))
            try:
                yield
            finally:
                keeper.cancel()
                # gather() collects the keeper's CancelledError without swallowing a cancel aimed at us.
                await asyncio.gather(keeper, return_exceptions=True)
                try:
                    await self._release(keys=[key], args=[token])
                except (RedisError, OSError):
                    # Redis is gone: the key expires by itself within ttl; do not mask the body's outcome.
                    pass

    async def _acquire(self, key: str, token: str, deadline: float) -> None:
        delay = 0.005
        while True:
            try:
                if await self._redis.set(key, token, nx=True, px=self._ttl_ms):
                    return
            except (RedisError, OSError) as e:
                raise ServiceUnavailable() from e
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ServiceUnavailable()
            # The last sleep is cut short so that one more attempt lands right at the deadline.
            await asyncio.sleep(min(delay, remaining))
            delay = min(delay * 2, 0.1)

    async def _keep(self, key: str, token: str) -> None:
        interval = self._ttl_ms / 3000
        while True:
            await asyncio.sleep(interval)
            try:
                if not await self._extend(keys=[key], args=[token, self._ttl_ms]):
                    return
            except (RedisError, OSError):
                # Keep trying: Redis may come back before the key would have expired.
                continue

    async def close(self) -> None:
        try:
            await self._redis.aclose()
        except (RedisError, OSError):
            pass
