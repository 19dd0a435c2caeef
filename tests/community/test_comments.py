"""Comments over raw HTTP on a live server: the Comment object's exact shape, threads and their sorts,
deletion (with and without replies), who may delete, votes, limits, and the account's comment rows.

Comments are made on gallery posts: each test shares an image (or an album) first."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import pytest

from imghost.domain.gallery.ranking import wilson
from tests.accounts.helpers import User, make_user
from tests.api.helpers import envelope_error, envelope_ok, upload
from tests.community.gallery_helpers import share, shared_image
from tests.live import UNLIMITED, LiveServer, db_rows, free_port, start_server

COMMENT_KEYS = {
    "id",
    "image_id",
    "comment",
    "author",
    "author_id",
    "on_album",
    "album_cover",
    "ups",
    "downs",
    "points",
    "datetime",
    "parent_id",
    "deleted",
    "vote",
    "children",
    "platform",
    "has_admin_badge",
}


# ------------------------------------------------------------------------------------------ helpers


def make_admin(srv: LiveServer, user: User) -> None:
    srv.cli("user", "admin", user.name)


def ban(srv: LiveServer, user: User) -> None:
    srv.cli("user", "ban", user.name)


def comment(
    http: httpx.Client, who: User, post_id: str, text: str, parent: int | None = None, **extra: str
) -> int:
    """POST /3/comment (parent_id for a reply) and the new comment's id, checked to be {"id": int}."""
    data = {"image_id": post_id, "comment": text, **extra}
    if parent is not None:
        data["parent_id"] = str(parent)
    created = envelope_ok(http.post("/3/comment", headers=who.bearer, data=data))
    assert set(created) == {"id"} and isinstance(created["id"], int), created
    return int(created["id"])


