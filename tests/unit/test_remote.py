"""remote.download(): fetching `type=url` uploads without becoming a proxy into the private network."""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from imghost import remote
from imghost.errors import ImghostError, InvalidRequest, PayloadTooLarge
from imghost.remote import RemoteFetchError, _resolve, download

BODY = bytes(range(256)) * 16  # 4096 bytes
PRIVATE = "The image URL points to a private or reserved address"
SCHEME = "Only http and https image URLs are supported"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(
        self, status: int, body: bytes = b"", headers: dict[str, str] | None = None, length: bool = True
    ) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        srv = self.server
        srv.requests.append((self.path, self.headers.get("Host", "")))
        path = self.path
        base = f"http://127.0.0.1:{srv.server_address[1]}"
        if path == "/ok":
            self._send(200, BODY, {"Content-Type": "image/png"})
        elif path.startswith("/size/"):
            self._send(200, b"\x07" * int(path.rsplit("/", 1)[1]))
        elif path == "/declared-big":  # honest Content-Length over the limit
            self._send(200, b"\x01" * 10_000)
        elif path == "/chunked":  # no Content-Length: 10 x 1000 bytes, chunked
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(10):
                self.wfile.write(b"3e8\r\n" + b"\x02" * 1000 + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/until-close":  # no Content-Length, no chunking: the body ends when the connection does
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"\x03" * 10_000)
            self.close_connection = True
        elif path == "/small-chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"10\r\n" + b"\x04" * 16 + b"\r\n0\r\n\r\n")
        elif path.startswith("/hop/"):  # /hop/N redirects N times before landing on /ok
            n = int(path.rsplit("/", 1)[1])
            self._send(302, b"", {"Location": f"{base}/hop/{n - 1}" if n > 1 else "/ok"})
        elif path == "/relative":
            self._send(301, b"", {"Location": "ok"})
        elif path == "/to-localhost":
            self._send(307, b"", {"Location": f"http://localhost:{srv.server_address[1]}/host"})
        elif path == "/to-metadata":
            self._send(302, b"", {"Location": "http://169.254.169.254/latest/meta-data/iam/"})
        elif path == "/to-private":
            self._send(302, b"", {"Location": "http://10.0.0.1/internal.png"})
        elif path == "/to-ftp":
            self._send(302, b"", {"Location": "ftp://example.com/a.png"})
        elif path == "/loop":
            self._send(302, b"", {"Location": "/loop"})
        elif path == "/host":
            self._send(200, self.headers.get("Host", "").encode())
        elif path == "/no-location":
            self._send(302, b"moved, somewhere")
        elif path.startswith("/status/"):
            self._send(int(path.rsplit("/", 1)[1]), b"error page")
        else:
            self._send(404, b"not found")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[str, str]] = []


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    srv = _Server()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


@pytest.fixture
def base(server: _Server) -> str:
    server.requests.clear()
    return f"http://127.0.0.1:{server.server_address[1]}"


def fetch(
    url: str, dest: Path, *, max_bytes: int = 1_000_000, allow_private: bool = True, max_redirects: int = 5
) -> tuple[int, str]:
    """(size, sha256) of what arrived in dest."""
    asyncio.run(
        download(
            url,
            dest,
            max_bytes=max_bytes,
            timeout=5.0,
            deadline=30.0,
            max_redirects=max_redirects,
            allow_private=allow_private,
        )
    )
    data = dest.read_bytes()
    return len(data), hashlib.sha256(data).hexdigest()


def refused(url: str, dest: Path, **kw: object) -> ImghostError:
    with pytest.raises(ImghostError) as info:
        fetch(url, dest, **kw)  # type: ignore[arg-type]
    return info.value


# ------------------------------------------------------------------------------------- address classes


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.1.2.3",
        "localhost",
        "::1",
        "0.0.0.0",
        "10.0.0.1",
        "10.255.255.254",
        "172.16.0.1",
        "172.31.255.1",
        "192.168.0.1",
        "192.168.1.100",
        "169.254.169.254",
        "169.254.0.1",
        "100.64.0.1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "224.0.0.1",
        "239.255.255.250",
        "ff02::1",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "198.51.100.7",
        "203.0.113.9",
        "2001:db8::1",
        "::",
    ],
)
def test_resolve_refuses_non_public_addresses(host: str) -> None:
    with pytest.raises(RemoteFetchError) as info:
        asyncio.run(_resolve(host, 80, False))
    assert info.value.public == PRIVATE
    assert info.value.status == 400


@pytest.mark.parametrize(
    "host",
    ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "2001:4860:4860::8888", "::ffff:8.8.8.8"],
)
def test_resolve_allows_public_addresses(host: str) -> None:
    assert ipaddress.ip_address(asyncio.run(_resolve(host, 443, False))) == ipaddress.ip_address(host)


