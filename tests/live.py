"""Start and stop real `imghost serve` processes for tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

# Credit budgets no test run reaches: rate limiting itself is tested on servers of its own.
UNLIMITED = {
    "IMGHOST_RATE_LIMIT_USER": "1000000",
    "IMGHOST_RATE_LIMIT_CLIENT": "1000000",
    "IMGHOST_RATE_LIMIT_POST": "1000000",
}
_TEST_ENV = (
    "DATABASE_URL",
    "STORAGE_URL",
    "REDIS_URL",
    "S3_ENDPOINT_URL",
    "S3_ACCESS_KEY",
    "S3_SECRET_KEY",
    "S3_REGION",
    "S3_REDIRECT",
)


@contextmanager
def http_thread(handler: type[BaseHTTPRequestHandler], name: str) -> Iterator[str]:
    """A small HTTP server (a stand-in for the outside internet) in a thread on loopback; yields its base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


def interrupt(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server as Ctrl-C would, and kill it if it has not gone within 20 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def free_port() -> int:
    """A port nothing listens on right now (the one helper for the whole suite)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def backend_env() -> dict[str, str]:
    """IMGHOST_TEST_X in the test environment becomes IMGHOST_X for the server under test."""
    env = {}
    for name in _TEST_ENV:
        value = os.environ.get(f"IMGHOST_TEST_{name}")
        if value:
            env[f"IMGHOST_{name}"] = value
    return env


def isolation(data_dir: Path) -> dict[str, str]:
    """Servers of one test run share PostgreSQL, S3 and Redis; give each its own S3 prefix and Redis keys
    so that, say, a tight rate limit on one is not spent by another. Servers that must share
    (multi-process tests) pass the same values in extra_env."""
    tag = f"{data_dir.name}-{uuid.uuid4().hex[:8]}"
    env = {"IMGHOST_REDIS_PREFIX": f"t-{tag}:"}
    storage = os.environ.get("IMGHOST_TEST_STORAGE_URL")
    if storage:
        env["IMGHOST_STORAGE_URL"] = f"{storage.rstrip('/')}/{tag}"
    return env


def stored_keys(server: LiveServer) -> set[str]:
    """Every object the server has in storage, whichever backend it runs on."""
    store, prefix = _s3(server)
    if store is None:
        media = server.data_dir / "media"
        return {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file() and ".tmp" not in p.parts}
    import obstore

    return {m["path"] for batch in obstore.list(store, prefix=prefix or None) for m in batch}


def delete_keys(server: LiveServer, keys: set[str]) -> None:
    """Take objects out of the server's storage behind its back, whichever backend it runs on."""
    store, _ = _s3(server)
    if store is None:
        for key in keys:
            (server.data_dir / "media" / key).unlink()
        return
    import obstore

    obstore.delete(store, sorted(keys))


def _s3(server: LiveServer) -> tuple[Any, str]:
    url = server.env.get("IMGHOST_STORAGE_URL")
    if not url:
        return None, ""
    from obstore.store import S3Store

    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    store = S3Store(
        bucket,
        endpoint=server.env["IMGHOST_S3_ENDPOINT_URL"],
        access_key_id=server.env["IMGHOST_S3_ACCESS_KEY"],
        secret_access_key=server.env["IMGHOST_S3_SECRET_KEY"],
        region="us-east-1",
        virtual_hosted_style_request=False,
        client_options={"allow_http": True},
    )
    return store, prefix


def imghost_cmd() -> list[str]:
    return [sys.executable, "-m", "imghost"]


@dataclass
class LiveServer:
    url: str
    port: int
    data_dir: Path
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    clients: list[tuple[str, str]] = field(default_factory=list)

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            imghost_cmd() + list(args), env=self.env, capture_output=True, text=True, check=check, timeout=120
        )

    def create_client(self, name: str = "test", redirect_uri: str = "http://127.0.0.1/cb") -> tuple[str, str]:
        out = self.cli("client", "create", name, "--redirect-uri", redirect_uri, "--json")
        data = json.loads(out.stdout)
        creds = (data["client_id"], data["client_secret"])
        self.clients.append(creds)
        return creds

    def stop(self) -> None:
        if self.proc is not None:
            interrupt(self.proc)

    def logs(self) -> str:
        return self.log.read_text(errors="replace") if self.log and self.log.exists() else ""


def wait_healthy(
    url: str, proc: subprocess.Popen[bytes], output: Callable[[], str], what: str = "imghost serve"
) -> None:
    """Until {url}/healthz answers 200; raises with the tail of the server's output if it dies or hangs."""
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start:\n{output()[-4000:]}")
        time.sleep(0.1)


def start_server(
    data_dir: Path,
    *,
    port: int,
    extra_env: dict[str, str] | None = None,
    workers: int = 1,
    command: list[str] | None = None,
) -> LiveServer:
    """`imghost serve`, or `command` (another server running imghost's app: it gets the schema first,
    since only `imghost serve` migrates by itself)."""
    env = {
        **os.environ,
        **backend_env(),
        "IMGHOST_DATA_DIR": str(data_dir),
        **isolation(data_dir),
        **(extra_env or {}),
    }
    env.setdefault("IMGHOST_PUBLIC_URL", f"http://127.0.0.1:{port}")
    url = f"http://127.0.0.1:{port}"
    log = data_dir.parent / f"server-{port}.log"
    srv = LiveServer(url=url, port=port, data_dir=data_dir, env=env, log=log)
    if command is not None:
        srv.cli("db", "upgrade")
    with open(log, "wb") as out:
        srv.proc = subprocess.Popen(
            command
            or imghost_cmd()
            + ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_healthy(url, srv.proc, srv.logs, " ".join(command[:4]) if command else "imghost serve")
    except RuntimeError:
        srv.stop()
        raise
    return srv


def sqlite_db(srv: LiveServer) -> Path | None:
    """The embedded database file, or None when the suite runs on an external database."""
    if os.environ.get("IMGHOST_TEST_DATABASE_URL") or srv.env.get("IMGHOST_DATABASE_URL"):
        return None
    return srv.data_dir / "imghost.db"


def db_rows(srv: LiveServer, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows straight from the server's database, whichever it is (SQL with ? placeholders)."""
    path = sqlite_db(srv)
    if path is None:
        import psycopg

        url = srv.env.get("IMGHOST_DATABASE_URL") or os.environ["IMGHOST_TEST_DATABASE_URL"]
        with psycopg.connect(url) as pg:
            return [tuple(r) for r in pg.execute(sql.replace("?", "%s"), params).fetchall()]
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def tmp_leftovers(server: LiveServer) -> list[str]:
    """Files in the server's upload scratch directories (every upload cleans up after itself). The lock
    files that mark each process's directory as in use are not leftovers."""
    tmp = server.data_dir / "tmp"
    if not tmp.exists():
        return []
    return sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file() and p.suffix != ".lock")
