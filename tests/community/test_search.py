"""Gallery search over real HTTP on the suite's backend: every operator, qualifier and advanced field finds
exactly the posts it should in a small corpus of known posts; edits (a new title, a new description, new
tags, a renamed author) are searchable at once; what is unshared or deleted is gone; sorts and pages;
every path form; who may search; malformed queries (a fuzz of nasty strings) answer results or a 400
envelope, never a 500; and the search calls of imgurpython 1.1.7 and PyImgur 0.8.1.

The session server holds other tests' posts too, so every word of the corpus carries this module's nonce
(N): a search for w("cat") can only find this module's posts. Every corpus post's description also holds N
itself, the word that scopes a query that would otherwise reach everyone's posts (`N ext:gif`)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pyimgur
import pytest
from imgurpython import ImgurClient
from imgurpython.imgur.models.gallery_album import GalleryAlbum
from imgurpython.imgur.models.gallery_image import GalleryImage
from PIL import Image

from tests.accounts.helpers import AUTH_REQUIRED, INVALID_TOKEN, User, make_user
from tests.api.helpers import ANIMATED_KEYS, unique_jpeg, unique_png
from tests.clients.conftest import imgurpython_at, pyimgur_at, sent_requests  # noqa: F401
from tests.clients.helpers import RequestLog
from tests.community.gallery_helpers import (
    GALLERY_IMAGE_KEYS,
    envelope_error,
    envelope_ok,
    ids,
    listed_shape,
    share,
    upload,
    vote,
)
from tests.live import LiveServer, db_rows

N = "s" + uuid.uuid4().hex[:10]


def w(word: str) -> str:
    """A word only this module's posts hold."""
    return f"{N}{word}"


def gif(w: int, h: int, seed: int, frames: int = 1) -> bytes:
    images = [
        Image.new("RGB", (w, h), ((seed * 37 + k * 90) % 256, seed % 256, k * 120 % 256))
        for k in range(frames)
    ]
    out = io.BytesIO()
    if frames > 1:
        images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    else:
        images[0].save(out, "GIF")
    return out.getvalue()


def search(
    http: httpx.Client, headers: dict[str, str], path: str = "", **params: str
) -> list[dict[str, Any]]:
    items = envelope_ok(http.get(f"/3/gallery/search{path}", headers=headers, params=params))
    for item in items:
        if not item["is_album"] and item["animated"]:
            assert set(item) == GALLERY_IMAGE_KEYS | ANIMATED_KEYS, item["id"]
        else:
            # The owner of an album also sees its deletehash.
            listed_shape(
                {k: v for k, v in item.items() if k != "deletehash" or not item["is_album"]},
                previews=params.get("album_previews") == "true",
            )
    return items


@dataclass
class Corpus:
    alice: User
    bob: User
    posts: dict[str, dict[str, Any]]  # name -> the post as GET /3/gallery/{id} showed it after sharing
    unshared: str
    order: list[str]  # names, in the order they were shared

    def id(self, name: str) -> str:
        return str(self.posts[name]["id"])

    def ids(self, *names: str) -> set[str]:
        return {self.id(n) for n in names}


