"""Tags over raw HTTP, with exact shapes, and through imgurpython and PyImgur: tags filed by a share,
set by the owner (POST /3/gallery/tags/{id}), a post's tags with their votes, tag votes (one per
account, exact under concurrency), tag listings and tag_info, /3/tags, following; the counts after
adds, replacements, unshares, deletions of the image or album and of accounts; and who may call what.

Every test names tags of its own (unique names), so counts and listings are exact on the shared
session server."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import imgurpython.client
import pyimgur
import pytest
from imgurpython import ImgurClient

from tests.accounts.helpers import NEEDS_USER, User, make_user
from tests.albums.helpers import create as create_album

# The off-host guard of the client-library tests (autouse): no call can reach the real Imgur.
from tests.clients.conftest import sent_requests  # noqa: F401
from tests.community.gallery_helpers import (
    BANNED,
    DENIED,
    KINDS,
    READ,
    WRITE,
    caller,
    change_one_row,
    client_auth,
    envelope_error,
    envelope_ok,
    get_post,
    ids,
    share,
    shared_image,
    upload,
)
from tests.live import LiveServer, db_rows

NO_TAG = "Tag does not exist"
NOT_OWNER = "Only the owner can tag this post"
MAX_TAGS = 20


def _user(server: LiveServer, creds: tuple[str, str], prefix: str, *role: str) -> User:
    user = make_user(server, creds, prefix=prefix)
    if role:
        server.cli("user", *role, user.name)
    return user


@pytest.fixture(scope="module")
def owner(server: LiveServer, session_client: tuple[str, str]) -> User:
    return _user(server, session_client, "tgown")


@pytest.fixture(scope="module")
def other(server: LiveServer, session_client: tuple[str, str]) -> User:
    return _user(server, session_client, "tgoth")


@pytest.fixture(scope="module")
def admin(server: LiveServer, session_client: tuple[str, str]) -> User:
    return _user(server, session_client, "tgadm", "admin")


@pytest.fixture(scope="module")
def banned(server: LiveServer, session_client: tuple[str, str]) -> User:
    return _user(server, session_client, "tgban", "ban")


def tag() -> str:
    return f"tg{uuid.uuid4().hex[:12]}"


def tag_object(
    name: str, display: str | None = None, *, followers: int = 0, total: int = 0, following: bool = False
) -> dict[str, Any]:
    """The Tag object (§2.13) as tag_info, tag listings and gallery items show it."""
    return {
        "name": name,
        "display_name": display or name,
        "followers": followers,
        "total_items": total,
        "following": following,
        "is_whitelisted": False,
        "background_hash": "",
        "thumbnail_hash": None,
        "accent": None,
        "background_is_animated": False,
        "thumbnail_is_animated": False,
        "is_promoted": False,
        "description": "",
        "logo_hash": None,
        "logo_destination_url": None,
        "description_annotations": {},
    }


def tag_vote(name: str, author: str | None, ups: int = 0, downs: int = 0) -> dict[str, Any]:
    return {"ups": ups, "downs": downs, "name": name, "author": author}


def post_tags(http: httpx.Client, headers: dict[str, str], post_id: str) -> list[dict[str, Any]]:
    data = envelope_ok(http.get(f"/3/gallery/{post_id}/tags", headers=headers))
    assert set(data) == {"tags"}
    return list(data["tags"])


def info(http: httpx.Client, headers: dict[str, str], name: str) -> dict[str, Any]:
    return envelope_ok(http.get(f"/3/gallery/tag_info/{name}", headers=headers))


def set_tags(http: httpx.Client, who: User, post_id: str, tags: str) -> httpx.Response:
    return http.post(f"/3/gallery/tags/{post_id}", headers=who.bearer, data={"tags": tags})


def tag_vote_call(http: httpx.Client, who: User, post_id: str, name: str, value: str) -> httpx.Response:
    return http.post(f"/3/gallery/{post_id}/vote/tag/{name}/{value}", headers=who.bearer)


# ---------------------------------------------------------------------------------- filing tags


def test_a_share_files_its_tags(http: httpx.Client, anon: dict[str, str], owner: User) -> None:
    a, b = tag(), tag()
    # Upper case, '#', a duplicate, and names that cannot be tags (dropped, the share goes through).
    post = shared_image(http, owner, tags=f"{a.upper()}, #{b},bad tag!,---,{a},{'x' * 65},,")
    first, second = sorted([a, b])
    assert post_tags(http, anon, post["id"]) == [tag_vote(first, owner.name), tag_vote(second, owner.name)]
    for alias in ("image", ""):
        path = f"/3/gallery/{alias}/{post['id']}/tags".replace("//", "/")
        assert envelope_ok(http.get(path, headers=anon)) == {"tags": post_tags(http, anon, post["id"])}
    display = {a: a.upper(), b: b}
    assert info(http, anon, a) == tag_object(a, a.upper(), total=1)
    assert info(http, anon, f"%23{b.upper()}") == tag_object(b, total=1)
    # The gallery item carries the same Tag objects.
    assert post["tags"] == [tag_object(n, display[n], total=1) for n in (first, second)]
    for name in ("bad", "x" * 65, "bad tag!", "---"):
        assert envelope_error(http.get(f"/3/gallery/tag_info/{name}", headers=anon), 404)["error"] == NO_TAG

    # A second post: the display name keeps its first spelling, the count moves.
    again = shared_image(http, owner, tags=a.capitalize())
    assert info(http, anon, a) == tag_object(a, a.upper(), total=2)
    assert post_tags(http, anon, again["id"]) == [tag_vote(a, owner.name)]
    listing = envelope_ok(http.get(f"/3/gallery/t/{a}/time", headers=anon))
    items = sorted(listing.pop("items"), key=lambda i: i["id"])
    assert listing == tag_object(a, a.upper(), total=2)
    assert items == sorted(
        [get_post(http, anon, p) for p in (again["id"], post["id"])], key=lambda i: i["id"]
    )


def test_resharing_with_tags_replaces_them(http: httpx.Client, anon: dict[str, str], owner: User) -> None:
    a, b = tag(), tag()
    post = shared_image(http, owner, tags=a)
    share(http, owner, post["id"], tags=b)
    assert post_tags(http, anon, post["id"]) == [tag_vote(b, owner.name)]
    assert info(http, anon, a)["total_items"] == 0
    assert info(http, anon, b)["total_items"] == 1
    # A share that names no tags leaves them as they are.
    share(http, owner, post["id"], title="new title")
    assert post_tags(http, anon, post["id"]) == [tag_vote(b, owner.name)]


def test_the_owner_replaces_a_posts_tags(
    http: httpx.Client, anon: dict[str, str], owner: User, other: User, admin: User
) -> None:
    a, b, c, d = tag(), tag(), tag(), tag()
    post = shared_image(http, owner, tags=f"{a},{b}")["id"]
    assert envelope_ok(tag_vote_call(http, other, post, b, "up")) is True
    assert envelope_ok(set_tags(http, owner, post, f"{b},{c.upper()}")) is True
    # b stays with its vote and its author; a goes; c comes.
    assert post_tags(http, anon, post) == [tag_vote(b, owner.name, ups=1), tag_vote(c, owner.name)]
    assert info(http, anon, a) == tag_object(a, total=0)
    assert info(http, anon, b) == tag_object(b, total=1)
    assert info(http, anon, c) == tag_object(c, c.upper(), total=1)
    assert envelope_ok(http.get(f"/3/gallery/t/{a}", headers=anon))["items"] == []

    # An admin may too, through the form with the id among the parameters; they author what they add.
    r = http.post("/3/gallery/tags", headers=admin.bearer, data={"id": post, "tags": f"{c},{d}"})
    assert envelope_ok(r) is True
    assert post_tags(http, anon, post) == sorted(
        [tag_vote(c, owner.name), tag_vote(d, admin.name)], key=lambda t: t["name"]
    )
    assert info(http, anon, b)["total_items"] == 0
    # A vote on a tag that went and came back starts again.
    assert envelope_ok(set_tags(http, owner, post, f"{b}")) is True
    assert post_tags(http, anon, post) == [tag_vote(b, owner.name)]
    # JSON bodies and empty lists: no tags at all.
    assert envelope_ok(http.post(f"/3/gallery/tags/{post}", headers=owner.bearer, json={"tags": ""})) is True
    assert post_tags(http, anon, post) == []
    assert info(http, anon, b)["total_items"] == 0


def test_setting_tags_refusals(
    http: httpx.Client, anon: dict[str, str], owner: User, other: User, banned: User
) -> None:
    a = tag()
    post = shared_image(http, owner, tags=a)["id"]
    bad = [
        (set_tags(http, owner, post, "fine,not fine"), 400, None),
        (set_tags(http, owner, post, ",".join(tag() for _ in range(MAX_TAGS + 1))), 400, None),
        (http.post(f"/3/gallery/tags/{post}", headers=owner.bearer, data={"title": "x"}), 400, None),
        (set_tags(http, other, post, tag()), 403, NOT_OWNER),
        (set_tags(http, banned, post, tag()), 403, BANNED),
        (http.post(f"/3/gallery/tags/{post}", headers=anon, data={"tags": tag()}), 403, NEEDS_USER),
        (set_tags(http, owner, "zzzzzzz", tag()), 404, "Unable to find a gallery item with the id, zzzzzzz"),
    ]
    for r, status, text in bad:
        err = envelope_error(r, status)
        if text:
            assert err["error"] == text
    assert post_tags(http, anon, post) == [tag_vote(a, owner.name)]
    # Exactly the limit is fine.
    many = sorted(tag() for _ in range(MAX_TAGS))
    assert envelope_ok(set_tags(http, owner, post, ",".join(many))) is True
    assert [t["name"] for t in post_tags(http, anon, post)] == many
    # An image that is not shared has no tags to set.
    image = upload(http, owner.bearer)
    envelope_error(set_tags(http, owner, image["id"], tag()), 404)
    envelope_error(http.get(f"/3/gallery/{image['id']}/tags", headers=anon), 404)


# ------------------------------------------------------------------------------------ tag votes


def test_one_tag_vote_per_account(
    http: httpx.Client, server: LiveServer, anon: dict[str, str], owner: User, other: User
) -> None:
    a, b = tag(), tag()
    post = shared_image(http, owner, tags=f"{a},{b}")["id"]

    def votes_on(name: str) -> tuple[int, int]:
        found = {t["name"]: (t["ups"], t["downs"]) for t in post_tags(http, anon, post)}
        return found[name]

    for value, expect in (
        ("up", (1, 0)),
        ("up", (1, 0)),  # the same vote again changes nothing
        ("down", (0, 1)),  # a new vote replaces the old
        ("veto", (0, 0)),  # veto takes it back
        ("veto", (0, 0)),
        ("UP", (1, 0)),
    ):
        assert envelope_ok(tag_vote_call(http, other, post, b, value)) is True
        assert votes_on(b) == expect, value
    assert envelope_ok(http.post(f"/3/gallery/image/{post}/vote/tag/{b}/up", headers=owner.bearer)) is True
    assert envelope_ok(tag_vote_call(http, owner, post, f"%23{a.upper()}", "down")) is True
    # Most points first.
    assert post_tags(http, anon, post) == [tag_vote(b, owner.name, ups=2), tag_vote(a, owner.name, downs=1)]
    rows = db_rows(server, "SELECT tag, vote FROM tag_votes WHERE post_id = ? ORDER BY tag, vote", (post,))
    assert sorted(rows) == sorted([(a, -1), (b, 1), (b, 1)])

    missing = tag()
    err = envelope_error(tag_vote_call(http, other, post, missing, "up"), 404)
    assert err["error"] == f"This gallery item is not tagged {missing}"
    envelope_error(tag_vote_call(http, other, post, b, "sideways"), 400)
    envelope_error(tag_vote_call(http, other, post, "not%20a%20tag", "up"), 400)
    envelope_error(tag_vote_call(http, other, "zzzzzzz", b, "up"), 404)
    assert post_tags(http, anon, post) == [tag_vote(b, owner.name, ups=2), tag_vote(a, owner.name, downs=1)]


def test_concurrent_tag_votes_leave_exact_counts(
    server: LiveServer, http: httpx.Client, anon: dict[str, str], owner: User, session_client: tuple[str, str]
) -> None:
    name = tag()
    post = shared_image(http, owner, tags=name)["id"]
    voters = [make_user(server, session_client, prefix=f"tgc{n}") for n in range(20)]

    def storm(values: Callable[[int], str]) -> None:
        def one(n: int) -> int:
            with httpx.Client(base_url=server.url, timeout=60) as c:
                return tag_vote_call(c, voters[n], post, name, values(n)).status_code

        with ThreadPoolExecutor(20) as pool:
            assert list(pool.map(one, range(20))) == [200] * 20

    def counted() -> tuple[int, int]:
        (t,) = post_tags(http, anon, post)
        rows = db_rows(
            server, "SELECT vote, COUNT(*) FROM tag_votes WHERE post_id = ? GROUP BY vote", (post,)
        )
        stored = {int(v): int(n) for v, n in rows}
        assert (t["ups"], t["downs"]) == (stored.get(1, 0), stored.get(-1, 0))
        return t["ups"], t["downs"]

    storm(lambda n: "up")
    assert counted() == (20, 0)
    storm(lambda n: "down" if n % 2 else "up")
    assert counted() == (10, 10)
    storm(lambda n: "veto" if n < 5 else "down")
    assert counted() == (0, 15)
    storm(lambda n: "up")
    assert counted() == (20, 0)


# ------------------------------------------------------------------------------ tag listings


def test_tag_listings_every_form(http: httpx.Client, anon: dict[str, str], owner: User, other: User) -> None:
    name = tag()
    first = shared_image(http, owner, tags=name)["id"]
    second = shared_image(http, owner, tags=name)["id"]
    untagged = shared_image(http, owner, tags=tag())["id"]
    for voter in (owner, other):
        envelope_ok(http.post(f"/3/gallery/{first}/vote/up", headers=voter.bearer))
    head = tag_object(name, total=2)

    def items(path: str) -> list[str]:
        data = envelope_ok(http.get(path, headers=anon))
        assert {k: v for k, v in data.items() if k != "items"} == head, path
        return ids(data["items"])

    viral = items(f"/3/gallery/t/{name}/viral/week/0")
    assert viral == [first, second]  # two points outweigh a few seconds of freshness
    for path in (
        f"/3/gallery/t/{name}",
        f"/3/gallery/t/{name}/viral",
        f"/3/gallery/t/{name}/0",
        f"/3/gallery/t/{name}/viral/0",
        f"/3/gallery/t/{name}/viral/week",
        f"/3/gallery/t/{name.upper()}/viral/day/0",
        f"/3/gallery/t/{name}/nonsense/0",
    ):
        assert items(path) == viral, path
    assert items(f"/3/gallery/t/{name}/top/week/0") == [first, second]
    assert items(f"/3/gallery/t/{name}/top") == [first, second]
    assert set(items(f"/3/gallery/t/{name}/time/all/0")) == {first, second}
    assert items(f"/3/gallery/t/{name}/viral/week/1") == []
    assert items(f"/3/gallery/t/{name}/time/1") == []
    assert untagged not in items(f"/3/gallery/t/{name}/time")

    # One item of a tag's gallery.
    assert envelope_ok(http.get(f"/3/gallery/t/{name}/{second}", headers=anon)) == get_post(
        http, anon, second
    )
    envelope_error(http.get(f"/3/gallery/t/{name}/{untagged}", headers=anon), 404)
    envelope_error(http.get(f"/3/gallery/t/{name}/zzzzzzz", headers=anon), 404)
    # An unknown tag is a 404 on every form, as on tag_info.
    unknown = tag()
    for path in (
        f"/3/gallery/t/{unknown}",
        f"/3/gallery/t/{unknown}/viral",
        f"/3/gallery/t/{unknown}/time/0",
        f"/3/gallery/t/{unknown}/top/week/0",
        f"/3/gallery/t/{unknown}/{first}",
        "/3/gallery/t/not%20a%20tag/0",
        f"/3/gallery/tag_info/{unknown}",
    ):
        assert envelope_error(http.get(path, headers=anon), 404)["error"] == NO_TAG, path


def test_tags_index(http: httpx.Client, anon: dict[str, str], owner: User) -> None:
    big, gone = tag(), tag()
    posts = [shared_image(http, owner, tags=f"{big},{gone}")["id"] for _ in range(5)]
    for p in posts:
        assert envelope_ok(set_tags(http, owner, p, big)) is True
    data = envelope_ok(http.get("/3/tags", headers=anon))
    assert set(data) == {"tags", "featured", "galleries"}
    listed = data["tags"]
    for t in listed:
        assert set(t) == {"id", "name", "display_name", "followers", "total_items", "background_hash"}
        assert t["total_items"] > 0
    totals = [t["total_items"] for t in listed]
    assert totals == sorted(totals, reverse=True)
    assert data["featured"] == listed[0]["name"]
    mine = [t for t in listed if t["name"] == big]
    if mine or len(listed) < 50:
        assert mine == [
            {
                "id": big,
                "name": big,
                "display_name": big,
                "followers": 0,
                "total_items": 5,
                "background_hash": "",
            }
        ]
    else:
        # Fifty tags of the session's other tests carry more posts (or as many, with a later name).
        assert listed[-1]["total_items"] >= 5
    assert gone not in [t["name"] for t in listed]
    for g in data["galleries"]:
        assert set(g) == {"id", "name", "description", "topPost"}


# -------------------------------------------------------------------------------------- counts


def test_total_items_after_unshare_and_deletions(
    http: httpx.Client, anon: dict[str, str], owner: User, session_client: tuple[str, str], server: LiveServer
) -> None:
    name = tag()
    unshared = shared_image(http, owner, tags=name)["id"]
    image_post = shared_image(http, owner, tags=name)["id"]
    pic = upload(http, owner.bearer)
    album = create_album(http, owner.bearer, data={"ids[]": [pic["id"]], "title": "tagged album"})
    share(http, owner, album["id"], kind="album", tags=name)
    leaver = make_user(server, session_client, prefix="tgleave")
    leaver_post = shared_image(http, leaver, tags=name)["id"]
    assert info(http, anon, name)["total_items"] == 4
    assert set(ids(envelope_ok(http.get(f"/3/gallery/t/{name}/time", headers=anon))["items"])) == {
        unshared,
        image_post,
        album["id"],
        leaver_post,
    }

    assert envelope_ok(http.delete(f"/3/gallery/{unshared}", headers=owner.bearer)) is True
    assert info(http, anon, name)["total_items"] == 3
    # Deleting the image or the album takes its post away by cascade, with no gallery call.
    assert envelope_ok(http.delete(f"/3/image/{image_post}", headers=owner.bearer)) is True
    assert info(http, anon, name)["total_items"] == 2
    assert envelope_ok(http.delete(f"/3/album/{album['id']}", headers=owner.bearer)) is True
    assert info(http, anon, name)["total_items"] == 1
    assert envelope_ok(http.delete(f"/3/account/{leaver.name}", headers=leaver.bearer)) is True
    after = envelope_ok(http.get(f"/3/gallery/t/{name}", headers=anon))
    assert after == {**tag_object(name, total=0), "items": []}
    assert name not in [t["name"] for t in envelope_ok(http.get("/3/tags", headers=anon))["tags"]]


def test_a_deleted_account_takes_its_tag_votes_and_leaves_its_tags(
    http: httpx.Client,
    anon: dict[str, str],
    owner: User,
    other: User,
    server: LiveServer,
    session_client: tuple[str, str],
) -> None:
    a, b = tag(), tag()
    post = shared_image(http, owner, tags=a)["id"]
    moderator = _user(server, session_client, "tgmod", "admin")
    assert envelope_ok(set_tags(http, moderator, post, f"{a},{b}")) is True
    for voter, value in ((moderator, "up"), (other, "up")):
        assert envelope_ok(tag_vote_call(http, voter, post, a, value)) is True
    assert envelope_ok(tag_vote_call(http, moderator, post, b, "down")) is True
    assert post_tags(http, anon, post) == [
        tag_vote(a, owner.name, ups=2),
        tag_vote(b, moderator.name, downs=1),
    ]

    assert envelope_ok(http.delete(f"/3/account/{moderator.name}", headers=moderator.bearer)) is True
    # Its votes leave the counts; the tag it added stays, by nobody now.
    assert post_tags(http, anon, post) == [tag_vote(a, owner.name, ups=1), tag_vote(b, None)]
    assert info(http, anon, b)["total_items"] == 1


def live_counts(server: LiveServer, name: str) -> dict[str, int]:
    """A tag's counts straight from the rows they count, as the database has them now."""
    [(total, followers)] = db_rows(
        server,
        "SELECT (SELECT COUNT(*) FROM post_tags WHERE tag = ?), (SELECT COUNT(*) FROM tag_follows WHERE tag = ?)",
        (name, name),
    )
    return {"total_items": int(total), "followers": int(followers)}


