from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.api.helpers import envelope_error, envelope_ok, unique_jpeg
from tests.live import LiveServer, free_port, start_server


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    srv = start_server(
        tmp_path_factory.mktemp("tight"), port=free_port(), extra_env={"IMGHOST_RATE_LIMIT_USER": "25"}
    )
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def tight_post(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    srv = start_server(
        tmp_path_factory.mktemp("tightpost"), port=free_port(), extra_env={"IMGHOST_RATE_LIMIT_POST": "3"}
    )
    yield srv
    srv.stop()


def _client(srv: LiveServer) -> httpx.Client:
    cid, _ = srv.create_client()
    return httpx.Client(base_url=srv.url, headers={"Authorization": f"Client-ID {cid}"}, timeout=30)


def test_user_limit_gives_429_envelope_and_refuses_without_charging(tight: LiveServer) -> None:
    with _client(tight) as c:
        envelope_ok(c.post("/3/upload", files={"image": unique_jpeg(50)}))  # 10
        envelope_ok(c.post("/3/upload", files={"image": unique_jpeg(51)}))  # 20
        r = c.post("/3/upload", files={"image": unique_jpeg(52)})  # would be 30 > 25
        data = envelope_error(r, 429)
        assert data["error"] == "Too Many Requests"
        assert r.headers["x-ratelimit-userremaining"] == "5"
        for _ in range(5):
            assert c.get("/3/image/zzzzzzz").status_code == 404
        envelope_error(c.get("/3/image/zzzzzzz"), 429)
        # credits still answer when the budget is gone
        assert envelope_ok(c.get("/3/credits"))["UserRemaining"] == 0


def test_post_limit_is_per_ip(tight_post: LiveServer) -> None:
    tight = tight_post
    with _client(tight) as a:
        statuses = [a.post("/3/image/zzzzzzz", data={"title": "x"}).status_code for _ in range(3)]
        assert statuses == [404, 404, 404]
        with _client(tight) as b:  # another application, same address
            r = b.post("/3/image/zzzzzzz", data={"title": "x"})
            envelope_error(r, 429)
            assert r.headers["x-post-rate-limit-remaining"] == "0"
            envelope_ok(b.get("/3/credits"))  # GETs are not POSTs