@pytest.fixture(scope="module")
def corpus(server: LiveServer, session_client: tuple[str, str], http: httpx.Client) -> Corpus:
    """Six posts of two accounts with known titles, descriptions, tags, types and sizes; an unshared image."""
    alice = make_user(server, session_client, prefix="sa")
    bob = make_user(server, session_client, prefix="sb")
    posts: dict[str, dict[str, Any]] = {}
    order: list[str] = []

    def image(who: User, name: str, body: bytes, filename: str, description: str, **fields: str) -> None:
        up = upload(http, who.bearer, body, filename=filename, description=f"{N} {description}")
        posts[name] = share(http, who, up["id"], **fields)
        order.append(name)

    # px: the larger side. cat: P1 and P3 in the title, P2 in the description, the album in its description.
    image(
        alice,
        "p1",
        unique_jpeg(1601, 2400, 64),
        "a.jpg",
        w("sofa") + " " + w("sleeping"),
        title=f"{w('fluffy')} {w('cat')}",
        tags=f"{w('pets')},{w('cute')}",
    )
    image(
        bob,
        "p2",
        unique_png(40, 30),
        "b.png",
        f"{w('park')} {w('running')} {w('cat')}",
        title=f"{w('happy')} {w('dog')}",
        tags=w("pets"),
        community=w("dogs"),
    )
    image(
        alice,
        "p3",
        gif(600, 24, 3, frames=3),
        "c.gif",
        "",
        title=f"{w('dancing')} {w('cat')}",
        tags=w("funny"),
    )
    image(
        bob, "p4", gif(48, 32, 4), "d.gif", w("sofa"), title=f"{w('static')} {w('picture')}", tags=w("funny")
    )
    members = [upload(http, bob.bearer, unique_png(30, 20))["id"] for _ in range(2)]
    album = envelope_ok(
        http.post(
            "/3/album",
            headers=bob.bearer,
            data={"ids[]": members, "title": "an album", "description": f"{N} {w('beach')} {w('cat')}"},
        )
    )
    posts["p5"] = share(
        http, bob, album["id"], "album", title=f"{w('holiday')} {w('album')}", tags=w("travel")
    )
    order.append("p5")
    image(alice, "p6", unique_jpeg(1606, 64, 48), "f.jpg", "", title=f"{w('secret')} {w('cat')}", mature="1")
    unshared = upload(http, alice.bearer, unique_jpeg(1607), title=w("cat"), description=f"{N} {w('cat')}")[
        "id"
    ]
    return Corpus(alice, bob, posts, unshared, order)


def found(http: httpx.Client, headers: dict[str, str], q: str | None = None, **params: str) -> set[str]:
    if q is not None:
        params["q"] = q
    return set(ids(search(http, headers, **params)))


# ------------------------------------------------------------------------------ what q finds


@pytest.mark.parametrize(
    ("query", "names"),
    [
        (w("cat"), {"p1", "p2", "p3", "p5"}),  # title, description, album description; not the mature one
        (w("CAT"), {"p1", "p2", "p3", "p5"}),
        (f"title:{w('cat')}", {"p1", "p3"}),
        (f"title: {w('cat')}", {"p1", "p3"}),
        (f"{w('cat')} {w('sofa')}", {"p1"}),
        (f"{w('cat')} AND {w('sofa')}", {"p1"}),
        (f"{w('cat')} and {w('sofa')}", set()),  # lower-case "and" is a word no post holds
        (f"{w('dog')} OR {w('picture')}", {"p2", "p4"}),
        (f"{N} NOT {w('cat')}", {"p4"}),
        (f"NOT {w('cat')} {N}", {"p4"}),
        (f"{N} NOT ({w('cat')} OR {w('picture')})", set()),
        (f'"{w("fluffy")} {w("cat")}"', {"p1"}),
        (f'"{w("cat")} {w("fluffy")}"', set()),  # a phrase keeps its order
        (f"({w('dog')} OR {w('dancing')}) AND {N}", {"p2", "p3"}),
        (f"({w('cat')} OR {w('dog')}) NOT {w('sofa')}", {"p2", "p3", "p5"}),
        (w("pets"), {"p1", "p2"}),  # tag names are searched as words too
        (f"tag:{w('pets')}", {"p1", "p2"}),
        (f"tag:#{w('PETS')}", {"p1", "p2"}),
        (f"tag:{w('pet')}", set()),  # a tag is matched whole
        (f"tag:{w('funny')} OR tag:{w('travel')}", {"p3", "p4", "p5"}),
        (f"subreddit:{w('dogs')}", {"p2"}),
        (f"meme:{w('cat')}", {"p1", "p2", "p3", "p5"}),
        (f"{N} ext:gif", {"p3", "p4"}),
        (f"{N} ext:jpg", {"p1"}),
        (f"{N} ext:jpeg", {"p1"}),
        (f"{N} ext:png", {"p2"}),  # the album's PNGs are not the album's type
        (f"{N} album:true", {"p5"}),
        (f"{N} album:yes", {"p5"}),
        (f"{N} album:false", {"p1", "p2", "p3", "p4"}),
        (f"{N} album:maybe", set()),
        (f"{w('cat')} album:false ext:gif", {"p3"}),
        (f"unknown:{w('cat')}", set()),  # searched as the words "unknown" and w(cat) next to each other
        (f'{w("cat")} "unclosed', set()),
        (f"({w('cat')} OR {w('dog')}", {"p1", "p2", "p3", "p5"}),  # the missing ")" is supplied
    ],
)
def test_q(http: httpx.Client, anon: dict[str, str], corpus: Corpus, query: str, names: set[str]) -> None:
    assert found(http, anon, query) == corpus.ids(*names)


