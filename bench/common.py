"""Shared plumbing for the benchmarks: child processes, wrk, imghost servers, test images, statistics.

Every process a benchmark starts goes through `spawn()`, which puts it in its own process group and
remembers it; `stop_all()` (run from `finally` blocks and at interpreter exit) stops whatever is left,
so servers never outlive a run, even after Ctrl-C or an exception."""

from __future__ import annotations

import atexit
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import IO, Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
OUT_DIR = BENCH_DIR / "out"
VENV_BIN = Path(sys.executable).parent

# Rate limiting stays on, with budgets no benchmark can exhaust.
HUGE_LIMITS = {
    "IMGHOST_RATE_LIMIT_USER": "1000000000",
    "IMGHOST_RATE_LIMIT_CLIENT": "1000000000",
    "IMGHOST_RATE_LIMIT_POST": "1000000000",
}


def log(msg: str) -> None:
    print(msg, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------------------------- processes

_children: list[subprocess.Popen[bytes]] = []
_logs: dict[int, IO[bytes]] = {}


def spawn(
    cmd: Sequence[str], *, log_path: Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start cmd in a new session (its own process group) with stdout+stderr to log_path."""
    out = open(log_path, "ab")
    proc = subprocess.Popen(
        list(cmd),
        env=env,
        cwd=cwd,
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    _children.append(proc)
    _logs[proc.pid] = out
    return proc


def stop(proc: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM, timeout: float = 15.0) -> None:
    """Signal the process group we created for proc, wait, then SIGKILL the group if needed."""
    if proc is None:
        return
    pgid = proc.pid  # start_new_session=True: the child leads a group whose id is its pid
    if proc.poll() is None:
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
    # The leader may be gone while its workers are not: make sure the whole group is.
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if proc.poll() is None:
        proc.wait(5)
    if proc in _children:
        _children.remove(proc)
    f = _logs.pop(proc.pid, None)
    if f is not None:
        f.close()


def stop_all() -> None:
    for proc in list(reversed(_children)):
        stop(proc, timeout=5)


atexit.register(stop_all)


def install_signal_handlers() -> None:
    """SIGTERM/SIGHUP behave like Ctrl-C: unwind through every `finally`, which stops the servers."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


def wait_http(
    url: str, proc: subprocess.Popen[bytes], log_path: Path, timeout: float = 60.0, expect: int = 200
) -> None:
    end = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == expect:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > end:
            tail = log_path.read_text(errors="replace")[-3000:] if log_path.exists() else ""
            raise RuntimeError(f"{url} did not answer {expect} (exit code {proc.poll()}):\n{tail}")
        time.sleep(0.05)


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The parent environment without any IMGHOST_* setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMGHOST_")}
    env.update(extra or {})
    return env


# --------------------------------------------------------------------------------------------- granian


def granian_cmd(target: str, port: int, workdir: Path) -> list[str]:
    """The reference servers run under the same ASGI server and settings imghost uses (1 worker, uvloop)."""
    return [
        str(VENV_BIN / "granian"),
        "--interface",
        "asgi",
        target,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--loop",
        "uvloop",
        "--no-ws",
        "--log-level",
        "warning",
        "--no-access-log",
        "--backlog",
        "2048",
        "--working-dir",
        str(workdir),
    ]


@dataclass
class RefServer:
    """A granian-served reference app from the bench directory."""

    target: str  # module:attr, importable from bench/
    tmp: Path
    env: dict[str, str] = field(default_factory=dict)
    health_path: str = "/"
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> RefServer:
        self.port = free_port()
        log_path = self.tmp / f"ref-{self.target.split(':')[0]}-{self.port}.log"
        self.proc = spawn(
            granian_cmd(self.target, self.port, BENCH_DIR),
            log_path=log_path,
            env=clean_env(self.env),
            cwd=BENCH_DIR,
        )
        wait_http(self.url + self.health_path, self.proc, log_path)
        return self

    def stop(self) -> None:
        stop(self.proc, signal.SIGINT)
        self.proc = None


# --------------------------------------------------------------------------------------------- imghost


@dataclass
class Imghost:
    """One `imghost serve` (one worker process) on a free port, with its own data dir."""

    workdir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Imghost:
        self.port = free_port()
        data = self.workdir / "imghost-data"
        data.mkdir(parents=True, exist_ok=True)
        self.env = clean_env(
            {"IMGHOST_DATA_DIR": str(data), "IMGHOST_PUBLIC_URL": self.url, **HUGE_LIMITS, **self.extra_env}
        )
        log_path = self.workdir / f"imghost-{self.port}.log"
        cmd = [
            sys.executable,
            "-m",
            "imghost",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            "1",
        ]
        self.proc = spawn(cmd, log_path=log_path, env=self.env, cwd=self.workdir)
        wait_http(self.url + "/healthz", self.proc, log_path, timeout=90)
        return self

    def create_client(self, name: str = "bench") -> str:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "imghost",
                "client",
                "create",
                name,
                "--redirect-uri",
                "http://x",
                "--json",
            ],
            env=self.env,
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if out.returncode != 0:
            raise RuntimeError(f"imghost client create failed: {out.stderr[-2000:]}")
        return str(json.loads(out.stdout)["client_id"])

    def stop(self) -> None:
        stop(self.proc, signal.SIGINT, timeout=20)
        self.proc = None


def upload(
    client: httpx.Client, base_url: str, client_id: str, data: bytes, filename: str = "bench.jpg"
) -> dict[str, Any]:
    body, ctype = multipart(data, filename)
    r = client.post(
        f"{base_url}/3/upload",
        content=body,
        headers={"Authorization": f"Client-ID {client_id}", "Content-Type": ctype},
    )
    if r.status_code != 200:
        raise RuntimeError(f"upload failed: HTTP {r.status_code} {r.text[:300]}")
    return dict(r.json()["data"])


def multipart(
    data: bytes, filename: str, field_name: str = "image", mime: str = "image/jpeg"
) -> tuple[bytes, str]:
    boundary = "----imghostbench" + uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; '
        f'filename="{filename}"\r\nContent-Type: {mime}\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head + data + tail, f"multipart/form-data; boundary={boundary}"


# --------------------------------------------------------------------------------------------- images


def vary_jpeg(data: bytes, token: str) -> bytes:
    """The same picture with a different byte stream, so imghost cannot deduplicate it.

    imghost strips COM and most APPn segments before hashing (metadata removal), so a varied COM segment
    alone would still hash to the stored original. APP0 segments survive, so the token goes into an extra
    APP0 segment placed after the JFIF header (plus a COM segment, as a client would send)."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    pos = 2
    if data[2:4] == b"\xff\xe0":  # keep the JFIF APP0 first
        (length,) = struct.unpack_from(">H", data, 4)
        pos = 4 + length
    payload = b"IMGHOSTBENCH\x00" + token.encode()
    app0 = b"\xff\xe0" + struct.pack(">H", len(payload) + 2) + payload
    com = b"\xff\xfe" + struct.pack(">H", len(token) + 2) + token.encode()
    return data[:pos] + app0 + com + data[pos:]


def photo_jpeg(width: int, height: int, quality: int, seed: str) -> bytes:
    """A photo-like JPEG: gradients, blobs and fine grain (compresses like a real photo)."""
    from PIL import Image

    rng = random.Random(seed)
    size = (width, height)

    def noise(w: int, h: int) -> Image.Image:
        return Image.frombytes("RGB", (w, h), rng.randbytes(w * h * 3))

    def blobs(div: int) -> Image.Image:
        return noise(max(2, width // div), max(2, height // div)).resize(size, Image.Resampling.BICUBIC)

    lin = Image.linear_gradient("L").resize(size, Image.Resampling.BILINEAR)
    rad = Image.radial_gradient("L").resize(size, Image.Resampling.BILINEAR)
    img = Image.merge("RGB", (lin, rad, lin.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    img = Image.blend(img, blobs(100), 0.5)
    img = Image.blend(img, blobs(10), 0.25)
    img = Image.blend(img, noise(width, height), 0.06)
    out = BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()


def small_jpeg(target_bytes: int = 50_000, seed: str = "bench-50k") -> bytes:
    """A ~50 KB JPEG (800x600, quality searched to land near target_bytes)."""
    best = b""
    lo, hi = 20, 95
    while lo <= hi:
        q = (lo + hi) // 2
        data = photo_jpeg(800, 600, q, seed)
        if len(data) <= target_bytes:
            best, lo = data, q + 1
        else:
            hi = q - 1
    return best or photo_jpeg(800, 600, 20, seed)


def photo_12mp(cache_dir: Path) -> Path:
    """The 4000x3000 test photo: the test corpus's when available, else one generated here (cached)."""
    try:
        sys.path.insert(0, str(ROOT))
        from tests.corpus.cases import get_case  # type: ignore[import-not-found]

        path = Path(get_case("photo_12mp_jpeg").path)
        if path.is_file():
            return path
    except Exception:
        pass
    finally:
        if sys.path and sys.path[0] == str(ROOT):
            sys.path.pop(0)
    path = cache_dir / "photo12mp.jpg"
    if not path.is_file():
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(photo_jpeg(4000, 3000, 92, "bench-12mp"))
        tmp.rename(path)
    return path


# --------------------------------------------------------------------------------------------- wrk

_UNIT = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        return float("nan")
    return float(m.group(1)) * _UNIT[m.group(2)]


def wrk(
    url: str, duration: float, *, connections: int = 50, threads: int = 1, headers: Iterable[str] = ()
) -> dict[str, Any]:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency"]
    for h in headers:
        cmd += ["-H", h]
    cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    text = out.stdout
    if out.returncode != 0 or "Requests/sec" not in text:
        raise RuntimeError(f"wrk failed ({out.returncode}): {text[-1000:]} {out.stderr[-1000:]}")
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    res: dict[str, Any] = {"rps": float(rps.group(1)) if rps else float("nan")}
    m = re.search(r"(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read", text)
    if m:
        res["requests"] = int(m.group(1))
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M)
        if m:
            res[f"p{pct}_ms"] = _ms(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    res["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    res["socket_errors"] = sum(int(x) for x in m.groups()) if m else 0
    return res


# --------------------------------------------------------------------------------------------- results


def median(xs: Sequence[float]) -> float:
    return float(statistics.median(xs)) if xs else float("nan")


def verdict(ok: bool) -> str:
    return "meets target" if ok else "below target"


def throughput_result(
    label: str,
    imghost: list[dict[str, Any]],
    ref: list[dict[str, Any]],
    ref_name: str,
    min_ratio: float,
    target_text: str,
) -> dict[str, Any]:
    """imghost rps vs reference rps; higher is better; ratio must be >= min_ratio."""
    im = median([r["rps"] for r in imghost])
    rf = median([r["rps"] for r in ref])
    ratio = im / rf if rf else float("nan")
    errors = sum(r["non_2xx"] + r["socket_errors"] for r in imghost + ref)
    res = {
        "metric": label,
        "unit": "req/s",
        "imghost": im,
        "reference": rf,
        "reference_name": ref_name,
        "ratio": ratio,
        "target": target_text,
        "target_ratio": min_ratio,
        "higher_is_better": True,
        "meets_target": ratio >= min_ratio,
        "errors": errors,
        "rounds": {"imghost": imghost, "reference": ref},
    }
    note = f"  [{errors} errors]" if errors else ""
    log(
        f"    {label}: imghost {im:,.0f} req/s | {ref_name} {rf:,.0f} req/s | ratio {ratio:.2f} "
        f"(target {target_text}) -> {verdict(res['meets_target'])}{note}"
    )
    return res


def latency_result(
    label: str,
    imghost_ms: list[float],
    ref_ms: list[float],
    ref_name: str,
    max_ratio: float,
    target_text: str,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """imghost latency vs reference latency; lower is better; ratio must be <= max_ratio."""
    im, rf = median(imghost_ms), median(ref_ms)
    ratio = im / rf if rf else float("nan")
    res = {
        "metric": label,
        "unit": "ms",
        "imghost": im,
        "reference": rf,
        "reference_name": ref_name,
        "ratio": ratio,
        "target": target_text,
        "target_ratio": max_ratio,
        "higher_is_better": False,
        "meets_target": ratio <= max_ratio,
        "errors": 0,
        "samples": {"imghost": imghost_ms, "reference": ref_ms},
        **(extra or {}),
    }
    log(
        f"    {label}: imghost {im:.1f} ms | {ref_name} {rf:.1f} ms | ratio {ratio:.2f} "
        f"(target {target_text}) -> {verdict(res['meets_target'])}"
    )
    return res


def make_tmp(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def rmtree(path: Path | None) -> None:
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)


@dataclass
class Context:
    """What every benchmark gets: the imghost server under test and the run's knobs."""

    config: str  # "embedded" or "scaleout"
    imghost: Imghost
    client_id: str
    duration: float  # seconds per wrk run
    rounds: int  # alternating imghost/reference rounds
    samples: int  # latency samples per side (upload, thumbnail)
    tmp: Path  # scratch space, removed at the end of the run
    photo12mp: Path

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Client-ID {self.client_id}"}


def _cpu_times() -> tuple[int, int]:
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields), idle


def cpu_busy(interval: float = 0.3) -> float:
    """Fraction of all CPUs busy over `interval` seconds (0..1): other work on the machine skews figures."""
    try:
        t0, i0 = _cpu_times()
        time.sleep(interval)
        t1, i1 = _cpu_times()
    except OSError:
        return float("nan")
    return 1.0 - (i1 - i0) / max(1, t1 - t0)


def wait_idle(max_wait: float, threshold: float = 0.2) -> float:
    """Wait up to max_wait seconds for the machine to be mostly idle; return the last busy fraction."""
    end = time.monotonic() + max_wait
    busy = cpu_busy()
    while busy > threshold and time.monotonic() < end:
        busy = cpu_busy(1.0)
    return busy


# --------------------------------------------------------------------------------------------- CPU share

_cpu_markers: list[str] = []  # command-line fragments of our daemons that are not our descendants


def register_cpu_marker(fragment: str) -> None:
    """Count processes whose command line contains fragment (and their children) as this run's own."""
    _cpu_markers.append(fragment)


def _proc_table() -> dict[int, tuple[int, int, str]]:
    """pid -> (ppid, cpu ticks incl. reaped children, command line)."""
    table: dict[int, tuple[int, int, str]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                stat = f.read()
            with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        # fields[1] = ppid; utime, stime, cutime, cstime are fields 14-17 of stat, here [11:15]
        table[int(entry.name)] = (int(fields[1]), sum(int(x) for x in fields[11:15]), cmd)
    return table


def _our_ticks() -> int:
    table = _proc_table()
    ours = {os.getpid()} | {pid for pid, (_, _, cmd) in table.items() if any(m in cmd for m in _cpu_markers)}
    grew = True
    while grew:  # descendants
        new = {pid for pid, (ppid, _, _) in table.items() if ppid in ours and pid not in ours}
        ours |= new
        grew = bool(new)
    return sum(table[pid][1] for pid in ours if pid in table)


class CpuMeter:
    """How the machine's CPU time was split between this run and other work while a benchmark ran.

    Ours = this process and its descendants (their CPU time, including reaped children) plus registered
    daemons such as PostgreSQL; others = everything else the kernel counted as busy."""

    def __enter__(self) -> CpuMeter:
        self.t0 = time.monotonic()
        self.total0, self.idle0 = _cpu_times()
        self.ours0 = _our_ticks()
        return self

    def __exit__(self, *exc: object) -> None:
        total1, idle1 = _cpu_times()
        ours1 = _our_ticks()
        span = max(1, total1 - self.total0)
        busy = span - (idle1 - self.idle0)
        ours = max(0, min(busy, ours1 - self.ours0))
        self.result = {
            "busy": round(busy / span, 3),
            "ours": round(ours / span, 3),
            "others": round(max(0, busy - ours) / span, 3),
        }
