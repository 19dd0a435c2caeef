"""Imgur's credits: what each request costs and which budgets it is charged to.

Three budgets, as Imgur counts them: credits per user per hour (per account when signed in, else per
application and address), credits per application per day, and POSTs per address per hour. An upload
costs `upload_cost` credits, `/3/credits` nothing, everything else one. The charge is atomic across the
three (the RateLimiter's contract), so a refused request spends nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass

from imghost.auth import Subject
from imghost.ratelimit.base import Bucket, BucketState, RateLimiter

_UPLOAD = re.compile(r"^/3/(image|upload)$")
_HOUR, _DAY = 3600, 86400


@dataclass(frozen=True, slots=True)
class RateLimits:
    user: int  # credits per hour
    client: int  # credits per day
    post: int  # POSTs per address per hour
    upload_cost: int


@dataclass(frozen=True, slots=True)
class Allowance:
    limit: int
    remaining: int
    reset_at: int  # epoch seconds at which the window ends


@dataclass(frozen=True, slots=True)
class Charge:
    allowed: bool
    user: Allowance
    client: Allowance
    post: Allowance


class CreditService:
    def __init__(self, limiter: RateLimiter, limits: RateLimits) -> None:
        self.limiter = limiter
        self.limits = limits

    def cost(self, path: str, method: str) -> int:
        if path == "/3/credits":
            return 0
        return self.limits.upload_cost if method == "POST" and _UPLOAD.match(path) else 1

    async def charge(
        self,
        subject: Subject,
        address: str,
        *,
        cost: int,
        is_post: bool,
        now: float,
        per_application: bool = True,
    ) -> Charge:
        """Charge a request to its budgets. The web front end is no application with a daily budget of
        its own (it would be one budget for every person on the site): it passes per_application=False
        and pays per account or address, and per address for POSTs, like everyone else."""
        lim = self.limits
        who = (
            f"a:{subject.account_id}"
            if subject.account_id is not None
            else f"u:{subject.client_id}:{address}"
        )
        buckets = (
            Bucket(f"u:{who}", lim.user, _HOUR, cost),
            Bucket(f"c:{subject.client_id}", lim.client, _DAY, cost if per_application else 0),
            Bucket(f"p:{address}", lim.post, _HOUR, 1 if is_post else 0),
        )
        verdict = await self.limiter.charge(buckets, now)
        return _charge(verdict.allowed, buckets, verdict.states)

    def unspent(self, now: float) -> Charge:
        """Full budgets, for a request refused before it could be charged (its headers stay integers)."""
        lim = self.limits
        buckets = (
            Bucket("", lim.user, _HOUR, 0),
            Bucket("", lim.client, _DAY, 0),
            Bucket("", lim.post, _HOUR, 0),
        )
        states = tuple(BucketState(b.limit, int(now) // b.window * b.window + b.window) for b in buckets)
        return _charge(True, buckets, states)


def _charge(allowed: bool, buckets: tuple[Bucket, ...], states: tuple[BucketState, ...]) -> Charge:
    user, client, post = (
        Allowance(b.limit, s.remaining, s.reset_at) for b, s in zip(buckets, states, strict=True)
    )
    return Charge(allowed, user, client, post)
