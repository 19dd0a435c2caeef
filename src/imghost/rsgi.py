"""The entry point `imghost serve` runs: `imghost.rsgi:app`, Granian's native (RSGI) interface.

Why not plain ASGI: a cached image answered through RSGI is one call into the server (`response_bytes`)
instead of two awaited ASGI messages built as dicts, and the scope is not turned into a dict at all.
On 2 cores that is the difference between a third of nginx's throughput and half of it.

So media requests whose row and body are already in memory are answered right here. Every other
request (the API, the web pages, cache misses, ranges, HEAD) goes through a small ASGI bridge into the
very same `Root` application that `imghost.asgi:app` serves, so both entry points behave alike."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import quote

from imghost.app import Root, create_app
from imghost.delivery.handler import MEDIA_PATH
from imghost.settings import Settings

log = logging.getLogger("imghost")

_ERROR_HEADERS = [("content-type", "text/plain; charset=utf-8"), ("x-content-type-options", "nosniff")]


class RsgiApp:
    def __init__(self, root: Root) -> None:
        self.root = root

    # Granian calls these two before the worker serves and after it stops, outside the running loop.
    def __rsgi_init__(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.run_until_complete(self.root.startup())

    def __rsgi_del__(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.run_until_complete(self.root.shutdown())

    async def __rsgi__(self, scope: Any, proto: Any) -> None:
        if scope.proto != "http":
            return
        if scope.method == "GET":
            m = MEDIA_PATH.match(scope.path)
            if m is not None and self._answer_cached(m, scope, proto):
                return
        await _AsgiCall(scope, proto).run(self.root)

    def _answer_cached(self, m: Any, scope: Any, proto: Any) -> bool:
        headers = scope.headers
        if "range" in headers:
            return False
        delivery = self.root.delivery
        hit = delivery.cached_hit(m.group(1), m.group(2).lower())  # type: ignore[union-attr]
        if hit is None:
            return False
        inm = headers.get("if-none-match")
        if inm is not None and inm.strip().removeprefix("W/") == hit.etag_str:
            proto.response_bytes(304, hit.not_modified_str, b"")
            return True
        proto.response_bytes(200, delivery.head_str(hit), hit.data)  # type: ignore[union-attr]
        delivery.counted(hit)  # type: ignore[union-attr]
        return True


class _AsgiCall:
    """One request carried from RSGI into an ASGI application (HTTP only: imghost serves no websockets).

    Request bodies are passed on chunk by chunk as the server receives them, never read whole first: for a
    4 MB upload, reading it whole took half as long again as streaming it, and the application can write
    each chunk away while the next one arrives."""

    __slots__ = ("proto", "scope", "status", "headers", "stream", "done", "body_left", "chunks")

    def __init__(self, rscope: Any, proto: Any) -> None:
        self.proto = proto
        self.status = 200
        self.headers: list[tuple[str, str]] = []
        self.stream: Any = None
        self.done = False
        raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in rscope.headers.items()]
        self.body_left = True
        self.chunks: Any = None
        self.scope = {
            "type": "http",
            # 2.4: a disconnected client surfaces as OSError from send(), so the framework needs no
            # task listening on receive() for a disconnect.
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": rscope.http_version,
            "method": rscope.method,
            "scheme": rscope.scheme,
            "path": rscope.path,
            "raw_path": quote(rscope.path, safe="/:@!$&'()*+,;=-._~").encode("latin-1"),
            "query_string": rscope.query_string.encode("latin-1"),
            "root_path": "",
            "headers": raw_headers,
            "client": _address(rscope.client),
            "server": _address(rscope.server),
            "extensions": {"http.response.pathsend": {}},
        }

    async def run(self, app: Any) -> None:
        try:
            await app(self.scope, self.receive, self.send)
        except Exception as exc:
            if isinstance(exc, OSError) and (self.done or self.stream is not None):
                # The client went away in the middle of the answer (a video player seeking, a closed
                # tab): routine, nothing to report.
                return
            log.exception(
                "unhandled error in %s %s", self.scope["method"], self.scope["path"].split("/")[1:2]
            )
            if not self.done and self.stream is None:
                self.done = True
                self.proto.response_bytes(500, _ERROR_HEADERS, b"Internal Server Error")
            return
        if not self.done and self.stream is None:
            # The application returned without answering.
            self.proto.response_bytes(500, _ERROR_HEADERS, b"Internal Server Error")

    async def receive(self) -> dict[str, Any]:
        if self.body_left:
            if self.chunks is None:
                self.chunks = self.proto.__aiter__()
            try:
                chunk = await self.chunks.__anext__()
            except StopAsyncIteration:
                self.body_left = False
                return {"type": "http.request", "body": b"", "more_body": False}
            return {"type": "http.request", "body": chunk, "more_body": True}
        # Nothing more will come: wait until the client goes away, as an ASGI server would.
        await self.proto.client_disconnect()
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if self.done:
            raise OSError("response already sent")
        if kind == "http.response.start":
            self.status = message["status"]
            self.headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", ())]
        elif kind == "http.response.body":
            body = message.get("body", b"")
            more = message.get("more_body", False)
            if self.stream is None and not more:
                self.done = True
                self.proto.response_bytes(self.status, self.headers, body)
                return
            if self.stream is None:
                self.stream = self.proto.response_stream(self.status, self.headers)
            try:
                if body:
                    await self.stream.send_bytes(body)
            except Exception as exc:  # the server's "protocol closed": the client went away
                raise OSError("client disconnected") from exc
            if not more:
                self.done = True
        elif kind == "http.response.pathsend":
            self.done = True
            self.proto.response_file(self.status, self.headers, message["path"])


def _address(text: str) -> tuple[str, int] | None:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        return None
    return host.strip("[]"), int(port)


app = RsgiApp(create_app(Settings.in_worker()))
