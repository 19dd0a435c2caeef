"""LiveFeed (domain/notifications/live.py) between two feeds standing for two processes: on one stamp
file (the embedded default) and on one real Redis; the per-account cap, the end of a stream, and a burst
of changes costing one recount."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncGenerator, Awaitable, Callable
from pathlib import Path

import pytest

from imghost.domain.notifications.live import LiveFeed, TooManyStreams


class Counts:
    """The unread numbers the streams read, and how often they read them."""

    def __init__(self) -> None:
        self.unread: dict[int, int] = {}
        self.reads = 0

    def of(self, account_id: int) -> Callable[[], Awaitable[int]]:
        async def count() -> int:
            self.reads += 1
            return self.unread.get(account_id, 0)

        return count


async def next_unread(events: AsyncGenerator[bytes, None], timeout: float = 3) -> int:
    """The next `unread` event's number, skipping heartbeats."""
    while True:
        chunk = await asyncio.wait_for(events.__anext__(), timeout)
        if chunk.startswith(b"event: unread\n"):
            return int(json.loads(chunk.split(b"data: ", 1)[1])["unread"])


async def opened(events: AsyncGenerator[bytes, None]) -> int:
    first = await events.__anext__()
    assert first == b"retry: 2000\n\n"
    return await next_unread(events)


def test_a_change_in_another_process_arrives_through_the_stamp_file(tmp_path: Path) -> None:
    async def go() -> None:
        stamp = tmp_path / "notify.stamp"
        here, there = LiveFeed(stamp=stamp, poll=0.05), LiveFeed(stamp=stamp, poll=0.05)
        await here.start()
        await there.start()
        counts = Counts()
        events = here.events(7, counts.of(7))
        try:
            assert await opened(events) == 0
            counts.unread[7] = 1
            await there.publish(7)
            assert await next_unread(events) == 1
        finally:
            await events.aclose()
            await here.close()
            await there.close()

    asyncio.run(go())


def test_a_change_in_another_process_arrives_through_redis(redis_url: str) -> None:
    async def go() -> None:
        channel = f"t-live-{secrets.token_hex(4)}:notify"
        here = LiveFeed(stamp=Path("/nonexistent/unused"), redis_url=redis_url, channel=channel)
        there = LiveFeed(stamp=Path("/nonexistent/unused"), redis_url=redis_url, channel=channel)
        await here.start()
        await there.start()
        counts = Counts()
        events = here.events(7, counts.of(7))
        try:
            assert await opened(events) == 0
            # Subscribing is under way once the stream opened; a change published before it is done
            # is recounted when it is.
            for _ in range(100):
                if here._subscribed:
                    break
                await asyncio.sleep(0.02)
            assert here._subscribed
            counts.unread[7] = 2
            await there.publish(7)
            assert await next_unread(events) == 2
            # Another account's change wakes nobody here.
            reads = counts.reads
            await there.publish(8)
            await asyncio.sleep(0.3)
            assert counts.reads == reads
        finally:
            await events.aclose()
            await here.close()
            await there.close()

    asyncio.run(go())


def test_a_burst_of_changes_costs_one_recount(tmp_path: Path) -> None:
    async def go() -> None:
        feed = LiveFeed(stamp=tmp_path / "notify.stamp", poll=60)
        await feed.start()
        counts = Counts()
        events = feed.events(7, counts.of(7))
        try:
            assert await opened(events) == 0
            reads = counts.reads
            counts.unread[7] = 50
            for _ in range(50):
                await feed.publish(7)
            assert await next_unread(events) == 50
            assert counts.reads - reads == 1
        finally:
            await events.aclose()
            await feed.close()

    asyncio.run(go())


def test_the_cap_per_account_and_the_end_of_a_stream(tmp_path: Path) -> None:
    async def go() -> None:
        feed = LiveFeed(stamp=tmp_path / "notify.stamp", per_account=1, lifetime=0.5, heartbeat=0.1)
        await feed.start()
        counts = Counts()
        events = feed.events(7, counts.of(7))
        assert await opened(events) == 0
        with pytest.raises(TooManyStreams):
            feed.check(7)
        feed.check(8)  # another account's own cap
        chunks = [c async for c in events]
        assert chunks and set(chunks) == {b": heartbeat\n\n"}
        # Ended: its slot is free again.
        feed.check(7)
        assert feed.open_streams(7) == 0
        await feed.close()

    asyncio.run(go())