def test_user_qualifier(http: httpx.Client, anon: dict[str, str], corpus: Corpus) -> None:
    alice, bob = corpus.alice.name, corpus.bob.name
    assert found(http, anon, f"user:{alice}") == corpus.ids("p1", "p3")
    assert found(http, anon, f"user:{alice.upper()}") == corpus.ids("p1", "p3")
    assert found(http, anon, f"user:{bob} {w('cat')}") == corpus.ids("p2", "p5")
    assert found(http, anon, f"user:({alice} OR {bob}) {w('sofa')}") == corpus.ids("p1", "p4")
    assert found(http, anon, f"user:{alice[:-1]}") == set()  # a username is matched whole
    assert found(http, anon, f"{alice} {N}") == corpus.ids("p1", "p3")  # as a word, it is searched too


def test_mature_only_when_asked(http: httpx.Client, anon: dict[str, str], corpus: Corpus) -> None:
    assert found(http, anon, w("secret")) == set()
    assert found(http, anon, w("secret"), mature="true") == corpus.ids("p6")
    assert found(http, anon, w("cat"), mature="1") == corpus.ids("p1", "p2", "p3", "p5", "p6")


def test_unshared_images_are_not_found(http: httpx.Client, anon: dict[str, str], corpus: Corpus) -> None:
    assert corpus.unshared not in found(http, anon, w("cat"), mature="true")


# ---------------------------------------------------------------------------- advanced fields


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"q_all": f"{w('cat')} {w('sofa')}"}, {"p1"}),
        ({"q_any": f"{w('dog')} {w('picture')}"}, {"p2", "p4"}),
        ({"q_exactly": f"{w('fluffy')} {w('cat')}"}, {"p1"}),
        ({"q_exactly": f"{w('cat')} {w('fluffy')}"}, set()),
        ({"q_all": N, "q_not": f"{w('cat')} {w('dog')}"}, {"p4"}),
        ({"q_all": N, "q_type": "gif"}, {"p3", "p4"}),
        ({"q_all": N, "q_type": "anigif"}, {"p3"}),
        ({"q_all": N, "q_type": "jpg"}, {"p1"}),
        ({"q_all": N, "q_type": "png"}, {"p2"}),
        ({"q_all": N, "q_type": "album"}, {"p5"}),
        ({"q_all": N, "q_size_px": "small"}, {"p2", "p4"}),  # albums have no size
        ({"q_all": N, "q_size_px": "med"}, {"p3"}),
        ({"q_all": N, "q_size_px": "big"}, {"p1"}),
        ({"q_all": N, "q_size_px": "lrg"}, set()),
        ({"q_any": f"{w('cat')} {w('picture')}", "q_type": "gif", "q_size_px": "small"}, {"p4"}),
        # Advanced fields win over q.
        ({"q": w("dog"), "q_all": w("sofa")}, {"p1", "p4"}),
        ({"q": w("dog"), "q_type": "album", "q_any": N}, {"p5"}),
        ({"q": w("dog"), "q_all": ""}, {"p2"}),  # an empty advanced field is not given
    ],
)
def test_advanced(
    http: httpx.Client, anon: dict[str, str], corpus: Corpus, params: dict[str, str], names: set[str]
) -> None:
    assert found(http, anon, **params) == corpus.ids(*names)


def test_a_size_alone_searches_every_post(http: httpx.Client, anon: dict[str, str], corpus: Corpus) -> None:
    big = found(http, anon, q_size_px="big")
    assert corpus.id("p1") in big and not big & corpus.ids("p2", "p3", "p4", "p5")


# ------------------------------------------------------------------------------ sorts and pages


def test_time_is_newest_first(http: httpx.Client, anon: dict[str, str], corpus: Corpus) -> None:
    newest_first = [corpus.id(n) for n in reversed(corpus.order) if n != "p6"]
    assert ids(search(http, anon, q=N)) == newest_first
    assert ids(search(http, anon, "/time", q=N)) == newest_first


