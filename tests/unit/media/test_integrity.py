"""Structural completeness checks: JPEG end, PNG chunks, GIF trailer, WebP RIFF size."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from imghost.errors import UnsupportedMedia
from imghost.media import integrity
from tests.corpus.cases import get_case
from tests.unit.media.helpers import (
    app_segment,
    encode,
    exif_with_thumbnail,
    insert_after_soi,
    jpeg_segments,
    png_chunk,
)

# ---------------------------------------------------------------------------------------------- JPEG


@pytest.mark.parametrize(
    "filename",
    ["exif_rotated.jpg", "cmyk.jpg", "progressive.jpg", "gray.jpg", "fake_ext.png", "photo12mp.jpg"],
)
def test_jpeg_end_of_complete_file_is_its_length(filename: str) -> None:
    data = get_case(filename).read_bytes()
    assert data.endswith(b"\xff\xd9")
    assert integrity.jpeg_end(data) == len(data)


@pytest.mark.parametrize(
    "trailer",
    [b"TRAILER", b"\x00" * 100, b"\xff\xd9", b"\xff\xd8\xff\xe0 second image \xff\xda scan \xff\xd9"],
    ids=["text", "zeros", "second-eoi", "appended-jpeg"],
)
def test_jpeg_end_ignores_trailing_data(trailer: bytes) -> None:
    data = get_case("progressive.jpg").read_bytes()
    assert integrity.jpeg_end(data + trailer) == len(data)


def test_jpeg_end_of_truncated_corpus_file() -> None:
    with pytest.raises(UnsupportedMedia):
        integrity.jpeg_end(get_case("truncated.jpg").read_bytes())


@pytest.mark.parametrize("keep", [2, 20, 200], ids=["soi", "in-headers", "before-scan"])
def test_jpeg_cut_before_the_scan(keep: int) -> None:
    data = get_case("exif_rotated.jpg").read_bytes()
    sos = jpeg_segments(data)[1]
    assert keep < sos
    with pytest.raises(UnsupportedMedia):
        integrity.jpeg_end(data[:keep])


def test_jpeg_cut_inside_the_scan() -> None:
    data = get_case("photo12mp.jpg").read_bytes()
    for cut in (len(data) // 3, len(data) - 2, len(data) - 1):
        with pytest.raises(UnsupportedMedia):
            integrity.jpeg_end(data[:cut])


def _thumbnail() -> bytes:
    return encode(Image.new("RGB", (16, 12), (200, 30, 30)), "JPEG", quality=80)


@pytest.mark.parametrize(
    "segment",
    [
        pytest.param(lambda: app_segment(0xE1, exif_with_thumbnail(_thumbnail())), id="exif-thumbnail"),
        pytest.param(lambda: app_segment(0xFE, b"comment \xff\xda\x00\x08 \xff\xd9 end"), id="comment"),
    ],
)
def test_jpeg_end_skips_jpeg_bytes_inside_metadata(segment) -> None:  # type: ignore[no-untyped-def]
    """Camera JPEGs carry an EXIF thumbnail (a whole JPEG, SOS and EOI included) in APP1, before the main
    image's scan. The end of the file is the main image's EOI, not the thumbnail's."""
    base = get_case("progressive.jpg").read_bytes()
    data = insert_after_soi(base, segment())
    assert Image.open(io.BytesIO(data)).size == (120, 90)
    assert integrity.jpeg_end(data) == len(data)


# ----------------------------------------------------------------------------------------------- PNG


def test_png_chunks_of_corpus_files() -> None:
    data = get_case("exif_gps.png").read_bytes()
    chunks = integrity.png_chunks(data)
    assert [c[0] for c in chunks] == [b"IHDR", b"tEXt", b"eXIf", b"IDAT", b"IEND"]
    assert chunks[0][1] == 8
    assert chunks[-1][2] == len(data)
    assert all(a[2] == b[1] for a, b in zip(chunks, chunks[1:], strict=False))
    png16 = integrity.png_chunks(get_case("png16.png").read_bytes())
    assert [c[0] for c in png16] == [b"IHDR", b"IDAT", b"IEND"]
    apng = [c[0] for c in integrity.png_chunks(get_case("apng.png").read_bytes())]
    assert apng[:2] == [b"IHDR", b"acTL"]
    assert apng.count(b"fcTL") == 5
    assert apng[-1] == b"IEND"


def test_png_chunks_stop_at_iend() -> None:
    data = get_case("png16.png").read_bytes()
    chunks = integrity.png_chunks(data + b"trailing garbage after IEND")
    assert chunks[-1] == (b"IEND", len(data) - 12, len(data))


def test_png_truncated_corpus_file() -> None:
    with pytest.raises(UnsupportedMedia):
        integrity.png_chunks(get_case("truncated.png").read_bytes())


@pytest.mark.parametrize(
    "cut",
    [8, 20, 33, -13, -12, -1],
    ids=["sig", "in-ihdr", "after-ihdr", "before-iend", "in-iend-len", "in-iend-crc"],
)
def test_png_cut_anywhere(cut: int) -> None:
    data = get_case("alpha.png").read_bytes()
    with pytest.raises(UnsupportedMedia):
        integrity.png_chunks(data[:cut])


def test_png_without_iend() -> None:
    data = get_case("png16.png").read_bytes()
    assert data.endswith(png_chunk(b"IEND", b""))
    with pytest.raises(UnsupportedMedia):
        integrity.png_chunks(data[:-12])
    with pytest.raises(UnsupportedMedia):
        integrity.png_chunks(data[:-12] + png_chunk(b"tEXt", b"k\x00v"))


