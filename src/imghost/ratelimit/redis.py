"""Fixed-window rate limits in Redis, shared by every imghost process of a deployment."""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from imghost.errors import ServiceUnavailable
from imghost.ratelimit.base import Bucket, BucketState, Verdict

# One round trip decides and charges every bucket, so two processes can never both take the last credit
# of one bucket, and a request refused by one bucket costs nothing in the others.
# KEYS[i]: the counter of bucket i in its current window.
# ARGV[1]: "1" to charge, "0" to only look; then per bucket: limit, cost, ttl seconds.
# Returns {allowed, remaining_1, …, remaining_n}, the counts after any charge.
_SCRIPT = """
local charge = ARGV[1] == '1'
local n = #KEYS
local allowed = 1
local used = {}
for i = 1, n do
  local limit = tonumber(ARGV[2 + (i - 1) * 3])
  local cost = tonumber(ARGV[3 + (i - 1) * 3])
  used[i] = tonumber(redis.call('GET', KEYS[i]) or '0')
  if charge and cost > 0 and used[i] + cost > limit then
    allowed = 0
  end
end
if not charge then
  allowed = 0
end
if allowed == 1 then
  for i = 1, n do
    local cost = tonumber(ARGV[3 + (i - 1) * 3])
    if cost > 0 then
      redis.call('INCRBY', KEYS[i], cost)
      redis.call('EXPIRE', KEYS[i], tonumber(ARGV[4 + (i - 1) * 3]))
    end
  end
  -- read back after all charges, so a key listed twice reports its final count everywhere
  for i = 1, n do
    used[i] = tonumber(redis.call('GET', KEYS[i]) or '0')
  end
end
local out = {allowed}
for i = 1, n do
  local remaining = tonumber(ARGV[2 + (i - 1) * 3]) - used[i]
  if remaining < 0 then remaining = 0 end
  out[i + 1] = remaining
end
return out
"""


class RedisRateLimiter:
    """The same fixed windows as MemoryRateLimiter, kept in Redis under rl:{bucket key}:{window start}.

    Counters expire a minute after their window ends. Redis failures raise ServiceUnavailable."""

    def __init__(self, url: str, *, prefix: str = "imghost:", max_connections: int = 50) -> None:
        self._prefix = prefix
        # A blocking pool queues bursts for a free connection instead of failing them; short timeouts make a
        # dead Redis a prompt 503 rather than a hang.
        pool = aioredis.BlockingConnectionPool.from_url(
            url, max_connections=max_connections, timeout=5, socket_connect_timeout=5, socket_timeout=5
        )
        self._redis: aioredis.Redis = aioredis.Redis.from_pool(pool)
        self._script = self._redis.register_script(_SCRIPT)

    async def _run(
        self, buckets: tuple[Bucket, ...], now: float, charge: bool
    ) -> tuple[bool, tuple[BucketState, ...]]:
        if not buckets:
            return True, ()
        keys: list[str] = []
        args: list[Any] = ["1" if charge else "0"]
        resets: list[int] = []
        for b in buckets:
            start = int(now) // b.window * b.window
            keys.append(f"{self._prefix}rl:{b.key}:{start}")
            args += [b.limit, b.cost, b.window + 60]
            resets.append(start + b.window)
        try:
            out = await self._script(keys=keys, args=args)
        except (RedisError, OSError) as e:
            raise ServiceUnavailable() from e
        states = tuple(
            BucketState(remaining=int(r), reset_at=reset) for r, reset in zip(out[1:], resets, strict=True)
        )
        return bool(int(out[0])), states

    async def charge(self, buckets: tuple[Bucket, ...], now: float) -> Verdict:
        allowed, states = await self._run(buckets, now, charge=True)
        return Verdict(allowed, states)

    async def peek(self, buckets: tuple[Bucket, ...], now: float) -> tuple[BucketState, ...]:
        _, states = await self._run(buckets, now, charge=False)
        return states

    async def close(self) -> None:
        try:
            await self._redis.aclose()
        except (RedisError, OSError):
            pass
