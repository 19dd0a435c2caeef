"""Byte-level helpers shared by the media unit tests: build and take apart JPEG, PNG and WebP files."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def encode(img: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **params)
    return buf.getvalue()


def decode(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


# ---------------------------------------------------------------------------------------------- JPEG


def jpeg_segments(data: bytes) -> tuple[list[tuple[int, bytes]], int]:
    """The marker segments before the first scan as (marker, whole segment bytes), and the SOS offset.

    Walks the marker structure (lengths), so bytes inside metadata can never be mistaken for markers."""
    assert data[:2] == b"\xff\xd8"
    pos = 2
    out: list[tuple[int, bytes]] = []
    while True:
        assert data[pos] == 0xFF, f"no marker at {pos}"
        marker = data[pos + 1]
        if marker == 0xDA:
            return out, pos
        (length,) = struct.unpack_from(">H", data, pos + 2)
        out.append((marker, data[pos : pos + 2 + length]))
        pos += 2 + length


def jpeg_markers(data: bytes) -> list[int]:
    return [m for m, _ in jpeg_segments(data)[0]]


def jpeg_scan(data: bytes) -> bytes:
    """Everything from the first SOS marker to the end of the file."""
    return data[jpeg_segments(data)[1] :]


def app_segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def insert_after_soi(data: bytes, *segments: bytes) -> bytes:
    assert data[:2] == b"\xff\xd8"
    return data[:2] + b"".join(segments) + data[2:]


def exif_with_thumbnail(thumbnail: bytes, orientation: int = 1) -> bytes:
    """An APP1 Exif payload whose IFD1 carries an embedded JPEG thumbnail, as cameras write them."""
    ifd0 = struct.pack(">H", 1) + struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack(">I", 26)
    thumb_offset = 26 + 2 + 2 * 12 + 4
    ifd1 = (
        struct.pack(">H", 2)
        + struct.pack(">HHII", 0x0201, 4, 1, thumb_offset)
        + struct.pack(">HHII", 0x0202, 4, 1, len(thumbnail))
        + struct.pack(">I", 0)
    )
    tiff = b"MM\x00\x2a" + struct.pack(">I", 8) + ifd0 + ifd1
    assert len(tiff) == thumb_offset
    return b"Exif\x00\x00" + tiff + thumbnail


# ----------------------------------------------------------------------------------------------- PNG


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_chunks(data: bytes) -> list[tuple[bytes, bytes, int]]:
    """(type, body, stored CRC) of every chunk."""
    assert data[:8] == PNG_SIGNATURE
    pos, out = 8, []
    while pos < len(data):
        (length,) = struct.unpack_from(">I", data, pos)
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack_from(">I", data, pos + 8 + length)
        out.append((kind, body, crc))
        pos += 12 + length
    assert pos == len(data)
    return out


def png_insert_before(data: bytes, kind: bytes, chunk: bytes) -> bytes:
    """Insert a whole chunk before the first chunk of type `kind`."""
    pos = 8
    while True:
        (length,) = struct.unpack_from(">I", data, pos)
        if data[pos + 4 : pos + 8] == kind:
            return data[:pos] + chunk + data[pos:]
        pos += 12 + length


# ---------------------------------------------------------------------------------------------- WebP


def webp_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:4] == b"RIFF"
    assert data[8:12] == b"WEBP"
    pos, out = 12, []
    while pos + 8 <= len(data):
        fourcc = data[pos : pos + 4]
        (size,) = struct.unpack_from("<I", data, pos + 4)
        out.append((fourcc, data[pos + 8 : pos + 8 + size]))
        pos += 8 + size + (size & 1)
    assert pos == len(data)
    return out


def orientation_tiff(orientation: int) -> bytes:
    """The one-tag big-endian TIFF block sanitize writes, spelled out independently."""
    return (
        b"MM\x00\x2a\x00\x00\x00\x08"  # header, IFD0 at offset 8
        + b"\x00\x01"  # one entry
        + b"\x01\x12"
        + b"\x00\x03"
        + b"\x00\x00\x00\x01"
        + struct.pack(">H", orientation)
        + b"\x00\x00"
        + b"\x00\x00\x00\x00"
    )  # no next IFD
