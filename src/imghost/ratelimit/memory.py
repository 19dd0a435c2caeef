from __future__ import annotations

from imghost.ratelimit.base import Bucket, BucketState, Verdict


class MemoryRateLimiter:
    """Fixed windows in a dict. Runs on the event loop thread, so each charge is already atomic."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._sweep_at = 0.0

    def _states(self, buckets: tuple[Bucket, ...], now: float, extra: int) -> tuple[BucketState, ...]:
        out = []
        for b in buckets:
            start = int(now) // b.window * b.window
            used = self._counts.get((b.key, start), 0) + (b.cost if extra else 0)
            out.append(BucketState(remaining=max(0, b.limit - used), reset_at=start + b.window))
        return tuple(out)

    async def charge(self, buckets: tuple[Bucket, ...], now: float) -> Verdict:
        if now >= self._sweep_at:
            self._sweep(now)
        windows = [(b, int(now) // b.window * b.window) for b in buckets]
        if any(self._counts.get((b.key, s), 0) + b.cost > b.limit for b, s in windows if b.cost):
            return Verdict(False, self._states(buckets, now, 0))
        for b, s in windows:
            if b.cost:
                self._counts[(b.key, s)] = self._counts.get((b.key, s), 0) + b.cost
        return Verdict(True, self._states(buckets, now, 0))

    async def peek(self, buckets: tuple[Bucket, ...], now: float) -> tuple[BucketState, ...]:
        return self._states(buckets, now, 0)

    def _sweep(self, now: float) -> None:
        # Drop windows that ended more than a day ago (the longest window is one day).
        self._counts = {k: v for k, v in self._counts.items() if k[1] > now - 2 * 86400}
        self._sweep_at = now + 300

    async def close(self) -> None:
        return None
