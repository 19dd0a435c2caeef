"""import_links: `imghost import links` of N links from a local stand-in Imgur, against uploading the same
files through `POST /3/image`.

    python bench/import_links.py [--links 10000] [--parallel 4] [--config embedded|scaleout] [--rounds 1]

One imghost server (1 worker) per run. N distinct small JPEGs (400x300, ~26 KB, a photo-like base with a
random noise block pasted somewhere) are written to a temp dir once. Each round has two sides, in
alternating order (the import first in odd rounds, the upload loop first in even ones):

* import: the stand-in media host (tests/imports/standin.py, on loopback, in this process) serves the files
  under fresh 7-character ids; a text file links each id once, in three shapes (Markdown
  `https://i.imgur.com/{id}.jpg`, `https://imgur.com/{id}`, the thumbnail `//i.imgur.com/{id}m.jpg` after
  some BBCode): N links, N distinct images, each making the command fetch `/{id}.jpg`;
  `python -m imghost import links FILE --media-url STANDIN --allow-private --parallel P --json` runs with
  the server's environment. Rate: N / the command's wall time (start-up included). Its resident set is
  read from /proc every 0.5 s.
* upload: P threads, one keep-alive connection each, send the same files as multipart `POST /3/image`
  (field `image`, an anonymous Client-ID) to the server until all N are stored. Rate: N / wall time.

Every side gets its own byte variant of the files (common.vary_jpeg: a unique APP0 segment), so nothing is
deduplicated against an earlier side. Target: import rate >= 0.8x the upload rate, and memory flat: the
import's resident set at the end at most 64 MB above its size at 10 % of the images. No failing exit code
on speed; raw figures go to bench/out/import_links-*.json."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import random
import resource
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from common import (
    OUT_DIR,
    ROOT,
    CpuMeter,
    Imghost,
    install_signal_handlers,
    log,
    make_tmp,
    median,
    multipart,
    photo_jpeg,
    rmtree,
    stop_all,
    vary_jpeg,
    verdict,
)

sys.path.insert(0, str(ROOT))
from tests.imports.standin import StandIn, _handler
from tests.live import http_thread

MIN_RATIO = 0.8
TARGET = ">= 0.8x upload loop"
FLAT_LIMIT = 64 * 1024 * 1024
SAMPLE_EVERY = 0.5
OTHERS_LIMIT = 0.10
MB = 1024 * 1024
ID_CHARS = string.ascii_letters + string.digits


# --------------------------------------------------------------------------------------------- inputs


def make_images(folder: Path, n: int, seed: str = "import-links") -> list[Path]:
    """n distinct ~26 KB JPEGs: one photo-like base, each with its own noise block, each encoded anew."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    base = Image.open(io.BytesIO(photo_jpeg(400, 300, 90, seed))).convert("RGB")
    paths = []
    for i in range(n):
        img = base.copy()
        block = Image.frombytes("RGB", (24, 24), rng.randbytes(24 * 24 * 3))
        img.paste(block, (rng.randrange(400 - 24), rng.randrange(300 - 24)))
        path = folder / f"{i:06d}.jpg"
        img.save(path, "JPEG", quality=85)
        paths.append(path)
    return paths


def fresh_ids(n: int, rng: random.Random, taken: set[str]) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        ident = "".join(rng.choices(ID_CHARS, k=7))
        if ident not in taken:
            taken.add(ident)
            out.append(ident)
    return out


def links_text(ids: list[str]) -> str:
    """One link per id, in three shapes, with some prose between them."""
    lines = ["# Notes moved from an old wiki", ""]
    for i, ident in enumerate(ids):
        shape = i % 3
        if shape == 0:
            lines.append(f"![photo {i}](https://i.imgur.com/{ident}.jpg)")
        elif shape == 1:
            lines.append(f"See [this one](https://imgur.com/{ident}) for item {i}.")
        else:
            lines.append(f"[b]thumbnail:[/b] ![thumb {i}](//i.imgur.com/{ident}m.jpg)")
        if i % 10 == 9:
            lines.append("")
    return "\n".join(lines) + "\n"


class Served:
    """What the stand-in serves: id -> the variant (this side's token) of a file on disk, read per request."""

    def __init__(self, paths: dict[str, Path], token: str) -> None:
        self.paths = paths
        self.token = token

    def __contains__(self, ident: object) -> bool:
        return ident in self.paths

    def __getitem__(self, ident: str) -> tuple[bytes, str]:
        return vary_jpeg(self.paths[ident].read_bytes(), self.token), "image/jpeg"


