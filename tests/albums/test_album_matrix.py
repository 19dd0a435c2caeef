"""Who may call which album route: every album route × every kind of caller, one table.

Built on the authorization matrix of the account tests (`tests/accounts/test_matrix.py`): the same
`Route` rows, `Ctx` context, caller kinds (`AUTH_KINDS`: no header, Client-ID, the owner's token, another
account's token, a token never issued), status presets and refusal wording. The album rows add:

* a setup that gives every cell albums of its own: the owner's public album (`{album}`, holding the owner's
  image `{id}`; its deletehash `{album_dh}`), a hidden and a secret one (`{hidden}`, `{secret}`), and an
  anonymous album made with a Client-ID (`{anon_album}`, `{anon_dh}`) holding an anonymous image
  (`{anon_img}`). Images are not made per cell (no album route deletes images, and an image may sit in
  any number of albums): each row has an owner with the image `{id}` and a second image `{img2}`
  (`{img2_dh}`) in none of the albums, and the module has the anonymous images `{anon_img}` and
  `{anon_img2}` (`{anon_img2_dh}`);
* a refusal text for the owner's own token (anonymous albums refuse everybody who comes by id);
* one check for every refused cell that nothing changed: the cell's album read back field by field with its
  images in order, the owner's album list (hidden and secret included), the anonymous album, the favorites
  and image counts of both accounts, the stored files, and (on the embedded database) the number of albums,
  images, album memberships and album favorites.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.accounts.helpers import (
    AUTH_REQUIRED,
    INVALID_TOKEN,
    NEEDS_USER,
    NOT_YOUR_ACCOUNT,
    db_rows,
    unique_name,
    unique_png,
)
from tests.accounts.test_matrix import (
    ANY_CALLER,
    AUTH_KINDS,
    OWNER_ONLY,
    USER_ONLY,
    Ctx,
    Route,
    Sender,
)
from tests.albums.helpers import ALBUM_KEYS, IMAGE_KEYS, User, envelope_error, envelope_ok, make_account
from tests.live import LiveServer, stored_keys

NOT_OWNER = "You are not the owner of this album"
ANONYMOUS_ALBUM = "This album is anonymous: use its deletehash"
NOT_YOUR_IMAGE_ID = "You do not own the image {id}; anonymous images are added by deletehash"
# An anonymous album is changed only through its deletehash: by id nobody may, not even a signed-in user.
NOBODY = {"none": 401, "client": 403, "owner": 403, "other": 403, "invalid": 403}
OWNER_OR_NOBODY = {"none": 401, "client": 403, "owner": 200, "other": 403, "invalid": 403}


@dataclass(frozen=True)
class AlbumRoute(Route):
    # The 403 text for the owner's own token, where even the owner is refused (anonymous albums by id).
    owner_denied: str = ANONYMOUS_ALBUM


# ---------------------------------------------------------------- calling as one kind of caller


class As:
    """The session's persistent client, sending one caller's Authorization header (the senders of the
    account matrix only call `.request`)."""

    def __init__(self, http: httpx.Client, headers: Mapping[str, str]) -> None:
        self.http, self.headers = http, dict(headers)

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        return self.http.request(method, url, headers={**self.headers, **kw.pop("headers", {})}, **kw)


def _fill(value: Any, ctx: Ctx) -> Any:
    if isinstance(value, str):
        return ctx.path(value)
    if isinstance(value, list):
        return [_fill(v, ctx) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ctx) for k, v in value.items()}
    return value


def req(
    data: dict[str, Any] | None = None, params: dict[str, Any] | None = None, upload: bool = False
) -> Sender:
    """A sender whose form fields / query may name anything in the cell's context (`{img2}`, …)."""

    def send(client: Any, method: str, path: str, ctx: Ctx) -> httpx.Response:
        kw: dict[str, Any] = {"data": _fill(data, ctx), "params": _fill(params, ctx)}
        if upload:
            kw["files"] = {"image": ("m.png", ctx.extra["upload_bytes"])}
        return client.request(method, path, **kw)

    return send


