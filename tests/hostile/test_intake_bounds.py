"""Request bodies of every encoding against a live server: unterminated multipart read, oversized
parameters refused early with 413, large base64 uploads decoded in bounded memory, and slow clients cut
off by the body and header deadlines. The worker's peak RSS is measured around each request."""

from __future__ import annotations

import base64
import io
import json
import os
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

from tests.hostile.memory import GROWTH_LIMIT, MB, PeakGrowth
from tests.live import UNLIMITED, LiveServer, free_port, start_server, tmp_leftovers


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("intake-bounds")
    s = start_server(
        data,
        port=free_port(),
        extra_env={
            **UNLIMITED,
            "IMGHOST_BODY_GRACE_SECONDS": "2",
            "IMGHOST_BODY_MIN_RATE": "65536",
            "IMGHOST_BODY_IDLE_SECONDS": "2",
            "IMGHOST_HEADER_TIMEOUT_SECONDS": "1",
        },
    )
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def cid(srv: LiveServer) -> str:
    cid = srv.create_client("bounds")[0]
    # Warm the worker up: the first upload and the first album import their modules, and that memory
    # is the program's, not any one request's.
    headers = {"Authorization": f"Client-ID {cid}"}
    for _ in range(2):
        assert (
            httpx.post(
                f"{srv.url}/3/upload", headers=headers, files={"image": photo(300_000)}, timeout=60
            ).status_code
            == 200
        )
        httpx.post(f"{srv.url}/3/album", headers=headers, data={"title": "warm"}, timeout=60)
        httpx.post(f"{srv.url}/oauth2/token", data={"grant_type": "password"}, timeout=60)
    return cid


@pytest.fixture
def api(srv: LiveServer, cid: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=srv.url, headers={"Authorization": f"Client-ID {cid}"}, timeout=60) as c:
        yield c


# ---------------------------------------------------------------------------------------- memory


def photo(target_bytes: int) -> bytes:
    """A noisy JPEG of about target_bytes (noise does not compress)."""
    side = int((target_bytes / 0.9) ** 0.5 / 1.6)
    im = Image.frombytes("RGB", (side * 2, side), os.urandom(side * 2 * side * 3))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=97)
    return out.getvalue()


@pytest.fixture(scope="module")
def big_jpeg() -> bytes:
    data = photo(10 * MB)
    assert 7 * MB < len(data) < 15 * MB
    return data


def _chunks(data: bytes, size: int = 256 * 1024) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


@pytest.mark.parametrize("encoding", ["urlencoded", "json", "multipart-text"])
def test_large_base64_upload_decodes_in_bounded_memory(
    srv: LiveServer, api: httpx.Client, big_jpeg: bytes, encoding: str
) -> None:
    text = base64.b64encode(big_jpeg).decode()
    if encoding == "urlencoded":
        body, ctype = (
            f"type=base64&title=big&image={text.replace('+', '%2B').replace('/', '%2F')}".encode(),
            "application/x-www-form-urlencoded",
        )
    elif encoding == "json":
        body, ctype = (
            json.dumps({"type": "base64", "title": "big", "image": text}).encode(),
            "application/json",
        )
    else:
        b = "imghostBB"
        body = (
            f'--{b}\r\nContent-Disposition: form-data; name="image"\r\n\r\n{text}\r\n--{b}\r\n'
            f'Content-Disposition: form-data; name="title"\r\n\r\nbig\r\n--{b}--\r\n'
        ).encode()
        ctype = f"multipart/form-data; boundary={b}"
    with PeakGrowth(srv) as peak:
        r = api.post("/3/upload", content=_chunks(body), headers={"Content-Type": ctype})
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["title"] == "big" and data["size"] <= len(big_jpeg)
    assert api.get(f"/{data['id']}.jpg").content[:3] == b"\xff\xd8\xff"
    assert peak.growth <= GROWTH_LIMIT, f"peak RSS grew by {peak.growth / MB:.1f} MB"


