"""Fixtures for driving the real Imgur client libraries (imgurpython, PyImgur) against a live imghost.

- Every HTTP request either library makes goes through `requests`; `sent_requests` (autouse) records each
  one and refuses anything not addressed to this machine, so a test can never reach the real Imgur and can
  assert what a library actually sent.
- `imgurpython_at` / `pyimgur_at` point a library's module-level base URL at a server (restored after the
  test); `imgurpython_client` / `pyimgur_client` are ready-made clients on the session `server`.
- `media_host` is a tiny local HTTP server (http.server in a thread on 127.0.0.1) for URL uploads.
- `url_server` is a module-scoped imghost that may fetch URLs on private/loopback addresses.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import imgurpython
import imgurpython.client
import pyimgur
import pytest
import requests

from tests.live import LiveServer, free_port, start_server

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


# ---------------------------------------------------------------- request recording / off-host guard


class OffHostRequest(AssertionError):
    """A client library tried to talk to a host other than this machine."""

    def __init__(self, url: str) -> None:
        super().__init__(f"request to a non-local host refused: {url}")
        self.url = url


@dataclass
class SentRequest:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass
class RequestLog:
    sent: list[SentRequest] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.sent.clear()

    def to(self, method: str, path_prefix: str) -> list[SentRequest]:
        return [r for r in self.sent if r.method == method and r.path.startswith(path_prefix)]


@pytest.fixture(autouse=True)
def sent_requests(monkeypatch: pytest.MonkeyPatch) -> RequestLog:
    log = RequestLog()
    original = requests.sessions.Session.send

    def send(self: requests.Session, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
        host = urlsplit(request.url or "").hostname or ""
        if host not in LOCAL_HOSTS:
            log.refused.append(request.url or "")
            raise OffHostRequest(request.url or "")
        body = request.body or b""
        log.sent.append(SentRequest(
            method=request.method or "",
            url=request.url or "",
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body.encode() if isinstance(body, str) else bytes(body),
        ))
        return original(self, request, **kwargs)

    monkeypatch.setattr(requests.sessions.Session, "send", send)
    return log


# ---------------------------------------------------------------- base URL redirection


@pytest.fixture
def imgurpython_at(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Point imgurpython at a server: `imgurpython.client.API_URL = url + '/'` (restored afterwards)."""

    def point(url: str) -> None:
        monkeypatch.setattr(imgurpython.client, "API_URL", url.rstrip("/") + "/")

    return point


@pytest.fixture
def pyimgur_at(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Point PyImgur at a server: `pyimgur.IMGUR_BASE = url` before constructing (restored afterwards)."""

    def point(url: str) -> None:
        monkeypatch.setattr(pyimgur, "IMGUR_BASE", url.rstrip("/"))

    return point


@pytest.fixture
def imgurpython_client(server: LiveServer, client_creds: tuple[str, str],
                       imgurpython_at: Callable[[str], None]) -> imgurpython.ImgurClient:
    imgurpython_at(server.url)
    return imgurpython.ImgurClient(*client_creds)


@pytest.fixture
def pyimgur_client(server: LiveServer, client_creds: tuple[str, str],
                   pyimgur_at: Callable[[str], None]) -> pyimgur.Imgur:
    pyimgur_at(server.url)
    im = pyimgur.Imgur(client_creds[0])
    assert im.base_url == server.url
    return im


# ---------------------------------------------------------------- local media host for URL uploads


@dataclass
class MediaHost:
    url: str
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def add(self, name: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        """Serve data at /name; returns its URL."""
        self.files["/" + name] = (data, content_type)
        return f"{self.url}/{name}"

    def add_file(self, path: Path, name: str | None = None, content_type: str = "application/octet-stream") -> str:
        return self.add(name or path.name, path.read_bytes(), content_type)

    def hits_for(self, name: str) -> int:
        return sum(1 for h in self.hits if h == "/" + name)


@pytest.fixture(scope="session")
def media_host() -> Iterator[MediaHost]:
    host = MediaHost(url="")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, with_body: bool) -> None:
            path = self.path.split("?", 1)[0]
            host.hits.append(path)
            entry = host.files.get(path)
            if entry is None:
                self.send_response(404)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "9")
                self.end_headers()
                if with_body:
                    self.wfile.write(b"not found")
                return
            data, ctype = entry
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if with_body:
                self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            self._answer(True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(False)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    host.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, name="media-host", daemon=True)
    thread.start()
    try:
        yield host
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


# ---------------------------------------------------------------- extra imghost servers


@pytest.fixture(scope="module")
def url_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """An imghost that may fetch upload URLs from loopback (the default server refuses them)."""
    data = tmp_path_factory.mktemp("imghost-url-data")
    srv = start_server(data, port=free_port(), extra_env={"IMGHOST_URL_UPLOAD_ALLOW_PRIVATE": "1"})
    try:
        yield srv
    finally:
        srv.stop()


def away_from_window_edge(window: int = 3600, margin: float = 20.0) -> None:
    """Rate limits use fixed windows aligned to the epoch; wait if one is about to roll over."""
    left = window - time.time() % window
    if left < margin:
        time.sleep(left + 1)


@pytest.fixture(scope="module")
def ratelimited_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """An imghost whose user budget is 30 credits an hour: three uploads (10 credits each)."""
    data = tmp_path_factory.mktemp("imghost-rl-data")
    srv = start_server(data, port=free_port(), extra_env={"IMGHOST_RATE_LIMIT_USER": "30"})
    try:
        yield srv
    finally:
        srv.stop()
