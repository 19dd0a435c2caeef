"""Base64 text decoded as it arrives, in bounded memory, in every shape clients send it.

Whitespace anywhere (MIME line breaks), a `data:...;base64,` prefix, the URL-safe alphabet and missing
padding are all accepted. A character outside the alphabet is refused in the chunk it arrives in, and
the decoded size is checked as it grows, so neither garbage nor an oversized image is read to the end."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Protocol

from imghost.errors import InvalidRequest, PayloadTooLarge

_WS = b" \t\r\n\x0b\x0c"
_URLSAFE = bytes.maketrans(b"-_", b"+/")
_BAD = re.compile(rb"[^A-Za-z0-9+/=]")
_DATA_URL = re.compile(rb"^data:[\w/+.-]*;base64,", re.IGNORECASE)
_PREFIX_WINDOW = 256  # a data: prefix is decided within this many leading bytes


class Writer(Protocol):
    def write(self, data: bytes) -> None: ...


def _invalid() -> InvalidRequest:
    return InvalidRequest("Image is not valid base64", code=1003)


class Base64Decoder:
    def __init__(self, out: Writer, max_bytes: int) -> None:
        self.out = out
        self.max_bytes = max_bytes
        self.size = 0
        self._head: bytearray | None = bytearray()  # leading bytes, until the prefix question is settled
        self._rest = b""  # 0-3 alphabet characters waiting for the rest of their quantum
        self._padding = 0
        self._chars = 0

    def feed(self, data: bytes) -> None:
        if self._head is not None:
            self._head += data
            head = bytes(self._head).lstrip(_WS)
            if len(head) < _PREFIX_WINDOW and b"data:".startswith(head[:5].lower()) and b"," not in head:
                return  # could still be a data: prefix
            m = _DATA_URL.match(head)
            self._head = None
            data = head[m.end() :] if m else head
        self._decode(data)

    def _decode(self, data: bytes) -> None:
        text = data.translate(_URLSAFE, _WS)
        if not text:
            return
        if _BAD.search(text):
            raise _invalid()
        if self._padding or b"=" in text:
            stripped = text.rstrip(b"=")
            if b"=" in stripped or (self._padding and stripped):
                raise _invalid()  # padding only at the very end
            self._padding += len(text) - len(stripped)
            if self._padding > 2:
                raise _invalid()
            text = stripped
        self._chars += len(text)
        buf = self._rest + text
        whole = len(buf) // 4 * 4
        self._rest = buf[whole:]
        if whole:
            self._emit(binascii.a2b_base64(buf[:whole], strict_mode=True))

    def _emit(self, decoded: bytes) -> None:
        self.size += len(decoded)
        if self.size > self.max_bytes:
            raise PayloadTooLarge()
        self.out.write(decoded)

    def finish(self) -> None:
        if self._head is not None:  # the whole text fit in the prefix window
            head, self._head = bytes(self._head).lstrip(_WS), None
            m = _DATA_URL.match(head)
            self._decode(head[m.end() :] if m else head)
        if self._chars == 0 or len(self._rest) == 1:
            raise _invalid()
        if self._rest:
            try:
                self._emit(base64.b64decode(self._rest + b"=" * (-len(self._rest) % 4), validate=True))
            except (binascii.Error, ValueError):
                raise _invalid() from None
            self._rest = b""
