"""MemoryRateLimiter and RedisRateLimiter obey one contract; the clock is always passed in."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import pytest
import redis.asyncio as aioredis

from imghost.errors import ServiceUnavailable
from imghost.ratelimit.base import Bucket, BucketState, RateLimiter
from imghost.ratelimit.memory import MemoryRateLimiter
from imghost.ratelimit.redis import RedisRateLimiter
from tests.services import free_port

T = TypeVar("T")
HOUR = 3600
DAY = 86400
# A fixed instant on a day boundary, so the windows below are easy to reason about.
T0 = 1_800_000_000 // DAY * DAY

Factory = Callable[[], RateLimiter]


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def key(name: str) -> str:
    # Unique per test: the Redis server is shared by the whole session.
    return f"{name}-{secrets.token_hex(4)}"


@pytest.fixture(params=["memory", "redis"])
def make_limiter(request: pytest.FixtureRequest) -> Factory:
    """A factory, because a Redis client belongs to the event loop it is first used on."""
    if request.param == "memory":
        return MemoryRateLimiter
    url: str = request.getfixturevalue("redis_url")
    return lambda: RedisRateLimiter(url)


async def using(make: Factory, fn: Callable[[RateLimiter], Awaitable[T]]) -> T:
    limiter = make()
    try:
        return await fn(limiter)
    finally:
        await limiter.close()


class TestRateLimiterContract:
    def test_charging_decrements_remaining(self, make_limiter: Factory) -> None:
        k = key("user")

        async def body(rl: RateLimiter) -> None:
            b = Bucket(k, limit=10, window=HOUR, cost=3)
            v = await rl.charge((b,), T0 + 5)
            assert v.allowed
            assert v.states == (BucketState(remaining=7, reset_at=T0 + HOUR),)
            v = await rl.charge((b,), T0 + 6)
            assert v.allowed
            assert v.states[0].remaining == 4
            # peek never charges
            assert await rl.peek((b,), T0 + 7) == (BucketState(remaining=4, reset_at=T0 + HOUR),)
            assert await rl.peek((b,), T0 + 8) == (BucketState(remaining=4, reset_at=T0 + HOUR),)
            # A cost larger than what is left is refused and takes nothing.
            v = await rl.charge((Bucket(k, 10, HOUR, 5),), T0 + 9)
            assert not v.allowed
            assert v.states[0].remaining == 4
            # Exactly what is left is fine, down to zero.
            v = await rl.charge((Bucket(k, 10, HOUR, 4),), T0 + 10)
            assert v.allowed
            assert v.states[0].remaining == 0
            v = await rl.charge((Bucket(k, 10, HOUR, 1),), T0 + 11)
            assert not v.allowed
            assert v.states[0].remaining == 0

        run(using(make_limiter, body))

    def test_all_or_nothing(self, make_limiter: Factory) -> None:
        user, client, ip = key("user"), key("client"), key("ip")

        async def body(rl: RateLimiter) -> None:
            def buckets(cost: int) -> tuple[Bucket, ...]:
                return (
                    Bucket(user, 100, HOUR, cost),
                    Bucket(client, 1000, DAY, cost),
                    Bucket(ip, 3, HOUR, 1),
                )

            assert (await rl.charge(buckets(10), T0 + 1)).allowed
            assert (await rl.charge(buckets(10), T0 + 2)).allowed
            v = await rl.charge(buckets(10), T0 + 3)
            assert v.allowed
            assert [s.remaining for s in v.states] == [70, 970, 0]
            # The ip bucket is spent: the whole request is refused and the others keep their credits.
            v = await rl.charge(buckets(10), T0 + 4)
            assert not v.allowed
            assert [s.remaining for s in v.states] == [70, 970, 0]
            assert [s.reset_at for s in v.states] == [T0 + HOUR, T0 + DAY, T0 + HOUR]
            # Likewise when a bucket other than the last one cannot pay.
            v = await rl.charge((Bucket(user, 100, HOUR, 71), Bucket(client, 1000, DAY, 1)), T0 + 5)
            assert not v.allowed
            assert [s.remaining for s in await rl.peek(buckets(0), T0 + 6)] == [70, 970, 0]

        run(using(make_limiter, body))

    def test_zero_cost_buckets_report_but_never_block(self, make_limiter: Factory) -> None:
        spent, other = key("spent"), key("other")

        async def body(rl: RateLimiter) -> None:
            assert (await rl.charge((Bucket(spent, 2, HOUR, 2),), T0)).allowed
            v = await rl.charge((Bucket(spent, 2, HOUR, 0), Bucket(other, 5, HOUR, 1)), T0 + 1)
            assert v.allowed
            assert [s.remaining for s in v.states] == [0, 4]

        run(using(make_limiter, body))

    def test_windows_reset(self, make_limiter: Factory) -> None:
        k = key("window")

        async def body(rl: RateLimiter) -> None:
            b = Bucket(k, limit=2, window=HOUR, cost=1)
            assert (await rl.charge((b,), T0 + 10)).allowed
            assert (await rl.charge((b,), T0 + HOUR - 1)).allowed
            assert not (await rl.charge((b,), T0 + HOUR - 0.5)).allowed
            # The next window starts full, and reports its own end.
            v = await rl.charge((b,), T0 + HOUR)
            assert v.allowed
            assert v.states == (BucketState(remaining=1, reset_at=T0 + 2 * HOUR),)
            # Fractional clocks fall into the window of their whole second.
            assert (await rl.peek((b,), T0 + 2 * HOUR - 0.25))[0].remaining == 1
            # A day later everything is fresh again.
            assert (await rl.peek((b,), T0 + DAY))[0] == BucketState(remaining=2, reset_at=T0 + DAY + HOUR)
            # Going back in time finds the spent window as it was left.
            assert not (await rl.charge((b,), T0 + 20)).allowed

        run(using(make_limiter, body))

    def test_concurrent_charges_never_overspend(self, make_limiter: Factory) -> None:
        k = key("burst")

        async def body(rl: RateLimiter) -> None:
            b = (Bucket(k, limit=150, window=HOUR, cost=1),)
            verdicts = await asyncio.gather(*(rl.charge(b, T0 + 1) for _ in range(200)))
            assert sum(v.allowed for v in verdicts) == 150
            remaining = sorted(v.states[0].remaining for v in verdicts if v.allowed)
            assert remaining == list(range(150))
            assert (await rl.peek(b, T0 + 2))[0].remaining == 0

        run(using(make_limiter, body))

    def test_empty_request(self, make_limiter: Factory) -> None:
        async def body(rl: RateLimiter) -> None:
            v = await rl.charge((), T0)
            assert v.allowed
            assert v.states == ()
            assert await rl.peek((), T0) == ()

        run(using(make_limiter, body))


class TestRedisRateLimiter:
    def test_processes_share_one_limit(self, redis_url: str) -> None:
        k = key("shared")

        async def body() -> None:
            # Separate clients with separate connection pools stand in for separate processes.
            limiters = [RedisRateLimiter(redis_url) for _ in range(2)]
            try:
                b = (Bucket(k, limit=150, window=HOUR, cost=1),)
                verdicts = await asyncio.gather(*(limiters[i % 2].charge(b, T0 + 1) for i in range(200)))
                assert sum(v.allowed for v in verdicts) == 150
                assert (await limiters[1].peek(b, T0 + 1))[0].remaining == 0
                assert (await limiters[0].peek(b, T0 + 1))[0].remaining == 0
            finally:
                for rl in limiters:
                    await rl.close()

        run(body())

    def test_counters_expire_after_their_window(self, redis_url: str) -> None:
        k = key("ttl")

        async def body() -> None:
            rl = RedisRateLimiter(redis_url)
            r = aioredis.Redis.from_url(redis_url)
            try:
                await rl.charge((Bucket(k, 10, HOUR, 2), Bucket(k + "-free", 10, HOUR, 0)), T0 + 1)
                counter = f"imghost:rl:{k}:{T0}"
                assert await r.get(counter) == b"2"
                assert HOUR < await r.ttl(counter) <= HOUR + 60
                # A bucket that was not charged leaves nothing behind.
                assert not await r.exists(f"rl:{k}-free:{T0}")
            finally:
                await rl.close()
                await r.aclose()

        run(body())

    def test_unreachable_redis_is_unavailable(self) -> None:
        async def body() -> None:
            rl = RedisRateLimiter(f"redis://127.0.0.1:{free_port()}/0")
            try:
                started = time.monotonic()
                with pytest.raises(ServiceUnavailable):
                    await rl.charge((Bucket("x", 1, HOUR, 1),), T0)
                with pytest.raises(ServiceUnavailable):
                    await rl.peek((Bucket("x", 1, HOUR, 1),), T0)
                assert time.monotonic() - started < 10
            finally:
                await rl.close()

        run(body())