def test_viral_and_top_rank_by_votes(
    server: LiveServer, session_client: tuple[str, str], http: httpx.Client, anon: dict[str, str]
) -> None:
    owner = make_user(server, session_client, prefix="srk")
    voters = [make_user(server, session_client, prefix=f"srv{k}") for k in range(3)]
    word = w("ranked")
    posts = [share(http, owner, upload(http, owner.bearer)["id"], title=word)["id"] for _ in range(4)]
    # Points 0, 3, 2, -2: log10 of 3, 2 and -2 and the 0 of none are far apart, the seconds between the
    # shares are not (12.5 hours weigh one power of ten), so viral orders these as top does.
    for voter in voters:
        vote(http, voter, posts[1], "up")
    for voter in voters[:2]:
        vote(http, voter, posts[2], "up")
    for voter in voters[1:]:
        vote(http, voter, posts[3], "down")
    newest_first = posts[::-1]
    assert ids(search(http, anon, "/time", q=word)) == newest_first
    by_points = [posts[1], posts[2], posts[0], posts[3]]
    assert ids(search(http, anon, "/top", q=word)) == by_points
    for window in ("day", "week", "month", "year", "all"):
        assert ids(search(http, anon, f"/top/{window}", q=word)) == by_points
    assert ids(search(http, anon, "/viral", q=word)) == by_points


def test_pages_of_sixty(
    server: LiveServer, session_client: tuple[str, str], http: httpx.Client, anon: dict[str, str]
) -> None:
    owner = make_user(server, session_client, prefix="spg")
    word = w("paged")
    posts = [share(http, owner, upload(http, owner.bearer)["id"], title=word)["id"] for _ in range(61)]
    pages = [ids(search(http, anon, f"/time/{p}", q=word)) for p in range(3)]
    assert [len(p) for p in pages] == [60, 1, 0]
    assert pages[0] + pages[1] == posts[::-1]
    assert ids(search(http, anon, "/1", q=word)) == pages[1]
    assert ids(search(http, anon, q=word, page="1")) == pages[1]
    assert ids(search(http, anon, "/top/all/1", q=word)) == ids(search(http, anon, "/top/1", q=word))
    assert search(http, anon, "/time/all/99999", q=word) == []


def test_every_path_form(http: httpx.Client, anon: dict[str, str], corpus: Corpus) -> None:
    want = ids(search(http, anon, q=N))
    for path in (
        "",
        "/",
        "/time",
        "/0",
        "/time/0",
        "/time/all",
        "/time/week",
        "/time/all/0",
        "/time/day/0",
        ".json",
        "/time/all/0.json",
        "/TIME",
        "/nonsense",
        "/nonsense/nonsense/0",
        "/time/nonsense",
    ):
        assert ids(search(http, anon, path, q=N)) == want, path
    assert set(ids(search(http, anon, "/viral/all/0", q=N))) == set(want)
    assert set(ids(search(http, anon, "/top/day", q=N))) == set(want)


def test_album_previews(http: httpx.Client, anon: dict[str, str], corpus: Corpus) -> None:
    (album,) = search(http, anon, q=f"{N} album:true", album_previews="true")
    assert album["is_album"] is True and len(album["images"]) == 2
    (plain,) = search(http, anon, q=f"{N} album:true")
    assert "images" not in plain and plain["images_count"] == 2


def test_results_are_the_gallery_objects(http: httpx.Client, anon: dict[str, str], corpus: Corpus) -> None:
    by_id = {i["id"]: i for i in search(http, anon, q=N)}
    item = by_id[corpus.id("p1")]
    assert item["title"] == f"{w('fluffy')} {w('cat')}" and item["is_album"] is False
    assert item["in_gallery"] is True and item["account_url"] == corpus.alice.name
    assert sorted(t["name"] for t in item["tags"]) == sorted([w("pets"), w("cute")])
    assert by_id[corpus.id("p5")]["is_album"] is True


# --------------------------------------------------------------------------- the index in step


@pytest.fixture
def mine(server: LiveServer, session_client: tuple[str, str], http: httpx.Client) -> tuple[User, str]:
    """A fresh account's fresh image, shared with a title of its own (w("before") plus a unique word)."""
    owner = make_user(server, session_client, prefix="sed")
    post = share(http, owner, upload(http, owner.bearer, description=w("olddesc"))["id"], title=w("before"))
    return owner, str(post["id"])


def _entry(server: LiveServer, post_id: str) -> tuple[Any, ...] | None:
    rows = db_rows(
        server, "SELECT title, body, tags, author FROM gallery_search WHERE post_id = ?", (post_id,)
    )
    return rows[0] if rows else None


