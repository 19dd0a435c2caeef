"""An account's gallery rows over raw HTTP: gallery_profile, submissions (sorts, pages, every path form),
likes (the owner's upvotes), gallery_favorites; the account's reputation and its name following the votes;
and what deleting an image, an album or an account leaves behind (nothing: no post, no vote, no count that
still includes them)."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from imghost.api.schemas import reputation_name
from tests.accounts.helpers import NEEDS_USER, NOT_YOUR_ACCOUNT, User, make_user
from tests.community.gallery_helpers import (
    PROFILE_KEYS,
    account,
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
from tests.live import LiveServer, db_rows


@pytest.fixture
def new_user(server: LiveServer, session_client: tuple[str, str]) -> Callable[[str], User]:
    def make(prefix: str) -> User:
        return make_user(server, session_client, prefix=prefix)

    return make


def _get(http: httpx.Client, headers: dict[str, str], path: str) -> list[dict[str, object]]:
    items = envelope_ok(http.get(path, headers=headers))
    assert isinstance(items, list)
    for i in items:
        listed_shape(i, previews="album_previews=true" in path)
    return items


def _profile(http: httpx.Client, headers: dict[str, str], name: str) -> dict[str, object]:
    data = envelope_ok(http.get(f"/3/account/{name}/gallery_profile", headers=headers))
    assert set(data) == PROFILE_KEYS
    return data


# ---------------------------------------------------------------- submissions


def test_submissions_sorts_and_forms(
    http: httpx.Client, anon: dict[str, str], new_user: Callable[[str], User]
) -> None:
    owner, a, b = new_user("sub"), new_user("sa"), new_user("sb")
    posts = []
    for points in (1, -2, 2):
        post = shared_image(http, owner)
        voters = [a, b][: abs(points)]
        for v in voters:
            vote(http, v, post["id"], "up" if points > 0 else "down")
        posts.append(post["id"])
        time.sleep(1.05)  # shared a second apart: newest and oldest are the share order
    # An image that is not shared is no submission.
    upload(http, owner.bearer)
    newest = list(reversed(posts))
    base = f"/3/account/{owner.name}/submissions"
    assert ids(_get(http, anon, base)) == newest
    for path in (f"{base}/0", f"{base}/0/newest", f"{base}/newest", f"{base}/newest/0", f"{base}/0/bogus"):
        assert ids(_get(http, anon, path)) == newest, path
    for path in (f"{base}/0/oldest", f"{base}/oldest", f"{base}/oldest/0", f"{base}?sort=oldest"):
        assert ids(_get(http, anon, path)) == posts, path
    by_points = [posts[2], posts[0], posts[1]]  # 2, 1, -2
    assert ids(_get(http, anon, f"{base}/0/best")) == by_points
    assert ids(_get(http, anon, f"{base}/worst/0")) == list(reversed(by_points))
    items = _get(http, anon, base)
    assert [i["points"] for i in items] == [2, -2, 1]
    assert all(i["account_url"] == owner.name and i["in_gallery"] is True for i in items)
    # Pages: perPage asks for fewer; past the end is [].
    assert ids(_get(http, anon, f"{base}/0?perPage=2")) == newest[:2]
    assert ids(_get(http, anon, f"{base}/1?perPage=2")) == newest[2:]
    assert _get(http, anon, f"{base}/1") == []
    assert _get(http, anon, f"{base}/5/oldest") == []
    # The viewer's own vote and favourite show; `me` is the token's account.
    assert [i["vote"] for i in _get(http, a.bearer, base)] == ["up", "down", "up"]
    assert [i["vote"] for i in items] == [None, None, None]
    assert ids(_get(http, owner.bearer, "/3/account/me/submissions")) == newest
    assert envelope_error(http.get("/3/account/me/submissions", headers=anon), 403)["error"] == NEEDS_USER
    envelope_error(http.get("/3/account/nosuchuser0000/submissions", headers=anon), 404)
    # Taken out of the gallery: no longer a submission.
    assert envelope_ok(http.delete(f"/3/gallery/{posts[0]}", headers=owner.bearer)) is True
    assert ids(_get(http, anon, base)) == newest[:2]


def test_submissions_pages_hold_sixty(
    http: httpx.Client, anon: dict[str, str], new_user: Callable[[str], User]
) -> None:
    owner = new_user("many")
    shared = [shared_image(http, owner)["id"] for _ in range(61)]
    base = f"/3/account/{owner.name}/submissions"
    first, second = ids(_get(http, anon, f"{base}/0")), ids(_get(http, anon, f"{base}/1"))
    assert len(first) == 60 and len(second) == 1
    assert sorted(first + second) == sorted(shared)
    assert _profile(http, anon, owner.name)["total_gallery_submissions"] == 61


def test_album_submissions(http: httpx.Client, anon: dict[str, str], new_user: Callable[[str], User]) -> None:
    owner = new_user("alb")
    images = [upload(http, owner.bearer) for _ in range(4)]
    album = envelope_ok(
        http.post("/3/album", headers=owner.bearer, data={"ids[]": [i["id"] for i in images]})
    )
    share(http, owner, album["id"], "album")
    items = _get(http, anon, f"/3/account/{owner.name}/submissions")
    assert ids(items) == [album["id"]] and items[0]["is_album"] is True and "images" not in items[0]
    assert items[0]["images_count"] == 4
    previews = _get(http, anon, f"/3/account/{owner.name}/submissions/0?album_previews=true")
    assert [i["id"] for i in previews[0]["images"]] == [i["id"] for i in images[:3]]


# ---------------------------------------------------------------- likes


def test_likes_are_the_owners_upvotes(
    http: httpx.Client, anon: dict[str, str], new_user: Callable[[str], User]
) -> None:
    poster, liker, other = new_user("lp"), new_user("lk"), new_user("lo")
    up1, down, up2, untouched = (shared_image(http, poster)["id"] for _ in range(4))
    vote(http, liker, up1, "up")
    vote(http, liker, down, "down")
    time.sleep(1.05)
    vote(http, liker, up2, "up")
    base = f"/3/account/{liker.name}/likes"
    assert ids(_get(http, liker.bearer, base)) == [up2, up1]  # the latest vote first
    assert ids(_get(http, liker.bearer, f"{base}/0")) == [up2, up1]
    assert ids(_get(http, liker.bearer, "/3/account/me/likes")) == [up2, up1]
    assert [i["vote"] for i in _get(http, liker.bearer, base)] == ["up", "up"]
    assert _get(http, liker.bearer, f"{base}/1") == []
    assert untouched not in ids(_get(http, liker.bearer, base))
    # An upvote turned into a downvote, or vetoed, is no like.
    vote(http, liker, up1, "down")
    assert ids(_get(http, liker.bearer, base)) == [up2]
    vote(http, liker, up2, "veto")
    assert _get(http, liker.bearer, base) == []
    # Votes are private: only the voter reads them.
    assert envelope_error(http.get(base, headers=anon), 403)["error"] == NEEDS_USER
    assert envelope_error(http.get(base, headers=other.bearer), 403)["error"] == NOT_YOUR_ACCOUNT
    envelope_error(http.get(base), 401)


# ---------------------------------------------------------------- gallery favourites


def test_gallery_favorites(http: httpx.Client, anon: dict[str, str], new_user: Callable[[str], User]) -> None:
    poster, fan = new_user("fp"), new_user("ff")
    first = shared_image(http, poster)["id"]
    assert envelope_ok(http.post(f"/3/gallery/{first}/favorite", headers=fan.bearer)) == "favorited"
    time.sleep(1.05)
    image = upload(http, poster.bearer)
    album = envelope_ok(http.post("/3/album", headers=poster.bearer, data={"ids[]": [image["id"]]}))
    share(http, poster, album["id"], "album")
    assert envelope_ok(http.post(f"/3/album/{album['id']}/favorite", headers=fan.bearer)) == "favorited"
    time.sleep(1.05)
    # A favourite that is not in the gallery is no gallery favourite.
    private = upload(http, poster.bearer)
    assert envelope_ok(http.post(f"/3/image/{private['id']}/favorite", headers=fan.bearer)) == "favorited"

    base = f"/3/account/{fan.name}/gallery_favorites"
    newest = [album["id"], first]
    for path in (base, f"{base}/0", f"{base}/0/newest", f"{base}/newest", f"{base}/newest/0"):
        assert ids(_get(http, anon, path)) == newest, path
    for path in (f"{base}/0/oldest", f"{base}/oldest", f"{base}/oldest/0"):
        assert ids(_get(http, anon, path)) == list(reversed(newest)), path
    assert _get(http, anon, f"{base}/1") == []
    assert ids(_get(http, fan.bearer, "/3/account/me/gallery_favorites")) == newest
    # The favourite flag is the viewer's: the fan sees it, anybody else does not.
    assert [i["favorite"] for i in _get(http, fan.bearer, base)] == [True, True]
    assert [i["favorite"] for i in _get(http, anon, base)] == [False, False]
    assert [i["favorite_count"] for i in _get(http, anon, base)] == [1, 1]
    profile = _profile(http, anon, fan.name)
    assert profile == {
        "total_gallery_comments": 0,
        "total_gallery_favorites": 2,
        "total_gallery_submissions": 0,
        "trophies": [],
    }
    # Unfavourited, or taken out of the gallery: gone from the row.
    assert envelope_ok(http.post(f"/3/gallery/{first}/favorite", headers=fan.bearer)) == "unfavorited"
    assert envelope_ok(http.delete(f"/3/gallery/{album['id']}", headers=poster.bearer)) is True
    assert _get(http, anon, base) == []
    assert _profile(http, anon, fan.name)["total_gallery_favorites"] == 0


# ---------------------------------------------------------------- profile and reputation


def test_gallery_profile_counts(
    http: httpx.Client, anon: dict[str, str], new_user: Callable[[str], User]
) -> None:
    owner = new_user("gp")
    assert _profile(http, anon, owner.name) == {
        "total_gallery_comments": 0,
        "total_gallery_favorites": 0,
        "total_gallery_submissions": 0,
        "trophies": [],
    }
    posts = [shared_image(http, owner)["id"] for _ in range(3)]
    upload(http, owner.bearer)  # not shared
    envelope_ok(http.post(f"/3/gallery/{posts[0]}/favorite", headers=owner.bearer))
    assert _profile(http, anon, owner.name) == {
        "total_gallery_comments": 0,
        "total_gallery_favorites": 1,
        "total_gallery_submissions": 3,
        "trophies": [],
    }
    assert _profile(http, owner.bearer, "me") == _profile(http, anon, owner.name)
    envelope_error(http.get(f"/3/account/{owner.name}/gallery_profile"), 401)
    envelope_error(http.get("/3/account/nosuchuser0000/gallery_profile", headers=anon), 404)


@pytest.mark.parametrize(
    ("score", "name"),
    [
        (-1, "Forever Alone"),
        (-0.5, "Forever Alone"),
        (0, "Neutral"),
        (399, "Neutral"),
        (400, "Accepted"),
        (999, "Accepted"),
        (1000, "Liked"),
        (1999, "Liked"),
        (2000, "Trusted"),
        (3999, "Trusted"),
        (4000, "Idolized"),
        (7999, "Idolized"),
        (8000, "Renowned"),
        (19999, "Renowned"),
        (20000, "Glorious"),
        (10**9, "Glorious"),
    ],
)
def test_reputation_tiers(score: float, name: str) -> None:
    assert reputation_name(score) == name


def test_reputation_follows_votes(
    http: httpx.Client, anon: dict[str, str], new_user: Callable[[str], User]
) -> None:
    owner, a, b, c = (new_user(p) for p in ("rp", "ra", "rb", "rc"))
    first = account(http, anon, owner.name)
    assert (first["reputation"], first["reputation_name"]) == (0.0, "Neutral")
    p1, p2 = shared_image(http, owner)["id"], shared_image(http, owner)["id"]
    vote(http, a, p1, "up")
    vote(http, b, p1, "up")
    vote(http, c, p2, "down")
    got = account(http, anon, owner.name)
    assert (got["reputation"], got["reputation_name"]) == (1.0, "Neutral")
    assert isinstance(got["reputation"], float)
    vote(http, a, p1, "down")
    vote(http, b, p1, "down")
    got = account(http, anon, owner.name)
    assert (got["reputation"], got["reputation_name"]) == (-3.0, "Forever Alone")
    # By id and through `me`, the same figure.
    assert account(http, anon, f"{owner.name}?account_id={owner.id}")["reputation"] == -3.0
    assert account(http, owner.bearer, "me")["reputation"] == -3.0
    # The voters' own reputation is their content's, not their votes'.
    assert account(http, anon, a.name)["reputation"] == 0.0


# ---------------------------------------------------------------- deletion cascades


def _vote_rows(server: LiveServer, post_id: str) -> int:
    return int(db_rows(server, "SELECT COUNT(*) FROM gallery_votes WHERE post_id = ?", (post_id,))[0][0])


def test_deleting_an_image_removes_its_post_and_votes(
    http: httpx.Client, server: LiveServer, anon: dict[str, str], new_user: Callable[[str], User]
) -> None:
    owner, a, b = new_user("di"), new_user("dia"), new_user("dib")
    keep = shared_image(http, owner)
    gone = shared_image(http, owner)
    for pid in (keep["id"], gone["id"]):
        vote(http, a, pid, "up")
        vote(http, b, pid, "up")
    envelope_ok(http.post(f"/3/gallery/{gone['id']}/favorite", headers=a.bearer))
    assert account(http, anon, owner.name)["reputation"] == 4.0
    assert _vote_rows(server, gone["id"]) == 2

    assert envelope_ok(http.delete(f"/3/image/{gone['id']}", headers=owner.bearer)) is True
    envelope_error(http.get(f"/3/gallery/{gone['id']}", headers=anon), 404)
    envelope_error(http.get(f"/3/gallery/{gone['id']}/votes", headers=anon), 404)
    assert _vote_rows(server, gone["id"]) == 0
    assert account(http, anon, owner.name)["reputation"] == 2.0
    assert ids(_get(http, anon, f"/3/account/{owner.name}/submissions")) == [keep["id"]]
    assert ids(_get(http, a.bearer, f"/3/account/{a.name}/likes")) == [keep["id"]]
    assert _get(http, anon, f"/3/account/{a.name}/gallery_favorites") == []
    assert _profile(http, anon, owner.name)["total_gallery_submissions"] == 1
    assert gone["id"] not in ids(envelope_ok(http.get("/3/gallery/user/time/0", headers=anon)))
    assert votes(http, anon, keep["id"]) == {"ups": 2, "downs": 0}


def test_deleting_an_album_removes_its_post_and_votes(
    http: httpx.Client, server: LiveServer, anon: dict[str, str], new_user: Callable[[str], User]
) -> None:
    owner, a = new_user("da"), new_user("daa")
    image = upload(http, owner.bearer)
    album = envelope_ok(http.post("/3/album", headers=owner.bearer, data={"ids[]": [image["id"]]}))
    share(http, owner, album["id"], "album")
    vote(http, a, album["id"], "down")
    assert account(http, anon, owner.name)["reputation"] == -1.0
    assert envelope_ok(http.delete(f"/3/album/{album['id']}", headers=owner.bearer)) is True
    envelope_error(http.get(f"/3/gallery/album/{album['id']}", headers=anon), 404)
    assert _vote_rows(server, album["id"]) == 0
    assert account(http, anon, owner.name)["reputation"] == 0.0
    assert _get(http, anon, f"/3/account/{owner.name}/submissions") == []
    # The image stays, and is in no gallery.
    assert envelope_ok(http.get(f"/3/image/{image['id']}", headers=anon))["in_gallery"] is False


def test_deleting_an_account_removes_its_posts_and_its_votes_from_every_count(
    http: httpx.Client, server: LiveServer, anon: dict[str, str], new_user: Callable[[str], User]
) -> None:
    owner, leaver, stayer = new_user("do"), new_user("dl"), new_user("ds")
    liked, disliked = shared_image(http, owner)["id"], shared_image(http, owner)["id"]
    vote(http, leaver, liked, "up")
    vote(http, stayer, liked, "up")
    vote(http, leaver, disliked, "down")
    # The leaver's own posts, voted on and favourited by others.
    theirs = shared_image(http, leaver)["id"]
    image = upload(http, leaver.bearer)
    album = envelope_ok(http.post("/3/album", headers=leaver.bearer, data={"ids[]": [image["id"]]}))
    share(http, leaver, album["id"], "album")
    for pid in (theirs, album["id"]):
        vote(http, owner, pid, "up")
        envelope_ok(http.post(f"/3/gallery/{pid}/favorite", headers=stayer.bearer))
    assert account(http, anon, owner.name)["reputation"] == 1.0  # 2 - 1
    assert account(http, anon, leaver.name)["reputation"] == 2.0

    assert envelope_ok(http.delete(f"/3/account/{leaver.name}", headers=leaver.bearer)) is True
    assert votes(http, anon, liked) == {"ups": 1, "downs": 0}
    assert votes(http, anon, disliked) == {"ups": 0, "downs": 0}
    assert get_post(http, anon, liked)["points"] == 1
    assert account(http, anon, owner.name)["reputation"] == 1.0
    for pid in (theirs, album["id"]):
        envelope_error(http.get(f"/3/gallery/{pid}", headers=anon), 404)
    assert _get(http, owner.bearer, f"/3/account/{owner.name}/likes") == []
    assert _get(http, anon, f"/3/account/{stayer.name}/gallery_favorites") == []
    assert _profile(http, anon, stayer.name)["total_gallery_favorites"] == 0
    stray = db_rows(server, "SELECT COUNT(*) FROM gallery_votes WHERE account_id = ?", (leaver.id,))
    assert stray[0][0] == 0
    posts = db_rows(server, "SELECT COUNT(*) FROM gallery_posts WHERE account_id = ?", (leaver.id,))
    assert posts[0][0] == 0
    envelope_error(http.get(f"/3/account/{leaver.name}/submissions", headers=anon), 404)