def test_the_stored_counts_the_routes_answer_equal_a_live_count(
    http: httpx.Client,
    anon: dict[str, str],
    owner: User,
    other: User,
    admin: User,
    server: LiveServer,
    session_client: tuple[str, str],
) -> None:
    """/3/tags and tag_info answer the stored columns: after every kind of write that adds or takes a
    post's tags or a follow, they are what counting the rows says."""
    a, b, c = tag(), tag(), tag()
    leaver = make_user(server, session_client, prefix="tglive")
    posts = [shared_image(http, who, tags=f"{a},{b}")["id"] for who in (owner, other, leaver, leaver)]
    pic = upload(http, owner.bearer)
    album = create_album(http, owner.bearer, data={"ids[]": [pic["id"]], "title": "live counts"})
    share(http, owner, album["id"], kind="album", tags=f"{a},{c}")
    for who in (owner, other, leaver):
        assert envelope_ok(http.post(f"/3/account/me/follow/tag/{a}", headers=who.bearer)) is True
    assert envelope_ok(http.post(f"/3/account/me/follow/tag/{c}", headers=leaver.bearer)) is True

    def check(expected_a: int) -> None:
        assert info(http, anon, a)["total_items"] == expected_a
        for name in (a, b, c):
            got = info(http, anon, name)
            assert {k: got[k] for k in ("total_items", "followers")} == live_counts(server, name)
        for listed in envelope_ok(http.get("/3/tags", headers=anon))["tags"]:
            counts = {k: listed[k] for k in ("total_items", "followers")}
            assert counts == live_counts(server, listed["name"]), listed["name"]

    check(5)
    share(http, other, posts[1], kind="image", tags=c)  # sharing again with other tags replaces them
    check(4)
    assert envelope_ok(set_tags(http, owner, posts[0], f"{b},{c}")) is True
    check(3)
    assert envelope_ok(http.delete(f"/3/gallery/{posts[0]}", headers=owner.bearer)) is True  # unshare
    check(3)
    assert envelope_ok(http.delete(f"/3/admin/post/{posts[2]}", headers=admin.bearer)) is True
    check(2)
    assert envelope_ok(http.delete(f"/3/album/{album['id']}", headers=owner.bearer)) is True
    check(1)
    assert envelope_ok(http.delete(f"/3/account/me/follow/tag/{a}", headers=other.bearer)) is True
    assert envelope_ok(http.delete(f"/3/account/{leaver.name}", headers=leaver.bearer)) is True
    check(0)
    assert live_counts(server, a) == {"total_items": 0, "followers": 1}
    assert live_counts(server, c) == {"total_items": 1, "followers": 0}
    # An image's deletion takes its post, and the post's tags leave the counts.
    assert envelope_ok(http.delete(f"/3/image/{posts[1]}", headers=other.bearer)) is True
    assert info(http, anon, c)["total_items"] == 0 == live_counts(server, c)["total_items"]