def _form_bomb(size: int) -> Iterator[bytes]:
    piece = b"a=x&" * 16384
    for _ in range(size // len(piece)):
        yield piece


def _json_bomb(size: int) -> Iterator[bytes]:
    yield b"{"
    piece = b"".join(b'"k%07d":"xxxxxxxxxxxxxxxxxxxxxxx",' % i for i in range(2048))
    for _ in range(size // len(piece)):
        yield piece
    yield b'"end":1}'


def _multipart_bomb(fields: int, field_size: int) -> Iterator[bytes]:
    value = b"x" * field_size
    for i in range(fields):
        yield b'--BB\r\nContent-Disposition: form-data; name="f%d"\r\n\r\n' % i + value + b"\r\n"
    yield b"--BB--\r\n"


@pytest.mark.parametrize(
    ("path", "ctype", "body"),
    [
        ("/3/upload", "application/x-www-form-urlencoded", lambda: _form_bomb(20 * MB)),
        ("/3/upload", "application/json", lambda: _json_bomb(20 * MB)),
        ("/3/upload", "multipart/form-data; boundary=BB", lambda: _multipart_bomb(40, MB)),
        ("/3/album", "multipart/form-data; boundary=BB", lambda: _multipart_bomb(1000, MB)),
        ("/3/album", "application/x-www-form-urlencoded", lambda: _form_bomb(20 * MB)),
        ("/3/album", "application/json", lambda: _json_bomb(20 * MB)),
        ("/oauth2/token", "multipart/form-data; boundary=BB", lambda: _multipart_bomb(1000, MB)),
        ("/oauth2/token", "application/x-www-form-urlencoded", lambda: _form_bomb(20 * MB)),
    ],
)
def test_oversized_parameters_are_413_early_in_bounded_memory(
    srv: LiveServer, cid: str, path: str, ctype: str, body: object
) -> None:
    # Streamed without a Content-Length, so that only what the server reads can decide.
    headers = {"Content-Type": ctype}
    if path.startswith("/3"):
        headers["Authorization"] = f"Client-ID {cid}"
    started = time.monotonic()
    with PeakGrowth(srv) as peak, httpx.Client(timeout=60) as c:
        try:
            r = c.post(srv.url + path, content=body(), headers=headers)  # type: ignore[operator]
        except httpx.HTTPError:
            pytest.fail("the server dropped the connection instead of answering 413")
    assert r.status_code == 413, r.text[:300]
    assert r.json()["success"] is False and r.json()["status"] == 413
    assert time.monotonic() - started < 10
    assert peak.growth <= GROWTH_LIMIT, f"peak RSS grew by {peak.growth / MB:.1f} MB"
    assert not tmp_leftovers(srv)


def test_declared_oversize_is_refused_before_the_body(srv: LiveServer, cid: str) -> None:
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(
            b"POST /3/album HTTP/1.1\r\nHost: x\r\nAuthorization: Client-ID "
            + cid.encode()
            + b"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 50000000\r\n\r\n"
        )
        head = s.recv(4096)
    assert head.startswith(b"HTTP/1.1 413")


# ---------------------------------------------------------------------------------------- unterminated bodies


def test_unterminated_fields_only_body_updates_the_image(api: httpx.Client) -> None:
    up = api.post("/3/upload", files={"image": ("a.jpg", photo(20_000))}).json()["data"]
    body = b'--BB\r\nContent-Disposition: form-data; name="title"\r\n\r\nnew title\r\n'
    r = api.post(
        f"/3/image/{up['deletehash']}",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=BB"},
    )
    assert r.json() == {"data": True, "success": True, "status": 200}
    assert api.get(f"/3/image/{up['id']}").json()["data"]["title"] == "new title"
    # Without the last CRLF either, and two fields.
    body = (
        b'--BB\r\nContent-Disposition: form-data; name="title"\r\n\r\nt2\r\n'
        b'--BB\r\nContent-Disposition: form-data; name="description"\r\n\r\nd2'
    )
    assert (
        api.post(
            f"/3/image/{up['deletehash']}",
            content=body,
            headers={"Content-Type": "multipart/form-data; boundary=BB"},
        ).status_code
        == 200
    )
    got = api.get(f"/3/image/{up['id']}").json()["data"]
    assert (got["title"], got["description"]) == ("t2", "d2")


@pytest.mark.parametrize("body", [b"--BB\r\nContent-Dispos", b"title=x", b"--B"])
def test_unreadable_multipart_is_400_and_changes_nothing(api: httpx.Client, body: bytes) -> None:
    up = api.post("/3/upload", files={"image": ("a.jpg", photo(20_000))}, data={"title": "kept"}).json()[
        "data"
    ]
    r = api.post(
        f"/3/image/{up['deletehash']}",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=BB"},
    )
    assert r.status_code == 400 and r.json()["success"] is False
    assert api.get(f"/3/image/{up['id']}").json()["data"]["title"] == "kept"


def test_unterminated_album_create(api: httpx.Client) -> None:
    body = b'--BB\r\nContent-Disposition: form-data; name="title"\r\n\r\nalbum title\r\n'
    r = api.post("/3/album", content=body, headers={"Content-Type": "multipart/form-data; boundary=BB"})
    album = r.json()["data"]
    assert api.get(f"/3/album/{album['id']}").json()["data"]["title"] == "album title"


# ---------------------------------------------------------------------------------------- slow clients


def _read_answer(s: socket.socket, limit: float) -> tuple[bytes, float]:
    started = time.monotonic()
    s.settimeout(limit)
    data = b""
    try:
        while chunk := s.recv(65536):
            data += chunk
            if b"\r\n\r\n" in data:
                break
    except (TimeoutError, ConnectionResetError, BrokenPipeError):
        pass
    return data, time.monotonic() - started


def test_dripped_body_is_408_within_the_grace(srv: LiveServer, cid: str) -> None:
    before = set(tmp_leftovers(srv))
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(
            b"POST /3/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Client-ID "
            + cid.encode()
            + b"\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n\xff\xd8\xff"
        )
        started = time.monotonic()
        answer = b""
        s.settimeout(0.25)
        while time.monotonic() - started < 15 and b"\r\n\r\n" not in answer:
            try:
                s.sendall(b"\x00" * 10)
                answer += s.recv(65536)
            except TimeoutError:
                continue
            except (ConnectionResetError, BrokenPipeError):
                break
        elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert elapsed < 6
    time.sleep(0.3)
    assert set(tmp_leftovers(srv)) <= before


def test_stalled_body_is_408(srv: LiveServer, cid: str) -> None:
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(
            b"POST /3/album HTTP/1.1\r\nHost: x\r\nAuthorization: Client-ID "
            + cid.encode()
            + b"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ntitle="
        )
        answer, elapsed = _read_answer(s, 10)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b'"status":408' in answer or elapsed < 5


def test_slow_headers_are_cut_off(srv: LiveServer) -> None:
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        answer, elapsed = _read_answer(s, 10)
    assert elapsed < 5
    assert b"200 OK" not in answer


def test_an_honest_upload_still_works_after_the_slow_ones(api: httpx.Client) -> None:
    r = api.post("/3/upload", files={"image": ("a.jpg", photo(50_000))})
    assert r.status_code == 200
