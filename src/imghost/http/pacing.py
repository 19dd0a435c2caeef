"""Request bodies must keep coming: a minimum average rate after a grace period, and no long pause.

Without it, a client that sends a byte every few seconds holds a request (and its upload file) open for
as long as it likes. The deadline grows with what has arrived, so a large upload on a slow but honest
link is never cut off, while a drip is answered 408 within the grace period."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from imghost.errors import InvalidRequest, RequestTimeout
from imghost.http.budget import declared_length

Receive = Callable[[], Awaitable[dict[str, Any]]]


class PacedReceive:
    """One timer per request, not one per chunk: the timer is armed at the first wait for a chunk and,
    when it fires, either finds the deadline moved on (chunks arrived meanwhile: it re-arms itself at the
    new one) or cancels the wait, which then answers 408. A body arriving at full speed costs a subtraction
    and a comparison per chunk."""

    __slots__ = (
        "_receive",
        "_headers",
        "_grace",
        "_rate",
        "_idle",
        "_start",
        "_received",
        "_done",
        "_loop",
        "_deadline",
        "_timer",
        "_waiter",
        "_expired",
    )

    def __init__(
        self,
        receive: Receive,
        headers: list[tuple[bytes, bytes]],
        *,
        grace: float,
        min_rate: int,
        idle: float,
    ) -> None:
        self._receive = receive
        self._headers = headers
        self._loop = asyncio.get_running_loop()
        self._start = self._loop.time()
        self._grace, self._rate, self._idle = grace, max(1, min_rate), idle
        self._received = 0
        self._done = False
        self._deadline = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._waiter: asyncio.Task[Any] | None = None
        self._expired = False

    async def __call__(self) -> dict[str, Any]:
        if self._done:  # the body is complete: waiting for a disconnect has no deadline of ours
            return await self._receive()
        now = self._loop.time()
        # Never earlier than the last deadline: both terms only grow.
        self._deadline = min(self._start + self._grace + self._received / self._rate, now + self._idle)
        if self._timer is None:
            self._timer = self._loop.call_at(self._deadline, self._check)
        self._waiter = asyncio.current_task()
        try:
            message = await self._receive()
        except asyncio.CancelledError:
            if self._expired and self._waiter is not None and self._waiter.uncancel() == 0:
                self._stop()
                raise RequestTimeout() from None
            self._stop()
            raise
        finally:
            self._waiter = None
        if message.get("type") == "http.request":
            self._received += len(message.get("body", b""))
            if not message.get("more_body", False):
                self._done = True
                self._stop()
                declared = declared_length(self._headers)
                if declared is not None and self._received < declared:
                    # The client hung up mid-body: what arrived is a torn request, never a complete one,
                    # however well the bytes so far happen to parse (an unterminated multipart part).
                    raise BodyCutShort()
        else:
            self._done = True
            self._stop()
        return message

    def _check(self) -> None:
        self._timer = None
        if self._done:
            return
        if self._waiter is None:
            return  # nobody is waiting for a chunk: the next wait arms a timer again
        if self._loop.time() < self._deadline:
            # Chunks came in time: look again at the deadline they moved the wait to.
            self._timer = self._loop.call_at(self._deadline, self._check)
            return
        self._expired = True
        self._waiter.cancel()

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


class BodyCutShort(InvalidRequest):
    public = "The request body ended before its Content-Length"
