"""decode_base64(): the base64 text clients send as `image`, in all the shapes they send it."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from imghost.api.intake import decode_base64
from imghost.errors import ImghostError, InvalidRequest, PayloadTooLarge
from tests.corpus.cases import get_case

BIG = 10 * 1024 * 1024


@pytest.fixture(scope="module")
def png() -> bytes:
    return get_case("alpha.png").read_bytes()


def decoded(text: str, tmp_path: Path, max_bytes: int = BIG) -> bytes:
    dest = tmp_path / "upload"
    decode_base64(text, dest, max_bytes)
    return dest.read_bytes()


def test_plain(tmp_path: Path, png: bytes) -> None:
    assert decoded(base64.b64encode(png).decode(), tmp_path) == png


@pytest.mark.parametrize(
    "prefix",
    [
        "data:image/png;base64,",
        "data:image/jpeg;base64,",
        "DATA:IMAGE/PNG;BASE64,",
        "data:;base64,",
        "data:application/octet-stream;base64,",
        "data:image/svg+xml;base64,",
        "data:image/vnd.ms-photo;base64,",
    ],
)
def test_data_url_prefix(tmp_path: Path, png: bytes, prefix: str) -> None:
    assert decoded(prefix + base64.b64encode(png).decode(), tmp_path) == png


def test_surrounding_and_inner_whitespace(tmp_path: Path, png: bytes) -> None:
    mime = base64.encodebytes(png).decode()  # 76-character lines, "\n"-terminated
    assert "\n" in mime.strip()
    assert decoded(mime, tmp_path) == png
    assert decoded("\r\n".join(mime.splitlines()) + "\r\n", tmp_path) == png
    assert decoded("  \t" + mime.replace("\n", " \t \r\n") + "\n\n ", tmp_path) == png
    assert decoded("\n data:image/png;base64," + mime, tmp_path) == png


def test_url_safe_alphabet(tmp_path: Path) -> None:
    data = bytes(range(256)) * 4
    text = base64.urlsafe_b64encode(data).decode()
    assert "-" in text
    assert "_" in text
    assert "+" not in text
    assert "/" not in text
    assert decoded(text, tmp_path) == data


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 100, 101, 102])
def test_missing_padding(tmp_path: Path, n: int) -> None:
    data = bytes((i * 37) % 256 for i in range(n))
    text = base64.b64encode(data).decode()
    assert decoded(text.rstrip("="), tmp_path) == data
    assert decoded(base64.urlsafe_b64encode(data).decode().rstrip("="), tmp_path) == data


@pytest.mark.parametrize(
    "text",
    [
        "not base64!",
        "abc$",
        "AAAAA",
        "A",
        "====",
        "AA=A",
        "QUJD\x00",
        "data:image/png;base64,@@@@",
        "€€€€",
        "<html>",
        "http://example.com/a.png",
    ],
)
def test_invalid_is_invalid_request_1003(tmp_path: Path, text: str) -> None:
    dest = tmp_path / "upload"
    with pytest.raises(ImghostError) as info:
        decode_base64(text, dest, BIG)
    assert type(info.value) is InvalidRequest
    assert (info.value.status, info.value.code) == (400, 1003)
    assert info.value.payload() == {
        "code": 1003,
        "message": "Image is not valid base64",
        "type": "ImgurException",
        "exception": [],
    }
    assert not dest.exists()


def test_exactly_at_the_limit_is_accepted(tmp_path: Path) -> None:
    for n in (999, 1000):
        data = b"\xab" * n
        assert decoded(base64.b64encode(data).decode(), tmp_path, max_bytes=1000) == data
        assert decoded(base64.b64encode(data).decode().rstrip("="), tmp_path, max_bytes=1000) == data


@pytest.mark.parametrize("n", [1004, 1005, 1500, 10_000])
def test_over_the_limit_is_payload_too_large(tmp_path: Path, n: int) -> None:
    dest = tmp_path / "upload"
    encoded = base64.b64encode(b"\x01" * n).decode()
    for text in (encoded, "data:image/png;base64," + encoded):
        with pytest.raises(ImghostError) as info:
            decode_base64(text, dest, 1000)
        assert type(info.value) is PayloadTooLarge
        assert (info.value.status, info.value.code) == (400, 1003)
        assert info.value.public == "File is over the size limit"
    assert not dest.exists()


def test_whitespace_does_not_count_towards_the_limit(tmp_path: Path) -> None:
    data = b"\x02" * 900
    text = "\n".join(base64.b64encode(data).decode()[i : i + 4] for i in range(0, 1200, 4))  # ~1500 chars
    assert len(text) > 1400
    assert decoded(text, tmp_path, max_bytes=1000) == data


def test_garbage_is_refused_from_its_first_chunk(tmp_path: Path) -> None:
    # Ten million characters of garbage: refused in the first chunk, without reading the rest.
    with pytest.raises(InvalidRequest):
        decode_base64("!" * 10_000_000, tmp_path / "upload", 1000)
    assert not (tmp_path / "upload").exists()


def test_oversize_is_refused_as_soon_as_it_crosses_the_limit(tmp_path: Path) -> None:
    with pytest.raises(PayloadTooLarge):
        decode_base64("A" * 10_000_000, tmp_path / "upload", 1000)
    assert not (tmp_path / "upload").exists()