def test_the_operator_recounts_tags_whose_counts_are_off(
    http: httpx.Client, anon: dict[str, str], owner: User, server: LiveServer
) -> None:
    a, b = tag(), tag()
    shared_image(http, owner, tags=f"{a},{b}")
    assert envelope_ok(http.post(f"/3/account/me/follow/tag/{a}", headers=owner.bearer)) is True
    # Counts gone wrong, as deleting an image or album left them before its tags left with it first.
    change_one_row(
        server, "UPDATE tags SET total_items = total_items + 3, followers = 0 WHERE name = ?", (a,)
    )
    assert (info(http, anon, a)["total_items"], info(http, anon, a)["followers"]) == (4, 0)
    out = server.cli("tags", "recount").stdout
    assert a in out and b not in out
    for name in (a, b):
        got = info(http, anon, name)
        assert {k: got[k] for k in ("total_items", "followers")} == live_counts(server, name)
    assert info(http, anon, a)["followers"] == 1
    assert server.cli("tags", "recount").stdout.strip() == "imghost: 0 tag(s) recounted"


def test_follow_and_unfollow(
    http: httpx.Client,
    anon: dict[str, str],
    owner: User,
    other: User,
    server: LiveServer,
    session_client: tuple[str, str],
) -> None:
    name = tag()
    shared_image(http, owner, tags=name)
    follower = make_user(server, session_client, prefix="tgfol")
    path = f"/3/account/me/follow/tag/{name}"
    assert envelope_ok(http.post(path, headers=owner.bearer)) is True
    assert (
        envelope_ok(http.post(f"/3/account/{other.name}/follow/tag/{name.upper()}", headers=other.bearer))
        is True
    )
    assert envelope_ok(http.post(path, headers=follower.bearer)) is True
    # Following again is no change.
    assert envelope_ok(http.post(path, headers=follower.bearer)) is True
    assert info(http, owner.bearer, name) == tag_object(name, followers=3, total=1, following=True)
    assert info(http, anon, name) == tag_object(name, followers=3, total=1, following=False)
    assert envelope_ok(http.get(f"/3/gallery/t/{name}", headers=other.bearer))["following"] is True

    assert envelope_ok(http.delete(path, headers=other.bearer)) is True
    assert info(http, other.bearer, name) == tag_object(name, followers=2, total=1, following=False)
    err = envelope_error(http.delete(path, headers=other.bearer), 409)
    assert err["error"] == "Not following tag"
    # An account that goes stops following.
    assert envelope_ok(http.delete(f"/3/account/{follower.name}", headers=follower.bearer)) is True
    assert info(http, anon, name)["followers"] == 1
    assert [
        t["followers"] for t in envelope_ok(http.get("/3/tags", headers=anon))["tags"] if t["name"] == name
    ] == [1]

    unknown = tag()
    for method in ("POST", "DELETE"):
        r = http.request(method, f"/3/account/me/follow/tag/{unknown}", headers=owner.bearer)
        assert envelope_error(r, 404)["error"] == NO_TAG
        envelope_error(
            http.request(method, "/3/account/me/follow/tag/not%20a%20tag", headers=owner.bearer), 404
        )
        r = http.request(method, f"/3/account/{other.name}/follow/tag/{name}", headers=owner.bearer)
        assert envelope_error(r, 403)["error"] == "You are not allowed to access this account"
    assert info(http, anon, name)["followers"] == 1


