"""The operator's command line, run as operators run it: `python -m imghost ...` in a fresh data directory."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from imghost.db.migrate import HEAD
from tests.live import free_port, interrupt, wait_healthy


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without any IMGHOST_ setting, plus a data directory of the test's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMGHOST_")}
    env["IMGHOST_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def imghost(*args: str, data_dir: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imghost", *args],
        env=clean_env(data_dir, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


def no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout, proc.stdout


# --------------------------------------------------------------------------------------------- clients


def test_client_create_list_delete(tmp_path: Path) -> None:
    data = tmp_path / "data"

    created = imghost(
        "client", "create", "my app", "--redirect-uri", "http://localhost/cb", "--json", data_dir=data
    )
    assert created.returncode == 0, created.stderr
    no_traceback(created)
    lines = created.stdout.splitlines()
    assert len(lines) == 1
    creds = json.loads(lines[0])
    assert list(creds) == ["client_id", "client_secret"]
    assert re.fullmatch(r"[0-9a-f]{15}", creds["client_id"])
    assert re.fullmatch(r"[0-9a-f]{40}", creds["client_secret"])

    listed = imghost("client", "list", "--json", data_dir=data)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert len(rows) == 1
    row = rows[0]
    assert (row["id"], row["name"], row["redirect_uri"]) == (
        creds["client_id"],
        "my app",
        "http://localhost/cb",
    )
    assert creds["client_secret"] not in listed.stdout
    assert not any("secret" in key for key in row)

    deleted = imghost("client", "delete", creds["client_id"], data_dir=data)
    assert deleted.returncode == 0, deleted.stderr
    no_traceback(deleted)
    assert creds["client_id"] in deleted.stdout

    listed = imghost("client", "list", "--json", data_dir=data)
    assert listed.returncode == 0
    assert json.loads(listed.stdout) == []


def test_delete_unknown_client(tmp_path: Path) -> None:
    proc = imghost("client", "delete", "0123456789abcde", data_dir=tmp_path / "data")
    assert proc.returncode == 1
    no_traceback(proc)
    assert proc.stderr.strip() == "imghost: No client with the id 0123456789abcde"
    assert proc.stdout == ""


# ------------------------------------------------------------------------------------------ migrations


def _schema(db: Path) -> tuple[list[tuple[str, str]], str]:
    with sqlite3.connect(db) as conn:
        tables = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name"
        ).fetchall()
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    return tables, version


def test_db_upgrade_creates_the_database_and_is_idempotent(tmp_path: Path) -> None:
    data = tmp_path / "new" / "data"  # neither directory exists yet
    first = imghost("db", "upgrade", data_dir=data)
    assert first.returncode == 0, first.stderr
    no_traceback(first)
    assert first.stdout == "imghost: database is up to date\n"
    db = data / "imghost.db"
    assert db.is_file()
    tables, version = _schema(db)
    assert version == HEAD
    names = {name for name, _ in tables}
    assert {"clients", "images", "alembic_version"} <= names

    with sqlite3.connect(db) as conn:  # a row that must survive the second run
        conn.execute(
            "INSERT INTO clients (id, secret_hash, name, redirect_uri, created_at) "
            "VALUES ('abcdefabcdefabc', 'x', 'keep', 'http://k/cb', 1)"
        )

    second = imghost("db", "upgrade", data_dir=data)
    assert second.returncode == 0, second.stderr
    no_traceback(second)
    assert second.stdout == "imghost: database is up to date\n"
    assert _schema(db) == (tables, version)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT id, name FROM clients").fetchall() == [("abcdefabcdefabc", "keep")]


# ---------------------------------------------------------------------------------------- bad settings


@pytest.mark.parametrize(
    "command",
    [["db", "upgrade"], ["client", "list"], ["serve", "--port", "1"]],
    ids=["db-upgrade", "client-list", "serve"],
)
def test_bad_storage_url_is_one_line_without_traceback(tmp_path: Path, command: list[str]) -> None:
    proc = imghost(*command, data_dir=tmp_path / "data", IMGHOST_STORAGE_URL="ftp://x")
    assert proc.returncode != 0
    no_traceback(proc)
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("imghost: ")
    assert "IMGHOST_STORAGE_URL" in lines[0]
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    ("env", "named"),
    [
        (
            {"IMGHOST_STORAGE_URL": "ftp://x", "IMGHOST_S3_SECRET_KEY": "hunter2-s3-secret"},
            "IMGHOST_STORAGE_URL",
        ),
        ({"IMGHOST_DATABASE_URL": "mysql://u:hunter2@h/d"}, "IMGHOST_DATABASE_URL"),
    ],
    ids=["s3-secret-key", "database-password"],
)
def test_bad_configuration_does_not_echo_secrets(tmp_path: Path, env: dict[str, str], named: str) -> None:
    proc = imghost("db", "upgrade", data_dir=tmp_path / "data", **env)
    assert proc.returncode != 0
    no_traceback(proc)
    assert named in proc.stderr
    assert "hunter2" not in proc.stderr
    assert "hunter2" not in proc.stdout


# --------------------------------------------------------------------------------------------- serving


@dataclass
class Served:
    url: str
    data_dir: Path
    log: Path
    proc: subprocess.Popen[bytes]

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("serve")
    data = root / "fresh" / "data"
    port = free_port()
    log = root / "serve.log"
    with open(log, "wb") as out:
        cmd = [sys.executable, "-m", "imghost", "serve", "--host", "127.0.0.1", "--port", str(port)]
        proc = subprocess.Popen(cmd, env=clean_env(data), stdout=out, stderr=subprocess.STDOUT)
    srv = Served(f"http://127.0.0.1:{port}", data, log, proc)
    try:
        wait_healthy(srv.url, proc, srv.output)
        yield srv
    finally:
        interrupt(proc)


def test_serve_creates_the_data_dir_and_hints_at_a_client(served: Served) -> None:
    assert served.data_dir.is_dir()
    assert (served.data_dir / "imghost.db").is_file()
    out = served.output()
    assert "imghost: no API client registered yet. Create one with:\n" in out
    assert "  imghost client create myapp --redirect-uri http://localhost/callback\n" in out
    assert f"imghost: serving {served.url} (API at {served.url}/3/, docs at /docs)" in out
    assert "Traceback" not in out


def test_serve_answers_healthz(served: Served) -> None:
    r = httpx.get(f"{served.url}/healthz", timeout=10)
    assert (r.status_code, r.text) == (200, "ok")


def test_serve_has_docs(served: Served) -> None:
    r = httpx.get(f"{served.url}/docs", timeout=10)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "swagger" in r.text.lower()
    assert "/openapi.json" in r.text


def test_serve_has_openapi_json(served: Served) -> None:
    r = httpx.get(f"{served.url}/openapi.json", timeout=10)
    assert r.status_code == 200, (r.status_code, r.headers.get("content-type"), r.text[:200])
    assert r.headers["content-type"].startswith("application/json")
    spec = r.json()
    assert spec["info"]["title"] == "imghost"
    assert "/3/image/{image_id}" in spec["paths"]
    assert "/3/upload" in spec["paths"]
    assert {"get", "delete"} <= set(spec["paths"]["/3/image/{image_id}"])
    assert "post" in spec["paths"]["/3/upload"]
