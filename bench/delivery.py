"""delivery: cached media GETs per second, imghost vs nginx serving the same bytes from files.

Both sides get `wrk -t1 -c50 -d{duration}s` on the original (`/{id}.jpg`, a ~50 KB JPEG) and on its `m`
thumbnail (`/{id}m.jpg`), after both were requested once so imghost has rendered and cached them.
The reference is nginx with one worker, sendfile, open_file_cache and no access log.
Target: imghost >= 1/3 of nginx's requests per second, for each of the two URLs."""

from __future__ import annotations

import signal
import subprocess
import uuid
from pathlib import Path
from typing import Any

import httpx
from common import (
    Context,
    free_port,
    log,
    small_jpeg,
    spawn,
    stop,
    throughput_result,
    upload,
    vary_jpeg,
    wait_http,
    wrk,
)

NAME = "delivery"
MIN_RATIO = 1 / 3
TARGET = ">= 0.33x nginx"

NGINX_CONF = """\
worker_processes 1;
daemon off;
master_process on;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    open_file_cache max=1000 inactive=60s;
    open_file_cache_valid 60s;
    keepalive_requests 100000000;
    keepalive_timeout 75s;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{ image/jpeg jpg; }}
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ }}
    }}
}}
"""


class Nginx:
    def __init__(self, tmp: Path, root: Path) -> None:
        self.tmp = tmp
        self.root = root
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, probe_path: str) -> Nginx:
        self.port = free_port()
        self.tmp.mkdir(parents=True, exist_ok=True)
        conf = self.tmp / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=self.tmp, port=self.port, root=self.root))
        log_path = self.tmp / "nginx.out"
        # -e: the error log before the config is read; -p: prefix, so nothing lands in /var.
        self.proc = spawn(
            ["nginx", "-p", str(self.tmp), "-c", str(conf), "-e", str(self.tmp / "error.log")],
            log_path=log_path,
        )
        wait_http(self.url + probe_path, self.proc, self.tmp / "error.log", timeout=20)
        return self

    def stop(self) -> None:
        stop(self.proc, signal.SIGTERM)
        self.proc = None


def run(ctx: Context) -> dict[str, Any]:
    im = ctx.imghost
    data = vary_jpeg(small_jpeg(), uuid.uuid4().hex)
    with httpx.Client(timeout=60) as http:
        info = upload(http, im.url, ctx.client_id, data, "delivery.jpg")
        iid = info["id"]
        paths = {"original": f"/{iid}.jpg", "thumbnail_m": f"/{iid}m.jpg"}
        root = ctx.tmp / f"nginx-root-{ctx.config}"
        root.mkdir(parents=True, exist_ok=True)
        sizes: dict[str, int] = {}
        for kind, path in paths.items():
            body = b""
            for _ in range(3):  # first request renders (thumbnail) and fills imghost's memory cache
                r = http.get(im.url + path)
                if r.status_code != 200:
                    raise RuntimeError(f"GET {path}: HTTP {r.status_code}")
                body = r.content
            (root / path.lstrip("/")).write_bytes(body)  # nginx serves exactly these bytes
            sizes[kind] = len(body)
    log(f"    files: original {sizes['original']:,} B, m thumbnail {sizes['thumbnail_m']:,} B")

    nginx = Nginx(ctx.tmp / f"nginx-{ctx.config}", root)
    try:
        nginx.start(paths["original"])
        with httpx.Client(timeout=10) as http:
            for kind, path in paths.items():
                r = http.get(nginx.url + path)
                if r.status_code != 200 or len(r.content) != sizes[kind]:
                    raise RuntimeError(f"nginx GET {path}: HTTP {r.status_code}, {len(r.content)} B")
        sides = {"imghost": im.url, "nginx": nginx.url}
        for base in sides.values():  # warm-up under load (every URL was already fetched above)
            wrk(base + paths["original"], 1)
        runs: dict[str, dict[str, list[dict[str, Any]]]] = {k: {s: [] for s in sides} for k in paths}
        for rnd in range(ctx.rounds):
            order = list(sides) if rnd % 2 == 0 else list(reversed(sides))
            for side in order:
                for kind, path in paths.items():
                    runs[kind][side].append(wrk(sides[side] + path, ctx.duration))
    finally:
        nginx.stop()

    results = {
        kind: throughput_result(
            f"GET {kind} ({sizes[kind] // 1000} KB)",
            runs[kind]["imghost"],
            runs[kind]["nginx"],
            "nginx",
            MIN_RATIO,
            TARGET,
        )
        for kind in paths
    }
    return {"name": NAME, "results": results, "sizes": sizes}
