"""The server layer: `imghost serve` (Granian's native interface, src/imghost/rsgi.py) and `imghost.asgi:app`.

Cached media GETs are answered inside the native entry point without entering the ASGI application;
everything else is carried across a small bridge into it. These tests drive real server processes and
check that both routes give the same answers, that request bodies, paths and query strings cross the
bridge intact, and that clients going away mid-transfer do no harm."""

from __future__ import annotations

import io
import random
import socket
import struct
import sys
import time
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.api.helpers import envelope_error, envelope_ok, unique_jpeg, upload
from tests.live import (
    UNLIMITED,
    LiveServer,
    db_rows,
    delete_keys,
    free_port,
    start_server,
    stored_keys,
    tmp_leftovers,
)

# Originals up to this size (and thumbnails) are kept in memory; anything larger is streamed every time.
MAX_OBJECT = 10_000
MEDIA_HEADERS = (
    "content-type",
    "content-length",
    "etag",
    "last-modified",
    "cache-control",
    "access-control-allow-origin",
    "x-content-type-options",
    "accept-ranges",
)
SERVER_ENV = {
    "IMGHOST_MEMORY_CACHE_MAX_OBJECT": str(MAX_OBJECT),
    # Rows stay cached for the whole module, whatever the backend, so a repeated GET is a cache hit.
    "IMGHOST_METADATA_CACHE_SECONDS": "600",
    # Counts are read back from the in-process counter (the API adds what is not flushed yet); no flush
    # may run in between, so the numbers the tests read are never caught half-moved.
    "IMGHOST_VIEWS_FLUSH_SECONDS": "3600",
    **UNLIMITED,
}


def noise_jpeg(seed: int, w: int, h: int) -> bytes:
    """Random pixels compress badly: a JPEG of a predictable, large size, different for each seed."""
    im = Image.frombytes("RGB", (w, h), random.Random(seed).randbytes(w * h * 3))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90)
    return out.getvalue()


def etag_of(srv: LiveServer, image_id: str) -> str:
    """The ETag of an original: the first 32 characters of the id of the blob holding its bytes."""
    ((blob,),) = db_rows(srv, "SELECT blob_id FROM images WHERE id = ?", (image_id,))
    return f'"{blob[:32]}"'


def media_head(r: httpx.Response) -> dict[str, str | None]:
    return {k: r.headers.get(k) for k in MEDIA_HEADERS}


def local_media(srv: LiveServer) -> Path | None:
    """The directory originals live in when the server stores them on local disk, else None."""
    return None if srv.env.get("IMGHOST_STORAGE_URL") else srv.data_dir / "media"


def stored_original(srv: LiveServer, etag: str) -> Path | None:
    media = local_media(srv)
    if media is None:
        return None
    tag = etag.strip('"')
    found = list((media / "o" / tag[:2]).glob(f"{tag}*"))
    assert len(found) == 1, found
    return found[0]


