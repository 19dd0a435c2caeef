"""How the gallery and comments are ordered: pure functions of stored counts and times, no clock.

Every score is order-preserving over time: it depends on a post's votes and its share time, never on
"now", so that it is written once per vote (one small UPDATE) and a listing is one range scan of an
index on it, on SQLite and on PostgreSQL alike. Age is counted from EPOCH, a fixed instant.

- viral (the hot section): `sign(p) * log10(max(|p|, 1)) + (shared_at - EPOCH) / HOT_PERIOD`, p =
  ups - downs. Every HOT_PERIOD seconds (12.5 hours) of freshness weigh as much as ten times the points:
  a day-old post needs about 40 times the points of a new one to stay above it.
- rising (the user section): the same form with a period ten times shorter (1.25 hours), so recent
  velocity decides: within a few hours, a post gaining votes fast passes one that gained them slowly.
- top: points, inside the window (day, week, month, year or all) of share times; ties newest first.
- time: share time, newest first.
- comments `best`: the lower bound of the Wilson score interval (95 %) of ups among ups + downs: a
  comment with 10 ups and 1 down ranks above one with 1 up and 0 down. `top`: points; `new`: newest."""

from __future__ import annotations

import math

EPOCH = 1_700_000_000  # 2023-11-14T22:13:20Z
HOT_PERIOD = 45_000.0
RISING_PERIOD = 4_500.0
WILSON_Z = 1.959963984540054  # the 97.5th percentile of the normal distribution

WINDOWS = {"day": 86_400, "week": 7 * 86_400, "month": 31 * 86_400, "year": 366 * 86_400, "all": 0}


def _order(points: int) -> float:
    return math.copysign(math.log10(max(abs(points), 1)), points) if points else 0.0


def hot(ups: int, downs: int, shared_at: int) -> float:
    return round(_order(ups - downs) + (shared_at - EPOCH) / HOT_PERIOD, 7)


def rising(ups: int, downs: int, shared_at: int) -> float:
    return round(_order(ups - downs) + (shared_at - EPOCH) / RISING_PERIOD, 7)


def wilson(ups: int, downs: int) -> float:
    n = ups + downs
    if n <= 0:
        return 0.0
    z = WILSON_Z
    phat = ups / n
    centre = phat + z * z / (2 * n)
    margin = z * math.sqrt((phat * (1 - phat) + z * z / (4 * n)) / n)
    return round((centre - margin) / (1 + z * z / n), 9)


def window_start(window: str, now: int) -> int:
    """The earliest share time inside a window ending now; 0 for "all" (or anything unknown)."""
    span = WINDOWS.get(window, 0)
    return now - span if span else 0
