"""pyimgurapi 0.5.0, unmodified, against a live imghost.

Redirected with `BaseEndpoint.base_url = server.url + "/"` (every endpoint class reads that class attribute
and joins absolute paths onto it). pyimgurapi talks through `urllib.request.urlopen`, not `requests`, so
`wire` (autouse) records each request here and refuses any not addressed to this machine.

What makes this library worth testing: it builds multipart bodies by hand (`utils.MultipartForm`), and a
fields-only body (image and album updates, album add/remove) ends after the last field's CRLF with no
closing `--boundary--`. An upload body ends with an opening boundary line instead. Every call is checked
by reading the state back through the API, never by its `success` alone.

Signed-in calls authenticate the library's way: `ImgurAPI(refresh_token, client_id, client_secret).auth()`
posts a JSON body to /oauth2/token. Without a token, 0.5.0 sends `Authorization: Client-ID None` (its
header reads the access token where it means the client id), which imghost, like Imgur, refuses. The
anonymous deletehash routes are driven through `Anonymous`, which puts that one header right and leaves
paths, methods and bodies as the library makes them.
"""

from __future__ import annotations

import io
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image as PILImage
from pyimgurapi import ImgurAPI
from pyimgurapi.endpoints.base_endpoint import BaseEndpoint
from pyimgurapi.exceptions import PyImgurApiNotFound, PyImgurApiUnauthorized

from tests.accounts.helpers import TOKEN_KEYS, User, make_user, unique_png
from tests.api.helpers import envelope_error, envelope_ok
from tests.clients.helpers import DELETEHASH_RE, ID_RE, LOCAL_HOSTS, OffHostRequest, get
from tests.live import LiveServer

TITLE = "Ein Titel ✓ & more"
DESCRIPTION = "first line\nsecond line, 50% off"


# ---------------------------------------------------------------- what the library sent


@dataclass
class Sent:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    status: int | None = None
    error_body: bytes = b""

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def boundary(self) -> bytes:
        ctype = self.headers.get("content-type", "")
        assert ctype.startswith("multipart/form-data; boundary="), ctype
        return ctype.split("boundary=", 1)[1].encode()


@pytest.fixture(autouse=True)
def wire(monkeypatch: pytest.MonkeyPatch) -> list[Sent]:
    log: list[Sent] = []
    original = urllib.request.urlopen

    def urlopen(req: urllib.request.Request, *args: Any, **kwargs: Any) -> Any:
        if (urlsplit(req.full_url).hostname or "") not in LOCAL_HOSTS:
            raise OffHostRequest(req.full_url)
        body = req.data if isinstance(req.data, bytes) else b""
        sent = Sent(req.get_method(), req.full_url, {k.lower(): v for k, v in req.header_items()}, body)
        log.append(sent)
        try:
            resp = original(req, *args, **kwargs)
        except urllib.error.HTTPError as exc:
            # pyimgurapi keeps only the reason phrase; the body is read here so tests can check the envelope.
            sent.status, sent.error_body = exc.code, exc.read()
            raise
        sent.status = resp.status
        return resp

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return log


def last(log: list[Sent], method: str, path: str) -> Sent:
    hits = [s for s in log if s.method == method and s.path == path]
    assert hits, f"no {method} {path} in {[(s.method, s.path) for s in log]}"
    return hits[-1]


def unterminated(sent: Sent) -> bool:
    """pyimgurapi's fields-only shape: parts, the last ending in CRLF, and no closing boundary at all."""
    return (
        sent.body.startswith(b"--" + sent.boundary + b"\r\n")
        and sent.body.endswith(b"\r\n")
        and b"--" + sent.boundary + b"--" not in sent.body
    )


def error_of(sent: Sent, status: int) -> dict[str, Any]:
    assert sent.status == status, (sent.status, sent.error_body)
    body = json.loads(sent.error_body)
    assert body["success"] is False and body["status"] == status, body
    return body["data"]


# ---------------------------------------------------------------- clients


