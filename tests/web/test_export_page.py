""" "Download my data" on the web: the archive is built in the background with its progress on the page,
then downloaded; it holds the originals and the manifest of `imghost export`."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

import httpx

from tests.api.helpers import unique_jpeg, unique_png
from tests.live import LiveServer
from tests.web.conftest import assert_accessible, new_context, shot, sign_up


def _upload(page: Any, server: LiveServer, name: str, data: bytes, title: str) -> dict[str, Any]:
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    r = page.request.post(
        "/upload",
        multipart={"image": {"name": name, "mimeType": "image/jpeg", "buffer": data}, "title": title},
        headers={"Accept": "application/json", "X-CSRF-Token": token},
    )
    assert r.status == 200, r.text()
    return dict(r.json())


def test_download_my_data(browser: Any, server: LiveServer) -> None:
    ctx = new_context(browser, server, accept_downloads=True)
    other = new_context(browser, server)
    try:
        page = ctx.new_page()
        name = sign_up(page)
        page.goto("/")
        ups = [
            _upload(page, server, "a.jpg", unique_jpeg(9401, 200, 150), "First <b>one</b>"),
            _upload(page, server, "b.png", unique_png(30, 20), "Second"),
        ]
        page.goto("/account/settings")
        page.get_by_role("link", name="Download my data").click()
        page.wait_for_url("**/account/export")
        assert_accessible(page)
        page.get_by_role("button", name="Build my archive").click()
        # The page follows the build by itself until the archive is ready.
        page.locator("#export-ready").wait_for(timeout=60_000)
        shot(page, "export-ready")
        assert_accessible(page)
        with page.expect_download() as got:
            page.locator("#export-download").click()
        archive = zipfile.ZipFile(io.BytesIO(got.value.path().read_bytes()))
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["account"]["username"] == name
        by_id = {i["id"]: i for i in manifest["images"]}
        assert set(by_id) == {u["id"] for u in ups}
        for up in ups:
            original = httpx.get(up["link"]).content
            entry = by_id[up["id"]]
            stored = next(n for n in archive.namelist() if n.startswith("images/") and up["id"] in n)
            assert archive.read(stored) == original
            assert (
                entry.get("sha256", hashlib.sha256(original).hexdigest())
                == hashlib.sha256(original).hexdigest()
            )
        assert by_id[ups[0]["id"]]["title"] == "First <b>one</b>"

        # Another account finds nothing at that address, and a visitor is sent to sign in.
        link = page.locator("#export-download").get_attribute("href")
        stranger = other.new_page()
        sign_up(stranger)
        assert stranger.request.get(link).status == 404
        visitor = httpx.get(server.url + link, follow_redirects=False)
        assert visitor.status_code == 303 and "/signin" in visitor.headers["location"]
    finally:
        ctx.close()
        other.close()
