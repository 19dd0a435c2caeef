"""Writing an upload to disk while it streams in: metadata stripped on the way and the stored bytes
hashed, so that storing needs no second pass over them.

Stored files are keyed by the SHA-256 of what is stored, which for a JPEG is the rewritten header followed
by the untouched scan data. The header comes first in the stream, so HeaderRewriter holds the first bytes
back until the header is complete and then lets out the sanitised header instead, followed by everything
else unchanged. prepare() still runs the full sanitiser over the file (a no-op that reads only the header
when the stream was clean) and hashes again only when that changed anything."""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path
from typing import IO, Protocol

from imghost.errors import UnsupportedMedia

_MAX_HEADER = 1024 * 1024
Piece = bytes | bytearray | memoryview


class HeaderRewriter:
    """Turns the bytes as sent into the bytes to store, chunk by chunk."""

    def __init__(self) -> None:
        self._held: bytearray | None = None  # bytes waiting for the end of a JPEG header
        self._scanning = True
        self._next_try = 0
        self.jpeg_header: bytes | None = None
        self.jpeg_sos = 0
        self.jpeg_orientation = 1

    def feed(self, chunk: Piece) -> list[Piece]:
        if not self._scanning:
            return [chunk]
        if self._held:
            self._held += chunk
            buf: Piece = self._held
        else:
            buf = chunk  # the whole header usually comes in the first chunk: no copy then
        out = self._try(buf, final=False)
        if out is None:
            if buf is chunk:
                self._held = bytearray(chunk)
            return []
        self._held = None
        return out

    def end(self) -> list[Piece]:
        """The stream is complete: one last look for the header, then whatever was held back."""
        held, self._held = self._held, None
        if not self._scanning or not held:
            return []
        return self._try(held, final=True) or [held]

    def _try(self, buf: Piece, *, final: bool) -> list[Piece] | None:
        """The pieces to let out once the scan is decided, or None while more bytes are needed."""
        if len(buf) >= 3 and bytes(buf[:3]) != b"\xff\xd8\xff":
            self._scanning = False
            return [buf]
        if len(buf) < self._next_try and not final:
            return None
        # Parse again only once the buffer has grown by half: a client trickling a large header a byte at
        # a time costs a few parses, not one per byte.
        self._next_try = len(buf) + max(4096, len(buf) // 2)
        head = bytes(buf[:_MAX_HEADER])
        try:
            from imghost.media import sanitize
            from imghost.media.probe import jpeg_orientation

            orientation = jpeg_orientation(head)
            header, sos, _ = sanitize.jpeg_header(head, orientation)
        except (UnsupportedMedia, IndexError, ValueError, struct.error):
            if final or len(buf) > _MAX_HEADER:
                self._scanning = False  # not a header we can rewrite: prepare() will decide
                return [buf]
            return None
        self._scanning = False
        self.jpeg_header, self.jpeg_sos, self.jpeg_orientation = header, sos, orientation
        return [header, memoryview(buf)[sos:]]


class Digest(Protocol):
    @property
    def size(self) -> int: ...

    def hexdigest(self) -> str: ...


class StreamDigest:
    """SHA-256 and size of the bytes as stored."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self.size = 0

    def update(self, piece: Piece) -> None:
        self._sha.update(piece)
        self.size += len(piece)

    def hexdigest(self) -> str:
        return self._sha.hexdigest()

    @classmethod
    def of_bytes(cls, data: bytes) -> StreamDigest:
        d = cls()
        d.update(data)
        return d


class UploadWriter:
    """A file written from a stream of chunks through a HeaderRewriter, hashed as it is written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rewriter = HeaderRewriter()
        self.digest = StreamDigest()
        self._f: IO[bytes] = open(path, "wb")

    def write(self, chunk: Piece) -> None:
        for piece in self.rewriter.feed(chunk):
            self._put(piece)

    def close(self) -> None:
        try:
            for piece in self.rewriter.end():
                self._put(piece)
        finally:
            self._f.close()

    def _put(self, piece: Piece) -> None:
        self.digest.update(piece)
        self._f.write(piece)
