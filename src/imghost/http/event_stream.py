"""A server-sent event stream as an ASGI response that notices the client leaving at once.

Starlette's StreamingResponse listens for the disconnect only under ASGI spec versions before 2.4;
imghost's RSGI bridge says 2.4 (a gone client surfaces when a write fails), so a stream whose client
left would be noticed only at its next heartbeat, holding one of the account's few stream slots
meanwhile: a person clicking through pages would run out of them. Here the body and a wait for
`http.disconnect` race; whichever ends first ends the other, and the body's generator is closed
either way (its `finally` lets go of what it held)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send


class EventStreamResponse(Response):
    media_type = "text/event-stream"

    def __init__(self, events: AsyncIterator[bytes], headers: Mapping[str, str] | None = None) -> None:
        # A Response to the framework (which passes it through as it is), with its own way of sending.
        self.events = events
        self.status_code = 200
        self.background = None
        self.raw_headers = [(b"content-type", b"text/event-stream; charset=utf-8")] + [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            pump = asyncio.ensure_future(self._pump(send))
            gone = asyncio.ensure_future(self._until_disconnect(receive))
            try:
                await asyncio.wait((pump, gone), return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (pump, gone):
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
        finally:
            aclose = getattr(self.events, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()

    async def _pump(self, send: Send) -> None:
        with contextlib.suppress(OSError):
            async for chunk in self.events:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    @staticmethod
    async def _until_disconnect(receive: Receive) -> None:
        while True:
            message: Any = await receive()
            if message.get("type") == "http.disconnect":
                return
