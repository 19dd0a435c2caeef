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

from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

import imgurpython
import imgurpython.client
import pyimgur
import pytest
import requests

from tests.clients.helpers import LOCAL_HOSTS, MediaHost, OffHostRequest, RequestLog, SentRequest
from tests.live import LiveServer, free_port, http_thread, start_server

# ---------------------------------------------------------------- request recording / off-host guard


@pytest.fixture(autouse=True)
def sent_requests(monkeypatch: pytest.MonkeyPatch) -> RequestLog:
    log = RequestLog()
    original = requests.sessions.Session.send

    def send(
        self: requests.Session, request: requests.PreparedRequest, **kwargs: object
    ) -> requests.Response:
        host = urlsplit(request.url or "").hostname or ""
        if host not in LOCAL_HOSTS:
            log.refused.append(request.url or "")
            raise OffHostRequest(request.url or "")
        body = request.body or b""
        log.sent.append(
            SentRequest(
                method=request.method or "",
                url=request.url or "",
                headers={k.lower(): v for k, v in request.headers.items()},
                body=body.encode() if isinstance(body, str) else bytes(body),
            )
        )
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
def imgurpython_client(
    server: LiveServer, session_client: tuple[str, str], imgurpython_at: Callable[[str], None]
) -> imgurpython.ImgurClient:
    """imgurpython on the session server, with the suite's shared application."""
    imgurpython_at(server.url)
    return imgurpython.ImgurClient(*session_client)


@pytest.fixture
def imgurpython_fresh(
    server: LiveServer, client_creds: tuple[str, str], imgurpython_at: Callable[[str], None]
) -> imgurpython.ImgurClient:
    """imgurpython with an application of its own, for tests that count credits."""
    imgurpython_at(server.url)
    return imgurpython.ImgurClient(*client_creds)


@pytest.fixture
def pyimgur_client(
    server: LiveServer, session_client: tuple[str, str], pyimgur_at: Callable[[str], None]
) -> pyimgur.Imgur:
    """PyImgur on the session server, with the suite's shared application."""
    pyimgur_at(server.url)
    im = pyimgur.Imgur(session_client[0])
    assert im.base_url == server.url
    return im


@pytest.fixture
def pyimgur_fresh(
    server: LiveServer, client_creds: tuple[str, str], pyimgur_at: Callable[[str], None]
) -> pyimgur.Imgur:
    """PyImgur with an application of its own, for tests that count credits."""
    pyimgur_at(server.url)
    im = pyimgur.Imgur(client_creds[0])
    assert im.base_url == server.url
    return im


# ---------------------------------------------------------------- local media host for URL uploads


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

        def do_GET(self) -> None:
            self._answer(True)

        def do_HEAD(self) -> None:
            self._answer(False)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with http_thread(Handler, "media-host") as base:
        host.url = f"{base}"
        yield host


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


@pytest.fixture(scope="module")
def ratelimited_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """An imghost whose user budget is 30 credits an hour: three uploads (10 credits each)."""
    data = tmp_path_factory.mktemp("imghost-rl-data")
    srv = start_server(data, port=free_port(), extra_env={"IMGHOST_RATE_LIMIT_USER": "30"})
    try:
        yield srv
    finally:
        srv.stop()
