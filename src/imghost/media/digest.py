"""Hashing an upload while it streams in, so that storing it needs no second pass over its bytes.

Stored files are keyed by the SHA-256 of what is stored, which for a JPEG is the rewritten header
followed by the untouched scan data. The header comes first in the stream, so once it has arrived the
digest of the stored file can be started from the new header and fed the rest as it arrives. prepare()
uses the prediction only when what it actually wrote matches it, and hashes the output otherwise."""

from __future__ import annotations

import hashlib

from imghost.errors import UnsupportedMedia

_MAX_HEADER = 1024 * 1024


class StreamDigest:
    def __init__(self) -> None:
        # Hash of every byte; dropped once a JPEG header is recognised, because from then on jpeg_tail
        # covers both outcomes (a header that needs no change makes the two digests equal).
        self.whole: hashlib._Hash | None = hashlib.sha256()
        self.size = 0
        self._head = bytearray()
        self._scanning = True
        self.jpeg_tail: hashlib._Hash | None = None  # sha256(new header + everything from the scan on)
        self.jpeg_header: bytes | None = None
        self.jpeg_sos = 0
        self.jpeg_orientation = 1
        self.jpeg_mpf = False

    def update(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.jpeg_tail is not None:
            self.jpeg_tail.update(chunk)
            return
        assert self.whole is not None
        self.whole.update(chunk)
        if self._scanning:
            self._scan(chunk)

    def _scan(self, chunk: bytes) -> None:
        from imghost.media import sanitize
        from imghost.media.probe import jpeg_orientation

        self._head += chunk
        if len(self._head) >= 3 and not self._head.startswith(b"\xff\xd8\xff"):
            self._stop()
            return
        head = bytes(self._head)
        try:
            orientation = jpeg_orientation(head)
            new_header, sos, mpf = sanitize.jpeg_header(head, orientation)
        except (UnsupportedMedia, IndexError, ValueError):
            if len(self._head) > _MAX_HEADER:
                self._stop()
            return  # the header has not fully arrived yet
        self.jpeg_header, self.jpeg_sos, self.jpeg_orientation, self.jpeg_mpf = new_header, sos, orientation, mpf
        self.jpeg_tail = hashlib.sha256(new_header)
        self.jpeg_tail.update(head[sos:])
        self.whole = None
        self._stop()

    def stored_if_unchanged(self) -> str:
        """SHA-256 of the upload as it is, for files stored without any change."""
        return (self.jpeg_tail if self.whole is None else self.whole).hexdigest()  # type: ignore[union-attr]

    def _stop(self) -> None:
        self._scanning = False
        self._head = bytearray()

    @classmethod
    def of_bytes(cls, data: bytes) -> StreamDigest:
        d = cls()
        d.update(data)
        return d
