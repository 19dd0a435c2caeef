"""The one multipart/form-data reader of every route: streaming, bounded, and tolerant of what clients send.

Real clients build multipart bodies by hand, and not all of them finish one: pyimgurapi ends a fields-only
body after the last field's CRLF, with no closing `--boundary--`; others leave out the CRLF too, or send
parts without a Content-Type. An unterminated last part is taken as complete (the bytes held back as a
possible boundary were exactly that). A body that is not multipart at all, or ends inside a boundary or
a part's headers, is refused: answering success for a request whose fields were never read would be a lie.

Each part is either a field (kept in memory, charged to the parameter budget together with its headers)
or, when the caller asks for it by name, a file streamed to a sink as it arrives."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Protocol

from python_multipart.multipart import MultipartParser, MultipartState, parse_options_header

from imghost.errors import ImghostError, InvalidRequest
from imghost.http.budget import Budget


class Sink(Protocol):
    def write(self, data: memoryview) -> None: ...
    def close(self) -> None: ...
    def abort(self) -> None: ...


# (field name, filename or None) -> a sink for this part's bytes, or None to read it as a field.
OpenFile = Callable[[str, str | None], Sink | None]

_COMPLETE = {MultipartState.END, MultipartState.END_BOUNDARY, MultipartState.BOUNDARY_PADDING}
# Inside the last part's data, or just past a boundary that may still have been the closing one.
_OPEN_PART = {MultipartState.PART_DATA_START, MultipartState.PART_DATA, MultipartState.PART_DATA_END}


class MultipartReader:
    """Feed it chunks; `fields` holds (name, value) in body order once `finish()` has returned."""

    def __init__(self, boundary: bytes, budget: Budget, open_file: OpenFile | None = None) -> None:
        self.budget = budget
        self.open_file = open_file
        self.fields: list[tuple[str, str]] = []
        self._headers: dict[bytes, bytes] = {}
        self._hname = bytearray()
        self._hval = bytearray()
        self._name = ""
        self._buf: bytearray | None = None
        self._sink: Sink | None = None
        self._in_part = False
        self._fed = 0
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._part_begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._part_data,
                "on_part_end": self._part_end,
            },
        )

    # ------------------------------------------------------------ parser callbacks

    def _part_begin(self) -> None:
        self._headers = {}
        self._hname.clear()
        self._hval.clear()
        self._name, self._buf, self._sink, self._in_part = "", None, None, True

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self.budget.spend(end - start)
        self._hname += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self.budget.spend(end - start)
        self._hval += data[start:end]

    def _header_end(self) -> None:
        self._headers[bytes(self._hname).lower()] = bytes(self._hval)
        self._hname.clear()
        self._hval.clear()

    def _headers_finished(self) -> None:
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = params.get(b"name", b"").decode("utf-8", "replace")
        raw_filename = params.get(b"filename")
        filename = raw_filename.decode("utf-8", "replace") if raw_filename is not None else None
        sink = self.open_file(self._name, filename) if self.open_file is not None else None
        if sink is not None:
            self._sink = sink
        else:
            self._buf = bytearray()

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._sink is not None:
            self._sink.write(memoryview(data)[start:end])
        elif self._buf is not None:
            self.budget.spend(end - start)
            self._buf += data[start:end]

    def _part_end(self) -> None:
        sink, self._sink = self._sink, None
        if sink is not None:
            sink.close()
        elif self._buf is not None:
            self.fields.append((self._name, self._buf.decode("utf-8", "replace")))
        self._buf, self._in_part = None, False

    # ------------------------------------------------------------ driving

    def feed(self, chunk: bytes) -> None:
        self._fed += len(chunk)
        try:
            self._parser.write(chunk)
        except ImghostError:
            raise
        except Exception:
            raise InvalidRequest("Malformed multipart body") from None

    def finish(self) -> None:
        state = self._parser.state
        if state in _OPEN_PART:
            if self._in_part and (self._buf is not None or self._sink is not None):
                self._part_end()  # no closing boundary: the last part ends with the body
            return
        if state in _COMPLETE or (state == MultipartState.START and not self._fed):
            return  # finished properly, or an empty body: no fields
        if state == MultipartState.HEADER_FIELD_START and not self._headers:
            return  # a boundary line and nothing after it
        raise InvalidRequest("Malformed multipart body")  # cut off inside a boundary or part headers

    def abort(self) -> None:
        """The body broke off or was refused: a file part being written goes with it."""
        sink, self._sink = self._sink, None
        if sink is not None:
            sink.abort()


async def read_multipart(
    chunks: AsyncIterator[bytes], boundary: bytes, budget: Budget, open_file: OpenFile | None = None
) -> list[tuple[str, str]]:
    reader = MultipartReader(boundary, budget, open_file)
    try:
        async for chunk in chunks:
            if chunk:
                reader.feed(chunk)
        reader.finish()
    except BaseException:
        reader.abort()
        raise
    return reader.fields


def boundary_of(content_type: str) -> bytes:
    ctype, opts = parse_options_header(content_type)
    boundary = opts.get(b"boundary")
    if ctype.lower() != b"multipart/form-data" or not boundary:
        raise InvalidRequest("Malformed multipart body")
    return boundary
