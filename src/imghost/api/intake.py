"""Reading an upload request in any of the eight encodings real clients send.

The body is streamed in every encoding: file parts and raw bodies go straight to the upload file while
being counted; base64 or URL text (a multipart part, an urlencoded field, a JSON member) goes to a text
file beside it, to be decoded as a stream; everything else is parameters, bounded by the parameter
budget. So a 200 MB video never sits in memory, a 27 MB base64 body costs no more memory than a small
one, and an over-limit body is refused as soon as it crosses the line."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from python_multipart.multipart import parse_options_header
from starlette.requests import Request

from imghost.domain.images.uploads import UploadWriter, is_media, open_writer
from imghost.errors import InvalidRequest, PayloadTooLarge
from imghost.http.b64stream import Base64Decoder
from imghost.http.budget import MAX_PARAM_BYTES, Budget, declared_length
from imghost.http.formstream import FormStream
from imghost.http.jsonstream import JsonObjectStream
from imghost.http.multipart import read_multipart
from imghost.http.params import Layer, Params, json_value, query_layer
from imghost.ids import random_id
from imghost.remote import download

if TYPE_CHECKING:
    from imghost.services import Services

FILE_FIELDS = ("image", "video")
_HEAD = 4096  # bytes of a raw body looked at to tell a file from a form
_MAX_URL = 8192


@dataclass
class UploadInput:
    params: Params
    file: Path | None = None  # binary media already on disk
    filename: str | None = None
    text_file: Path | None = None  # base64 or URL text, on disk

    def get(self, name: str) -> str | None:
        return self.params.get(name)


class WorkFiles:
    """One upload's temporary files, side by side in the temp directory: `{stem}.upload` for the body and
    whatever the media pipeline derives from it (`{stem}.out`, `{stem}.mp4`, ...).

    Flat names rather than a directory per upload: on a disk busy writing earlier uploads, creating that
    directory took half a millisecond, before the first byte of the body could be read."""

    def __init__(self, tmp_dir: Path) -> None:
        self.stem = tmp_dir / random_id(20)
        self.upload = self.stem.with_name(self.stem.name + ".upload")
        self.text = self.stem.with_name(self.stem.name + ".text")

    def clear(self) -> None:
        for path in self.stem.parent.glob(self.stem.name + ".*"):
            path.unlink(missing_ok=True)


class _Sink:
    """The binary file part (or raw body) on its way to disk, metadata stripped as it goes."""

    def __init__(self, path: Path, budget: int) -> None:
        self.path = path
        self.out = open_writer(path)
        self.size = 0
        self.budget = budget
        self.head = b""  # the first bytes as sent, for sniffing

    def write(self, data: bytes | memoryview) -> None:
        self.size += len(data)
        if self.size > self.budget:
            raise PayloadTooLarge()
        if len(self.head) < 128:
            self.head += bytes(data[: 128 - len(self.head)])
        self.out.write(data)

    def close(self) -> None:
        self.out.close()

    def abort(self) -> None:
        self.out.abort()


class _TextSink:
    """Base64 or URL text on its way to disk, counted against the same budget as a file."""

    def __init__(self, path: Path, budget: int) -> None:
        self.path = path
        self.size = 0
        self.budget = budget
        self._f = open(path, "wb")

    def write(self, data: bytes | memoryview) -> None:
        self.size += len(data)
        if self.size > self.budget:
            raise PayloadTooLarge()
        self._f.write(data)

    def close(self) -> None:
        self._f.close()

    def abort(self) -> None:
        self._f.close()
        self.path.unlink(missing_ok=True)


class _Intake:
    def __init__(self, work: WorkFiles, budget: int) -> None:
        self.work = work
        self.budget = budget
        self.file: _Sink | None = None
        self.text: _TextSink | None = None
        self.filename: str | None = None

    def open_file(self, name: str, filename: str | None) -> _Sink | None:
        if name not in FILE_FIELDS or self.file is not None or self.text is not None:
            return None
        # Binary or not, filename or not: the media part always goes to disk (npm sends Buffers without a
        # filename, PyImgur without a Content-Type); what it is gets decided by its bytes.
        self.filename = filename
        self.file = _Sink(self.work.upload, self.budget)
        return self.file

    def open_text(self, name: str) -> _TextSink | None:
        if name not in FILE_FIELDS or self.file is not None or self.text is not None:
            return None
        self.text = _TextSink(self.work.text, self.budget)
        return self.text

    def close(self) -> None:
        if self.text is not None:
            self.text.close()

    def abort(self) -> None:
        if self.file is not None:
            self.file.abort()
        if self.text is not None:
            self.text.abort()


async def read_upload(request: Request, work: WorkFiles, max_bytes: int) -> UploadInput:
    """The upload's parameters, with its media (or the text naming it) written beside the work stem."""
    # Text encodings (base64) are a third larger than the bytes they carry.
    budget = max_bytes * 4 // 3 + 64 * 1024
    declared = declared_length(request.scope["headers"])
    if declared is not None and declared > budget + MAX_PARAM_BYTES:
        raise PayloadTooLarge()
    ctype, opts = parse_options_header(request.headers.get("content-type", ""))
    ctype_s = ctype.decode("latin-1").lower()
    intake = _Intake(work, budget)
    params = Budget()
    try:
        if ctype_s == "multipart/form-data":
            boundary = opts.get(b"boundary")
            if not boundary:
                raise InvalidRequest("Malformed multipart body")
            fields: Layer = list(await read_multipart(request.stream(), boundary, params, intake.open_file))
        elif ctype_s == "application/json":
            fields = await _json(request, params, intake)
        else:
            fields = await _raw_or_form(request, ctype_s, params, intake)
        intake.close()
    except BaseException:
        intake.abort()
        raise
    up = UploadInput(Params([fields, query_layer(request)]), filename=intake.filename)
    if intake.text is not None:
        up.text_file = intake.text.path
    elif intake.file is not None:
        up.file = intake.file.path
        if _looks_textual(up.file, up.get("type"), up.filename):
            up.file = None
            up.text_file = _as_text(intake.file.path, work.text)
    return up