def _http(ctx: Ctx) -> httpx.Client:
    return ctx.extra["http"]


def _get(ctx: Ctx, headers: Mapping[str, str], template: str) -> Any:
    return envelope_ok(_http(ctx).get(ctx.path(template), headers=dict(headers)))


def _client(ctx: Ctx) -> dict[str, str]:
    return ctx.headers("client")


def _ids(items: list[dict[str, Any]]) -> list[str]:
    return [i["id"] for i in items]


# ---------------------------------------------------------------- the cell's albums, and "nothing changed"


def albums_world(ctx: Ctx) -> None:
    """The cell's own albums. Images are the row owner's and the module's (an image may sit in any number of
    albums, and no album route deletes images), so only albums are made per cell."""
    http, owner = _http(ctx), ctx.owner.bearer

    def make(headers: Mapping[str, str], **fields: Any) -> dict[str, Any]:
        return envelope_ok(http.post("/3/album", headers=dict(headers), data=fields))

    album = make(owner, **{"ids[]": [ctx.image["id"]], "title": "matrix album", "privacy": "public"})
    hidden = make(owner, **{"ids[]": [ctx.image["id"]], "privacy": "hidden"})
    secret = make(owner, **{"ids[]": [ctx.image["id"]], "privacy": "secret"})
    anon_album = make(_client(ctx), **{"deletehashes[]": [ctx.extra["anon_img_dh"]], "title": "matrix anon"})
    ctx.extra.update(
        {
            "album": album["id"],
            "album_dh": album["deletehash"],
            "hidden": hidden["id"],
            "secret": secret["id"],
            "anon_album": anon_album["id"],
            "anon_dh": anon_album["deletehash"],
            "upload_bytes": unique_png(),
        }
    )
    made = ctx.extra["made"]  # every album this owner has, by privacy (for the listing rows)
    for privacy, key in (("public", "album"), ("hidden", "hidden"), ("secret", "secret")):
        made.setdefault(privacy, set()).add(ctx.extra[key])


def _state(ctx: Ctx) -> dict[str, Any]:
    state: dict[str, Any] = {
        "album": _get(ctx, ctx.owner.bearer, "/3/album/{album}"),  # fields and images in order
        "owner_albums": _get(ctx, ctx.owner.bearer, "/3/account/me/albums"),  # hidden and secret ones too
        "anon_album": _get(ctx, _client(ctx), "/3/album/{anon_album}"),
        "owner_favorites": _get(ctx, ctx.owner.bearer, "/3/account/me/favorites"),
        "other_favorites": _get(ctx, ctx.other.bearer, "/3/account/me/favorites"),
        "owner_images": _get(ctx, ctx.owner.bearer, "/3/account/me/images/count"),
        "other_images": _get(ctx, ctx.other.bearer, "/3/account/me/images/count"),
        "files": stored_keys(ctx.server),
    }
    state["rows"] = db_rows(
        ctx.server,
        "SELECT (SELECT COUNT(*) FROM albums), (SELECT COUNT(*) FROM images),"
        " (SELECT COUNT(*) FROM album_images),"
        " (SELECT COUNT(*) FROM album_favorites)",
    )
    return state


def nothing_changed(ctx: Ctx) -> None:
    before, after = ctx.extra["before"], _state(ctx)
    for key in before:
        assert after[key] == before[key], f"a refused call changed {key}"


# ---------------------------------------------------------------- what accepted calls did


def _album_shape(ctx: Ctx, kind: str, data: dict[str, Any], album_key: str, *, with_images: bool) -> None:
    keys = (
        ALBUM_KEYS | ({"images"} if with_images else set()) | ({"deletehash"} if kind == "owner" else set())
    )
    assert set(data) == keys
    assert data["id"] == ctx.extra[album_key] and data["account_url"] == ctx.owner.name
    if kind == "owner":
        assert data["deletehash"] == _get(ctx, ctx.owner.bearer, f"/3/album/{{{album_key}}}")["deletehash"]
    if with_images:
        assert _ids(data["images"]) == [ctx.image["id"]]
        img = data["images"][0]
        assert set(img) == IMAGE_KEYS
        assert img["deletehash"] == (ctx.image["deletehash"] if kind == "owner" else "")


