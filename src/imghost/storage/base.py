"""The blob store protocol. Keys are server-made ('o/ab/abcd…', 't/ab/abcd…/m.jpg'), never user paths."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import NamedTuple, Protocol, runtime_checkable


class StoredObject(NamedTuple):
    key: str
    size: int
    modified: float  # Unix time of the last write


@runtime_checkable
class BlobStore(Protocol):
    async def put_file(self, key: str, path: Path, content_type: str, *, move: bool = False) -> None:
        """Store a local file under key, atomically: readers see the old object or the new one.

        move: the caller is done with the file, so the store may take it over (rename it into place)
        instead of copying it. Afterwards the file at path may be gone or unchanged."""

    async def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        """Store bytes under key, atomically."""

    async def create_bytes(self, key: str, data: bytes, content_type: str) -> bool:
        """Store bytes only if key is absent; False when it already existed (made by someone else)."""

    async def get_bytes(self, key: str) -> bytes:
        """The whole object; BlobNotFound if missing."""

    async def get_range(self, key: str, start: int, end: int) -> bytes:
        """Bytes [start, end) of the object; BlobNotFound if missing."""

    def stream(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """Bytes [start, end) in chunks, without holding the object in memory."""

    def list(self, prefix: str) -> AsyncIterator[StoredObject]:
        """Every object whose key starts with prefix (a whole first segment: 'o/'), in no set order."""

    async def size(self, key: str) -> int | None:
        """Object size, or None if missing."""

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None:
        """Remove key; a missing key is not an error."""

    def local_path(self, key: str) -> Path | None:
        """A filesystem path the server may send directly, when the store is local."""

    async def presigned_url(self, key: str, expires: int = 3600) -> str | None:
        """A time-limited URL for direct download, when the store supports it."""

    async def close(self) -> None: ...
