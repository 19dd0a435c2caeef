"""A stand-in for Imgur's media host (i.imgur.com), on loopback, for the import tests and the benchmark.

It answers as the real one does: `/{id}.{ext}` gives the original whatever the extension asks for,
with its real Content-Type (so `/{id}.jpg` of a PNG is a PNG); `/{id}{s,b,t,m,l,h}.{ext}` gives a small
JPEG thumbnail; `.mp4` (and `.gifv`, `.webm`) of an animation gives its MP4 when it has one; a removed
id answers 302 to `/removed.png`, the placeholder; an unknown id is a 404. Every `rate_limit_every`-th
request is refused with 429 and `Retry-After`. Every request is recorded (time, path, headers)."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from PIL import Image

from tests.live import http_thread

THUMBS = "sbtmlh"


def placeholder_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (161, 81), (255, 255, 255)).save(buf, "PNG")
    return buf.getvalue()


def thumb_jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (90, 90, 90)).save(buf, "JPEG")
    return buf.getvalue()


@dataclass
class Hit:
    at: float  # time.monotonic()
    path: str
    status: int
    headers: dict[str, str]


@dataclass
class StandIn:
    url: str = ""
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # id -> (original, content type)
    mp4s: dict[str, bytes] = field(default_factory=dict)  # id -> its MP4 (animations)
    removed: set[str] = field(default_factory=set)
    rate_limit_every: int = 0  # 0: never
    retry_after: str = "1"
    exhausted_at: int = 0  # this request's answer says the quota is used up (X-RateLimit-*), reset in 2 s
    delay: float = 0.0  # seconds before each answer: a slow host, for the tests that stop an import
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _count: int = 0

    def add(self, ident: str, data: bytes, content_type: str) -> None:
        self.files[ident] = (data, content_type)

    def paths(self) -> list[str]:
        with self.lock:
            return [h.path for h in self.hits]

    def answer(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            self._count += 1
            limited = self.rate_limit_every and self._count % self.rate_limit_every == 0
            exhausted = self._count == self.exhausted_at
        status, out, body = self._answer(path, limited)
        if exhausted:
            out = {
                **out,
                "X-RateLimit-UserRemaining": "0",
                "X-RateLimit-UserReset": str(int(time.time()) + 2),
            }
        return status, out, body

    def _answer(self, path: str, limited: bool) -> tuple[int, dict[str, str], bytes]:
        if limited:
            return 429, {"Retry-After": self.retry_after, "Content-Type": "text/plain"}, b"slow down"
        name = path.split("?", 1)[0].lstrip("/")
        if name == "removed.png":
            return 200, {"Content-Type": "image/png"}, placeholder_png()
        stem, _, ext = name.partition(".")
        ext = ext.lower()
        if stem in self.removed:
            return 302, {"Location": f"{self.url}/removed.png"}, b""
        if stem in self.files:
            if ext in ("mp4", "gifv", "webm"):
                if stem in self.mp4s:
                    return 200, {"Content-Type": "video/mp4"}, self.mp4s[stem]
                data, ctype = self.files[stem]
                if ctype == "video/mp4":
                    return 200, {"Content-Type": ctype}, data
                return 404, {"Content-Type": "text/plain"}, b"not found"
            data, ctype = self.files[stem]
            return 200, {"Content-Type": ctype}, data
        if len(stem) > 1 and stem[-1] in THUMBS and stem[:-1] in self.files:
            return 200, {"Content-Type": "image/jpeg"}, thumb_jpeg()
        return 404, {"Content-Type": "text/plain"}, b"not found"


def _handler(standin: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without this the body waits for a delayed ACK.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            if standin.delay:
                time.sleep(standin.delay)
            status, out_headers, body = standin.answer(self.path, headers)
            with standin.lock:
                standin.hits.append(Hit(time.monotonic(), self.path, status, headers))
            self.send_response(status)
            for k, v in out_headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def media_host(standin: StandIn | None = None) -> Iterator[StandIn]:
    standin = standin or StandIn()
    with http_thread(_handler(standin), "standin-media") as url:
        standin.url = url
        yield standin
