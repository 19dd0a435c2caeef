"""Votes under concurrency, against a live server of two worker processes (so that two voters really are
two transactions at once, on SQLite's file lock or on PostgreSQL's row locks):

- fifty accounts voting on one post at the same moment leave exact ups, downs and points;
- votes replacing each other (every voter changing its mind many times, one account sending conflicting
  votes at once) leave counts that are exactly the votes that stand;
- accounts deleted in the middle of a vote storm leave no stray vote, and every count is exactly the
  surviving accounts' last votes.

Counts are read back over the API and checked against the vote rows themselves."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.accounts.helpers import User, make_user
from tests.community.gallery_helpers import client_auth, envelope_ok, get_post, shared_image, votes
from tests.live import UNLIMITED, LiveServer, db_rows, free_port, start_server

VOTERS = 50
VALUES = ("up", "down", "veto")


@pytest.fixture(scope="module")
def storm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, tuple[str, str]]]:
    data: Path = tmp_path_factory.mktemp("imghost-votes")
    srv = start_server(data, port=free_port(), workers=2, extra_env=UNLIMITED)
    try:
        yield srv, srv.create_client("votes")
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def server_url(storm: tuple[LiveServer, tuple[str, str]]) -> str:
    return storm[0].url


@pytest.fixture(scope="module")
def anon(storm: tuple[LiveServer, tuple[str, str]]) -> dict[str, str]:
    return client_auth(storm[1][0])


@pytest.fixture(scope="module")
def http(server_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server_url, timeout=120) as c:
        yield c


def _users(storm: tuple[LiveServer, tuple[str, str]], n: int, prefix: str) -> list[User]:
    srv, creds = storm
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda k: make_user(srv, creds, prefix=f"{prefix}{k}"), range(n)))


@pytest.fixture(scope="module")
def voters(storm: tuple[LiveServer, tuple[str, str]]) -> list[User]:
    return _users(storm, VOTERS, "cv")


@pytest.fixture
def poster(storm: tuple[LiveServer, tuple[str, str]]) -> User:
    """A post owner of the test's own: its reputation is what this test's votes add up to."""
    return _users(storm, 1, "cp")[0]


def _at_once(n: int, body: Callable[[int, httpx.Client], object], url: str) -> list[object]:
    """body(k, its own client) in n threads, released together."""
    start = threading.Barrier(n)

    def run(k: int) -> object:
        with httpx.Client(base_url=url, timeout=120) as c:
            start.wait()
            return body(k, c)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def _rows(srv: LiveServer, post_id: str) -> dict[int, int]:
    """account id -> vote, straight from the vote rows."""
    found = db_rows(srv, "SELECT account_id, vote FROM gallery_votes WHERE post_id = ?", (post_id,))
    return {int(a): int(v) for a, v in found}


def _assert_counts(
    http: httpx.Client, srv: LiveServer, anon: dict[str, str], post_id: str, expected: dict[int, int]
) -> None:
    """The post's counts are exactly the votes `expected` (account id -> 1 or -1), and so are its rows."""
    ups = sum(1 for v in expected.values() if v > 0)
    downs = sum(1 for v in expected.values() if v < 0)
    assert votes(http, anon, post_id) == {"ups": ups, "downs": downs}
    item = get_post(http, anon, post_id)
    assert (item["ups"], item["downs"], item["points"], item["score"]) == (
        ups,
        downs,
        ups - downs,
        ups - downs,
    )
    assert _rows(srv, post_id) == expected


def test_fifty_accounts_voting_at_once_leave_exact_counts(
    storm: tuple[LiveServer, tuple[str, str]],
    http: httpx.Client,
    anon: dict[str, str],
    voters: list[User],
    poster: User,
) -> None:
    srv = storm[0]
    post = shared_image(http, poster)["id"]
    choice = ["up" if k % 5 < 3 else "down" for k in range(VOTERS)]  # 30 up, 20 down

    def cast(k: int, c: httpx.Client) -> int:
        return c.post(f"/3/gallery/{post}/vote/{choice[k]}", headers=voters[k].bearer).status_code

    assert _at_once(VOTERS, cast, srv.url) == [200] * VOTERS
    expected = {voters[k].id: 1 if choice[k] == "up" else -1 for k in range(VOTERS)}
    _assert_counts(http, srv, anon, post, expected)
    assert (get_post(http, anon, post)["points"], sum(expected.values())) == (10, 10)
    # The owner's reputation is the post's points.
    assert envelope_ok(http.get(f"/3/account/{poster.name}", headers=anon))["reputation"] == 10.0


