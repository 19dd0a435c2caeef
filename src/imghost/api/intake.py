"""Reading an upload request in any of the eight encodings real clients send.

The body is streamed: file parts and raw bodies go straight to a temporary file while being counted,
so a 200 MB video never sits in memory, and an over-limit body is refused as soon as it crosses the line."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import orjson
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from imghost.errors import InvalidRequest, PayloadTooLarge
from imghost.ids import random_id
from imghost.media.sniff import sniff
from imghost.media.writer import UploadWriter

FILE_FIELDS = ("image", "video")
MAX_FIELD_BYTES = 64 * 1024


@dataclass
class UploadInput:
    fields: list[tuple[str, str]] = field(default_factory=list)
    file: Path | None = None  # binary media already on disk
    file_field: str | None = None
    filename: str | None = None
    text: str | None = None  # base64 or URL given as text

    def get(self, name: str) -> str | None:
        for k, v in reversed(self.fields):
            if k == name:
                return v
        return None


class WorkFiles:
    """One upload's temporary files, side by side in the temp directory: `{stem}.upload` for the body and
    whatever the media pipeline derives from it (`{stem}.out`, `{stem}.mp4`, ...).

    Flat names rather than a directory per upload: on a disk busy writing earlier uploads, creating that
    directory took half a millisecond, before the first byte of the body could be read."""

    def __init__(self, tmp_dir: Path) -> None:
        self.stem = tmp_dir / random_id(20)
        self.upload = self.stem.with_name(self.stem.name + ".upload")

    def clear(self) -> None:
        for path in self.stem.parent.glob(self.stem.name + ".*"):
            path.unlink(missing_ok=True)


class _Sink:
    def __init__(self, path: Path, budget: int) -> None:
        self.path = path
        self.out = UploadWriter(path)
        self.size = 0
        self.budget = budget
        self.head = b""  # the first bytes as sent, for sniffing

    def write(self, data: bytes | memoryview) -> None:
        self.size += len(data)
        if self.size > self.budget:
            raise PayloadTooLarge()
        if len(self.head) < 128:
            self.head += bytes(data[:128 - len(self.head)])
        self.out.write(data)


async def read_upload(request: Request, dest: Path, max_bytes: int) -> UploadInput:
    """The upload's fields, with binary media written to dest."""
    declared = request.headers.get("content-length")
    # Text encodings (base64) are a third larger than the bytes they carry.
    budget = max_bytes * 4 // 3 + 64 * 1024
    if declared and declared.isdigit() and int(declared) > budget:
        raise PayloadTooLarge()
    ctype_raw = request.headers.get("content-type", "")
    ctype, opts = parse_options_header(ctype_raw)
    ctype_s = ctype.decode("latin-1").lower()
    query = parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    if ctype_s == "multipart/form-data":
        boundary = opts.get(b"boundary")
        if not boundary:
            raise InvalidRequest("Malformed multipart body")
        up = await _multipart(request, boundary, dest, budget)
    elif ctype_s == "application/json":
        up = _json(await _small_body(request, budget))
    else:
        up = await _raw_or_form(request, dest, budget)
    up.fields = query + up.fields
    # Body fields win over the query string: put them last (get() reads from the end).
    return up


