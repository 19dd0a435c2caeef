"""`imghost gc`: stored files that no blob row claims are removed once old enough; everything else stays."""

from __future__ import annotations

import os
import re
import sqlite3
import time
from pathlib import Path

from tests.cli.test_cli import imghost, no_traceback


def _put(media: Path, key: str, data: bytes, age: float) -> Path:
    path = media / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def _report(out: str) -> tuple[int, int, int]:
    m = re.search(
        r"checked (\d+) stored objects; (?:would remove|removed) (\d+) that no image uses \((\d+) bytes\)",
        out,
    )
    assert m is not None, out
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def test_gc_removes_only_old_unclaimed_files(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert imghost("db", "upgrade", data_dir=data).returncode == 0
    db = sqlite3.connect(data / "imghost.db")
    with db:
        db.execute("INSERT INTO blobs (id, fingerprint, size, refcount) VALUES ('keep0123456789', 'f', 5, 1)")
    db.close()
    media = data / "media"
    day = 86400.0
    kept = [
        _put(media, "o/ke/keep0123456789", b"keep!", day),
        _put(media, "t/ke/keep0123456789/m.jpg", b"thumb", day),
        _put(media, "o/yo/young0123456789", b"young", 10),
    ]  # an upload about to commit its row
    orphans = [
        _put(media, "o/or/orphan0123456789", b"a" * 100, day),
        _put(media, "v/or/orphan0123456789.mp4", b"b" * 20, day),
        _put(media, "t/or/orphan0123456789/s.jpg", b"c" * 3, day),
    ]

    dry = imghost("gc", "--dry-run", data_dir=data)
    no_traceback(dry)
    assert dry.returncode == 0
    assert _report(dry.stdout) == (6, 3, 123)
    assert all(p.exists() for p in kept + orphans)

    real = imghost("gc", data_dir=data)
    assert real.returncode == 0
    assert _report(real.stdout) == (6, 3, 123)
    assert all(p.exists() for p in kept)
    assert not any(p.exists() for p in orphans)

    assert _report(imghost("gc", "--grace", "0", data_dir=data).stdout) == (3, 1, 5)
    assert not kept[2].exists() and kept[0].exists() and kept[1].exists()