@pytest.fixture(autouse=True)
def at_server(server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BaseEndpoint, "base_url", server.url.rstrip("/") + "/")


class Anonymous:
    """`ImgurAPI(client_id=...)` endpoints whose `Authorization` header carries the client id, as the
    library means it to; everything else about each request is pyimgurapi's own."""

    def __init__(self, client_id: str) -> None:
        self.client_id = client_id

    def __getattr__(self, name: str) -> Any:
        endpoint = getattr(ImgurAPI(client_id=self.client_id), name)
        made = endpoint.get_headers

        def get_headers(form: Any = None) -> dict[str, str]:
            headers = made(form=form)
            assert headers["Authorization"] == "Client-ID None", headers  # the one thing put right
            headers["Authorization"] = f"Client-ID {self.client_id}"
            return headers

        endpoint.get_headers = get_headers
        return endpoint


@pytest.fixture
def anon(session_client: tuple[str, str]) -> Anonymous:
    return Anonymous(session_client[0])


SignedIn = Callable[[], tuple[ImgurAPI, User]]


@pytest.fixture
def signed_in(server: LiveServer, session_client: tuple[str, str]) -> SignedIn:
    """signed_in() -> (an authenticated ImgurAPI, its fresh account)."""

    def make() -> tuple[ImgurAPI, User]:
        user = make_user(server, session_client, prefix="p")
        api = ImgurAPI(
            refresh_token=user.refresh_token, client_id=session_client[0], client_secret=session_client[1]
        )
        api.auth()
        assert api.access_token
        return api, user

    return make


@pytest.fixture
def owner(signed_in: SignedIn) -> tuple[ImgurAPI, User]:
    return signed_in()


@pytest.fixture
def http(server: LiveServer, session_client: tuple[str, str]) -> Iterator[httpx.Client]:
    """An independent reader of the state (plain HTTP, the application's Client-ID)."""
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Client-ID {session_client[0]}"}, timeout=60
    ) as c:
        yield c


def image_state(http: httpx.Client, ref: str) -> dict[str, Any]:
    return envelope_ok(http.get(f"/3/image/{ref}"))


def album_state(http: httpx.Client, ref: str) -> dict[str, Any]:
    return envelope_ok(http.get(f"/3/album/{ref}"))


def album_ids(http: httpx.Client, ref: str) -> list[str]:
    return [i["id"] for i in album_state(http, ref)["images"]]


def upload(endpoints: Any, **fields: str) -> dict[str, Any]:
    resp = endpoints.image.upload(io.BytesIO(unique_png()), "pic.png", **fields)
    assert resp.success is True and resp.status == 200, resp
    return resp.data.as_dict()


# ---------------------------------------------------------------- authentication


def test_auth_posts_json_refresh_grant(
    server: LiveServer, session_client: tuple[str, str], wire: list[Sent]
) -> None:
    user = make_user(server, session_client, prefix="p")
    api = ImgurAPI(
        refresh_token=user.refresh_token, client_id=session_client[0], client_secret=session_client[1]
    )
    token = api.auth().as_dict()

    sent = last(wire, "POST", "/oauth2/token")
    assert sent.headers["content-type"] == "application/json"
    assert json.loads(sent.body) == {
        "refresh_token": user.refresh_token,
        "client_id": session_client[0],
        "client_secret": session_client[1],
        "grant_type": "refresh_token",
    }
    assert set(token) == TOKEN_KEYS
    assert (token["account_username"], token["account_id"]) == (user.name, user.id)
    assert api.access_token == token["access_token"]
    # The new token is the one the library now signs with, and it is this account's.
    me = api.account.base().data
    assert (me.url, me.id) == (user.name, user.id)
    assert last(wire, "GET", "/3/account/me").headers["authorization"] == f"Bearer {token['access_token']}"


def test_auth_with_unknown_refresh_token_is_refused(
    session_client: tuple[str, str], wire: list[Sent]
) -> None:
    api = ImgurAPI(refresh_token="0" * 40, client_id=session_client[0], client_secret=session_client[1])
    with pytest.raises(urllib.error.HTTPError) as exc:
        api.auth()
    assert exc.value.code == 400
    assert api.access_token is None
    assert "refresh token" in error_of(last(wire, "POST", "/oauth2/token"), 400)["error"].lower()


