"""GET/HEAD /{id}{suffix}.{ext}: originals, thumbnails and MP4s (a .gifv link is a page of the web surface).

This is the hottest path of an image host, so it is a bare ASGI callable in front of the framework:
one regex, a cached row, a cached body, precomputed headers. Large local files go out through the
server's pathsend extension when it has one (sendfile in the server, no Python in the loop)."""

from __future__ import annotations

import os
import re
from email.utils import formatdate
from typing import Any

from imghost import ids
from imghost.delivery.ranges import RangeNotSatisfiable, parse_range
from imghost.domain.images import keys
from imghost.domain.images.model import Image
from imghost.errors import BlobNotFound, ImghostError
from imghost.headers import MEDIA
from imghost.services import Services

IMAGE_EXTS = {"jpg", "jpeg", "png", "gif", "webp", "avif", "bmp", "tif", "tiff", "heic", "apng", "jfif"}
# Ids that media names carry: ones this server makes, and legacy five-character ones.
_ID_LENGTHS = (ids.LEGACY_ID_LENGTH, ids.ID_LENGTH)
# Only media extensions: /openapi.json and friends, and /{id}.gifv pages, must reach the framework.
_NAME = rf"[A-Za-z0-9]{{{min(_ID_LENGTHS)},{max(_ID_LENGTHS) + 1}}}"  # an id, maybe with a thumbnail suffix
MEDIA_PATH = re.compile(
    rf"^/({_NAME})\.(" + "|".join(sorted(IMAGE_EXTS | {"mp4", "webm"})) + r")$", re.IGNORECASE
)
THUMB_SUFFIXES = set("sbtmlh")
_CACHE = b"public, max-age=31536000, immutable"
# Every whole or partial media answer, the native fast path's included (its heads are built from these).
_COMMON = [
    (b"cache-control", _CACHE),
    (b"access-control-allow-origin", b"*"),
    (b"accept-ranges", b"bytes"),
    *MEDIA,
]


class Target:
    """What a media URL names once its row is known: which stored object, served as what."""

    __slots__ = ("kind", "key", "ctype", "tag", "size", "count", "suffix")

    def __init__(
        self,
        kind: str,
        key: str = "",
        ctype: bytes = b"",
        tag: str = "",
        size: int = 0,
        count: bool = False,
        suffix: str = "",
    ) -> None:
        self.kind, self.key, self.ctype, self.tag = kind, key, ctype, tag
        self.size, self.count, self.suffix = size, count, suffix

    def etag(self, row: Image) -> bytes:
        return f'"{row.blob_id[:32]}{self.tag}"'.encode()


class Hit:
    """A plain GET answered entirely from memory."""

    __slots__ = ("row", "target", "data", "etag", "etag_str", "not_modified_str")

    def __init__(self, row: Image, target: Target, data: bytes) -> None:
        self.row, self.target, self.data = row, target, data
        self.etag = target.etag(row)
        self.etag_str = self.etag.decode()
        self.not_modified_str = [("etag", self.etag_str), ("cache-control", _CACHE.decode())]


def _split(name: str) -> tuple[str, str] | None:
    """(image id, thumbnail suffix or "") of a media file name, or None when it names nothing.
    Ids are 7 characters (5 for legacy ones), so a 7-character name is an id even when it ends in
    s, b, t, m, l or h, and an 8- (or 6-) character one is an id plus a thumbnail suffix."""
    if len(name) in _ID_LENGTHS:
        return name, ""
    if len(name) - 1 in _ID_LENGTHS and name[-1] in THUMB_SUFFIXES:
        return name[:-1], name[-1]
    return None


def _route(row: Image, suffix: str, ext: str) -> Target | None:
    blob = row.blob_id
    if suffix:
        return Target("thumb", keys.thumb(blob, suffix), b"image/jpeg", suffix, suffix=suffix)
    if ext == "mp4" and row.mp4_size and row.mime != "video/mp4":
        return Target("blob", keys.mp4(blob), b"video/mp4", "mp4", int(row.mp4_size), True)
    if ext in IMAGE_EXTS or ext == row.ext or (ext == "mp4" and row.mime == "video/mp4"):
        return Target("blob", keys.original(blob), row.mime.encode(), "", int(row.size), True)
    return None


