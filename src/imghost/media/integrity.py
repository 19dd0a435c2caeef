"""Cheap structural checks that catch truncated files without decoding every pixel."""

from __future__ import annotations

import struct
import zlib

from imghost.errors import UnsupportedMedia
from imghost.media.probe import jpeg_segments


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
        ctype = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > n:
            break
        (crc,) = struct.unpack_from(">I", data, end - 4)
        if zlib.crc32(data[pos + 4 : end - 4]) != crc:
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


def jpeg_decodable_header(header: bytes) -> None:
    """Refuse a JPEG whose header no decoder can get past: no frame, a component without a quantisation
    table, sampling factors out of range, or a first scan naming a component the frame lacks. Damage in
    the image data itself (a stray marker, a scan cut short) is left to the tolerant thumbnail decoder,
    as browsers show such files; these faults they do not show at all. Reads the header only (bytes up
    to the first scan), so it costs microseconds."""
    quant: set[int] = set()
    frame: dict[int, int] | None = None  # component id -> quantisation table
    try:
        for marker, pos, length in jpeg_segments(header, with_scan=True):
            body = header[pos + 4 : pos + 2 + length]
            if marker == 0xDB:
                i = 0
                while i < len(body):
                    precision, table = body[i] >> 4, body[i] & 0x0F
                    quant.add(table)
                    i += 1 + (128 if precision else 64)
            elif 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                frame = {}
                for c in range(body[5]):
                    cid, sampling, table = body[6 + 3 * c], body[7 + 3 * c], body[8 + 3 * c]
                    if not (1 <= sampling >> 4 <= 4 and 1 <= sampling & 0x0F <= 4):
                        raise UnsupportedMedia()
                    frame[cid] = table
            elif marker == 0xDA:
                if not frame or any(t not in quant for t in frame.values()):
                    raise UnsupportedMedia()
                count = body[0]
                if count < 1 or any(body[1 + 2 * c] not in frame for c in range(count)):
                    raise UnsupportedMedia()
                return
    except (IndexError, struct.error):
        raise UnsupportedMedia() from None
    raise UnsupportedMedia()  # no scan: the header was cut short or is broken