def test_png_chunk_length_past_the_end() -> None:
    data = bytearray(get_case("png16.png").read_bytes())
    # IDAT's length field claims more bytes than the file has.
    idat = data.index(b"IDAT") - 4
    struct.pack_into(">I", data, idat, 10**6)
    with pytest.raises(UnsupportedMedia):
        integrity.png_chunks(bytes(data))


# ----------------------------------------------------------------------------------------------- GIF


@pytest.mark.parametrize("filename", ["anim.gif", "static.gif", "polyglot.gif", "frames_bomb.gif"])
def test_gif_complete(filename: str) -> None:
    data = get_case(filename).read_bytes()
    assert integrity.gif_complete(data) is None
    assert integrity.gif_complete(data + b"\x00\x00\x00") is None  # zero padding after the trailer


@pytest.mark.parametrize("filename", ["anim.gif", "static.gif"])
def test_gif_without_trailer(filename: str) -> None:
    data = get_case(filename).read_bytes()
    # The check is the trailer byte: cuts that happen to end on a 0x3B byte are out of its reach.
    cuts = [
        k
        for k in (len(data) - 1, len(data) - 2, len(data) // 2, 13, 6)
        if not data[:k].rstrip(b"\x00").endswith(b"\x3b")
    ]
    assert len(cuts) >= 4
    for k in cuts:
        with pytest.raises(UnsupportedMedia):
            integrity.gif_complete(data[:k])
    with pytest.raises(UnsupportedMedia):
        integrity.gif_complete(data + b"junk")


# ---------------------------------------------------------------------------------------------- WebP


@pytest.mark.parametrize("filename", ["static.webp", "anim.webp"])
def test_webp_complete(filename: str) -> None:
    data = get_case(filename).read_bytes()
    assert struct.unpack_from("<I", data, 4)[0] + 8 == len(data)
    assert integrity.webp_complete(data) is None
    assert integrity.webp_complete(data + b"extra") is None


@pytest.mark.parametrize("filename", ["static.webp", "anim.webp"])
def test_webp_truncated(filename: str) -> None:
    data = get_case(filename).read_bytes()
    for cut in (len(data) - 1, len(data) // 2, 12):
        with pytest.raises(UnsupportedMedia):
            integrity.webp_complete(data[:cut])


def test_webp_riff_size_too_small() -> None:
    data = bytearray(get_case("static.webp").read_bytes())
    struct.pack_into("<I", data, 4, 11)
    with pytest.raises(UnsupportedMedia):
        integrity.webp_complete(bytes(data))
    struct.pack_into("<I", data, 4, 12)
    assert integrity.webp_complete(bytes(data)) is None


# ---------------------------------------------------------------------------------------- decodable headers


def _jpeg(**save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 32), (200, 40, 40)).save(out, "JPEG", **save)
    return out.getvalue()


def _segment(data: bytes, marker: int) -> tuple[int, int]:
    pos = 2
    while True:
        m, length = data[pos + 1], struct.unpack_from(">H", data, pos + 2)[0]
        if m == marker:
            return pos, pos + 2 + length
        pos += 2 + length


@pytest.mark.parametrize("save", [{}, {"progressive": True}, {"subsampling": 0}, {"quality": 100}])
def test_ordinary_headers_are_decodable(save: dict[str, object]) -> None:
    integrity.jpeg_decodable_header(_jpeg(**save))


def test_greyscale_and_cmyk_headers_are_decodable() -> None:
    for mode in ("L", "CMYK"):
        out = io.BytesIO()
        Image.new(mode, (16, 16)).save(out, "JPEG")
        integrity.jpeg_decodable_header(out.getvalue())


def _without_quant_tables(data: bytes) -> bytes:
    while True:
        try:
            a, e = _segment(data, 0xDB)
        except (IndexError, struct.error):
            return data
        data = data[:a] + data[e:]


def _zero_sampling(data: bytes) -> bytes:
    a, _ = _segment(data, 0xC0)
    out = bytearray(data)
    out[a + 4 + 7] = 0x00  # the first component's sampling factors
    return bytes(out)


def _unknown_scan_component(data: bytes) -> bytes:
    a, _ = _segment(data, 0xDA)
    out = bytearray(data)
    out[a + 5] = 0x77  # the first scan component's id
    return bytes(out)


def _no_frame(data: bytes) -> bytes:
    a, e = _segment(data, 0xC0)
    return data[:a] + data[e:]


@pytest.mark.parametrize(
    "damage", [_without_quant_tables, _zero_sampling, _unknown_scan_component, _no_frame]
)
def test_headers_no_decoder_gets_past_are_refused(damage: object) -> None:
    data = damage(_jpeg())  # type: ignore[operator]
    with pytest.raises(UnsupportedMedia):
        integrity.jpeg_decodable_header(data)
    # ...and truly no decoder gets past them: the refusal loses nothing a browser would show.
    with pytest.raises(Exception), Image.open(io.BytesIO(data)) as im:  # noqa: B017, PT011
        im.load()


def test_a_header_cut_short_is_refused() -> None:
    data = _jpeg()
    a, _ = _segment(data, 0xDA)
    with pytest.raises(UnsupportedMedia):
        integrity.jpeg_decodable_header(data[: a - 3])