# ------------------------------------------------------------------------- who may call what


OWNER_WRITE = {**WRITE, "other": 403}


@dataclass
class Ctx:
    http: httpx.Client
    server: LiveServer
    users: dict[str, User]
    client_id: str
    post: str
    other_post: str
    tag: str
    community: str
    topic: str
    extra: dict[str, Any] = field(default_factory=dict)

    def headers(self, kind: str) -> dict[str, str]:
        return caller(kind, self.client_id, self.users)


@pytest.fixture(scope="module")
def ctx(
    http: httpx.Client,
    server: LiveServer,
    session_client: tuple[str, str],
    owner: User,
    other: User,
    admin: User,
    banned: User,
) -> Iterator[Ctx]:
    community = f"m{uuid.uuid4().hex[:10]}"
    topic = f"Matrix {uuid.uuid4().hex[:8]}"
    server.cli("topic", "add", topic)
    name = tag()
    post = shared_image(http, owner, tags=name, community=community, topic=topic)["id"]
    other_post = shared_image(http, other, tags=name)["id"]
    yield Ctx(
        http,
        server,
        {"owner": owner, "other": other, "admin": admin, "banned": banned},
        session_client[0],
        post,
        other_post,
        name,
        community,
        topic,
    )
    server.cli("topic", "remove", topic)


