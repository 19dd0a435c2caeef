"""Communities (imghost's subreddit galleries) over raw HTTP and through imgurpython and PyImgur.

A post names its community at share time with `community=` (or `subreddit=`); the name is kept lower
case without a leading "r/". /3/gallery/r/{name}[/{sort}[/{window}]][/{page}] lists the posts filed
under it (time, newest first, by default; top by points inside the window, a week by default), and
/3/gallery/r/{name}/{id} is one of them. Each test uses communities of its own, so the listings are
exact even on the shared session server. Posts are moved into the past by writing their shared_at
(the server reads the real clock)."""

from __future__ import annotations

import uuid

import httpx
import imgurpython.client
import pyimgur
import pytest
from imgurpython import ImgurClient
from pyimgur.exceptions import ResourceNotFoundError

from tests.accounts.helpers import User, make_user

# The off-host guard of the client-library tests (autouse): no call can reach the real Imgur.
from tests.clients.conftest import sent_requests  # noqa: F401
from tests.community.gallery_helpers import (
    GALLERY_IMAGE_KEYS,
    change_one_row,
    envelope_error,
    envelope_ok,
    get_post,
    ids,
    share,
    shared_image,
    upload,
    vote,
)
from tests.live import LiveServer

DAY = 86400


@pytest.fixture(scope="module")
def owner(server: LiveServer, session_client: tuple[str, str]) -> User:
    return make_user(server, session_client, prefix="cown")


@pytest.fixture(scope="module")
def voters(server: LiveServer, session_client: tuple[str, str]) -> list[User]:
    return [make_user(server, session_client, prefix=f"cv{n}") for n in range(3)]


def community() -> str:
    return f"c{uuid.uuid4().hex[:12]}"


def backdate(server: LiveServer, post_id: str, seconds: int) -> None:
    """Move a post's share time into the past, behind the server's back."""
    change_one_row(
        server, "UPDATE gallery_posts SET shared_at = shared_at - ? WHERE id = ?", (seconds, post_id)
    )


def listing(http: httpx.Client, headers: dict[str, str], path: str) -> list[str]:
    items = envelope_ok(http.get(path, headers=headers))
    assert isinstance(items, list)
    for item in items:
        assert set(item) >= GALLERY_IMAGE_KEYS and item["is_album"] is False
    return ids(items)


@pytest.fixture(scope="module")
def posts(http: httpx.Client, server: LiveServer, owner: User, voters: list[User]) -> dict[str, object]:
    """One community with four posts: `old` nine days ago (3 points), `mid` two days ago (1 point),
    `new` an hour ago (2 points) and `now` (0 points); and one post in another community."""
    name = community()
    made: dict[str, str] = {}
    # The name as people type it: mixed case, "r/" in front, under either parameter name.
    spellings = {"old": f"r/{name.upper()}", "mid": name, "new": name.capitalize(), "now": name}
    for key, spelled in spellings.items():
        param = "subreddit" if key == "mid" else "community"
        made[key] = shared_image(http, owner, **{param: spelled})["id"]
    other = shared_image(http, owner, community=community())["id"]
    for key, points in (("old", 3), ("mid", 1), ("new", 2)):
        for v in voters[:points]:
            vote(http, v, made[key], "up")
    backdate(server, made["old"], 9 * DAY)
    backdate(server, made["mid"], 2 * DAY)
    backdate(server, made["new"], 3600)
    return {"name": name, "other": other, **made}


def test_share_stores_the_community_lower_case(
    http: httpx.Client, anon: dict[str, str], posts: dict[str, object]
) -> None:
    for key in ("old", "mid", "new", "now"):
        post = get_post(http, anon, str(posts[key]))
        # The post's community is its `section`, as Imgur's subreddit items have it.
        assert post["section"] == posts["name"]


