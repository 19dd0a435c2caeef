"""Whether a stored object holds exactly the bytes of a local file, on any BlobStore."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from imghost.errors import BlobNotFound
from imghost.storage.base import BlobStore

_BLOCK = 1024 * 1024


async def same_content(store: BlobStore, key: str, path: Path) -> bool:
    local = store.local_path(key)
    if local is not None:
        return await asyncio.to_thread(_same_files, local, path)
    size = os.path.getsize(path)
    if await store.size(key) != size:
        return False
    try:
        with open(path, "rb") as f:
            async for chunk in store.stream(key):
                if f.read(len(chunk)) != chunk:
                    return False
            return f.read(1) == b""
    except BlobNotFound:
        return False


def _same_files(a: Path, b: Path) -> bool:
    try:
        with open(a, "rb") as fa, open(b, "rb") as fb:
            if os.path.sameopenfile(fa.fileno(), fb.fileno()):
                return True
            if os.fstat(fa.fileno()).st_size != os.fstat(fb.fileno()).st_size:
                return False
            while True:
                block = fa.read(_BLOCK)
                if block != fb.read(_BLOCK):
                    return False
                if not block:
                    return True
    except FileNotFoundError:
        return False