def _followers(c: Ctx) -> int:
    return int(info(c.http, client_auth(c.client_id), c.tag)["followers"])


def _ups(c: Ctx) -> int:
    """Up votes on the matrix tag of the matrix post (other tags come and go with the set-tags cells)."""
    return int({t["name"]: t["ups"] for t in post_tags(c.http, client_auth(c.client_id), c.post)}[c.tag])


READS: dict[str, str] = {
    "tags index": "/3/tags",
    "tag_info": "/3/gallery/tag_info/{tag}",
    "tag gallery": "/3/gallery/t/{tag}/time/0",
    "tag item": "/3/gallery/t/{tag}/{post}",
    "post tags": "/3/gallery/{post}/tags",
    "community": "/3/gallery/r/{community}/time/0",
    "community item": "/3/gallery/r/{community}/{post}",
    "topics": "/3/topics/defaults",
    "topic": "/3/topics/{topic}/viral/0",
    "topic item": "/3/topics/{topic}/{post}",
}


def _path(c: Ctx, template: str) -> str:
    return template.format(tag=c.tag, post=c.post, community=c.community, topic=c.topic.replace(" ", "_"))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("route", sorted(READS))
def test_matrix_reads(ctx: Ctx, route: str, kind: str) -> None:
    r = ctx.http.get(_path(ctx, READS[route]), headers=ctx.headers(kind))
    if READ[kind] == 200:
        assert envelope_ok(r) is not None
        return
    assert envelope_error(r, READ[kind])["error"] == DENIED[kind]