def test_time_order_newest_first_in_every_short_form(
    http: httpx.Client, anon: dict[str, str], posts: dict[str, object]
) -> None:
    name = posts["name"]
    newest_first = [posts["now"], posts["new"], posts["mid"], posts["old"]]
    for path in (
        f"/3/gallery/r/{name}",
        f"/3/gallery/r/{name}/time",
        f"/3/gallery/r/{name}/0",
        f"/3/gallery/r/{name}/time/0",
        f"/3/gallery/r/{name}/time/week",
        f"/3/gallery/r/{name}/time/week/0",
        f"/3/gallery/r/{name.upper()}/time/all/0",
        # Odd sorts and windows fall back to the defaults (PyImgur sends the window "top").
        f"/3/gallery/r/{name}/time/top/0",
        f"/3/gallery/r/{name}/bogus/0",
        f"/3/gallery/r/{name}/time/0?page=3",
        f"/3/gallery/r/{name}?page=0",
    ):
        assert listing(http, anon, path) == newest_first, path
    assert posts["other"] not in newest_first


def test_top_by_points_inside_the_window(
    http: httpx.Client, anon: dict[str, str], posts: dict[str, object]
) -> None:
    name = posts["name"]
    week = [posts["new"], posts["mid"], posts["now"]]
    assert listing(http, anon, f"/3/gallery/r/{name}/top") == week
    assert listing(http, anon, f"/3/gallery/r/{name}/top/0") == week
    assert listing(http, anon, f"/3/gallery/r/{name}/top/week") == week
    assert listing(http, anon, f"/3/gallery/r/{name}/top/week/0") == week
    assert listing(http, anon, f"/3/gallery/r/{name}/top/day/0") == [posts["new"], posts["now"]]
    everything = [posts["old"], posts["new"], posts["mid"], posts["now"]]
    assert listing(http, anon, f"/3/gallery/r/{name}/top/month/0") == everything
    assert listing(http, anon, f"/3/gallery/r/{name}/top/all") == everything
    assert listing(http, anon, f"/3/gallery/r/{name}/top/nonsense/0") == week


def test_pages_past_the_end_and_unknown_communities_are_empty(
    http: httpx.Client, anon: dict[str, str], posts: dict[str, object]
) -> None:
    name = posts["name"]
    assert listing(http, anon, f"/3/gallery/r/{name}/1") == []
    assert listing(http, anon, f"/3/gallery/r/{name}/time/1") == []
    assert listing(http, anon, f"/3/gallery/r/{name}/top/all/7") == []
    for unknown in (community(), "x", "not-a-name", "%C3%A9t%C3%A9"):
        assert listing(http, anon, f"/3/gallery/r/{unknown}") == [], unknown
        assert listing(http, anon, f"/3/gallery/r/{unknown}/top/week/0") == [], unknown


def test_one_item_of_a_community(http: httpx.Client, anon: dict[str, str], posts: dict[str, object]) -> None:
    name = posts["name"]
    item = envelope_ok(http.get(f"/3/gallery/r/{name}/{posts['mid']}", headers=anon))
    assert item == get_post(http, anon, str(posts["mid"]))
    assert set(item) >= GALLERY_IMAGE_KEYS
    assert (
        envelope_ok(http.get(f"/3/gallery/r/{name.upper()}/{posts['mid']}", headers=anon))["id"]
        == posts["mid"]
    )
    # Not in this community, not shared, not there at all: 404.
    err = envelope_error(http.get(f"/3/gallery/r/{name}/{posts['other']}", headers=anon), 404)
    assert err["error"] == f"Unable to find a gallery item with the id, {posts['other']}"
    envelope_error(http.get(f"/3/gallery/r/{community()}/{posts['mid']}", headers=anon), 404)
    envelope_error(http.get(f"/3/gallery/r/{name}/zzzzzzz", headers=anon), 404)


