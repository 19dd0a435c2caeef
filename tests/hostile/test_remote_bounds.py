"""URL uploads under attack: addresses that smuggle a private IPv4 inside IPv6, malformed URLs, and remote
servers that drip bytes. Each is refused with a 400 envelope within a bound, and leaves nothing behind."""

from __future__ import annotations

import asyncio
import io
import ipaddress
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest
from PIL import Image

from imghost.remote import INVALID, SCHEME, RemoteFetchError, allowed, download, parse
from tests.api.helpers import envelope_error, envelope_ok
from tests.live import LiveServer, db_rows, free_port, http_thread, start_server, tmp_leftovers

PRIVATE = "The image URL points to a private or reserved address"

# ------------------------------------------------------------------------------ the address rule, as a table

REFUSED = [
    # plain IPv4 outside the public internet
    "127.0.0.1",
    "127.255.255.254",
    "10.0.0.1",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "0.1.2.3",
    "192.0.0.1",
    "192.0.2.1",
    "198.18.0.1",
    "198.51.100.7",
    "203.0.113.9",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    # plain IPv6 outside the public internet
    "::",
    "::1",
    "fe80::1",
    "fe80::1%eth0",
    "fc00::1",
    "fd12:3456::1",
    "fec0::1",
    "ff02::1",
    "ff0e::1",
    "2001:db8::1",
    "100::1",
    # NAT64, well-known prefix (64:ff9b::/96, IPv4 in the last 32 bits)
    "64:ff9b::7f00:1",
    "64:ff9b::127.0.0.1",
    "64:ff9b::a00:1",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b::c0a8:101",
    "64:ff9b::",
    "64:ff9b::e000:1",
    # NAT64, local-use prefix (64:ff9b:1::/48): a gateway into the operator's own network
    "64:ff9b:1::808:808",
    "64:ff9b:1:ffff::1",
    "64:ff9b:1::7f00:1",
    # 6to4 (2002::/16, IPv4 in bits 16-48)
    "2002:7f00:1::",
    "2002:7f00:1::1",
    "2002:a00:1::",
    "2002:a9fe:a9fe::1",
    "2002:c0a8:101:1::1",
    "2002::1",
    "2002:e000:1::",
    # Teredo (2001::/32): server in bits 32-64, client inverted in the last 32 bits
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # client 127.0.0.1
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # client 10.0.0.1
    "2001:0:a00:1:8000:63bf:f7f7:f7f7",  # server 10.0.0.1, client 8.8.8.8
    "2001:0:4136:e378:8000:63bf:f7f7:f7f7",  # both public: still not a globally routed address
    # IPv4-compatible (::a.b.c.d, deprecated)
    "::127.0.0.1",
    "::7f00:1",
    "::10.0.0.1",
    "::169.254.169.254",
    "::192.168.0.1",
    "::0.0.0.2",
    # IPv4-mapped (::ffff:a.b.c.d) and SIIT-translated (::ffff:0:a.b.c.d)
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:0.0.0.0",
    "::ffff:224.0.0.1",
    "::ffff:0:7f00:1",
    "::ffff:0:a00:1",
]

ALLOWED = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
]


@pytest.mark.parametrize("addr", REFUSED)
def test_refused_addresses(addr: str) -> None:
    assert allowed(ipaddress.ip_address(addr)) is False


@pytest.mark.parametrize("addr", ALLOWED)
def test_public_addresses(addr: str) -> None:
    assert allowed(ipaddress.ip_address(addr)) is True


def test_tables_do_not_overlap() -> None:
    assert not set(REFUSED) & set(ALLOWED)


# ------------------------------------------------------------------------------------- malformed URLs

LABEL_64 = "a" * 64
MALFORMED = [
    "http://[::1",
    "http://[::1/x.png",
    "http://[::1]]/",
    "http://host:abc/",
    "http://127.0.0.1:99999/",
    "http://127.0.0.1:-1/",
    "http://127.0.0.1:0/",
    "http://[zz::1]/",
    "http://[127.0.0.1]/",
    f"http://{LABEL_64}.example/x.png",
    f"http://{LABEL_64}/",
    "http://a..b/",
    "http://.example/",
    "http://" + ("a" * 63 + ".") * 4 + "com/",
    "http://ex ample.com/",
    "http://exa%00mple.com/",
    "http://caf\u00e9" + "e" * 70 + ".example/",
    "https://[::1]:65536/",
]
NOT_HTTP = [
    "http://:80/",
    "http://user@/x.png",
    "http:///x.png",
    "http://",
    "ftp://127.0.0.1/a.png",
    "file:///etc/passwd",
    "gopher://localhost:70/",
    "data:image/png;base64,AAAA",
    "javascript:alert(1)",
    "//127.0.0.1/x.png",
    "ws://localhost/",
    "127.0.0.1/x.png",
]
# Credentials and look-alike hosts: whatever a reader takes the host to be, the checked address is the
# one connected to, and here it is always a loopback one.
USERINFO = [
    "http://user:pass@127.0.0.1/a.png",
    "http://evil@127.0.0.1/a.png",
    "http://localhost@127.0.0.1/",
    "http://127.0.0.1\\@localhost/a.png",
    "http://localhost#@127.0.0.1/",
    "http://[::1]@localhost/",
    "http://a:b@[::ffff:127.0.0.1]:80/",
    "http://%31%32%37.0.0.1@localhost/",
]


