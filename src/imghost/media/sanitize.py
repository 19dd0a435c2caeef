"""Remove GPS, camera and other identifying metadata from originals without touching pixel data.

What stays: the EXIF orientation (rebuilt as a one-tag EXIF block) and the colour profile, so the image
looks exactly as uploaded. JPEG, PNG and WebP are rewritten at the container level; nothing is re-encoded."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path
from typing import BinaryIO

from imghost.errors import UnsupportedMedia
from imghost.media import integrity

# JPEG markers worth keeping before the first scan: tables, frame headers, JFIF, ICC, Adobe (CMYK transform).
_DROP_APP = {0xE1, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xEB, 0xEC, 0xED, 0xEF, 0xFE}


def orientation_exif(orientation: int) -> bytes:
    """A big-endian TIFF block holding only IFD0 with the Orientation tag."""
    return (
        b"MM\x00\x2a\x00\x00\x00\x08"
        + b"\x00\x01"
        + struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0)
        + b"\x00\x00\x00\x00"
    )


def jpeg_header(data: bytes, orientation: int) -> tuple[bytes, int, bool]:
    """The rewritten header (everything before the first scan) and the offset of that scan in data.

    The third value says whether the header announces a multi-picture trailer (MPF) after the image."""
    out = [b"\xff\xd8"]
    if orientation != 1:
        exif = b"Exif\x00\x00" + orientation_exif(orientation)
        out.append(b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif)
    mpf = False
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
            return b"".join(out), pos, mpf
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        (length,) = struct.unpack_from(">H", data, pos + 2)
        seg_end = pos + 2 + length
        keep = marker not in _DROP_APP
        if marker == 0xE2 and not data[pos + 4 : pos + 16].startswith(b"ICC_PROFILE"):
            keep = False  # APP2 also carries FlashPix and MPF (offsets into the trailer we cut)
            mpf = mpf or data[pos + 4 : pos + 8] == b"MPF\x00"
        if keep:
            out.append(data[pos:seg_end])
        pos = seg_end
    raise UnsupportedMedia()


def jpeg(data: bytes, orientation: int) -> bytes:
    end = integrity.jpeg_end(data)
    head, sos, _ = jpeg_header(data, orientation)
    return head + data[sos:end]


_HEAD_READ = 256 * 1024


def jpeg_file(src: Path, dest: Path, orientation: int) -> tuple[bytes, int, int] | None:
    """jpeg() for files, without holding the image in memory: read the header, rewrite it, and let the
    kernel copy the entropy-coded data (it is most of the file and is never touched).

    Returns (new header, scan offset, end) of what was written to dest, or None when the rewrite would
    change nothing: then dest is not written and src is the file to store."""
    size = src.stat().st_size
    with open(src, "rb") as f:
        buf = f.read(_HEAD_READ)
        while True:
            try:
                head, sos, mpf = jpeg_header(buf, orientation)
                break
            except UnsupportedMedia:
                if len(buf) >= size:
                    raise
                buf += f.read(len(buf))  # a header larger than the first read (big ICC profile, thumbnail)
        f.seek(max(0, size - 2))
        # The common case: the file ends at its EOI and announces no trailer, so no need to scan 4 MB for
        # the first EOI. Anything else (trailers, padding, truncation) takes the full structural check.
        end = size if f.read(2) == b"\xff\xd9" and not mpf else None
    if end is None:
        with open(src, "rb") as f:
            end = integrity.jpeg_end(f.read())
    if end == size and buf[:sos] == head:
        return None  # nothing to strip: no copy at all
    with open(src, "rb") as fin, open(dest, "wb") as fout:
        fout.write(head)
        fout.flush()
        _copy_range(fin, fout, sos, end - sos)
    return head, sos, end


def _copy_range(fin: BinaryIO, fout: BinaryIO, offset: int, count: int) -> None:
    try:
        while count > 0:
            n = os.copy_file_range(fin.fileno(), fout.fileno(), count, offset)
            if n == 0:
                raise UnsupportedMedia()
            offset += n
            count -= n
    except (AttributeError, OSError):
        fin.seek(offset)
        while count > 0:
            chunk = fin.read(min(count, 1 << 20))
            if not chunk:
                raise UnsupportedMedia() from None
            fout.write(chunk)
            count -= len(chunk)


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


def webp(data: bytes, orientation: int = 1) -> bytes:
    integrity.webp_complete(data)
    if data[12:16] != b"VP8X":
        return data  # simple WebP has no metadata chunks (and so no orientation)
    out = []
    pos = 12
    (riff_size,) = struct.unpack_from("<I", data, 4)
    end = min(len(data), riff_size + 8)
    while pos + 8 <= end:
        fourcc = data[pos : pos + 4]
        (size,) = struct.unpack_from("<I", data, pos + 4)
        chunk_end = pos + 8 + size + (size & 1)
        if fourcc not in (b"EXIF", b"XMP "):
            out.append(bytearray(data[pos:chunk_end]))
        pos = chunk_end
    vp8x = out[0]
    vp8x[8] &= ~(0x08 | 0x04) & 0xFF  # clear the EXIF and XMP flags
    if orientation != 1:
        exif = orientation_exif(orientation)
        out.append(bytearray(b"EXIF" + struct.pack("<I", len(exif)) + exif + b"\x00" * (len(exif) & 1)))
        vp8x[8] |= 0x08
    body = b"WEBP" + b"".join(bytes(c) for c in out)
    return b"RIFF" + struct.pack("<I", len(body)) + body
