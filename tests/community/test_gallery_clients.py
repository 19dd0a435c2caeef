"""The gallery and votes through the real client libraries, unmodified: imgurpython 1.1.7 and PyImgur 0.8.1.

Each library is pointed at the session server the way tests/clients does it (module base URL, restored
afterwards); the request recorder of tests/clients refuses anything addressed off this machine. Every call
the libraries offer for sharing, gallery items, listings, votes, gallery favourites and the account's
gallery rows is driven here, and what it did is read back over raw HTTP.

imgurpython: share_on_imgur, gallery_item, gallery (every section, with and without window and
show_viral), gallery_random (the old random listing answers as the default listing), gallery_item_vote,
remove_from_gallery, get_account_submissions, get_gallery_favorites, get_account_favorites,
favorite_image / album_favorite on posts, get_image / get_album (`in_gallery`), get_account (reputation).
PyImgur: Image.submit_to_gallery and Album.submit_to_gallery (old POST /3/gallery/{id} then the gallery
object), get_gallery_image, get_gallery_album, get_gallery (Python-style showViral, pages until enough),
Gallery_image / Gallery_album upvote, downvote, get_votes, remove_from_gallery, User.get_submissions,
get_gallery_profile, get_gallery_favorites (both sorts), get_favorites, get_user (reputation), and the lazy
Gallery_album a listing hands out.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pyimgur
import pytest
from imgurpython import ImgurClient
from imgurpython.helpers.error import ImgurClientError
from imgurpython.imgur.models.gallery_album import GalleryAlbum
from imgurpython.imgur.models.gallery_image import GalleryImage
from pyimgur.exceptions import ResourceNotFoundError

from tests.accounts.helpers import User, make_user
from tests.clients.conftest import imgurpython_at, pyimgur_at, sent_requests  # noqa: F401
from tests.clients.helpers import RequestLog, make_png
from tests.community.gallery_helpers import (
    envelope_error,
    envelope_ok,
    get_post,
    vote,
    votes,
)
from tests.live import LiveServer


@pytest.fixture
def alice(server: LiveServer, session_client: tuple[str, str]) -> User:
    return make_user(server, session_client, prefix="gca")


@pytest.fixture
def bob(server: LiveServer, session_client: tuple[str, str]) -> User:
    return make_user(server, session_client, prefix="gcb")


def _paths(log: RequestLog) -> list[tuple[str, str]]:
    return [(r.method, r.url.split("/3/", 1)[-1]) for r in log.sent]


# ---------------------------------------------------------------- imgurpython


@pytest.fixture
def ip(
    server: LiveServer,
    session_client: tuple[str, str],
    imgurpython_at: Callable[[str], None],  # noqa: F811
) -> Callable[[User | None], ImgurClient]:
    """ip(user) -> imgurpython signed in as user (set_user_auth, as an app does after OAuth); ip(None) -> anonymous."""
    imgurpython_at(server.url)

    def make(who: User | None) -> ImgurClient:
        client = ImgurClient(*session_client)
        if who is not None:
            client.set_user_auth(who.access_token, who.refresh_token)
        return client

    return make


def _ip_upload(client: ImgurClient, tmp_path: Path, seed: int) -> dict[str, Any]:
    path = make_png(tmp_path / f"g{seed}.png", 40 + seed, 30, seed=seed)
    return client.upload_from_path(str(path), anon=False)


def test_imgurpython_share_read_vote_remove(
    ip: Callable[[User | None], ImgurClient],
    http: httpx.Client,
    anon: dict[str, str],
    alice: User,
    bob: User,
    sent_requests: RequestLog,  # noqa: F811
    tmp_path: Path,
) -> None:
    mine, theirs, nobody = ip(alice), ip(bob), ip(None)
    image = _ip_upload(mine, tmp_path, 1)
    assert mine.get_image(image["id"]).in_gallery is False

    sent_requests.clear()
    assert mine.share_on_imgur(image["id"], "Shared by imgurpython", terms=1) is True
    assert _paths(sent_requests) == [("POST", f"gallery/{image['id']}")]
    assert mine.get_image(image["id"]).in_gallery is True

    item = nobody.gallery_item(image["id"])
    assert isinstance(item, GalleryImage)
    assert (item.id, item.title, item.is_album, item.in_gallery) == (
        image["id"],
        "Shared by imgurpython",
        False,
        True,
    )
    assert (item.ups, item.downs, item.points, item.vote, item.account_url) == (0, 0, 0, None, alice.name)

    assert theirs.gallery_item_vote(image["id"], "up") is True
    assert theirs.gallery_item(image["id"]).vote == "up"
    assert votes(http, anon, image["id"]) == {"ups": 1, "downs": 0}
    assert theirs.gallery_item_vote(image["id"], "down") is True
    assert votes(http, anon, image["id"]) == {"ups": 0, "downs": 1}
    assert theirs.gallery_item_vote(image["id"], "veto") is True
    assert votes(http, anon, image["id"]) == {"ups": 0, "downs": 0}
    # Voting without a user: the library refuses before sending; the server would refuse too.
    with pytest.raises(ImgurClientError):
        nobody.gallery_item_vote(image["id"], "up")

    # Somebody else cannot take it out of the gallery; the owner can.
    with pytest.raises(ImgurClientError) as refused:
        theirs.remove_from_gallery(image["id"])
    assert refused.value.status_code == 403
    assert mine.remove_from_gallery(image["id"]) is True
    with pytest.raises(ImgurClientError) as gone:
        nobody.gallery_item(image["id"])
    assert gone.value.status_code == 404
    assert mine.get_image(image["id"]).in_gallery is False


def test_imgurpython_albums_in_the_gallery(
    ip: Callable[[User | None], ImgurClient],
    http: httpx.Client,
    anon: dict[str, str],
    alice: User,
    bob: User,
    tmp_path: Path,
) -> None:
    mine, theirs = ip(alice), ip(bob)
    images = [_ip_upload(mine, tmp_path, k) for k in range(3)]
    album = mine.create_album({"ids": [i["id"] for i in images], "title": "ip album", "privacy": "secret"})
    assert mine.share_on_imgur(album["id"], "Album post", terms=1) is True
    got = theirs.gallery_item(album["id"])
    assert isinstance(got, GalleryAlbum)
    assert (got.is_album, got.images_count, [i["id"] for i in got.images]) == (
        True,
        3,
        [i["id"] for i in images],
    )
    assert got.privacy == "public"
    assert mine.get_album(album["id"]).in_gallery is True
    assert theirs.gallery_item_vote(album["id"], "up") is True
    assert theirs.album_favorite(album["id"]) == "favorited"
    again = theirs.gallery_item(album["id"])
    assert (again.ups, again.vote, again.favorite, again.favorite_count) == (1, "up", True, 1)
    # Both show up in bob's rows, as gallery objects.
    favs = theirs.get_gallery_favorites(bob.name)
    assert [type(f) for f in favs] == [GalleryAlbum] and favs[0].id == album["id"]
    assert [f.id for f in theirs.get_account_favorites(bob.name)] == [album["id"]]
    subs = theirs.get_account_submissions(alice.name)
    assert [(type(s), s.id) for s in subs] == [(GalleryAlbum, album["id"])]


def test_imgurpython_listings(
    ip: Callable[[User | None], ImgurClient],
    http: httpx.Client,
    anon: dict[str, str],
    alice: User,
    bob: User,
    sent_requests: RequestLog,  # noqa: F811
    tmp_path: Path,
) -> None:
    mine, nobody = ip(alice), ip(None)
    image = _ip_upload(mine, tmp_path, 7)
    assert mine.share_on_imgur(image["id"], "listed", terms=1) is True
    vote(http, bob, image["id"], "up")

    sent_requests.clear()
    newest = nobody.gallery("user", "time", 0, show_viral=False)
    assert _paths(sent_requests) == [("GET", "gallery/user/time/0?showViral=false")]
    assert image["id"] in [i.id for i in newest]
    assert all(isinstance(i, GalleryAlbum if i.is_album else GalleryImage) for i in newest)

    def found(**kw: Any) -> bool:
        for page in range(100):
            items = nobody.gallery(page=page, **kw)
            if not items:
                return False
            if image["id"] in [i.id for i in items]:
                return True
        return False

    assert found()  # hot, viral, day
    assert found(section="top", sort="top", window="week")
    assert found(section="top", sort="top", window="all")
    assert found(section="user", sort="rising")
    assert found(section="hot", sort="viral", show_viral=False)
    sent_requests.clear()
    nobody.gallery("top", "top", 3, "month")
    assert _paths(sent_requests) == [("GET", "gallery/top/top/month/3?showViral=true")]
    # Out of range: an empty page, which the library returns as an empty list.
    assert nobody.gallery("hot", "viral", 100000) == []
    # The old random listing answers with gallery objects too.
    assert all(isinstance(i, GalleryAlbum | GalleryImage) for i in nobody.gallery_random(0))


def test_imgurpython_account_rows_and_reputation(
    ip: Callable[[User | None], ImgurClient],
    http: httpx.Client,
    anon: dict[str, str],
    alice: User,
    bob: User,
    tmp_path: Path,
) -> None:
    mine, theirs, nobody = ip(alice), ip(bob), ip(None)
    first, second = (_ip_upload(mine, tmp_path, k) for k in (11, 12))
    for image in (first, second):
        assert mine.share_on_imgur(image["id"], f"post {image['id']}", terms=1) is True
        time.sleep(1.05)  # a second apart: the newest first is the share order
    theirs.gallery_item_vote(first["id"], "up")
    theirs.gallery_item_vote(second["id"], "up")
    assert theirs.favorite_image(first["id"]) == "favorited"

    subs = nobody.get_account_submissions(alice.name)
    assert [s.id for s in subs] == [second["id"], first["id"]]
    assert all(isinstance(s, GalleryImage) and s.in_gallery for s in subs)
    assert nobody.get_account_submissions(alice.name, 1) == []
    favs = nobody.get_gallery_favorites(bob.name)
    assert [f.id for f in favs] == [first["id"]] and favs[0].favorite_count == 1
    assert [f.id for f in theirs.get_account_favorites("me")] == [first["id"]]
    account = nobody.get_account(alice.name)
    assert account.reputation == 2.0
    theirs.gallery_item_vote(second["id"], "down")
    assert nobody.get_account(alice.name).reputation == 0.0


# ---------------------------------------------------------------- PyImgur


@pytest.fixture
def py(
    server: LiveServer,
    session_client: tuple[str, str],
    pyimgur_at: Callable[[str], None],  # noqa: F811
) -> Callable[[User | None], pyimgur.Imgur]:
    pyimgur_at(server.url)

    def make(who: User | None) -> pyimgur.Imgur:
        if who is None:
            return pyimgur.Imgur(session_client[0])
        return pyimgur.Imgur(
            session_client[0],
            session_client[1],
            access_token=who.access_token,
            refresh_token=who.refresh_token,
        )

    return make


def _py_upload(im: pyimgur.Imgur, tmp_path: Path, seed: int) -> pyimgur.Image:
    return im.upload_image(
        str(make_png(tmp_path / f"p{seed}.png", 40 + seed, 30, seed=seed)), title=f"py {seed}"
    )


def test_pyimgur_submit_vote_remove(
    py: Callable[[User | None], pyimgur.Imgur],
    http: httpx.Client,
    anon: dict[str, str],
    alice: User,
    bob: User,
    sent_requests: RequestLog,  # noqa: F811
    tmp_path: Path,
) -> None:
    mine, theirs, nobody = py(alice), py(bob), py(None)
    image = _py_upload(mine, tmp_path, 1)
    sent_requests.clear()
    item = image.submit_to_gallery("Shared by PyImgur", bypass_terms=True)
    assert _paths(sent_requests) == [("POST", f"gallery/{image.id}"), ("GET", f"gallery/image/{image.id}")]
    assert isinstance(item, pyimgur.Gallery_image)
    assert (item.title, item.is_album, item.in_gallery, item.author.name) == (
        "Shared by PyImgur",
        False,
        True,
        alice.name,
    )

    seen = theirs.get_gallery_image(image.id)
    assert seen.upvote() is True
    assert seen.get_votes() == {"ups": 1, "downs": 0}
    assert seen.downvote() is True
    assert nobody.get_gallery_image(image.id).get_votes() == {"ups": 0, "downs": 1}
    assert theirs.get_gallery_image(image.id).vote == "down"
    assert get_post(http, anon, image.id)["points"] == -1
    with pytest.raises(ResourceNotFoundError):
        nobody.get_gallery_album(image.id)

    back = mine.get_gallery_image(image.id).remove_from_gallery()
    assert isinstance(back, pyimgur.Image) and not isinstance(back, pyimgur.Gallery_image)
    assert back.in_gallery is False
    with pytest.raises(ResourceNotFoundError):
        nobody.get_gallery_image(image.id)
    envelope_error(http.get(f"/3/gallery/{image.id}/votes", headers=anon), 404)


def test_pyimgur_albums_listings_and_user_rows(
    py: Callable[[User | None], pyimgur.Imgur],
    http: httpx.Client,
    anon: dict[str, str],
    alice: User,
    bob: User,
    sent_requests: RequestLog,  # noqa: F811
    tmp_path: Path,
) -> None:
    mine, theirs, nobody = py(alice), py(bob), py(None)
    images = [_py_upload(mine, tmp_path, k) for k in range(2, 5)]
    album = mine.create_album(title="py album", images=images)
    time.sleep(1.05)  # after every earlier post, and a second before the next: the newest of all
    shared = album.submit_to_gallery("Album by PyImgur", bypass_terms=True)
    assert isinstance(shared, pyimgur.Gallery_album)
    assert [i.id for i in shared.images] == [i.id for i in images]
    time.sleep(1.05)
    lone = _py_upload(mine, tmp_path, 5).submit_to_gallery("lone", bypass_terms=True)

    gallery_album = theirs.get_gallery_album(album.id)
    assert gallery_album.upvote() is True
    assert gallery_album.get_votes() == {"ups": 1, "downs": 0}
    assert envelope_ok(http.post(f"/3/gallery/{album.id}/favorite", headers=bob.bearer)) == "favorited"
    time.sleep(1.05)  # favourited a second apart: newest first is lone, then the album
    assert envelope_ok(http.post(f"/3/gallery/{lone.id}/favorite", headers=bob.bearer)) == "favorited"

    # Listings: the Python-style showViral, pages fetched until the limit is met or a page is empty.
    sent_requests.clear()
    listed = nobody.get_gallery("user", "time", "day", show_viral=False, limit=5)
    assert sent_requests.sent[0].url.endswith("/3/gallery/user/time/day/0?showViral=False")
    assert len(listed) == 5
    by_id = {i.id: i for i in listed}
    assert lone.id in by_id and album.id in by_id
    lazy = by_id[album.id]
    assert isinstance(lazy, pyimgur.Gallery_album)
    sent_requests.clear()
    # Listed without images, the lazy object fetches them (from /3/album/{id}: Album.__init__ overrides
    # the gallery info URL that Gallery_album sets before it).
    assert len(lazy.images) == 3
    assert _paths(sent_requests) == [("GET", f"album/{album.id}")]
    everything = nobody.get_gallery("top", "top", "week", limit=10_000)
    assert {album.id, lone.id} <= {i.id for i in everything}
    assert len(everything) == len({i.id for i in everything})

    author = nobody.get_user(alice.name)
    assert author.reputation == 1.0
    assert [s.id for s in author.get_submissions(limit=10)] == [lone.id, album.id]
    assert author.get_gallery_profile() == {
        "total_gallery_comments": 0,
        "total_gallery_favorites": 0,
        "total_gallery_submissions": 2,
        "trophies": [],
    }
    fan = nobody.get_user(bob.name)
    favs = fan.get_gallery_favorites(limit=10)
    assert [f.id for f in favs] == [lone.id, album.id]
    assert all(isinstance(f, pyimgur.Image) for f in favs)
    assert [f.id for f in fan.get_gallery_favorites(sort="newest", limit=10)] == [lone.id, album.id]
    assert [f.id for f in fan.get_gallery_favorites(sort="oldest", limit=10)] == [album.id, lone.id]
    assert fan.get_gallery_profile()["total_gallery_favorites"] == 2
    signed_in = theirs.get_user(bob.name)
    assert {f.id for f in signed_in.get_favorites(limit=10)} == {lone.id, album.id}
    with pytest.raises(ResourceNotFoundError):
        nobody.get_user("nosuchuser0000")