@pytest.mark.parametrize("kind", KINDS)
def test_matrix_set_tags(ctx: Ctx, kind: str) -> None:
    before = post_tags(ctx.http, client_auth(ctx.client_id), ctx.post)
    new = tag()
    r = ctx.http.post(
        f"/3/gallery/tags/{ctx.post}", headers=ctx.headers(kind), data={"tags": f"{ctx.tag},{new}"}
    )
    after = post_tags(ctx.http, client_auth(ctx.client_id), ctx.post)
    if OWNER_WRITE[kind] == 200:
        assert envelope_ok(r) is True
        assert {t["name"]: t["author"] for t in after} == {
            ctx.tag: ctx.users["owner"].name,
            new: ctx.users[kind].name,
        }
        return
    assert envelope_error(r, OWNER_WRITE[kind])["error"] == DENIED.get(kind, NOT_OWNER)
    assert after == before


@pytest.mark.parametrize("kind", KINDS)
def test_matrix_tag_vote(ctx: Ctx, kind: str) -> None:
    start = _ups(ctx)
    r = ctx.http.post(f"/3/gallery/{ctx.post}/vote/tag/{ctx.tag}/up", headers=ctx.headers(kind))
    now = _ups(ctx)
    if WRITE[kind] == 200:
        assert envelope_ok(r) is True
        assert now == start + 1
        return
    assert envelope_error(r, WRITE[kind])["error"] == DENIED[kind]
    assert now == start