def test_released_anonymous_header_is_refused(
    http: httpx.Client, anon: Anonymous, session_client: tuple[str, str], wire: list[Sent]
) -> None:
    """0.5.0 without a token sends `Client-ID None`: a 403 envelope, and nothing changes."""
    img = upload(anon, title="kept")
    released = ImgurAPI(client_id=session_client[0])
    with pytest.raises(PyImgurApiUnauthorized):
        released.image(img["id"])
    with pytest.raises(PyImgurApiUnauthorized):
        released.image.update(img["deletehash"], title="changed")
    sent = last(wire, "POST", f"/3/image/{img['deletehash']}")
    assert sent.headers["authorization"] == "Client-ID None"
    assert "client_id" in error_of(sent, 403)["error"].lower()
    assert image_state(http, img["id"])["title"] == "kept"


# ---------------------------------------------------------------- images


def test_upload_as_owner(owner: tuple[ImgurAPI, User], http: httpx.Client, wire: list[Sent]) -> None:
    api, user = owner
    data = unique_png(40, 30)
    resp = api.image.upload(io.BytesIO(data), "pic.png", title=TITLE, description=DESCRIPTION)
    img = resp.data.as_dict()
    sent = last(wire, "POST", "/3/upload")
    # The library's upload shape: fields, then the file, then an opening boundary line and nothing more.
    assert sent.body.endswith(b"\r\n--" + sent.boundary + b"\r\n")
    assert ID_RE.match(img["id"]) and DELETEHASH_RE.match(img["deletehash"])

    stored = image_state(http, img["id"])
    assert (stored["title"], stored["description"]) == (TITLE, DESCRIPTION)
    assert (stored["account_url"], stored["account_id"]) == (user.name, user.id)
    assert (stored["type"], stored["width"], stored["height"]) == ("image/png", 40, 30)
    served = get(stored["link"])
    assert served.status_code == 200
    with PILImage.open(io.BytesIO(served.content)) as a, PILImage.open(io.BytesIO(data)) as b:
        assert a.convert("RGB").tobytes() == b.convert("RGB").tobytes()
    # Read back through the library too: its own parser sees the same record.
    got = api.image(img["id"]).data
    assert (got.id, got.title, got.deletehash) == (img["id"], TITLE, img["deletehash"])


def test_upload_anonymous(anon: Anonymous, http: httpx.Client) -> None:
    img = upload(anon, title="anonymous")
    stored = image_state(http, img["id"])
    assert stored["account_id"] is None and stored["account_url"] is None
    assert stored["title"] == "anonymous"
    assert stored["deletehash"] == ""  # a reader by id is not the owner and never sees the key
    assert get(stored["link"]).status_code == 200


def test_update_by_deletehash_anonymous(anon: Anonymous, http: httpx.Client, wire: list[Sent]) -> None:
    """The unterminated fields-only body is read: the next GET shows what the update asked for."""
    img = upload(anon, title="old title", description="old description")
    path = f"/3/image/{img['deletehash']}"

    assert anon.image.update(img["deletehash"], title=TITLE).data is True
    assert unterminated(last(wire, "POST", path))
    stored = image_state(http, img["id"])
    assert (stored["title"], stored["description"]) == (TITLE, "old description")

    assert anon.image.update(img["deletehash"], description=DESCRIPTION).data is True
    stored = image_state(http, img["id"])
    assert (stored["title"], stored["description"]) == (TITLE, DESCRIPTION)

    assert anon.image.update(img["deletehash"], title="both", description="at once").data is True
    sent = last(wire, "POST", path)
    assert unterminated(sent) and sent.body.count(b"--" + sent.boundary) == 2
    stored = image_state(http, img["id"])
    assert (stored["title"], stored["description"]) == ("both", "at once")


