"""Writing an upload to disk while it streams in, with metadata stripped on the way.

A JPEG's header comes first in the stream, so HeaderRewriter holds the first bytes back until the header
is complete and then lets out the sanitised header instead, followed by everything else unchanged: the
stored file is written in one pass. prepare() still runs the full sanitiser over the file (a no-op that
reads only the header when the stream was clean) and rewrites only when that changed anything."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import IO

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


class UploadWriter:
    """A file written from a stream of chunks through a HeaderRewriter.

    Writes are plain blocking writes into the page cache, made where the chunks arrive, on the event loop
    too, as a web server spooling a request body does. Handing each chunk to a thread cost more than the
    write: on 2 cores the thread competed with the server receiving the very same body."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rewriter = HeaderRewriter()
        self.size = 0  # bytes received (not the size of the file, whose header may have shrunk)
        self._f: IO[bytes] = open(path, "wb")

    def write(self, chunk: Piece) -> None:
        self.size += len(chunk)
        for piece in self.rewriter.feed(chunk):
            self._f.write(piece)

    def close(self) -> None:
        try:
            for piece in self.rewriter.end():
                self._f.write(piece)
        finally:
            self._f.close()

    def abort(self) -> None:
        self._f.close()