async def _multipart(request: Request, boundary: bytes, dest: Path, budget: int) -> UploadInput:
    up = UploadInput()
    state: dict[str, Any] = {"headers": {}, "hname": b"", "hval": b"", "sink": None, "buf": None, "name": ""}
    total = 0

    def on_part_begin() -> None:
        state.update(headers={}, hname=b"", hval=b"", sink=None, buf=None, name="")

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["hname"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["hval"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["hname"].lower()] = state["hval"]
        state["hname"], state["hval"] = b"", b""

    def on_headers_finished() -> None:
        disp, params = parse_options_header(state["headers"].get(b"content-disposition", b""))
        name = params.get(b"name", b"").decode("utf-8", "replace")
        state["name"] = name
        if name in FILE_FIELDS and up.file is None and up.text is None:
            # Binary or not, filename or not: the media part always goes to disk (npm sends Buffers
            # without a filename, PyImgur without a Content-Type); what it is gets decided by its bytes.
            fname = params.get(b"filename")
            up.filename = fname.decode("utf-8", "replace") if fname is not None else None
            up.file_field = name
            state["sink"] = _Sink(dest, budget)
        else:
            state["buf"] = bytearray()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if state["sink"] is not None:
            state["sink"].write(memoryview(data)[start:end])
        elif state["buf"] is not None:
            state["buf"] += data[start:end]
            if len(state["buf"]) > MAX_FIELD_BYTES:
                raise InvalidRequest(f"Field {state['name']} is too long")

    def on_part_end() -> None:
        sink = state["sink"]
        if sink is not None:
            state["sink"] = None
            sink.out.close()
            up.file = sink.path
        elif state["buf"] is not None:
            up.fields.append((state["name"], state["buf"].decode("utf-8", "replace")))

    parser = MultipartParser(boundary, {
        "on_part_begin": on_part_begin, "on_header_field": on_header_field, "on_header_value": on_header_value,
        "on_header_end": on_header_end, "on_headers_finished": on_headers_finished,
        "on_part_data": on_part_data, "on_part_end": on_part_end,
    })
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > budget:
                raise PayloadTooLarge()
            parser.write(chunk)
        parser.finalize()
    except (InvalidRequest, PayloadTooLarge, OSError):  # OSError: the disk, not the request
        raise
    except Exception:
        raise InvalidRequest("Malformed multipart body") from None
    finally:
        if state["sink"] is not None:  # a part cut short: its file goes with the upload's other temp files
            state["sink"].out.abort()
    if up.file is not None and _looks_textual(up.file, up.get("type"), up.filename):
        up.text = up.file.read_text("utf-8", "replace").strip()
        up.file = None
    return up


def _looks_textual(path: Path, declared_type: str | None, filename: str | None) -> bool:
    """A media part holding base64 or a URL (npm sends those as plain text parts, without a filename)."""
    kind = (declared_type or "").lower()
    if kind in ("base64", "url"):
        return True
    if kind in ("file", "stream", "binary", "raw") or filename is not None:
        return False
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(128)
    if sniff(head) is not None:
        return False
    return size <= 40 * 1024 * 1024 and re.fullmatch(rb"[\x20-\x7e\r\n\t]*", head) is not None


async def _small_body(request: Request, budget: int) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > budget:
            raise PayloadTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


def _json(body: bytes) -> UploadInput:
    try:
        data = orjson.loads(body) if body else {}
    except orjson.JSONDecodeError:
        raise InvalidRequest("Malformed JSON body") from None
    if not isinstance(data, dict):
        raise InvalidRequest("JSON body must be an object")
    up = UploadInput()
    for k, v in data.items():
        if k in FILE_FIELDS and isinstance(v, str) and up.text is None:
            up.text, up.file_field = v.strip(), k
        elif isinstance(v, str | int | float | bool):
            up.fields.append((k, str(v).lower() if isinstance(v, bool) else str(v)))
    return up


async def _raw_or_form(request: Request, dest: Path, budget: int) -> UploadInput:
    """urlencoded forms, and raw bodies: Flameshot posts PNG bytes labelled as a urlencoded form."""
    sink = _Sink(dest, budget)
    try:
        async for chunk in request.stream():
            sink.write(chunk)
    except BaseException:
        sink.out.abort()
        raise
    sink.out.close()
    up = UploadInput()
    if sink.size == 0:
        return up
    if sniff(sink.head) is not None:
        up.file, up.file_field = sink.path, "image"
        return up
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    text = sink.path.read_bytes()
    if ctype in ("application/x-www-form-urlencoded", "", "text/plain") and b"=" in text[:4096]:
        for k, v in parse_qsl(text.decode("utf-8", "replace"), keep_blank_values=True):
            if k in FILE_FIELDS and up.text is None:
                up.text, up.file_field = v.strip(), k
            else:
                up.fields.append((k, v))
        return up
    # Unknown bytes as the whole body: let the media probe refuse them with the right error.
    up.file, up.file_field = sink.path, "image"
    return up


_DATA_URL = re.compile(r"^data:[\w/+.-]*;base64,", re.IGNORECASE)


def decode_base64(text: str, dest: Path, max_bytes: int) -> None:
    text = _DATA_URL.sub("", text.strip())
    compact = re.sub(r"\s+", "", text)
    if len(compact) * 3 // 4 > max_bytes + 3:
        raise PayloadTooLarge()
    try:
        # Accept URL-safe alphabets and missing padding, as browsers and scripts produce both.
        data = base64.b64decode(compact.replace("-", "+").replace("_", "/") + "=" * (-len(compact) % 4),
                                validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest("Image is not valid base64", code=1003) from None
    out = UploadWriter(dest)
    try:
        out.write(data)
    finally:
        out.close()