def album_read(ctx: Ctx, kind: str, data: Any) -> None:
    _album_shape(ctx, kind, data, "album", with_images=True)
    assert data["privacy"] == "public" and data["title"] == "matrix album"


def secret_read(ctx: Ctx, kind: str, data: Any) -> None:
    _album_shape(ctx, kind, data, "secret", with_images=True)
    assert data["privacy"] == "secret"


def images_read(ctx: Ctx, kind: str, data: Any) -> None:
    assert _ids(data) == [ctx.image["id"]] and set(data[0]) == IMAGE_KEYS
    assert data[0]["deletehash"] == (ctx.image["deletehash"] if kind == "owner" else "")


def one_image_read(ctx: Ctx, kind: str, data: Any) -> None:
    images_read(ctx, kind, [data])


def _visible(ctx: Ctx, kind: str) -> set[str]:
    made = ctx.extra["made"]
    return made["public"] | made["hidden"] | made["secret"] if kind == "owner" else set(made["public"])


def albums_listed(ctx: Ctx, kind: str, data: Any) -> None:
    assert set(_ids(data)) == _visible(ctx, kind) and len(data) == len(_visible(ctx, kind))
    for item in data:
        assert set(item) == ALBUM_KEYS | ({"deletehash"} if kind == "owner" else set())


def album_ids_listed(ctx: Ctx, kind: str, data: Any) -> None:
    assert sorted(data) == sorted(_visible(ctx, kind))


def albums_counted(ctx: Ctx, kind: str, data: Any) -> None:
    assert data == len(_visible(ctx, kind))


def anon_album_read(ctx: Ctx, kind: str, data: Any) -> None:
    assert set(data) == ALBUM_KEYS | {"images"}  # nobody owns it by id
    assert data["account_id"] is None and data["account_url"] is None
    assert _ids(data["images"]) == [ctx.extra["anon_img"]]


def _caller_account(ctx: Ctx, kind: str) -> User | None:
    return {"owner": ctx.owner, "other": ctx.other}.get(kind)


def _created(ctx: Ctx, kind: str, data: Any, images: list[str]) -> None:
    assert set(data) == {"id", "deletehash"}
    album = envelope_ok(_http(ctx).get(f"/3/album/{data['id']}", headers=_client(ctx)))
    assert album["id"] == data["id"] and _ids(album["images"]) == images
    by = _caller_account(ctx, kind)
    assert album["account_id"] == (by.id if by else None)
    assert album["account_url"] == (by.name if by else None)


def created_empty(ctx: Ctx, kind: str, data: Any) -> None:
    _created(ctx, kind, data, [])


def created_with_id(ctx: Ctx, kind: str, data: Any) -> None:
    _created(ctx, kind, data, [ctx.image["id"]])


def _owned_album(ctx: Ctx, key: str = "album") -> dict[str, Any]:
    return _get(ctx, ctx.owner.bearer, f"/3/album/{{{key}}}")


def retitled(ctx: Ctx, kind: str, data: Any) -> None:
    assert data is True
    album = _owned_album(ctx)
    assert album["title"] == "changed" and _ids(album["images"]) == [ctx.image["id"]]


def set_to_img2(ctx: Ctx, kind: str, data: Any) -> None:
    assert data is True and _ids(_owned_album(ctx)["images"]) == [ctx.extra["img2"]]


def img2_added(ctx: Ctx, kind: str, data: Any) -> None:
    assert data is True and _ids(_owned_album(ctx)["images"]) == [ctx.image["id"], ctx.extra["img2"]]


def image_removed(ctx: Ctx, kind: str, data: Any) -> None:
    assert data is True
    album = _owned_album(ctx)
    assert album["images"] == [] and album["title"] == "matrix album"
    envelope_ok(_http(ctx).get(f"/3/image/{ctx.image['id']}", headers=_client(ctx)))


