"""bench/import_links.py, short: the benchmark runs end to end and reports what it generated (no speed
is asserted; the figures themselves are for the closing note)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINKS = 40


def test_import_links_benchmark_short_run(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "import_links.py"),
            "--links",
            str(LINKS),
            "--parallel",
            "2",
            "--tmp",
            str(tmp_path / "work"),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(out.read_text())
    (rnd,) = report["rounds"]
    imported, uploaded = rnd["import"], rnd["upload"]
    assert imported["counts"]["imported"] == LINKS, imported["counts"]
    assert sum(imported["counts"].values()) == LINKS
    assert imported["same_id"] == LINKS
    assert imported["exit_code"] == 0
    assert imported["fetches"] == LINKS and imported["fetch_statuses"] == {"200": LINKS}
    assert uploaded["stored"] == uploaded["distinct_ids"] == LINKS
    assert imported["rate"] > 0 and uploaded["rate"] > 0
    result = report["result"]
    assert result["ratio"] == result["import_rate"] / result["upload_rate"]
    assert result["memory"]["peak"] > 0
    assert ("meets target" in proc.stdout) != ("below target" in proc.stdout)
    assert f"{LINKS} links, --parallel 2" in proc.stdout
    assert not list((tmp_path / "work").iterdir()), "the benchmark leaves its temp dir behind"
