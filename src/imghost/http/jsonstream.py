"""A JSON object body read as a stream: the upload's base64 or URL string goes to a sink as it arrives,
every other member is kept (charged to the parameter budget) and parsed on its own.

Only what upload bodies are needs handling: one top-level object. Members other than the upload's string
are cut out by a scanner that tracks strings, escapes and nesting, then parsed by orjson."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol

import orjson

from imghost.errors import InvalidRequest
from imghost.http.budget import Budget


class TextSink(Protocol):
    def write(self, data: bytes) -> None: ...


OpenText = Callable[[str], TextSink | None]

_WS = b" \t\r\n"
_STRING_STOP = re.compile(rb'["\\]')
_VALUE_STOP = re.compile(rb'["\\{}\[\],]')
_ESCAPES = {
    ord('"'): b'"',
    ord("\\"): b"\\",
    ord("/"): b"/",
    ord("b"): b"\b",
    ord("f"): b"\f",
    ord("n"): b"\n",
    ord("r"): b"\r",
    ord("t"): b"\t",
}


def _malformed() -> InvalidRequest:
    return InvalidRequest("Malformed JSON body")


class JsonObjectStream:
    # States: before '{', before a key (or '}'), in a key, before ':', before a value, in a streamed
    # string, in a kept value, after a value (',' or '}'), after the object.
    def __init__(self, budget: Budget, open_text: OpenText | None = None) -> None:
        self.budget = budget
        self.open_text = open_text
        self.members: list[tuple[str, Any]] = []
        self._state = "start"
        self._buf = bytearray()  # the key being read, or the kept value's raw text
        self._key = ""
        self._sink: TextSink | None = None
        self._esc = b""  # an escape sequence cut by a chunk boundary
        self._depth = 0
        self._in_str = False
        self._str_esc = False
        self._first = True

    def feed(self, data: bytes) -> None:
        pos, n = 0, len(data)
        while pos < n:
            st = self._state
            if st in ("start", "key?", "colon", "value?", "after", "end"):
                while pos < n and data[pos] in _WS:
                    pos += 1
                if pos == n:
                    return
                c = data[pos]
                pos += 1
                if st == "start":
                    if c != ord("{"):
                        raise InvalidRequest("JSON body must be an object")
                    self._state = "key?"
                elif st == "key?":
                    if c == ord("}") and self._first:
                        self._state = "end"
                    elif c == ord('"'):
                        self._state, self._esc = "key", b""
                        self._buf.clear()
                    else:
                        raise _malformed()
                elif st == "colon":
                    if c != ord(":"):
                        raise _malformed()
                    self._state = "value?"
                elif st == "value?":
                    sink = self.open_text(self._key) if c == ord('"') and self.open_text is not None else None
                    if sink is not None:
                        self._sink, self._state, self._esc = sink, "stream", b""
                    else:
                        self._state = "kept"
                        self._buf[:] = bytes([c])
                        self._depth = 1 if c in b"{[" else 0
                        self._in_str, self._str_esc = c == ord('"'), False
                        self.budget.spend(1)
                elif st == "after":
                    if c == ord(","):
                        self._state, self._first = "key?", False
                    elif c == ord("}"):
                        self._state = "end"
                    else:
                        raise _malformed()
                else:
                    raise _malformed()  # anything after the object
            elif st in ("key", "stream"):
                pos = self._string(data, pos)
            else:
                pos = self._kept(data, pos)

    def _string(self, data: bytes, pos: int) -> int:
        """Inside a string: a key (kept) or the upload's value (streamed). Returns where it stopped."""
        out = bytearray()
        n = len(data)
        if self._esc:
            pos = self._escape(self._esc + data[pos : pos + 6], out, carry_from=len(self._esc), data_pos=pos)
            if pos < 0:
                return n
        while pos < n:
            m = _STRING_STOP.search(data, pos)
            end = m.start() if m else n
            out += data[pos:end]
            if m is None:
                pos = n
                break
            if data[end] == ord('"'):
                pos = end + 1
                self._emit(out)
                self._close_string()
                return pos
            pos = self._escape(data[end : end + 6], out, carry_from=0, data_pos=end)
            if pos < 0:
                self._emit(out)
                return n
        self._emit(out)
        return pos

    def _escape(self, seq: bytes, out: bytearray, *, carry_from: int, data_pos: int) -> int:
        """Decode the escape at the start of seq (its first carry_from bytes came from the last chunk);
        returns the position after it in the current chunk, or -1 when the chunk ends inside it."""
        if len(seq) < 2:
            self._esc = seq
            return -1
        kind = seq[1]
        if kind == ord("u"):
            if len(seq) < 6:
                self._esc = seq
                return -1
            try:
                out += chr(int(seq[2:6], 16)).encode("utf-8", "replace")
            except ValueError:
                raise _malformed() from None
            used = 6
        elif kind in _ESCAPES:
            out += _ESCAPES[kind]
            used = 2
        else:
            raise _malformed()
        self._esc = b""
        return data_pos + used - carry_from

    def _emit(self, out: bytearray) -> None:
        if not out:
            return
        if self._state == "stream":
            self._sink.write(bytes(out))  # type: ignore[union-attr]
        else:
            self.budget.spend(len(out))
            self._buf += out

    def _close_string(self) -> None:
        if self._state == "key":
            self._key = self._buf.decode("utf-8", "replace")
            self._state = "colon"
        else:
            self._sink = None
            self.members.append((self._key, None))  # streamed: its value is in the sink
            self._state = "after"

    def _kept(self, data: bytes, pos: int) -> int:
        """Inside a member value that is kept whole: find where it ends."""
        n = len(data)
        start = pos
        if self._str_esc:  # the character after a backslash that ended the last chunk
            self._str_esc = False
            pos += 1
        while pos < n:
            if self._in_str:
                m = _STRING_STOP.search(data, pos)
                if m is None:
                    pos = n
                    break
                pos = m.start()
                if data[pos] == ord("\\"):
                    pos += 2
                    if pos > n:  # the escaped character is in the next chunk
                        self._str_esc = True
                        pos = n
                    continue
                self._in_str = False
                pos += 1
                if self._depth == 0:
                    return self._end_kept(data, start, pos)
                continue
            m = _VALUE_STOP.search(data, pos)
            if m is None:
                pos = n
                break
            pos = m.start()
            c = data[pos]
            if c == ord('"'):
                self._in_str = True
                pos += 1
            elif c in b"{[":
                self._depth += 1
                pos += 1
            elif c in b"}]":
                if self._depth == 0:
                    return self._end_kept(data, start, pos)  # the object's own '}' ends a scalar
                self._depth -= 1
                pos += 1
                if self._depth == 0:
                    return self._end_kept(data, start, pos)
            elif c == ord(","):
                if self._depth == 0:
                    return self._end_kept(data, start, pos)
                pos += 1
            else:
                raise _malformed()
        self.budget.spend(pos - start)
        self._buf += data[start:pos]
        return pos

    def _end_kept(self, data: bytes, start: int, end: int) -> int:
        self.budget.spend(end - start)
        self._buf += data[start:end]
        try:
            value = orjson.loads(bytes(self._buf))
        except orjson.JSONDecodeError:
            raise _malformed() from None
        self.members.append((self._key, value))
        self._buf.clear()
        self._state = "after"
        return end

    def finish(self) -> None:
        if self._state != "end":
            raise _malformed() if self._state != "start" else InvalidRequest("JSON body must be an object")
