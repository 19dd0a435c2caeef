"""Visitors' listings are kept, and never outlive a write (api/listing_answers.py, migration 0012).

Three `imghost serve` processes on one database: the writer takes every write; the keeper keeps visitors'
listings for 60 s (IMGHOST_GALLERY_LISTING_SECONDS), so that whatever it answers fresh after a write can
only come from the listing version; the third runs with the default bound (1 s). Every kind of write that
changes a listing is made on the writer and must be in the keeper's very next answer: a share, a re-share
with a new title, a comment (comment_count), a favourite (favorite_count), a tag change, an image's
description, an unshare, an image's deletion. A vote is the one change that is not (its counts are
bounded by time): the keeper still answers the page it kept, which proves that answers are kept at all,
while a signed-in reader of the keeper sees its vote at once and the default server within its bound."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.accounts.helpers import User, make_user
from tests.community.gallery_helpers import client_auth, envelope_ok, share, upload, vote
from tests.live import UNLIMITED, LiveServer, free_port, start_server

LISTING = "/3/gallery/user/time/day/0"
KEPT_SECONDS = 60
DEFAULT_SECONDS = 1.0


@dataclass
class Trio:
    writer: LiveServer
    keeper: LiveServer
    default: LiveServer
    anon: dict[str, str]
    owner: User
    fan: User


@pytest.fixture(scope="module", name="t")
def trio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trio]:
    data: Path = tmp_path_factory.mktemp("imghost-listings")
    started: list[LiveServer] = []
    try:
        for seconds in (KEPT_SECONDS, KEPT_SECONDS, None):
            env = dict(UNLIMITED)
            if seconds is not None:
                env["IMGHOST_GALLERY_LISTING_SECONDS"] = str(seconds)
            started.append(start_server(data, port=free_port(), extra_env=env))
        writer, keeper, default = started
        creds = writer.create_client("listings")
        yield Trio(
            writer,
            keeper,
            default,
            client_auth(creds[0]),
            make_user(writer, creds, prefix="lo"),
            make_user(writer, creds, prefix="lf"),
        )
    finally:
        for srv in started:
            srv.stop()


def listed(srv: LiveServer, headers: dict[str, str], path: str = LISTING) -> dict[str, dict[str, Any]]:
    items = envelope_ok(httpx.get(f"{srv.url}{path}", headers=headers, timeout=60))
    return {i["id"]: i for i in items}


def kept(t: Trio, path: str = LISTING) -> dict[str, dict[str, Any]]:
    """The keeper's answer, asked twice so that the second comes from what it keeps."""
    listed(t.keeper, t.anon, path)
    return listed(t.keeper, t.anon, path)


def post(t: Trio, **fields: str) -> str:
    """A new image of the owner's, shared through the writer."""
    image = upload(t.writer, t.owner.bearer)
    with httpx.Client(base_url=t.writer.url, timeout=60) as http:
        share(http, t.owner, image["id"], **fields)
    return str(image["id"])


def write(t: Trio, method: str, path: str, who: User, **data: Any) -> None:
    r = httpx.request(method, f"{t.writer.url}{path}", headers=who.bearer, data=data or None, timeout=60)
    envelope_ok(r)


def test_every_write_that_changes_a_listing_is_in_the_next_answer_of_another_process(t: Trio) -> None:
    kept(t)
    pid = post(t)
    before = listed(t.keeper, t.anon)[pid]  # the share itself

    write(t, "POST", f"/3/gallery/image/{pid}", t.owner, title="a new title", terms="1")
    assert listed(t.keeper, t.anon)[pid]["title"] == "a new title"

    kept(t)
    write(t, "POST", f"/3/gallery/{pid}/comment", t.fan, comment="first")
    assert listed(t.keeper, t.anon)[pid]["comment_count"] == before["comment_count"] + 1

    kept(t)
    write(t, "POST", f"/3/image/{pid}/favorite", t.fan)
    assert listed(t.keeper, t.anon)[pid]["favorite_count"] == before["favorite_count"] + 1

    kept(t)
    write(t, "POST", f"/3/gallery/tags/{pid}", t.owner, tags="kepttag")
    assert [g["name"] for g in listed(t.keeper, t.anon)[pid]["tags"]] == ["kepttag"]

    kept(t)
    write(t, "POST", f"/3/image/{pid}", t.owner, description="described")
    assert listed(t.keeper, t.anon)[pid]["description"] == "described"

    kept(t)
    write(t, "DELETE", f"/3/gallery/{pid}", t.owner)
    assert pid not in listed(t.keeper, t.anon)


