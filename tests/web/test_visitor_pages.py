"""Image pages for signed-out visitors are rendered once per version of the image's record
(web/page_cache.py). They must never show an old version: an edit or a delete shows on the next visit."""

from __future__ import annotations

import httpx

from tests.api.helpers import unique_jpeg, upload
from tests.live import LiveServer


def test_visitor_sees_edits_and_deletes_at_once(server: LiveServer, session_client: tuple[str, str]) -> None:
    anon = {"Authorization": f"Client-ID {session_client[0]}"}
    up = upload(server, anon, unique_jpeg(9311, 120, 90), title="First title")
    with httpx.Client(base_url=server.url, headers={"Accept-Encoding": "gzip"}) as visitor:
        for _ in range(3):
            r = visitor.get(f"/{up['id']}")
            assert r.status_code == 200 and "First title" in r.text
            assert r.headers["content-encoding"] == "gzip"
            # No form on a visitor's image page, so no token in it that another visitor could be served.
            assert 'name="csrf-token"' not in r.text and 'name="csrf_token"' not in r.text
        r = httpx.post(
            f"{server.url}/3/image/{up['deletehash']}", headers=anon, data={"title": "Second title"}
        )
        assert r.status_code == 200
        r = visitor.get(f"/{up['id']}")
        assert "Second title" in r.text and "First title" not in r.text
        plain = visitor.get(f"/{up['id']}", headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and "Second title" in plain.text
        assert httpx.delete(f"{server.url}/3/image/{up['deletehash']}", headers=anon).status_code == 200
        assert visitor.get(f"/{up['id']}").status_code == 404
