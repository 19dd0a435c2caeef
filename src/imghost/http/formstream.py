"""application/x-www-form-urlencoded bodies read as a stream: names and values split and percent-decoded
chunk by chunk, small fields kept (charged to the parameter budget), the upload's field handed to a sink.

A 27 MB base64 image sent as `image=...` is decoded on its way to disk instead of being parsed in memory,
where one such body used to cost the worker several copies of itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol
from urllib.parse import unquote_to_bytes

from imghost.http.budget import Budget


class TextSink(Protocol):
    def write(self, data: bytes) -> None: ...


OpenText = Callable[[str], TextSink | None]


class _Unquoter:
    """Percent-decoding across chunk boundaries: a '%' and up to two digits may wait for the next chunk."""

    def __init__(self) -> None:
        self._carry = b""

    def feed(self, data: bytes) -> bytes:
        data = self._carry + data
        cut = data.rfind(b"%", max(0, len(data) - 2))
        if cut != -1:
            data, self._carry = data[:cut], data[cut:]
        else:
            self._carry = b""
        return unquote_to_bytes(data.replace(b"+", b" "))

    def finish(self) -> bytes:
        rest, self._carry = self._carry, b""
        return unquote_to_bytes(rest.replace(b"+", b" "))


class FormStream:
    def __init__(self, budget: Budget, open_text: OpenText | None = None) -> None:
        self.budget = budget
        self.open_text = open_text
        self.fields: list[tuple[str, str]] = []
        self._name = bytearray()
        self._value = bytearray()
        self._in_value = False
        self._sink: TextSink | None = None
        self._unquote = _Unquoter()

    def feed(self, data: bytes) -> None:
        pos, n = 0, len(data)
        while pos < n:
            if not self._in_value:
                eq, amp = data.find(b"=", pos), data.find(b"&", pos)
                if amp != -1 and (eq == -1 or amp < eq):  # a name without a value
                    self._take_name(data[pos:amp])
                    self._end_field()
                    pos = amp + 1
                elif eq != -1:
                    self._take_name(data[pos:eq])
                    self._start_value()
                    pos = eq + 1
                else:
                    self._take_name(data[pos:])
                    return
            else:
                amp = data.find(b"&", pos)
                end = n if amp == -1 else amp
                self._take_value(data[pos:end])
                if amp == -1:
                    return
                self._end_field()
                pos = amp + 1

    def _take_name(self, piece: bytes) -> None:
        self.budget.spend(len(piece))
        self._name += piece

    def _start_value(self) -> None:
        self._in_value = True
        name = unquote_to_bytes(bytes(self._name).replace(b"+", b" ")).decode("utf-8", "replace")
        self._sink = self.open_text(name) if self.open_text is not None else None

    def _take_value(self, piece: bytes) -> None:
        if self._sink is not None:
            self._sink.write(self._unquote.feed(piece))
        else:
            self.budget.spend(len(piece))
            self._value += piece

    def _end_field(self) -> None:
        if self._sink is not None:
            self._sink.write(self._unquote.finish())
            self._sink = None
        elif self._name or self._in_value:
            name = unquote_to_bytes(bytes(self._name).replace(b"+", b" ")).decode("utf-8", "replace")
            value = unquote_to_bytes(bytes(self._value).replace(b"+", b" ")).decode("utf-8", "replace")
            self.fields.append((name, value))
        self._name.clear()
        self._value.clear()
        self._in_value = False

    def finish(self) -> None:
        self._end_field()


def parse_form(body: bytes) -> list[tuple[str, str]]:
    """A whole urlencoded body already read within its budget, by the same rules as the stream."""
    form = FormStream(Budget(len(body)))
    form.feed(body)
    form.finish()
    return form.fields
