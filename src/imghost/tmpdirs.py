"""A temporary directory per process under the data directory's `tmp/`, and the sweep of dead ones.

Several processes share one data directory: the server's workers, and any `imghost` command an operator
runs beside them. Wiping all of `tmp/` at start, as a single process could, would pull in-flight uploads
from under the others. So each process owns `tmp/{id}/`, marked by an flock() held on `tmp/{id}.lock` for
as long as it lives; a process starting up removes the directories whose lock nobody holds any more
(their owner died mid-upload) and leaves the rest alone."""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import time
from pathlib import Path


class ProcessTmp:
    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        sweep(root)
        name = secrets.token_hex(8)
        # Locked before it is visible under the name sweepers look at, and before the directory exists:
        # a directory without its lock file can only belong to a dead process.
        claiming = root / f"{name}.claiming"
        self._fd = os.open(claiming, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.rename(claiming, root / f"{name}.lock")
        self.lock = root / f"{name}.lock"
        self.path = root / name
        self.path.mkdir()

    def close(self) -> None:
        if self._fd < 0:
            return
        shutil.rmtree(self.path, ignore_errors=True)
        self.lock.unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = -1


def sweep(root: Path) -> None:
    """Remove what dead processes left under root: their directories, lock files and stray files."""
    for entry in root.iterdir():
        if entry.suffix == ".lock":
            continue
        if entry.suffix == ".claiming":  # a process that died in the instant between creating and locking
            if time.time() - _mtime(entry) > 60 and not _owner_alive(entry):
                entry.unlink(missing_ok=True)
            continue
        if entry.is_dir():
            if not _owner_alive(root / f"{entry.name}.lock"):
                shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)  # flat leftovers of older versions
    for lock in root.glob("*.lock"):
        if not (root / lock.stem).exists() and not _owner_alive(lock):
            lock.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return time.time()


def _owner_alive(lock: Path) -> bool:
    try:
        fd = os.open(lock, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also releases the lock taken just now
    return False
