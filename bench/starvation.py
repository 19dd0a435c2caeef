"""starvation: light requests while hostile transcodes fill the heavy-media pool.

    python bench/starvation.py [--samples 60] [--seconds 10]

One imghost (1 worker, default settings: a heavy pool of IMGHOST_MEDIA_WORKERS=2 with a queue of 4). It
times, one after the other, an uncached `m` thumbnail of a normal JPEG (an ~50 KB 800x600 photo, uploaded
untimed just before) and a cached media GET (`/{id}.jpg`, answered from memory), first on an idle server,
then while clients upload MKVs whose remux falls back to an H.264 re-encode (MPEG-4 part 2 video, which MP4
cannot carry: seconds of CPU each), as many at once as the pool takes (workers + queue), each client
sending its next upload as soon as one is answered. Prints both p50s, idle and under load, and their ratio.
Target: <= 2x idle for both. Raw figures go to bench/out/starvation-*.json."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from common import (
    OUT_DIR,
    Imghost,
    install_signal_handlers,
    log,
    make_tmp,
    median,
    multipart,
    rmtree,
    small_jpeg,
    stop_all,
    upload,
    vary_jpeg,
)

MAX_RATIO = 2.0
POOL_WORKERS, POOL_QUEUE = 2, 4  # imghost's defaults


def hostile_mkv(path: Path, seconds: float) -> bytes:
    import imageio_ffmpeg

    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-nostdin",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=1280x720:r=30",
            "-t",
            str(seconds),
            "-c:v",
            "msmpeg4v2",
            "-q:v",
            "31",
            "-f",
            "matroska",
            str(path),
        ],
        check=True,
        timeout=300,
    )
    return path.read_bytes()


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            out.extend(int(c) for c in (task / "children").read_text().split())
    except OSError:
        pass
    return out


def transcodes_running(root: int) -> int:
    """ffmpeg H.264 encodes among the server's descendants."""
    count, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(_children(pid))
        try:
            if b"libx264" in Path(f"/proc/{pid}/cmdline").read_bytes():
                count += 1
        except OSError:
            pass
    return count


class Hostile:
    """Clients that keep one hostile upload each in flight, until stopped."""

    def __init__(self, url: str, client_id: str, mkv: bytes, clients: int) -> None:
        self.url, self.client_id, self.mkv, self.clients = url, client_id, mkv, clients
        self.stop = threading.Event()
        self.answers: dict[int, int] = {}
        self.lock = threading.Lock()

    def _loop(self) -> None:
        body, ctype = multipart(self.mkv, "hostile.mkv", mime="video/x-matroska")
        with httpx.Client(timeout=300) as http:
            while not self.stop.is_set():
                # The same bytes every time: an upload is transcoded before it is compared with stored ones.
                try:
                    r = http.post(
                        f"{self.url}/3/upload",
                        content=body,
                        headers={"Authorization": f"Client-ID {self.client_id}", "Content-Type": ctype},
                    )
                    code = r.status_code
                except httpx.HTTPError:
                    code = -1
                with self.lock:
                    self.answers[code] = self.answers.get(code, 0) + 1

    def __enter__(self) -> Hostile:
        self.threads = [threading.Thread(target=self._loop, daemon=True) for _ in range(self.clients)]
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(300)


def sample(
    http: httpx.Client, url: str, client_id: str, base: bytes, cached_id: str, n: int
) -> tuple[list[float], list[float]]:
    thumbs, gets = [], []
    for _ in range(n):
        iid = upload(http, url, client_id, vary_jpeg(base, uuid.uuid4().hex), "photo.jpg")["id"]
        t0 = time.perf_counter()
        r = http.get(f"{url}/{iid}m.jpg")
        thumbs.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"thumbnail: HTTP {r.status_code}")
        t0 = time.perf_counter()
        r = http.get(f"{url}/{cached_id}.jpg")
        gets.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"cached GET: HTTP {r.status_code}")
    return thumbs, gets


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--samples", type=int, default=60, help="samples per request kind and phase (default 60)")
    p.add_argument("--seconds", type=float, default=10.0, help="length of each hostile MKV (default 10)")
    args = p.parse_args(argv)
    install_signal_handlers()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    tmp = make_tmp("imghost-starvation.")
    started = dt.datetime.now()
    report: dict[str, Any] = {"started": started.isoformat(timespec="seconds"), "samples": args.samples}
    try:
        mkv = hostile_mkv(tmp / "hostile.mkv", args.seconds)
        im = Imghost(tmp)
        im.start()
        assert im.proc is not None
        client_id = im.create_client()
        base = small_jpeg()
        with httpx.Client(timeout=300) as http:
            cached = upload(http, im.url, client_id, base, "cached.jpg")["id"]
            for _ in range(3):
                http.get(f"{im.url}/{cached}.jpg")
            sample(http, im.url, client_id, base, cached, 3)  # warm-up
            log(f"idle: {args.samples} samples of each")
            idle_t, idle_g = sample(http, im.url, client_id, base, cached, args.samples)
            with Hostile(im.url, client_id, mkv, POOL_WORKERS + POOL_QUEUE) as hostile:
                deadline = time.monotonic() + 60
                while transcodes_running(im.proc.pid) < POOL_WORKERS:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the hostile uploads never filled the pool")
                    time.sleep(0.05)
                log(f"loaded: {POOL_WORKERS} transcodes running, {POOL_QUEUE} queued")
                load_t, load_g = sample(http, im.url, client_id, base, cached, args.samples)
                running = transcodes_running(im.proc.pid)
            report["hostile_answers"] = hostile.answers
        results = {}
        for label, idle, load in (
            ("uncached m thumbnail", idle_t, load_t),
            ("cached media GET", idle_g, load_g),
        ):
            ratio = median(load) / median(idle)
            results[label] = {
                "idle_p50_ms": median(idle),
                "loaded_p50_ms": median(load),
                "ratio": ratio,
                "meets_target": ratio <= MAX_RATIO,
                "idle_ms": idle,
                "loaded_ms": load,
            }
            log(
                f"    {label}: idle p50 {median(idle):.1f} ms | with hostile transcodes {median(load):.1f} ms"
                f" | ratio {ratio:.2f} (target <= {MAX_RATIO:g}x) -> "
                f"{'meets target' if ratio <= MAX_RATIO else 'below target'}"
            )
        report["results"] = results
        report["transcodes_running_at_end"] = running
        log(
            f"    hostile uploads answered while measuring: {hostile.answers} "
            f"({running} transcodes still running at the end)"
        )
    except KeyboardInterrupt:
        log("\ninterrupted")
        report["interrupted"] = True
    finally:
        stop_all()
        rmtree(tmp)
        path = OUT_DIR / f"starvation-{started:%Y%m%d-%H%M%S}.json"
        path.write_text(json.dumps(report, indent=2, default=str))
    log(f"raw results: {path}")
    return 130 if report.get("interrupted") else 0


if __name__ == "__main__":
    sys.exit(main())