def test_update_as_owner_by_id(owner: tuple[ImgurAPI, User], http: httpx.Client, wire: list[Sent]) -> None:
    api, _ = owner
    img = upload(api, title="old title")
    assert api.image.update(img["id"], title="new", description=DESCRIPTION).data is True
    assert unterminated(last(wire, "POST", f"/3/image/{img['id']}"))
    stored = image_state(http, img["id"])
    assert (stored["title"], stored["description"]) == ("new", DESCRIPTION)
    assert api.image(img["id"]).data.title == "new"


def test_update_with_nothing_changes_nothing(
    owner: tuple[ImgurAPI, User], http: httpx.Client, wire: list[Sent]
) -> None:
    api, _ = owner
    img = upload(api, title="kept", description="kept too")
    assert api.image.update(img["id"]).data is True
    assert last(wire, "POST", f"/3/image/{img['id']}").body == b""
    stored = image_state(http, img["id"])
    assert (stored["title"], stored["description"]) == ("kept", "kept too")


def test_update_by_another_account(
    owner: tuple[ImgurAPI, User], signed_in: SignedIn, http: httpx.Client, wire: list[Sent]
) -> None:
    """The deletehash is the capability: any caller holding it may update; by id only the owner may."""
    api, _ = owner
    other, _ = signed_in()
    img = upload(api, title="mine")
    with pytest.raises(PyImgurApiUnauthorized):
        other.image.update(img["id"], title="theirs")
    assert error_of(last(wire, "POST", f"/3/image/{img['id']}"), 403)
    assert image_state(http, img["id"])["title"] == "mine"

    assert other.image.update(img["deletehash"], title="via deletehash").data is True
    assert image_state(http, img["id"])["title"] == "via deletehash"


def test_delete_by_deletehash_anonymous(anon: Anonymous, http: httpx.Client) -> None:
    img = upload(anon)
    link = image_state(http, img["id"])["link"]
    assert anon.image.delete(img["deletehash"]).data is True
    envelope_error(http.get(f"/3/image/{img['id']}"), 404)
    assert get(link).status_code == 404
    with pytest.raises(PyImgurApiNotFound):
        anon.image.delete(img["deletehash"])


def test_delete_as_owner_by_id(owner: tuple[ImgurAPI, User], signed_in: SignedIn, http: httpx.Client) -> None:
    api, _ = owner
    img = upload(api)
    other, _ = signed_in()
    with pytest.raises(PyImgurApiUnauthorized):
        other.image.delete(img["id"])
    assert image_state(http, img["id"])["id"] == img["id"]

    before = api.account.image_count().data
    assert api.image.delete(img["id"]).data is True
    envelope_error(http.get(f"/3/image/{img['id']}"), 404)
    with pytest.raises(PyImgurApiNotFound):
        api.image(img["id"])
    assert api.account.image_count().data == before - 1


def test_image_favorite_toggles(owner: tuple[ImgurAPI, User], anon: Anonymous) -> None:
    api, _ = owner
    img = upload(anon)
    assert api.image.favorite(img["id"]).data == "favorited"
    assert api.image(img["id"]).data.favorite is True
    assert [f["id"] for f in api.account.favorites().data.as_dict()] == [img["id"]]
    assert api.image.favorite(img["id"]).data == "unfavorited"
    assert api.image(img["id"]).data.favorite is False
    assert api.account.favorites().data.as_dict() == []


# ---------------------------------------------------------------- albums