def album_deleted(ctx: Ctx, kind: str, data: Any) -> None:
    assert data is True
    envelope_error(_http(ctx).get(ctx.path("/3/album/{album}"), headers=_client(ctx)), 404)
    envelope_ok(_http(ctx).get(f"/3/image/{ctx.image['id']}", headers=_client(ctx)))
    # Only that album: the others of the owner are still there.
    assert _owned_album(ctx, "secret")["id"] == ctx.extra["secret"]


def favorited(ctx: Ctx, kind: str, data: Any, key: str = "album") -> None:
    assert data == "favorited"
    by = _caller_account(ctx, kind)
    assert by is not None
    assert _get(ctx, by.bearer, f"/3/album/{{{key}}}")["favorite"] is True
    favs = _get(ctx, by.bearer, "/3/account/me/favorites")
    assert [(f["id"], f["is_album"]) for f in favs if f["id"] == ctx.extra[key]] == [(ctx.extra[key], True)]


def anon_favorited(ctx: Ctx, kind: str, data: Any) -> None:
    favorited(ctx, kind, data, "anon_album")


def _uploaded_into(ctx: Ctx, kind: str, data: Any, album_key: str, first: str) -> None:
    assert set(IMAGE_KEYS) <= set(data) and data["deletehash"]
    by = _caller_account(ctx, kind)
    assert data["account_id"] == (by.id if by else None)
    album = envelope_ok(_http(ctx).get(ctx.path(f"/3/album/{{{album_key}}}"), headers=_client(ctx)))
    assert _ids(album["images"]) == [first, data["id"]]
    assert len(stored_keys(ctx.server) - ctx.extra["files_before"]) == 1


def uploaded_into_album(ctx: Ctx, kind: str, data: Any) -> None:
    _uploaded_into(ctx, kind, data, "album", ctx.image["id"])


def uploaded_into_anon(ctx: Ctx, kind: str, data: Any) -> None:
    _uploaded_into(ctx, kind, data, "anon_album", ctx.extra["anon_img"])


def anon_retitled(ctx: Ctx, kind: str, data: Any) -> None:
    assert data is True
    album = _get(ctx, _client(ctx), "/3/album/{anon_album}")
    assert album["title"] == "changed" and _ids(album["images"]) == [ctx.extra["anon_img"]]


def anon_added(ctx: Ctx, kind: str, data: Any) -> None:
    assert data is True
    album = _get(ctx, _client(ctx), "/3/album/{anon_album}")
    assert _ids(album["images"]) == [ctx.extra["anon_img"], ctx.extra["anon_img2"]]


def anon_deleted(ctx: Ctx, kind: str, data: Any) -> None:
    assert data is True
    envelope_error(_http(ctx).get(ctx.path("/3/album/{anon_album}"), headers=_client(ctx)), 404)
    envelope_ok(_http(ctx).get(ctx.path("/3/image/{anon_img}"), headers=_client(ctx)))


# ---------------------------------------------------------------- the rows


def row(
    method: str,
    path: str,
    expect: Mapping[str, int],
    send: Sender | None = None,
    done: Any = None,
    *,
    client_denied: str = NOT_OWNER,
    other_denied: str = NOT_OWNER,
    owner_denied: str = ANONYMOUS_ALBUM,
    name: str = "",
) -> AlbumRoute:
    return AlbumRoute(
        method,
        path,
        expect,
        send=send or req(),
        setup=albums_world,
        verify_unchanged=nothing_changed,
        verify_done=done,
        client_denied=client_denied,
        other_denied=other_denied,
        owner_denied=owner_denied,
        name=name,
    )


TITLE = req(data={"title": "changed"})
UPLOAD_INTO = {"album": "{album}"}

