"""Migration 0004: images stored under their SHA-256 before blobs had ids keep working after the upgrade."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
from PIL import Image

from imghost.db.migrate import upgrade
from imghost.settings import Settings
from tests.cli.test_cli import clean_env, imghost
from tests.live import free_port, interrupt, wait_healthy


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 40, 90)).save(out, "JPEG", quality=90)
    return out.getvalue()


def test_blobs_stored_before_fingerprints_survive_the_upgrade(tmp_path: Path) -> None:
    data = tmp_path / "data"
    upgrade(Settings(data_dir=data), "0003")
    body = _photo()
    sha = hashlib.sha256(body).hexdigest()
    stored = data / "media" / "o" / sha[:2] / sha
    stored.parent.mkdir(parents=True)
    stored.write_bytes(body)
    db = sqlite3.connect(data / "imghost.db")
    with db:
        db.execute("INSERT INTO blobs (sha256, size, refcount) VALUES (?, ?, 1)", (sha, len(body)))
        db.execute(
            "INSERT INTO images (id, deletehash, title, name, sha256, mime, ext, width, height, size, animated,"
            " has_sound, mp4_size, created_at, views, bandwidth) VALUES ('OldImg1', 'olddeletehash01', 'old',"
            " '', ?, 'image/jpeg', 'jpg', 320, 240, ?, 0, 0, 0, 1700000000, 0, 0)",
            (sha, len(body)),
        )
    db.close()

    assert imghost("db", "upgrade", data_dir=data).returncode == 0
    db = sqlite3.connect(data / "imghost.db")
    assert db.execute("SELECT id, fingerprint, size, refcount FROM blobs").fetchall() == [
        (sha, None, len(body), 1)
    ]
    assert db.execute("SELECT blob_id FROM images WHERE id = 'OldImg1'").fetchall() == [(sha,)]
    db.close()

    client = json.loads(
        imghost("client", "create", "m", "--redirect-uri", "http://x/cb", "--json", data_dir=data).stdout
    )["client_id"]
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "imghost", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=clean_env(data),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, lambda: log.read_text(errors="replace"))
        with httpx.Client(base_url=url, headers={"Authorization": f"Client-ID {client}"}, timeout=60) as http:
            got = http.get("/OldImg1.jpg")
            assert got.status_code == 200 and got.content == body
            assert got.headers["etag"] == f'"{sha[:32]}"'  # unchanged: caches stay valid across the upgrade
            assert http.get("/OldImg1m.jpg").status_code == 200
            # The same bytes uploaded again: stored anew (the old blob has no fingerprint to be found by).
            new = http.post("/3/upload", files={"image": ("again.jpg", body)}).json()["data"]
            assert http.get(new["link"]).content == body
            assert http.delete("/3/image/olddeletehash01").json()["data"] is True
            assert not stored.exists()
            assert not list((data / "media" / "t").rglob(f"{sha}/*"))
            assert http.get(new["link"]).content == body
    finally:
        interrupt(proc)
