"""Presigned redirects for media on S3, and migrations started by several processes at once."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import httpx

from imghost.db.migrate import HEAD
from tests.api.helpers import envelope_ok, unique_jpeg
from tests.live import imghost_cmd


def test_s3_redirect(shared_backend: dict[str, str], launch) -> None:
    srv = launch({**shared_backend, "IMGHOST_S3_REDIRECT": "1"})
    cid, _ = srv.create_client()
    body = unique_jpeg(9001, 120, 80)
    with httpx.Client(base_url=srv.url, headers={"Authorization": f"Client-ID {cid}"}, timeout=30) as c:
        up = envelope_ok(c.post("/3/upload", files={"image": ("r.jpg", body)}))
        r = c.get(up["link"])
        assert r.status_code == 302 and r.headers["cache-control"] == "no-store"
        location = r.headers["location"]
        assert (
            location.startswith(shared_backend["IMGHOST_S3_ENDPOINT_URL"]) and "X-Amz-Signature" in location
        )
        assert httpx.get(location, timeout=30).content == body
        thumb = c.get(f"/{up['id']}m.jpg")  # thumbnails are small and rendered here: served directly
        assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
        assert envelope_ok(c.get(f"/3/image/{up['id']}"))["views"] == 1


def _upgrade_twice_at_once(env: dict[str, str]) -> list[subprocess.CompletedProcess[str]]:
    procs = [
        subprocess.Popen(
            imghost_cmd() + ["db", "upgrade"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=120)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


def test_concurrent_migrations_sqlite(tmp_path: Path) -> None:
    import os
    import sqlite3

    env = {k: v for k, v in os.environ.items() if not k.startswith("IMGHOST_")}
    env["IMGHOST_DATA_DIR"] = str(tmp_path / "data")
    for result in _upgrade_twice_at_once(env):
        assert result.returncode == 0, result.stderr
    db = sqlite3.connect(tmp_path / "data" / "imghost.db")
    assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]


def test_concurrent_migrations_postgres(scale_services: dict[str, str], tmp_path: Path) -> None:
    import os

    import psycopg

    base = scale_services["IMGHOST_DATABASE_URL"]
    name = f"mig_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = base.rsplit("/", 1)[0] + f"/{name}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMGHOST_")}
    env.update({"IMGHOST_DATA_DIR": str(tmp_path / "data"), "IMGHOST_DATABASE_URL": url})
    try:
        for result in _upgrade_twice_at_once(env):
            assert result.returncode == 0, result.stderr
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]
            tables = {
                r[0]
                for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                ).fetchall()
            }
            assert {"images", "blobs", "clients", "accounts", "tokens", "albums", "album_images"} <= tables
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_version_of_head_matches_alembic() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from alembic.script import ScriptDirectory; "
            "from alembic.config import Config; from imghost.db.migrate import _SCRIPTS; "
            "c = Config(); c.set_main_option('script_location', str(_SCRIPTS)); "
            "print(ScriptDirectory.from_config(c).get_current_head())",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == HEAD