def test_a_new_title_is_searchable_at_once(
    server: LiveServer, http: httpx.Client, anon: dict[str, str], mine: tuple[User, str]
) -> None:
    owner, post = mine
    assert post in found(http, anon, w("before"))
    share(http, owner, post, title=w("after"))
    assert post in found(http, anon, w("after"))
    assert post in found(http, anon, f"title:{w('after')}")
    assert post not in found(http, anon, w("before"))


def test_a_new_description_is_searchable_at_once(
    server: LiveServer, http: httpx.Client, anon: dict[str, str], mine: tuple[User, str]
) -> None:
    owner, post = mine
    assert post in found(http, anon, w("olddesc"))
    assert envelope_ok(
        http.post(f"/3/image/{post}", headers=owner.bearer, data={"description": w("newdesc")})
    )
    assert post in found(http, anon, w("newdesc"))
    assert post not in found(http, anon, w("olddesc"))
    assert _entry(server, post) == (w("before"), w("newdesc"), "", owner.name)


def test_an_album_description_is_searchable_at_once(
    server: LiveServer, session_client: tuple[str, str], http: httpx.Client, anon: dict[str, str]
) -> None:
    owner = make_user(server, session_client, prefix="sal")
    image = upload(http, owner.bearer)["id"]
    album = envelope_ok(
        http.post("/3/album", headers=owner.bearer, data={"ids[]": [image], "description": w("albold")})
    )
    share(http, owner, album["id"], "album", title="holiday")
    assert album["id"] in found(http, anon, w("albold"))
    assert envelope_ok(
        http.post(f"/3/album/{album['id']}", headers=owner.bearer, data={"description": w("albnew")})
    )
    assert album["id"] in found(http, anon, w("albnew"))
    assert album["id"] not in found(http, anon, w("albold"))


def test_new_tags_are_searchable_at_once(
    http: httpx.Client, anon: dict[str, str], mine: tuple[User, str]
) -> None:
    owner, post = mine
    tagged = envelope_ok(
        http.post(f"/3/gallery/tags/{post}", headers=owner.bearer, data={"tags": f"{w('taga')},{w('tagb')}"})
    )
    assert tagged is True
    assert post in found(http, anon, f"tag:{w('taga')}")
    assert post in found(http, anon, f"tag:{w('tagb')}")
    assert envelope_ok(http.post(f"/3/gallery/tags/{post}", headers=owner.bearer, data={"tags": w("tagc")}))
    assert post in found(http, anon, f"tag:{w('tagc')}")
    assert post not in found(http, anon, f"tag:{w('taga')}")
    assert post not in found(http, anon, w("tagb"))


def test_a_renamed_author_is_searchable_at_once(
    server: LiveServer,
    session_client: tuple[str, str],
    http: httpx.Client,
    anon: dict[str, str],
    mine: tuple[User, str],
) -> None:
    owner, post = mine
    new_name = "sren" + uuid.uuid4().hex[:12]
    settings = f"/3/account/{owner.name}/settings"
    assert envelope_ok(http.post(settings, headers=owner.bearer, data={"username": new_name})) is True
    assert post in found(http, anon, f"user:{new_name}")
    assert post not in found(http, anon, f"user:{owner.name}")
    assert post in found(http, anon, f"{new_name} {w('before')}")


def test_unshared_and_deleted_posts_are_gone(
    server: LiveServer, session_client: tuple[str, str], http: httpx.Client, anon: dict[str, str]
) -> None:
    owner = make_user(server, session_client, prefix="sgo")
    word = w("gone")
    up = upload(http, owner.bearer)
    kept = share(http, owner, upload(http, owner.bearer)["id"], title=word)["id"]
    share(http, owner, up["id"], title=word)
    assert found(http, anon, word) == {kept, up["id"]}
    assert envelope_ok(http.delete(f"/3/gallery/{up['id']}", headers=owner.bearer)) is True
    assert found(http, anon, word) == {kept}
    assert _entry(server, up["id"]) is None
    share(http, owner, up["id"], title=word)  # shared again: found again
    assert found(http, anon, word) == {kept, up["id"]}
    assert envelope_ok(http.delete(f"/3/image/{up['deletehash']}", headers=anon)) is True  # the image goes
    assert found(http, anon, word) == {kept}
    assert _entry(server, up["id"]) is None


