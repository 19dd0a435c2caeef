"""Shared pieces of the scale-out tests: clients, metrics, polling, row counts and a torn upload."""

from __future__ import annotations

import re
import socket
import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

import httpx

from tests.live import UNLIMITED, LiveServer, tmp_leftovers

T = TypeVar("T")

# Values that switch a server to the embedded default (SQLite + local disk + in-process limits) even when
# the test environment points the suite at PostgreSQL, S3 and Redis.
EMBEDDED_ENV = {"IMGHOST_DATABASE_URL": "", "IMGHOST_STORAGE_URL": "", "IMGHOST_REDIS_URL": ""}
BIG_LIMITS = {
    **UNLIMITED,
}


def api_client(server: LiveServer, client_id: str, timeout: float = 60) -> httpx.Client:
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Client-ID {client_id}"}, timeout=timeout
    )


def media_url(server: LiveServer, link: str, suffix: str = "") -> str:
    """The media path of `link` (built from the uploading server's public URL) on `server`."""
    path = urlsplit(link).path
    stem, dot, ext = path.rpartition(".")
    return f"{server.url}{stem}{suffix}{dot}{ext}"


def metric(server: LiveServer, name: str) -> int:
    """A per-process counter from /metrics; a counter not yet incremented has no line and counts as 0."""
    r = httpx.get(f"{server.url}/metrics", timeout=30)
    assert r.status_code == 200, r.text
    m = re.search(rf"^imghost_{re.escape(name)}_total (\d+)\s*$", r.text, re.MULTILINE)
    return int(m.group(1)) if m else 0


def log_excerpt(server: LiveServer, size: int = 3000) -> str:
    """The server log without framework and library stack frames: messages, imghost's own frames and the
    exception lines, so that an assertion message shows where an error came from."""
    keep = [
        line for line in server.logs().splitlines() if not line.startswith(" ") or "/src/imghost/" in line
    ]
    return "\n".join(keep)[-size:]


def eventually(fn: Callable[[], T], timeout: float, interval: float = 0.2) -> T:
    """Call fn until it returns without raising (AssertionError or an HTTP error) or the time is up;
    the last failure is raised as is."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except (AssertionError, httpx.HTTPError):
            if time.monotonic() > deadline:
                raise
        time.sleep(interval)


def pg_count_images(dsn: str) -> int:
    import psycopg

    with psycopg.connect(dsn, connect_timeout=10) as conn:
        row = conn.execute("SELECT count(*) FROM images").fetchone()
    assert row is not None
    return int(row[0])


def sqlite_count_images(server: LiveServer) -> int:
    conn = sqlite3.connect(f"file:{server.data_dir / 'imghost.db'}?mode=ro", uri=True, timeout=10)
    try:
        return int(conn.execute("SELECT count(*) FROM images").fetchone()[0])
    finally:
        conn.close()


def count_images(server: LiveServer) -> int:
    dsn = server.env.get("IMGHOST_DATABASE_URL")
    return pg_count_images(dsn) if dsn else sqlite_count_images(server)


def torn_upload(server: LiveServer, client_id: str, jpeg: bytes, declared: int = 4 * 1024 * 1024) -> None:
    """POST /3/upload announcing `declared` bytes of multipart body, send half of them, then hang up."""
    boundary = "----imghostTornUpload7d1f"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="torn.jpg"\r\n'
        f"Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    # A real JPEG start, then filler up to the declared length (the part would never end anyway).
    body = head + jpeg
    body += bytes((i * 7) & 0xFF for i in range(declared - len(body)))
    assert len(body) == declared
    port = urlsplit(server.url).port
    request = (
        f"POST /3/upload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Client-ID {client_id}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {declared}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        half = declared // 2
        for i in range(0, half, 64 * 1024):
            sock.sendall(body[i : min(i + 64 * 1024, half)])
        # Hang up only once the server is visibly mid-upload (its scratch file holds part of the body),
        # or after a short while if it keeps the body elsewhere.
        deadline = time.monotonic() + 3
        while not tmp_leftovers(server) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
