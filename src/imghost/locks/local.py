from __future__ import annotations

import asyncio
import errno
import fcntl
import hashlib
import os
import struct
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from imghost.errors import ServiceUnavailable
from imghost.locks.base import InProcessLocks

# struct flock as the kernel reads it: l_type, l_whence, l_start, l_len, l_pid (0 for OFD locks), padding.
_FLOCK = struct.Struct("@hhqqi4x")
_SLOTS = 1 << 24
_OFD_SETLK: int | None = getattr(fcntl, "F_OFD_SETLK", None)  # Linux only


def _ofd_lock(fd: int, kind: int, slot: int) -> None:
    """Takes (F_WRLCK) or releases (F_UNLCK) the one-byte OFD lock at `slot`, without waiting."""
    if _OFD_SETLK is None:  # only when OFD locks were asked for on a system without them
        raise OSError(errno.ENOTSUP, "open-file-description locks are not available on this system")
    fcntl.fcntl(fd, _OFD_SETLK, _FLOCK.pack(kind, os.SEEK_SET, slot, 1, 0))


class FileLocks:
    """Locks that hold across the processes of one host, kept in the data directory.

    Each name hashes to a one-byte range of a single lock file, locked as an open-file-description lock
    (Linux): one system call to take, one to release, on a file opened once. Per-name lock files cost a
    file creation the first time each name is seen, which on a busy disk is most of an upload's locking
    time. An OFD lock belongs to this process's open of the file, so two FileLocks in one process also
    exclude each other, as two processes do.

    In-process locks sit in front, keyed by the byte rather than the name: a range already held through
    this file would be granted again to its own holder, and queuing locally means one process never polls
    the file against itself. Without OFD locks (not Linux) each byte range becomes a whole-file flock() on
    one of 4096 files, opened for the hold: coarser, with the same guarantees."""

    def __init__(self, directory: Path, *, ofd: bool | None = None, slots: int = _SLOTS) -> None:
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self._local = InProcessLocks()
        self._ofd = _OFD_SETLK is not None if ofd is None else ofd
        self._slots = slots if self._ofd else min(slots, 4096)
        self._fd = os.open(self.dir / "ranges.lock", os.O_RDWR | os.O_CREAT, 0o600) if self._ofd else -1

    @asynccontextmanager
    async def hold(self, name: str, *, timeout: float = 30.0) -> AsyncIterator[None]:
        slot = self.slot_of(name)
        deadline = time.monotonic() + timeout
        async with self._local.hold(f"slot:{slot}", timeout):
            fd = (
                self._fd
                if self._ofd
                else os.open(self.dir / f"{slot:03x}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            )
            try:
                delay = 0.001
                while not self._try(fd, slot):
                    if time.monotonic() > deadline:
                        raise ServiceUnavailable() from None
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 0.05)
                try:
                    yield
                finally:
                    self._unlock(fd, slot)
            finally:
                if not self._ofd:
                    os.close(fd)

    def slot_of(self, name: str) -> int:
        """The byte (or, without OFD locks, the file) that stands for this name."""
        return int.from_bytes(hashlib.sha1(name.encode()).digest()[:4], "big") % self._slots

    def _try(self, fd: int, slot: int) -> bool:
        try:
            if self._ofd:
                _ofd_lock(fd, fcntl.F_WRLCK, slot)
            else:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except PermissionError:  # EACCES: some systems report a conflicting record lock this way
            return False
        return True

    def _unlock(self, fd: int, slot: int) -> None:
        if self._ofd:
            _ofd_lock(fd, fcntl.F_UNLCK, slot)
        else:
            fcntl.flock(fd, fcntl.LOCK_UN)

    async def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