@pytest.mark.parametrize("url", MALFORMED)
def test_malformed_urls_are_invalid(url: str) -> None:
    with pytest.raises(RemoteFetchError) as info:
        parse(url)
    assert info.value.public == INVALID and info.value.status == 400


@pytest.mark.parametrize("url", NOT_HTTP)
def test_other_schemes_and_empty_hosts(url: str) -> None:
    with pytest.raises(RemoteFetchError) as info:
        parse(url)
    assert info.value.public == SCHEME and info.value.status == 400


def test_parse_normalises_the_host() -> None:
    t = parse("http://B\u00fccher.Example:8080/a.png?x=1")
    assert (t.host, t.port, t.host_header) == ("xn--bcher-kva.example", 8080, "xn--bcher-kva.example:8080")
    t = parse("https://[::FFFF:8.8.8.8]/a.png")
    assert (t.host, t.port, t.host_header) == ("::ffff:808:808", 443, "[::ffff:808:808]")
    t = parse("http://u:p@example.org/")
    assert (t.host, t.port, t.host_header) == ("example.org", 80, "example.org")


def _download(
    url: str, dest: Path, *, allow_private: bool = False, deadline: float = 30.0, timeout: float = 5.0
) -> None:
    asyncio.run(
        download(
            url,
            dest,
            max_bytes=1_000_000,
            timeout=timeout,
            deadline=deadline,
            max_redirects=5,
            allow_private=allow_private,
        )
    )


@pytest.mark.parametrize("url", MALFORMED + NOT_HTTP + USERINFO)
def test_download_refuses_with_a_400(tmp_path: Path, url: str) -> None:
    with pytest.raises(RemoteFetchError) as info:
        _download(url, tmp_path / "f")
    assert info.value.status == 400
    assert not (tmp_path / "f").exists()


# ------------------------------------------------------------------------- stand-in remote servers


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 150, 90)).save(out, "JPEG")
    return out.getvalue()


JPEG = _jpeg()
BAD_LOCATIONS = [
    "http://[::1/x",
    "http://[zz::1]/x",
    "http://host:abc/",
    "http://127.0.0.1:99999/",
    f"http://{'a' * 64}.example/",
    "http://[::1]]/",
    "ftp://127.0.0.1/",
]
DRIP_SECONDS = 0.2