ROUTES: list[AlbumRoute] = [
    # ------------------------------------------------------------ reads
    row("GET", "/3/album/{album}", ANY_CALLER, done=album_read),
    row("GET", "/3/album/{secret}", ANY_CALLER, done=secret_read),  # secret: still reachable by link
    row("GET", "/3/album/{album}/images", ANY_CALLER, done=images_read),
    row("GET", "/3/album/{album}/image/{id}", ANY_CALLER, done=one_image_read),
    row("GET", "/3/album/{anon_album}", ANY_CALLER, done=anon_album_read),
    row("GET", "/3/account/{u}/albums", ANY_CALLER, done=albums_listed),
    row("GET", "/3/account/{u}/albums/0", ANY_CALLER, done=albums_listed),
    row(
        "GET",
        "/3/account/{u}/albums",
        ANY_CALLER,
        req(params={"page": "0", "perPage": "100"}),
        albums_listed,
        name="GET /3/account/{u}/albums?page=0&perPage=100",
    ),
    row("GET", "/3/account/{u}/albums/ids", ANY_CALLER, done=album_ids_listed),
    row("GET", "/3/account/{u}/albums/ids/0", ANY_CALLER, done=album_ids_listed),
    row("GET", "/3/account/{u}/albums/count", ANY_CALLER, done=albums_counted),
    row("GET", "/3/account/{u}/album/{album}", ANY_CALLER, done=album_read),
    row("GET", "/3/account/{u}/album/{secret}", ANY_CALLER, done=secret_read),
    # ------------------------------------------------------------ create
    row("POST", "/3/album", ANY_CALLER, TITLE, created_empty),
    row("POST", "/3/album/", ANY_CALLER, TITLE, created_empty),
    row(
        "POST",
        "/3/album",
        OWNER_OR_NOBODY,
        req(data={"ids[]": ["{id}"]}),
        created_with_id,
        client_denied=NOT_YOUR_IMAGE_ID,
        other_denied=NOT_YOUR_IMAGE_ID,
        name="POST /3/album ids[]",
    ),
    row(
        "POST",
        "/3/album",
        ANY_CALLER,
        req(data={"deletehashes[]": ["{deletehash}"]}),
        created_with_id,
        name="POST /3/album deletehashes[]",
    ),
    # ------------------------------------------------------------ an owned album, by id
    row("PUT", "/3/album/{album}", OWNER_ONLY, TITLE, retitled),
    row("POST", "/3/album/{album}", OWNER_ONLY, TITLE, retitled),
    row(
        "POST",
        "/3/album/{album}",
        OWNER_ONLY,
        req(data={"ids": "{img2}"}),
        set_to_img2,
        name="POST /3/album/{album} ids (set)",
    ),
    row("POST", "/3/album/{album}/", OWNER_ONLY, req(data={"ids": "{img2}"}), set_to_img2),
    row("POST", "/3/album/{album}/add", OWNER_ONLY, req(data={"ids[]": ["{img2}"]}), img2_added),
    row("POST", "/3/album/{album}/remove_images", OWNER_ONLY, req(data={"ids[]": ["{id}"]}), image_removed),
    row("DELETE", "/3/album/{album}/remove_images", OWNER_ONLY, req(params={"ids": "{id}"}), image_removed),
    row(
        "DELETE",
        "/3/album/{album}",
        OWNER_ONLY,
        req(params={"ids": "{id}"}),
        image_removed,
        name="DELETE /3/album/{album}?ids=",
    ),
    row("DELETE", "/3/album/{album}", OWNER_ONLY, done=album_deleted),
    row(
        "DELETE",
        "/3/account/{u}/album/{album}",
        OWNER_ONLY,
        done=album_deleted,
        client_denied=NEEDS_USER,
        other_denied=NOT_YOUR_ACCOUNT,
    ),
    row("POST", "/3/album/{album}/favorite", USER_ONLY, done=favorited, client_denied=NEEDS_USER),
    row(
        "POST",
        "/3/upload",
        OWNER_ONLY,
        req(data=UPLOAD_INTO, upload=True),
        uploaded_into_album,
        name="POST /3/upload album={album}",
    ),
    row(
        "POST",
        "/3/image",
        OWNER_ONLY,
        req(data={"album_id": "{album}"}, upload=True),
        uploaded_into_album,
        name="POST /3/image album_id={album}",
    ),
    # ------------------------------------------------------------ an owned album, by its deletehash
    row("PUT", "/3/album/{album_dh}", ANY_CALLER, TITLE, retitled),
    row(
        "POST", "/3/album/{album_dh}/add", ANY_CALLER, req(data={"deletehashes[]": ["{img2_dh}"]}), img2_added
    ),
    row("POST", "/3/album/{album_dh}/remove_images", ANY_CALLER, req(data={"ids": "{id}"}), image_removed),
    row("DELETE", "/3/album/{album_dh}", ANY_CALLER, done=album_deleted),
    row(
        "POST",
        "/3/upload",
        ANY_CALLER,
        req(data={"album": "{album_dh}"}, upload=True),
        uploaded_into_album,
        name="POST /3/upload album={album_dh}",
    ),
    # ------------------------------------------------------------ an anonymous album
    row(
        "PUT",
        "/3/album/{anon_album}",
        NOBODY,
        TITLE,
        client_denied=ANONYMOUS_ALBUM,
        other_denied=ANONYMOUS_ALBUM,
    ),
    row(
        "POST",
        "/3/album/{anon_album}",
        NOBODY,
        req(data={"deletehashes[]": ["{anon_img2_dh}"]}),
        client_denied=ANONYMOUS_ALBUM,
        other_denied=ANONYMOUS_ALBUM,
    ),
    row(
        "POST",
        "/3/album/{anon_album}/add",
        NOBODY,
        req(data={"deletehashes[]": ["{anon_img2_dh}"]}),
        client_denied=ANONYMOUS_ALBUM,
        other_denied=ANONYMOUS_ALBUM,
    ),
    row(
        "POST",
        "/3/album/{anon_album}/remove_images",
        NOBODY,
        req(data={"ids": "{anon_img}"}),
        client_denied=ANONYMOUS_ALBUM,
        other_denied=ANONYMOUS_ALBUM,
    ),
    row(
        "DELETE",
        "/3/album/{anon_album}",
        NOBODY,
        req(params={"ids": "{anon_img}"}),
        client_denied=ANONYMOUS_ALBUM,
        other_denied=ANONYMOUS_ALBUM,
        name="DELETE /3/album/{anon_album}?ids=",
    ),
    row(
        "DELETE", "/3/album/{anon_album}", NOBODY, client_denied=ANONYMOUS_ALBUM, other_denied=ANONYMOUS_ALBUM
    ),
    row(
        "POST",
        "/3/upload",
        NOBODY,
        req(data={"album": "{anon_album}"}, upload=True),
        client_denied=ANONYMOUS_ALBUM,
        other_denied=ANONYMOUS_ALBUM,
        name="POST /3/upload album={anon_album}",
    ),
    row("PUT", "/3/album/{anon_dh}", ANY_CALLER, TITLE, anon_retitled),
    row(
        "POST", "/3/album/{anon_dh}/add", ANY_CALLER, req(data={"deletehashes": "{anon_img2_dh}"}), anon_added
    ),
    row("DELETE", "/3/album/{anon_dh}", ANY_CALLER, done=anon_deleted),
    row(
        "POST",
        "/3/upload",
        ANY_CALLER,
        req(data={"album": "{anon_dh}"}, upload=True),
        uploaded_into_anon,
        name="POST /3/upload album={anon_dh}",
    ),
    row("POST", "/3/album/{anon_album}/favorite", USER_ONLY, done=anon_favorited, client_denied=NEEDS_USER),
]


