"""The request readers beneath every surface, on the exact byte shapes clients send.

Each body is fed whole and also cut into every chunk size from 1 byte up, because a boundary, an escape
or a percent sign split across two network reads must read the same as one that is not."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
import pytest

from imghost.errors import ImghostError, InvalidRequest, ParametersTooLarge, PayloadTooLarge
from imghost.http.b64stream import Base64Decoder
from imghost.http.budget import Budget
from imghost.http.formstream import FormStream
from imghost.http.jsonstream import JsonObjectStream
from imghost.http.multipart import MultipartReader, read_multipart


def _feed_repeatedly(feed: Callable[[bytes], None], chunk: bytes, times: int) -> None:
    for _ in range(times):
        feed(chunk)


def _feed_and_finish(reader: Any, data: bytes) -> None:
    reader.feed(data)
    reader.finish()


FIELD = b'--BB\r\nContent-Disposition: form-data; name="title"\r\n\r\nnew title'
TWO = b'--BB\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n' + FIELD


def feed_multipart(body: bytes, step: int, budget: Budget | None = None) -> list[tuple[str, str]]:
    reader = MultipartReader(b"BB", budget or Budget())
    for i in range(0, len(body), step):
        reader.feed(body[i : i + step])
    reader.finish()
    return reader.fields


STEPS = [1, 2, 3, 5, 7, 11, 64, 10_000]


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # pyimgurapi: no closing boundary, the last field's CRLF is there
        (FIELD + b"\r\n", [("title", "new title")]),
        # no closing boundary and no CRLF either
        (FIELD, [("title", "new title")]),
        # a closing boundary without its CRLF, and with it
        (FIELD + b"\r\n--BB--", [("title", "new title")]),
        (FIELD + b"\r\n--BB--\r\n", [("title", "new title")]),
        # a boundary that might have been the closing one, cut short
        (FIELD + b"\r\n--BB", [("title", "new title")]),
        (FIELD + b"\r\n--BB-", [("title", "new title")]),
        # a boundary line and nothing after it
        (FIELD + b"\r\n--BB\r\n", [("title", "new title")]),
        (TWO + b"\r\n", [("a", "1"), ("title", "new title")]),
        # parts without a Content-Type, with one, and with a filename (a field on non-upload routes)
        (
            b'--BB\r\nContent-Disposition: form-data; name="d"\r\nContent-Type: text/plain\r\n\r\nx y\r\n--BB\r\n'
            b'Content-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\nfile\r\n--BB--\r\n',
            [("d", "x y"), ("f", "file")],
        ),
        (b"", []),
    ],
)
def test_shapes(body: bytes, expected: list[tuple[str, str]], step: int) -> None:
    assert feed_multipart(body, step) == expected


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize(
    "body",
    [
        b"--BB\r\nContent-Dispos",  # a truncated part header
        b'--BB\r\nContent-Disposition: form-data; name="title"\r\n',  # headers never finished
        b"--B",  # a truncated first boundary
        b"title=new+title",  # not multipart at all
        b'--XX\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--XX--\r\n',  # another boundary
    ],
)
def test_unreadable_bodies_are_invalid_not_empty(body: bytes, step: int) -> None:
    with pytest.raises(InvalidRequest):
        feed_multipart(body, step)


def test_budget_counts_headers_and_values_and_stops_at_the_crossing() -> None:
    part = b'--BB\r\nContent-Disposition: form-data; name="f"\r\n\r\n' + b"x" * 1000 + b"\r\n"
    reader = MultipartReader(b"BB", Budget(10_000))
    fed: list[int] = []

    def feed_all() -> None:
        for _ in range(1000):
            reader.feed(part)
            fed.append(len(part))

    with pytest.raises(ParametersTooLarge) as info:
        feed_all()
    assert info.value.status == 413
    assert sum(fed) < 11_000  # refused within the chunk that crossed the line, not at the end


class _Sink:
    def __init__(self) -> None:
        self.data = bytearray()
        self.closed = self.aborted = False

    def write(self, data: memoryview) -> None:
        self.data += data

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("tail", [b"", b"\r\n", b"\r\n--BB--\r\n"])
def test_file_part_streams_to_the_sink_and_does_not_count_as_parameters(step: int, tail: bytes) -> None:
    payload = bytes(range(256)) * 64 + b"\r\n-\r\n--B"  # bytes that look like the start of a boundary
    body = (
        b'--BB\r\nContent-Disposition: form-data; name="image"; filename="x.bin"\r\n\r\n'
        + payload
        + b'\r\n--BB\r\nContent-Disposition: form-data; name="title"\r\n\r\nt'
        + tail
    )
    sinks: list[_Sink] = []

    def open_file(name: str, filename: str | None) -> _Sink | None:
        if name != "image":
            return None
        sinks.append(_Sink())
        return sinks[-1]

    reader = MultipartReader(b"BB", Budget(1000), open_file)
    for i in range(0, len(body), step):
        reader.feed(body[i : i + step])
    reader.finish()
    assert reader.fields == [("title", "t")]
    assert bytes(sinks[0].data) == payload and sinks[0].closed


def test_a_body_cut_inside_the_file_aborts_the_sink() -> None:
    sink = _Sink()
    body = b'--BB\r\nContent-Disposition: form-data; name="image"\r\n\r\n' + b"x" * 100

    async def chunks() -> AsyncIterator[bytes]:
        yield body
        raise ConnectionResetError

    with pytest.raises(ConnectionResetError):
        asyncio.run(read_multipart(chunks(), b"BB", Budget(), lambda n, f: sink))
    assert sink.aborted


# ---------------------------------------------------------------------------------------- urlencoded


@pytest.mark.parametrize(
    "text",
    [
        "a=1&b=2",
        "a=1&&b",
        "a",
        "=x",
        "title=h%C3%A9llo+w%2Bo&x=%",
        "a=%4",
        "k%3D=v%26&z=",
        "a=1&",
        "&a=1",
        "",
        "a=%zz&b=%%41",
    ],
)
@pytest.mark.parametrize("step", [1, 2, 3, 100])
def test_form_stream_reads_what_parse_qsl_reads(text: str, step: int) -> None:
    form = FormStream(Budget())
    data = text.encode()
    for i in range(0, len(data), step):
        form.feed(data[i : i + step])
    form.finish()
    assert form.fields == parse_qsl(text, keep_blank_values=True)


@pytest.mark.parametrize("step", [1, 2, 3, 7, 4096])
def test_form_stream_hands_the_image_field_to_a_sink_decoded(step: int) -> None:
    value = base64.b64encode(bytes(range(256)) * 10).decode()
    body = urlencode({"type": "base64", "image": value, "title": "a b"}).encode()
    sink = io.BytesIO()
    form = FormStream(Budget(100), lambda name: sink if name == "image" else None)
    for i in range(0, len(body), step):
        form.feed(body[i : i + step])
    form.finish()
    assert form.fields == [("type", "base64"), ("title", "a b")]
    assert sink.getvalue().decode() == value


def test_form_stream_budget() -> None:
    form = FormStream(Budget(1000))
    with pytest.raises(ParametersTooLarge):
        _feed_repeatedly(form.feed, b"a=x&", 10_000)


# ---------------------------------------------------------------------------------------- JSON


MEMBERS = {
    "title": 'x"y\\z\u00e9\U0001f600\n/',
    "n": None,
    "b": True,
    "f": False,
    "i": 5,
    "x": 1.5e3,
    "l": [1, {"q": "]}"}],
    "o": {"x": []},
    "s": "",
}


@pytest.mark.parametrize("step", [1, 2, 3, 5, 13, 10_000])
@pytest.mark.parametrize("spaced", [False, True])
def test_json_stream_keeps_members_as_orjson_reads_them(step: int, spaced: bool) -> None:
    raw = orjson.dumps(MEMBERS)
    if spaced:
        raw = json.dumps(MEMBERS, indent=2).encode()
    stream = JsonObjectStream(Budget())
    for i in range(0, len(raw), step):
        stream.feed(raw[i : i + step])
    stream.finish()
    assert dict(stream.members) == MEMBERS


@pytest.mark.parametrize("step", [1, 2, 3, 5, 7, 10_000])
def test_json_stream_streams_the_image_string_unescaped(step: int) -> None:
    value = "QUJD/+==\n" + "A" * 100 + "\u00e9"
    raw = json.dumps({"type": "base64", "image": value, "title": "t"}).replace("/", "\\/").encode()
    sink = io.BytesIO()
    stream = JsonObjectStream(Budget(), lambda key: sink if key == "image" else None)
    for i in range(0, len(raw), step):
        stream.feed(raw[i : i + step])
    stream.finish()
    assert sink.getvalue().decode() == value
    assert [m for m in stream.members if m[0] != "image"] == [("type", "base64"), ("title", "t")]


@pytest.mark.parametrize(
    "raw",
    [
        b"[1]",
        b"{",
        b'{"a":}',
        b'{"a" 1}',
        b'{"a":1,}',
        b'{"a":1}x',
        b"",
        b'{"a":"\\x"}',
        b'{"a":tru}',
        b'{"a":1 2}',
        b'"text"',
    ],
)
def test_json_stream_refuses_what_is_not_one_object(raw: bytes) -> None:
    with pytest.raises(InvalidRequest):
        _feed_and_finish(JsonObjectStream(Budget()), raw)


def test_json_stream_budget_stops_a_huge_member_early() -> None:
    stream = JsonObjectStream(Budget(10_000))
    stream.feed(b'{"a": "')
    with pytest.raises(ParametersTooLarge):
        _feed_repeatedly(stream.feed, b"x" * 1000, 1000)


# ---------------------------------------------------------------------------------------- base64


@pytest.mark.parametrize("step", [1, 3, 4, 5, 77, 100_000])
def test_base64_stream_matches_the_whole_decode(step: int) -> None:
    data = bytes(range(256)) * 40
    for text in (
        base64.b64encode(data),
        base64.encodebytes(data),
        b"data:image/png;base64," + base64.b64encode(data),
        base64.urlsafe_b64encode(data).rstrip(b"="),
    ):
        out = io.BytesIO()
        dec = Base64Decoder(out, len(data))
        for i in range(0, len(text), step):
            dec.feed(text[i : i + step])
        dec.finish()
        assert out.getvalue() == data


def test_base64_stream_limit_is_on_decoded_bytes_as_they_grow() -> None:
    out = io.BytesIO()
    dec = Base64Decoder(out, 1000)
    with pytest.raises(PayloadTooLarge):
        _feed_repeatedly(dec.feed, b"A" * 400, 1000)
    assert len(out.getvalue()) <= 1400


@pytest.mark.parametrize("bad", [b"QUJD\x00", b"AA=A", b"A", b"====", b"abc$"])
def test_base64_stream_refuses_garbage(bad: bytes) -> None:
    dec = Base64Decoder(io.BytesIO(), 1000)
    with pytest.raises(ImghostError) as info:
        _feed_and_finish(dec, bad)
    assert type(info.value) is InvalidRequest and info.value.code == 1003
