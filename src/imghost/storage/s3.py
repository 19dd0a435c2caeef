"""Blobs in an S3-compatible bucket (AWS, SeaweedFS, MinIO, R2, …) through obstore.

Every backend failure surfaces as ServiceUnavailable; a missing object as BlobNotFound. A single S3 PUT is
atomic, so readers always see a whole old object or a whole new one.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar
from urllib.parse import quote, urlsplit

import httpx
import obstore
from obstore.exceptions import AlreadyExistsError, BaseError
from obstore.store import S3Store as _ObstoreS3

from imghost.errors import BlobNotFound, ServiceUnavailable
from imghost.storage.base import StoredObject

if TYPE_CHECKING:
    from obstore import GetOptions
    from obstore.store import ClientConfig, RetryConfig, S3Config

T = TypeVar("T")

_CHUNK = 256 * 1024
# S3 parts must be at least 5 MiB; a few in flight keep one upload's memory near 20 MiB.
_PART_SIZE = 5 * 1024 * 1024
_PART_CONCURRENCY = 4
_CONNECT_TIMEOUT = "5s"
_REQUEST_TIMEOUT = "60s"
# A download may legitimately take long (a slow client reading a video); stall detection covers it instead.
_STREAM_TIMEOUT = "12h"
_STREAM_READ_TIMEOUT = "60s"
# Connection refused fails in well under a second per try; this bounds a dead S3 to about 10 s in all.
_RETRY: RetryConfig = {
    "max_retries": 3,
    "retry_timeout": timedelta(seconds=10),
    "backoff": {"init_backoff": timedelta(milliseconds=100), "max_backoff": timedelta(seconds=2), "base": 2},
}


def _unavailable(exc: BaseException) -> NoReturn:
    raise ServiceUnavailable() from exc


def _range_not_satisfiable(exc: BaseException) -> bool:
    # obstore reports S3's 416 only as a GenericError text; it means the range starts at or past the end.
    return "416 Range Not Satisfiable" in str(exc)


class S3Store:
    """BlobStore on one bucket under an optional key prefix, addressed path-style (fits any S3 server)."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str,
        access_key: str,
        secret_key: str,
        region: str = "us-east-1",
    ) -> None:
        if not bucket:
            raise ValueError("S3 bucket name is empty")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url.rstrip("/")
        self.region = region or "us-east-1"
        self._access_key = access_key
        self._secret_key = secret_key
        config: S3Config = {"region": self.region, "virtual_hosted_style_request": False}
        if self.endpoint_url:
            config["endpoint"] = self.endpoint_url
        # Empty credentials mean: let obstore find them (environment, instance profile, …).
        if access_key:
            config["access_key_id"] = access_key
        if secret_key:
            config["secret_access_key"] = secret_key
        allow_http = self.endpoint_url.startswith("http://")
        client: ClientConfig = {
            "allow_http": allow_http,
            "connect_timeout": _CONNECT_TIMEOUT,
            "timeout": _REQUEST_TIMEOUT,
        }
        stream_client: ClientConfig = {
            "allow_http": allow_http,
            "connect_timeout": _CONNECT_TIMEOUT,
            "timeout": _STREAM_TIMEOUT,
            "read_timeout": _STREAM_READ_TIMEOUT,
        }
        prefix_or_none = self.prefix or None
        self._store = _ObstoreS3(
            bucket, prefix=prefix_or_none, config=config, client_options=client, retry_config=_RETRY
        )
        self._stream_store = _ObstoreS3(
            bucket, prefix=prefix_or_none, config=config, client_options=stream_client, retry_config=_RETRY
        )

    @classmethod
    def from_url(
        cls, storage_url: str, endpoint_url: str, access_key: str, secret_key: str, region: str = "us-east-1"
    ) -> S3Store:
        """Build from IMGHOST_STORAGE_URL, `s3://bucket` or `s3://bucket/prefix`."""
        parts = urlsplit(storage_url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError(f"storage URL must look like s3://bucket[/prefix], got {storage_url!r}")
        return cls(
            parts.netloc,
            parts.path.strip("/"),
            endpoint_url=endpoint_url,
            access_key=access_key,
            secret_key=secret_key,
            region=region,
        )

    @staticmethod
    def _check(key: str) -> str:
        if not key or key.startswith("/") or ".." in key.split("/"):
            raise ValueError(f"bad storage key {key!r}")
        return key

    async def _call(self, op: Awaitable[T]) -> T:
        try:
            return await op
        except FileNotFoundError:
            raise BlobNotFound() from None
        except (BaseError, OSError) as e:
            _unavailable(e)

    async def put_file(self, key: str, path: Path, content_type: str, *, move: bool = False) -> None:
        # obstore reads the file itself and switches to a multipart upload past one part, so a large
        # video is never held in memory; S3 makes the object visible only when the upload completes.
        await self._call(
            obstore.put_async(
                self._store,
                self._check(key),
                Path(path),
                attributes={"Content-Type": content_type},
                chunk_size=_PART_SIZE,
                max_concurrency=_PART_CONCURRENCY,
            )
        )

    async def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        await self._call(
            obstore.put_async(
                self._store,
                self._check(key),
                data,
                attributes={"Content-Type": content_type},
                use_multipart=False,
            )
        )

    async def create_bytes(self, key: str, data: bytes, content_type: str) -> bool:
        try:
            # If-None-Match: * on the PUT; the server decides, so racing processes cannot both win.
            await self._call(
                obstore.put_async(
                    self._store,
                    self._check(key),
                    data,
                    attributes={"Content-Type": content_type},
                    mode="create",
                )
            )
        except ServiceUnavailable as e:
            if isinstance(e.__cause__, AlreadyExistsError):
                return False
            raise
        return True

    async def get_bytes(self, key: str) -> bytes:
        async def read() -> bytes:
            result = await obstore.get_async(self._store, self._check(key))
            return bytes(await result.bytes_async())

        return await self._call(read())

    async def get_range(self, key: str, start: int, end: int) -> bytes:
        self._check(key)
        if start < 0 or end < start:
            raise ValueError(f"bad range [{start}, {end})")
        if end == start:
            # S3 has no empty range; still report a missing object like the other stores do.
            if await self.size(key) is None:
                raise BlobNotFound()
            return b""
        try:
            return bytes(await self._call(obstore.get_range_async(self._store, key, start=start, end=end)))
        except ServiceUnavailable as e:
            if e.__cause__ is not None and _range_not_satisfiable(e.__cause__):
                return b""
            raise

    async def stream(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        self._check(key)
        if start < 0 or (end is not None and end < start):
            raise ValueError(f"bad range [{start}, {end})")
        if end == start:
            if await self.size(key) is None:
                raise BlobNotFound()
            return
        options: GetOptions = {}
        if end is not None:
            options["range"] = (start, end)
        elif start:
            options["range"] = {"offset": start}
        try:
            result = await self._call(obstore.get_async(self._stream_store, key, options=options or None))
        except ServiceUnavailable as e:
            if e.__cause__ is not None and _range_not_satisfiable(e.__cause__):
                return
            raise
        chunks = result.stream(min_chunk_size=_CHUNK)
        while True:
            try:
                chunk = await chunks.__anext__()
            except StopAsyncIteration:
                return
            except (BaseError, OSError) as e:
                # The connection broke mid-body; the caller has sent part of a response and must abort.
                _unavailable(e)
            yield bytes(chunk)

    async def list(self, prefix: str) -> AsyncIterator[StoredObject]:
        stream = obstore.list(self._store, prefix=self._check(prefix.rstrip("/")), chunk_size=1000)
        while True:
            try:
                batch = await self._call(stream.__anext__())
            except StopAsyncIteration:
                return
            for meta in batch:
                yield StoredObject(meta["path"], int(meta["size"]), meta["last_modified"].timestamp())

    async def size(self, key: str) -> int | None:
        try:
            meta = await self._call(obstore.head_async(self._store, self._check(key)))
        except BlobNotFound:
            return None
        return int(meta["size"])

    async def exists(self, key: str) -> bool:
        return await self.size(key) is not None

    async def delete(self, key: str) -> None:
        try:
            # S3 DELETE of a missing key already succeeds; some servers answer 404 instead.
            await self._call(obstore.delete_async(self._store, self._check(key)))
        except BlobNotFound:
            pass

    def local_path(self, key: str) -> Path | None:
        return None

    async def presigned_url(self, key: str, expires: int = 3600) -> str | None:
        try:
            # Signing is local computation; it only fails on a misconfigured store.
            return await obstore.sign_async(self._store, "GET", self._check(key), timedelta(seconds=expires))
        except (BaseError, OSError) as e:
            _unavailable(e)

    async def close(self) -> None:
        return None

    async def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist yet (obstore cannot create buckets).

        Lets `imghost serve` start against a fresh SeaweedFS or MinIO; on AWS the operator usually
        creates the bucket, and then the HEAD below finds it and nothing is written."""
        endpoint = self.endpoint_url or f"https://s3.{self.region}.amazonaws.com"
        url = f"{endpoint}/{quote(self.bucket, safe='')}"
        body = b""
        if self.region not in ("us-east-1", "auto"):
            body = (
                '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                f"<LocationConstraint>{self.region}</LocationConstraint></CreateBucketConfiguration>"
            ).encode()
        timeout = httpx.Timeout(60.0, connect=5.0)
        try:
            async with httpx.AsyncClient(timeout=timeout) as client:
                head = await client.head(url, headers=self._sign("HEAD", url, b""))
                if head.status_code == 200:
                    return
                put = await client.put(url, content=body, headers=self._sign("PUT", url, body))
        except httpx.HTTPError as e:
            _unavailable(e)
        if put.status_code == 200 or (put.status_code == 409 and b"BucketAlreadyOwnedByYou" in put.content):
            return
        _unavailable(
            RuntimeError(
                f"creating bucket {self.bucket!r} at {endpoint}: HTTP {put.status_code} {put.text[:500]}"
            )
        )

    def _sign(self, method: str, url: str, body: bytes, now: datetime | None = None) -> dict[str, str]:
        """AWS Signature Version 4 headers for a request without a query string."""
        return sigv4_headers(
            method,
            url,
            body,
            region=self.region,
            access_key=self._access_key,
            secret_key=self._secret_key,
            now=now,
        )


def sigv4_headers(
    method: str,
    url: str,
    body: bytes,
    *,
    region: str,
    access_key: str,
    secret_key: str,
    service: str = "s3",
    now: datetime | None = None,
) -> dict[str, str]:
    """Headers that authenticate one request with AWS SigV4 (no query string, no session token)."""
    parts = urlsplit(url)
    now = now or datetime.now(UTC)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    payload_hash = hashlib.sha256(body).hexdigest()
    headers = {"host": parts.netloc, "x-amz-content-sha256": payload_hash, "x-amz-date": amz_date}
    signed = ";".join(sorted(headers))
    canonical = "\n".join(
        [
            method,
            quote(parts.path or "/", safe="/-_.~"),
            "",
            "".join(f"{k}:{headers[k]}\n" for k in sorted(headers)),
            signed,
            payload_hash,
        ]
    )
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])

    def mac(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    k = mac(mac(mac(mac(f"AWS4{secret_key}".encode(), day), region), service), "aws4_request")
    signature = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    return {
        "Host": parts.netloc,
        "x-amz-content-sha256": payload_hash,
        "x-amz-date": amz_date,
        "Authorization": f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders={signed}, "
        f"Signature={signature}",
    }
