"""upload: latency of one multipart `POST /3/upload` of a 12-megapixel JPEG (~4 MB).

Every request carries a different byte stream (a unique APP0 segment, see common.vary_jpeg), so imghost
stores a new image each time instead of answering from its deduplication. The reference receives the very
same bodies: a raw ASGI app under granian that streams the body to a temp file and answers 200
(ref_sink.py), which keeps its files as imghost does. Requests are sequential over one keep-alive connection per server, interleaved
imghost/reference with the order flipped every sample. Target: imghost median <= 1.5x the reference median."""

from __future__ import annotations

import shutil
import time
import uuid
from typing import Any

import httpx
from common import Context, RefServer, latency_result, log, multipart, vary_jpeg

NAME = "upload"
MAX_RATIO = 1.5
TARGET = "<= 1.5x stream-to-disk"
WARMUP = 2


def _post(http: httpx.Client, url: str, body: bytes, headers: dict[str, str]) -> float:
    t0 = time.perf_counter()
    r = http.post(url, content=body, headers=headers)
    r.read()
    dt = (time.perf_counter() - t0) * 1000
    if r.status_code != 200:
        raise RuntimeError(f"POST {url}: HTTP {r.status_code} {r.text[:300]}")
    return dt


def run(ctx: Context) -> dict[str, Any]:
    im = ctx.imghost
    base = ctx.photo12mp.read_bytes()
    sink_dir = ctx.tmp / f"sink-{ctx.config}"
    sink_dir.mkdir(parents=True, exist_ok=True)
    ref = RefServer("ref_sink:app", ctx.tmp, env={"BENCH_SINK_DIR": str(sink_dir)}).start()
    try:
        urls = {"imghost": im.url + "/3/upload", "reference": ref.url + "/"}
        times: dict[str, list[float]] = {"imghost": [], "reference": []}
        with httpx.Client(timeout=120) as h_im, httpx.Client(timeout=120) as h_ref:
            clients = {"imghost": h_im, "reference": h_ref}
            for i in range(WARMUP + ctx.samples):
                body, ctype = multipart(vary_jpeg(base, uuid.uuid4().hex), "photo12mp.jpg")
                headers = {**ctx.auth, "Content-Type": ctype}
                order = ["imghost", "reference"] if i % 2 == 0 else ["reference", "imghost"]
                for side in order:
                    dt = _post(clients[side], urls[side], body, headers)
                    if i >= WARMUP:
                        times[side].append(dt)
        log(f"    body {len(body) / 1e6:.2f} MB, {ctx.samples} samples per side after {WARMUP} warm-up")
    finally:
        ref.stop()
        shutil.rmtree(sink_dir, ignore_errors=True)
    res = latency_result(
        "POST /3/upload 12 MP JPEG",
        times["imghost"],
        times["reference"],
        "stream-to-disk ASGI",
        MAX_RATIO,
        TARGET,
        {"body_bytes": len(body)},
    )
    return {"name": NAME, "results": {"upload_12mp": res}}
