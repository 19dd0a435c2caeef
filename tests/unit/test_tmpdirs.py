"""Each process's own temporary directory, and the sweep of those whose process died."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from imghost.tmpdirs import ProcessTmp


def test_live_directories_are_left_alone(tmp_path: Path) -> None:
    a = ProcessTmp(tmp_path)
    (a.path / "upload-in-flight").write_bytes(b"x")
    b = ProcessTmp(tmp_path)  # another process starting up sweeps: a's directory is in use
    assert a.path != b.path
    assert (a.path / "upload-in-flight").read_bytes() == b"x"
    assert b.path.is_dir()
    a.close()
    assert not a.path.exists() and not a.lock.exists()
    assert b.path.is_dir()
    b.close()
    assert list(tmp_path.iterdir()) == []


def test_what_dead_processes_left_is_swept(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from imghost.tmpdirs import ProcessTmp
        t = ProcessTmp(Path({str(tmp_path)!r}))
        (t.path / "half-an-upload").write_bytes(b"x" * 1000)
        print(t.path)
        os._exit(0)  # dies without cleaning up, as a killed worker would
    """)
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    dead = Path(out.stdout.strip())
    assert (dead / "half-an-upload").exists()
    (tmp_path / "no-lock-dir").mkdir()  # a directory whose lock file is gone
    (tmp_path / "stray.upload").write_bytes(b"y")  # a flat file from an older version
    (tmp_path / "orphan.lock").write_bytes(b"")  # a lock file nobody holds, without its directory
    mine = ProcessTmp(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.path.name, mine.lock.name])
    mine.close()