def _as_text(path: Path, text_path: Path) -> Path:
    path.replace(text_path)
    return text_path


def _looks_textual(path: Path, declared_type: str | None, filename: str | None) -> bool:
    """A media part holding base64 or a URL (npm sends those as plain text parts, without a filename)."""
    kind = (declared_type or "").lower()
    if kind in ("base64", "url"):
        return True
    if kind in ("file", "stream", "binary", "raw") or filename is not None:
        return False
    with open(path, "rb") as f:
        head = f.read(128)
    if is_media(head):
        return False
    return re.fullmatch(rb"[\x20-\x7e\r\n\t]*", head) is not None


async def _json(request: Request, params: Budget, intake: _Intake) -> Layer:
    parser = JsonObjectStream(params, intake.open_text)
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        parser.feed(chunk)
    if seen == 0:
        return []
    parser.finish()
    # A streamed member left (name, None) behind: its value is in the text file.
    return [
        (k, json_value(v))
        for k, v in parser.members
        if not (v is None and k in FILE_FIELDS) and not isinstance(v, dict)
    ]


async def _raw_or_form(request: Request, ctype: str, params: Budget, intake: _Intake) -> Layer:
    """urlencoded forms, and raw bodies: Flameshot posts PNG bytes labelled as a urlencoded form."""
    chunks = request.stream()
    head = bytearray()
    ended = False
    while len(head) < _HEAD:
        try:
            head += await chunks.__anext__()
        except StopAsyncIteration:
            ended = True
            break
    if not head:
        return []
    form_like = ctype in ("application/x-www-form-urlencoded", "", "text/plain")
    if not is_media(bytes(head[:128])) and form_like and b"=" in head[:_HEAD]:
        form = FormStream(params, intake.open_text)
        form.feed(bytes(head))
        if not ended:
            async for chunk in chunks:
                form.feed(chunk)
        form.finish()
        return list(form.fields)
    # Media bytes as the whole body, or unknown bytes: the media probe refuses those with the right error.
    sink = intake.open_file("image", None)
    assert sink is not None
    sink.write(bytes(head))
    if not ended:
        async for chunk in chunks:
            sink.write(chunk)
    sink.close()
    return []


# ---------------------------------------------------------------------------------------- base64


class _FileWriter:
    def __init__(self, out: UploadWriter) -> None:
        self.out = out

    def write(self, data: bytes) -> None:
        self.out.write(data)


def decode_base64_file(src: Path, dest: Path, max_bytes: int) -> None:
    """Decode base64 text from src into dest, 256 KB at a time."""
    with open(src, "rb") as f:
        _decode(iter(lambda: f.read(256 * 1024), b""), dest, max_bytes)


def decode_base64(text: str, dest: Path, max_bytes: int) -> None:
    """Decode base64 text held in memory (the same decoder, for callers that have a string)."""
    data = text.encode("utf-8", "replace")
    _decode((data[i : i + 256 * 1024] for i in range(0, len(data), 256 * 1024)), dest, max_bytes)


def _decode(chunks: Iterator[bytes], dest: Path, max_bytes: int) -> None:
    out = open_writer(dest)
    try:
        decoder = Base64Decoder(_FileWriter(out), max_bytes)
        for chunk in chunks:
            decoder.feed(chunk)
        decoder.finish()
    except BaseException:
        out.abort()
        dest.unlink(missing_ok=True)
        raise
    out.close()


def read_url(path: Path) -> str:
    """The upload's text, as a URL: short, by definition."""
    with open(path, "rb") as f:
        head = f.read(_MAX_URL + 1)
    if len(head) > _MAX_URL:
        raise InvalidRequest("The image URL is too long")
    return head.decode("utf-8", "replace").strip()


def text_head(path: Path) -> str:
    """The first characters of the upload's text (lowercase, leading whitespace skipped): enough to tell
    a URL from base64, and empty when no text was sent."""
    with open(path, "rb") as f:
        while chunk := f.read(4096):
            text = chunk.lstrip()
            if text:
                return text[:16].decode("utf-8", "replace").lower()
    return ""


# ---------------------------------------------------------------------------------------- media


async def materialise(up: UploadInput, dest: Path, svc: Services) -> Path:
    """The upload's media as a file: the part as sent, or the base64 decoded, or the URL downloaded
    (under the SSRF rules of imghost.remote) into dest."""
    s = svc.settings
    if up.file is not None:
        return up.file
    if up.text_file is None:
        raise InvalidRequest("No image data was sent to the upload api")
    kind = (up.get("type") or "").lower()
    head = text_head(up.text_file)
    if not head:
        raise InvalidRequest("No image data was sent to the upload api")
    url = None
    if kind == "url" or (kind != "base64" and head.startswith(("http://", "https://"))):
        url = read_url(up.text_file)
    if url is not None:
        await download(
            url,
            dest,
            max_bytes=s.max_upload_bytes,
            timeout=s.url_upload_timeout,
            deadline=s.url_fetch_seconds,
            max_redirects=s.url_upload_max_redirects,
            allow_private=s.url_upload_allow_private,
        )
    else:
        # Off the loop: decoding 27 MB of base64 takes a while, and other requests should not wait for it.
        await asyncio.to_thread(decode_base64_file, up.text_file, dest, s.max_upload_bytes)
    return dest
