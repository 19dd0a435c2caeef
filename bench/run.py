"""Run imghost's performance benchmarks, each side by side with its reference, and print a summary.

    python bench/run.py [--config embedded|scaleout|both] [--duration 5] [--only NAME[,NAME]]
                        [--rounds 3] [--samples 40]

See bench/README.md for what each benchmark measures and its target. Raw results go to bench/out/."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import platform
import sys
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_get
import delivery
import pages
import thumbnail
import upload
from common import (
    OUT_DIR,
    Context,
    CpuMeter,
    Imghost,
    install_signal_handlers,
    log,
    make_tmp,
    photo_12mp,
    rmtree,
    stop_all,
    wait_idle,
)

BENCHMARKS = {m.NAME: m for m in (delivery, api_get, upload, thumbnail, pages)}
CONFIGS = ("embedded", "scaleout")
OTHERS_LIMIT = 0.10  # share of all CPUs used by other work above which figures are flagged as disturbed


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--config",
        choices=(*CONFIGS, "both"),
        default="embedded",
        help="embedded: SQLite + local disk + in-process limits; scaleout: PostgreSQL + S3 + Redis",
    )
    p.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run (default 5)")
    p.add_argument("--only", default="", help=f"comma-separated subset of: {', '.join(BENCHMARKS)}")
    p.add_argument("--rounds", type=int, default=3, help="alternating imghost/reference rounds for wrk runs")
    p.add_argument("--samples", type=int, default=40, help="latency samples per side (upload, thumbnail)")
    p.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="before each benchmark, wait up to this long for other work on the machine to stop",
    )
    args = p.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        p.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    args.names = names
    args.configs = list(CONFIGS) if args.config == "both" else [args.config]
    return args


def machine() -> dict[str, Any]:
    import PIL
    import pyvips

    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "pillow": PIL.__version__,
        "libvips": f"{pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)}",
    }
    with contextlib.suppress(Exception):
        from importlib.metadata import version

        info["granian"] = version("granian")
        info["fastapi"] = version("fastapi")
    with contextlib.suppress(Exception):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    return info


def run_config(cfg: str, args: argparse.Namespace, tmp: Path, photo: Path, out: dict[str, Any]) -> None:
    """Run the selected benchmarks against one configuration, filling `out` as they finish."""
    log(f"\n=== config: {cfg} ===")
    with contextlib.ExitStack() as stack:
        extra_env: dict[str, str] = {}
        if cfg == "scaleout":
            from backends import scaleout_stack

            extra_env = stack.enter_context(scaleout_stack())
        workdir = tmp / cfg
        workdir.mkdir(parents=True, exist_ok=True)
        im = Imghost(workdir, extra_env)
        stack.callback(im.stop)
        im.start()
        client_id = im.create_client()
        log(f"    imghost serving on {im.url} (1 worker)")
        ctx = Context(
            config=cfg,
            imghost=im,
            client_id=client_id,
            duration=args.duration,
            rounds=args.rounds,
            samples=args.samples,
            tmp=workdir,
            photo12mp=photo,
        )
        for name in args.names:
            busy = wait_idle(args.wait_idle) if args.wait_idle > 0 else None
            note = ""
            if busy is not None:
                note = f", CPU busy before start: {busy:.0%}" + (" (busy machine)" if busy > 0.2 else "")
            log(f"--- [{cfg}] {name} (load average {os.getloadavg()[0]:.2f}{note})")
            t0 = time.monotonic()
            meter = CpuMeter()
            try:
                with meter:
                    out[name] = BENCHMARKS[name].run(ctx)
            except Exception as exc:
                traceback.print_exc()
                out[name] = {"name": name, "error": f"{type(exc).__name__}: {exc}", "results": {}}
            out[name]["seconds"] = round(time.monotonic() - t0, 1)
            if busy is not None:
                out[name]["cpu_busy_before"] = round(busy, 3)
            cpu = getattr(meter, "result", None)
            if cpu is not None:
                out[name]["cpu"] = cpu
                flag = "  <- figures disturbed by other work" if cpu["others"] > OTHERS_LIMIT else ""
                log(
                    f"    CPU during the benchmark: {cpu['ours']:.0%} this run, "
                    f"{cpu['others']:.0%} other work{flag}"
                )


def _num(x: float, unit: str) -> str:
    if isinstance(x, float) and math.isnan(x):
        return "-"
    return f"{x:,.0f} rps" if unit == "req/s" else f"{x:,.1f} ms"


def summary(report: dict[str, Any]) -> str:
    rows = [
        ("config", "benchmark", "metric", "imghost", "reference", "ratio", "target", "result", "other CPU")
    ]
    for cfg, benches in report["configs"].items():
        for name, bench in benches.items():
            if bench.get("error"):
                rows.append((cfg, name, "ERROR", "", "", "", "", bench["error"][:60], ""))
                continue
            others = bench.get("cpu", {}).get("others")
            other_txt = "-" if others is None else f"{others:.0%}" + ("!" if others > OTHERS_LIMIT else "")
            for res in bench["results"].values():
                rows.append(
                    (
                        cfg,
                        name,
                        res["metric"],
                        _num(res["imghost"], res["unit"]),
                        f"{_num(res['reference'], res['unit'])} ({res['reference_name']})",
                        f"{res['ratio']:.2f}",
                        res["target"],
                        "meets target" if res["meets_target"] else "below target",
                        other_txt,
                    )
                )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(
        f"(other CPU: share of both CPUs used by work outside this run during the benchmark; "
        f"'!' above {OTHERS_LIMIT:.0%} marks disturbed figures)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    install_signal_handlers()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now()
    report: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "args": {k: v for k, v in vars(args).items() if k not in ("names", "configs")},
        "benchmarks": args.names,
        "configs": {},
    }
    tmp = make_tmp("imghost-bench.")
    os.chmod(tmp, 0o755)
    t0 = time.monotonic()
    try:
        photo = photo_12mp(OUT_DIR / "cache")
        report["photo12mp"] = {"path": str(photo), "bytes": photo.stat().st_size}
        for cfg in args.configs:
            report["configs"][cfg] = {}
            run_config(cfg, args, tmp, photo, report["configs"][cfg])
    except KeyboardInterrupt:
        log("\ninterrupted: stopping every server started by this run")
        report["interrupted"] = True
    finally:
        stop_all()
        rmtree(tmp)
        report["seconds"] = round(time.monotonic() - t0, 1)
        path = OUT_DIR / f"results-{started:%Y%m%d-%H%M%S}.json"
        text = json.dumps(report, indent=2, default=str)
        path.write_text(text)
        (OUT_DIR / "latest.json").write_text(text)
    log(
        f"\n=== summary ({report['seconds']:.0f} s, {os.cpu_count()} CPUs, "
        f"wrk -t1 -c50 -d{args.duration:g}s, {args.rounds} rounds, {args.samples} latency samples) ==="
    )
    log(summary(report))
    log(f"\nraw results: {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return 130 if report.get("interrupted") else 0


if __name__ == "__main__":
    sys.exit(main())