class Delivery:
    def __init__(self, services: Services) -> None:
        self.svc = services
        self.cache = services.delivery_cache
        # Response heads of whole-file answers, keyed by ETag: a cache hit formats nothing.
        self._heads: dict[bytes, list[tuple[bytes, bytes]]] = {}
        self._heads_str: dict[bytes, list[tuple[str, str]]] = {}

    async def __call__(
        self, scope: dict[str, Any], receive: Any, send: Any, m: re.Match[str] | None = None
    ) -> None:
        method = scope["method"]
        if m is None:
            m = MEDIA_PATH.match(scope["path"])
        if m is None or method not in ("GET", "HEAD"):
            await _text(send, 404 if m is None else 405, b"Not found" if m is None else b"Method not allowed")
            return
        name, ext = m.group(1), m.group(2).lower()
        try:
            row, suffix = await self._lookup(name)
            target = None if row is None else _route(row, suffix, ext)
            if target is None:
                await _text(send, 404, b"Not found")
            elif target.kind == "thumb":
                await self._thumbnail(scope, send, row, target)  # type: ignore[arg-type]
            else:
                await self._blob(scope, send, row, target)  # type: ignore[arg-type]
        except BlobNotFound:
            await _text(send, 404, b"Not found")
        except ImghostError as exc:
            extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in exc.headers]
            await _text(send, exc.status if exc.status != 400 else 422, exc.public.encode(), extra)

    def cached_hit(self, name: str, ext: str) -> Hit | None:
        """The whole answer to a plain GET when the row and the body are both in memory, else None.
        Synchronous and free of I/O: the server's native fast path calls it before anything else."""
        named = _split(name)
        if named is None:
            return None
        image_id, suffix = named
        found, row = self.cache.row(image_id)
        if not found or row is None:
            return None
        target = _route(row, suffix, ext)
        if target is None:
            return None
        if target.count and self.svc.settings.s3_redirect and self.svc.store.local_path(target.key) is None:
            return None  # answered with a redirect, by the full path
        data = self.cache.body(target.key)
        if data is None:
            return None
        return Hit(row, target, data)

    def head_str(self, hit: Hit) -> list[tuple[str, str]]:
        """The response head of a cache hit with text headers, as the server's native interface takes them."""
        head = self._heads_str.get(hit.etag)
        if head is None:
            if len(self._heads_str) > 50_000:
                self._heads_str.clear()
            head = self._heads_str[hit.etag] = [
                (k.decode("latin-1"), v.decode("latin-1"))
                for k, v in _whole_head(len(hit.data), hit.target.ctype, hit.etag, hit.row)
            ]
        return head

    def counted(self, hit: Hit) -> None:
        if hit.target.count:
            self.svc.views.add(hit.row.id, len(hit.data))

    async def _row(self, image_id: str) -> Image | None:
        hit, row = self.cache.row(image_id)
        if not hit:
            row = await self.svc.images.find(image_id)
            self.cache.put_row(image_id, row)
        return row

    async def _lookup(self, name: str) -> tuple[Image | None, str]:
        named = _split(name)
        if named is None:
            return None, ""
        return await self._row(named[0]), named[1]

    async def _thumbnail(self, scope: dict[str, Any], send: Any, row: Image, target: Target) -> None:
        etag = target.etag(row)
        if _if_none_match(scope) == etag:
            await _not_modified(send, etag)
            return
        data = self.cache.body(target.key)
        if data is None:
            data = await self.svc.images.thumbnail(row, target.suffix)
            self.cache.put_body(target.key, data)
        await self._send_bytes(scope, send, data, target.ctype, etag, row)

    async def _blob(self, scope: dict[str, Any], send: Any, row: Image, target: Target) -> None:
        key, size = target.key, target.size
        etag = target.etag(row)
        if _if_none_match(scope) == etag:
            await _not_modified(send, etag)
            return
        store = self.svc.store
        if self.svc.settings.s3_redirect and store.local_path(key) is None:
            # Originals and MP4s come straight from the object store; the view still counts here.
            url = await store.presigned_url(key)
            if url:
                await _redirect(send, url)
                if scope["method"] == "GET":
                    self.svc.views.add(row.id, size)
                return
        data = self.cache.body(key)
        if data is None:
            local = store.local_path(key)
            if size > self.cache.max_object:
                await self._large(scope, send, row, key, local, target.ctype, etag, size)
                return
            data = await store.get_bytes(key)
            self.cache.put_body(key, data)
        await self._send_bytes(scope, send, data, target.ctype, etag, row, count=True)

    async def _send_bytes(
        self,
        scope: dict[str, Any],
        send: Any,
        data: bytes,
        ctype: bytes,
        etag: bytes,
        row: Image,
        *,
        count: bool = False,
    ) -> None:
        if scope["method"] == "GET" and _header(scope, b"range") is None:
            head = self._heads.get(etag)
            if head is None:
                if len(self._heads) > 50_000:
                    self._heads.clear()
                head = self._heads[etag] = _whole_head(len(data), ctype, etag, row)
            await send({"type": "http.response.start", "status": 200, "headers": head})
            await send({"type": "http.response.body", "body": data})
            if count:
                self._count(row, 200, len(data))
            return
        plan = await _start(scope, send, len(data), ctype, etag, row)
        if plan is None:
            return
        status, start, end = plan
        head = scope["method"] == "HEAD"
        await send(
            {
                "type": "http.response.body",
                "body": b"" if head else (data if status == 200 else data[start:end]),
            }
        )
        if count and not head:
            self._count(row, status, end - start)

    async def _large(
        self,
        scope: dict[str, Any],
        send: Any,
        row: Image,
        key: str,
        local: Any,
        ctype: bytes,
        etag: bytes,
        size: int,
    ) -> None:
        if local is not None and not os.path.exists(local):
            raise BlobNotFound()
        plan = await _start(scope, send, size, ctype, etag, row)
        if plan is None:
            return
        status, start, end = plan
        if scope["method"] == "HEAD":
            await send({"type": "http.response.body", "body": b""})
            return
        if local is not None and status == 200 and "http.response.pathsend" in scope.get("extensions", {}):
            await send({"type": "http.response.pathsend", "path": str(local)})
        else:
            async for chunk in self.svc.store.stream(key, start, end):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        self._count(row, status, end - start)

    def _count(self, row: Image, status: int, nbytes: int) -> None:
        if status == 200:
            self.svc.views.add(row.id, nbytes)
        else:
            self.svc.views.add_bandwidth(row.id, nbytes)


