"""Error pages: what happened and what to do, in the layout, with the right status; never a traceback,
never JSON to a browser (and never a page to an API client)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live import UNLIMITED, LiveServer, free_port, start_server
from tests.web.conftest import describe, new_context, serious_violations, shot


@pytest.fixture
def own_sqlite_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server on an SQLite file of its own, whatever backend the suite runs on, so that a test can break
    its database for real."""
    data = tmp_path / "data"
    data.mkdir()
    srv = start_server(
        data,
        port=free_port(),
        extra_env={**UNLIMITED, "IMGHOST_DATABASE_URL": f"sqlite:///{data / 'own.db'}"},
    )
    try:
        yield srv
    finally:
        srv.stop()


def test_internal_error_is_a_page_in_the_layout(browser: Any, own_sqlite_server: LiveServer) -> None:
    srv = own_sqlite_server
    with sqlite3.connect(srv.data_dir / "own.db") as db:
        db.execute("DROP TABLE album_favorites")
        db.execute("DROP TABLE album_images")
        db.execute("DROP TABLE albums")
    ctx = new_context(browser, srv)
    try:
        page = ctx.new_page()
        response = page.goto("/a/abcdefg")
        assert response.status == 500
        assert page.locator("#error-title").inner_text() == "Something went wrong"
        assert page.get_by_role("navigation", name="Main").is_visible()
        text = page.locator("body").inner_text()
        assert "Traceback" not in text and "OperationalError" not in text and "sqlite" not in text.lower()
        shot(page, "error-500")
        assert not serious_violations(page), describe(serious_violations(page))
    finally:
        ctx.close()
    api = httpx.get(f"{srv.url}/3/album/abcdefg", headers={"Authorization": "Client-ID x"})
    assert api.headers["content-type"].startswith("application/json")


def test_not_found_and_forbidden_pages(server: LiveServer) -> None:
    r = httpx.get(f"{server.url}/a/zzzzzzz")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert 'id="error-title"' in r.text
    with httpx.Client(base_url=server.url) as c:
        c.get("/signin")
        r = c.post("/signout", data={"csrf_token": "wrong-token-wrong-token"})
        assert r.status_code == 403 and "expired" in r.text


def test_a_script_that_asks_for_json_gets_json(server: LiveServer) -> None:
    r = httpx.get(f"{server.url}/a/zzzzzzz", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.json() == {"error": r.json()["error"]} and r.json()["error"]


def test_signed_out_visit_of_an_account_page_goes_to_sign_in_and_back(
    browser: Any, server: LiveServer
) -> None:
    ctx = new_context(browser, server)
    try:
        page = ctx.new_page()
        page.goto("/account/settings")
        assert "/signin?next=/account/settings" in page.url
    finally:
        ctx.close()


def _noise_jpeg(w: int, h: int) -> bytes:
    import io
    import os

    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (w, h), os.urandom(w * h * 3)).save(out, "JPEG", quality=95)
    return out.getvalue()


def test_too_large_and_too_many_uploads_are_pages_that_say_what_to_do(browser: Any, tmp_path: Path) -> None:
    """The plain upload form (no script): a file over the limit gets the 413 page naming the limit;
    past the upload budget, the 429 page says when to try again."""
    data = tmp_path / "data"
    data.mkdir()
    env = {**UNLIMITED, "IMGHOST_MAX_IMAGE_BYTES": "60000", "IMGHOST_RATE_LIMIT_USER": "30"}
    srv = start_server(data, port=free_port(), extra_env=env)
    big, small = tmp_path / "big.jpg", tmp_path / "small.jpg"
    big.write_bytes(_noise_jpeg(400, 300))
    small.write_bytes(_noise_jpeg(40, 30))
    assert big.stat().st_size > 60000
    ctx = new_context(browser, srv, java_script_enabled=False)
    try:
        page = ctx.new_page()

        def send(path: Path) -> Any:
            page.goto("/")
            page.locator("#upload-form input[type=file]").set_input_files(str(path))
            with page.expect_navigation():
                page.locator("#upload-form button[type=submit]").click()
            return page

        send(big)
        assert page.locator("#error-title").inner_text() == "Too large"
        assert "58.6 KB" in page.locator("#error-limit").inner_text()
        shot(page, "error-413")  # (axe needs a script; the error layout is audited on the 404 and 500 pages)
        # The refused upload was charged before its body was read; two more fit the budget of 30.
        for _ in range(2):
            send(small)
            assert "/signin" not in page.url and page.locator("#error-title").count() == 0
        send(small)
        assert page.locator("#error-title").inner_text() == "Slow down"
        retry = page.locator("#error-retry").inner_text()
        assert retry.startswith("Try again in ") and int(retry.split()[3]) > 0
        shot(page, "error-429")
    finally:
        ctx.close()
        srv.stop()