def test_resolve_returns_the_checked_address() -> None:
    assert asyncio.run(_resolve("8.8.8.8", 80, False)) == "8.8.8.8"
    assert asyncio.run(_resolve("2606:4700:4700::1111", 80, False)) == "2606:4700:4700::1111"


@pytest.mark.parametrize("host", ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1"])
def test_resolve_with_allow_private(host: str) -> None:
    assert asyncio.run(_resolve(host, 80, True)) == host


def test_resolve_localhost_with_allow_private() -> None:
    assert asyncio.run(_resolve("localhost", 80, True)) in ("127.0.0.1", "::1")


def test_remote_fetch_error_is_an_invalid_request() -> None:
    assert issubclass(RemoteFetchError, InvalidRequest)


# ------------------------------------------------------------------------------------------ refusals


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_loopback_is_refused_without_a_request(server: _Server, base: str, tmp_path: Path, host: str) -> None:
    url = f"http://{host}:{server.server_address[1]}/ok"
    err = refused(url, tmp_path / "f", allow_private=False)
    assert type(err) is RemoteFetchError
    assert err.public == PRIVATE
    assert server.requests == []
    assert not (tmp_path / "f").exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://10.1.2.3/a.png",
        "http://192.168.0.1/a.png",
        "https://192.168.1.1:8443/a.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://172.16.5.4/",
        "http://[fd00::1]/a.png",
        "http://[::ffff:127.0.0.1]/a.png",
        "http://0.0.0.0/",
        "http://user:pass@127.0.0.1/a.png",
        "http://2130706433/a.png",
        "http://0x7f000001/a.png",
        "http://017700000001/a.png",
    ],
)
def test_private_and_link_local_literals_are_refused(tmp_path: Path, url: str) -> None:
    err = refused(url, tmp_path / "f", allow_private=False)
    assert type(err) is RemoteFetchError
    assert err.public == PRIVATE


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/a.png",
        "file:///etc/passwd",
        "gopher://example.com/",
        "data:image/png;base64,AAAA",
        "javascript:alert(1)",
        "ws://example.com/",
        "//example.com/a.png",
        "example.com/a.png",
        "http:///a.png",
        "http://",
        "",
        "httpx://example.com/",
    ],
)
def test_non_http_schemes_are_refused(tmp_path: Path, url: str) -> None:
    err = refused(url, tmp_path / "f", allow_private=False)
    assert type(err) is RemoteFetchError
    assert err.public == SCHEME


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/a.png", "gopher://localhost:70/"])
def test_non_http_schemes_are_refused_even_when_private_is_allowed(tmp_path: Path, url: str) -> None:
    err = refused(url, tmp_path / "f", allow_private=True)
    assert type(err) is RemoteFetchError
    assert err.public == SCHEME


# ------------------------------------------------------------------------------------------- downloads


def test_download(base: str, server: _Server, tmp_path: Path) -> None:
    dest = tmp_path / "f"
    assert fetch(f"{base}/ok", dest) == (len(BODY), hashlib.sha256(BODY).hexdigest())
    assert dest.read_bytes() == BODY
    assert server.requests == [("/ok", f"127.0.0.1:{server.server_address[1]}")]


def test_host_header_is_the_url_host(server: _Server, tmp_path: Path) -> None:
    port = server.server_address[1]
    dest = tmp_path / "f"
    fetch(f"http://localhost:{port}/host", dest)
    assert dest.read_bytes() == f"localhost:{port}".encode()


def test_small_chunked_body(base: str, tmp_path: Path) -> None:
    dest = tmp_path / "f"
    assert fetch(f"{base}/small-chunked", dest) == (16, hashlib.sha256(b"\x04" * 16).hexdigest())


def test_exactly_max_bytes_is_accepted(base: str, tmp_path: Path) -> None:
    dest = tmp_path / "f"
    assert fetch(f"{base}/size/5000", dest, max_bytes=5000)[0] == 5000
    assert dest.stat().st_size == 5000


@pytest.mark.parametrize("path", ["/size/5001", "/declared-big"])
def test_declared_length_over_the_limit(base: str, server: _Server, tmp_path: Path, path: str) -> None:
    err = refused(f"{base}{path}", tmp_path / "f", max_bytes=5000)
    assert type(err) is PayloadTooLarge


@pytest.mark.parametrize("path", ["/chunked", "/until-close"])
def test_streamed_body_over_the_limit(base: str, tmp_path: Path, path: str) -> None:
    dest = tmp_path / "f"
    err = refused(f"{base}{path}", dest, max_bytes=5000)
    assert type(err) is PayloadTooLarge
    assert not dest.exists() or dest.stat().st_size <= 5000
    # The same bodies under a larger limit arrive whole.
    size, _ = fetch(f"{base}{path}", dest, max_bytes=10_000)
    assert size == 10_000 == dest.stat().st_size


