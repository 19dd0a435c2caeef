"""An album as a zip archive, written while it is sent: each original streams through in the store's
chunks, so a download of any size costs the server a chunk of memory, never a file.

Members are stored (images and videos are compressed already) with a data descriptor after each one,
since a CRC is only known once the bytes went by. Offsets past 4 GB get the zip64 records."""

from __future__ import annotations

import struct
import time
import zlib
from collections.abc import AsyncGenerator, Callable, Iterable
from dataclasses import dataclass

from imghost.errors import BlobNotFound, ImghostError

_FLAGS = 0x08 | 0x800  # sizes in a data descriptor; UTF-8 names
_MAX32 = 0xFFFFFFFF
_LIMIT = _MAX32  # sizes and offsets from here on need zip64 (a module value, so tests can lower it)


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    modified: int  # Unix time
    size: int  # what the member is expected to hold: above 4 GB it needs zip64 from its first header
    chunks: Callable[[], AsyncGenerator[bytes, None]]


@dataclass(slots=True)
class _Entry:
    name: bytes
    dos: tuple[int, int]
    offset: int
    zip64: bool
    crc: int = 0
    size: int = 0


def _dos(ts: int) -> tuple[int, int]:
    t = time.gmtime(max(ts, 315532800))  # the format starts in 1980
    return (
        t.tm_hour << 11 | t.tm_min << 5 | t.tm_sec // 2,
        (t.tm_year - 1980) << 9 | t.tm_mon << 5 | t.tm_mday,
    )


class ZipWriter:
    """The bytes of a stored zip, member by member: begin(), feed() the data, end(); finish() at the end."""

    def __init__(self) -> None:
        self.offset = 0
        self.entries: list[_Entry] = []
        self._open: _Entry | None = None

    def _out(self, data: bytes) -> bytes:
        self.offset += len(data)
        return data

    def begin(self, name: str, modified: int, size: int) -> bytes:
        entry = _Entry(name.encode(), _dos(modified), self.offset, zip64=size >= _LIMIT)
        self._open = entry
        extra = struct.pack("<HHQQ", 1, 16, 0, 0) if entry.zip64 else b""
        sizes = _MAX32 if entry.zip64 else 0
        head = struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            45 if entry.zip64 else 20,
            _FLAGS,
            0,
            *entry.dos,
            0,
            sizes,
            sizes,
            len(entry.name),
            len(extra),
        )
        return self._out(head + entry.name + extra)

    def feed(self, chunk: bytes) -> bytes:
        entry = self._open
        assert entry is not None
        entry.crc = zlib.crc32(chunk, entry.crc)
        entry.size += len(chunk)
        if entry.size >= _LIMIT and not entry.zip64:
            raise ImghostError("A file grew past 4 GB inside the archive")
        return self._out(chunk)

    def end(self) -> bytes:
        entry = self._open
        assert entry is not None
        self._open = None
        self.entries.append(entry)
        if entry.zip64:
            return self._out(struct.pack("<IIQQ", 0x08074B50, entry.crc, entry.size, entry.size))
        return self._out(struct.pack("<IIII", 0x08074B50, entry.crc, entry.size, entry.size))

    def finish(self) -> bytes:
        start = self.offset
        directory = b"".join(self._central(e) for e in self.entries)
        size, count = len(directory), len(self.entries)
        tail = b""
        if start >= _LIMIT or size >= _LIMIT or count >= 0xFFFF:
            end64 = start + size
            tail = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, size, start)
            tail += struct.pack("<IIQI", 0x07064B50, 0, end64, 1)
        tail += struct.pack(
            "<IHHHHIIH",
            0x06054B50,
            0,
            0,
            min(count, 0xFFFF),
            min(count, 0xFFFF),
            min(size, _MAX32),
            min(start, _MAX32),
            0,
        )
        return self._out(directory + tail)

    @staticmethod
    def _central(e: _Entry) -> bytes:
        big_size = e.zip64 or e.size >= _LIMIT
        big_offset = e.offset >= _LIMIT
        extra = b""
        if big_size or big_offset:
            values = [e.size, e.size] if big_size else []
            values += [e.offset] if big_offset else []
            extra = struct.pack(f"<HH{len(values)}Q", 1, 8 * len(values), *values)
        sizes = _MAX32 if big_size else e.size
        head = struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            45 if extra else 20,
            45 if extra else 20,
            _FLAGS,
            0,
            *e.dos,
            e.crc,
            sizes,
            sizes,
            len(e.name),
            len(extra),
            0,
            0,
            0,
            0,
            _MAX32 if big_offset else e.offset,
        )
        return head + e.name + extra


async def stream(members: Iterable[Member]) -> AsyncGenerator[bytes, None]:
    """The archive's bytes. A member whose file is missing is left out (found before its header goes)."""
    writer = ZipWriter()
    for member in members:
        source = member.chunks()
        try:
            try:
                first = await anext(source)
            except StopAsyncIteration:
                first = b""
            except BlobNotFound:
                continue
            yield writer.begin(member.name, member.modified, member.size)
            if first:
                yield writer.feed(first)
            async for chunk in source:
                yield writer.feed(chunk)
            yield writer.end()
        finally:
            await source.aclose()
    yield writer.finish()