@contextlib.contextmanager
def media_host() -> Iterator[StandIn]:
    """tests.imports.standin.media_host with TCP_NODELAY on its connections. http.server writes the
    headers and the body of an answer separately; with Nagle's algorithm on, the body then waits for the
    client's delayed ACK of the headers, about 40 ms per fetch on loopback: the stand-in, not the import,
    would set the pace."""
    standin = StandIn()
    handler = _handler(standin)
    if not handler.disable_nagle_algorithm:
        handler = type("Handler", (handler,), {"disable_nagle_algorithm": True})
    with http_thread(handler, "standin-media") as url:
        standin.url = url
        yield standin


# --------------------------------------------------------------------------------------------- /proc


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            out.extend(int(c) for c in (task / "children").read_text().split())
    except OSError:
        pass
    return out


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(_children(p))
    return out


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM in bytes (empty when the process is gone)."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) * 1024
    except (OSError, ValueError):
        return {}
    return out


def cpu_seconds(pid: int) -> float:
    """utime + stime of pid and its reaped children."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return float("nan")
    fields = stat[stat.rfind(")") + 2 :].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Sample:
    t: float  # seconds since the command started
    fetched: int  # stand-in requests answered so far
    rss: int  # the import process
    tree_rss: int  # it and its descendants
    hwm: int
    cpu: float


# --------------------------------------------------------------------------------------------- sides


def run_import(
    im: Imghost, standin: StandIn, ids: list[str], paths: list[Path], token: str, parallel: int, tmp: Path
) -> dict[str, Any]:
    n = len(ids)
    standin.files = Served(dict(zip(ids, paths, strict=True)), token)  # type: ignore[assignment]
    with standin.lock:
        standin.hits.clear()
    links = tmp / f"links-{token}.md"
    links.write_text(links_text(ids))
    state = tmp / f"links-{token}.state"
    progress_log = tmp / f"import-{token}.log"
    cmd = [
        sys.executable,
        "-m",
        "imghost",
        "import",
        "links",
        str(links),
        "--media-url",
        standin.url,
        "--allow-private",
        "--parallel",
        str(parallel),
        "--json",
        "--state",
        str(state),
    ]
    samples: list[Sample] = []
    own0, kids0 = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    with open(progress_log, "wb") as err:
        t0, m0 = time.perf_counter(), time.monotonic()
        proc = subprocess.Popen(cmd, env=im.env, cwd=im.workdir, stdout=subprocess.PIPE, stderr=err)
        out: list[bytes] = []
        reader = threading.Thread(target=lambda: out.append(proc.stdout.read() if proc.stdout else b""))
        reader.start()
        try:
            while proc.poll() is None:
                st = _status(proc.pid)
                if st.get("VmRSS"):  # 0 between fork and exec
                    tree = sum(_status(p).get("VmRSS", 0) for p in _tree(proc.pid))
                    with standin.lock:
                        fetched = len(standin.hits)
                    cpu = cpu_seconds(proc.pid)
                    samples.append(
                        Sample(time.perf_counter() - t0, fetched, st["VmRSS"], tree, st["VmHWM"], cpu)
                    )
                time.sleep(SAMPLE_EVERY)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        wall = time.perf_counter() - t0
        reader.join(30)
    own, kids = _cpu(resource.RUSAGE_SELF) - own0, _cpu(resource.RUSAGE_CHILDREN) - kids0
    with standin.lock:
        first_hit = min((h.at for h in standin.hits), default=float("nan"))
        statuses: dict[int, int] = {}
        for h in standin.hits:
            statuses[h.status] = statuses.get(h.status, 0) + 1
    startup = first_hit - m0  # start-up: until the first fetch
    text = b"".join(out).decode(errors="replace")
    try:
        report = json.loads(text)
    except ValueError:
        tail = progress_log.read_text(errors="replace")[-3000:]
        raise RuntimeError(
            f"import links exited {proc.returncode} without a JSON report:\n{text[-2000:]}\n{tail}"
        ) from None
    counts = report.get("counts", {})
    items = [e for e in report.get("items", []) if isinstance(e, dict)]
    if report.get("links_found") != n:
        log(f"    !! the command found {report.get('links_found')} links in the text, not {n}")
    if counts.get("imported") != n:
        log(f"    !! import counts {counts} (expected {n} imported); failures: {_failures(report)}")
    res = {
        "images": n,
        "seconds": wall,
        "rate": n / wall,
        "exit_code": proc.returncode,
        "counts": counts,
        "startup_seconds": startup,
        "fetches": sum(statuses.values()),
        "fetch_statuses": statuses,
        "cpu_seconds": kids,  # the command and its children, as the kernel counted them when reaped
        "bench_cpu_seconds": own,  # this process meanwhile: the stand-in serving the files
        "memory": memory(samples, n),
        "same_id": sum(1 for e in items if e.get("local_id") == e.get("source_id")),
        "report_extra": {k: v for k, v in report.items() if k not in ("counts", "items", "notes", "renamed")},
        "samples": [s.__dict__ for s in samples],
    }
    mem = res["memory"]
    log(
        f"    import: {n} links in {wall:.1f} s = {res['rate']:.1f} images/s "
        f"(start-up {startup:.1f} s; CPU: command {kids:.1f} s, stand-in {own:.1f} s), counts {counts}, "
        f"{res['same_id']} kept their id; "
        f"RSS at 10 % {_mb(mem['early'])}, end {_mb(mem['end'])}, peak {_mb(mem['peak'])} "
        f"(growth {_mb(mem['growth'])})"
    )
    return res


def _failures(report: dict[str, Any]) -> list[Any]:
    return [e for e in report.get("items", []) if isinstance(e, dict) and e.get("outcome") == "failed"][:5]


def memory(samples: list[Sample], n: int) -> dict[str, Any]:
    """The resident set when 10 % of the images had been fetched, at the last sample, and at its peak."""
    if not samples:
        return {"early": 0, "end": 0, "peak": 0, "growth": 0, "flat": False}
    early = next((s for s in samples if s.fetched >= n / 10), samples[0])
    end = samples[-1]
    growth = end.rss - early.rss
    return {
        "early": early.rss,
        "early_at_seconds": round(early.t, 1),
        "end": end.rss,
        "end_at_seconds": round(end.t, 1),
        "peak": max(max(s.hwm for s in samples), max(s.rss for s in samples)),
        "tree_peak": max(s.tree_rss for s in samples),
        "growth": growth,
        "flat": growth < FLAT_LIMIT,
    }


def run_upload(im: Imghost, client_id: str, paths: list[Path], token: str, parallel: int) -> dict[str, Any]:
    n = len(paths)
    todo: Iterator[Path] = iter(paths)
    lock = threading.Lock()
    ids: list[str] = []
    errors: list[str] = []
    url = f"{im.url}/3/image"

    def worker() -> None:
        with httpx.Client(timeout=120) as http:
            while True:
                with lock:
                    path = next(todo, None)
                if path is None or errors:
                    return
                body, ctype = multipart(vary_jpeg(path.read_bytes(), token), path.name)
                r = http.post(
                    url,
                    content=body,
                    headers={"Authorization": f"Client-ID {client_id}", "Content-Type": ctype},
                )
                if r.status_code != 200:
                    errors.append(f"HTTP {r.status_code} {r.text[:300]}")
                    return
                ident = r.json()["data"]["id"]
                with lock:
                    ids.append(ident)

    assert im.proc is not None
    cpu0 = sum(cpu_seconds(p) for p in _tree(im.proc.pid))
    own0 = _cpu(resource.RUSAGE_SELF)
    threads = [threading.Thread(target=worker, name=f"upload-{i}") for i in range(parallel)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    cpu = sum(cpu_seconds(p) for p in _tree(im.proc.pid)) - cpu0
    own = _cpu(resource.RUSAGE_SELF) - own0
    if errors:
        raise RuntimeError(f"POST /3/image failed: {errors[0]}")
    res = {
        "images": n,
        "seconds": wall,
        "rate": n / wall,
        "stored": len(ids),
        "distinct_ids": len(set(ids)),
        "server_cpu_seconds": cpu,
        "bench_cpu_seconds": own,  # this process meanwhile: the uploading threads
    }
    log(
        f"    upload: {n} files in {wall:.1f} s = {res['rate']:.1f} images/s "
        f"(CPU: server {cpu:.1f} s, uploaders {own:.1f} s), {len(set(ids))} distinct ids"
    )
    return res


# --------------------------------------------------------------------------------------------- run


def _mb(b: float) -> str:
    return f"{b / MB:.0f} MB"


def summary(report: dict[str, Any]) -> str:
    res = report["result"]
    mem = res["memory"]
    rows = [
        ("config", "metric", "import", "upload loop", "ratio", "target", "result", "other CPU"),
        (
            report["config"],
            f"{report['links']} links, --parallel {report['parallel']}",
            f"{res['import_rate']:.1f} img/s",
            f"{res['upload_rate']:.1f} img/s",
            f"{res['ratio']:.2f}",
            TARGET,
            verdict(res["meets_target"]),
            res["other_cpu"],
        ),
        (
            report["config"],
            "import RSS (10 % -> end, peak)",
            f"{_mb(mem['early'])} -> {_mb(mem['end'])}",
            "",
            "",
            f"growth < {FLAT_LIMIT // MB} MB",
            "flat" if res["memory_flat"] else "grows",
            "",
        ),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"(import RSS peak {_mb(mem['peak'])}; growth = end - at 10 % of the images)")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--links", type=int, default=10_000, help="links (distinct images) per side (default 10000)"
    )
    p.add_argument(
        "--parallel", type=int, default=4, help="import --parallel, and upload threads (default 4)"
    )
    p.add_argument("--config", choices=("embedded", "scaleout"), default="embedded")
    p.add_argument("--rounds", type=int, default=1, help="alternating import/upload rounds (default 1)")
    p.add_argument(
        "--tmp",
        type=Path,
        default=None,
        help="where the server's data, the files and the links go (default: the system's temp dir)",
    )
    p.add_argument(
        "--out", type=Path, default=None, help="raw results file (default bench/out/import_links-*.json)"
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    install_signal_handlers()
    started = dt.datetime.now()
    out_path = args.out or OUT_DIR / f"import_links-{started:%Y%m%d-%H%M%S}.json"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "config": args.config,
        "links": args.links,
        "parallel": args.parallel,
        "rounds": [],
        "cpus": os.cpu_count(),
    }
    if args.tmp:
        args.tmp.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix="imghost-import-links.", dir=args.tmp))
    else:
        tmp = make_tmp("imghost-import-links.")
    t_start = time.monotonic()
    try:
        t0 = time.monotonic()
        paths = make_images(tmp / "images", args.links)
        size = sum(p.stat().st_size for p in paths)
        report["file_bytes_mean"] = size / len(paths)
        log(
            f"    {len(paths)} distinct JPEGs, {size / len(paths) / 1000:.1f} KB each on average, "
            f"made in {time.monotonic() - t0:.1f} s"
        )
        with contextlib.ExitStack() as stack:
            extra_env: dict[str, str] = {}
            if args.config == "scaleout":
                from backends import scaleout_stack

                extra_env = stack.enter_context(scaleout_stack())
            workdir = tmp / args.config
            workdir.mkdir()
            im = Imghost(workdir, extra_env)
            stack.callback(im.stop)
            im.start()
            client_id = im.create_client()
            with httpx.Client(timeout=60) as http:  # the server's first uploads load what it loads lazily
                for i in range(3):
                    body, ctype = multipart(
                        vary_jpeg(paths[i % len(paths)].read_bytes(), f"warmup{i}"), "w.jpg"
                    )
                    http.post(
                        f"{im.url}/3/image",
                        content=body,
                        headers={"Authorization": f"Client-ID {client_id}", "Content-Type": ctype},
                    ).raise_for_status()
            log(f"    imghost serving on {im.url} (1 worker, {args.config})")
            standin = stack.enter_context(media_host())
            rng = random.Random()
            taken: set[str] = set()
            meter = CpuMeter()
            with meter:
                for rnd in range(1, args.rounds + 1):
                    sides = ["import", "upload"] if rnd % 2 == 1 else ["upload", "import"]
                    log(f"--- round {rnd}: {' then '.join(sides)}")
                    result: dict[str, Any] = {}
                    for side in sides:
                        token = f"r{rnd}{side}{rng.getrandbits(32):08x}"
                        if side == "import":
                            ids = fresh_ids(len(paths), rng, taken)
                            result[side] = run_import(im, standin, ids, paths, token, args.parallel, tmp)
                        else:
                            result[side] = run_upload(im, client_id, paths, token, args.parallel)
                    report["rounds"].append(result)
            report["cpu"] = meter.result
    except KeyboardInterrupt:
        log("\ninterrupted")
        report["interrupted"] = True
    finally:
        stop_all()
        rmtree(tmp)
        report["seconds"] = round(time.monotonic() - t_start, 1)
        if report["rounds"]:
            imp = [r["import"] for r in report["rounds"] if "import" in r]
            up = [r["upload"] for r in report["rounds"] if "upload" in r]
            ir, ur = median([r["rate"] for r in imp]), median([r["rate"] for r in up])
            ratio = ir / ur if ur else float("nan")
            others = report.get("cpu", {}).get("others")
            last_mem = (
                imp[-1]["memory"] if imp else {"early": 0, "end": 0, "peak": 0, "growth": 0, "flat": False}
            )
            report["result"] = {
                "import_rate": ir,
                "upload_rate": ur,
                "ratio": ratio,
                "target": TARGET,
                "meets_target": ratio >= MIN_RATIO,
                "memory": last_mem,
                "memory_flat": all(r["memory"]["flat"] for r in imp),
                "other_cpu": "-"
                if others is None
                else f"{others:.0%}" + ("!" if others > OTHERS_LIMIT else ""),
            }
        out_path.write_text(json.dumps(report, indent=2, default=str))
    if "result" in report:
        log(f"\n=== summary ({report['seconds']:.0f} s, {os.cpu_count()} CPUs, {args.rounds} round(s)) ===")
        log(summary(report))
    log(f"raw results: {out_path}")
    return 130 if report.get("interrupted") else 0


if __name__ == "__main__":
    sys.exit(main())