@pytest.mark.parametrize("status", [404, 403, 500, 503, 204, 206])
def test_non_200_is_refused(base: str, tmp_path: Path, status: int) -> None:
    err = refused(f"{base}/status/{status}", tmp_path / "f")
    assert type(err) is RemoteFetchError
    assert err.public == f"The image URL answered HTTP {status}"


def test_redirect_without_location_is_refused(base: str, tmp_path: Path) -> None:
    err = refused(f"{base}/no-location", tmp_path / "f")
    assert type(err) is RemoteFetchError
    assert err.public == "The image URL answered HTTP 302"


def test_connection_refused(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    err = refused(f"http://127.0.0.1:{port}/x", tmp_path / "f")
    assert type(err) is RemoteFetchError
    assert err.public == "Could not download the image URL"


# ------------------------------------------------------------------------------------------- redirects


def test_redirect_chain_is_followed(base: str, server: _Server, tmp_path: Path) -> None:
    dest = tmp_path / "f"
    assert fetch(f"{base}/hop/3", dest, max_redirects=3)[0] == len(BODY)
    assert [p for p, _ in server.requests] == ["/hop/3", "/hop/2", "/hop/1", "/ok"]


def test_relative_redirect(base: str, server: _Server, tmp_path: Path) -> None:
    assert fetch(f"{base}/relative", tmp_path / "f")[0] == len(BODY)
    assert [p for p, _ in server.requests] == ["/relative", "/ok"]


@pytest.mark.parametrize(("hops", "max_redirects"), [(1, 0), (3, 2), (6, 5)])
def test_too_many_redirects(
    base: str, server: _Server, tmp_path: Path, hops: int, max_redirects: int
) -> None:
    err = refused(f"{base}/hop/{hops}", tmp_path / "f", max_redirects=max_redirects)
    assert type(err) is RemoteFetchError
    assert err.public == "Too many redirects"
    assert len(server.requests) == max_redirects + 1


def test_redirect_loop(base: str, server: _Server, tmp_path: Path) -> None:
    err = refused(f"{base}/loop", tmp_path / "f", max_redirects=4)
    assert type(err) is RemoteFetchError
    assert err.public == "Too many redirects"
    assert len(server.requests) == 5


def test_redirect_to_another_scheme_is_refused(base: str, tmp_path: Path) -> None:
    err = refused(f"{base}/to-ftp", tmp_path / "f")
    assert type(err) is RemoteFetchError
    assert err.public == SCHEME


def test_every_hop_is_resolved_and_checked(
    base: str, server: _Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, int, bool]] = []
    real = remote._resolve

    async def recording(host: str, port: int, allow_private: bool) -> str:
        calls.append((host, port, allow_private))
        return await real(host, port, allow_private)

    monkeypatch.setattr(remote, "_resolve", recording)
    port = server.server_address[1]
    fetch(f"{base}/hop/2", tmp_path / "f")
    assert calls == [("127.0.0.1", port, True)] * 3
    calls.clear()
    fetch(f"{base}/to-localhost", tmp_path / "g")
    assert calls == [("127.0.0.1", port, True), ("localhost", port, True)]
    assert (tmp_path / "g").read_bytes() == f"localhost:{port}".encode()


@pytest.fixture
def trusted_test_server(server: _Server, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Treat the test server's address as if it were a public one; every other host goes through the real
    check with allow_private=False. Returns the hosts each hop was resolved for."""
    real = remote._resolve
    seen: list[str] = []

    async def resolve(host: str, port: int, allow_private: bool) -> str:
        seen.append(host)
        if (host, port) == ("127.0.0.1", server.server_address[1]):
            return "127.0.0.1"
        return await real(host, port, allow_private)

    monkeypatch.setattr(remote, "_resolve", resolve)
    return seen


@pytest.mark.parametrize(
    ("path", "next_host"),
    [("/to-metadata", "169.254.169.254"), ("/to-private", "10.0.0.1"), ("/to-localhost", "localhost")],
)
def test_redirect_into_the_private_network_is_refused(
    base: str, server: _Server, tmp_path: Path, trusted_test_server: list[str], path: str, next_host: str
) -> None:
    dest = tmp_path / "f"
    err = refused(f"{base}{path}", dest, allow_private=False)
    assert type(err) is RemoteFetchError
    assert err.public == PRIVATE
    assert trusted_test_server == ["127.0.0.1", next_host]
    assert [p for p, _ in server.requests] == [path]  # the second hop was never requested
    assert not dest.exists()


def test_trusted_public_server_still_downloads(
    base: str, tmp_path: Path, trusted_test_server: list[str]
) -> None:
    assert fetch(f"{base}/hop/2", tmp_path / "f", allow_private=False)[0] == len(BODY)
    assert trusted_test_server == ["127.0.0.1"] * 3
