"""Image lifecycle: get, update, delete, ownership through the deletehash, deduplication, cleanup."""

from __future__ import annotations

import io
import random
import time

import httpx
from PIL import Image

from tests.api.helpers import IMAGE_KEYS, envelope_error, envelope_ok, unique_jpeg, upload
from tests.live import LiveServer, stored_keys


def _stored_files(server: LiveServer) -> set[str]:
    return stored_keys(server)


class TestGet:
    def test_exact_shape_for_non_owner(self, api: httpx.Client) -> None:
        up = upload(api, body=unique_jpeg(201), title="hello")
        data = envelope_ok(api.get(f"/3/image/{up['id']}"))
        assert set(data) == IMAGE_KEYS
        expected = {**up, "deletehash": "", "name": ""}
        assert data == expected
        assert data["account_id"] is None and data["account_url"] is None
        assert isinstance(data["datetime"], int) and abs(data["datetime"] - time.time()) < 120

    def test_owner_by_deletehash_sees_secrets(self, api: httpx.Client) -> None:
        up = upload(api, body=unique_jpeg(202), filename="f202.jpg")
        data = envelope_ok(api.get(f"/3/image/{up['deletehash']}"))
        assert data["deletehash"] == up["deletehash"] and data["name"] == "f202.jpg"

    def test_views_counted_without_waiting_for_flush(self, api: httpx.Client) -> None:
        up = upload(api, body=unique_jpeg(203))
        for _ in range(3):
            assert api.get(up["link"]).status_code == 200
        data = envelope_ok(api.get(f"/3/image/{up['id']}"))
        assert data["views"] == 3 and data["bandwidth"] == 3 * up["size"]


class TestUpdate:
    def test_update_by_deletehash_post_and_put(self, api: httpx.Client) -> None:
        up = upload(api, body=unique_jpeg(210))
        assert envelope_ok(api.post(f"/3/image/{up['deletehash']}", data={"title": "new"})) is True
        assert envelope_ok(api.put(f"/3/image/{up['deletehash']}", json={"description": "desc"})) is True
        data = envelope_ok(api.get(f"/3/image/{up['id']}"))
        assert (data["title"], data["description"]) == ("new", "desc")

    def test_update_by_id_without_ownership_is_refused_and_changes_nothing(self, api: httpx.Client) -> None:
        up = upload(api, body=unique_jpeg(211), title="keep")
        envelope_error(api.post(f"/3/image/{up['id']}", data={"title": "hijack"}), 403)
        assert envelope_ok(api.get(f"/3/image/{up['id']}"))["title"] == "keep"

    def test_update_missing(self, api: httpx.Client) -> None:
        envelope_error(api.post("/3/image/ABCDEFGHIJKLMNO", data={"title": "x"}), 404)


