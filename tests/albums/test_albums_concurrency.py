"""Concurrent changes to one album's image list keep it consistent.

Twenty threads each add two images of their own (one after the other), five threads remove the images the
album started with (in both the new POST form and the 2012 `DELETE /album/{id}?ids=` form), and four
threads race to add the same image. Afterwards the list has no duplicates, exactly the expected images,
the album GET and /images agree, images_count matches, and the order respects the order in which adds
were accepted: an add answered before another add was sent comes first in the list.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
from tests.albums.helpers import User, album_image_ids, create, envelope_ok, get_album, upload

ADDERS = 20
REMOVERS = 5
SAME_IMAGE_RACERS = 4


@dataclass
class Add:
    image_id: str
    sent: float = 0.0
    answered: float = 0.0


def test_concurrent_add_and_remove_keep_a_consistent_order(http: httpx.Client, alice: User,
                                                           anon: dict[str, str]) -> None:
    seeds = [upload(http, alice.bearer)["id"] for _ in range(REMOVERS)]
    pairs = [(upload(http, alice.bearer)["id"], upload(http, alice.bearer)["id"]) for _ in range(ADDERS)]
    shared = upload(http, alice.bearer)["id"]
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
    violations = [(p.image_id, q.image_id) for p in flat for q in flat
                  if p.answered < q.sent and position[p.image_id] > position[q.image_id]]
    assert violations == []

    # Every image in the list is a real member: reachable through the album, and the cover is the first.
    album_data = get_album(http, anon, album)
    assert album_data["cover"] == final[0] and album_data["images_count"] == len(final)
    for image_id in final[:3] + final[-3:]:
        assert envelope_ok(http.get(f"/3/album/{album}/image/{image_id}", headers=anon))["id"] == image_id
    # And a later add still lands at the end.
    late = upload(http, alice.bearer)["id"]
    envelope_ok(http.post(f"/3/album/{album}/add", headers=alice.bearer, data={"ids[]": [late]}))
    assert album_image_ids(http, alice.bearer, album) == [*final, late]