def test_resharing_moves_a_post_between_communities(
    http: httpx.Client, anon: dict[str, str], owner: User
) -> None:
    first, second = community(), community()
    post = shared_image(http, owner, community=first)
    assert listing(http, anon, f"/3/gallery/r/{first}") == [post["id"]]
    share(http, owner, post["id"], community=second)
    assert listing(http, anon, f"/3/gallery/r/{first}") == []
    assert listing(http, anon, f"/3/gallery/r/{second}") == [post["id"]]
    # Unshared: gone from its community.
    assert envelope_ok(http.delete(f"/3/gallery/{post['id']}", headers=owner.bearer)) is True
    assert listing(http, anon, f"/3/gallery/r/{second}") == []
    envelope_error(http.get(f"/3/gallery/r/{second}/{post['id']}", headers=anon), 404)


def test_mature_posts_only_when_asked(
    http: httpx.Client, server: LiveServer, anon: dict[str, str], owner: User
) -> None:
    name = community()
    plain = shared_image(http, owner, community=name)["id"]
    backdate(server, plain, 60)
    mature = shared_image(http, owner, community=name, mature="1")["id"]
    assert listing(http, anon, f"/3/gallery/r/{name}") == [plain]
    assert listing(http, anon, f"/3/gallery/r/{name}?mature=true") == [mature, plain]


def test_a_bad_community_name_refuses_the_share(http: httpx.Client, owner: User) -> None:
    image = upload(http, owner.bearer)
    r = http.post(
        f"/3/gallery/image/{image['id']}",
        headers=owner.bearer,
        data={"title": "t", "terms": "1", "community": "no spaces allowed"},
    )
    envelope_error(r, 400)


def test_no_authorization_header_is_refused(http: httpx.Client, posts: dict[str, object]) -> None:
    envelope_error(http.get(f"/3/gallery/r/{posts['name']}"), 401)


# ---------------------------------------------------------------------------------- clients


def test_imgurpython_subreddit_calls(
    server: LiveServer,
    session_client: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
    posts: dict[str, object],
) -> None:
    monkeypatch.setattr(imgurpython.client, "API_URL", server.url + "/")
    client = ImgurClient(*session_client)
    name = str(posts["name"])
    # time: gallery/r/{sub}/time/{page}; top: gallery/r/{sub}/top/{window}/{page}.
    assert [i.id for i in client.subreddit_gallery(name)] == [
        posts["now"],
        posts["new"],
        posts["mid"],
        posts["old"],
    ]
    assert [i.id for i in client.subreddit_gallery(name, sort="top")] == [
        posts["new"],
        posts["mid"],
        posts["now"],
    ]
    assert [i.id for i in client.subreddit_gallery(name, sort="top", window="all")] == [
        posts["old"],
        posts["new"],
        posts["mid"],
        posts["now"],
    ]
    assert client.subreddit_gallery(name, page=1) == []
    assert client.subreddit_gallery(community()) == []
    image = client.subreddit_image(name, str(posts["new"]))
    assert image.id == posts["new"] and image.section == name and image.is_album is False
    assert image.ups == 2 and image.points == 2


def test_pyimgur_subreddit_calls(
    server: LiveServer,
    session_client: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
    posts: dict[str, object],
) -> None:
    monkeypatch.setattr(pyimgur, "IMGUR_BASE", server.url)
    im = pyimgur.Imgur(session_client[0])
    name = str(posts["name"])
    # PyImgur's default window is "top", which is no window: the server falls back to a week.
    got = im.get_subreddit_gallery(name, limit=10)
    assert [i.id for i in got] == [posts["now"], posts["new"], posts["mid"], posts["old"]]
    top = im.get_subreddit_gallery(name, sort="top", window="all", limit=2)
    assert [i.id for i in top] == [posts["old"], posts["new"]]
    assert im.get_subreddit_gallery(community(), limit=5) == []
    image = im.get_subreddit_image(name, str(posts["old"]))
    assert image.id == posts["old"] and image.section == name
    with pytest.raises(ResourceNotFoundError):
        im.get_subreddit_image(community(), str(posts["old"]))
