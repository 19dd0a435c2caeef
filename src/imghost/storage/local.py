from __future__ import annotations

import asyncio
import builtins
import os
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from imghost.errors import BlobNotFound
from imghost.ids import random_id
from imghost.storage.base import StoredObject

_CHUNK = 256 * 1024


class LocalStore:
    """Files under a root directory. Writes go to a temporary sibling, then os.replace (atomic on POSIX)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._tmp = self.root / ".tmp"
        self._tmp.mkdir(exist_ok=True)

    def _path(self, key: str) -> Path:
        if not key or key.startswith("/") or ".." in key.split("/"):
            raise ValueError(f"bad storage key {key!r}")
        return self.root / key

    def _tmp_path(self) -> Path:
        return self._tmp / random_id(16)

    def _put_file(self, key: str, path: Path) -> None:
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._tmp_path()
        try:
            # A hard link is instant when the upload's temp file sits on the same filesystem.
            os.link(path, tmp)
        except OSError:
            shutil.copyfile(path, tmp)
        os.replace(tmp, dest)

    def _link_file(self, key: str, path: Path) -> bool:
        """Give the file its stored name by a hard link; False when that cannot be done (another filesystem).

        The usual case, a key not stored yet, is one link() straight to its name: readers never see a
        partial file, because a link names a file that is already complete. Replacing an existing key goes
        through a temporary name and rename(), which is atomic."""
        dest = self._path(key)
        try:
            _into_place(os.link, path, dest)
            return True
        except FileExistsError:
            pass
        except OSError:
            return False
        tmp = self._tmp_path()
        os.link(path, tmp)
        os.replace(tmp, dest)
        return True

    def _move_file(self, key: str, path: Path) -> bool:
        """rename() the file into place (atomic, replacing any older object); False when it cannot be."""
        try:
            _into_place(os.rename, path, self._path(key))
            return True
        except OSError:  # another filesystem, say: the link and copy paths decide
            return False

    async def put_file(self, key: str, path: Path, content_type: str, *, move: bool = False) -> None:
        # A metadata call or two on a local disk takes less time than a hop to a worker thread, so the
        # common case (the upload's temp file on the same filesystem) stays on the loop; a copy does not.
        # A moved file leaves nothing behind: no second name to remove after the answer.
        if move and self._move_file(key, path):
            return
        if not self._link_file(key, path):
            await asyncio.to_thread(self._put_file, key, path)

    def _put_bytes(self, key: str, data: bytes) -> None:
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._tmp_path()
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, dest)

    async def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._put_bytes, key, data)

    def _create_bytes(self, key: str, data: bytes) -> bool:
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._tmp_path()
        with open(tmp, "wb") as f:
            f.write(data)
        try:
            # link() fails if dest exists: a conditional create without a lock.
            os.link(tmp, dest)
            return True
        except FileExistsError:
            return False
        finally:
            os.unlink(tmp)

    async def create_bytes(self, key: str, data: bytes, content_type: str) -> bool:
        return await asyncio.to_thread(self._create_bytes, key, data)

    def _read(self, key: str, start: int = 0, end: int | None = None) -> bytes:
        try:
            with open(self._path(key), "rb") as f:
                if start:
                    f.seek(start)
                return f.read() if end is None else f.read(max(0, end - start))
        except FileNotFoundError:
            raise BlobNotFound() from None

    async def get_bytes(self, key: str) -> bytes:
        return await asyncio.to_thread(self._read, key)

    async def get_range(self, key: str, start: int, end: int) -> bytes:
        return await asyncio.to_thread(self._read, key, start, end)

    async def stream(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        try:
            f = await asyncio.to_thread(open, self._path(key), "rb")
        except FileNotFoundError:
            raise BlobNotFound() from None
        try:
            await asyncio.to_thread(f.seek, start)
            remaining = None if end is None else end - start
            while remaining is None or remaining > 0:
                n = _CHUNK if remaining is None else min(_CHUNK, remaining)
                chunk = await asyncio.to_thread(f.read, n)
                if not chunk:
                    break
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk
        finally:
            f.close()

    async def list(self, prefix: str) -> AsyncIterator[StoredObject]:
        top = self._path(prefix.rstrip("/"))
        # One directory (a shard of a few thousand files at most) per hop to a thread.
        dirs = [top]
        while dirs:
            here = dirs.pop()
            found, subdirs = await asyncio.to_thread(self._scan, here)
            dirs.extend(subdirs)
            for item in found:
                yield item

    # builtins.list: in the class body, a bare `list` names the method above.
    def _scan(self, directory: Path) -> tuple[builtins.list[StoredObject], builtins.list[Path]]:
        found: list[StoredObject] = []
        subdirs: list[Path] = []
        try:
            entries = list(os.scandir(directory))
        except FileNotFoundError:
            return found, subdirs
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    subdirs.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    key = Path(entry.path).relative_to(self.root).as_posix()
                    found.append(StoredObject(key, st.st_size, st.st_mtime))
            except FileNotFoundError:  # removed while we looked
                continue
        return found, subdirs

    async def size(self, key: str) -> int | None:
        try:
            return os.stat(self._path(key)).st_size
        except FileNotFoundError:
            return None

    async def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    async def delete(self, key: str) -> None:
        try:
            os.unlink(self._path(key))
        except FileNotFoundError:
            pass

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    async def presigned_url(self, key: str, expires: int = 3600) -> str | None:
        return None

    async def close(self) -> None:
        return None


def _into_place(op: Callable[[Path, Path], None], path: Path, dest: Path) -> None:
    """op(path, dest), creating dest's directory when it is the first file under that prefix."""
    try:
        op(path, dest)
    except FileNotFoundError:  # no directory yet (or no such file: then op fails again)
        dest.parent.mkdir(parents=True, exist_ok=True)
        op(path, dest)
