from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Bucket:
    """One fixed-window counter: key, its limit, window length in seconds, and what this request costs."""

    key: str
    limit: int
    window: int
    cost: int


@dataclass(frozen=True, slots=True)
class BucketState:
    remaining: int
    reset_at: int  # epoch seconds at which the window ends


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    states: tuple[BucketState, ...]


class RateLimiter(Protocol):
    async def charge(self, buckets: tuple[Bucket, ...], now: float) -> Verdict:
        """Atomically: if every bucket can pay its cost, charge all of them; otherwise charge none.

        States come back in the order of buckets, after the charge."""

    async def peek(self, buckets: tuple[Bucket, ...], now: float) -> tuple[BucketState, ...]:
        """Current states without charging."""

    async def close(self) -> None: ...