def multipart(
    fields: list[tuple[str, str]], image: bytes, boundary: str = "nativeserverboundary"
) -> tuple[bytes, str]:
    """A multipart/form-data body built by hand, so a test controls its exact length and chunking."""
    out = b""
    for name, value in fields:
        out += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n').encode()
    out += (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\n'
            f"Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + image
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return out, f"multipart/form-data; boundary={boundary}"


@pytest.fixture(scope="module")
def native(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    srv = start_server(tmp_path_factory.mktemp("native-data"), port=free_port(), extra_env=SERVER_ENV)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def http(native: LiveServer) -> Iterator[httpx.Client]:
    cid, _ = native.create_client("native")
    with httpx.Client(base_url=native.url, headers={"Authorization": f"Client-ID {cid}"}, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def large(http: httpx.Client) -> tuple[dict, bytes]:
    """An original far beyond the memory cache (and beyond what socket buffers hold): never cached."""
    body = noise_jpeg(1, 2500, 2100)
    up = envelope_ok(http.post("/3/upload", files={"image": ("big.jpg", body)}))
    assert up["size"] == len(body) > 4 * 1024 * 1024
    return up, body


class TestCacheHit:
    def test_miss_and_hits_are_identical(self, native: LiveServer, http: httpx.Client) -> None:
        body = unique_jpeg(901, 640, 480)
        up = upload(http, body=body)
        assert up["size"] == len(body) < MAX_OBJECT
        thumb_path = f"/{up['id']}m.jpg"
        # Nothing is cached by an upload: the first GET of each is answered by the application and
        # fills the cache, the later ones come from memory.
        originals = [http.get(up["link"]) for _ in range(4)]
        thumbs = [http.get(thumb_path) for _ in range(4)]
        for series in (originals, thumbs):
            first = series[0]
            assert first.status_code == 200 and None not in media_head(first).values()
            for r in series[1:]:
                assert r.status_code == 200
                assert r.content == first.content
                assert media_head(r) == media_head(first)
        orig, thumb = originals[0], thumbs[0]
        assert orig.content == body
        assert orig.headers["content-length"] == str(len(body))
        assert orig.headers["content-type"] == "image/jpeg"
        assert orig.headers["etag"] == etag_of(native, up["id"])
        assert orig.headers["last-modified"] == formatdate(up["datetime"], usegmt=True)
        assert orig.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert orig.headers["access-control-allow-origin"] == "*"
        assert orig.headers["x-content-type-options"] == "nosniff"
        assert orig.headers["accept-ranges"] == "bytes"
        assert Image.open(io.BytesIO(thumb.content)).size == (320, 240)
        assert thumb.headers["content-length"] == str(len(thumb.content)) != orig.headers["content-length"]
        # A thumbnail's tag is its original's plus the suffix: distinct, and still tied to the content.
        assert thumb.headers["etag"] == orig.headers["etag"][:-1] + 'm"'
        assert thumb.headers["last-modified"] == orig.headers["last-modified"]

    def test_hits_come_from_memory(self, native: LiveServer, http: httpx.Client) -> None:
        """With the stored objects gone, only answers from memory can still succeed."""
        before = stored_keys(native)
        body = unique_jpeg(902, 640, 480)
        up = upload(http, body=body)
        thumb_path = f"/{up['id']}m.jpg"
        orig, thumb = http.get(up["link"]), http.get(thumb_path)
        assert orig.status_code == thumb.status_code == 200
        added = stored_keys(native) - before
        assert len(added) == 2, added  # the original and its m thumbnail
        delete_keys(native, added)
        assert not stored_keys(native) & added
        for path, first in ((up["link"], orig), (thumb_path, thumb)):
            again = http.get(path)
            assert again.status_code == 200 and again.content == first.content
            assert media_head(again) == media_head(first)

    def test_if_none_match(self, native: LiveServer, http: httpx.Client) -> None:
        body = unique_jpeg(903, 640, 480)
        up = upload(http, body=body)
        etag = etag_of(native, up["id"])
        # Before anything is cached: the application answers.
        miss = http.get(up["link"], headers={"If-None-Match": etag})
        assert http.get(up["link"]).status_code == 200  # now row and body are in memory
        hit = http.get(up["link"], headers={"If-None-Match": etag})
        weak = http.get(up["link"], headers={"If-None-Match": f"W/{etag}"})
        for r in (miss, hit, weak):
            assert r.status_code == 304 and r.content == b""
            assert r.headers["etag"] == etag
            assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert {k: hit.headers.get(k) for k in MEDIA_HEADERS} == {
            k: miss.headers.get(k) for k in MEDIA_HEADERS
        }
        # Another tag is no match: the whole body.
        other = http.get(up["link"], headers={"If-None-Match": '"0123456789abcdef0123456789abcdef"'})
        assert other.status_code == 200 and other.content == body

    def test_if_none_match_thumbnail(self, http: httpx.Client) -> None:
        up = upload(http, body=unique_jpeg(904, 640, 480))
        path = f"/{up['id']}m.jpg"
        first = http.get(path)
        etag = first.headers["etag"]
        for tag in (etag, f"W/{etag}"):
            r = http.get(path, headers={"If-None-Match": tag})
            assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == etag
        # The original's tag does not match the thumbnail.
        r = http.get(path, headers={"If-None-Match": http.get(up["link"]).headers["etag"]})
        assert r.status_code == 200 and r.content == first.content

    def test_range_and_head_on_cached_object(self, http: httpx.Client) -> None:
        body = unique_jpeg(905, 640, 480)
        up = upload(http, body=body)
        whole = [http.get(up["link"]) for _ in range(2)][-1]
        size = len(body)
        for spec, start, end in (
            ("bytes=10-99", 10, 100),
            ("bytes=-100", size - 100, size),
            (f"bytes={size - 7}-", size - 7, size),
            ("bytes=0-0", 0, 1),
        ):
            r = http.get(up["link"], headers={"Range": spec})
            assert r.status_code == 206, spec
            assert r.content == body[start:end]
            assert r.headers["content-range"] == f"bytes {start}-{end - 1}/{size}"
            assert r.headers["content-length"] == str(end - start)
            assert r.headers["etag"] == whole.headers["etag"]
            assert r.headers["content-type"] == "image/jpeg"
        bad = http.get(up["link"], headers={"Range": f"bytes={size}-"})
        assert bad.status_code == 416 and bad.headers["content-range"] == f"bytes */{size}"
        head = http.head(up["link"])
        assert head.status_code == 200 and head.content == b""
        assert media_head(head) == media_head(whole)
        # The partial answers did not disturb the cached whole one.
        assert http.get(up["link"]).content == body


class TestLargeObject:
    def test_whole_get_is_the_stored_file(
        self, native: LiveServer, http: httpx.Client, large: tuple[dict, bytes]
    ) -> None:
        up, body = large
        for _ in range(2):  # never cached: both go the streaming way
            r = http.get(up["link"])
            assert r.status_code == 200
            assert r.headers["content-length"] == str(up["size"])
            assert len(r.content) == up["size"] and r.content == body
            assert r.headers["etag"] == etag_of(native, up["id"])
            assert r.headers["accept-ranges"] == "bytes"
        stored = stored_original(native, r.headers["etag"])
        if stored is not None:
            assert stored.stat().st_size == up["size"] and stored.read_bytes() == r.content

    def test_head(self, native: LiveServer, http: httpx.Client, large: tuple[dict, bytes]) -> None:
        up, body = large
        r = http.head(up["link"])
        assert r.status_code == 200 and r.content == b""
        assert r.headers["content-length"] == str(up["size"])
        assert r.headers["etag"] == etag_of(native, up["id"])

    def test_ranges(self, http: httpx.Client, large: tuple[dict, bytes]) -> None:
        up, body = large
        size = up["size"]
        mid = size // 2
        for spec, start, end in (
            ("bytes=0-99", 0, 100),
            ("bytes=-100", size - 100, size),
            (f"bytes={mid}-{mid + 300_000}", mid, mid + 300_001),
            (f"bytes={size - 1000}-", size - 1000, size),
            (f"bytes={size - 10}-{size + 5000}", size - 10, size),
        ):
            r = http.get(up["link"], headers={"Range": spec})
            assert r.status_code == 206, spec
            assert r.headers["content-range"] == f"bytes {start}-{end - 1}/{size}"
            assert r.headers["content-length"] == str(end - start)
            assert r.content == body[start:end]

    def test_unsatisfiable_range(self, http: httpx.Client, large: tuple[dict, bytes]) -> None:
        up, _ = large
        for spec in (f"bytes={up['size']}-", f"bytes={up['size'] + 100}-{up['size'] + 200}", "bytes=-0"):
            r = http.get(up["link"], headers={"Range": spec})
            assert r.status_code == 416, spec
            assert r.headers["content-range"] == f"bytes */{up['size']}"
            assert r.content == b""

    def test_if_none_match(self, native: LiveServer, http: httpx.Client, large: tuple[dict, bytes]) -> None:
        up, body = large
        r = http.get(up["link"], headers={"If-None-Match": etag_of(native, up["id"])})
        assert r.status_code == 304 and r.content == b""


def _abandon(port: int, request: bytes, *, reset: bool, keep: int = 8192) -> bytes:
    """Send one request, read the first `keep` bytes of the answer, and go away."""
    s = socket.socket()
    # A tiny receive window: the server cannot have written the whole body before we leave.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(30)
    s.connect(("127.0.0.1", port))
    s.sendall(request)
    got = b""
    while len(got) < keep:
        chunk = s.recv(keep - len(got))
        if not chunk:
            break
        got += chunk
    if reset:  # an abortive close: RST instead of FIN
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    return got


class TestClientGoesAway:
    def test_abandoned_downloads(
        self, native: LiveServer, http: httpx.Client, large: tuple[dict, bytes]
    ) -> None:
        up, body = large
        path = up["link"].removeprefix(native.url)
        whole = f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
        ranged = f"GET {path} HTTP/1.1\r\nHost: x\r\nRange: bytes=1000-{up['size'] - 1000}\r\n\r\n".encode()
        for request in (whole, ranged):
            for reset in (False, True, False):
                head = _abandon(native.port, request, reset=reset)
                assert head.startswith(b"HTTP/1.1 20"), head[:200]
        time.sleep(0.5)
        assert native.proc is not None and native.proc.poll() is None
        assert http.get("/healthz").status_code == 200
        # The same object, whole and in part, still comes out right.
        r = http.get(up["link"])
        assert r.status_code == 200 and r.content == body
        r = http.get(up["link"], headers={"Range": "bytes=1000-1999"})
        assert r.status_code == 206 and r.content == body[1000:2000]
        small = upload(http, body=unique_jpeg(906))
        assert http.get(small["link"]).content == http.get(small["link"]).content != b""

    @pytest.mark.parametrize("ranged", [pytest.param(False, id="whole"), pytest.param(True, id="ranged")])
    def test_abandoned_download_is_not_an_error(
        self, native: LiveServer, large: tuple[dict, bytes], ranged: bool
    ) -> None:
        """Players and browsers abandon downloads all the time (seeking a video does): not an error."""
        up, _ = large
        path = up["link"].removeprefix(native.url)
        extra = f"Range: bytes=0-{up['size'] - 2}\r\n" if ranged else ""
        before = len(native.logs())
        _abandon(native.port, f"GET {path} HTTP/1.1\r\nHost: x\r\n{extra}\r\n".encode(), reset=False)
        # The server notices on its next write; give it time to say anything it has to say.
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and "Traceback" not in native.logs()[before:]:
            time.sleep(0.1)
        new_lines = native.logs()[before:]
        assert "unhandled error" not in new_lines and "Traceback" not in new_lines, new_lines[-2000:]

    def test_abandoned_upload(self, native: LiveServer, http: httpx.Client) -> None:
        """An upload cut off halfway fails quietly: no temporary file left behind, the server goes on."""
        image = noise_jpeg(2, 600, 600)
        body, ctype = multipart([], image)
        auth = http.headers["Authorization"]
        request = (
            f"POST /3/upload HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body[: len(body) // 2]
        assert tmp_leftovers(native) == []
        s = socket.create_connection(("127.0.0.1", native.port), timeout=30)
        s.sendall(request)
        # The upload is under way (its temporary file exists) when the client leaves.
        deadline = time.monotonic() + 10
        while not tmp_leftovers(native) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert tmp_leftovers(native)
        s.close()
        deadline = time.monotonic() + 10
        while tmp_leftovers(native) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert tmp_leftovers(native) == []
        up = upload(http, body=image)
        assert http.get(up["link"]).content == image


class TestRequestBodies:
    @pytest.mark.parametrize("image", [unique_jpeg(907), noise_jpeg(3, 600, 600)], ids=["small", "large"])
    def test_multipart_with_length(self, http: httpx.Client, image: bytes) -> None:
        r = http.post("/3/upload", files={"image": ("a.jpg", image)}, data={"title": "sized"})
        up = envelope_ok(r)
        assert up["size"] == len(image) and up["title"] == "sized"
        assert http.get(up["link"]).content == image

    @pytest.mark.parametrize("total", [128 * 1024, 16 * 1024 * 1024 + 1])
    def test_raw_body_in_many_chunks(self, http: httpx.Client, total: int) -> None:
        """A raw JPEG body padded after its end to an exact length (the padding is cut before storing):
        the large one reaches the application as many chunks."""
        image = noise_jpeg(4 + total, 300, 300)
        body = image + b"\0" * (total - len(image))
        r = http.post("/3/upload", content=body, headers={"Content-Type": "application/octet-stream"})
        assert r.request.headers["content-length"] == str(total)
        up = envelope_ok(r)
        assert up["size"] == len(image)
        assert http.get(up["link"]).content == image

    @pytest.mark.parametrize("image", [unique_jpeg(908), noise_jpeg(5, 600, 600)], ids=["small", "large"])
    def test_chunked_transfer_encoding(self, http: httpx.Client, image: bytes) -> None:
        body, ctype = multipart([("title", "chunked")], image)

        def pieces() -> Iterator[bytes]:
            for i in range(0, len(body), 50_000):
                yield body[i : i + 50_000]
                time.sleep(0.01)  # arrive as separate pieces, not one buffer

        r = http.post("/3/upload", content=pieces(), headers={"Content-Type": ctype})
        assert r.request.headers.get("transfer-encoding") == "chunked"
        assert "content-length" not in r.request.headers
        up = envelope_ok(r)
        assert up["size"] == len(image) and up["title"] == "chunked"
        assert http.get(up["link"]).content == image

    def test_query_string_fields_reach_upload(self, http: httpx.Client) -> None:
        image = unique_jpeg(909)
        up = envelope_ok(
            http.post("/3/upload?title=from%20query&description=a%26b", files={"image": ("a.jpg", image)})
        )
        assert up["title"] == "from query" and up["description"] == "a&b"


@pytest.fixture(scope="module")
def image(http: httpx.Client) -> tuple[dict, bytes]:
    body = unique_jpeg(910)
    return upload(http, body=body), body


class TestPaths:
    def test_percent_encoded_id(self, http: httpx.Client, image: tuple[dict, bytes]) -> None:
        up, _ = image
        iid = up["id"]
        first = f"%{ord(iid[0]):02X}{iid[1:]}"
        every = "".join(f"%{ord(ch):02X}" for ch in iid)
        for encoded in (first, every):
            r = http.get(f"/3/image/{encoded}")
            assert b"%" in r.request.url.raw_path  # sent encoded, decoded by the server
            assert envelope_ok(r)["id"] == iid

    def test_percent_encoded_media_path(self, http: httpx.Client, image: tuple[dict, bytes]) -> None:
        up, body = image
        iid = up["id"]
        for _ in range(3):  # miss, then hits
            r = http.get(f"/%{ord(iid[0]):02X}{iid[1:]}.jpg")
            assert b"%" in r.request.url.raw_path
            assert r.status_code == 200 and r.content == body

    def test_json_suffix_and_trailing_slash(self, http: httpx.Client, image: tuple[dict, bytes]) -> None:
        up, _ = image
        plain = envelope_ok(http.get(f"/3/image/{up['id']}"))
        for path in (f"/3/image/{up['id']}.json", f"/3/image/{up['id']}/"):
            data = envelope_ok(http.get(path))
            assert data["id"] == up["id"] and data["size"] == plain["size"] == up["size"]

    def test_fake_status(self, http: httpx.Client) -> None:
        envelope_error(http.get("/3/image/zzzzzzz"), 404)  # without the flag: a real 404
        for query in ("_fake_status=200", "a=%20b&_fake_status=200"):
            r = http.get(f"/3/image/zzzzzzz?{query}")
            assert r.status_code == 200
            body = r.json()
            assert body["success"] is False and body["status"] == 404
            assert body["data"]["request"] == "/3/image/zzzzzzz" and body["data"]["method"] == "GET"

    def test_unknown_media_and_methods(self, http: httpx.Client, image: tuple[dict, bytes]) -> None:
        up, _ = image
        assert http.get("/zzzzzzz.jpg").status_code == 404
        assert http.post(up["link"]).status_code == 405
        # The media pattern is for media only: a JSON document of the framework is still reachable.
        assert http.get("/openapi.json").json()["info"]["title"] == "imghost"


class TestViews:
    def test_hit_path_counts_views(self, native: LiveServer, http: httpx.Client) -> None:
        body = unique_jpeg(911, 640, 480)
        up = upload(http, body=body)
        assert envelope_ok(http.get(f"/3/image/{up['id']}"))["views"] == 0
        for _ in range(5):  # one miss, four hits
            assert http.get(up["link"]).status_code == 200
        # None of these is a view: a revalidation, a HEAD, thumbnails.
        assert http.get(up["link"], headers={"If-None-Match": etag_of(native, up["id"])}).status_code == 304
        assert http.head(up["link"]).status_code == 200
        for _ in range(2):
            assert http.get(f"/{up['id']}m.jpg").status_code == 200
        # A range is bandwidth, not a view.
        assert http.get(up["link"], headers={"Range": "bytes=0-99"}).status_code == 206
        data = envelope_ok(http.get(f"/3/image/{up['id']}"))
        assert data["views"] == 5
        assert data["bandwidth"] == 5 * up["size"] + 100

    def test_views_survive_a_restart(self, tmp_path: Path) -> None:
        """Counts still in memory are written when the server stops (the native interface's shutdown hook)."""
        data_dir = tmp_path / "data"
        data_dir.mkdir()
        first = start_server(data_dir, port=free_port(), extra_env=SERVER_ENV)
        second = None
        try:
            cid, _ = first.create_client()
            auth = {"Authorization": f"Client-ID {cid}"}
            with httpx.Client(base_url=first.url, headers=auth, timeout=60) as c:
                up = upload(c, body=unique_jpeg(912))
                for _ in range(3):
                    assert c.get(up["link"]).status_code == 200
                assert envelope_ok(c.get(f"/3/image/{up['id']}"))["views"] == 3
            first.stop()
            assert first.proc is not None and first.proc.returncode is not None
            # The same storage prefix and Redis keys: the same deployment, started again.
            same = {
                k: first.env[k] for k in ("IMGHOST_REDIS_PREFIX", "IMGHOST_STORAGE_URL") if k in first.env
            }
            second = start_server(data_dir, port=free_port(), extra_env={**SERVER_ENV, **same})
            with httpx.Client(base_url=second.url, headers=auth, timeout=60) as c:
                data = envelope_ok(c.get(f"/3/image/{up['id']}"))
                assert data["views"] == 3 and data["bandwidth"] == 3 * up["size"]
        finally:
            first.stop()
            if second is not None:
                second.stop()


@pytest.fixture(scope="module")
def asgi_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Granian with its ASGI interface on imghost.asgi:app, the entry point for any ASGI server."""
    port = free_port()
    srv = start_server(
        tmp_path_factory.mktemp("asgi-data"),
        port=port,
        extra_env={"IMGHOST_MEMORY_CACHE_MAX_OBJECT": str(MAX_OBJECT)},
        command=[
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "asgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-ws",
            "imghost.asgi:app",
        ],
    )
    try:
        yield srv
    finally:
        srv.stop()


class TestAsgiEntryPoint:
    def test_upload_and_deliver(self, asgi_server: LiveServer) -> None:
        cid, _ = asgi_server.create_client("asgi", redirect_uri="http://localhost/cb")
        with httpx.Client(
            base_url=asgi_server.url, headers={"Authorization": f"Client-ID {cid}"}, timeout=60
        ) as c:
            body = unique_jpeg(913, 640, 480)
            up = upload(c, body=body)
            assert up["link"] == f"{asgi_server.url}/{up['id']}.jpg"
            data = envelope_ok(c.get(f"/3/image/{up['id']}"))
            assert (
                data["id"] == up["id"]
                and data["size"] == len(body)
                and (data["width"], data["height"]) == (640, 480)
            )
            originals = [c.get(up["link"]) for _ in range(3)]
            for r in originals:
                assert r.status_code == 200 and r.content == body
                assert media_head(r) == media_head(originals[0])
            assert originals[0].headers["etag"] == etag_of(asgi_server, up["id"])
            thumb = c.get(f"/{up['id']}m.jpg")
            assert thumb.status_code == 200 and Image.open(io.BytesIO(thumb.content)).size == (320, 240)
            part = c.get(up["link"], headers={"Range": "bytes=100-199"})
            assert part.status_code == 206 and part.content == body[100:200]
            assert part.headers["content-range"] == f"bytes 100-199/{len(body)}"
            assert (
                c.get(up["link"], headers={"If-None-Match": etag_of(asgi_server, up["id"])}).status_code
                == 304
            )
            assert envelope_ok(c.get(f"/3/image/{up['id']}"))["views"] == 3

    def test_large_object_and_chunked_upload(self, asgi_server: LiveServer) -> None:
        cid, _ = asgi_server.create_client("asgi-large")
        with httpx.Client(
            base_url=asgi_server.url, headers={"Authorization": f"Client-ID {cid}"}, timeout=60
        ) as c:
            image = noise_jpeg(6, 600, 600)
            body, ctype = multipart([], image)
            r = c.post(
                "/3/upload", content=iter([body[:100_000], body[100_000:]]), headers={"Content-Type": ctype}
            )
            assert r.request.headers.get("transfer-encoding") == "chunked"
            up = envelope_ok(r)
            assert up["size"] == len(image) > MAX_OBJECT
            whole = c.get(up["link"])
            assert whole.status_code == 200 and whole.content == image
            head = c.head(up["link"])
            assert head.headers["content-length"] == str(len(image)) and head.content == b""
            tail = c.get(up["link"], headers={"Range": "bytes=-100"})
            assert tail.status_code == 206 and tail.content == image[-100:]
            assert c.get(up["link"], headers={"Range": f"bytes={len(image)}-"}).status_code == 416
