"""Several `imghost serve` processes behind one deployment.

Scale-out: two processes on two ports share PostgreSQL, S3 and Redis (same database URL, storage URL and Redis
prefix), so whatever one process does the other sees at once: the image, its update, its deletion, the rate
limit budget and the single rendering of a thumbnail. Also `--workers 2` on one port, and two processes on
one embedded data directory (SQLite + local disk)."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
import pytest

from tests.api.helpers import envelope_error, envelope_ok, unique_jpeg, upload
from tests.live import LiveServer, stored_keys
from tests.scale.conftest import Launch
from tests.scale.helpers import BIG_LIMITS, EMBEDDED_ENV, api_client, media_url, metric


@pytest.fixture(scope="module")
def pair(shared_backend: dict[str, str], module_launch: Launch) -> tuple[LiveServer, LiveServer]:
    env = {**shared_backend, **BIG_LIMITS}
    return _start_two(module_launch, env, "a", "b")


def _start_two(launch: Launch, env: dict[str, str], *names: str) -> tuple[LiveServer, LiveServer]:
    """Both processes start at once (each migrates the shared database under its lock)."""
    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(lambda name: launch(env, name=name), names)
    return a, b


@pytest.fixture(scope="module")
def client_id(pair: tuple[LiveServer, LiveServer]) -> str:
    # Registered through A's command line: B knows it because the database is shared.
    return pair[0].create_client("scale")[0]


def test_lifecycle_across_processes(pair: tuple[LiveServer, LiveServer], client_id: str) -> None:
    a, b = pair
    with api_client(a, client_id) as ca, api_client(b, client_id) as cb:
        keys_before = stored_keys(a)
        up = upload(ca, body=unique_jpeg(9101, 320, 240), title="from A")
        iid, dh = up["id"], up["deletehash"]

        # read on B: metadata and bytes
        seen = envelope_ok(cb.get(f"/3/image/{iid}"))
        fields = ("id", "size", "width", "height", "type", "title", "datetime")
        assert {k: seen[k] for k in fields} == {k: up[k] for k in fields}
        # each process builds links from its own public URL (IMGHOST_PUBLIC_URL): same media path
        assert urlsplit(seen["link"]).path == urlsplit(up["link"]).path
        assert envelope_ok(cb.get(f"/3/image/{dh}"))["deletehash"] == dh
        rb = cb.get(media_url(b, up["link"]))
        assert rb.status_code == 200 and len(rb.content) == up["size"]
        assert rb.headers["content-type"] == up["type"]
        ra = ca.get(media_url(a, up["link"]))
        assert ra.status_code == 200 and ra.content == rb.content
        # a thumbnail through each process, so both have had every chance to cache rows and bodies
        ta, tb = ca.get(media_url(a, up["link"], "m")), cb.get(media_url(b, up["link"], "m"))
        assert ta.status_code == tb.status_code == 200 and ta.content == tb.content
        new_keys = stored_keys(a) - keys_before
        assert len(new_keys) >= 2, new_keys  # original + the thumbnail

        # update on B, visible on both
        assert envelope_ok(cb.post(f"/3/image/{dh}", data={"title": "edited on B"})) is True
        assert envelope_ok(ca.get(f"/3/image/{iid}"))["title"] == "edited on B"
        assert envelope_ok(cb.get(f"/3/image/{iid}"))["title"] == "edited on B"

        # delete on B: both processes forget it at once, API and media alike
        assert envelope_ok(cb.delete(f"/3/image/{dh}")) is True
        for srv, c in ((a, ca), (b, cb)):
            envelope_error(c.get(f"/3/image/{iid}"), 404)
            envelope_error(c.get(f"/3/image/{dh}"), 404)
            for suffix in ("", "m"):
                r = c.get(media_url(srv, up["link"], suffix))
                assert r.status_code == 404, (srv.url, suffix, r.status_code)
        envelope_error(ca.delete(f"/3/image/{dh}"), 404)
        assert not (new_keys & stored_keys(b)), new_keys & stored_keys(b)


def test_rate_limit_is_shared(
    shared_backend: dict[str, str], launch: Launch, pair: tuple[LiveServer, LiveServer], client_id: str
) -> None:
    # Same database and storage as `pair`, but a Redis prefix of this pair's own: no other server's
    # requests touch these buckets.
    env = {
        **shared_backend,
        "IMGHOST_REDIS_PREFIX": f"t-rl-{uuid.uuid4().hex[:8]}:",
        "IMGHOST_RATE_LIMIT_USER": "20",
    }
    a, b = _start_two(launch, env, "rl-a", "rl-b")
    with api_client(pair[0], client_id) as cu:
        # uploaded elsewhere: none of the reader's credits are spent
        iid = upload(cu, body=unique_jpeg(9201, 320, 240))["id"]
    reader = a.create_client("reader")[0]
    with api_client(a, reader) as ca, api_client(b, reader) as cb:
        for i in range(20):
            c = (ca, cb)[i % 2]
            r = c.get(f"/3/image/{iid}")
            envelope_ok(r)
            assert r.headers["x-ratelimit-userlimit"] == "20"
            assert r.headers["x-ratelimit-userremaining"] == str(19 - i), (i, dict(r.headers))
        for c in (ca, cb):  # the 21st request, then one more on the other process
            r = c.get(f"/3/image/{iid}")
            assert envelope_error(r, 429)["error"] == "Too Many Requests"
            assert r.headers["x-ratelimit-userremaining"] == "0"
        assert envelope_ok(cb.get("/3/credits"))["UserRemaining"] == 0
        assert envelope_ok(ca.get("/3/credits"))["UserRemaining"] == 0


def test_thumbnail_rendered_once_across_processes(
    pair: tuple[LiveServer, LiveServer], client_id: str
) -> None:
    a, b = pair
    with api_client(a, client_id) as ca:
        up = upload(ca, body=unique_jpeg(9301, 320, 240))
    before = metric(a, "thumbnails_rendered") + metric(b, "thumbnails_rendered")
    urls = [media_url(srv, up["link"], "m") for srv in (a, b) for _ in range(25)]
    gate = threading.Barrier(len(urls))

    def fetch(url: str) -> tuple[int, bytes]:
        with httpx.Client(timeout=60) as c:
            gate.wait(30)
            r = c.get(url)
            return r.status_code, r.content

    with ThreadPoolExecutor(len(urls)) as pool:
        results = list(pool.map(fetch, urls))
    assert [s for s, _ in results] == [200] * len(urls)
    bodies = {body for _, body in results}
    assert len(bodies) == 1 and next(iter(bodies))[:2] == b"\xff\xd8"
    after = metric(a, "thumbnails_rendered") + metric(b, "thumbnails_rendered")
    assert after - before == 1


@pytest.mark.parametrize("backend", ["embedded", "scale-out"])
def test_two_workers_on_one_port(backend: str, shared_backend: dict[str, str], launch: Launch) -> None:
    env = {**(EMBEDDED_ENV if backend == "embedded" else shared_backend), **BIG_LIMITS}
    srv = launch(env, workers=2, name=f"w2-{backend}")
    cid = srv.create_client("workers")[0]

    def send(seed: int) -> dict:
        with api_client(srv, cid) as c:
            return upload(c, body=unique_jpeg(seed, 320, 240))

    def read(up: dict) -> None:
        with api_client(srv, cid) as c:
            assert envelope_ok(c.get(f"/3/image/{up['id']}"))["size"] == up["size"]
            r = c.get(media_url(srv, up["link"]))
            assert r.status_code == 200 and len(r.content) == up["size"]
            assert c.get(media_url(srv, up["link"], "s")).status_code == 200

    with ThreadPoolExecutor(12) as pool:
        ups = list(pool.map(send, range(9400, 9424)))
        assert len({u["id"] for u in ups}) == 24
        list(pool.map(read, ups * 2))


def test_two_processes_share_one_embedded_data_dir(
    tmp_path_factory: pytest.TempPathFactory, launch: Launch
) -> None:
    data = tmp_path_factory.mktemp("shared-embedded")
    env = {**EMBEDDED_ENV, **BIG_LIMITS}
    a = launch(env, data_dir=data, name="emb")
    b = launch(env, data_dir=data, name="emb")
    assert a.log != b.log
    cid = a.create_client("embedded")[0]
    with api_client(a, cid) as ca, api_client(b, cid) as cb:
        up = upload(ca, body=unique_jpeg(9501, 320, 240))
        seen = envelope_ok(cb.get(f"/3/image/{up['id']}"))
        assert seen["size"] == up["size"]
        rb = cb.get(media_url(b, up["link"]))
        assert rb.status_code == 200 and len(rb.content) == up["size"]
        # A serves it too before the delete (it may keep the row a few seconds: see below)
        assert ca.get(media_url(a, up["link"])).status_code == 200

        assert envelope_ok(cb.delete(f"/3/image/{up['deletehash']}")) is True
        envelope_error(ca.get(f"/3/image/{up['id']}"), 404)
        envelope_error(cb.get(f"/3/image/{up['id']}"), 404)
        assert cb.get(media_url(b, up["link"])).status_code == 404
        # The embedded default lets a single process answer media from a cached row for up to 5 s
        # (IMGHOST_METADATA_CACHE_SECONDS); past that, A must have noticed B's delete.
        deadline = time.monotonic() + 7
        while (status := ca.get(media_url(a, up["link"])).status_code) != 404 and time.monotonic() < deadline:
            time.sleep(0.25)
        assert status == 404
