"""Cheap structural checks that catch truncated files without decoding every pixel."""

from __future__ import annotations

import struct

from imghost.errors import UnsupportedMedia


def jpeg_end(data: bytes) -> int:
    """Offset just past the EOI marker. In entropy-coded data 0xFF is always stuffed, so the first
    FF D9 after the first SOS is the end of the image; bytes after it are trailers (previews, maker data)."""
    sos = data.find(b"\xff\xda")
    if sos < 0:
        raise UnsupportedMedia()
    eoi = data.find(b"\xff\xd9", sos)
    if eoi < 0:
        raise UnsupportedMedia()
    return eoi + 2


def png_chunks(data: bytes) -> list[tuple[bytes, int, int]]:
    """(type, start, end) of every chunk including its length/type/CRC; fails unless it ends in IEND."""
    out = []
    pos = 8
    n = len(data)
    while pos + 12 <= n:
        (length,) = struct.unpack_from(">I", data, pos)
        ctype = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if end > n:
            break
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