@pytest.mark.parametrize("kind", KINDS)
def test_matrix_follow_and_unfollow(ctx: Ctx, kind: str) -> None:
    path = f"/3/account/me/follow/tag/{ctx.tag}"
    start = _followers(ctx)
    r = ctx.http.post(path, headers=ctx.headers(kind))
    if WRITE[kind] == 200:
        assert envelope_ok(r) is True
        assert _followers(ctx) == start + 1
        assert info(ctx.http, ctx.headers(kind), ctx.tag)["following"] is True
    else:
        assert envelope_error(r, WRITE[kind])["error"] == DENIED[kind]
        assert _followers(ctx) == start
    r = ctx.http.delete(path, headers=ctx.headers(kind))
    if WRITE[kind] == 200:
        assert envelope_ok(r) is True
    else:
        assert envelope_error(r, WRITE[kind])["error"] == DENIED[kind]
    assert _followers(ctx) == start


# ------------------------------------------------------------------------------------- clients


def test_imgurpython_tag_calls(
    server: LiveServer,
    session_client: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
    http: httpx.Client,
    anon: dict[str, str],
    owner: User,
    other: User,
) -> None:
    monkeypatch.setattr(imgurpython.client, "API_URL", server.url + "/")
    name = tag()
    older = shared_image(http, owner, tags=name)["id"]
    newer = shared_image(http, owner, tags=f"{name},{tag()}")["id"]
    client = ImgurClient(*session_client)

    found = client.gallery_tag(name, sort="time")  # gallery/t/{tag}/time/0
    assert (found.name, found.followers, found.total_items, found.following) == (name, 0, 2, False)
    assert set(i.id for i in found.items) == {older, newer}
    top = client.gallery_tag(name, sort="top", window="all")  # gallery/t/{tag}/top/all/0
    assert set(i.id for i in top.items) == {older, newer}
    assert client.gallery_tag(name, page=3).items is None  # the library's reading of an empty page
    item = client.gallery_tag_image(name, older)
    assert item.id == older and item.is_album is False
    assert [t["name"] for t in item.tags] == [name]

    client.set_user_auth(other.access_token, other.refresh_token)
    assert client.gallery_tag_vote(newer, name, "up") is True
    votes = client.gallery_item_tags(newer)
    by_name = {v.name: v for v in votes}
    assert (by_name[name].ups, by_name[name].downs, by_name[name].author) == (1, 0, owner.name)
    assert len(votes) == 2 and votes[0].name == name


def test_pyimgur_follow_calls(
    server: LiveServer,
    session_client: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
    http: httpx.Client,
    anon: dict[str, str],
    owner: User,
    other: User,
) -> None:
    monkeypatch.setattr(pyimgur, "IMGUR_BASE", server.url)
    name = tag()
    post = shared_image(http, owner, tags=name)["id"]
    im = pyimgur.Imgur(session_client[0], session_client[1], access_token=other.access_token)
    user = im.get_user("me")
    assert user.name == other.name
    assert user._follow_tag(name) is True
    assert info(http, other.bearer, name)["following"] is True
    assert user._unfollow_tag(name) is True
    assert info(http, anon, name)["followers"] == 0
    image = im.get_gallery_image(post)
    assert image.id == post
