"""Reference app for `upload`: a raw ASGI app that only streams the request body to a temp file.

It is the floor for any upload endpoint: receive the bytes, write each chunk to disk as it arrives,
answer 200. No parsing, no hashing, no image work. Served by granian with imghost's settings.
Files go to $BENCH_SINK_DIR (the same file system as imghost's data dir) and stay there until the
benchmark ends, as imghost's do: a file deleted right after its reply never has its pages written back
to the disk, which would make the reference cheaper than any endpoint that keeps what it receives."""

from __future__ import annotations

import os
import tempfile
from typing import Any

SINK_DIR = os.environ.get("BENCH_SINK_DIR") or tempfile.gettempdir()
_BODY = b'{"success":true,"status":200}'
_HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(_BODY)).encode())]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            msg = await receive()
            if msg["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    fd, _ = tempfile.mkstemp(prefix="sink-", dir=SINK_DIR)
    with os.fdopen(fd, "wb") as f:
        while True:
            msg = await receive()
            body = msg.get("body", b"")
            if body:
                f.write(body)
            if not msg.get("more_body", False):
                break
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": _BODY})