def _cells() -> list[Any]:
    return [pytest.param(route, kind, id=f"{route.id}-{kind}") for route in ROUTES for kind in AUTH_KINDS]


def test_every_album_route_has_a_full_row() -> None:
    ids = [r.id for r in ROUTES]
    assert len(ids) == len(set(ids)), "duplicate rows"
    for r in ROUTES:
        assert set(r.expect) == set(AUTH_KINDS), r.id
        assert all(v in (200, 401, 403) for v in r.expect.values()), r.id
        assert r.verify_unchanged is not None and r.setup is not None, r.id
        if 200 in r.expect.values():
            assert r.verify_done is not None, f"{r.id}: an accepted call needs verify_done"


@pytest.fixture(scope="module")
def album_other(http: httpx.Client, session_client: tuple[str, str]) -> User:
    """The 'another account' of every cell: each cell makes albums of its own, so it can be shared."""
    return make_account(http, session_client, "mao")


@dataclass
class Kit:
    owner: User
    image: dict[str, Any]  # in every album the cells of this row make
    img2: dict[str, Any]  # in none of them
    made: dict[str, set[str]]


@pytest.fixture(scope="module")
def kits() -> dict[str, Any]:
    return {}


def _kit(route: AlbumRoute, http: httpx.Client, creds: tuple[str, str], kits: dict[str, Any]) -> Kit:
    """One owner (with two images) per row: every cell makes albums of its own and checks only those, the
    listing rows know every album the owner has, and a refused cell proves it changed nothing."""
    if route.id not in kits:
        owner = make_account(http, creds, "mx")

        def up() -> dict[str, Any]:
            return envelope_ok(
                http.post("/3/upload", headers=owner.bearer, files={"image": ("p.png", unique_png())})
            )

        kits[route.id] = Kit(owner, up(), up(), {})
    return kits[route.id]


