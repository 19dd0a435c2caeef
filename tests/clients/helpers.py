"""Shared pieces of the client-library tests: test images, checks of what the server really serves, the
recorded requests, the local media host and rate-limit budgets."""

from __future__ import annotations

import io
import random
import re
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import imageio_ffmpeg
from PIL import Image

from tests.corpus.cases import Accept, Case
from tests.live import LiveServer

PIL_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
    "image/avif": "AVIF",
}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
ID_RE = re.compile(r"^[A-Za-z0-9]{5,10}$")
DELETEHASH_RE = re.compile(r"^[A-Za-z0-9]{11,32}$")
RATELIMIT_KEYS = ("UserLimit", "UserRemaining", "UserReset", "ClientLimit", "ClientRemaining")


def make_png(path: Path, width: int = 120, height: int = 90, seed: int | None = None) -> Path:
    """A small lossless RGB PNG whose pixels are unique to `seed` (so uploads never share stored bytes)."""
    rnd = random.Random(seed)
    im = Image.new("RGB", (width, height))
    base = [rnd.randrange(256) for _ in range(3)]
    im.putdata(
        [
            ((x * 7 + base[0]) % 256, (y * 11 + base[1]) % 256, ((x ^ y) + base[2]) % 256)
            for y in range(height)
            for x in range(width)
        ]
    )
    im.save(path, "PNG")
    return path


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as im:
        return im.convert("RGB").tobytes()


def get(url: str) -> httpx.Response:
    return httpx.get(url, timeout=60, follow_redirects=False)


def field(obj: Any, name: str) -> Any:
    """Read a field from a dict (imgurpython upload result) or an object (Image models)."""
    if isinstance(obj, Mapping):
        return obj[name]
    return getattr(obj, name)


def served_original(link: str, *, mime: str, size: int) -> bytes:
    """Fetch a `link` as any HTTP client would and check the response headers against the metadata."""
    resp = get(link)
    assert resp.status_code == 200, f"GET {link} -> {resp.status_code} {resp.text[:200]!r}"
    assert resp.headers["content-type"].split(";")[0].strip() == mime, resp.headers
    assert resp.headers.get("x-content-type-options") == "nosniff", resp.headers
    assert len(resp.content) == size, f"{link}: served {len(resp.content)} bytes, API reported size={size}"
    return resp.content


def video_dimensions(data: bytes, tmp_dir: Path, suffix: str) -> tuple[int, int]:
    path = tmp_dir / f"served{suffix}"
    path.write_bytes(data)
    proc = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    m = re.search(r"Video: .*?(\d{2,5})x(\d{2,5})", proc.stderr)
    assert m, f"ffmpeg found no video stream in the served file:\n{proc.stderr}"
    return int(m.group(1)), int(m.group(2))


def check_served_media(info: Any, tmp_dir: Path, *, animated_field: str = "animated") -> bytes:
    """The link in `info` serves bytes of the reported type, byte size and pixel dimensions."""
    mime, width, height = field(info, "type"), field(info, "width"), field(info, "height")
    data = served_original(field(info, "link"), mime=mime, size=field(info, "size"))
    if mime.startswith("video/"):
        magic_ok = data[4:8] == b"ftyp" if mime == "video/mp4" else data[:4] == b"\x1a\x45\xdf\xa3"
        assert magic_ok, f"served bytes are not {mime}: {data[:16]!r}"
        assert video_dimensions(data, tmp_dir, ".mp4" if mime == "video/mp4" else ".webm") == (width, height)
        return data
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == PIL_FORMATS[mime], f"served {im.format}, reported {mime}"
        assert im.size == (width, height), f"served {im.size}, reported {(width, height)}"
        assert bool(getattr(im, "is_animated", False)) == bool(field(info, animated_field))
        im.load()
    return data


def check_case_metadata(info: Any, case: Case, *, animated_field: str = "animated") -> None:
    expected = case.outcome
    assert isinstance(expected, Accept)
    got = (field(info, "type"), field(info, "width"), field(info, "height"), field(info, animated_field))
    assert got == (expected.mime, expected.width, expected.height, expected.animated), case.name
    assert field(info, "link").endswith("." + expected.ext), field(info, "link")
    assert isinstance(field(info, "size"), int) and field(info, "size") > 0


def check_animated_variants(info: Any) -> None:
    """Links for animated uploads: `mp4` serves `mp4_size` bytes of MP4, `gifv` serves an HTML page."""
    if not field(info, "type").startswith("video/") and not _get_opt(info, "animated", "is_animated"):
        assert not _get_opt(info, "gifv"), "a static image must not carry a gifv link"
        return
    mp4 = _get_opt(info, "mp4")
    if mp4:
        resp = get(mp4)
        assert resp.status_code == 200, f"GET {mp4} -> {resp.status_code}"
        assert resp.headers["content-type"].split(";")[0] == "video/mp4"
        assert resp.content[4:8] == b"ftyp"
        assert len(resp.content) == field(info, "mp4_size")
    gifv = _get_opt(info, "gifv")
    if not gifv:
        return
    # A gifv link the API hands out (ShareX returns it to the user) must work.
    resp = get(gifv)
    assert resp.status_code == 200, f"GET {gifv} -> {resp.status_code}"
    assert resp.headers["content-type"].startswith("text/html")


def _get_opt(info: Any, *names: str) -> Any:
    for name in names:
        if isinstance(info, Mapping):
            if name in info:
                return info[name]
        elif name in vars(info):
            return getattr(info, name)
    return None


# ---------------------------------------------------------------- what the libraries sent


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
    sent: list[SentRequest] = dc_field(default_factory=list)
    refused: list[str] = dc_field(default_factory=list)

    def clear(self) -> None:
        self.sent.clear()

    def to(self, method: str, path_prefix: str) -> list[SentRequest]:
        return [r for r in self.sent if r.method == method and r.path.startswith(path_prefix)]


# ---------------------------------------------------------------- the local media host


@dataclass
class MediaHost:
    url: str
    files: dict[str, tuple[bytes, str]] = dc_field(default_factory=dict)
    hits: list[str] = dc_field(default_factory=list)

    def add(self, name: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        """Serve data at /name; returns its URL."""
        self.files["/" + name] = (data, content_type)
        return f"{self.url}/{name}"

    def add_file(
        self, path: Path, name: str | None = None, content_type: str = "application/octet-stream"
    ) -> str:
        return self.add(name or path.name, path.read_bytes(), content_type)

    def hits_for(self, name: str) -> int:
        return sum(1 for h in self.hits if h == "/" + name)


# ---------------------------------------------------------------- rate-limit budgets


def budgets(srv: LiveServer) -> tuple[int, int]:
    """(user credits per hour, client credits per day) the server was started with."""
    return (
        int(srv.env.get("IMGHOST_RATE_LIMIT_USER") or 500),
        int(srv.env.get("IMGHOST_RATE_LIMIT_CLIENT") or 12500),
    )


def away_from_window_edge(window: int = 3600, margin: float = 20.0) -> None:
    """Rate limits use fixed windows aligned to the epoch; wait if one is about to roll over."""
    left = window - time.time() % window
    if left < margin:
        time.sleep(left + 1)