class Remote(BaseHTTPRequestHandler):
    """/ok: a JPEG; /drip-body: headers, then one byte every 0.2 s for a minute; /drip-headers: the status
    line and headers one byte every 0.2 s; /hop/N: N redirects, each answered after 0.5 s;
    /bad-redirect/N: a Location that is not a usable URL."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        try:
            self._answer()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the fetcher gave up, as it should

    def _answer(self) -> None:
        path = self.path
        if path == "/ok":
            self._send(200, JPEG, "image/jpeg")
        elif path == "/drip-body":
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(JPEG) * 100))
            self.end_headers()
            self.wfile.flush()
            for i in range(300):
                self.wfile.write(JPEG[i % len(JPEG) : i % len(JPEG) + 1])
                self.wfile.flush()
                time.sleep(DRIP_SECONDS)
        elif path == "/drip-headers":
            head = b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n" + b"X-Pad: " + b"p" * 300 + b"\r\n\r\n"
            for b in head:
                self.wfile.write(bytes([b]))
                self.wfile.flush()
                time.sleep(DRIP_SECONDS)
        elif path.startswith("/hop/"):
            n = int(path.rsplit("/", 1)[1])
            time.sleep(0.5)
            self.send_response(302)
            self.send_header("Location", f"/hop/{n - 1}" if n > 1 else "/ok")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path.startswith("/bad-redirect/"):
            self.send_response(302)
            self.send_header("Location", BAD_LOCATIONS[int(path.rsplit("/", 1)[1])])
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._send(404, b"not found", "text/plain")

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def remote() -> Iterator[str]:
    with http_thread(Remote, "dripping-remote") as base:
        yield base


# -------------------------------------------------------------------------------- the deadline, in-process


@pytest.mark.parametrize("path", ["/drip-body", "/drip-headers", "/hop/5"])
def test_deadline_bounds_the_whole_fetch(remote: str, tmp_path: Path, path: str) -> None:
    start = time.monotonic()
    with pytest.raises(RemoteFetchError) as info:
        # A per-read timeout of 10 s never fires: a byte comes every 0.2 s, a redirect every 0.5 s.
        _download(f"{remote}{path}", tmp_path / "f", allow_private=True, deadline=1.5, timeout=10.0)
    took = time.monotonic() - start
    assert info.value.public == "Could not download the image URL within 1.5 seconds"
    assert info.value.status == 400
    assert 1.4 <= took < 3.0, took


def test_a_fetch_inside_the_deadline_arrives_whole(remote: str, tmp_path: Path) -> None:
    _download(f"{remote}/hop/2", tmp_path / "f", allow_private=True, deadline=10.0)
    assert (tmp_path / "f").read_bytes() == JPEG


@pytest.mark.parametrize("n", range(len(BAD_LOCATIONS)))
def test_redirect_to_a_malformed_url(remote: str, tmp_path: Path, n: int) -> None:
    with pytest.raises(RemoteFetchError) as info:
        _download(f"{remote}/bad-redirect/{n}", tmp_path / "f", allow_private=True)
    # The HTTP client may refuse the Location itself before imghost reads it.
    assert info.value.public in (INVALID, SCHEME, "Could not download the image URL")
    assert not (tmp_path / "f").exists()


@pytest.mark.parametrize("tail", ["/a\x00b", "/a b\r\nX-Injected: 1"])
def test_odd_paths_never_escape_as_other_errors(remote: str, tmp_path: Path, tail: str) -> None:
    with pytest.raises(RemoteFetchError) as info:  # refused here, or the remote's 404 passed on as a 400
        _download(f"{remote}{tail}", tmp_path / "f", allow_private=True)
    assert info.value.status == 400


# ------------------------------------------------------------------------------------ through the API


def _upload_url(client: httpx.Client, url: str) -> httpx.Response:
    return client.post("/3/upload", data={"image": url, "type": "url"})


def _log_since(server: LiveServer, mark: int) -> str:
    return server.logs()[mark:]


@pytest.mark.parametrize(
    "host",
    [
        "[64:ff9b::7f00:1]",
        "[64:ff9b::a9fe:a9fe]",
        "[64:ff9b:1::a00:1]",
        "[2002:7f00:1::]",
        "[2002:a9fe:a9fe::1]",
        "[2001:0:4136:e378:8000:63bf:80ff:fffe]",
        "[::127.0.0.1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:0:7f00:1]",
        "[ff0e::1]",
        "[fec0::1]",
    ],
)
def test_embedded_private_addresses_are_refused(api: httpx.Client, server: LiveServer, host: str) -> None:
    err = envelope_error(_upload_url(api, f"http://{host}/x.png"), 400)
    assert err["error"] == PRIVATE


@pytest.mark.parametrize("url", MALFORMED + NOT_HTTP + USERINFO)
def test_malformed_urls_are_400_envelopes(api: httpx.Client, server: LiveServer, url: str) -> None:
    mark = len(server.logs())
    envelope_error(_upload_url(api, url), 400)
    assert "Traceback" not in _log_since(server, mark)


@pytest.fixture(scope="module")
def deadline_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    srv = start_server(
        tmp_path_factory.mktemp("url-deadline"),
        port=free_port(),
        extra_env={
            "IMGHOST_URL_FETCH_SECONDS": "2",
            "IMGHOST_URL_UPLOAD_TIMEOUT": "15",
            "IMGHOST_URL_UPLOAD_ALLOW_PRIVATE": "1",
        },
    )
    srv.create_client("deadline")
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def deadline_api(deadline_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=deadline_server.url,
        timeout=60,
        headers={"Authorization": f"Client-ID {deadline_server.clients[0][0]}"},
    ) as c:
        yield c


@pytest.mark.parametrize("path", ["/drip-body", "/drip-headers", "/hop/5"])
def test_dripping_remote_is_cut_off_at_the_deadline(
    deadline_api: httpx.Client, deadline_server: LiveServer, remote: str, path: str
) -> None:
    before = db_rows(deadline_server, "SELECT COUNT(*) FROM images")[0][0]
    start = time.monotonic()
    err = envelope_error(_upload_url(deadline_api, f"{remote}{path}"), 400)
    took = time.monotonic() - start
    assert err["error"] == "Could not download the image URL within 2 seconds"
    assert 1.9 <= took < 5.0, took
    assert tmp_leftovers(deadline_server) == []
    assert db_rows(deadline_server, "SELECT COUNT(*) FROM images")[0][0] == before


def test_the_deadline_server_still_takes_prompt_urls(
    deadline_api: httpx.Client, deadline_server: LiveServer, remote: str
) -> None:
    data = envelope_ok(_upload_url(deadline_api, f"{remote}/hop/1"))
    assert (data["width"], data["height"], data["type"]) == (40, 30, "image/jpeg")
