"""Slightly damaged JPEGs (bit rot, a download cut short): an upload that is accepted always has its
thumbnails, and a media URL never answers with an upload error.

Displayable damage (what browsers show: a stray marker at the end of the entropy-coded data, a last scan
cut short, bytes after the EOI) is accepted and every thumbnail size shows the picture. Damage no decoder
gets past (tables the scan needs are missing or contradictory) is refused at upload or still has
thumbnails; never accepted and then failed."""

from __future__ import annotations

import io
import random
import struct
from pathlib import Path

import httpx
import pytest
from PIL import Image

from imghost.media import thumbs
from imghost.media.thumbs import SIZES
from tests.api.helpers import envelope_ok
from tests.live import LiveServer

W, H = 1200, 800
RED, BLUE = (210, 30, 30), (30, 30, 210)


def _picture(seed: int) -> Image.Image:
    """Left half red, right half blue, with enough noise that the scans are long."""
    rnd = random.Random(seed)
    im = Image.new("RGB", (W, H), RED)
    im.paste(BLUE, (W // 2, 0, W, H))
    noise = Image.frombytes("RGB", (W, H), rnd.randbytes(W * H * 3))
    return Image.blend(im, noise, 0.12)


def _jpeg(seed: int, **save: object) -> bytes:
    out = io.BytesIO()
    _picture(seed).save(out, "JPEG", quality=88, **save)
    return out.getvalue()


def _segments(data: bytes) -> list[tuple[int, int, int]]:
    """(marker, start, end) of each header segment up to and including the first SOS header."""
    pos, out = 2, []
    while True:
        marker = data[pos + 1]
        end = pos + 2 + struct.unpack_from(">H", data, pos + 2)[0]
        out.append((marker, pos, end))
        if marker == 0xDA:
            return out
        pos = end


def _first(data: bytes, marker: int) -> tuple[int, int]:
    return next((a, e) for m, a, e in _segments(data) if m == marker)


def _scan_start(data: bytes) -> int:
    return _first(data, 0xDA)[1]


def stray_marker(data: bytes) -> bytes:
    eoi = data.rindex(b"\xff\xd9")
    return data[: eoi - 2] + b"\xff\x6f" + data[eoi:]


def cut_last_scan(data: bytes, *, eoi: bool) -> bytes:
    """Cut the file 60% into its last scan (the only one, for a baseline JPEG)."""
    last = data.rindex(b"\xff\xda")
    start = last + 2 + struct.unpack_from(">H", data, last + 2)[0]
    cut = data[: start + (len(data) - 2 - start) * 6 // 10]
    if cut.endswith(b"\xff"):
        cut = cut[:-1]
    return cut + (b"\xff\xd9" if eoi else b"")


def bytes_after_eoi(data: bytes) -> bytes:
    return data + b"\x00\x11 trailing bytes \xff\xd8\xff\xe0" * 64


def garbage_scan(data: bytes, seed: int) -> bytes:
    """The header of a real JPEG, then noise where the scan should be (no 0xFF: no markers in it)."""
    noise = random.Random(seed).randbytes(40_000).replace(b"\xff", b"\x00")
    return data[: _scan_start(data)] + noise + b"\xff\xd9"


def without(data: bytes, marker: int) -> bytes:
    for m, a, e in reversed(_segments(data)):
        if m == marker:
            data = data[:a] + data[e:]
    return data


def patched(data: bytes, offset: int, value: bytes) -> bytes:
    return data[:offset] + value + data[offset + len(value) :]


def _undecodable(seed: int) -> dict[str, bytes]:
    base = _jpeg(seed)
    sof, _ = _first(base, 0xC0)
    sos, _ = _first(base, 0xDA)
    dht, _ = _first(base, 0xC4)
    return {
        "cut-without-eoi": cut_last_scan(base, eoi=False),
        "garbage-scan": garbage_scan(base, seed),
        "no-quantization-tables": without(base, 0xDB),
        "unknown-quantization-table": patched(base, sof + 12, b"\x07"),
        "bogus-huffman-table": patched(base, dht + 5, b"\xff" * 16),
        "unknown-huffman-table": patched(base, sos + 6, b"\x77"),
        "scan-of-an-unknown-component": patched(base, sos + 5, b"\x09"),
        "zero-sampling-factors": patched(base, sof + 11, b"\x00"),
    }


DISPLAYABLE = {
    "stray-marker-before-eoi": lambda: stray_marker(_jpeg(1)),
    "cut-last-scan-with-eoi": lambda: cut_last_scan(_jpeg(2), eoi=True),
    "bytes-after-eoi": lambda: bytes_after_eoi(_jpeg(3)),
    "stray-marker-and-trailer": lambda: bytes_after_eoi(stray_marker(_jpeg(4))),
    "progressive-stray-marker": lambda: stray_marker(_jpeg(5, progressive=True)),
    "progressive-cut-last-scan": lambda: cut_last_scan(_jpeg(6, progressive=True), eoi=True),
}
UNDECODABLE = _undecodable(7)


def _upload(api: httpx.Client, data: bytes) -> httpx.Response:
    return api.post("/3/upload", files={"image": ("damaged.jpg", data, "image/jpeg")})


def _thumb(raw: httpx.Client, image_id: str, suffix: str) -> httpx.Response:
    return raw.get(f"/{image_id}{suffix}.jpg")


def _box(suffix: str) -> tuple[int, int]:
    size, square = SIZES[suffix]
    if square:
        return size, size
    scale = min(1.0, size / max(W, H))
    return round(W * scale), round(H * scale)


def _reddish(px: tuple[int, ...]) -> bool:
    return px[0] > 120 and px[2] < 110


def _bluish(px: tuple[int, ...]) -> bool:
    return px[2] > 120 and px[0] < 110


def test_the_shapes_are_damaged() -> None:
    """Each displayable shape really is one Pillow refuses or one that carries extra bytes; otherwise the
    tests below would prove nothing."""

    def pillow_refuses(data: bytes) -> bool:
        try:
            with Image.open(io.BytesIO(data)) as im:
                im.load()
        except OSError:
            return True
        return False

    assert pillow_refuses(DISPLAYABLE["stray-marker-before-eoi"]())
    assert pillow_refuses(DISPLAYABLE["progressive-stray-marker"]())
    assert pillow_refuses(UNDECODABLE["cut-without-eoi"])
    assert not DISPLAYABLE["bytes-after-eoi"]().endswith(b"\xff\xd9")


@pytest.mark.parametrize("shape", sorted(DISPLAYABLE))
def test_displayable_damage_has_every_thumbnail(
    api: httpx.Client, raw: httpx.Client, server: LiveServer, shape: str
) -> None:
    mark = len(server.logs())
    data = DISPLAYABLE[shape]()
    image = envelope_ok(_upload(api, data))
    assert (image["width"], image["height"]) == (W, H)
    original = raw.get(f"/{image['id']}.jpg")
    assert original.status_code == 200 and original.content[:2] == b"\xff\xd8"
    for suffix in SIZES:
        r = _thumb(raw, image["id"], suffix)
        assert r.status_code == 200, (suffix, r.status_code, r.text[:200])
        assert r.headers["content-type"] == "image/jpeg"
        with Image.open(io.BytesIO(r.content)) as im:
            assert im.format == "JPEG"
            assert im.size == _box(suffix), suffix
            rgb = im.convert("RGB")
            # The picture itself, not a stand-in: red on the left, blue on the right, near the top (the
            # rows a cut-short scan still has).
            y = max(1, im.height // 10)
            assert _reddish(rgb.getpixel((im.width // 10, y))), (suffix, rgb.getpixel((im.width // 10, y)))
            assert _bluish(rgb.getpixel((im.width * 9 // 10, y))), (
                suffix,
                rgb.getpixel((im.width * 9 // 10, y)),
            )
    assert "Traceback" not in server.logs()[mark:]


@pytest.mark.parametrize("shape", sorted(UNDECODABLE))
def test_undecodable_damage_is_refused_or_has_thumbnails(
    api: httpx.Client, raw: httpx.Client, server: LiveServer, shape: str
) -> None:
    mark = len(server.logs())
    r = _upload(api, UNDECODABLE[shape])
    assert r.status_code < 500, r.text
    if r.status_code != 200:
        body = r.json()
        assert 400 <= r.status_code < 500 and body["success"] is False and body["status"] == r.status_code
        return
    image = envelope_ok(r)
    assert raw.get(f"/{image['id']}.jpg").status_code == 200
    for suffix in SIZES:
        t = _thumb(raw, image["id"], suffix)
        assert 200 <= t.status_code < 300, (suffix, t.status_code, t.text[:200])
        assert t.headers["content-type"] == "image/jpeg"
        with Image.open(io.BytesIO(t.content)) as im:
            im.load()
            assert im.format == "JPEG" and im.size == _box(suffix), (suffix, im.size)
    assert "Traceback" not in server.logs()[mark:]


# ------------------------------------------------------------------------------------- in-process


def _render_all(tmp_path: Path, data: bytes) -> dict[str, Image.Image]:
    src = tmp_path / "src.jpg"
    src.write_bytes(data)
    out = {}
    for suffix in SIZES:
        with Image.open(io.BytesIO(thumbs.render(src, "jpeg", suffix))) as im:
            im.load()
            out[suffix] = im.convert("RGB")
    return out


@pytest.mark.parametrize("shape", sorted(DISPLAYABLE))
def test_render_draws_displayable_damage(tmp_path: Path, shape: str) -> None:
    for suffix, im in _render_all(tmp_path, DISPLAYABLE[shape]()).items():
        assert im.size == _box(suffix)
        y = max(1, im.height // 10)
        assert _reddish(im.getpixel((im.width // 10, y))) and _bluish(im.getpixel((im.width * 9 // 10, y)))


@pytest.mark.parametrize("shape", sorted(set(UNDECODABLE) - {"cut-without-eoi", "garbage-scan"}))
def test_render_gives_a_flat_thumbnail_when_nothing_decodes(tmp_path: Path, shape: str) -> None:
    for suffix, im in _render_all(tmp_path, UNDECODABLE[shape]).items():
        assert im.size == _box(suffix)
        lo, hi = zip(*im.getextrema(), strict=True)
        assert max(hi) - min(lo) <= 8, (suffix, im.getextrema())  # one grey, give or take JPEG noise


def test_stray_marker_cut() -> None:
    for name in ("cut-last-scan-with-eoi", "bytes-after-eoi", "progressive-cut-last-scan"):
        assert thumbs._cut_at_stray_marker(DISPLAYABLE[name]()) is None, name
    for clean in (_jpeg(8), _jpeg(9, progressive=True)):
        assert thumbs._cut_at_stray_marker(clean) is None
    for damaged in (stray_marker(_jpeg(8)), stray_marker(_jpeg(9, progressive=True))):
        eoi = damaged.rindex(b"\xff\xd9")
        assert thumbs._cut_at_stray_marker(damaged) == damaged[: eoi - 2] + b"\xff\xd9"
