"""sniff(): the container format from magic bytes alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from imghost.media.probe import probe
from imghost.media.sniff import VIDEO_FORMATS, sniff
from tests.corpus.cases import CASES, get_case

EXPECTED: dict[str, str | None] = {
    "exif_rotated.jpg": "jpeg",
    "cmyk.jpg": "jpeg",
    "progressive.jpg": "jpeg",
    "gray.jpg": "jpeg",
    "photo12mp.jpg": "jpeg",
    "fake_ext.png": "jpeg",
    "png16.png": "png",
    "alpha.png": "png",
    "palette.png": "png",
    "exif_gps.png": "png",
    "apng.png": "png",
    "anim.gif": "gif",
    "static.gif": "gif",
    "polyglot.gif": "gif",
    "anim.webp": "webp",
    "static.webp": "webp",
    "avif.avif": "avif",
    "heic.heic": "heic",
    "tiff.tif": "tiff",
    "bmp.bmp": "bmp",
    "mp4.mp4": "mp4",
    "audio.mp4": "mp4",
    "webm.webm": "webm",
    "mov.mov": "mov",
    "big_dims_bomb.png": "png",
    "frames_bomb.gif": "gif",
    "truncated.jpg": "jpeg",
    "truncated.png": "png",
    "zero.bin": None,
    "text.txt": None,
    "html.html": None,
    "random.bin": None,
    "svg.svg": None,
    "pdf.pdf": None,
}


def test_expectations_cover_the_whole_corpus() -> None:
    assert set(EXPECTED) == {c.filename for c in CASES}


@pytest.mark.parametrize("filename", sorted(EXPECTED))
@pytest.mark.parametrize("head_len", [64, 128, None], ids=["64", "128", "whole"])
def test_corpus_file(filename: str, head_len: int | None) -> None:
    data = get_case(filename).read_bytes()
    head = data if head_len is None else data[:head_len]
    assert sniff(head) == EXPECTED[filename]


def test_fake_extension_is_ignored(tmp_path: Path) -> None:
    # JPEG bytes named .png, and PNG bytes named .jpg / .gif: the bytes decide, never the name.
    assert sniff(get_case("fake_ext.png").read_bytes()) == "jpeg"
    png_as_jpg = tmp_path / "picture.jpg"
    shutil.copy(get_case("alpha.png").path, png_as_jpg)
    assert probe(png_as_jpg).fmt == "png"
    jpeg_as_gif = tmp_path / "picture.gif"
    shutil.copy(get_case("gray.jpg").path, jpeg_as_gif)
    assert probe(jpeg_as_gif).fmt == "jpeg"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"", None),
        (b"\xff", None),
        (b"\xff\xd8", None),  # SOI without the next marker's FF
        (b"\xff\xd8\xff", "jpeg"),
        (b"\x89PNG\r\n\x1a", None),  # one byte short of the signature
        (b"\x89PNG\r\n\x1a\n", "png"),
        (b"GIF8", None),
        (b"GIF89", None),
        (b"GIF87a", "gif"),
        (b"GIF89a", "gif"),
        (b"GIF88a", None),
        (b"RIFF\x00\x00\x00\x00WEB", None),
        (b"RIFF\x00\x00\x00\x00WEBP", "webp"),
        (b"RIFF\x00\x00\x00\x00WAVE", None),  # a RIFF that is not WebP
        (b"II*", None),
        (b"II*\x00", "tiff"),
        (b"MM\x00*", "tiff"),
        (b"BM", None),
        (b"BM" + b"\x00" * 12 + b"\x28", None),  # header size present but shorter than 26 bytes
        (b"BM" + b"\x00" * 12 + b"\x28" + b"\x00" * 11, "bmp"),  # BITMAPINFOHEADER (40)
        (b"BM" + b"\x00" * 12 + b"\x7c" + b"\x00" * 11, "bmp"),  # BITMAPV5HEADER (124)
        (b"BMW drivers are a bunch of ...", None),  # text that starts with BM
        (b"\x00\x00\x00\x18ftyp", None),  # box header without a brand
        (b"\x1a\x45\xdf", None),
        (b"\x1a\x45\xdf\xa3", "mkv"),
        (b"\x1a\x45\xdf\xa3\x9fB\x86\x81\x01B\x82\x84webm", "webm"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),
        (b"%PDF-1.7", None),
    ],
)
def test_short_and_truncated_heads(head: bytes, expected: str | None) -> None:
    assert sniff(head) == expected


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + b"\x00\x00\x00\x08free"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (_ftyp(b"avif", b"mif1"), "avif"),
        (_ftyp(b"avis"), "avif"),
        (_ftyp(b"mif1", b"avif"), "avif"),  # generic HEIF major brand, AVIF compatible brand
        (_ftyp(b"mif1", b"heic"), "heic"),
        (_ftyp(b"heic", b"mif1"), "heic"),
        (_ftyp(b"heix"), "heic"),
        (_ftyp(b"qt  ", b"qt  "), "mov"),
        (_ftyp(b"isom", b"iso2", b"avc1", b"mp41"), "mp4"),
        (_ftyp(b"mp42"), "mp4"),
        (_ftyp(b"XYZ1", b"isom"), "mp4"),  # unknown major brand, MP4 compatible brand
        (_ftyp(b"crx ", b"isom")[:16], None),  # Canon raw: the compatible brand was cut off
        (_ftyp(b"crx "), None),
        (_ftyp(b"jp2 "), None),
    ],
)
def test_iso_bmff_brands(head: bytes, expected: str | None) -> None:
    assert sniff(head) == expected


def test_video_formats() -> None:
    assert VIDEO_FORMATS == {"mp4", "mov", "webm", "mkv"}