def test_album_create_and_get_as_owner(owner: tuple[ImgurAPI, User], http: httpx.Client) -> None:
    api, user = owner
    a, b = upload(api), upload(api)
    created = api.album.create(
        image_ids=[a["id"], b["id"]], title=TITLE, description=DESCRIPTION, privacy="hidden", cover=b["id"]
    ).data
    assert ID_RE.match(created.id) and DELETEHASH_RE.match(created.deletehash)

    stored = album_state(http, created.id)
    assert (stored["title"], stored["description"], stored["privacy"]) == (TITLE, DESCRIPTION, "hidden")
    assert (stored["cover"], stored["account_url"], stored["images_count"]) == (b["id"], user.name, 2)
    assert [i["id"] for i in stored["images"]] == [a["id"], b["id"]]

    got = api.album(created.id).data
    assert (got.id, got.title, got.deletehash) == (created.id, TITLE, created.deletehash)
    assert [i["id"] for i in api.album.album_images(created.id).data.as_dict()] == [a["id"], b["id"]]
    one = api.album.album_image(created.id, b["id"]).data
    assert (one.id, one.deletehash) == (b["id"], b["deletehash"])
    with pytest.raises(PyImgurApiNotFound):
        api.album.album_image(created.id, upload(api)["id"])


def test_album_update_as_owner(owner: tuple[ImgurAPI, User], http: httpx.Client, wire: list[Sent]) -> None:
    """The other half of the bug: album.update's unterminated body changes the album."""
    api, _ = owner
    a, b = upload(api), upload(api)
    album = api.album.create(image_ids=[a["id"], b["id"]], title="old title", privacy="public").data.id

    assert (
        api.album.update(album, title="new", description=DESCRIPTION, privacy="secret", cover=b["id"]).data
        is True
    )
    assert unterminated(last(wire, "POST", f"/3/album/{album}"))
    stored = album_state(http, album)
    assert (stored["title"], stored["description"], stored["privacy"], stored["cover"]) == (
        "new",
        DESCRIPTION,
        "secret",
        b["id"],
    )
    assert [i["id"] for i in stored["images"]] == [a["id"], b["id"]]  # no ids given: images stay

    assert api.album.update(album, image_ids=[b["id"]]).data is True
    stored = album_state(http, album)
    assert [i["id"] for i in stored["images"]] == [b["id"]]
    assert stored["title"] == "new"


def test_album_add_remove_set_as_owner(
    owner: tuple[ImgurAPI, User], http: httpx.Client, wire: list[Sent]
) -> None:
    api, _ = owner
    a, b, c = upload(api), upload(api), upload(api)
    album = api.album.create(image_ids=[a["id"]]).data.id

    assert api.album.add(album, image_ids=[b["id"], c["id"]]).data is True
    assert unterminated(last(wire, "POST", f"/3/album/{album}/add"))
    assert album_ids(http, album) == [a["id"], b["id"], c["id"]]

    assert api.album.remove_images(album, [a["id"], c["id"]]).data is True
    assert unterminated(last(wire, "POST", f"/3/album/{album}/remove_images"))
    assert album_ids(http, album) == [b["id"]]

    assert api.album.set_images(album, image_ids=[c["id"], a["id"]]).data is True
    assert album_ids(http, album) == [c["id"], a["id"]]
    # Removing images takes them out of the album only.
    for img in (a, b, c):
        assert image_state(http, img["id"])["id"] == img["id"]


def test_album_delete_as_owner(owner: tuple[ImgurAPI, User], http: httpx.Client, wire: list[Sent]) -> None:
    api, _ = owner
    img = upload(api)
    album = api.album.create(image_ids=[img["id"]], title="doomed").data.id
    assert api.album.delete(album).data is True
    assert last(wire, "DELETE", f"/3/album/{album}").headers["content-type"] == "application/json"
    envelope_error(http.get(f"/3/album/{album}"), 404)
    with pytest.raises(PyImgurApiNotFound):
        api.album(album)
    assert image_state(http, img["id"])["id"] == img["id"]  # its images stay


def test_album_of_another_account_is_refused(
    owner: tuple[ImgurAPI, User], signed_in: SignedIn, http: httpx.Client, wire: list[Sent]
) -> None:
    api, _ = owner
    other, _ = signed_in()
    a, b = upload(api), upload(api)
    album = api.album.create(image_ids=[a["id"]], title="mine").data.id
    with pytest.raises(PyImgurApiUnauthorized):
        other.album.update(album, title="theirs")
    assert error_of(last(wire, "POST", f"/3/album/{album}"), 403)
    with pytest.raises(PyImgurApiUnauthorized):
        api.album.add(album, image_ids=[upload(other)["id"]])  # an image the caller does not own
    with pytest.raises(PyImgurApiUnauthorized):
        other.album.remove_images(album, [a["id"]])
    with pytest.raises(PyImgurApiUnauthorized):
        other.album.delete(album)
    stored = album_state(http, album)
    assert stored["title"] == "mine" and [i["id"] for i in stored["images"]] == [a["id"]]
    assert b["id"] not in album_ids(http, album)