def test_votes_replacing_each_other_at_once_leave_the_last_votes(
    storm: tuple[LiveServer, tuple[str, str]],
    http: httpx.Client,
    anon: dict[str, str],
    voters: list[User],
    poster: User,
) -> None:
    srv = storm[0]
    post = shared_image(http, poster)["id"]
    rng = random.Random(1616)
    plans = [[rng.choice(VALUES) for _ in range(8)] for _ in range(VOTERS)]

    def change_minds(k: int, c: httpx.Client) -> list[int]:
        return [c.post(f"/3/gallery/{post}/vote/{v}", headers=voters[k].bearer).status_code for v in plans[k]]

    assert all(codes == [200] * 8 for codes in _at_once(VOTERS, change_minds, srv.url))
    last = {voters[k].id: {"up": 1, "down": -1, "veto": 0}[plans[k][-1]] for k in range(VOTERS)}
    _assert_counts(http, srv, anon, post, {a: v for a, v in last.items() if v})


def test_one_account_sending_conflicting_votes_at_once_counts_once(
    storm: tuple[LiveServer, tuple[str, str]],
    http: httpx.Client,
    anon: dict[str, str],
    voters: list[User],
    poster: User,
) -> None:
    srv = storm[0]
    post = shared_image(http, poster)["id"]
    who = voters[0]

    def send(k: int, c: httpx.Client) -> int:
        return c.post(f"/3/gallery/{post}/vote/{('up', 'down')[k % 2]}", headers=who.bearer).status_code

    assert _at_once(16, send, srv.url) == [200] * 16
    standing = _rows(srv, post)
    assert list(standing) == [who.id]
    _assert_counts(http, srv, anon, post, standing)
    assert get_post(http, who.bearer, post)["vote"] == {1: "up", -1: "down"}[standing[who.id]]


def test_accounts_deleted_in_a_vote_storm_leave_no_stray_vote(
    storm: tuple[LiveServer, tuple[str, str]],
    http: httpx.Client,
    anon: dict[str, str],
    voters: list[User],
    poster: User,
) -> None:
    srv = storm[0]
    posts = [shared_image(http, poster)["id"] for _ in range(3)]
    stayers = voters[:20]
    leavers = _users(storm, 6, "cl")
    rounds = 12
    plans = {
        u.id: [(rng.choice(posts), rng.choice(VALUES)) for _ in range(rounds * 3)]
        for u, rng in ((u, random.Random(u.id)) for u in stayers)
    }
    deleting = threading.Event()
    halfway = threading.Barrier(len(stayers) + 1)

    def stay(k: int, c: httpx.Client) -> dict[str, int]:
        """Votes the whole plan; returns its last vote on each post."""
        u = stayers[k]
        last: dict[str, int] = {}
        for n, (pid, value) in enumerate(plans[u.id]):
            if n == len(plans[u.id]) // 2:
                halfway.wait()  # the leavers go while everybody is mid-storm
            r = c.post(f"/3/gallery/{pid}/vote/{value}", headers=u.bearer)
            assert r.status_code == 200, r.text
            last[pid] = {"up": 1, "down": -1, "veto": 0}[value]
        return last

    def leave(k: int, c: httpx.Client) -> int:
        """Votes without pause until its account is gone; every vote before the deletion must count."""
        u = leavers[k - len(stayers)]
        rng = random.Random(k)
        sent = 0
        while True:
            r = c.post(f"/3/gallery/{rng.choice(posts)}/vote/{rng.choice(VALUES[:2])}", headers=u.bearer)
            sent += 1
            if r.status_code != 200:
                assert deleting.is_set(), r.text
                assert r.status_code in (401, 403), r.text
                return sent
            if sent > 5000:
                raise AssertionError("the account was never deleted")

    def body(k: int, c: httpx.Client) -> object:
        return stay(k, c) if k < len(stayers) else leave(k, c)

    def delete_leavers() -> list[int]:
        halfway.wait()
        deleting.set()

        def delete(u: User) -> int:
            return httpx.delete(f"{srv.url}/3/account/{u.name}", headers=u.bearer, timeout=120).status_code

        with ThreadPoolExecutor(len(leavers)) as pool:
            return list(pool.map(delete, leavers))

    with ThreadPoolExecutor(1) as side:
        deleted = side.submit(delete_leavers)
        results = _at_once(len(stayers) + len(leavers), body, srv.url)
        assert deleted.result() == [200] * len(leavers)
    finals = [r for r in results[: len(stayers)] if isinstance(r, dict)]
    assert len(finals) == len(stayers)
    assert all(isinstance(n, int) and n > 0 for n in results[len(stayers) :])

    gone = [u.id for u in leavers]
    marks = ", ".join("?" for _ in gone)
    stray = db_rows(srv, f"SELECT COUNT(*) FROM gallery_votes WHERE account_id IN ({marks})", tuple(gone))
    assert stray[0][0] == 0
    for pid in posts:
        expected: dict[int, int] = {}
        for u, last in zip(stayers, finals, strict=True):
            value = last.get(pid, 0)
            if value:
                expected[u.id] = value
        _assert_counts(http, srv, anon, pid, expected)
    # The owner's reputation is what the standing votes add up to.
    total = sum(get_post(http, anon, pid)["points"] for pid in posts)
    assert envelope_ok(http.get(f"/3/account/{poster.name}", headers=anon))["reputation"] == float(total)
