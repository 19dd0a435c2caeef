"""Backing services failing under a running server, and uploads torn off half-way.

Every test here runs against PostgreSQL, Redis and S3 servers of this module's own, because it stops them:
never the services a CI run shares between modules. While a service is away the API answers 503 with the
Imgur error envelope (never a 500, never a traceback or an HTML page) and leaves nothing half-done behind;
when it is back, the same requests succeed again without restarting imghost."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.api.helpers import envelope_error, envelope_ok, unique_jpeg
from tests.live import LiveServer, stored_keys
from tests.scale.conftest import Launch
from tests.scale.helpers import (
    BIG_LIMITS,
    EMBEDDED_ENV,
    api_client,
    count_images,
    eventually,
    log_excerpt,
    media_url,
    pg_count_images,
    tmp_leftovers,
    torn_upload,
)
from tests.services import PostgresServer, RedisServer, SeaweedServer

BUCKET = "imghost-faults"
RECOVERY = 30.0  # seconds a restarted service may take before requests succeed again


@dataclass
class OwnServices:
    pg: PostgresServer
    redis: RedisServer
    s3: SeaweedServer

    @property
    def env(self) -> dict[str, str]:
        return {
            "IMGHOST_DATABASE_URL": self.pg.dsn,
            "IMGHOST_REDIS_URL": self.redis.url,
            "IMGHOST_REDIS_PREFIX": "faults:",
            "IMGHOST_STORAGE_URL": f"s3://{BUCKET}/media",
            "IMGHOST_S3_ENDPOINT_URL": self.s3.endpoint_url,
            "IMGHOST_S3_ACCESS_KEY": self.s3.access_key,
            "IMGHOST_S3_SECRET_KEY": self.s3.secret_key,
            "IMGHOST_S3_REGION": "us-east-1",
        }

    def all_running(self) -> None:
        for svc in (self.pg, self.redis, self.s3):
            if not svc.running:
                svc.start()


@pytest.fixture(scope="module")
def own() -> Iterator[OwnServices]:
    pg, redis, s3 = PostgresServer(), RedisServer(), SeaweedServer()
    try:
        for svc in (pg, redis, s3):
            svc.start()
        yield OwnServices(pg, redis, s3)
    finally:
        for svc in (s3, redis, pg):
            svc.close()


@pytest.fixture(scope="module")
def srv(own: OwnServices, module_launch: Launch) -> LiveServer:
    # The bucket does not exist yet: the server creates it at startup.
    return module_launch({**own.env, **BIG_LIMITS}, name="faults")


@pytest.fixture(scope="module")
def cid(srv: LiveServer) -> str:
    return srv.create_client("faults")[0]


@pytest.fixture(autouse=True)
def _services_back(request: pytest.FixtureRequest) -> Iterator[None]:
    """Whatever a test stopped is running again afterwards, so a failure does not cascade."""
    yield
    if "own" in request.fixturenames:
        request.getfixturevalue("own").all_running()


def _post_image(c: httpx.Client, seed: int) -> httpx.Response:
    return c.post("/3/upload", files={"image": (f"f{seed}.jpg", unique_jpeg(seed, 96, 64))})


def _assert_503(r: httpx.Response, server: LiveServer) -> None:
    assert "Traceback" not in r.text and "<html" not in r.text.lower(), r.text[:2000]
    assert r.status_code == 503, (r.status_code, r.text[:500], log_excerpt(server))
    data = envelope_error(r, 503)
    assert data["error"], data


def test_postgres_down_then_back(own: OwnServices, srv: LiveServer, cid: str) -> None:
    with api_client(srv, cid) as c:
        up = envelope_ok(_post_image(c, 7001))
        keys_before = stored_keys(srv)
        rows_before = pg_count_images(own.pg.dsn)

        # Readers in flight while the database goes away see 200 or 503, nothing else.
        seen: list[object] = []
        done = threading.Event()

        def reader() -> None:
            with api_client(srv, cid) as h:
                while not done.is_set():
                    try:
                        r = h.get(f"/3/image/{up['id']}")
                        seen.append(
                            r.status_code
                            if r.status_code in (200, 503)
                            else f"{r.status_code} {r.text[:300]}"
                        )
                    except httpx.HTTPError as exc:
                        seen.append(repr(exc))

        t = threading.Thread(target=reader)
        t.start()
        try:
            time.sleep(0.2)
            own.pg.stop()
            time.sleep(0.5)
        finally:
            done.set()
            t.join(90)
        assert set(seen) <= {200, 503}, (sorted(set(map(str, seen))), log_excerpt(srv))

        _assert_503(c.get(f"/3/image/{up['id']}"), srv)
        _assert_503(_post_image(c, 7002), srv)
        assert stored_keys(srv) == keys_before  # the refused upload left no object

        own.pg.start()
        assert pg_count_images(own.pg.dsn) == rows_before
        got = eventually(lambda: envelope_ok(c.get(f"/3/image/{up['id']}")), RECOVERY)
        assert got["id"] == up["id"]
        again = eventually(lambda: envelope_ok(_post_image(c, 7002)), RECOVERY)
        assert envelope_ok(c.get(f"/3/image/{again['id']}"))["size"] == again["size"]


def test_redis_down_then_back(own: OwnServices, srv: LiveServer, cid: str) -> None:
    with api_client(srv, cid) as c:
        up = envelope_ok(_post_image(c, 7101))
        keys_before = stored_keys(srv)
        rows_before = pg_count_images(own.pg.dsn)

        own.redis.stop()
        # Rate limits cannot be checked without Redis: refused, not waved through, not a 500.
        _assert_503(c.get(f"/3/image/{up['id']}"), srv)
        _assert_503(_post_image(c, 7102), srv)
        assert stored_keys(srv) == keys_before
        assert pg_count_images(own.pg.dsn) == rows_before

        own.redis.start()  # comes back empty, like a crashed cache
        r = eventually(lambda: _ok(c.get(f"/3/image/{up['id']}")), RECOVERY)
        assert int(r.headers["x-ratelimit-userremaining"]) > 0
        eventually(lambda: envelope_ok(_post_image(c, 7102)), RECOVERY)


def _ok(r: httpx.Response) -> httpx.Response:
    envelope_ok(r)
    return r


def test_s3_down_then_back(own: OwnServices, srv: LiveServer, cid: str) -> None:
    with api_client(srv, cid) as c:
        up = envelope_ok(_post_image(c, 7201))  # its thumbnails are never requested before S3 goes away
        keys_before = stored_keys(srv)
        rows_before = pg_count_images(own.pg.dsn)

        own.s3.stop()
        _assert_503(_post_image(c, 7202), srv)
        assert pg_count_images(own.pg.dsn) == rows_before  # no row for bytes that were never stored
        r = c.get(media_url(srv, up["link"], "m"))
        assert r.status_code in (503, 404), (r.status_code, r.text[:500], log_excerpt(srv))
        assert "Traceback" not in r.text

        own.s3.start()
        assert eventually(lambda: stored_keys(srv), RECOVERY) == keys_before
        again = eventually(lambda: envelope_ok(_post_image(c, 7202)), RECOVERY)
        assert pg_count_images(own.pg.dsn) == rows_before + 1
        assert c.get(media_url(srv, again["link"])).status_code == 200
        assert c.get(media_url(srv, up["link"], "m")).status_code == 200


@pytest.mark.parametrize("backend", ["embedded", "scale-out"])
def test_torn_upload_leaves_nothing(backend: str, request: pytest.FixtureRequest, launch: Launch) -> None:
    if backend == "embedded":
        server = launch({**EMBEDDED_ENV, **BIG_LIMITS}, name="torn")
        client_id = server.create_client("torn")[0]
    else:
        server = request.getfixturevalue("srv")
        client_id = request.getfixturevalue("cid")
    keys_before = stored_keys(server)
    rows_before = count_images(server)

    torn_upload(server, client_id, unique_jpeg(7301, 640, 480))

    # The server notices the hang-up and cleans up after itself: scratch files, objects, rows.
    def settled() -> None:
        assert tmp_leftovers(server) == []
        assert stored_keys(server) == keys_before
        assert count_images(server) == rows_before

    eventually(settled, 5.0)
    time.sleep(0.5)
    settled()
    assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
    with api_client(server, client_id) as c:
        up = envelope_ok(_post_image(c, 7302))
        assert c.get(media_url(server, up["link"])).status_code == 200
    assert count_images(server) == rows_before + 1