async def _start(
    scope: dict[str, Any], send: Any, size: int, ctype: bytes, etag: bytes, row: Image
) -> tuple[int, int, int] | None:
    """Send the response head for a whole file or one byte range: (status, start, end), or None when the
    range could not be satisfied (and a 416 went out)."""
    status, start, end = 200, 0, size
    rng = _header(scope, b"range")
    if rng:
        try:
            span = parse_range(rng, size)
        except RangeNotSatisfiable:
            await _unsatisfiable(send, size)
            return None
        if span:
            status, (start, end) = 206, span
    headers = _whole_head(end - start, ctype, etag, row)
    if status == 206:
        headers.append((b"content-range", f"bytes {start}-{end - 1}/{size}".encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    return status, start, end


def _whole_head(length: int, ctype: bytes, etag: bytes, row: Image) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-type", ctype),
        (b"content-length", str(length).encode()),
        (b"etag", etag),
        (b"last-modified", _httpdate(row)),
        *_COMMON,
    ]


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for k, v in scope["headers"]:
        if k == name:
            return str(v.decode("latin-1"))
    return None


def _if_none_match(scope: dict[str, Any]) -> bytes | None:
    for k, v in scope["headers"]:
        if k == b"if-none-match":
            return bytes(v.strip().removeprefix(b"W/"))
    return None


def _httpdate(row: Image) -> bytes:
    return formatdate(int(row.created_at), usegmt=True).encode()


async def _not_modified(send: Any, etag: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 304,
            "headers": [(b"etag", etag), (b"cache-control", _CACHE)],
        }
    )
    await send({"type": "http.response.body", "body": b""})


async def _unsatisfiable(send: Any, size: int) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 416,
            "headers": [(b"content-range", f"bytes */{size}".encode()), (b"content-length", b"0")],
        }
    )
    await send({"type": "http.response.body", "body": b""})


async def _redirect(send: Any, url: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 302,
            "headers": [
                (b"location", url.encode()),
                (b"content-length", b"0"),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b""})


async def _text(send: Any, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *MEDIA,
                *(extra or ()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
