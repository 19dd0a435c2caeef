"""The gallery routes over raw HTTP, with exact shapes: sharing (new and old forms, images and albums),
gallery items, every short form of the listings, votes and gallery favourites.

The session server is shared with the rest of the suite, so listings hold other tests' posts too: each
test checks where its own posts are (their relative order, their presence or absence) and that the short
forms of a listing answer exactly what the long form does. Exact orders under a fixed clock are the
in-process property tests' (test_ranking_properties.py)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.accounts.helpers import NEEDS_USER, User, make_user
from tests.community.gallery_helpers import (
    GALLERY_ALBUM_KEYS,
    GALLERY_IMAGE_KEYS,
    envelope_error,
    envelope_ok,
    get_post,
    ids,
    listed_shape,
    share,
    shared_image,
    upload,
    vote,
    votes,
)
from tests.live import LiveServer

VIRAL_POINTS = 10  # the server's default gallery_viral_points


@pytest.fixture(scope="module")
def owner(server: LiveServer, session_client: tuple[str, str]) -> User:
    return make_user(server, session_client, prefix="gown")


@pytest.fixture(scope="module")
def voters(server: LiveServer, session_client: tuple[str, str]) -> list[User]:
    """Enough accounts to make a post viral."""
    return [make_user(server, session_client, prefix=f"gv{n}") for n in range(VIRAL_POINTS)]


def _points(http: httpx.Client, voters: list[User], post_id: str, points: int) -> None:
    for v in voters[: abs(points)]:
        vote(http, v, post_id, "up" if points > 0 else "down")


def _all_pages(http: httpx.Client, headers: dict[str, str], path: str, query: str = "") -> list[str]:
    """Every id of a listing, page after page until the empty one."""
    out: list[str] = []
    for page in range(1000):
        items = envelope_ok(http.get(f"{path}/{page}{query}", headers=headers))
        if not items:
            return out
        out.extend(ids(items))
    raise AssertionError("a listing that never ends")


def _subsequence(listed: list[str], mine: list[str]) -> list[str]:
    return [i for i in listed if i in set(mine)]


# ---------------------------------------------------------------- sharing and gallery items


def test_share_image_new_form_and_read_it_every_way(
    http: httpx.Client, owner: User, anon: dict[str, str]
) -> None:
    image = upload(http, owner.bearer, title="upload title")
    assert image["in_gallery"] is False
    envelope_error(http.get(f"/3/gallery/{image['id']}", headers=anon), 404)
    r = http.post(
        f"/3/gallery/image/{image['id']}",
        headers=owner.bearer,
        data={"title": "A post title", "terms": "1", "mature": "0"},
    )
    assert envelope_ok(r) is True

    mine = envelope_ok(http.get(f"/3/gallery/image/{image['id']}", headers=owner.bearer))
    theirs = envelope_ok(http.get(f"/3/gallery/image/{image['id']}", headers=anon))
    assert set(mine) == GALLERY_IMAGE_KEYS and set(theirs) == GALLERY_IMAGE_KEYS
    expected = {
        "id": image["id"],
        "title": "A post title",
        "is_album": False,
        "in_gallery": True,
        "ups": 0,
        "downs": 0,
        "points": 0,
        "score": 0,
        "comment_count": 0,
        "favorite_count": 0,
        "topic": None,
        "topic_id": None,
        "vote": None,
        "favorite": False,
        "account_url": owner.name,
        "account_id": owner.id,
        "in_most_viral": False,
        "nsfw": False,
        "tags": [],
        "link": image["link"],
        "type": image["type"],
        "width": image["width"],
        "height": image["height"],
        "datetime": image["datetime"],
    }
    assert {k: mine[k] for k in expected} == expected
    assert {k: theirs[k] for k in expected} == expected
    # §2.20: the deletehash and the file name are the owner's only.
    assert mine["deletehash"] == image["deletehash"] and theirs["deletehash"] == ""
    assert theirs["name"] == ""
    # The old path answers the same object; the album path does not know an image.
    assert envelope_ok(http.get(f"/3/gallery/{image['id']}", headers=anon)) == theirs
    err = envelope_error(http.get(f"/3/gallery/album/{image['id']}", headers=anon), 404)
    assert err["error"] == f"Unable to find a gallery item with the id, {image['id']}"
    # The image itself says it is shared.
    assert envelope_ok(http.get(f"/3/image/{image['id']}", headers=anon))["in_gallery"] is True


def test_share_album_makes_it_public_and_lists_its_images(
    http: httpx.Client, owner: User, anon: dict[str, str]
) -> None:
    images = [upload(http, owner.bearer) for _ in range(4)]
    album = envelope_ok(
        http.post(
            "/3/album",
            headers=owner.bearer,
            data={"ids[]": [i["id"] for i in images], "title": "my album", "privacy": "hidden"},
        )
    )
    r = http.post(
        f"/3/gallery/album/{album['id']}", headers=owner.bearer, data={"title": "Album post", "terms": "1"}
    )
    assert envelope_ok(r) is True
    post = envelope_ok(http.get(f"/3/gallery/album/{album['id']}", headers=anon))
    assert set(post) == GALLERY_ALBUM_KEYS
    assert post["is_album"] is True and post["in_gallery"] is True
    assert post["title"] == "Album post" and post["privacy"] == "public"
    assert post["images_count"] == 4 and [i["id"] for i in post["images"]] == [i["id"] for i in images]
    assert all(i["deletehash"] == "" for i in post["images"])
    assert (post["ups"], post["downs"], post["points"], post["vote"]) == (0, 0, 0, None)
    assert post["account_url"] == owner.name and post["account_id"] == owner.id
    assert "deletehash" not in post
    assert envelope_ok(http.get(f"/3/gallery/album/{album['id']}", headers=owner.bearer))["deletehash"]
    assert envelope_ok(http.get(f"/3/gallery/{album['id']}", headers=anon)) == post
    envelope_error(http.get(f"/3/gallery/image/{album['id']}", headers=anon), 404)
    # Sharing made the hidden album public, and the album says it is shared.
    got = envelope_ok(http.get(f"/3/album/{album['id']}", headers=anon))
    assert got["privacy"] == "public" and got["in_gallery"] is True


def test_old_share_form_sharing_again_and_removing(
    http: httpx.Client, owner: User, anon: dict[str, str]
) -> None:
    image = upload(http, owner.bearer)
    r = http.post(f"/3/gallery/{image['id']}", headers=owner.bearer, data={"title": "first", "terms": "1"})
    assert envelope_ok(r) is True
    assert get_post(http, anon, image["id"])["title"] == "first"
    # Sharing again edits the post (and keeps it: one post per image).
    r = http.post(f"/3/gallery/{image['id']}", headers=owner.bearer, data={"title": "second", "mature": "1"})
    assert envelope_ok(r) is True
    again = get_post(http, anon, image["id"])
    assert again["title"] == "second" and again["nsfw"] is True

    assert envelope_ok(http.delete(f"/3/gallery/{image['id']}", headers=owner.bearer)) is True
    envelope_error(http.get(f"/3/gallery/{image['id']}", headers=anon), 404)
    envelope_error(http.get(f"/3/gallery/image/{image['id']}/votes", headers=anon), 404)
    kept = envelope_ok(http.get(f"/3/image/{image['id']}", headers=owner.bearer))
    assert kept["in_gallery"] is False and kept["id"] == image["id"]
    envelope_error(http.delete(f"/3/gallery/{image['id']}", headers=owner.bearer), 404)


def test_share_refusals(
    http: httpx.Client, server: LiveServer, session_client: tuple[str, str], owner: User, anon: dict[str, str]
) -> None:
    image = upload(http, owner.bearer)
    err = envelope_error(
        http.post(f"/3/gallery/image/{image['id']}", headers=owner.bearer, data={"terms": "1"}), 400
    )
    assert "title" in err["error"].lower()
    stranger = make_user(server, session_client, prefix="gst")
    r = http.post(
        f"/3/gallery/image/{image['id']}", headers=stranger.bearer, data={"title": "x", "terms": "1"}
    )
    envelope_error(r, 403)
    r = http.post(f"/3/gallery/image/{image['id']}", headers=anon, data={"title": "x", "terms": "1"})
    assert envelope_error(r, 403)["error"] == NEEDS_USER
    # Terms not accepted yet, and not accepted now: refused, with Imgur's hint.
    theirs = upload(http, stranger.bearer)
    r = http.post(f"/3/gallery/image/{theirs['id']}", headers=stranger.bearer, data={"title": "x"})
    assert "terms" in envelope_error(r, 403)["error"]
    envelope_error(http.get(f"/3/gallery/{theirs['id']}", headers=anon), 404)
    # terms=1 accepts them for good: the next share needs no terms.
    r = http.post(
        f"/3/gallery/image/{theirs['id']}", headers=stranger.bearer, data={"title": "x", "terms": "1"}
    )
    assert envelope_ok(r) is True
    settings = envelope_ok(http.get(f"/3/account/{stranger.name}/settings", headers=stranger.bearer))
    assert settings["accepted_gallery_terms"] is True
    more = upload(http, stranger.bearer)
    assert (
        envelope_ok(http.post(f"/3/gallery/{more['id']}", headers=stranger.bearer, data={"title": "y"}))
        is True
    )
    # Unknown ids: image, album and either.
    envelope_error(http.post("/3/gallery/image/zzzzzzz", headers=owner.bearer, data={"title": "x"}), 404)
    envelope_error(http.post("/3/gallery/album/zzzzzzz", headers=owner.bearer, data={"title": "x"}), 404)
    envelope_error(http.post("/3/gallery/zzzzzzz", headers=owner.bearer, data={"title": "x"}), 404)
    # Only the owner takes a post out.
    envelope_error(http.delete(f"/3/gallery/{theirs['id']}", headers=owner.bearer), 403)
    assert get_post(http, anon, theirs["id"])["id"] == theirs["id"]


# ---------------------------------------------------------------- votes


def test_votes_replace_each_other_in_every_form(
    http: httpx.Client, owner: User, voters: list[User], anon: dict[str, str]
) -> None:
    post = shared_image(http, owner)
    pid = post["id"]
    a, b = voters[0], voters[1]
    assert votes(http, anon, pid) == {"ups": 0, "downs": 0}
    assert envelope_ok(http.post(f"/3/gallery/{pid}/vote/up", headers=a.bearer)) is True
    assert envelope_ok(http.post(f"/3/gallery/image/{pid}/vote/up", headers=b.bearer)) is True
    assert votes(http, anon, pid) == {"ups": 2, "downs": 0}
    # The same vote again changes nothing; a new one replaces the old.
    vote(http, a, pid, "up")
    assert envelope_ok(http.get(f"/3/gallery/image/{pid}/votes", headers=anon)) == {"ups": 2, "downs": 0}
    vote(http, b, pid, "down")
    assert votes(http, anon, pid) == {"ups": 1, "downs": 1}
    item = get_post(http, anon, pid)
    assert (item["ups"], item["downs"], item["points"], item["score"]) == (1, 1, 0, 0)
    # Each viewer sees their own vote, anonymous callers none.
    assert get_post(http, a.bearer, pid)["vote"] == "up"
    assert get_post(http, b.bearer, pid)["vote"] == "down"
    assert get_post(http, owner.bearer, pid)["vote"] is None
    assert item["vote"] is None
    # Veto takes the vote back (also when there is none).
    vote(http, b, pid, "veto")
    vote(http, owner, pid, "veto")
    assert votes(http, anon, pid) == {"ups": 1, "downs": 0}
    assert get_post(http, b.bearer, pid)["vote"] is None
    # Vote names are case-blind; anything else is a 400, an unknown post a 404.
    vote(http, b, pid, "DOWN")
    assert votes(http, anon, pid) == {"ups": 1, "downs": 1}
    envelope_error(http.post(f"/3/gallery/{pid}/vote/sideways", headers=a.bearer), 400)
    envelope_error(http.post("/3/gallery/zzzzzzz/vote/up", headers=a.bearer), 404)
    envelope_error(http.get("/3/gallery/zzzzzzz/votes", headers=anon), 404)
    assert votes(http, anon, pid) == {"ups": 1, "downs": 1}


def test_album_votes_and_the_album_forms(
    http: httpx.Client, owner: User, voters: list[User], anon: dict[str, str]
) -> None:
    image = upload(http, owner.bearer)
    album = envelope_ok(http.post("/3/album", headers=owner.bearer, data={"ids[]": [image["id"]]}))
    share(http, owner, album["id"], "album")
    assert (
        envelope_ok(http.post(f"/3/gallery/album/{album['id']}/vote/down", headers=voters[0].bearer)) is True
    )
    vote(http, voters[1], album["id"], "down")
    assert envelope_ok(http.get(f"/3/gallery/album/{album['id']}/votes", headers=anon)) == {
        "ups": 0,
        "downs": 2,
    }
    got = envelope_ok(http.get(f"/3/gallery/album/{album['id']}", headers=voters[0].bearer))
    assert (got["points"], got["vote"]) == (-2, "down")


# ---------------------------------------------------------------- gallery favourites


def test_gallery_favourites_count_and_show_per_viewer(
    http: httpx.Client, owner: User, voters: list[User], anon: dict[str, str]
) -> None:
    post = shared_image(http, owner)
    pid = post["id"]
    assert envelope_ok(http.post(f"/3/gallery/{pid}/favorite", headers=voters[0].bearer)) == "favorited"
    assert envelope_ok(http.post(f"/3/gallery/image/{pid}/favorite", headers=voters[1].bearer)) == "favorited"
    assert get_post(http, anon, pid)["favorite_count"] == 2
    assert get_post(http, voters[0].bearer, pid)["favorite"] is True
    assert get_post(http, owner.bearer, pid)["favorite"] is False
    assert get_post(http, anon, pid)["favorite"] is False
    # The same as favouriting the image: toggled off through either route.
    assert envelope_ok(http.post(f"/3/image/{pid}/favorite", headers=voters[0].bearer)) == "unfavorited"
    assert get_post(http, anon, pid)["favorite_count"] == 1
    envelope_error(http.post(f"/3/gallery/{pid}/favorite", headers=anon), 403)
    envelope_error(http.post("/3/gallery/zzzzzzz/favorite", headers=voters[0].bearer), 404)

    image = upload(http, owner.bearer)
    album = envelope_ok(http.post("/3/album", headers=owner.bearer, data={"ids[]": [image["id"]]}))
    share(http, owner, album["id"], "album")
    r = http.post(f"/3/gallery/album/{album['id']}/favorite", headers=voters[2].bearer)
    assert envelope_ok(r) == "favorited"
    got = envelope_ok(http.get(f"/3/gallery/album/{album['id']}", headers=voters[2].bearer))
    assert (got["favorite_count"], got["favorite"]) == (1, True)
    assert (
        envelope_ok(http.post(f"/3/gallery/{album['id']}/favorite", headers=voters[2].bearer))
        == "unfavorited"
    )
    assert get_post(http, anon, album["id"])["favorite_count"] == 0


# ---------------------------------------------------------------- listings


@pytest.fixture(scope="module")
def ranked(http: httpx.Client, owner: User, voters: list[User]) -> dict[str, Any]:
    """Four posts with 3, 2, 1 and -2 points, shared a second apart, oldest first; an album post; a
    viral post; a mature post."""
    time.sleep(1.05)  # later than every post shared before: first in the time order
    posts: list[str] = []
    for points in (3, 2, 1, -2):
        post = shared_image(http, owner)
        _points(http, voters, post["id"], points)
        posts.append(post["id"])
        time.sleep(1.05)
    album_images = [upload(http, owner.bearer) for _ in range(5)]
    album = envelope_ok(
        http.post("/3/album", headers=owner.bearer, data={"ids[]": [i["id"] for i in album_images]})
    )
    share(http, owner, album["id"], "album")
    time.sleep(1.05)
    viral = shared_image(http, owner)["id"]
    _points(http, voters, viral, VIRAL_POINTS)
    mature = shared_image(http, owner, mature="1")["id"]
    return {
        "by_points": posts,
        "album": album["id"],
        "album_images": [i["id"] for i in album_images],
        "viral": viral,
        "mature": mature,
    }


SHORT_FORMS = [
    ("/3/gallery", "/3/gallery/hot/viral/day/0"),
    ("/3/gallery/hot", "/3/gallery/hot/viral/day/0"),
    ("/3/gallery/0", "/3/gallery/hot/viral/day/0"),
    ("/3/gallery/hot/viral", "/3/gallery/hot/viral/day/0"),
    ("/3/gallery/hot/viral/0", "/3/gallery/hot/viral/day/0"),
    ("/3/gallery/hot/viral/week", "/3/gallery/hot/viral/week/0"),
    ("/3/gallery/top", "/3/gallery/top/top/day/0"),
    ("/3/gallery/top/viral/week", "/3/gallery/top/top/week/0"),
    ("/3/gallery/top/top/month/0", "/3/gallery/top/top/month/0"),
    ("/3/gallery/user", "/3/gallery/user/viral/day/0"),
    ("/3/gallery/user/time", "/3/gallery/user/time/day/0"),
    ("/3/gallery/user/rising/0", "/3/gallery/user/rising/day/0"),
    ("/3/gallery/user/time/0.json", "/3/gallery/user/time/day/0"),
    ("/3/gallery/hot/viral/0?showViral=true", "/3/gallery/hot/viral/day/0"),
    # Odd values fall back to the defaults (clients send them: PyImgur's window "top", say).
    ("/3/gallery/hot/bogus/bogus/0", "/3/gallery/hot/viral/day/0"),
    ("/3/gallery/hot/rising/day/0", "/3/gallery/hot/viral/day/0"),
    ("/3/gallery/top/top/top/0", "/3/gallery/top/top/day/0"),
    ("/3/gallery/HOT/VIRAL/DAY/0", "/3/gallery/hot/viral/day/0"),
    ("/3/gallery/hot/viral/day/x", "/3/gallery/hot/viral/day/0"),
]


@pytest.mark.parametrize(("short", "long"), SHORT_FORMS, ids=[s for s, _ in SHORT_FORMS])
def test_short_forms_answer_what_the_long_form_does(
    http: httpx.Client, anon: dict[str, str], ranked: dict[str, Any], short: str, long: str
) -> None:
    got = envelope_ok(http.get(short, headers=anon))
    want = envelope_ok(http.get(long, headers=anon))
    assert ids(got) == ids(want)
    for item in got:
        listed_shape(item)


@pytest.mark.parametrize(
    "path",
    [
        "/3/gallery/hot/viral/day",
        "/3/gallery/user/rising/day",
        "/3/gallery/top/top/day",
        "/3/gallery/top/top/week",
        "/3/gallery/top/top/all",
    ],
)
def test_points_order_own_posts(
    http: httpx.Client, anon: dict[str, str], ranked: dict[str, Any], path: str
) -> None:
    """Shared seconds apart, these posts differ far more in points than in age: every ranked order puts
    them in points order (ranking.py: age weighs log10(points) per 12.5 hours, or per 1.25 hours)."""
    listed = _all_pages(http, anon, path)
    assert len(listed) == len(set(listed))
    assert _subsequence(listed, ranked["by_points"]) == ranked["by_points"]
    if path.startswith("/3/gallery/top"):
        assert listed.index(ranked["viral"]) < listed.index(ranked["by_points"][0])


def test_time_order_is_newest_first(http: httpx.Client, anon: dict[str, str], ranked: dict[str, Any]) -> None:
    newest = envelope_ok(http.get("/3/gallery/user/time/0", headers=anon))
    # Shared after every other post still in the gallery, one second apart: the first of the list.
    mine = [*ranked["by_points"], ranked["album"], ranked["viral"]]
    assert ids(newest)[:6] == [ranked["viral"], ranked["album"], *reversed(ranked["by_points"])]
    assert set(mine) <= set(ids(newest))


def test_show_viral_hides_viral_posts_from_the_user_section(
    http: httpx.Client, anon: dict[str, str], ranked: dict[str, Any]
) -> None:
    for hidden in ("false", "False", "0"):
        listed = _all_pages(http, anon, "/3/gallery/user/time/day", f"?showViral={hidden}")
        assert ranked["viral"] not in listed and set(ranked["by_points"]) <= set(listed)
    assert ranked["viral"] in _all_pages(http, anon, "/3/gallery/user/time/day", "?showViral=True")
    # The hot section shows viral posts whatever showViral says.
    assert ranked["viral"] in _all_pages(http, anon, "/3/gallery/hot/viral/day", "?showViral=false")
    item = get_post(http, anon, ranked["viral"])
    assert item["in_most_viral"] is True and item["points"] == VIRAL_POINTS


def test_mature_posts_only_when_asked(
    http: httpx.Client, anon: dict[str, str], ranked: dict[str, Any]
) -> None:
    assert ranked["mature"] not in _all_pages(http, anon, "/3/gallery/user/time/day")
    for yes in ("true", "True", "1"):
        assert ranked["mature"] in _all_pages(http, anon, "/3/gallery/user/time/day", f"?mature={yes}")
    assert get_post(http, anon, ranked["mature"])["nsfw"] is True


def test_album_previews(http: httpx.Client, anon: dict[str, str], ranked: dict[str, Any]) -> None:
    def album_in(query: str) -> dict[str, Any]:
        items = envelope_ok(http.get(f"/3/gallery/user/time/0{query}", headers=anon))
        return next(i for i in items if i["id"] == ranked["album"])

    assert "images" not in album_in("")
    listed_shape(album_in(""))
    for yes in ("true", "True"):
        preview = album_in(f"?album_previews={yes}")
        listed_shape(preview, previews=True)
        assert [i["id"] for i in preview["images"]] == ranked["album_images"][:3]
        assert preview["images_count"] == 5
    full = get_post(http, anon, ranked["album"])
    assert [i["id"] for i in full["images"]] == ranked["album_images"]


def test_pages_past_the_end_are_empty(
    http: httpx.Client, anon: dict[str, str], ranked: dict[str, Any]
) -> None:
    for path in ("/3/gallery/hot/viral/day/99999", "/3/gallery/99999", "/3/gallery/top/top/all/99999"):
        assert envelope_ok(http.get(path, headers=anon)) == []
    assert envelope_ok(http.get("/3/gallery/hot/viral/day/0?page=99999", headers=anon)) != []


def test_listings_need_only_a_client_id(http: httpx.Client, ranked: dict[str, Any], owner: User) -> None:
    envelope_error(http.get("/3/gallery/hot/viral/0"), 401)
    signed_in = envelope_ok(http.get("/3/gallery/user/time/0", headers=owner.bearer))
    assert ranked["viral"] in ids(signed_in)
