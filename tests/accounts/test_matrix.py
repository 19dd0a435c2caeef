"""Who may call what: every /3 route that exists so far × every kind of caller, one table.

Callers (`AUTH_KINDS`): no Authorization header, `Client-ID` of a registered application, a Bearer token of
the resource's owner, a Bearer token of another account, and a Bearer token that was never issued.

Each row is a `Route`: method, path template, expected status per caller, optionally a setup, the request
body, a check that a refused write changed nothing (`verify_unchanged`, run after every non-200 cell of a
row that writes) and a check of what an accepted call did (`verify_done`). Later routes (albums…) join the
matrix by appending rows; `Ctx.extra` carries whatever their setup creates, and its keys can be used in
path templates.

Refusals use Imgur's wording: no header → 401 "Authentication required"; a token that is not
valid → 403 "The access token provided is invalid."; a user-only route called with a Client-ID → 403
"This method requires authentication"; somebody else's account → 403.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.accounts.helpers import (
    AUTH_REQUIRED,
    INVALID_TOKEN,
    NEEDS_USER,
    NOT_YOUR_ACCOUNT,
    NOT_YOUR_IMAGE,
    SETTINGS_KEYS,
    STATS_KEYS,
    User,
    make_user,
    unique_name,
    unique_png,
)
from tests.api.helpers import IMAGE_KEYS, envelope_error, envelope_ok, upload
from tests.live import LiveServer, stored_keys

AUTH_KINDS = ("none", "client", "owner", "other", "invalid")
BOGUS_TOKEN = "0123456789abcdef0123456789abcdef01234567"  # 40 hex, the shape of a real one; never issued
ORIGINAL_TITLE = "original title"


# ---------------------------------------------------------------- the context every cell starts from


@dataclass
class Ctx:
    server: LiveServer
    client_id: str
    owner: User
    other: User
    image: dict[str, Any]  # an upload of the owner's, made with the owner's token
    new_name: str  # an unused username (for the sign-up route)
    extra: dict[str, Any] = field(default_factory=dict)

    def path(self, template: str) -> str:
        return template.format(
            u=self.owner.name,
            id=self.image["id"],
            deletehash=self.image["deletehash"],
            new=self.new_name,
            **self.extra,
        )

    def headers(self, kind: str) -> dict[str, str]:
        return {
            "none": {},
            "client": {"Authorization": f"Client-ID {self.client_id}"},
            "owner": self.owner.bearer,
            "other": self.other.bearer,
            "invalid": {"Authorization": f"Bearer {BOGUS_TOKEN}"},
        }[kind]

    def as_owner(self) -> httpx.Client:
        return httpx.Client(base_url=self.server.url, headers=self.owner.bearer, timeout=60)

    def owner_get(self, path: str) -> Any:
        with self.as_owner() as c:
            return envelope_ok(c.get(self.path(path)))


Sender = Callable[[httpx.Client, str, str, Ctx], httpx.Response]


def plain(client: httpx.Client, method: str, path: str, ctx: Ctx) -> httpx.Response:
    return client.request(method, path)


def form(**fields: str) -> Sender:
    def send(client: httpx.Client, method: str, path: str, ctx: Ctx) -> httpx.Response:
        return client.request(method, path, data=fields)

    return send


def send_upload(client: httpx.Client, method: str, path: str, ctx: Ctx) -> httpx.Response:
    return client.request(
        method, path, files={"image": ("m.png", ctx.extra["upload_bytes"])}, data={"title": "matrix upload"}
    )


def send_signup(client: httpx.Client, method: str, path: str, ctx: Ctx) -> httpx.Response:
    return client.request(
        method, path, data={"email": f"{ctx.new_name}@example.org", "password": "signup-password-1"}
    )


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    expect: Mapping[str, int]
    send: Sender = plain
    setup: Callable[[Ctx], None] | None = None
    verify_unchanged: Callable[[Ctx], None] | None = None
    verify_done: Callable[[Ctx, str, Any], None] | None = None
    # The 403 texts for a Client-ID caller and for another account's token, where the route refuses them.
    client_denied: str = NEEDS_USER
    other_denied: str = NOT_YOUR_ACCOUNT
    name: str = ""

    @property
    def id(self) -> str:
        return self.name or f"{self.method} {self.path}"


# Expected status per caller kind.
ANY_CALLER = {"none": 401, "client": 200, "owner": 200, "other": 200, "invalid": 403}
USER_ONLY = {"none": 401, "client": 403, "owner": 200, "other": 200, "invalid": 403}
OWNER_ONLY = {"none": 401, "client": 403, "owner": 200, "other": 403, "invalid": 403}
OPEN = {"none": 200, "client": 200, "owner": 200, "other": 200, "invalid": 403}


# ---------------------------------------------------------------- setups and checks


def remember_storage(ctx: Ctx) -> None:
    ctx.extra["upload_bytes"] = unique_png()
    ctx.extra["keys_before"] = stored_keys(ctx.server)
    ctx.extra["count_before"] = ctx.owner_get("/3/account/{u}/images/count")


def storage_unchanged(ctx: Ctx) -> None:
    assert stored_keys(ctx.server) == ctx.extra["keys_before"], "a refused upload stored a file"
    assert ctx.owner_get("/3/account/{u}/images/count") == ctx.extra["count_before"]


def upload_done(ctx: Ctx, kind: str, data: Any) -> None:
    assert set(IMAGE_KEYS) <= set(data)
    assert data["title"] == "matrix upload" and data["deletehash"]
    by = {"owner": ctx.owner, "other": ctx.other}.get(kind)
    assert data["account_url"] == (by.name if by else None)
    assert data["account_id"] == (by.id if by else None)
    assert len(stored_keys(ctx.server) - ctx.extra["keys_before"]) == 1


def image_unchanged(ctx: Ctx) -> None:
    data = ctx.owner_get("/3/image/{id}")
    assert data["title"] == ORIGINAL_TITLE and data["description"] is None


def image_retitled(ctx: Ctx, kind: str, data: Any) -> None:
    assert data is True
    assert ctx.owner_get("/3/image/{id}")["title"] == "changed"


def image_still_there(ctx: Ctx) -> None:
    data = ctx.owner_get("/3/image/{id}")
    assert data["id"] == ctx.image["id"]
    assert httpx.get(ctx.image["link"], timeout=60).status_code == 200


def image_gone(ctx: Ctx, kind: str, data: Any) -> None:
    assert data is True
    with ctx.as_owner() as c:
        envelope_error(c.get(ctx.path("/3/image/{id}")), 404)
    assert httpx.get(ctx.image["link"], timeout=60).status_code == 404


def image_read(ctx: Ctx, kind: str, data: Any) -> None:
    assert set(data) == IMAGE_KEYS and data["id"] == ctx.image["id"]
    assert data["account_url"] == ctx.owner.name and data["account_id"] == ctx.owner.id
    # Only the owner sees the deletehash and the file name.
    assert data["deletehash"] == (ctx.image["deletehash"] if kind == "owner" else "")
    assert data["name"] == ("pic.png" if kind == "owner" else "")


def not_favorited(ctx: Ctx) -> None:
    assert ctx.owner_get("/3/image/{id}")["favorite"] is False
    assert ctx.owner_get("/3/account/{u}/favorites") == []
    with httpx.Client(base_url=ctx.server.url, headers=ctx.other.bearer, timeout=60) as c:
        theirs = envelope_ok(c.get(f"/3/account/{ctx.other.name}/favorites"))
        assert ctx.image["id"] not in [i["id"] for i in theirs]


def favorited(ctx: Ctx, kind: str, data: Any) -> None:
    assert data == "favorited"
    by = ctx.owner if kind == "owner" else ctx.other
    with httpx.Client(base_url=ctx.server.url, headers=by.bearer, timeout=60) as c:
        assert ctx.image["id"] in [i["id"] for i in envelope_ok(c.get(f"/3/account/{by.name}/favorites"))]
        assert envelope_ok(c.get(ctx.path("/3/image/{id}")))["favorite"] is True


def credits_read(ctx: Ctx, kind: str, data: Any) -> None:
    assert set(data) == {"UserLimit", "UserRemaining", "UserReset", "ClientLimit", "ClientRemaining"}


def account_read(ctx: Ctx, kind: str, data: Any) -> None:
    assert data["id"] == ctx.owner.id and data["url"] == ctx.owner.name


def no_such_account(ctx: Ctx) -> None:
    envelope_error(httpx.get(f"{ctx.server.url}/3/account/{ctx.new_name}", timeout=60), 404)


def signed_up(ctx: Ctx, kind: str, data: Any) -> None:
    assert data["url"] == ctx.new_name and isinstance(data["id"], int)
    got = envelope_ok(httpx.get(f"{ctx.server.url}/3/account/{ctx.new_name}", timeout=60))
    assert got["id"] == data["id"]


def account_intact(ctx: Ctx) -> None:
    assert ctx.owner_get("/3/account/{u}")["id"] == ctx.owner.id
    assert ctx.owner_get("/3/account/{u}/settings")["account_url"] == ctx.owner.name
    image_still_there(ctx)


def account_deleted(ctx: Ctx, kind: str, data: Any) -> None:
    assert data is True
    url = ctx.server.url
    envelope_error(httpx.get(f"{url}/3/account/{ctx.owner.name}", timeout=60), 404)
    r = httpx.get(f"{url}/3/credits", headers=ctx.owner.bearer, timeout=60)
    assert envelope_error(r, 403)["error"] == INVALID_TOKEN
    envelope_error(httpx.get(f"{url}/3/image/{ctx.image['id']}", headers=ctx.other.bearer, timeout=60), 404)


def settings_unchanged(ctx: Ctx) -> None:
    s = ctx.owner_get("/3/account/{u}/settings")
    assert s["public_images"] is False and s["show_mature"] is False
    assert ctx.owner_get("/3/account/{u}")["bio"] is None


def settings_changed(ctx: Ctx, kind: str, data: Any) -> None:
    assert data is True
    s = ctx.owner_get("/3/account/{u}/settings")
    assert s["public_images"] is True and s["show_mature"] is True
    assert ctx.owner_get("/3/account/{u}")["bio"] == "matrix bio"


def settings_read(ctx: Ctx, kind: str, data: Any) -> None:
    assert SETTINGS_KEYS <= set(data) and data["account_url"] == ctx.owner.name
    assert data["email"] == ctx.owner.email


def stats_read(ctx: Ctx, kind: str, data: Any) -> None:
    assert set(data) == STATS_KEYS and data["total_images"] == 1 and data["total_size"] == ctx.image["size"]


def images_listed(ctx: Ctx, kind: str, data: Any) -> None:
    assert [i["id"] for i in data] == [ctx.image["id"]]
    assert data[0]["deletehash"] == ctx.image["deletehash"]


def ids_listed(ctx: Ctx, kind: str, data: Any) -> None:
    assert data == [ctx.image["id"]]


def count_read(ctx: Ctx, kind: str, data: Any) -> None:
    assert data == 1


def favorites_read(ctx: Ctx, kind: str, data: Any) -> None:
    assert data == []


SETTINGS_CHANGE = form(bio="matrix bio", public_images="true", show_mature="1")

ROUTES: list[Route] = [
    # ------------------------------------------------------------ images
    Route(
        "POST",
        "/3/upload",
        ANY_CALLER,
        send=send_upload,
        setup=remember_storage,
        verify_unchanged=storage_unchanged,
        verify_done=upload_done,
    ),
    Route(
        "POST",
        "/3/image",
        ANY_CALLER,
        send=send_upload,
        setup=remember_storage,
        verify_unchanged=storage_unchanged,
        verify_done=upload_done,
    ),
    Route("GET", "/3/image/{id}", ANY_CALLER, verify_done=image_read),
    Route(
        "POST",
        "/3/image/{id}",
        OWNER_ONLY,
        send=form(title="changed"),
        verify_unchanged=image_unchanged,
        verify_done=image_retitled,
        client_denied=NOT_YOUR_IMAGE,
        other_denied=NOT_YOUR_IMAGE,
    ),
    Route(
        "PUT",
        "/3/image/{id}",
        OWNER_ONLY,
        send=form(title="changed"),
        verify_unchanged=image_unchanged,
        verify_done=image_retitled,
        client_denied=NOT_YOUR_IMAGE,
        other_denied=NOT_YOUR_IMAGE,
    ),
    Route(
        "DELETE",
        "/3/image/{id}",
        OWNER_ONLY,
        verify_unchanged=image_still_there,
        verify_done=image_gone,
        client_denied=NOT_YOUR_IMAGE,
        other_denied=NOT_YOUR_IMAGE,
    ),
    Route("POST", "/3/image/{id}/favorite", USER_ONLY, verify_unchanged=not_favorited, verify_done=favorited),
    Route("GET", "/3/credits", ANY_CALLER, verify_done=credits_read),
    # ------------------------------------------------------------ accounts
    Route("GET", "/3/account/{u}", OPEN, verify_done=account_read),
    Route(
        "POST",
        "/3/account/{new}",
        ANY_CALLER,
        send=send_signup,
        verify_unchanged=no_such_account,
        verify_done=signed_up,
        name="POST /3/account/{new} (sign-up)",
    ),
    Route(
        "DELETE", "/3/account/{u}", OWNER_ONLY, verify_unchanged=account_intact, verify_done=account_deleted
    ),
    Route("GET", "/3/account/{u}/settings", OWNER_ONLY, verify_done=settings_read),
    Route(
        "PUT",
        "/3/account/{u}/settings",
        OWNER_ONLY,
        send=SETTINGS_CHANGE,
        verify_unchanged=settings_unchanged,
        verify_done=settings_changed,
    ),
    Route(
        "POST",
        "/3/account/{u}/settings",
        OWNER_ONLY,
        send=SETTINGS_CHANGE,
        verify_unchanged=settings_unchanged,
        verify_done=settings_changed,
    ),
    Route("GET", "/3/account/{u}/stats", OWNER_ONLY, verify_done=stats_read),
    Route("GET", "/3/account/{u}/images", OWNER_ONLY, verify_done=images_listed),
    Route("GET", "/3/account/{u}/images/0", OWNER_ONLY, verify_done=images_listed),
    Route("GET", "/3/account/{u}/images/ids", OWNER_ONLY, verify_done=ids_listed),
    Route("GET", "/3/account/{u}/images/ids/0", OWNER_ONLY, verify_done=ids_listed),
    Route("GET", "/3/account/{u}/images/count", OWNER_ONLY, verify_done=count_read),
    Route("GET", "/3/account/{u}/image/{id}", OWNER_ONLY, verify_done=image_read),
    Route(
        "DELETE",
        "/3/account/{u}/image/{deletehash}",
        OWNER_ONLY,
        verify_unchanged=image_still_there,
        verify_done=image_gone,
    ),
    Route("GET", "/3/account/{u}/favorites", OWNER_ONLY, verify_done=favorites_read),
    Route("GET", "/3/account/{u}/favorites/0/oldest", OWNER_ONLY, verify_done=favorites_read),
]

WRITES = {"POST", "PUT", "DELETE", "PATCH"}


def _cells() -> list[Any]:
    return [pytest.param(route, kind, id=f"{route.id}-{kind}") for route in ROUTES for kind in AUTH_KINDS]


def test_every_route_has_a_full_row() -> None:
    ids = [r.id for r in ROUTES]
    assert len(ids) == len(set(ids)), "duplicate rows"
    for r in ROUTES:
        assert set(r.expect) == set(AUTH_KINDS), r.id
        assert all(v in (200, 401, 403) for v in r.expect.values()), r.id
        if r.method in WRITES and any(v != 200 for v in r.expect.values()):
            assert r.verify_unchanged is not None, (
                f"{r.id}: a write that can be refused needs verify_unchanged"
            )


@pytest.fixture(scope="module")
def matrix_other(server: LiveServer, session_client: tuple[str, str]) -> User:
    """The 'another account' of every cell. Nothing in the table can change it in a way another cell sees."""
    return make_user(server, session_client, prefix="mo")


@pytest.fixture(scope="module")
def reader_owner(server: LiveServer, session_client: tuple[str, str]) -> tuple[User, dict[str, Any]]:
    """Owner and image for the rows that only read: no cell of theirs can change anything, so they share."""
    owner = make_user(server, session_client, prefix="mr")
    return owner, upload(server, owner.bearer, title=ORIGINAL_TITLE)


@pytest.fixture(scope="module")
def refused_owners() -> dict[str, tuple[User, dict[str, Any]]]:
    """Per write row: the owner and image its refused cells act on (a refusal changes nothing, which each
    of those cells verifies, so they can share)."""
    return {}


def _context(
    route: Route,
    kind: str,
    server: LiveServer,
    session_client: tuple[str, str],
    other: User,
    reader: tuple[User, dict[str, Any]],
    refused: dict[str, tuple[User, dict[str, Any]]],
) -> Ctx:
    def fresh() -> tuple[User, dict[str, Any]]:
        u = make_user(server, session_client, prefix="mx")
        return u, upload(server, u.bearer, title=ORIGINAL_TITLE)

    if route.method not in WRITES:
        owner, image = reader
    elif route.expect[kind] == 200:
        owner, image = fresh()  # an accepted write changes its owner: nobody else may see that
    else:
        if route.id not in refused:
            refused[route.id] = fresh()
        owner, image = refused[route.id]
    assert image["account_id"] == owner.id
    return Ctx(
        server=server,
        client_id=session_client[0],
        owner=owner,
        other=other,
        image=image,
        new_name=unique_name("new"),
    )


@pytest.mark.parametrize(("route", "kind"), _cells())
def test_matrix(
    route: Route,
    kind: str,
    server: LiveServer,
    session_client: tuple[str, str],
    matrix_other: User,
    reader_owner: tuple[User, dict[str, Any]],
    refused_owners: dict[str, tuple[User, dict[str, Any]]],
) -> None:
    ctx = _context(route, kind, server, session_client, matrix_other, reader_owner, refused_owners)
    if route.setup:
        route.setup(ctx)
    path = ctx.path(route.path)
    expected = route.expect[kind]

    with httpx.Client(base_url=server.url, headers=ctx.headers(kind), timeout=60) as c:
        r = route.send(c, route.method, path, ctx)

    if expected == 200:
        data = envelope_ok(r)
        if route.verify_done:
            route.verify_done(ctx, kind, data)
        return
    err = envelope_error(r, expected)
    assert err["request"] == path and err["method"] == route.method
    message = {
        ("none", 401): AUTH_REQUIRED,
        ("invalid", 403): INVALID_TOKEN,
        ("client", 403): route.client_denied,
        ("other", 403): route.other_denied,
    }[(kind, expected)]
    assert err["error"] == message
    if route.method in WRITES:
        assert route.verify_unchanged is not None
        route.verify_unchanged(ctx)


# ---------------------------------------------------------------- `me`

ME_READS = [
    "/3/account/{u}",
    "/3/account/{u}/settings",
    "/3/account/{u}/stats",
    "/3/account/{u}/images",
    "/3/account/{u}/images/0",
    "/3/account/{u}/images/ids",
    "/3/account/{u}/images/count",
    "/3/account/{u}/image/{id}",
    "/3/account/{u}/favorites",
]


@pytest.fixture(scope="module")
def me_pair(server: LiveServer, session_client: tuple[str, str]) -> tuple[User, User, dict[str, Any]]:
    """An owner with one image it has favorited, and another account with no images and no favorites."""
    owner = make_user(server, session_client, prefix="me")
    other = make_user(server, session_client, prefix="meo")
    image = upload(server, owner.bearer)
    r = httpx.post(f"{server.url}/3/image/{image['id']}/favorite", headers=owner.bearer, timeout=60)
    assert envelope_ok(r) == "favorited"
    return owner, other, image


@pytest.mark.parametrize("template", ME_READS)
def test_me_is_the_tokens_account(
    template: str, server: LiveServer, me_pair: tuple[User, User, dict[str, Any]]
) -> None:
    owner, other, image = me_pair
    by_name = template.format(u=owner.name, id=image["id"])
    by_me = template.format(u="me", id=image["id"])
    with httpx.Client(base_url=server.url, headers=owner.bearer, timeout=60) as c:
        named = envelope_ok(c.get(by_name))
        mine = envelope_ok(c.get(by_me))
    assert mine == named
    # Another account's token: `me` is that account, never the owner.
    with httpx.Client(base_url=server.url, headers=other.bearer, timeout=60) as c:
        r = c.get(by_me)
    if "{id}" in template:
        assert envelope_error(r, 404)["error"] == f"Unable to find an image with the id, {image['id']}"
        return
    theirs = envelope_ok(r)
    assert theirs != named
    if isinstance(theirs, dict) and "url" in theirs:
        assert theirs["url"] == other.name and theirs["id"] == other.id
    if isinstance(theirs, dict) and "account_url" in theirs:
        assert theirs["account_url"] == other.name


@pytest.mark.parametrize("template", ME_READS)
def test_me_without_a_user_is_refused(
    template: str, server: LiveServer, session_client: tuple[str, str]
) -> None:
    path = template.format(u="me", id="abcdefg")
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Client-ID {session_client[0]}"}, timeout=60
    ) as c:
        assert envelope_error(c.get(path), 403)["error"] == NEEDS_USER
    with httpx.Client(base_url=server.url, timeout=60) as c:
        r = c.get(path)
    if template == "/3/account/{u}":
        # The one route that works without any header: `me` still needs a signed-in caller.
        assert envelope_error(r, 403)["error"] == NEEDS_USER
    else:
        assert envelope_error(r, 401)["error"] == AUTH_REQUIRED


def test_me_writes_act_on_the_tokens_account(server: LiveServer, session_client: tuple[str, str]) -> None:
    owner = make_user(server, session_client, prefix="mw")
    with httpx.Client(base_url=server.url, headers=owner.bearer, timeout=60) as c:
        assert envelope_ok(c.put("/3/account/me/settings", data={"bio": "set through me"})) is True
        assert envelope_ok(c.get(f"/3/account/{owner.name}"))["bio"] == "set through me"
        image = upload(server, owner.bearer)
        assert envelope_ok(c.delete(f"/3/account/me/image/{image['deletehash']}")) is True
        envelope_error(c.get(f"/3/image/{image['id']}"), 404)
        assert envelope_ok(c.delete("/3/account/me")) is True
    envelope_error(httpx.get(f"{server.url}/3/account/{owner.name}", timeout=60), 404)
