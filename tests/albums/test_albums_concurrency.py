"""Concurrent changes to albums keep them consistent, on the session server (one worker) and on a server
with three worker processes sharing one database (where requests really interleave).

* Add/remove on one album: twenty threads each add two images of their own (one after the other), five
  threads remove the images the album started with (new POST form and 2012 `DELETE /album/{id}?ids=`
  form), four threads race to add the same image. Afterwards the list has no duplicates, exactly the
  expected images, album GET and /images agree, images_count matches, and the order is the order in which
  adds were accepted: an add answered before another add was sent comes first.
* Delete racing with changes: while an album is deleted, adds, sets, favorites and uploads into it either
  happen before the delete (200) or find it gone (404) — never a 500, never an image stored for a refused
  upload, never a row left pointing at the deleted album.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest

from tests.accounts.helpers import db_rows, unique_png
from tests.albums.helpers import (
    album_image_ids,
    client_auth,
    create,
    envelope_ok,
    get_album,
    make_account,
)
from tests.api.helpers import upload as upload_image
from tests.live import UNLIMITED, LiveServer, free_port, start_server, stored_keys

ADDERS = 20
REMOVERS = 5
SAME_IMAGE_RACERS = 4
BIG_LIMITS = {
    **UNLIMITED,
}


@dataclass
class Target:
    server: LiveServer
    http: httpx.Client
    creds: tuple[str, str]


@pytest.fixture(scope="module")
def workers_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    srv = start_server(
        tmp_path_factory.mktemp("imghost-albums-workers"), port=free_port(), extra_env=BIG_LIMITS, workers=3
    )
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module", params=["one-worker", "three-workers"])
def target(
    request: pytest.FixtureRequest, http: httpx.Client, session_client: tuple[str, str]
) -> Iterator[Target]:
    if request.param == "one-worker":
        yield Target(request.getfixturevalue("server"), http, session_client)
        return
    srv: LiveServer = request.getfixturevalue("workers_server")
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    with httpx.Client(base_url=srv.url, timeout=60, limits=limits) as c:
        yield Target(srv, c, srv.create_client("albums"))


@dataclass
class Add:
    image_id: str
    sent: float = 0.0
    answered: float = 0.0


def test_concurrent_add_and_remove_keep_a_consistent_order(target: Target) -> None:
    http = target.http
    alice = make_account(http, target.creds, "conc")
    anon = client_auth(target.creds[0])
    seeds = [upload_image(http, alice.bearer)["id"] for _ in range(REMOVERS)]
    pairs = [
        (upload_image(http, alice.bearer)["id"], upload_image(http, alice.bearer)["id"])
        for _ in range(ADDERS)
    ]
    shared = upload_image(http, alice.bearer)["id"]
    album = create(http, alice.bearer, data={"ids[]": seeds})["id"]
    assert album_image_ids(http, alice.bearer, album) == seeds

    adds: list[list[Add]] = [[Add(a), Add(b)] for a, b in pairs]
    errors: list[str] = []
    start = threading.Barrier(ADDERS + REMOVERS + SAME_IMAGE_RACERS)

    def adder(k: int) -> None:
        start.wait()
        for add in adds[k]:  # one after the other: the first is answered before the second is sent
            add.sent = time.monotonic()
            r = http.post(f"/3/album/{album}/add", headers=alice.bearer, data={"ids[]": [add.image_id]})
            add.answered = time.monotonic()
            if r.status_code != 200 or r.json()["data"] is not True:
                errors.append(f"add {add.image_id}: {r.status_code} {r.text}")

    def remover(k: int) -> None:
        start.wait()
        if k % 2:
            r = http.post(f"/3/album/{album}/remove_images", headers=alice.bearer, data={"ids": seeds[k]})
        else:
            r = http.request("DELETE", f"/3/album/{album}", headers=alice.bearer, params={"ids": seeds[k]})
        if r.status_code != 200 or r.json()["data"] is not True:
            errors.append(f"remove {seeds[k]}: {r.status_code} {r.text}")

    def racer(_: int) -> None:
        start.wait()
        r = http.post(f"/3/album/{album}/add", headers=alice.bearer, data={"ids": shared})
        if r.status_code != 200:
            errors.append(f"add shared: {r.status_code} {r.text}")

    with ThreadPoolExecutor(ADDERS + REMOVERS + SAME_IMAGE_RACERS) as pool:
        futures = [pool.submit(adder, k) for k in range(ADDERS)]
        futures += [pool.submit(remover, k) for k in range(REMOVERS)]
        futures += [pool.submit(racer, k) for k in range(SAME_IMAGE_RACERS)]
        for f in futures:
            f.result(timeout=120)
    assert errors == []

    final = album_image_ids(http, alice.bearer, album)  # album GET and /images agree, count matches
    assert len(final) == len(set(final)), "duplicates in the album"
    expected = {i for pair in pairs for i in pair} | {shared}
    assert set(final) == expected, (set(final) - expected, expected - set(final))
    assert len(final) == 2 * ADDERS + 1

    # The order is the order of acceptance: every thread's second image after its first, and any add
    # answered before another was sent comes first.
    position = {image_id: n for n, image_id in enumerate(final)}
    flat = [add for per_thread in adds for add in per_thread]
    for first, second in adds:
        assert position[first.image_id] < position[second.image_id]
    violations = [
        (p.image_id, q.image_id)
        for p in flat
        for q in flat
        if p.answered < q.sent and position[p.image_id] > position[q.image_id]
    ]
    assert violations == []

    # Every image in the list is a real member: reachable through the album, and the cover is the first.
    album_data = get_album(http, anon, album)
    assert album_data["cover"] == final[0] and album_data["images_count"] == len(final)
    for image_id in final[:3] + final[-3:]:
        assert envelope_ok(http.get(f"/3/album/{album}/image/{image_id}", headers=anon))["id"] == image_id
    # And a later add still lands at the end.
    late = upload_image(http, alice.bearer)["id"]
    envelope_ok(http.post(f"/3/album/{album}/add", headers=alice.bearer, data={"ids[]": [late]}))
    assert album_image_ids(http, alice.bearer, album) == [*final, late]


# Sixteen writers per round: adds, sets, favorites and uploads into the album, and one delete among them.
KINDS = ["add"] * 10 + ["set"] * 2 + ["favorite"] * 2 + ["upload"] * 2
ROUNDS = {"one-worker": 6, "three-workers": 60}


def test_changes_racing_a_delete_either_happen_or_find_it_gone(
    target: Target, request: pytest.FixtureRequest
) -> None:
    http, srv = target.http, target.server
    owner = make_account(http, target.creds, "race")
    fan = make_account(http, target.creds, "fan")
    images = [upload_image(http, owner.bearer)["id"] for _ in KINDS]
    files_before = stored_keys(srv)
    uploads_ok: list[str] = []
    statuses: list[tuple[str, int, str]] = []
    lock = threading.Lock()

    for _ in range(ROUNDS[request.node.callspec.params["target"]]):
        album = create(http, owner.bearer, data={"ids[]": images[:1]})["id"]
        start = threading.Barrier(len(KINDS) + 1)

        def writer(k: int, album: str = album, start: threading.Barrier = start) -> None:
            start.wait()
            kind = KINDS[k]
            if kind == "add":
                r = http.post(f"/3/album/{album}/add", headers=owner.bearer, data={"ids[]": [images[k]]})
            elif kind == "set":
                r = http.post(
                    f"/3/album/{album}", headers=owner.bearer, data={"ids": f"{images[k]},{images[0]}"}
                )
            elif kind == "favorite":
                r = http.post(f"/3/album/{album}/favorite", headers=fan.bearer)
            else:
                r = http.post(
                    "/3/upload",
                    headers=owner.bearer,
                    files={"image": ("r.png", unique_png())},
                    data={"album": album},
                )
            with lock:
                statuses.append((kind, r.status_code, r.text[:300]))
                if kind == "upload" and r.status_code == 200:
                    uploads_ok.append(r.json()["data"]["id"])

        def deleter(album: str = album, start: threading.Barrier = start) -> None:
            start.wait()
            time.sleep(0.003)  # let the writers get going: the delete lands among them
            r = http.delete(f"/3/album/{album}", headers=owner.bearer)
            with lock:
                statuses.append(("delete", r.status_code, r.text[:300]))

        with ThreadPoolExecutor(len(KINDS) + 1) as pool:
            futures = [pool.submit(writer, k) for k in range(len(KINDS))] + [pool.submit(deleter)]
            for f in futures:
                f.result(timeout=120)
        assert http.get(f"/3/album/{album}", headers=owner.bearer).status_code == 404

    bad = [s for s in statuses if s[1] not in (200, 404) or (s[0] == "delete" and s[1] != 200)]
    assert bad == [], (
        f"{len(bad)} of {len(statuses)} calls neither happened nor found the album gone: {bad[:5]}"
    )
    for kind, status, text in statuses:
        if status == 404:
            assert "Unable to find an album with the id" in text, (kind, text)
    # Exactly the accepted uploads left files behind; every one of them is a live image.
    for image_id in uploads_ok:
        envelope_ok(http.get(f"/3/image/{image_id}", headers=owner.bearer))
    assert envelope_ok(http.get("/3/account/me/images/count", headers=owner.bearer)) == len(KINDS) + len(
        uploads_ok
    )
    assert len(stored_keys(srv) - files_before) == len(uploads_ok)
    assert envelope_ok(http.get("/3/account/me/albums/count", headers=owner.bearer)) == 0
    assert envelope_ok(http.get("/3/account/me/favorites", headers=fan.bearer)) == []
    assert db_rows(
        srv, "SELECT COUNT(*) FROM album_images WHERE album_id NOT IN (SELECT id FROM albums)"
    ) == [(0,)]