def test_a_share_and_a_deletion_show_at_once(t: Trio) -> None:
    kept(t)
    pid = post(t)
    assert pid in listed(t.keeper, t.anon)
    # An image's deletion takes its post by cascade: no service call touches the post, the trigger sees it.
    kept(t)
    write(t, "DELETE", f"/3/image/{pid}", t.owner)
    assert pid not in listed(t.keeper, t.anon)


def test_a_kept_page_is_one_per_query(t: Trio) -> None:
    """What the query says is part of what is kept: the mature listing is not the plain one's page."""
    pid = post(t, mature="1")
    assert pid not in kept(t)
    assert pid in listed(t.keeper, t.anon, f"{LISTING}?mature=true")
    assert pid in listed(t.keeper, t.anon, f"{LISTING}?mature=true&album_previews=true")
    assert pid not in listed(t.keeper, t.anon)


def test_votes_are_bounded_by_time_and_never_kept_for_the_voter(t: Trio) -> None:
    pid = post(t)
    listed(t.default, t.anon)
    started = time.monotonic()
    was = kept(t)[pid]["points"]
    with httpx.Client(base_url=t.writer.url, timeout=60) as http:
        vote(http, t.fan, pid, "up")
    # The keeper's visitors still get the page it kept (the proof that pages are kept at all) ...
    assert listed(t.keeper, t.anon)[pid]["points"] == was
    # ... the voter, signed in, is never answered from it ...
    mine = listed(t.keeper, t.fan.bearer)[pid]
    assert (mine["points"], mine["vote"]) == (was + 1, "up")
    # ... and a server with the default bound has the vote once that bound has passed.
    time.sleep(max(0.0, started + DEFAULT_SECONDS + 0.1 - time.monotonic()))
    assert listed(t.default, t.anon)[pid]["points"] == was + 1
    # The next write that the version sees brings the keeper's visitors the vote too.
    write(t, "POST", f"/3/gallery/{pid}/comment", t.fan, comment="after the vote")
    assert listed(t.keeper, t.anon)[pid]["points"] == was + 1


def test_searches_are_kept_the_same_way(t: Trio) -> None:
    """A visitor's search is kept under the same version: a title edit is found at once by another
    process's kept search, the old title no longer; a vote is not in the kept answer yet."""
    word = f"kw{time.monotonic_ns() % 10**9}"
    path = f"/3/gallery/search/time/all/0?q={word}"
    pid = post(t, title=f"{word} first title")
    assert [i["title"] for i in kept(t, path).values()] == [f"{word} first title"]

    write(t, "POST", f"/3/gallery/image/{pid}", t.owner, title="renamed entirely", terms="1")
    assert listed(t.keeper, t.anon, path) == {}
    assert pid in listed(t.keeper, t.anon, "/3/gallery/search/time/all/0?q=renamed")

    write(t, "POST", f"/3/gallery/image/{pid}", t.owner, title=f"{word} again", terms="1")
    was = kept(t, path)[pid]["points"]
    with httpx.Client(base_url=t.writer.url, timeout=60) as http:
        vote(http, t.fan, pid, "up")
    assert listed(t.keeper, t.anon, path)[pid]["points"] == was
    assert listed(t.keeper, t.fan.bearer, path)[pid]["points"] == was + 1
