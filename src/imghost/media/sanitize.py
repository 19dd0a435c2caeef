"""Remove GPS, camera and other identifying metadata from originals without touching pixel data.

What stays: the EXIF orientation (rebuilt as a one-tag EXIF block) and the colour profile, so the image
looks exactly as uploaded. JPEG, PNG and WebP are rewritten at the container level; nothing is re-encoded."""

from __future__ import annotations

import struct
import zlib

from imghost.errors import UnsupportedMedia
from imghost.media import integrity

# JPEG markers worth keeping before the first scan: tables, frame headers, JFIF, ICC, Adobe (CMYK transform).
_DROP_APP = {0xE1, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xEB, 0xEC, 0xED, 0xEF, 0xFE}


def orientation_exif(orientation: int) -> bytes:
    """A big-endian TIFF block holding only IFD0 with the Orientation tag."""
    return (b"MM\x00\x2a\x00\x00\x00\x08" + b"\x00\x01"
            + struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0) + b"\x00\x00\x00\x00")


def jpeg(data: bytes, orientation: int) -> bytes:
    end = integrity.jpeg_end(data)
    out = [b"\xff\xd8"]
    if orientation != 1:
        exif = b"Exif\x00\x00" + orientation_exif(orientation)
        out.append(b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif)
    pos = 2
    n = len(data)
    while pos + 4 <= n:
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA:  # start of scan: the rest is image data up to EOI
            out.append(data[pos:end])
            return b"".join(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        (length,) = struct.unpack_from(">H", data, pos + 2)
        seg_end = pos + 2 + length
        keep = marker not in _DROP_APP
        if marker == 0xE2 and not data[pos + 4:pos + 16].startswith(b"ICC_PROFILE"):
            keep = False  # APP2 also carries FlashPix and MPF (offsets into the trailer we cut)
        if keep:
            out.append(data[pos:seg_end])
        pos = seg_end
    raise UnsupportedMedia()


_PNG_DROP = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}


def png(data: bytes, orientation: int) -> bytes:
    chunks = integrity.png_chunks(data)
    out = [data[:8]]
    for ctype, start, end in chunks:
        if ctype in _PNG_DROP:
            continue
        out.append(data[start:end])
    if orientation != 1:
        body = orientation_exif(orientation)
        chunk = struct.pack(">I", len(body)) + b"eXIf" + body
        chunk += struct.pack(">I", zlib.crc32(b"eXIf" + body))
        out.insert(2, chunk)  # right after IHDR: eXIf must precede IDAT
    return b"".join(out)


def webp(data: bytes) -> bytes:
    integrity.webp_complete(data)
    if data[12:16] != b"VP8X":
        return data  # simple WebP has no metadata chunks
    out = []
    pos = 12
    (riff_size,) = struct.unpack_from("<I", data, 4)
    end = min(len(data), riff_size + 8)
    while pos + 8 <= end:
        fourcc = data[pos:pos + 4]
        (size,) = struct.unpack_from("<I", data, pos + 4)
        chunk_end = pos + 8 + size + (size & 1)
        if fourcc not in (b"EXIF", b"XMP "):
            out.append(bytearray(data[pos:chunk_end]))
        pos = chunk_end
    vp8x = out[0]
    vp8x[8] &= ~(0x08 | 0x04) & 0xFF  # clear the EXIF and XMP flags
    body = b"WEBP" + b"".join(bytes(c) for c in out)
    return b"RIFF" + struct.pack("<I", len(body)) + body