def test_anonymous_album_by_deletehash(anon: Anonymous, http: httpx.Client, wire: list[Sent]) -> None:
    x, y, z = upload(anon), upload(anon), upload(anon)
    created = anon.album.create(delete_hashes=[x["deletehash"], y["deletehash"]], title="old title").data
    album, dh = created.id, created.deletehash
    stored = album_state(http, album)
    assert stored["account_id"] is None and stored["title"] == "old title"
    assert [i["id"] for i in stored["images"]] == [x["id"], y["id"]]

    assert anon.album.update(dh, title=TITLE, description=DESCRIPTION).data is True
    assert unterminated(last(wire, "POST", f"/3/album/{dh}"))
    stored = album_state(http, album)
    assert (stored["title"], stored["description"]) == (TITLE, DESCRIPTION)

    assert anon.album.add(dh, delete_hashes=[z["deletehash"]]).data is True
    assert album_ids(http, album) == [x["id"], y["id"], z["id"]]
    assert anon.album.remove_images(dh, [x["id"]]).data is True
    assert album_ids(http, album) == [y["id"], z["id"]]
    assert anon.album.set_images(dh, delete_hashes=[x["deletehash"]]).data is True
    assert album_ids(http, album) == [x["id"]]

    # By id, an anonymous album cannot be changed: only its deletehash is the key.
    with pytest.raises(PyImgurApiUnauthorized):
        anon.album.update(album, title="by id")
    assert album_state(http, album)["title"] == TITLE

    assert anon.album.delete(dh).data is True
    envelope_error(http.get(f"/3/album/{album}"), 404)
    assert image_state(http, x["id"])["id"] == x["id"]


def test_upload_into_album(owner: tuple[ImgurAPI, User], anon: Anonymous, http: httpx.Client) -> None:
    api, _ = owner
    mine = api.album.create(title="owned").data.id
    img = upload(api, album=mine)
    assert album_ids(http, mine) == [img["id"]]

    anon_album = anon.album.create(title="anonymous").data
    first = upload(anon, album=anon_album.deletehash)
    second = upload(anon, album=anon_album.deletehash)
    assert album_ids(http, anon_album.id) == [first["id"], second["id"]]


def test_album_favorite(owner: tuple[ImgurAPI, User], anon: Anonymous, http: httpx.Client) -> None:
    api, _ = owner
    album = anon.album.create(delete_hashes=[upload(anon)["deletehash"]], title="liked").data.id
    assert api.album.favorite(album).data == "favorited"
    assert api.album(album).data.favorite is True
    favs = api.account.favorites().data.as_dict()
    assert [(f["id"], f["is_album"]) for f in favs] == [(album, True)]
    assert api.album.favorite(album).data == "unfavorited"
    assert api.album(album).data.favorite is False
    assert album_state(http, album)["favorite"] is False


# ---------------------------------------------------------------- account


def test_account_base(owner: tuple[ImgurAPI, User], signed_in: SignedIn) -> None:
    api, user = owner
    me = api.account.base().data
    assert (me.id, me.url) == (user.id, user.name)
    by_name = api.account.base(user.name).data
    assert (by_name.id, by_name.url, by_name.created) == (me.id, me.url, me.created)
    other, other_user = signed_in()
    seen = other.account.base(user.name).data
    assert (seen.id, seen.url) == (user.id, user.name)
    assert other.account.base().data.url == other_user.name
    with pytest.raises(PyImgurApiNotFound):
        api.account.base(f"{user.name}x")


