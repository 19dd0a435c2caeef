"""Request bodies must keep coming: a minimum average rate after a grace period, and no long pause.

Without it, a client that sends a byte every few seconds holds a request (and its upload file) open for
as long as it likes. The deadline grows with what has arrived, so a large upload on a slow but honest
link is never cut off, while a drip is answered 408 within the grace period."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from imghost.errors import InvalidRequest, RequestTimeout

Receive = Callable[[], Awaitable[dict[str, Any]]]


class PacedReceive:
    __slots__ = ("_receive", "_headers", "_grace", "_rate", "_idle", "_start", "_received", "_done", "_loop")

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

    async def __call__(self) -> dict[str, Any]:
        if self._done:  # the body is complete: waiting for a disconnect has no deadline of ours
            return await self._receive()
        now = self._loop.time()
        when = min(self._start + self._grace + self._received / self._rate, now + self._idle)
        try:
            async with asyncio.timeout_at(when):
                message = await self._receive()
        except TimeoutError:
            raise RequestTimeout() from None
        if message.get("type") == "http.request":
            self._received += len(message.get("body", b""))
            if not message.get("more_body", False):
                self._done = True
                declared = _content_length(self._headers)
                if declared is not None and self._received < declared:
                    # The client hung up mid-body: what arrived is a torn request, never a complete one,
                    # however well the bytes so far happen to parse (an unterminated multipart part).
                    raise BodyCutShort()
        else:
            self._done = True
        return message


class BodyCutShort(InvalidRequest):
    public = "The request body ended before its Content-Length"


def _content_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for k, v in headers:
        if k == b"content-length":
            return int(v) if v.isdigit() else None
    return None
