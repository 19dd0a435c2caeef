"""Ranking and pagination, as properties (hypothesis) of the gallery service under a fixed clock.

In-process (the services of tests/inproc, on the suite's backend): random posts, shared at random times
(clustered within days, so that votes and age both matter, and spread over a year with some exactly on
the edge of a window) and voted on by a pool of accounts. For every listing — hot/viral, top in each
window, user/time, user/rising, with and without viral and mature posts — and random page sizes:

- every post the listing should hold appears exactly once across its pages, and nothing else does;
- the order is the one recomputed here from the formulas of domain/gallery/ranking.py (and the counts
  recomputed from the votes cast);
- a top window holds exactly the posts shared inside it;
- an upvote never moves a post down, a downvote never moves it up, in the viral, rising and top orders.

One set of services, images and accounts serves all of a test's examples; each example starts from an
empty gallery."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imghost.auth import Subject
from imghost.domain.gallery import ranking
from imghost.domain.gallery.model import Listing
from imghost.domain.gallery.service import GalleryService, ShareFields
from imghost.services import Services
from tests.inproc.conftest import InProc, inproc, postgres_template  # noqa: F401
from tests.inproc.helpers import app, put, user

T = TypeVar("T")

IMAGES = 12
OWNERS = 3
VOTERS = 8
VIRAL = 3  # the viral threshold of this gallery: reached with the voters at hand
DAY = 86_400
NOW = ranking.EPOCH + 400 * DAY
WINDOWS = ("day", "week", "month", "year", "all")
EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class Clock:
    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> float:
        return float(self.now)


@dataclass
class PostSpec:
    image: int
    age: int  # seconds before NOW
    mature: bool
    votes: list[int]  # one per voter: 1, -1 or 0


@dataclass
class Model:
    """What the test did, from which it expects what the service answers."""

    shared_at: dict[str, int] = field(default_factory=dict)
    mature: dict[str, bool] = field(default_factory=dict)
    votes: dict[str, dict[int, int]] = field(default_factory=dict)

    def ups(self, pid: str) -> int:
        return sum(1 for v in self.votes[pid].values() if v > 0)

    def downs(self, pid: str) -> int:
        return sum(1 for v in self.votes[pid].values() if v < 0)

    def points(self, pid: str) -> int:
        return self.ups(pid) - self.downs(pid)

    def expected(self, q: Listing, now: int) -> list[str]:
        """The listing recomputed from ranking.py's formulas: its members, in order."""
        members = [
            pid
            for pid in self.shared_at
            if (q.mature or not self.mature[pid])
            and not (q.section == "user" and not q.show_viral and self.points(pid) >= VIRAL)
        ]
        if q.sort == "top":
            start = ranking.window_start(q.window, now)
            members = [pid for pid in members if self.shared_at[pid] >= start]

        def key(pid: str) -> tuple[Any, ...]:
            ups, downs, t = self.ups(pid), self.downs(pid), self.shared_at[pid]
            if q.sort == "viral":
                return (ranking.hot(ups, downs, t), pid)
            if q.sort == "rising":
                return (ranking.rising(ups, downs, t), pid)
            if q.sort == "top":
                return (ups - downs, t, pid)
            return (t, pid)

        return sorted(members, key=key, reverse=True)