def test_account_images_count_and_delete(
    owner: tuple[ImgurAPI, User], http: httpx.Client, wire: list[Sent]
) -> None:
    api, user = owner
    assert api.account.image_count().data == 0
    assert api.account.images().data.as_dict() == []
    uploaded = [upload(api, title=f"n{i}") for i in range(3)]
    ids = {u["id"] for u in uploaded}

    assert api.account.image_count().data == 3
    listed = api.account.images().data.as_dict()
    assert {i["id"] for i in listed} == ids
    assert all(i["account_url"] == user.name and DELETEHASH_RE.match(i["deletehash"]) for i in listed)
    assert {i["id"] for i in api.account.images(page=0).data.as_dict()} == ids
    assert last(wire, "GET", "/3/account/me/images/0").status == 200
    assert api.account.images(page=1).data.as_dict() == []

    one = api.account.image(uploaded[1]["id"]).data
    assert (one.id, one.title, one.deletehash) == (uploaded[1]["id"], "n1", uploaded[1]["deletehash"])
    with pytest.raises(PyImgurApiNotFound):
        api.account.image("zzzzzzz")

    assert api.account.image_delete(uploaded[0]["deletehash"]).data is True
    envelope_error(http.get(f"/3/image/{uploaded[0]['id']}"), 404)
    assert api.account.image_count().data == 2
    assert {i["id"] for i in api.account.images().data.as_dict()} == ids - {uploaded[0]["id"]}


def test_account_of_another_user_is_refused(
    owner: tuple[ImgurAPI, User], signed_in: SignedIn, wire: list[Sent]
) -> None:
    api, user = owner
    img = upload(api)
    other, _ = signed_in()
    with pytest.raises(PyImgurApiUnauthorized):
        other.account.images(user.name)
    assert error_of(last(wire, "GET", f"/3/account/{user.name}/images"), 403)
    with pytest.raises(PyImgurApiUnauthorized):
        other.account.image_delete(img["deletehash"], username=user.name)
    assert api.account.image_count().data == 1


def test_account_favorites_paged_and_sorted(
    owner: tuple[ImgurAPI, User], anon: Anonymous, wire: list[Sent]
) -> None:
    api, _ = owner
    first, second = upload(anon), upload(anon)
    assert api.image.favorite(first["id"]).data == "favorited"
    time.sleep(1.1)  # favorites are ordered by the second they were made in
    assert api.image.favorite(second["id"]).data == "favorited"

    assert [f["id"] for f in api.account.favorites().data.as_dict()] == [second["id"], first["id"]]
    oldest = api.account.favorites(page=0, favorite_sort="oldest").data.as_dict()
    assert last(wire, "GET", "/3/account/me/favorites/0/oldest").status == 200
    assert [f["id"] for f in oldest] == [first["id"], second["id"]]
    newest = api.account.favorites(page=0, favorite_sort="newest").data.as_dict()
    assert [f["id"] for f in newest] == [second["id"], first["id"]]
    assert all(f["favorite"] is True for f in newest)
    assert api.account.favorites(page=1).data.as_dict() == []


def test_image_ids_path_the_library_builds(
    owner: tuple[ImgurAPI, User], http: httpx.Client, wire: list[Sent]
) -> None:
    """0.5.0 puts the page into the path twice (`/images/ids/None`, `/images/ids/0/0`): no Imgur route has
    those, and imghost says so with a 404 envelope; the ids are at the path the library means."""
    api, user = owner
    img = upload(api)
    with pytest.raises(PyImgurApiNotFound):
        api.account.image_ids()
    assert error_of(last(wire, "GET", "/3/account/me/images/ids/None"), 404)
    with pytest.raises(PyImgurApiNotFound):
        api.account.image_ids(page=0)
    assert error_of(last(wire, "GET", "/3/account/me/images/ids/0/0"), 404)
    bearer = {"Authorization": f"Bearer {api.access_token}"}
    assert envelope_ok(http.get(f"/3/account/{user.name}/images/ids", headers=bearer)) == [img["id"]]
