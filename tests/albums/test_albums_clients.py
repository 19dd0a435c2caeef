"""Albums through the real client libraries, unmodified: imgurpython 1.1.7 and PyImgur 0.8.1.

Each library is redirected the way the client-library tests do it (module base URL, restored afterwards)
and every request it makes is recorded by the off-host guard of `tests/clients` (see this package's
conftest), so the tests check both
what the library sent (its odd encodings) and what the server made of it, read back over raw HTTP.

imgurpython: create_album (as a user with `ids`; anonymously, where the library drops `deletehashes`),
get_album, get_album_images, update_album, album_add_images, album_remove_images (DELETE, ids in query
and body), album_set_images (POST /album/{id}/ with comma ids), album_delete, album_favorite,
get_account_albums / get_account_album_ids / get_account_album_count, the 403 refresh-and-retry.
PyImgur: create_album (JSON without images; multipart repeated `ids` with images, which loses the title),
get_album, Album.update (JSON PUT, `images` comma string), Album.add_images (JSON {"ids": "a,b"}),
Album.remove_images (multipart repeated ids), Album.delete, Album.favorite, User.get_albums, upload_image
into an album (`album_id`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pyimgur
import pytest
from imgurpython import ImgurClient
from imgurpython.helpers.error import ImgurClientError
from imgurpython.imgur.models.album import Album as IpAlbum
from imgurpython.imgur.models.image import Image as IpImage
from pyimgur.exceptions import AuthenticationError, ResourceNotFoundError

from tests.albums.helpers import (
    ALBUM_KEYS,
    User,
    album_image_ids,
    envelope_error,
    envelope_ok,
    get_album,
)
from tests.api.helpers import upload
from tests.clients.helpers import RequestLog, SentRequest, make_png
from tests.live import LiveServer

# ---------------------------------------------------------------- reading what a library sent


def _form(req: SentRequest) -> dict[str, list[str]]:
    return parse_qs(req.body.decode(), keep_blank_values=True)


def _query(req: SentRequest) -> dict[str, list[str]]:
    return parse_qs(urlsplit(req.url).query, keep_blank_values=True)


def _multipart(req: SentRequest) -> list[tuple[str, str | None, bytes]]:
    """(name, filename, value) of every part, in order."""
    head = b"Content-Type: " + req.content_type.encode() + b"\r\n\r\n"
    msg = BytesParser(policy=HTTP).parsebytes(head + req.body)
    return [
        (
            p.get_param("name", header="content-disposition"),
            p.get_filename(),
            p.get_payload(decode=True) or b"",
        )
        for p in msg.iter_parts()
    ]


def _only(log: RequestLog, method: str, path: str) -> SentRequest:
    calls = [r for r in log.sent if r.method == method and r.path == path]
    assert len(calls) == 1, [(r.method, r.path) for r in log.sent]
    return calls[0]


# ---------------------------------------------------------------- imgurpython


@pytest.fixture
def ip_user(
    server: LiveServer, session_client: tuple[str, str], imgurpython_at: Callable[[str], None], alice: User
) -> ImgurClient:
    """imgurpython signed in as alice with set_user_auth (what an app does after the OAuth exchange)."""
    imgurpython_at(server.url)
    client = ImgurClient(*session_client)
    client.set_user_auth(alice.access_token, alice.refresh_token)
    return client


@pytest.fixture
def ip_anon(
    server: LiveServer, session_client: tuple[str, str], imgurpython_at: Callable[[str], None]
) -> ImgurClient:
    imgurpython_at(server.url)
    return ImgurClient(*session_client)


def _ip_upload(client: ImgurClient, tmp_path: Path, seed: int, anon: bool, **config: str) -> dict[str, Any]:
    path = make_png(tmp_path / f"ip{seed}.png", 40 + seed, 30, seed=seed)
    return client.upload_from_path(str(path), config=config or None, anon=anon)


def test_imgurpython_user_album_lifecycle(
    ip_user: ImgurClient,
    ip_anon: ImgurClient,
    http: httpx.Client,
    server: LiveServer,
    alice: User,
    anon: dict[str, str],
    sent_requests: RequestLog,
    tmp_path: Path,
) -> None:
    a, b, c = (_ip_upload(ip_user, tmp_path, k, anon=False) for k in range(3))
    assert a["account_id"] == alice.id

    sent_requests.clear()
    made = ip_user.create_album(
        {
            "ids": [a["id"], b["id"]],
            "title": "ip album",
            "description": "from imgurpython",
            "privacy": "hidden",
            "layout": "grid",
            "cover": b["id"],
        }
    )
    req = _only(sent_requests, "POST", "/3/album")
    assert req.headers["authorization"] == f"Bearer {alice.access_token}"
    assert req.content_type == "application/x-www-form-urlencoded"
    assert _form(req)["ids"] == [a["id"], b["id"]]  # a list becomes repeated `ids=` keys
    assert set(made) == {"id", "deletehash"}
    album_id = made["id"]

    album = ip_user.get_album(album_id)
    assert isinstance(album, IpAlbum)
    assert (album.id, album.title, album.description, album.privacy, album.layout) == (
        album_id,
        "ip album",
        "from imgurpython",
        "hidden",
        "grid",
    )
    assert (album.cover, album.cover_width, album.cover_height) == (b["id"], 41, 30)
    assert album.deletehash == made["deletehash"] and album.account_url == alice.name
    assert album.link == f"{server.url}/a/{album_id}" and album.images_count == 2
    assert [i["id"] for i in album.images] == [a["id"], b["id"]]
    images = ip_user.get_album_images(album_id)
    assert all(isinstance(i, IpImage) for i in images)
    assert [i.id for i in images] == [a["id"], b["id"]] and images[0].deletehash == a["deletehash"]

    # update_album: POST album/{id}; the library joins the list into a comma string and requires `ids`.
    sent_requests.clear()
    assert ip_user.update_album(album_id, {"ids": [b["id"], a["id"]], "title": "renamed"}) is True
    assert _form(_only(sent_requests, "POST", f"/3/album/{album_id}"))["ids"] == [f"{b['id']},{a['id']}"]
    assert album_image_ids(http, alice.bearer, album_id) == [b["id"], a["id"]]
    assert get_album(http, alice.bearer, album_id)["title"] == "renamed"

    assert ip_user.album_add_images(album_id, [c["id"]]) is True
    assert album_image_ids(http, alice.bearer, album_id) == [b["id"], a["id"], c["id"]]

    sent_requests.clear()
    assert ip_user.album_remove_images(album_id, [a["id"], b["id"]]) is True
    req = _only(sent_requests, "DELETE", f"/3/album/{album_id}/remove_images")
    assert _query(req)["ids"] == [f"{a['id']},{b['id']}"] and _form(req)["ids"] == [f"{a['id']},{b['id']}"]
    assert album_image_ids(http, alice.bearer, album_id) == [c["id"]]

    sent_requests.clear()
    assert ip_user.album_set_images(album_id, [a["id"], c["id"]]) is True
    assert _only(sent_requests, "POST", f"/3/album/{album_id}/")  # the trailing-slash form
    assert album_image_ids(http, alice.bearer, album_id) == [a["id"], c["id"]]

    assert ip_user.album_favorite(album_id) == "favorited"
    assert ip_user.get_album(album_id).favorite is True
    assert ip_user.album_favorite(album_id) == "unfavorited"

    # Account albums: the hidden album is listed to its owner only.
    for name in (alice.name, "me"):
        mine = ip_user.get_account_albums(name)
        assert [x.id for x in mine] == [album_id] and isinstance(mine[0], IpAlbum)
        assert mine[0].privacy == "hidden" and mine[0].deletehash == made["deletehash"]
        assert ip_user.get_account_album_ids(name) == [album_id]
        assert ip_user.get_account_album_count(name) == 1
    assert ip_user.get_account_albums(alice.name, page=1) == []
    assert ip_anon.get_account_albums(alice.name) == []
    assert (
        ip_anon.get_account_album_ids(alice.name) == [] and ip_anon.get_account_album_count(alice.name) == 0
    )
    assert not hasattr(ip_anon.get_album(album_id), "deletehash")  # a direct link still works, minus secrets

    assert ip_user.album_delete(album_id) is True
    with pytest.raises(ImgurClientError) as exc:
        ip_user.get_album(album_id)
    assert exc.value.status_code == 404
    for up in (a, b, c):
        assert ip_anon.get_image(up["id"]).id == up["id"]  # deleting the album keeps its images


def test_imgurpython_user_from_constructor_and_upload_into_album(
    server: LiveServer,
    session_client: tuple[str, str],
    imgurpython_at: Callable[[str], None],
    http: httpx.Client,
    alice: User,
    sent_requests: RequestLog,
    tmp_path: Path,
) -> None:
    imgurpython_at(server.url)
    client = ImgurClient(*session_client, alice.access_token, alice.refresh_token)
    made = client.create_album({"title": "upload target"})
    sent_requests.clear()
    up = _ip_upload(client, tmp_path, 7, anon=False, album=made["id"], title="into the album")
    req = _only(sent_requests, "POST", "/3/upload")
    assert _form(req)["album"] == [made["id"]] and _form(req)["type"] == ["base64"]
    assert album_image_ids(http, alice.bearer, made["id"]) == [up["id"]]
    assert client.get_album(made["id"]).images[0]["title"] == "into the album"
    assert client.album_favorite(made["id"]) == "favorited"


def test_imgurpython_anonymous_album(
    ip_anon: ImgurClient, http: httpx.Client, anon: dict[str, str], sent_requests: RequestLog, tmp_path: Path
) -> None:
    first = _ip_upload(ip_anon, tmp_path, 20, anon=True)

    # `ids` needs a signed-in client: imgurpython refuses before sending anything.
    sent_requests.clear()
    with pytest.raises(ImgurClientError):
        ip_anon.create_album({"ids": [first["id"]]})
    assert sent_requests.sent == []

    # `deletehashes` is not among the album fields imgurpython 1.1.7 forwards: it is dropped, the album is
    # made with its title and no images.
    made = ip_anon.create_album({"title": "anon ip", "deletehashes": [first["deletehash"]]})
    req = _only(sent_requests, "POST", "/3/album")
    assert req.headers["authorization"].startswith("Client-ID ")
    assert _form(req) == {"title": ["anon ip"]}
    assert set(made) == {"id", "deletehash"}
    album = ip_anon.get_album(made["id"])
    assert album.title == "anon ip" and album.images == [] and album.account_url is None
    assert not hasattr(album, "deletehash")

    # The old way to fill an anonymous album: upload with album=<album deletehash>.
    ups = [_ip_upload(ip_anon, tmp_path, 21 + k, anon=True, album=made["deletehash"]) for k in range(3)]
    assert [i.id for i in ip_anon.get_album_images(made["id"])] == [u["id"] for u in ups]

    # By id, nobody may change it: the library raises with the 403 and nothing changes.
    before = get_album(http, anon, made["id"])
    for call in (
        lambda: ip_anon.album_delete(made["id"]),
        lambda: ip_anon.album_remove_images(made["id"], [ups[0]["id"]]),
        lambda: ip_anon.update_album(made["id"], {"title": "x", "ids": []}),
    ):
        with pytest.raises(ImgurClientError) as exc:
            call()
        assert exc.value.status_code == 403
    assert get_album(http, anon, made["id"]) == before

    # Through the album deletehash it can.
    assert ip_anon.album_remove_images(made["deletehash"], [ups[1]["id"]]) is True
    assert album_image_ids(http, anon, made["id"]) == [ups[0]["id"], ups[2]["id"]]
    assert ip_anon.update_album(made["deletehash"], {"title": "emptied", "ids": []}) is True
    album = get_album(http, anon, made["id"])
    assert album["title"] == "emptied" and album["images"] == []  # `ids` (empty) replaces the list
    assert ip_anon.album_delete(made["deletehash"]) is True
    envelope_error(http.get(f"/3/album/{made['id']}", headers=anon), 404)
    with pytest.raises(ImgurClientError) as exc:
        ip_anon.album_favorite(made["id"])  # favorites need a user: refused by the library itself
    assert exc.value.status_code is None


def test_imgurpython_refused_user_refreshes_once_then_raises(
    server: LiveServer,
    session_client: tuple[str, str],
    imgurpython_at: Callable[[str], None],
    http: httpx.Client,
    alice: User,
    bob: User,
    sent_requests: RequestLog,
) -> None:
    """imgurpython treats any 403 as an expired token: it refreshes, retries once, then raises. Nothing may
    change on either attempt."""
    imgurpython_at(server.url)
    img = upload(http, alice.bearer)
    made = envelope_ok(http.post("/3/album", headers=alice.bearer, data={"ids[]": [img["id"]]}))
    before = get_album(http, alice.bearer, made["id"])
    client = ImgurClient(*session_client)
    client.set_user_auth(bob.access_token, bob.refresh_token)
    sent_requests.clear()
    with pytest.raises(ImgurClientError) as exc:
        client.album_delete(made["id"])
    assert exc.value.status_code == 403
    assert [(r.method, r.path) for r in sent_requests.sent] == [
        ("DELETE", f"/3/album/{made['id']}"),
        ("POST", "/oauth2/token"),
        ("DELETE", f"/3/album/{made['id']}"),
    ]
    assert get_album(http, alice.bearer, made["id"]) == before


# ---------------------------------------------------------------- PyImgur


@pytest.fixture
def py_user(
    server: LiveServer, session_client: tuple[str, str], pyimgur_at: Callable[[str], None], alice: User
) -> pyimgur.Imgur:
    pyimgur_at(server.url)
    im = pyimgur.Imgur(
        session_client[0],
        session_client[1],
        access_token=alice.access_token,
        refresh_token=alice.refresh_token,
    )
    assert im.base_url == server.url
    return im


@pytest.fixture
def py_anon(
    server: LiveServer, session_client: tuple[str, str], pyimgur_at: Callable[[str], None]
) -> pyimgur.Imgur:
    pyimgur_at(server.url)
    return pyimgur.Imgur(session_client[0])


def _py_upload(im: pyimgur.Imgur, tmp_path: Path, seed: int, **kw: Any) -> pyimgur.Image:
    return im.upload_image(
        path=str(make_png(tmp_path / f"py{seed}.png", 50 + seed, 20, seed=100 + seed)), **kw
    )


def test_pyimgur_create_album_without_images(
    py_anon: pyimgur.Imgur, http: httpx.Client, anon: dict[str, str], sent_requests: RequestLog
) -> None:
    sent_requests.clear()
    album = py_anon.create_album(title="py anon", description="no images")
    req = _only(sent_requests, "POST", "/3/album/")
    assert req.content_type == "application/json"
    assert json.loads(req.body) == {"title": "py anon", "description": "no images"}
    assert isinstance(album, pyimgur.Album) and len(album.id) == 7 and len(album.deletehash) == 15

    fetched = py_anon.get_album(album.id)
    assert (fetched.title, fetched.description, fetched.images) == ("py anon", "no images", [])
    assert fetched.privacy == "public" and fetched.is_favorited is False and fetched.cover is None

    # Without a token PyImgur addresses the album by its deletehash (which it got from create_album).
    sent_requests.clear()
    assert album.update(title="py renamed", layout="grid") is True
    req = _only(sent_requests, "PUT", f"/3/album/{album.deletehash}")
    assert json.loads(req.body)["title"] == "py renamed"
    got = get_album(http, anon, album.id)
    assert (got["title"], got["description"], got["layout"]) == ("py renamed", "no images", "grid")

    # Favorites and add_images need a user: PyImgur refuses before sending anything.
    sent_requests.clear()
    with pytest.raises(AuthenticationError):
        album.favorite()
    with pytest.raises(AuthenticationError):
        album.add_images(["abcdefg"])
    assert sent_requests.sent == []

    assert album.delete() is True
    _only(sent_requests, "DELETE", f"/3/album/{album.deletehash}")
    with pytest.raises(ResourceNotFoundError):
        py_anon.get_album(album.id)


def test_pyimgur_user_albums(
    py_user: pyimgur.Imgur,
    py_anon: pyimgur.Imgur,
    http: httpx.Client,
    alice: User,
    sent_requests: RequestLog,
    tmp_path: Path,
) -> None:
    a, b, c, d = (_py_upload(py_user, tmp_path, k) for k in range(4))

    # With images the library switches to multipart, one `ids` part per image; its title is lost on the way
    # (requests drops `json=` when `files=` is given).
    sent_requests.clear()
    album = py_user.create_album(title="lost title", images=[a, b.id])
    req = _only(sent_requests, "POST", "/3/album/")
    assert req.content_type.startswith("multipart/form-data")
    assert _multipart(req) == [("ids", None, a.id.encode()), ("ids", None, b.id.encode())]
    assert req.headers["authorization"] == f"Bearer {alice.access_token}"

    fetched = py_user.get_album(album.id)
    assert fetched.title is None and [i.id for i in fetched.images] == [a.id, b.id]
    assert fetched.deletehash == album.deletehash  # the owner sees it
    assert fetched.author.name == alice.name and fetched.cover.id == a.id
    assert fetched.link.endswith(f"/a/{album.id}") and fetched.is_favorited is False

    # Album.update: JSON PUT by id (a token is set), the image list as a comma string under `images`.
    sent_requests.clear()
    assert (
        fetched.update(
            title="T", description="D", images=[c, a.id, b], privacy="secret", layout="vertical", cover=b.id
        )
        is True
    )
    req = _only(sent_requests, "PUT", f"/3/album/{album.id}")
    body = json.loads(req.body)
    assert body["images"] == f"{c.id},{a.id},{b.id}" and body["title"] == "T" and "url" in body
    got = get_album(http, alice.bearer, album.id)
    assert (got["title"], got["description"], got["privacy"], got["layout"], got["cover"]) == (
        "T",
        "D",
        "secret",
        "vertical",
        b.id,
    )
    assert [i["id"] for i in got["images"]] == [c.id, a.id, b.id]

    # Album.add_images: JSON {"ids": "x,y"}.
    sent_requests.clear()
    assert fetched.add_images([d]) is True
    assert json.loads(_only(sent_requests, "POST", f"/3/album/{album.id}/add").body) == {"ids": d.id}
    assert album_image_ids(http, alice.bearer, album.id) == [c.id, a.id, b.id, d.id]

    # Album.remove_images: multipart, repeated ids.
    sent_requests.clear()
    assert fetched.remove_images([a, c.id]) is True
    req = _only(sent_requests, "POST", f"/3/album/{album.id}/remove_images")
    assert _multipart(req) == [("ids", None, a.id.encode()), ("ids", None, c.id.encode())]
    assert album_image_ids(http, alice.bearer, album.id) == [b.id, d.id]

    # upload_image(album=…) sends `album_id`.
    sent_requests.clear()
    e = _py_upload(py_user, tmp_path, 9, album=fetched)
    names = [name for name, _, _ in _multipart(_only(sent_requests, "POST", "/3/image"))]
    assert "album_id" in names and "album" not in names
    assert album_image_ids(http, alice.bearer, album.id) == [b.id, d.id, e.id]

    assert fetched.favorite() == "favorited"
    assert py_user.get_album(album.id).is_favorited is True
    assert fetched.favorite() == "unfavorited"

    # User.get_albums: the secret album to its owner only.
    other = py_user.create_album(title="public one")
    mine = py_user.get_user(alice.name).get_albums()
    assert sorted(x.id for x in mine) == sorted([album.id, other.id])
    assert all(isinstance(x, pyimgur.Album) for x in mine)
    assert [x.id for x in py_anon.get_user(alice.name).get_albums()] == [other.id]
    assert [x.id for x in py_user.get_user(alice.name).get_albums(limit=1)] in ([album.id], [other.id])

    assert fetched.delete() is True
    _only(sent_requests, "DELETE", f"/3/album/{album.id}")
    with pytest.raises(ResourceNotFoundError):
        py_user.get_album(album.id)
    for img in (a, b, c, d, e):
        assert py_anon.get_image(img.id).id == img.id  # the images stay


def test_pyimgur_lists_account_albums_past_the_first_page(
    py_anon: pyimgur.Imgur, http: httpx.Client, alice: User, sent_requests: RequestLog
) -> None:
    """PyImgur pages /albums/{page} until a page comes back empty: a page past the end must be []."""
    made = {
        envelope_ok(http.post("/3/album", headers=alice.bearer, data={"title": str(k)}))["id"]
        for k in range(3)
    }
    sent_requests.clear()
    got = py_anon.get_user(alice.name).get_albums()
    assert {x.id for x in got} == made
    pages = [r.path for r in sent_requests.sent if "/albums/" in r.path]
    assert pages == [f"/3/account/{alice.name}/albums/0", f"/3/account/{alice.name}/albums/1"]
    assert set(got[0].__dict__) >= {"id", "title", "privacy", "link"}
    assert (
        set(
            envelope_ok(
                http.get(
                    f"/3/account/{alice.name}/albums",
                    headers={"Authorization": f"Client-ID {py_anon.client_id}"},
                )
            )[0]
        )
        == ALBUM_KEYS
    )