def test_a_deleted_account_takes_its_posts_out(
    server: LiveServer, session_client: tuple[str, str], http: httpx.Client, anon: dict[str, str]
) -> None:
    owner = make_user(server, session_client, prefix="sdel")
    word = w("leaving")
    post = share(http, owner, upload(http, owner.bearer)["id"], title=word)["id"]
    assert found(http, anon, word) == {post}
    assert envelope_ok(http.delete(f"/3/account/{owner.name}", headers=owner.bearer)) is True
    assert found(http, anon, word) == set()
    assert _entry(server, post) is None


def test_hidden_posts_are_not_found(
    server: LiveServer, session_client: tuple[str, str], http: httpx.Client, anon: dict[str, str]
) -> None:
    owner = make_user(server, session_client, prefix="shid")
    reporters = [
        make_user(server, session_client, prefix=f"shr{k}") for k in range(5)
    ]  # the default threshold
    word = w("reported")
    post = share(http, owner, upload(http, owner.bearer)["id"], title=word)["id"]
    assert found(http, anon, word) == {post}
    for r in reporters:
        envelope_ok(http.post(f"/3/gallery/{post}/report", headers=r.bearer, data={"reason": "2"}))
    assert found(http, anon, word) == set()


# ------------------------------------------------------------------------------ who may search

BOGUS_TOKEN = "0123456789abcdef0123456789abcdef01234567"


def test_who_may_search(
    server: LiveServer,
    session_client: tuple[str, str],
    http: httpx.Client,
    anon: dict[str, str],
    corpus: Corpus,
) -> None:
    banned = make_user(server, session_client, prefix="sban")
    admin = make_user(server, session_client, prefix="sadm")
    server.cli("user", "ban", banned.name)
    server.cli("user", "admin", admin.name)
    want = found(http, anon, N)
    for who in (anon, corpus.alice.bearer, corpus.bob.bearer, banned.bearer, admin.bearer):
        assert found(http, who, N) == want
    assert envelope_error(http.get("/3/gallery/search", params={"q": N}), 401)["error"] == AUTH_REQUIRED
    bogus = {"Authorization": f"Bearer {BOGUS_TOKEN}"}
    assert (
        envelope_error(http.get("/3/gallery/search", headers=bogus, params={"q": N}), 403)["error"]
        == INVALID_TOKEN
    )


def test_the_viewers_own_vote_shows(http: httpx.Client, anon: dict[str, str], corpus: Corpus) -> None:
    post = corpus.id("p4")
    vote(http, corpus.alice, post, "up")
    (item,) = search(http, corpus.alice.bearer, q=f"{w('static')} {w('picture')}")
    assert item["vote"] == "up"
    (item,) = search(http, anon, q=f"{w('static')} {w('picture')}")
    assert item["vote"] is None


# --------------------------------------------------------------------------------- bad queries


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({}, "Nothing to search for"),
        ({"q": ""}, "Nothing to search for"),
        ({"q": "NOT"}, "Nothing to search for"),
        ({"q": "!!! ??? ()"}, "Nothing to search for"),
        ({"q": "x" * 1001}, "at most 1000 characters"),
        ({"q": " ".join(f"w{k}" for k in range(33))}, "at most 32 terms"),
        ({"q": "(" * 9 + "cat" + ")" * 9}, "nest at most"),
        ({"q_type": "bmp"}, "q_type is one of"),
        ({"q_size_px": "tiny"}, "q_size_px is one of"),
    ],
)
def test_refused_queries(
    http: httpx.Client, anon: dict[str, str], params: dict[str, str], error: str
) -> None:
    body = envelope_error(http.get("/3/gallery/search", headers=anon, params=params), 400)
    assert error in body["error"]


