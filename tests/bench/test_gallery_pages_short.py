"""bench/gallery_pages.py, short: the benchmark seeds a small gallery, comments on a post, measures both
pages against GET /3/image/{id} and reports its figures (no speed is asserted: they are for the note)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMENTS = 12
ROUNDS = 2


def test_gallery_pages_benchmark_short_run(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "gallery_pages.py"),
            "--posts",
            "150",
            "--comments",
            str(COMMENTS),
            "--duration",
            "1",
            "--rounds",
            str(ROUNDS),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(out.read_text())
    for key in ("api", "gallery", "post"):
        runs = report["runs"][key]
        assert len(runs) == ROUNDS
        assert all(r["rps"] > 0 and r["non_2xx"] == 0 for r in runs), runs
    for key in ("gallery", "post"):
        res = report[key]
        assert res["ratio"] == res["imghost"] / res["reference"]
        assert res["imghost"] == report["medians"][key] and res["reference"] == report["medians"]["api"]
        assert f"ratio {res['ratio']:.2f}" in proc.stdout
    assert f"GET /gallery/{{id}} ({COMMENTS} comments)" in proc.stdout
    assert proc.stdout.count("meets target") + proc.stdout.count("below target") == 2
