"""probe(): header facts (format, size, frames, sound, orientation) without decoding pixels."""

from __future__ import annotations

import struct
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image

from imghost.errors import UnsupportedMedia
from imghost.media.probe import Probe, probe
from tests.corpus.cases import get_case
from tests.unit.media.helpers import PNG_SIGNATURE, encode, png_chunk


@pytest.fixture(autouse=True)
def _pillow_bomb_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    # The server sets Pillow's process-wide guard to max_pixels at startup (100 MP by default): do the same
    # here so the result never depends on what else ran in this process.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000_000)


EXPECTED: dict[str, Probe] = {
    "exif_rotated.jpg": Probe("jpeg", 64, 48, 1, False, 6),
    "cmyk.jpg": Probe("jpeg", 80, 60, 1),
    "progressive.jpg": Probe("jpeg", 120, 90, 1),
    "gray.jpg": Probe("jpeg", 48, 32, 1),
    "photo12mp.jpg": Probe("jpeg", 4000, 3000, 1),
    "fake_ext.png": Probe("jpeg", 50, 40, 1),
    "png16.png": Probe("png", 70, 50, 1),
    "alpha.png": Probe("png", 100, 80, 1),
    "palette.png": Probe("png", 48, 32, 1),
    "exif_gps.png": Probe("png", 40, 40, 1),
    "apng.png": Probe("png", 64, 64, 5),
    "anim.gif": Probe("gif", 64, 64, 10),
    "static.gif": Probe("gif", 32, 24, 1),
    "polyglot.gif": Probe("gif", 10799, 256, 1),
    "frames_bomb.gif": Probe("gif", 2, 2, 3000),  # probe reports it; limits.check refuses it
    "anim.webp": Probe("webp", 64, 64, 6),
    "static.webp": Probe("webp", 50, 40, 1),
    "avif.avif": Probe("avif", 64, 64, 1),
    "heic.heic": Probe("heic", 64, 48, 1),
    "tiff.tif": Probe("tiff", 90, 60, 1),
    "bmp.bmp": Probe("bmp", 60, 40, 1),
    "truncated.jpg": Probe("jpeg", 200, 150, 1),  # headers are intact; integrity checks catch the cut
    "mp4.mp4": Probe("mp4", 64, 48, 1, False),
    "audio.mp4": Probe("mp4", 64, 48, 1, True),
    "webm.webm": Probe("webm", 64, 48, 1, False),
    "mov.mov": Probe("mov", 64, 48, 1, False),
}


@pytest.mark.parametrize("filename", sorted(EXPECTED))
def test_corpus_file(filename: str) -> None:
    assert probe(get_case(filename).path) == EXPECTED[filename]


def test_derived_properties() -> None:
    assert (EXPECTED["anim.gif"].animated, EXPECTED["anim.gif"].is_video) == (True, False)
    assert (EXPECTED["static.gif"].animated, EXPECTED["static.gif"].is_video) == (False, False)
    assert (EXPECTED["mov.mov"].animated, EXPECTED["mov.mov"].is_video) == (True, True)
    assert (EXPECTED["webm.webm"].animated, EXPECTED["webm.webm"].is_video) == (True, True)


def test_exif_orientation_and_sound() -> None:
    assert probe(get_case("exif_rotated.jpg").path).orientation == 6
    assert probe(get_case("cmyk.jpg").path).orientation == 1
    assert probe(get_case("audio.mp4").path).has_sound is True
    assert probe(get_case("mp4.mp4").path).has_sound is False


@pytest.mark.parametrize(("fmt", "orientation"), [("PNG", 8), ("WEBP", 3), ("JPEG", 5)])
def test_orientation_of_png_webp_jpeg(tmp_path: Path, fmt: str, orientation: int) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / "img"
    path.write_bytes(encode(Image.new("RGB", (30, 20), (1, 2, 3)), fmt, exif=exif.tobytes()))
    p = probe(path)
    assert (p.width, p.height, p.orientation) == (30, 20, orientation)


def _bomb_png(width: int, height: int, *, idat: bool) -> bytes:
    out = PNG_SIGNATURE + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    if idat:
        out += png_chunk(b"IDAT", zlib.compress(b"\x00" * (1 + width * 3) * 4, 9))
    return out + png_chunk(b"IEND", b"")


def test_corpus_bomb_is_refused_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(UnsupportedMedia) as info:
        probe(get_case("big_dims_bomb.png").path)
    assert time.perf_counter() - started < 1.0
    assert info.value.public == "Image is too large (pixels)"
    assert type(info.value) is UnsupportedMedia


@pytest.mark.parametrize("idat", [True, False], ids=["few-rows", "no-pixel-data"])
def test_bomb_is_judged_from_the_header(tmp_path: Path, idat: bool) -> None:
    # 60000 x 60000 with almost (or entirely) no pixel data: the verdict cannot come from decoding.
    path = tmp_path / "bomb.png"
    path.write_bytes(_bomb_png(60_000, 60_000, idat=idat))
    assert path.stat().st_size < 4096
    started = time.perf_counter()
    with pytest.raises(UnsupportedMedia, match=r"^Image is too large \(pixels\)$"):
        probe(path)
    assert time.perf_counter() - started < 1.0


def test_large_png_within_limits_is_probed_from_headers(tmp_path: Path) -> None:
    """Probe must read headers only (module docstring; README: "checked from headers before anything is
    decoded"). A 79 KB PNG declaring 9000 x 9000 8-bit grey (81 MP, inside the 100 MP default) holds
    81 MB of pixels: reading its header takes well under a millisecond, decoding it about half a second."""
    width = height = 9000
    comp = zlib.compressobj(9)
    rows = b"\x00" * (width + 1) * 500
    idat = b"".join(comp.compress(rows) for _ in range(height // 500)) + comp.flush()
    path = tmp_path / "large.png"
    path.write_bytes(
        PNG_SIGNATURE
        + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )
    assert path.stat().st_size < 200_000
    started = time.perf_counter()
    result = probe(path)
    elapsed = time.perf_counter() - started
    assert result == Probe("png", 9000, 9000, 1)
    assert elapsed < 0.1, f"probe took {elapsed:.3f} s: it decoded the pixel data"


@pytest.mark.parametrize(
    "filename", ["zero.bin", "text.txt", "html.html", "random.bin", "svg.svg", "pdf.pdf"]
)
def test_non_images_are_unsupported(filename: str) -> None:
    with pytest.raises(UnsupportedMedia) as info:
        probe(get_case(filename).path)
    assert type(info.value) is UnsupportedMedia
    assert info.value.public == "File type invalid (1)"
    assert info.value.status == 400
    assert info.value.code == 1003


@pytest.mark.parametrize(
    "data",
    [
        PNG_SIGNATURE + b"junk" * 40,
        b"GIF89a" + bytes(range(100)),
        b"RIFF\x20\x00\x00\x00WEBPVP8 " + b"\x00" * 40,
        b"\xff\xd8\xff\xe0" + b"\x00" * 100,
        b"II*\x00" + b"\x00" * 100,
        b"\x00\x00\x00\x18ftypisom" + b"\x00" * 200,  # MP4 magic, no movie
        b"\x1a\x45\xdf\xa3" + b"\x00" * 200,  # Matroska magic, nothing else
    ],
    ids=["png", "gif", "webp", "jpeg", "tiff", "mp4", "mkv"],
)
def test_right_magic_wrong_body_is_unsupported(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "upload"
    path.write_bytes(data)
    with pytest.raises(UnsupportedMedia):
        probe(path)