NASTY = [
    '"',
    '""',
    '"""',
    "(",
    ")",
    "((((",
    "))))",
    "()",
    ")(",
    "NOT",
    "NOT NOT",
    "AND",
    "OR",
    "AND OR NOT",
    "cat AND",
    "OR cat",
    "NOT (",
    "( NOT )",
    '"unclosed',
    'ca"t',
    "title:",
    "title:title:",
    "user:",
    "tag:",
    "ext:",
    "album:",
    "subreddit:",
    "meme:",
    "title:(",
    "tag:)",
    'user:"',
    ":",
    "::",
    "a:b:c",
    "*",
    "cat*",
    "^cat",
    "NEAR(cat dog)",
    "cat NEAR dog",
    "{title}: cat",
    "title : cat",
    "- cat",
    "-cat",
    "+cat",
    "cat & dog",
    "cat | dog",
    "!cat",
    "cat <-> dog",
    "cat:*",
    "cat:A",
    "'cat'",
    "''",
    "\\",
    "\\\\",
    "\\'",
    "cat' OR '1'='1",
    "'; DROP TABLE gallery_posts; --",
    "%",
    "%%",
    "_",
    "$1",
    ":match",
    "?",
    "\x00",
    "cat\x00dog",
    "\x01\x02\x03",
    "\x1b[31m",
    "\t\n\r",
    "\u200b",
    "\ufeff",
    "\u202e",
    "\U0001f600",
    "\U0001f408\u200d\u2b1b",
    "猫",
    "猫 AND 犬",
    "café",
    "ǅungla",
    "ß",
    "İ",
    "e\u0301",
    "\ud7ff",
    "Ω" * 300,
    "a" * 1000,
    "a " * 300,
    "(a " * 8 + ")" * 8,
    "NOT " * 200 + "cat",
    '"' * 999,
    "title:" * 100,
    "OR " * 300,
    "1e308",
    "3.14",
    "-1",
    "0x1F",
    "e-mail",
    "a.b.c",
    "http://example.com/x?y=1",
    "<script>alert(1)</script>",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "%00",
    "%27",
    "ext:g'if",
    'tag:"a"b"',
    'album:"true"',
    "user:" + "x" * 500,
]


@pytest.mark.parametrize("q", NASTY, ids=[f"nasty{k}" for k in range(len(NASTY))])
def test_nasty_queries_answer_an_envelope(http: httpx.Client, anon: dict[str, str], q: str) -> None:
    for params in ({"q": q}, {"q_all": q, "q_not": q}, {"q_exactly": q}, {"q_any": q, "q_type": "gif"}):
        r = http.get("/3/gallery/search/top/all/0", headers=anon, params=params)
        assert r.status_code in (200, 400), (params, r.text)
        body = r.json()
        assert set(body) == {"data", "success", "status"} and body["status"] == r.status_code
        if r.status_code == 200:
            assert isinstance(body["data"], list)


# ------------------------------------------------------------------------------ client libraries


def test_imgurpython_gallery_search(
    server: LiveServer,
    session_client: tuple[str, str],
    corpus: Corpus,
    imgurpython_at: Callable[[str], None],  # noqa: F811
    sent_requests: RequestLog,  # noqa: F811
) -> None:
    imgurpython_at(server.url)
    client = ImgurClient(*session_client)
    items = client.gallery_search(w("cat"))
    assert {i.id for i in items} == corpus.ids("p1", "p2", "p3", "p5")
    by_id = {i.id: i for i in items}
    assert isinstance(by_id[corpus.id("p5")], GalleryAlbum)
    assert isinstance(by_id[corpus.id("p1")], GalleryImage)
    assert by_id[corpus.id("p1")].title == f"{w('fluffy')} {w('cat')}"
    (sent,) = sent_requests.to("GET", "/3/gallery/search")
    assert sent.path == "/3/gallery/search/time/all/0"
    advanced = client.gallery_search("", advanced={"q_all": N, "q_type": "anigif"}, sort="top", window="week")
    assert [i.id for i in advanced] == [corpus.id("p3")]
    assert [i.id for i in client.gallery_search(w("cat"), page=1)] == []


def test_pyimgur_search_gallery(
    server: LiveServer,
    session_client: tuple[str, str],
    corpus: Corpus,
    pyimgur_at: Callable[[str], None],  # noqa: F811
) -> None:
    pyimgur_at(server.url)
    im = pyimgur.Imgur(session_client[0])
    items = im.search_gallery(q=w("cat"))
    assert {i.id for i in items} == corpus.ids("p1", "p2", "p3", "p5")
    kinds = {i.id: type(i).__name__ for i in items}
    assert kinds[corpus.id("p5")] == "Gallery_album" and kinds[corpus.id("p1")] == "Gallery_image"
    assert {i.id for i in im.search_gallery(q_all=N, q_type="gif", sort="viral")} == corpus.ids("p3", "p4")
    assert [i.id for i in im.search_gallery(q_exactly=f"{w('fluffy')} {w('cat')}", limit=5)] == [
        corpus.id("p1")
    ]