def comments_of(
    http: httpx.Client, post_id: str, sort: str | None = None, headers: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    path = f"/3/gallery/{post_id}/comments" + (f"/{sort}" if sort else "")
    return envelope_ok(http.get(path, headers=dict(headers or {})))


def get_comment(http: httpx.Client, cid: int, headers: Mapping[str, str] | None = None) -> dict[str, Any]:
    return envelope_ok(http.get(f"/3/comment/{cid}", headers=dict(headers or {})))


def count(http: httpx.Client, post_id: str) -> int:
    n = envelope_ok(http.get(f"/3/gallery/{post_id}/comments/count"))
    post = envelope_ok(http.get(f"/3/gallery/{post_id}"))
    assert post["comment_count"] == n
    return int(n)


def walk(trees: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for c in trees:
        yield c
        yield from walk(c["children"])


def standing(trees: list[dict[str, Any]]) -> int:
    """How many comments of these trees are not deleted."""
    return sum(1 for c in walk(trees) if not c["deleted"])


def vote(http: httpx.Client, who: User, cid: int, value: str) -> None:
    assert envelope_ok(http.post(f"/3/comment/{cid}/vote/{value}", headers=who.bearer)) is True


@pytest.fixture
def users(server: LiveServer, session_client: tuple[str, str]) -> list[User]:
    """Three fresh accounts: a post's owner and two commenters."""
    return [make_user(server, session_client, prefix=p) for p in ("owner", "alice", "bob")]


# ------------------------------------------------------------------------------------ shape, trees


def test_comment_reply_and_tree_shape(api: httpx.Client, users: list[User]) -> None:
    owner, alice, bob = users
    post = shared_image(api, owner)["id"]
    before = int(time.time())
    top = comment(api, alice, post, "first!")
    reply = comment(api, bob, post, "a reply", parent=top)
    deeper = comment(api, alice, post, "a reply to the reply", parent=reply)
    other = comment(api, bob, post, "second top-level comment")

    trees = comments_of(api, post, "new")
    assert [c["id"] for c in trees] == [other, top]
    first = trees[1]
    assert set(first) == COMMENT_KEYS
    assert first == {
        "id": top,
        "image_id": post,
        "comment": "first!",
        "author": alice.name,
        "author_id": alice.id,
        "on_album": False,
        "album_cover": None,
        "ups": 0,
        "downs": 0,
        "points": 0,
        "datetime": first["datetime"],
        "parent_id": 0,
        "deleted": False,
        "vote": None,
        "children": first["children"],
        "platform": "api",
        "has_admin_badge": False,
    }
    assert before <= first["datetime"] <= int(time.time()) + 1
    assert [c["id"] for c in first["children"]] == [reply]
    assert first["children"][0]["parent_id"] == top and first["children"][0]["author"] == bob.name
    assert [c["id"] for c in first["children"][0]["children"]] == [deeper]
    assert first["children"][0]["children"][0]["children"] == []  # children always present
    assert trees[0]["children"] == []

    # One comment, by id, in every form: with its replies beneath it.
    one = get_comment(api, top)
    assert one == first
    assert envelope_ok(api.get(f"/3/comment/{top}/replies")) == first
    assert envelope_ok(api.get(f"/3/comment/{top}/replied")) == first
    assert envelope_ok(api.get(f"/3/gallery/{post}/comment/{reply}")) == first["children"][0]
    assert envelope_ok(api.get(f"/3/gallery/image/{post}/comment/{reply}")) == first["children"][0]
    assert get_comment(api, deeper)["children"] == []

    # The 2012 forms, the default sort and the post's ids and count.
    assert comments_of(api, post) == comments_of(api, post, "best")
    assert envelope_ok(api.get(f"/3/gallery/image/{post}/comments/new")) == trees
    assert sorted(envelope_ok(api.get(f"/3/gallery/{post}/comments/ids"))) == sorted(
        [top, reply, deeper, other]
    )
    assert envelope_ok(api.get(f"/3/gallery/image/{post}/comments/count")) == 4
    assert count(api, post) == 4


def test_other_create_forms(api: httpx.Client, users: list[User]) -> None:
    owner, alice, bob = users
    post = shared_image(api, owner)["id"]
    made = envelope_ok(api.post(f"/3/gallery/{post}/comment", headers=alice.bearer, data={"comment": "hi"}))
    top = made["id"]
    # POST /3/comment/{id}: a reply (image_id optional: the parent's post), and the old gallery form.
    r1 = envelope_ok(
        api.post(f"/3/comment/{top}", headers=bob.bearer, data={"image_id": post, "comment": "r1"})
    )
    r2 = envelope_ok(api.post(f"/3/comment/{top}", headers=bob.bearer, data={"comment": "r2"}))
    r3 = envelope_ok(api.post(f"/3/gallery/{post}/comment/{top}", headers=bob.bearer, data={"comment": "r3"}))
    # JSON bodies too, and the platform a client names.
    r4 = envelope_ok(
        api.post(
            "/3/comment",
            headers=bob.bearer,
            json={"image_id": post, "comment": "r4", "parent_id": top, "platform": "iphone"},
        )
    )
    tree = get_comment(api, top)
    assert sorted(c["id"] for c in tree["children"]) == sorted(x["id"] for x in (r1, r2, r3, r4))
    assert all(c["parent_id"] == top and c["image_id"] == post for c in tree["children"])
    assert {c["id"]: c["platform"] for c in tree["children"]}[r4["id"]] == "iphone"
    assert count(api, post) == 5


def test_comments_on_an_album_post(api: httpx.Client, users: list[User]) -> None:
    owner, alice, _ = users
    images = [upload(api, owner.bearer)["id"] for _ in range(2)]
    album = envelope_ok(
        api.post("/3/album", headers=owner.bearer, data={"ids": ",".join(images), "cover": images[1]})
    )["id"]
    share(api, owner, album, "album")
    cid = comment(api, alice, album, "nice album")
    got = get_comment(api, cid)
    assert got["on_album"] is True and got["album_cover"] == images[1] and got["image_id"] == album
    assert envelope_ok(api.get(f"/3/gallery/album/{album}/comments"))[0]["id"] == cid
    assert envelope_ok(api.get(f"/3/gallery/album/{album}/comments/ids")) == [cid]


def test_sorts_best_top_new(api: httpx.Client, server: LiveServer, session_client: tuple[str, str]) -> None:
    """Votes made so that the three orders differ, at the top level and among replies alike:
    X 6 up 2 down (points 4), Y 3 up (points 3: fewer points, yet a higher Wilson bound), Z 1 up, W none,
    made in the order X, Y, Z, W."""
    owner, author = make_user(server, session_client), make_user(server, session_client)
    voters = [make_user(server, session_client, prefix="voter") for _ in range(8)]
    post = shared_image(api, owner)["id"]
    pattern = {"X": (6, 2), "Y": (3, 0), "Z": (1, 0), "W": (0, 0)}

    def thread(parent: int | None) -> dict[str, int]:
        made = {}
        for name, (ups, downs) in pattern.items():
            cid = comment(api, author, post, f"{name} under {parent}", parent=parent)
            made[name] = cid
            for n in range(ups):
                vote(api, voters[n], cid, "up")
            for n in range(downs):
                vote(api, voters[ups + n], cid, "down")
        return made

    top = thread(None)
    replies = thread(top["X"])
    expected = {
        "best": sorted(pattern, key=lambda k: -wilson(*pattern[k])),
        "top": sorted(pattern, key=lambda k: -(pattern[k][0] - pattern[k][1])),
        "new": ["W", "Z", "Y", "X"],
    }
    assert expected["best"] == ["Y", "X", "Z", "W"] and expected["top"] == ["X", "Y", "Z", "W"]
    for sort, order in expected.items():
        trees = comments_of(api, post, sort)
        assert [c["id"] for c in trees] == [top[k] for k in order], sort
        x = next(c for c in trees if c["id"] == top["X"])
        assert [c["id"] for c in x["children"]] == [replies[k] for k in order], sort
        # Through the comment itself, its replies come in the same order.
        got = envelope_ok(api.get(f"/3/gallery/{post}/comments/{sort}/0"))
        assert [c["id"] for c in got] == [top[k] for k in order]
    x = get_comment(api, top["X"])
    assert (x["ups"], x["downs"], x["points"]) == (6, 2, 4)
    stored = db_rows(server, "SELECT best, points FROM comments WHERE id = ?", (top["X"],))
    assert stored[0][0] == pytest.approx(wilson(6, 2)) and stored[0][1] == 4
    # Pages of threads: past the end, an empty list (clients page until they get one).
    assert envelope_ok(api.get(f"/3/gallery/{post}/comments/best/1")) == []
    assert envelope_ok(api.get(f"/3/gallery/{post}/comments/oddsort")) == comments_of(api, post, "best")


# ------------------------------------------------------------------------------------------ deletion


def test_delete_with_and_without_replies(api: httpx.Client, users: list[User], server: LiveServer) -> None:
    owner, alice, bob = users
    post = shared_image(api, owner)["id"]
    parent = comment(api, alice, post, "parent")
    reply = comment(api, bob, post, "reply", parent=parent)
    lone = comment(api, alice, post, "lone")
    assert count(api, post) == 3

    # Without replies: it goes.
    assert envelope_ok(api.delete(f"/3/comment/{lone}", headers=alice.bearer)) is True
    envelope_error(api.get(f"/3/comment/{lone}"), 404)
    assert count(api, post) == 2
    assert [c["id"] for c in comments_of(api, post)] == [parent]

    # With replies: it stays, as deleted, its author hidden, its replies under it.
    assert envelope_ok(api.delete(f"/3/comment/{parent}", headers=alice.bearer)) is True
    assert count(api, post) == 1
    trees = comments_of(api, post)
    assert len(trees) == 1
    gone = trees[0]
    assert set(gone) == COMMENT_KEYS
    assert (gone["id"], gone["deleted"], gone["comment"], gone["author"], gone["author_id"]) == (
        parent,
        True,
        "[deleted]",
        "[deleted]",
        0,
    )
    assert [c["id"] for c in gone["children"]] == [reply]
    assert standing(trees) == count(api, post)
    assert get_comment(api, parent)["deleted"] is True
    # Deleted once is deleted: again, it is not found; replying to it or voting on it is refused.
    envelope_error(api.delete(f"/3/comment/{parent}", headers=alice.bearer), 404)
    envelope_error(
        api.post(
            "/3/comment", headers=bob.bearer, data={"image_id": post, "comment": "x", "parent_id": parent}
        ),
        400,
    )
    envelope_error(api.post(f"/3/comment/{parent}/vote/up", headers=bob.bearer), 400)
    # Not among the ids of what stands, nor in the author's comments.
    assert envelope_ok(api.get(f"/3/gallery/{post}/comments/ids")) == [reply]
    assert envelope_ok(api.get(f"/3/account/{alice.name}/comments/count")) == 0

    # The last reply of a deleted comment goes: the deleted parent goes with it.
    assert envelope_ok(api.delete(f"/3/comment/{reply}", headers=bob.bearer)) is True
    envelope_error(api.get(f"/3/comment/{parent}"), 404)
    assert comments_of(api, post) == []
    assert count(api, post) == 0
    rows = db_rows(server, "SELECT COUNT(*) FROM comments WHERE post_id = ?", (post,))
    assert rows == [(0,)]


def test_deep_chains_prune_upwards(api: httpx.Client, users: list[User]) -> None:
    """A chain a → b → c where a and b are deleted (kept for their replies): when c goes, both go."""
    owner, alice, bob = users
    post = shared_image(api, owner)["id"]
    a = comment(api, alice, post, "a")
    b = comment(api, bob, post, "b", parent=a)
    c = comment(api, alice, post, "c", parent=b)
    keep = comment(api, bob, post, "keep")
    for cid, who in ((a, alice), (b, bob)):
        assert envelope_ok(api.delete(f"/3/comment/{cid}", headers=who.bearer)) is True
    assert count(api, post) == 2
    assert envelope_ok(api.delete(f"/3/comment/{c}", headers=alice.bearer)) is True
    for cid in (a, b, c):
        envelope_error(api.get(f"/3/comment/{cid}"), 404)
    assert [t["id"] for t in comments_of(api, post)] == [keep]
    assert count(api, post) == 1


def test_only_the_author_or_an_admin_deletes(
    api: httpx.Client, raw: httpx.Client, server: LiveServer, session_client: tuple[str, str]
) -> None:
    owner, author, other = (make_user(server, session_client) for _ in range(3))
    admin = make_user(server, session_client, prefix="admin")
    make_admin(server, admin)
    post = shared_image(api, owner)["id"]
    mine = comment(api, author, post, "mine")
    envelope_error(api.delete(f"/3/comment/{mine}", headers=other.bearer), 403)
    envelope_error(api.delete(f"/3/comment/{mine}", headers=owner.bearer), 403)  # the post's owner neither
    envelope_error(api.delete(f"/3/comment/{mine}"), 403)  # an application without a user
    envelope_error(raw.delete(f"/3/comment/{mine}"), 401)
    envelope_error(api.delete(f"/3/comment/{mine}", headers={"Authorization": "Bearer " + "0" * 40}), 403)
    envelope_error(api.delete(f"/3/account/{other.name}/comment/{mine}", headers=other.bearer), 404)
    envelope_error(api.delete(f"/3/account/{author.name}/comment/{mine}", headers=other.bearer), 403)
    assert get_comment(api, mine)["deleted"] is False
    assert envelope_ok(api.delete(f"/3/comment/{mine}", headers=admin.bearer)) is True
    envelope_error(api.get(f"/3/comment/{mine}"), 404)
    # The account form, by its owner.
    again = comment(api, author, post, "again")
    assert envelope_ok(api.delete(f"/3/account/me/comment/{again}", headers=author.bearer)) is True
    envelope_error(api.get(f"/3/comment/{again}"), 404)
    assert count(api, post) == 0
    # An admin's own comments carry the badge.
    badge = comment(api, admin, post, "from the admins")
    assert get_comment(api, badge)["has_admin_badge"] is True


# --------------------------------------------------------------------------------------------- votes


def test_votes_one_per_account(api: httpx.Client, users: list[User], raw: httpx.Client) -> None:
    owner, alice, bob = users
    post = shared_image(api, owner)["id"]
    cid = comment(api, owner, post, "vote on me")

    def state(headers: Mapping[str, str] | None = None) -> tuple[int, int, int, Any]:
        c = get_comment(api, cid, headers)
        return c["ups"], c["downs"], c["points"], c["vote"]

    vote(api, alice, cid, "up")
    vote(api, alice, cid, "up")  # the same vote again changes nothing
    assert state(alice.bearer) == (1, 0, 1, "up")
    assert state() == (1, 0, 1, None)  # the viewer's vote, for the viewer only
    vote(api, bob, cid, "up")
    vote(api, alice, cid, "down")  # replaces the old one
    assert state(alice.bearer) == (1, 1, 0, "down")
    assert state(bob.bearer) == (1, 1, 0, "up")
    vote(api, alice, cid, "veto")  # takes it back
    assert state(alice.bearer) == (1, 0, 1, None)
    vote(api, bob, cid, "DOWN")
    assert state(bob.bearer) == (0, 1, -1, "down")
    # The viewer's vote shows in the post's trees too.
    assert comments_of(api, post, headers=bob.bearer)[0]["vote"] == "down"
    envelope_error(api.post(f"/3/comment/{cid}/vote/sideways", headers=bob.bearer), 400)
    envelope_error(api.post(f"/3/comment/{cid}/vote/up"), 403)
    envelope_error(raw.post(f"/3/comment/{cid}/vote/up"), 401)
    envelope_error(api.post(f"/3/comment/{cid + 10_000_000}/vote/up", headers=bob.bearer), 404)
    assert state() == (0, 1, -1, None)


# ------------------------------------------------------------------------------------ errors, limits


def test_refusals(api: httpx.Client, raw: httpx.Client, server: LiveServer, users: list[User]) -> None:
    owner, alice, bob = users
    post = shared_image(api, owner)["id"]
    other_post = shared_image(api, owner)["id"]
    cid = comment(api, alice, post, "here")

    def create(headers: Mapping[str, str] | None, **data: Any) -> httpx.Response:
        return api.post("/3/comment", headers=dict(headers or {}), data=data)

    envelope_error(raw.post("/3/comment", data={"image_id": post, "comment": "x"}), 401)
    assert envelope_error(create(None, image_id=post, comment="x"), 403)["error"] == (
        "This method requires authentication"
    )
    envelope_error(create(alice.bearer, image_id=post, comment=""), 400)
    envelope_error(create(alice.bearer, image_id=post, comment=" \n\t "), 400)
    envelope_error(create(alice.bearer, image_id=post), 400)
    envelope_error(create(alice.bearer, image_id="nosuch1", comment="x"), 404)
    envelope_error(create(alice.bearer, comment="x"), 404)
    not_shared = upload(api, owner.bearer)["id"]
    envelope_error(create(alice.bearer, image_id=not_shared, comment="x"), 404)
    # A reply's parent is a comment of the same post.
    envelope_error(create(alice.bearer, image_id=other_post, comment="x", parent_id=cid), 400)
    envelope_error(create(alice.bearer, image_id=post, comment="x", parent_id=cid + 10_000_000), 404)
    envelope_error(api.get(f"/3/gallery/{other_post}/comment/{cid}"), 404)
    for bad in ("abc", "0", "-1", "99999999999999999999999", "1e3"):
        envelope_error(api.get(f"/3/comment/{bad}"), 404)
        envelope_error(api.post(f"/3/comment/{bad}/vote/up", headers=alice.bearer), 404)
    envelope_error(api.get("/3/gallery/nosuch1/comments"), 404)
    envelope_error(api.get("/3/gallery/nosuch1/comments/count"), 404)
    # Control characters are removed from the text, as from every text.
    weird = comment(api, alice, post, "a\x00b\x07c\nd")
    assert get_comment(api, weird)["comment"] == "abc\nd"
    # A banned account reads but writes nothing.
    ban(server, bob)
    envelope_error(create(bob.bearer, image_id=post, comment="x"), 403)
    envelope_error(api.post(f"/3/comment/{cid}/vote/up", headers=bob.bearer), 403)
    assert get_comment(api, cid, bob.bearer)["id"] == cid
    assert count(api, post) == 2


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server with 3 comments per account per hour and comments of at most 20 characters."""
    srv = start_server(
        tmp_path_factory.mktemp("comments-limited"),
        port=free_port(),
        extra_env={**UNLIMITED, "IMGHOST_COMMENTS_PER_HOUR": "3", "IMGHOST_COMMENT_MAX_LENGTH": "20"},
    )
    try:
        yield srv
    finally:
        srv.stop()


def test_length_and_rate_limits(limited: LiveServer) -> None:
    creds = limited.create_client()
    owner, alice, bob = (make_user(limited, creds) for _ in range(3))
    with httpx.Client(base_url=limited.url, headers={"Authorization": f"Client-ID {creds[0]}"}) as http:
        post = shared_image(http, owner)["id"]
        assert (
            "20"
            in envelope_error(
                http.post("/3/comment", headers=alice.bearer, data={"image_id": post, "comment": "x" * 21}),
                400,
            )["error"]
        )
        comment(http, alice, post, "x" * 20)
        comment(http, alice, post, "   padded,  stripped:   ")  # 24 characters, 18 once stripped
        first = comment(http, alice, post, "third")
        refused = envelope_error(
            http.post("/3/comment", headers=alice.bearer, data={"image_id": post, "comment": "fourth"}), 429
        )
        assert refused["error"] in (
            "You are commenting too fast. Please wait 60 more minutes.",
            "You are commenting too fast. Please wait 59 more minutes.",
        )
        assert refused["error"].startswith("You are commenting too fast")
        # Replies count alike; another account still comments.
        envelope_error(http.post(f"/3/comment/{first}", headers=alice.bearer, data={"comment": "r"}), 429)
        comment(http, bob, post, "bob's first")
        assert envelope_ok(http.get(f"/3/gallery/{post}/comments/count")) == 4


# ----------------------------------------------------------------------------------- account rows


def test_account_comment_rows(api: httpx.Client, users: list[User], server: LiveServer) -> None:
    owner, alice, bob = users
    post = shared_image(api, owner)["id"]
    made = [comment(api, alice, post, f"comment {n}") for n in range(53)]
    reply = comment(api, bob, post, "bob replies", parent=made[0])
    # Points for best and worst: made[5] +1, made[7] -1.
    vote(api, bob, made[5], "up")
    vote(api, bob, made[7], "down")

    def rows(path: str, headers: Mapping[str, str] | None = None) -> Any:
        return envelope_ok(api.get(f"/3/account/{alice.name}/{path}", headers=dict(headers or {})))

    newest = rows("comments")
    assert [c["id"] for c in newest] == made[::-1][:50]  # 50 a page, newest first by default
    assert all(set(c) == COMMENT_KEYS and c["children"] == [] and c["author"] == alice.name for c in newest)
    assert [c["id"] for c in rows("comments/newest/1")] == made[::-1][50:]
    assert rows("comments/newest/2") == []
    assert [c["id"] for c in rows("comments/oldest")] == made[:50]
    assert [c["id"] for c in rows("comments/oldest/1")] == made[50:]
    assert rows("comments/best")[0]["id"] == made[5]
    assert rows("comments/worst")[0]["id"] == made[7]
    assert rows("comments/0") == newest  # the 2012 form: /comments/{page}
    assert rows("comments/ids") == made[::-1][:50]
    assert rows("comments/ids/oldest/1") == made[50:]
    assert rows("comments/ids/oldest") == made[:50]
    assert rows("comments/count") == 53
    one = rows(f"comment/{made[0]}")
    assert one["id"] == made[0] and [c["id"] for c in one["children"]] == [reply]
    envelope_error(api.get(f"/3/account/{alice.name}/comment/{reply}"), 404)  # bob's
    # The viewer's vote shows; `me` is the token's account.
    assert {c["id"]: c["vote"] for c in rows("comments/oldest", bob.bearer)}[made[5]] == "up"
    assert envelope_ok(api.get("/3/account/me/comments/count", headers=alice.bearer)) == 53
    envelope_error(api.get("/3/account/me/comments/count"), 403)
    envelope_error(api.get("/3/account/nosuchaccount1/comments"), 404)
    assert envelope_ok(api.get(f"/3/account/{bob.name}/comments")) == [
        envelope_ok(api.get(f"/3/comment/{reply}"))
    ]


def test_account_deletion_leaves_counts_right(
    api: httpx.Client, server: LiveServer, session_client: tuple[str, str]
) -> None:
    owner, leaving, stays = (make_user(server, session_client) for _ in range(3))
    post = shared_image(api, owner)["id"]
    with_reply = comment(api, leaving, post, "answered")
    answer = comment(api, stays, post, "answer", parent=with_reply)
    alone = comment(api, leaving, post, "alone")
    voted = comment(api, stays, post, "voted on")
    vote(api, leaving, voted, "up")
    vote(api, owner, voted, "down")
    vote(api, leaving, answer, "down")
    assert count(api, post) == 4

    assert envelope_ok(api.delete(f"/3/account/{leaving.name}", headers=leaving.bearer)) is True
    trees = comments_of(api, post, "new")
    assert [t["id"] for t in trees] == [voted, with_reply]
    kept = trees[1]
    assert (kept["deleted"], kept["author"], kept["author_id"], kept["comment"]) == (
        True,
        "[deleted]",
        0,
        "[deleted]",
    )
    assert [c["id"] for c in kept["children"]] == [answer]
    envelope_error(api.get(f"/3/comment/{alone}"), 404)
    assert (trees[0]["ups"], trees[0]["downs"]) == (0, 1)
    assert (kept["children"][0]["ups"], kept["children"][0]["downs"]) == (0, 0)
    assert count(api, post) == standing(trees) == 2
    assert db_rows(server, "SELECT COUNT(*) FROM comment_votes WHERE account_id = ?", (leaving.id,)) == [(0,)]
    assert db_rows(server, "SELECT COUNT(*) FROM comments WHERE account_id = ?", (leaving.id,)) == [(0,)]
    # The reply's author deleting theirs now takes the deleted parent with it.
    assert envelope_ok(api.delete(f"/3/comment/{answer}", headers=stays.bearer)) is True
    assert [t["id"] for t in comments_of(api, post)] == [voted]
    assert count(api, post) == 1


def test_deleting_the_post_takes_its_comments(
    api: httpx.Client, users: list[User], server: LiveServer
) -> None:
    owner, alice, _ = users
    image = upload(api, owner.bearer)["id"]
    share(api, owner, image)
    cid = comment(api, alice, image, "soon gone")
    assert envelope_ok(api.delete(f"/3/image/{image}", headers=owner.bearer)) is True
    envelope_error(api.get(f"/3/comment/{cid}"), 404)
    assert envelope_ok(api.get(f"/3/account/{alice.name}/comments/count")) == 0


def test_replies_nest_at_most_fifty_deep(api: httpx.Client, users: list[User]) -> None:
    owner, alice, bob = users
    post = shared_image(api, owner)["id"]
    parent = None
    for n in range(50):
        parent = comment(api, alice if n % 2 else bob, post, f"level {n + 1}", parent=parent)
    too_deep = api.post(
        "/3/comment", headers=alice.bearer, data={"image_id": post, "comment": "x", "parent_id": parent}
    )
    assert "50" in envelope_error(too_deep, 400)["error"]
    (top,) = comments_of(api, post)
    depth, node = 1, top
    while node["children"]:
        depth, node = depth + 1, node["children"][0]
    assert depth == 50 and node["id"] == parent
    assert count(api, post) == 50
