"""Comments under concurrency, on a live server: many accounts voting on one comment leave exact counts,
concurrent replies and deletes leave consistent trees, and deleting an account in the middle of its
votes leaves no stray vote."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx
import pytest

from imghost.domain.gallery.ranking import wilson
from tests.accounts.helpers import User, make_user
from tests.community.gallery_helpers import shared_image
from tests.community.test_comments import comment, comments_of, count, get_comment, standing, walk
from tests.live import LiveServer, db_rows

T = TypeVar("T")


def parallel(n: int, work: Callable[[int], T]) -> list[T]:
    """work(0) ... work(n - 1), each in a thread of its own, started together."""
    start = threading.Barrier(n)

    def run(i: int) -> T:
        start.wait()
        return work(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def post_as(server: LiveServer, client_id: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Client-ID {client_id}"}, timeout=120)


def consistent(server: LiveServer, post: str) -> list[tuple[Any, ...]]:
    """The post's comment rows, after checking what a tree must be: every reply's parent exists on the
    same post, no deleted comment is left without replies, and comment_count counts what is not deleted."""
    rows = db_rows(server, "SELECT id, parent_id, deleted, post_id FROM comments WHERE post_id = ?", (post,))
    by_id = {r[0]: r for r in rows}
    for cid, parent, _, _ in rows:
        if parent is not None:
            assert parent in by_id, f"comment {cid} is under {parent}, which is gone"
    parents = {r[1] for r in rows}
    assert not [r[0] for r in rows if r[2] and r[0] not in parents], "deleted comments left without replies"
    standing_rows = sum(1 for r in rows if not r[2])
    assert db_rows(server, "SELECT comment_count FROM gallery_posts WHERE id = ?", (post,)) == [
        (standing_rows,)
    ]
    return rows


def test_fifty_concurrent_voters(
    api: httpx.Client, server: LiveServer, session_client: tuple[str, str]
) -> None:
    owner = make_user(server, session_client)
    voters = [make_user(server, session_client, prefix="storm") for _ in range(50)]
    post = shared_image(api, owner)["id"]
    cid = comment(api, owner, post, "vote on me, all at once")

    def first(i: int) -> int:
        r = api.post(f"/3/comment/{cid}/vote/{'up' if i % 5 < 3 else 'down'}", headers=voters[i].bearer)
        return r.status_code

    assert parallel(50, first) == [200] * 50
    c = get_comment(api, cid)
    assert (c["ups"], c["downs"], c["points"]) == (30, 20, 10)
    assert db_rows(server, "SELECT best FROM comments WHERE id = ?", (cid,))[0][0] == pytest.approx(
        wilson(30, 20)
    )

    # Everyone changes their mind at once: ups become downs, downs take theirs back.
    def second(i: int) -> int:
        r = api.post(f"/3/comment/{cid}/vote/{'down' if i % 5 < 3 else 'veto'}", headers=voters[i].bearer)
        return r.status_code

    assert parallel(50, second) == [200] * 50
    c = get_comment(api, cid)
    assert (c["ups"], c["downs"], c["points"]) == (0, 30, -30)
    assert db_rows(server, "SELECT COUNT(*), SUM(vote) FROM comment_votes WHERE comment_id = ?", (cid,)) == [
        (30, -30)
    ]


def test_concurrent_replies_and_deletes_keep_the_tree(
    api: httpx.Client, server: LiveServer, session_client: tuple[str, str]
) -> None:
    owner = make_user(server, session_client)
    people = [make_user(server, session_client, prefix="thread") for _ in range(8)]
    post = shared_image(api, owner)["id"]
    roots = [comment(api, people[n % 8], post, f"root {n}") for n in range(4)]
    known: list[tuple[int, User]] = [(r, people[n % 8]) for n, r in enumerate(roots)]
    lock = threading.Lock()
    statuses: list[int] = []

    def work(i: int) -> None:
        me = people[i]
        rng = random.Random(i)
        for step in range(12):
            with lock:
                target, author = rng.choice(known)
            if author is me and rng.random() < 0.5:
                r = api.delete(f"/3/comment/{target}", headers=me.bearer)
                assert r.status_code in (200, 404), r.text
            else:
                r = api.post(
                    "/3/comment",
                    headers=me.bearer,
                    data={"image_id": post, "comment": f"{i}.{step}", "parent_id": target},
                )
                # The parent may have been deleted (400) or removed (404) a moment ago.
                assert r.status_code in (200, 400, 404), r.text
                if r.status_code == 200:
                    with lock:
                        known.append((r.json()["data"]["id"], me))
            with lock:
                statuses.append(r.status_code)

    parallel(8, work)
    assert 200 in statuses
    rows = consistent(server, post)
    trees = comments_of(api, post)
    assert sorted(c["id"] for c in walk(trees)) == sorted(r[0] for r in rows)  # no comment lost from the tree
    assert standing(trees) == count(api, post)

    # Everyone deletes everything of theirs, all at once: nothing is left, the count is 0.
    def clear(i: int) -> None:
        for cid, author in list(known):
            if author is people[i]:
                assert api.delete(f"/3/comment/{cid}", headers=people[i].bearer).status_code in (200, 404)

    parallel(8, clear)
    assert consistent(server, post) == []
    assert comments_of(api, post) == [] and count(api, post) == 0


def test_account_deleted_mid_vote_storm(
    api: httpx.Client, server: LiveServer, session_client: tuple[str, str]
) -> None:
    owner, leaving = make_user(server, session_client), make_user(server, session_client, prefix="leaving")
    others = [make_user(server, session_client, prefix="stays") for _ in range(5)]
    post = shared_image(api, owner)["id"]
    targets = [comment(api, owner, post, f"target {n}") for n in range(10)]
    mine = [comment(api, leaving, post, f"mine {n}", parent=targets[n]) for n in range(3)]
    replies_to_mine = [comment(api, others[0], post, "under yours", parent=mine[0])]

    def work(i: int) -> None:
        if i == 0:
            r = api.delete(f"/3/account/{leaving.name}", headers=leaving.bearer)
            assert r.status_code == 200, r.text
            return
        who = leaving if i <= 3 else others[i - 4]
        rng = random.Random(i)
        for _ in range(15):
            cid = rng.choice(targets + mine)
            r = api.post(f"/3/comment/{cid}/vote/{rng.choice(['up', 'down', 'veto'])}", headers=who.bearer)
            # The leaving account is refused once its deletion began; its comments may be gone.
            assert r.status_code in (200, 400, 403, 404), r.text

    parallel(9, work)
    assert db_rows(server, "SELECT COUNT(*) FROM comment_votes WHERE account_id = ?", (leaving.id,)) == [(0,)]
    assert db_rows(server, "SELECT COUNT(*) FROM comments WHERE account_id = ?", (leaving.id,)) == [(0,)]
    # Every comment's counts are its votes, and the tree holds.
    stored = db_rows(
        server,
        "SELECT c.id, c.ups, c.downs,"
        " (SELECT COUNT(*) FROM comment_votes v WHERE v.comment_id = c.id AND v.vote > 0),"
        " (SELECT COUNT(*) FROM comment_votes v WHERE v.comment_id = c.id AND v.vote < 0)"
        " FROM comments c WHERE c.post_id = ?",
        (post,),
    )
    assert all(ups == real_ups and downs == real_downs for _, ups, downs, real_ups, real_downs in stored)
    rows = consistent(server, post)
    assert {r[0] for r in rows} == set(targets) | {mine[0]} | set(replies_to_mine)
    assert get_comment(api, mine[0])["deleted"] is True
