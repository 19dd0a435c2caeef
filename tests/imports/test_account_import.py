"""`imghost import account`: an account brought over through the Imgur API of another server.

The source is a real imghost (the suite's `server`, on the suite's backend) reached through its API with
an application's client id and the account's own token; the destination B runs on its own SQLite file
and local disk (see test_archive.py), so on the PostgreSQL run the import crosses backends. The source
listens on loopback, which the URL-upload rules refuse unless --allow-private says otherwise."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.accounts.helpers import make_user
from tests.imports.test_archive import Source, image_count, populate, run_json, snapshot, start_b
from tests.live import LiveServer, imghost_cmd

EXTRA = 16  # larger PNGs, so that the import runs long enough to be killed half-way


@pytest.fixture(scope="module")
def b_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    srv = start_b(tmp_path_factory.mktemp("account-b"))
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def source(server: LiveServer, session_client: tuple[str, str]) -> Source:
    return populate(server, session_client, extra_pngs=EXTRA)


def _args(server: LiveServer, session_client: tuple[str, str], source: Source, user: str) -> list[str]:
    return [
        "import",
        "account",
        "--from",
        server.url,
        "--client-id",
        session_client[0],
        "--token",
        source.user.access_token,
        "--user",
        user,
    ]


def test_a_loopback_source_is_refused_without_allow_private(
    server: LiveServer, session_client: tuple[str, str], source: Source, b_server: LiveServer
) -> None:
    creds = b_server.create_client("ssrf")
    dest = make_user(b_server, creds, prefix="ssrf")
    code, report = run_json(b_server, *_args(server, session_client, source, dest.name))
    assert code == 1, report
    failed = [i for i in report["items"] if i["outcome"] == "failed"]
    assert failed and "private" in failed[0]["reason"], report
    assert report["counts"]["imported"] == 0
    assert image_count(b_server, dest) == 0


def test_import_account_killed_half_way_then_rerun_brings_everything_once(
    server: LiveServer,
    session_client: tuple[str, str],
    source: Source,
    b_server: LiveServer,
    tmp_path: Path,
) -> None:
    creds = b_server.create_client("account")
    dest = make_user(b_server, creds, prefix="acc")
    args = [*_args(server, session_client, source, dest.name), "--allow-private", "--json"]
    total = len(source.images)

    # One image at a time, killed (SIGKILL: no cleanup of any kind) once a few have landed.
    log = tmp_path / "killed.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*imghost_cmd(), *args, "--parallel", "1"], env=b_server.env, stdout=out, stderr=out
        )
        try:
            landed = 0
            deadline = time.monotonic() + 120
            while proc.poll() is None and time.monotonic() < deadline:
                landed = image_count(b_server, dest)
                if landed >= 3:
                    proc.send_signal(signal.SIGKILL)
                    break
                time.sleep(0.02)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, log.read_text()
    cut = image_count(b_server, dest)
    assert 3 <= cut < total, f"killed after {cut} of {total} images"

    code, report = run_json(b_server, *args)
    assert code == 0, report
    counts = report["counts"]
    assert counts["failed"] == 0 and counts["renamed"] == 0, report
    # What the killed run finished is found in the state file; the rest comes now; nothing twice.
    earlier = [i for i in report["items"] if i["kind"] == "image" and i["earlier"]]
    assert len(earlier) >= cut - 1, report  # the one in flight at the kill may have missed the state file
    assert counts["imported"] + counts["already here"] == total + 3, report
    assert counts["imported"] <= total - cut + 3
    assert image_count(b_server, dest) == total
    assert report["favorites"] == {"set": 2, "already_set": 0, "not_here": 1}, report
    assert report["requests"] > 0

    before = snapshot(server, source.user, skip_favorites={source.stranger_image})
    assert snapshot(b_server, dest) == before

    # And once more: everything is already here.
    code, again = run_json(b_server, *args)
    assert code == 0, again
    assert again["counts"]["already here"] == total + 3 and again["counts"]["imported"] == 0, again
    assert image_count(b_server, dest) == total
