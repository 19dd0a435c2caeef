"""Frames of a GIF, APNG or WebP counted by walking the blocks and chunks the decoder will meet, never taken
from a header's claim (an APNG's acTL may say 2 and hold 400), and stopped as soon as the count reaches
`stop_at`: a GIF of nine million one-pixel frames costs as much to count as one of a thousand.

Only lengths are read and skipped; no pixel data is decompressed."""

from __future__ import annotations

import struct
from typing import BinaryIO

from imghost.errors import UnsupportedMedia

_CHUNK = 1 << 16
# Chunks walked in one PNG or WebP before giving up: real encoders write a few per frame (libpng splits
# image data every 8 KiB, so a 200 MB APNG has about 25,000). A file of millions of empty chunks would
# otherwise cost seconds of CPU to walk.
MAX_CHUNKS = 1_000_000


class _Reader:
    """Forward reads and skips over a file through one small buffer (seeks only past long skips)."""

    def __init__(self, f: BinaryIO) -> None:
        self.f = f
        self.buf = b""
        self.pos = 0

    def read(self, n: int) -> bytes:
        if self.pos + n > len(self.buf):
            self.buf = self.buf[self.pos :] + self.f.read(max(_CHUNK, n))
            self.pos = 0
        out = self.buf[self.pos : self.pos + n]
        self.pos += len(out)
        return out

    def skip(self, n: int) -> None:
        left = len(self.buf) - self.pos
        if n <= left:
            self.pos += n
        else:
            self.f.seek(n - left, 1)
            self.buf, self.pos = b"", 0

    def byte(self) -> int:
        b = self.read(1)
        return b[0] if b else -1


def count(f: BinaryIO, fmt: str, stop_at: int | None) -> int:
    """Frames in an open file of format fmt (gif, png or webp), at most stop_at; 1 for other formats."""
    f.seek(0)
    limit = stop_at if stop_at is not None else 1 << 62
    if fmt == "gif":
        n = _gif(_Reader(f), limit)
    elif fmt == "png":
        n = _apng(_Reader(f), limit)
    elif fmt == "webp":
        n = _webp(_Reader(f), limit)
    else:
        n = 1
    return max(1, min(n, limit))


def _sub_blocks(r: _Reader) -> None:
    while True:
        n = r.byte()
        if n <= 0:
            return
        r.skip(n)


def _gif(r: _Reader, limit: int) -> int:
    head = r.read(13)
    if len(head) < 13:
        return 1
    packed = head[10]
    if packed & 0x80:
        r.skip(3 << ((packed & 7) + 1))
    frames = 0
    while frames < limit:
        kind = r.byte()
        if kind == 0x2C:  # image descriptor: one frame
            desc = r.read(9)
            if len(desc) < 9:
                break
            if desc[8] & 0x80:
                r.skip(3 << ((desc[8] & 7) + 1))
            r.skip(1)  # LZW minimum code size
            _sub_blocks(r)
            frames += 1
        elif kind == 0x21:  # extension: label, then sub-blocks
            r.skip(1)
            _sub_blocks(r)
        else:  # trailer, end of file, or garbage: decoders stop here too
            break
    return frames


def _apng(r: _Reader, limit: int) -> int:
    r.skip(8)
    animated = False
    frames = 0
    for _ in range(MAX_CHUNKS):
        head = r.read(8)
        if len(head) < 8:
            break
        length, kind = struct.unpack(">I4s", head)
        if kind == b"acTL":
            animated = True
        elif kind == b"fcTL":
            frames += 1
            if animated and frames >= limit:
                break
        elif kind == b"IDAT" and not animated:
            return 1  # acTL must come before the image data: this is a still PNG, whatever follows
        elif kind == b"IEND":
            break
        r.skip(length + 4)
    else:
        raise UnsupportedMedia()
    return frames if animated else 1


def _webp(r: _Reader, limit: int) -> int:
    head = r.read(12)
    if len(head) < 12:
        return 1
    frames = 0
    for _ in range(MAX_CHUNKS):
        chunk = r.read(8)
        if len(chunk) < 8:
            break
        kind, size = struct.unpack("<4sI", chunk)
        if kind == b"ANMF":
            frames += 1
            if frames >= limit:
                break
        elif kind in (b"VP8 ", b"VP8L") and frames == 0:
            return 1  # a plain bitstream before any animation frame: a still image
        r.skip(size + (size & 1))
    else:
        raise UnsupportedMedia()
    return frames