class World:
    """Services on an event loop of their own, kept for all of a test's examples."""

    def __init__(self, settings: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.svc: Services = self.run(Services.start(settings))
        self.clock = Clock(NOW)
        self.gallery = GalleryService(self.svc.db, viral_points=VIRAL, clock=self.clock)
        self.owners: list[Subject] = []
        self.voters: list[Subject] = []
        self.images: list[tuple[str, Subject]] = []
        self.run(self._populate())

    def run(self, coro: Awaitable[T]) -> T:
        return self.loop.run_until_complete(coro)

    async def _populate(self) -> None:
        caller = await app(self.svc)
        self.owners = [await user(self.svc, caller, "own") for _ in range(OWNERS)]
        self.voters = [await user(self.svc, caller, "vot") for _ in range(VOTERS)]
        for n in range(IMAGES):
            owner = self.owners[n % OWNERS]
            self.images.append(((await put(self.svc, owner)).id, owner))

    def close(self) -> None:
        self.run(self.svc.close())
        self.loop.close()

    async def build(self, specs: list[PostSpec]) -> Model:
        """An empty gallery, then the posts of specs shared at their times and voted on."""
        await self.svc.db.execute("DELETE FROM gallery_posts")
        model = Model()
        for spec in sorted(specs, key=lambda s: -s.age):
            image_id, owner = self.images[spec.image]
            self.clock.now = NOW - spec.age
            await self.gallery.share(
                owner, image_id, "image", ShareFields(title=f"t{image_id}", terms=True, mature=spec.mature)
            )
            model.shared_at[image_id] = NOW - spec.age
            model.mature[image_id] = spec.mature
            model.votes[image_id] = {}
        self.clock.now = NOW
        for spec in specs:
            image_id = self.images[spec.image][0]
            for voter, value in zip(self.voters, spec.votes, strict=True):
                if value:
                    await self.gallery.vote(voter, image_id, "up" if value > 0 else "down")
                    model.votes[image_id][int(voter.account_id or 0)] = value
        return model

    async def pages(self, q: Listing) -> list[str]:
        """Every id of a listing, page after page until the first empty one."""
        out: list[str] = []
        for page in range(100):
            found = await self.gallery.listing(replace(q, page=page))
            if not found:
                return out
            out.extend(p.id for p in found)
        raise AssertionError("a listing that never ends")


@pytest.fixture
def world(inproc: InProc) -> Iterator[World]:  # noqa: F811
    w = World(inproc.settings)
    try:
        yield w
    finally:
        w.close()


# Ages: mostly within three days (votes and age both matter), some over a year, some on a window's edge.
EDGES = [span + d for span in ranking.WINDOWS.values() if span for d in (-1, 0, 1)]
AGES = st.one_of(st.integers(0, 3 * DAY), st.integers(0, 400 * DAY), st.sampled_from(EDGES))
POSTS = st.lists(
    st.builds(
        PostSpec,
        image=st.integers(0, IMAGES - 1),
        age=AGES,
        mature=st.booleans(),
        votes=st.lists(st.sampled_from((1, 1, -1, 0)), min_size=VOTERS, max_size=VOTERS),
    ),
    min_size=1,
    max_size=IMAGES,
    unique_by=lambda s: s.image,
)
KINDS = st.one_of(
    st.just(("hot", "viral", "day")),
    st.tuples(st.just("top"), st.just("top"), st.sampled_from(WINDOWS)),
    st.tuples(st.just("user"), st.sampled_from(("time", "rising", "viral")), st.just("day")),
)
LISTINGS = st.builds(
    lambda kind, mature, show_viral, per_page: Listing(
        section=kind[0], sort=kind[1], window=kind[2], mature=mature, show_viral=show_viral, per_page=per_page
    ),
    KINDS,
    st.booleans(),
    st.booleans(),
    st.integers(1, 5),
)


@given(specs=POSTS, queries=st.lists(LISTINGS, min_size=3, max_size=6))
@EXAMPLES
def test_every_post_once_in_formula_order(
    world: World, specs: list[PostSpec], queries: list[Listing]
) -> None:
    model = world.run(world.build(specs))
    for q in queries:
        listed = world.run(world.pages(q))
        assert len(listed) == len(set(listed)), q
        assert listed == model.expected(q, NOW), q
    # The counts each post carries are the votes cast.
    posts = world.run(world.gallery.many(list(model.shared_at)))
    for pid, post in posts.items():
        assert (post.ups, post.downs, post.points) == (model.ups(pid), model.downs(pid), model.points(pid))
        assert post.shared_at == model.shared_at[pid]
        assert post.hot == ranking.hot(post.ups, post.downs, post.shared_at)
        assert post.rising == ranking.rising(post.ups, post.downs, post.shared_at)


@given(specs=POSTS, window=st.sampled_from(WINDOWS), per_page=st.integers(1, 5))
@EXAMPLES
def test_windows_hold_exactly_the_posts_shared_inside(
    world: World, specs: list[PostSpec], window: str, per_page: int
) -> None:
    model = world.run(world.build(specs))
    q = Listing(section="top", sort="top", window=window, mature=True, per_page=per_page)
    listed = world.run(world.pages(q))
    span = ranking.WINDOWS[window]
    inside = {pid for pid, t in model.shared_at.items() if not span or t >= NOW - span}
    assert set(listed) == inside and len(listed) == len(inside)
    # A post shared exactly one window ago is in it; a second earlier, it is not.
    for spec in specs:
        pid = world.images[spec.image][0]
        if span and spec.age == span:
            assert pid in listed
        if span and spec.age == span + 1:
            assert pid not in listed


ORDERS = [
    Listing(section="hot", sort="viral", mature=True),
    Listing(section="user", sort="rising", mature=True),
    *(Listing(section="top", sort="top", window=w, mature=True) for w in WINDOWS),
]


@given(specs=POSTS, pick=st.integers(0, IMAGES - 1), voter=st.integers(0, VOTERS - 1), up=st.booleans())
@EXAMPLES
def test_an_upvote_never_moves_a_post_down_nor_a_downvote_up(
    world: World, specs: list[PostSpec], pick: int, voter: int, up: bool
) -> None:
    world.run(world.build(specs))
    spec = specs[pick % len(specs)]
    pid = world.images[spec.image][0]
    before = [world.run(world.pages(q)) for q in ORDERS]
    world.run(world.gallery.vote(world.voters[voter], pid, "up" if up else "down"))
    after = [world.run(world.pages(q)) for q in ORDERS]
    for q, was, now in zip(ORDERS, before, after, strict=True):
        assert sorted(was) == sorted(now), q  # a vote moves posts, it adds or removes none
        if pid not in was:
            continue
        if up:
            assert now.index(pid) <= was.index(pid), q
        else:
            assert now.index(pid) >= was.index(pid), q
        # Everybody else keeps their order among themselves.
        assert [i for i in now if i != pid] == [i for i in was if i != pid], q
