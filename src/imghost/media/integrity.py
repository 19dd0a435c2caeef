"""Cheap structural checks that catch truncated files without decoding every pixel."""

from __future__ import annotations

import struct
import zlib

from imghost.errors import UnsupportedMedia


def jpeg_sos(data: bytes) -> int:
    """Offset of the first start-of-scan marker, found by walking the segments: metadata (an EXIF
    thumbnail, a comment) may itself contain FF DA and FF D9 bytes."""
    pos, n = 2, len(data)
    while pos + 4 <= n:
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
        elif marker == 0xDA:
            return pos
        elif 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
        else:
            pos += 2 + struct.unpack_from(">H", data, pos + 2)[0]
    raise UnsupportedMedia()


def jpeg_end(data: bytes) -> int:
    """Offset just past the EOI marker. In entropy-coded data 0xFF is always stuffed, so the first
    FF D9 after the first SOS is the end of the image; bytes after it are trailers (previews, maker data)."""
    sos = jpeg_sos(data)
    eoi = data.find(b"\xff\xd9", sos)
    if eoi < 0:
        raise UnsupportedMedia()
    return eoi + 2


def png_chunks(data: bytes) -> list[tuple[bytes, int, int]]:
    """(type, start, end) of every chunk including its length/type/CRC; fails unless it ends in IEND and
    every CRC matches (that catches damaged pixel data without decoding it)."""
    out = []
    pos = 8
    n = len(data)
    while pos + 12 <= n:
        (length,) = struct.unpack_from(">I", data, pos)
        ctype = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if end > n:
            break
        (crc,) = struct.unpack_from(">I", data, end - 4)
        if zlib.crc32(data[pos + 4:end - 4]) != crc:
            raise UnsupportedMedia()
        out.append((ctype, pos, end))
        pos = end
        if ctype == b"IEND":
            return out
    raise UnsupportedMedia()


def gif_complete(data: bytes) -> None:
    if not data.rstrip(b"\x00").endswith(b"\x3b"):
        raise UnsupportedMedia()


def webp_complete(data: bytes) -> None:
    (riff_size,) = struct.unpack_from("<I", data, 4)
    if riff_size + 8 > len(data) or riff_size < 12:
        raise UnsupportedMedia()