class TestDelete:
    def test_delete_by_id_refused(self, api: httpx.Client) -> None:
        up = upload(api, body=unique_jpeg(220))
        envelope_error(api.delete(f"/3/image/{up['id']}"), 403)
        assert api.get(up["link"]).status_code == 200

    def test_delete_removes_row_original_and_variants(self, api: httpx.Client, server: LiveServer) -> None:
        up = upload(api, body=unique_jpeg(221))
        base = up["link"].rsplit(".", 1)[0]
        for s in "sbtmlh":
            assert api.get(f"{base}{s}.jpg").status_code == 200
        before = _stored_files(server)
        assert envelope_ok(api.delete(f"/3/image/{up['deletehash']}")) is True
        envelope_error(api.get(f"/3/image/{up['id']}"), 404)
        assert api.get(up["link"]).status_code == 404
        assert api.get(f"{base}m.jpg").status_code == 404
        gone = before - _stored_files(server)
        assert len(gone) == 7  # original + six thumbnails
        envelope_error(api.delete(f"/3/image/{up['deletehash']}"), 404)

    def test_identical_bytes_stored_once_and_kept_while_used(
        self, api: httpx.Client, server: LiveServer
    ) -> None:
        body = unique_jpeg(222)
        a = envelope_ok(api.post("/3/upload", files={"image": ("a.jpg", body)}))
        files_after_a = _stored_files(server)
        b = envelope_ok(api.post("/3/upload", files={"image": ("b.jpg", body)}))
        assert a["id"] != b["id"] and a["deletehash"] != b["deletehash"]
        assert _stored_files(server) == files_after_a
        envelope_ok(api.delete(f"/3/image/{a['deletehash']}"))
        assert api.get(b["link"]).content == body
        envelope_ok(api.delete(f"/3/image/{b['deletehash']}"))
        assert len(files_after_a - _stored_files(server)) == 1

    def test_a_shared_fingerprint_is_not_shared_bytes(self, api: httpx.Client, server: LiveServer) -> None:
        """Two photos of one size, alike in their first and last 64 KiB and different in between: the
        fingerprint finds the first as a candidate for the second, the comparison tells them apart."""
        first = _noise_jpeg(223)
        middle = len(first) // 2
        while 0xFF in first[middle - 1 : middle + 2]:  # flip a byte of scan data, not of a marker
            middle += 1
        second = first[:middle] + bytes([first[middle] ^ 0x01]) + first[middle + 1 :]
        assert len(first) > 4 * 65536 and len(second) == len(first) and second != first
        before = _stored_files(server)
        a = envelope_ok(api.post("/3/upload", files={"image": ("a.jpg", first)}))
        b = envelope_ok(api.post("/3/upload", files={"image": ("b.jpg", second)}))
        assert len(_stored_files(server) - before) == 2
        assert api.get(a["link"]).content == first
        assert api.get(b["link"]).content == second
        # A third copy of either is found among the candidates and shares its file.
        files = _stored_files(server)
        c = envelope_ok(api.post("/3/upload", files={"image": ("c.jpg", second)}))
        assert _stored_files(server) == files
        assert api.get(c["link"]).content == second
        for up in (a, b, c):
            envelope_ok(api.delete(f"/3/image/{up['deletehash']}"))
        assert _stored_files(server) == before


def _noise_jpeg(seed: int) -> bytes:
    """Random pixels: a JPEG of a few hundred KB, different for each seed."""
    im = Image.frombytes("RGB", (800, 800), random.Random(seed).randbytes(800 * 800 * 3))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90)
    return out.getvalue()


def _csrf(page: str) -> str:
    """The CSRF token of a page's form (the delete and sign-in pages each have one)."""
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


class TestDeletePage:
    def test_get_asks_post_deletes(self, api: httpx.Client, raw: httpx.Client) -> None:
        up = upload(api, body=unique_jpeg(230))
        page = raw.get(f"/delete/{up['deletehash']}")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert 'id="confirm"' in page.text
        assert api.get(up["link"]).status_code == 200  # asking deletes nothing
        # Without the page's CSRF token the post is refused and nothing is deleted.
        assert raw.post(f"/delete/{up['deletehash']}").status_code == 403
        assert api.get(up["link"]).status_code == 200
        done = raw.post(f"/delete/{up['deletehash']}", data={"csrf_token": _csrf(page.text)})
        assert done.status_code == 200 and 'id="deleted"' in done.text
        assert api.get(up["link"]).status_code == 404

    def test_unknown_deletehash_is_html_404(self, raw: httpx.Client) -> None:
        r = raw.get("/delete/AAAAAAAAAAAAAAA")
        assert r.status_code == 404 and "text/html" in r.headers["content-type"]

    def test_id_is_not_a_deletehash(self, api: httpx.Client, raw: httpx.Client) -> None:
        up = upload(api, body=unique_jpeg(231))
        token = _csrf(raw.get("/signin").text)
        assert raw.post(f"/delete/{up['id']}", data={"csrf_token": token}).status_code == 404
        assert api.get(up["link"]).status_code == 200
