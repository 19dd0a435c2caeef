"""bench/conversations.py, short: the benchmark seeds a large and a small inbox, measures the conversation
list, a conversation page and the notification lists against GET /3/image/{id} on both servers and
reports its figures (no speed is asserted: they are for the note)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 2
ROUTES = ("conversations", "conversation", "notification", "notification new=false")


def test_conversations_benchmark_short_run(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "conversations.py"),
            "--conversations",
            "200",
            "--notifications",
            "2000",
            "--small",
            "10",
            "--long-messages",
            "40",
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
    seeded = report["seeded"]
    assert seeded["large"]["rows"]["conversations"] == 200 and seeded["small"]["rows"]["conversations"] == 20
    assert (
        seeded["large"]["rows"]["notifications"] == 2000 and seeded["small"]["rows"]["notifications"] == 200
    )
    phase = report["phases"]["routes"]
    assert "error" not in phase, phase
    skipped = phase["skipped_routes"]
    measured = []
    for name in ("large", "small"):
        runs = phase["runs"][f"{name} image"]
        assert len(runs) == ROUNDS and all(r["rps"] > 0 and r["non_2xx"] == 0 for r in runs), runs
        for route in ROUTES:
            key = f"{name} {route}"
            if key in skipped:  # only a route the server does not have yet
                assert route.startswith("notification") and "HTTP 404" in skipped[key]
                continue
            measured.append(route)
            runs = phase["runs"][key]
            assert len(runs) == ROUNDS and all(r["rps"] > 0 and r["non_2xx"] == 0 for r in runs), runs
            res = phase["results"][f"rate {key}"]
            assert res["ratio"] == res["imghost"] / res["reference"]
            assert f"ratio {res['ratio']:.2f}" in proc.stdout
    assert {"conversations", "conversation"} <= set(measured)
    for route in set(measured):
        res = phase["results"][f"scale {route}"]
        assert res["ratio"] == res["imghost"] / res["reference"]
    verdicts = proc.stdout.count("meets target") + proc.stdout.count("below target")
    # One line as measured and one in the summary, for each rate and each scale comparison.
    assert verdicts == 2 * (len(measured) + len(set(measured))), proc.stdout[-3000:]
    for note in skipped.values():
        assert note in proc.stdout
