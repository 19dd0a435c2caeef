"""Fallback starters for PostgreSQL 15, Redis and SeaweedFS `weed mini`, used only when tests/services.py
cannot be imported. Same recipes, same interface subset (start/close, dsn/url/endpoint_url)."""

from __future__ import annotations

import atexit
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from common import free_port, spawn, stop

PGBIN = Path("/usr/lib/postgresql/15/bin")
_open: list[object] = []


def _close_all() -> None:
    """A crash still stops every server (PostgreSQL daemonizes, so no process-group kill reaches it)."""
    for srv in reversed(_open):
        srv.close()  # type: ignore[attr-defined]


atexit.register(_close_all)


def _wait_tcp(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    import socket

    end = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError(f"server on port {port} did not start") from None
            time.sleep(0.05)


class PostgresServer:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="bench-pg."))
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        self.dsn = f"postgresql://postgres@127.0.0.1:{self.port}/imgbench"
        self.as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_pg:
            shutil.chown(self.dir, "postgres", "postgres")
        self.running = False
        _open.append(self)

    def _run(self, *args: str) -> None:
        subprocess.run(self.as_pg + list(args), check=True, stdout=subprocess.DEVNULL, timeout=120)

    def start(self) -> None:
        data = self.dir / "data"
        self._run(
            str(PGBIN / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        opts = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(PGBIN / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(self.dir / "server.log"),
            "-w",
            "-t",
            "30",
            "-o",
            opts,
            "start",
        )
        self.running = True
        self._run(
            str(PGBIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "imgbench"
        )

    def close(self) -> None:
        if self.running:
            cmd = [str(PGBIN / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop"]
            subprocess.run(self.as_pg + cmd, check=False, stdout=subprocess.DEVNULL, timeout=60)
            self.running = False
        shutil.rmtree(self.dir, ignore_errors=True)


class RedisServer:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="bench-redis."))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None
        _open.append(self)

    def start(self) -> None:
        exe = shutil.which("redis-server") or "redis-server"
        self.proc = spawn(
            [
                exe,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            log_path=self.dir / "redis.log",
        )
        _wait_tcp(self.port, self.proc)

    def close(self) -> None:
        stop(self.proc)
        self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)


class SeaweedServer:
    access_key = "benchaccesskey"
    secret_key = "benchsecretkey123"

    def __init__(self, buckets: tuple[str, ...] = ()) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="bench-weed."))
        self.buckets = buckets
        names = ("master", "volume", "filer", "s3", "admin")
        self.ports = {k: free_port() for k in names}
        self.grpc = {k: free_port() for k in names}
        self.endpoint_url = f"http://127.0.0.1:{self.ports['s3']}"
        self.proc: subprocess.Popen[bytes] | None = None
        _open.append(self)

    def start(self) -> None:
        d, p, g = self.dir, self.ports, self.grpc
        (d / "s3.json").write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "bench",
                            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        (d / "data").mkdir()
        weed = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
        cmd = [
            weed,
            f"-logdir={d}",
            "mini",
            f"-dir={d / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            *[f"-{k}.port={p[k]}" for k in p],
            *[f"-{k}.port.grpc={g[k]}" for k in g],
            "-admin.ui=false",
            "-webdav=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-master.telemetry=false",
            f"-s3.localSocket={d}/s3.sock",
            f"-filer.localSocket={d}/filer.sock",
            f"-s3.config={d}/s3.json",
        ]
        if self.buckets:
            cmd.append(f"-bucket={','.join(self.buckets)}")
        self.proc = spawn(cmd, log_path=d / "weed.log")
        end = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.endpoint_url, timeout=1).close()
                return
            except urllib.error.HTTPError:  # 403 for an anonymous request: up and enforcing auth
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > end:
                    tail = (d / "weed.log").read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"weed mini did not start:\n{tail}") from None
                time.sleep(0.1)

    def close(self) -> None:
        stop(self.proc, timeout=20)
        self.proc = None
        for port in self.grpc.values():
            for f in glob.glob(f"/tmp/seaweedfs-*-grpc-{port}.sock"):
                try:
                    os.remove(f)
                except FileNotFoundError:
                    pass
        shutil.rmtree(self.dir, ignore_errors=True)