def _anon_images(http: httpx.Client, client_id: str, kits: dict[str, Any]) -> dict[str, str]:
    if "anon" not in kits:
        ups = [
            envelope_ok(
                http.post(
                    "/3/upload",
                    headers={"Authorization": f"Client-ID {client_id}"},
                    files={"image": ("a.png", unique_png())},
                )
            )
            for _ in range(2)
        ]
        kits["anon"] = {
            "anon_img": ups[0]["id"],
            "anon_img_dh": ups[0]["deletehash"],
            "anon_img2": ups[1]["id"],
            "anon_img2_dh": ups[1]["deletehash"],
        }
    return kits["anon"]


@pytest.mark.parametrize(("route", "kind"), _cells())
def test_album_matrix(
    route: AlbumRoute,
    kind: str,
    http: httpx.Client,
    server: LiveServer,
    session_client: tuple[str, str],
    album_other: User,
    kits: dict[str, Any],
) -> None:
    kit = _kit(route, http, session_client, kits)
    ctx = Ctx(
        server=server,
        client_id=session_client[0],
        owner=kit.owner,
        other=album_other,
        image=kit.image,
        new_name=unique_name("new"),
        extra={
            "http": http,
            "made": kit.made,
            "img2": kit.img2["id"],
            "img2_dh": kit.img2["deletehash"],
            **_anon_images(http, session_client[0], kits),
        },
    )
    assert route.setup is not None
    route.setup(ctx)
    path = ctx.path(route.path)
    expected = route.expect[kind]
    ctx.extra["files_before"] = stored_keys(server)
    if expected != 200:
        ctx.extra["before"] = _state(ctx)

    r = route.send(As(http, ctx.headers(kind)), route.method, path, ctx)  # type: ignore[arg-type]

    if expected == 200:
        data = envelope_ok(r)
        assert route.verify_done is not None
        route.verify_done(ctx, kind, data)
        return
    err = envelope_error(r, expected)
    assert err["request"] == path.rstrip("/") and err["method"] == route.method
    message = {
        ("none", 401): AUTH_REQUIRED,
        ("invalid", 403): INVALID_TOKEN,
        ("client", 403): route.client_denied,
        ("other", 403): route.other_denied,
        ("owner", 403): route.owner_denied,
    }[(kind, expected)]
    assert err["error"] == ctx.path(message)
    assert route.verify_unchanged is not None
    route.verify_unchanged(ctx)
