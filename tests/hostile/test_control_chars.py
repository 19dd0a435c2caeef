"""NUL and other control characters in every path segment and every text parameter of every route: never a 5xx,
on whichever backend the suite runs (PostgreSQL cannot hold NUL in text; SQLite does not mind).

The routes come from the app's own table (the FastAPI routes and the edge's fast routes), so a route added later
is sent the same hostile values without anyone listing it here. Then a few round trips show that free text is
stored without its control characters and that ids which cannot exist are not found."""

from __future__ import annotations

import inspect
import json
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from fastapi.routing import APIRoute
from starlette.convertors import IntegerConvertor

from imghost.app import FAST_ROUTES, build_fastapi
from tests.accounts.helpers import User, make_user, unique_png
from tests.api.helpers import envelope_error, envelope_ok
from tests.live import UNLIMITED, LiveServer, db_rows, free_port, start_server

# Percent-encoded as they go into the URL, so the server decodes them into the characters themselves.
HOSTILE_SEGMENTS = ["a%00b", "%00", "abc%00def", "%01%1f%7f", "x%0d%0ay", "A" * 300, "%C3%A9", "%FF"]
# Parameter values: control characters with text around them, a lone NUL, and bytes that are not UTF-8.
HOSTILE_VALUES = ["x\x00y\x01\x1f\x7fz\r\n\t\u00e9".encode(), b"\x00", b"x\x00\xff\xfe\xc3y"]
# Every text parameter some route reads, and a few more that a later route may read.
TEXT_FIELDS = (
    "title",
    "description",
    "username",
    "password",
    "email",
    "bio",
    "name",
    "privacy",
    "layout",
    "cover",
    "ids",
    "ids[]",
    "deletehashes",
    "deletehashes[]",
    "images",
    "client_id",
    "client_secret",
    "grant_type",
    "refresh_token",
    "code",
    "pin",
    "response_type",
    "state",
    "redirect_uri",
    "type",
    "image",
    "video",
    "album",
    "album_id",
    "public_images",
    "messaging_enabled",
    "album_privacy",
    "show_mature",
    "newsletter_subscribed",
    "accepted_gallery_terms",
    "high_quality",
    "avatar",
    "csrf_token",
    "captcha",
    "g-recaptcha-response",
    "h-captcha-response",
    "cf-turnstile-response",
    "invite",
    "invite_code",
    "account_id",
    "page",
    "perPage",
    "sort",
    "disable_audio",
    "allow",
)
BODY_METHODS = {"POST", "PUT", "DELETE", "PATCH"}
# Requests sent by this module's tests together (the count runs on across them): a bound that keeps the
# table quick as routes are added (about 200 routes with the messages and notifications, about a minute).
MAX_REQUESTS = 14_000
# GET routes whose plain path the owner is rightly refused, and why: the admin queue is for admins, and a
# search needs something to search for.
OWNER_REFUSED = {
    "/3/admin/reports": 403,
    "/3/gallery/search": 400,
}
ENCODINGS = ("form", "json", "multipart")
# Routes that answer with a server-sent event stream (the live notification count).
EVENT_STREAMS = frozenset({"/3/notification/stream", "/notifications/stream"})


# ---------------------------------------------------------------- the route table


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # "/3/image/{image_id}"
    params: tuple[str, ...]
    source: str  # "fastapi" or "fast"


def _api_routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """Every APIRoute, inside included routers too (newer FastAPI keeps them as lazy branches)."""
    for r in routes:
        if isinstance(r, APIRoute):
            yield prefix, r
        elif hasattr(r, "original_router"):
            yield from _api_routes(r.original_router.routes, prefix + r.include_context.prefix)


def _fast_templates(pattern: re.Pattern[str], names: list[str]) -> list[str]:
    """A fast route's regex as path templates: (?:a|b) expands, each ([^/]+) or (a|b) becomes the handler's
    parameter.
    Any other regex syntax fails here, so that a new kind of fast route is seen rather than skipped."""
    src = pattern.pattern
    assert src.startswith("^") and src.endswith("$"), src
    out = [src[1:-1]]
    while any("(?:" in t for t in out):
        expanded = []
        for t in out:
            m = re.search(r"\(\?:([^()]*)\)", t)
            if m is None:
                expanded.append(t)
                continue
            expanded += [t[: m.start()] + alt + t[m.end() :] for alt in m.group(1).split("|")]
        out = expanded
    templates = []
    for t in out:
        for name in names:
            # Each capturing group is the handler's next parameter: ([^/]+) or a choice of words such as
            # (hot|top|user), which the sweep fills with its own values like any parameter.
            m = re.search(r"\((\[\^/\]\+|[A-Za-z0-9_]+(?:\|[A-Za-z0-9_]+)*)\)", t)
            assert m is not None, (src, names)
            t = t[: m.start()] + "{" + name + "}" + t[m.end() :]
        assert re.fullmatch(r"[A-Za-z0-9_/{}.-]+", t), f"fast route {src} has syntax this test cannot read"
        templates.append(t)
    return templates


def route_table() -> tuple[list[Route], set[str]]:
    """(routes, the names of the integer path parameters)."""
    app = build_fastapi()
    seen: dict[tuple[str, str], Route] = {}
    ints: set[str] = set()
    for prefix, r in _api_routes(app.routes):
        template = prefix + r.path_format
        ints |= {k for k, v in r.param_convertors.items() if isinstance(v, IntegerConvertor)}
        names = tuple(re.findall(r"{([^}]+)}", template))
        for method in sorted(r.methods):
            seen.setdefault((method, template), Route(method, template, names, "fastapi"))
    for method, pattern, handler in FAST_ROUTES:
        names = [p for p in inspect.signature(handler).parameters if p != "request"]
        for template in _fast_templates(pattern, names):
            seen.setdefault((method, template), Route(method, template, tuple(names), "fast"))
    return list(seen.values()), ints


ROUTES, INT_PARAMS = route_table()


def test_route_table_is_complete() -> None:
    """The walk finds what the app documents, and the routes it keeps out of its documentation."""
    documented = {(m.upper(), path) for path, ops in build_fastapi().openapi()["paths"].items() for m in ops}
    mine = {(r.method, r.template) for r in ROUTES}
    assert documented <= mine, documented - mine
    assert {
        ("GET", "/oauth2/authorize"),
        ("POST", "/oauth2/authorize"),
        ("GET", "/a/{album_id}"),
        ("GET", "/delete/{deletehash}"),
        ("POST", "/delete/{deletehash}"),
    } <= mine
    for method, pattern, handler in FAST_ROUTES:
        names = [p for p in inspect.signature(handler).parameters if p != "request"]
        for template in _fast_templates(pattern, names):
            assert (method, template) in mine, (pattern.pattern, template)


# ---------------------------------------------------------------- bodies in three encodings


def _pairs(value: bytes) -> list[tuple[bytes, bytes]]:
    return [(k.encode(), value) for k in TEXT_FIELDS] + [(b"k\x00ey", value)]


def encode(encoding: str, pairs: list[tuple[bytes, bytes]]) -> tuple[bytes, str]:
    """A request body holding exactly these bytes (after the encoding's own escaping, which the server undoes)."""
    if encoding == "form":
        return urlencode(pairs).encode(), "application/x-www-form-urlencoded"
    if encoding == "json":
        try:
            return json.dumps({k.decode(): v.decode() for k, v in pairs}).encode(), "application/json"
        except UnicodeDecodeError:
            # Not UTF-8: sent raw, control bytes unescaped, as a careless client would write it.
            members = b",".join(b'"' + k + b'":"' + v + b'"' for k, v in pairs)
            return b"{" + members + b"}", "application/json"
    boundary = secrets.token_hex(12).encode()
    parts = [
        b"--" + boundary + b'\r\nContent-Disposition: form-data; name="' + k + b'"\r\n\r\n' + v + b"\r\n"
        for k, v in pairs
    ]
    return b"".join(
        parts
    ) + b"--" + boundary + b"--\r\n", f"multipart/form-data; boundary={boundary.decode()}"


def query(value: bytes) -> str:
    return urlencode(_pairs(value))


# ---------------------------------------------------------------- the server and what lives on it


@dataclass
class World:
    """An account with an image in an album: what the valid path parameters point at."""

    user: User
    image: dict[str, Any]
    album: dict[str, Any]
    consumed: bool = False

    def values(self, auth: str) -> dict[str, str]:
        # Anonymous callers reach images and albums by deletehash; the owner by id.
        anon = auth == "client"
        return {
            "username": self.user.name,
            "deletehash": self.image["deletehash"],
            "image_id": self.image["deletehash"] if anon else self.image["id"],
            "album_id": self.album["deletehash"] if anon else self.album["id"],
            "sort": "newest",
        }


def new_world(server: LiveServer, creds: tuple[str, str], http: httpx.Client) -> World:
    user = make_user(server, creds, prefix="ctl")
    image = envelope_ok(http.post("/3/upload", headers=user.bearer, files={"image": ("p.png", unique_png())}))
    album = envelope_ok(http.post("/3/album", headers=user.bearer, data={"ids": image["id"]}))
    return World(user, image, album)


@dataclass
class Ctx:
    server: LiveServer
    creds: tuple[str, str]
    http: httpx.Client
    world: World
    sent: int = 0
    problems: list[str] = field(default_factory=list)

    def auth(self, kind: str, world: World | None = None) -> dict[str, str]:
        if kind == "client":
            return {"Authorization": f"Client-ID {self.creds[0]}"}
        return (world or self.world).user.bearer

    def new_world(self) -> World:
        return new_world(self.server, self.creds, self.http)

    def send(
        self, route: Route, url: str, auth: dict[str, str], body: tuple[bytes, str] | None, what: str
    ) -> httpx.Response:
        headers = dict(auth)
        content = None
        if body is not None:
            content, headers["Content-Type"] = body
        if route.template in EVENT_STREAMS:
            # An event stream answers for minutes: its head says whether the request was taken, then
            # the connection is dropped (the body is never read to its end).
            with self.http.stream(route.method, url, content=content, headers=headers) as r:
                if not r.headers.get("content-type", "").startswith("text/event-stream"):
                    r.read()
        else:
            r = self.http.request(route.method, url, content=content, headers=headers)
        self.sent += 1
        problem = judge(route, r)
        if problem:
            self.problems.append(
                f"{route.method} {url[:160]} [{route.source}: {what}] -> {r.status_code}: {problem}: "
                f"{r.text[:200]!r}"
            )
        return r


def judge(route: Route, r: httpx.Response) -> str:
    """What is wrong with this answer, or ''."""
    if r.status_code >= 500:
        return "server error"
    path = route.template
    ctype = r.headers.get("content-type", "")
    if path in EVENT_STREAMS and r.status_code == 200:
        return "" if ctype.startswith("text/event-stream") else f"not an event stream ({ctype})"
    if path == "/oauth2/token" and r.status_code == 200:
        # Imgur answers a token unwrapped.
        try:
            return "" if "access_token" in r.json() else "not a token"
        except ValueError:
            return "not a token"
    if path == "/oembed":
        # oEmbed answers JSON, errors included (the oEmbed specification), to the programs that ask it.
        return "" if ctype.startswith("application/json") else f"not JSON ({ctype})"
    if path.startswith(("/3", "/oauth2", "/account/v1/")):
        # The two pages under /oauth2: a browser gets a page (or a redirect), a script the envelope.
        page = path in ("/oauth2/authorize", "/oauth2/addclient")
        if page and (r.status_code in (302, 303) or ctype.startswith("text/html")):
            return ""
        if not ctype.startswith("application/json"):
            return f"not JSON ({ctype})"
        try:
            body = r.json()
        except ValueError:
            return "unreadable JSON"
        if not isinstance(body, dict) or set(body) != {"data", "success", "status"}:
            return "not an envelope"
        if body["success"] is True:
            return "" if r.status_code == body["status"] == 200 else "success with a status other than 200"
        if body["success"] is not False or body["status"] != r.status_code or not 400 <= r.status_code < 500:
            return "error envelope out of step with the answer"
        if set(body["data"]) != {"error", "request", "method"}:
            return "error envelope without error/request/method"
        return ""
    # Web pages: an error is a page a browser can show.
    if r.status_code >= 400 and not ctype.startswith("text/html"):
        return f"error page is not HTML ({ctype})"
    return ""


def _log_size(server: LiveServer) -> int:
    return server.log.stat().st_size if server.log and server.log.exists() else 0


@contextmanager
def no_tracebacks(server: LiveServer) -> Iterator[None]:
    """What the server writes to its log meanwhile has no traceback and no unhandled error."""
    start = _log_size(server)
    yield
    assert server.log is not None
    with open(server.log, "rb") as f:
        f.seek(start)
        written = f.read().decode(errors="replace")
    for marker in ("Traceback", "unhandled", "[ERROR]"):
        assert marker not in written, written[-6000:]


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ctx]:
    # Its own server: hundreds of failed sign-ins from one address would lock every other test out of the
    # shared one, whose sign-in limits are the real ones.
    data = tmp_path_factory.mktemp("control-chars")
    srv = start_server(
        data,
        port=free_port(),
        extra_env={
            **UNLIMITED,
            "IMGHOST_LOGIN_ATTEMPTS": "1000000",
        },
    )
    try:
        creds = srv.create_client("hostile")
        with httpx.Client(base_url=srv.url, timeout=60) as http:
            yield Ctx(srv, creds, http, new_world(srv, creds, http))
    finally:
        srv.stop()


def _fill(template: str, values: dict[str, str]) -> str:
    """The template with these values; a number parameter ({page:int}) otherwise gets 0, any other unknown
    parameter a plausible id that does not exist."""

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        return values.get(name, "0" if name in INT_PARAMS else "abc")

    return re.sub(r"{([^}]+)}", one, template)


def _destructive(route: Route) -> bool:
    literal = re.sub(r"{[^}]+}", "", route.template)
    return route.method == "DELETE" or "delete" in literal or "remove" in literal


# ---------------------------------------------------------------- 1. the table


def test_hostile_path_segments(ctx: Ctx) -> None:
    """Each path parameter of each route in turn holds each hostile value, the others valid; bodies and queries
    carry hostile text too."""
    ctx.problems = []
    with no_tracebacks(ctx.server):
        for route in ROUTES:
            for auth in ("bearer", "client"):
                valid = ctx.world.values(auth)
                for i, param in enumerate(route.params):
                    for j, segment in enumerate(HOSTILE_SEGMENTS):
                        url = _fill(route.template, {**valid, param: segment})
                        value = HOSTILE_VALUES[(i + j) % len(HOSTILE_VALUES)]
                        encoding = ENCODINGS[j % len(ENCODINGS)]
                        if route.method in BODY_METHODS:
                            body: tuple[bytes, str] | None = encode(encoding, _pairs(value))
                        else:
                            body, url = None, f"{url}?{query(value)}"
                        r = ctx.send(
                            route, url, ctx.auth(auth), body, f"{auth} {param}={segment[:20]} {encoding}"
                        )
                        if r.status_code == 200 and route.method != "GET":
                            ctx.problems.append(f"{route.method} {url[:120]}: a hostile {param} succeeded")
    assert not ctx.problems, f"{len(ctx.problems)} bad answers of {ctx.sent}:\n" + "\n".join(
        ctx.problems[:40]
    )


def test_hostile_parameters(ctx: Ctx) -> None:
    """Valid paths, every text parameter hostile, in the query (GET) or in a body of each encoding."""
    ctx.problems = []
    worlds: list[World] = []
    with no_tracebacks(ctx.server):
        for route in ROUTES:
            known = all(p in ctx.world.values("bearer") or p in INT_PARAMS for p in route.params)
            for auth in ("bearer", "client"):
                if route.method not in BODY_METHODS:
                    path = _fill(route.template, ctx.world.values(auth))
                    if auth == "bearer" and known and route.template.startswith("/3"):
                        # The valid path parameters do reach the handler: the owner is answered.
                        r = ctx.send(route, path, ctx.auth(auth), None, "plain")
                        if r.status_code != OWNER_REFUSED.get(route.template.split("/{", 1)[0], 200):
                            ctx.problems.append(f"GET {path}: the owner got {r.status_code}: {r.text[:200]}")
                    for value in HOSTILE_VALUES:
                        ctx.send(route, f"{path}?{query(value)}", ctx.auth(auth), None, f"{auth} query")
                    continue
                if _destructive(route):
                    # A fresh account, image and album for each request that may delete them (kept while
                    # the request fails, since a failed request changes nothing).
                    for encoding, value in zip(ENCODINGS, HOSTILE_VALUES, strict=True):
                        if not worlds or worlds[-1].consumed:
                            worlds.append(ctx.new_world())
                        w = worlds[-1]
                        url = _fill(route.template, w.values(auth))
                        r = ctx.send(
                            route,
                            url,
                            ctx.auth(auth, w),
                            encode(encoding, _pairs(value)),
                            f"{auth} {encoding} fresh",
                        )
                        w.consumed = r.status_code < 400
                    continue
                for encoding in ENCODINGS:
                    for value in HOSTILE_VALUES:
                        url = _fill(route.template, ctx.world.values(auth))
                        ctx.send(
                            route, url, ctx.auth(auth), encode(encoding, _pairs(value)), f"{auth} {encoding}"
                        )
        # The shared account is still there and still the owner's: no hostile request changed who it is.
        me = envelope_ok(
            ctx.http.get(f"/3/account/{ctx.world.user.name}/settings", headers=ctx.world.user.bearer)
        )
        assert me["account_url"] == ctx.world.user.name
    assert ctx.sent < MAX_REQUESTS, f"{ctx.sent} requests: keep the table quick to run"
    assert not ctx.problems, f"{len(ctx.problems)} bad answers of {ctx.sent}:\n" + "\n".join(
        ctx.problems[:40]
    )


def test_each_parameter_alone(ctx: Ctx) -> None:
    """One hostile parameter at a time, as the owner: with every field hostile, the first check a route makes
    (an id list, a privacy value) answers before the others are read; alone, each one gets as far as it can."""
    ctx.problems = []
    with no_tracebacks(ctx.server):
        for route in ROUTES:
            if route.method not in BODY_METHODS or _destructive(route):
                continue
            url = _fill(route.template, ctx.world.values("bearer"))
            for i, name in enumerate(TEXT_FIELDS):
                value = HOSTILE_VALUES[i % len(HOSTILE_VALUES)]
                encoding = ENCODINGS[(i // len(HOSTILE_VALUES)) % len(ENCODINGS)]
                ctx.send(
                    route,
                    url,
                    ctx.auth("bearer"),
                    encode(encoding, [(name.encode(), value)]),
                    f"{name} alone {encoding}",
                )
        me = envelope_ok(
            ctx.http.get(f"/3/account/{ctx.world.user.name}/settings", headers=ctx.world.user.bearer)
        )
        assert (me["account_url"], me["email"]) == (ctx.world.user.name, ctx.world.user.email)
    assert ctx.sent < MAX_REQUESTS, f"{ctx.sent} requests: keep the table quick to run"
    assert not ctx.problems, f"{len(ctx.problems)} bad answers of {ctx.sent}:\n" + "\n".join(
        ctx.problems[:40]
    )


def test_oauth_with_valid_client(ctx: Ctx) -> None:
    """Past the client check: every grant with hostile codes, tokens and credentials; the sign-in form with a
    valid form token and hostile everything else."""
    ctx.problems = []
    token = next(r for r in ROUTES if r.template == "/oauth2/token" and r.method == "POST")
    authorize = next(r for r in ROUTES if r.template == "/oauth2/authorize" and r.method == "POST")
    cid, secret = ctx.creds
    with no_tracebacks(ctx.server):
        for grant in ("password", "refresh_token", "authorization_code", "pin"):
            for encoding, value in zip(ENCODINGS, HOSTILE_VALUES, strict=True):
                pairs = [
                    (k, v)
                    for k, v in _pairs(value)
                    if k not in (b"client_id", b"client_secret", b"grant_type")
                ]
                pairs += [
                    (b"client_id", cid.encode()),
                    (b"client_secret", secret.encode()),
                    (b"grant_type", grant.encode()),
                ]
                r = ctx.send(token, "/oauth2/token", {}, encode(encoding, pairs), f"{grant} {encoding}")
                assert 400 <= r.status_code < 500, r.text
        csrf = secrets.token_urlsafe(24)
        for encoding, value in zip(ENCODINGS, HOSTILE_VALUES, strict=True):
            for rtype in (b"token", b"code", b"pin", value):
                pairs = [
                    (k, v)
                    for k, v in _pairs(value)
                    if k not in (b"client_id", b"csrf_token", b"response_type", b"allow")
                ]
                pairs += [
                    (b"client_id", cid.encode()),
                    (b"csrf_token", csrf.encode()),
                    (b"response_type", rtype),
                    (b"allow", b"1"),
                ]
                r = ctx.send(
                    authorize,
                    "/oauth2/authorize",
                    {"Cookie": f"imghost_csrf={csrf}"},
                    encode(encoding, pairs),
                    f"authorize {encoding} {rtype[:8]!r}",
                )
                assert 400 <= r.status_code < 500, r.text
        for value in HOSTILE_VALUES:
            url = f"/oauth2/authorize?client_id={cid}&response_type=code&state={quote(value)}"
            r = ctx.send(
                next(r for r in ROUTES if r.template == "/oauth2/authorize" and r.method == "GET"),
                url,
                {},
                None,
                "authorize page",
            )
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), r.text
    assert not ctx.problems, "\n".join(ctx.problems[:40])


# ---------------------------------------------------------------- 2. stored without them


def _image_text(server: LiveServer, image_id: str) -> tuple[Any, ...]:
    return db_rows(server, "SELECT title, description, name FROM images WHERE id = ?", (image_id,))[0]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_image_text_is_stored_without_controls(ctx: Ctx, encoding: str) -> None:
    w = ctx.world
    with no_tracebacks(ctx.server):
        body, ctype = encode(encoding, [(b"title", b"a\x01b\x7fc\td"), (b"description", b"x\x00y")])
        r = ctx.http.post(
            f"/3/image/{w.image['deletehash']}",
            content=body,
            headers={**w.user.bearer, "Content-Type": ctype},
        )
        assert envelope_ok(r) is True
        got = envelope_ok(ctx.http.get(f"/3/image/{w.image['id']}", headers=w.user.bearer))
        # Tab, line feed and carriage return are text; the rest is not.
        assert (got["title"], got["description"]) == ("abc\td", "xy")
        assert _image_text(ctx.server, w.image["id"])[:2] == ("abc\td", "xy")


def test_upload_text_and_filename_are_stored_without_controls(ctx: Ctx) -> None:
    w = ctx.world
    boundary = b"ctlboundary42"
    fields = [(b"title", b"t\x00i"), (b"description", b"d\x00\x1be")]
    body = b"".join(
        b"--" + boundary + b'\r\nContent-Disposition: form-data; name="' + k + b'"\r\n\r\n' + v + b"\r\n"
        for k, v in fields
    )
    body += (
        b"--" + boundary + b'\r\nContent-Disposition: form-data; name="image"; filename="p\x00q.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + unique_png() + b"\r\n--" + boundary + b"--\r\n"
    )
    with no_tracebacks(ctx.server):
        r = ctx.http.post(
            "/3/upload",
            content=body,
            headers={**w.user.bearer, "Content-Type": f"multipart/form-data; boundary={boundary.decode()}"},
        )
        image = envelope_ok(r)
        assert (image["title"], image["description"]) == ("ti", "de")
        assert "\x00" not in image["name"]
        assert _image_text(ctx.server, image["id"]) == ("ti", "de", image["name"])


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_album_title_is_stored_without_controls(ctx: Ctx, encoding: str) -> None:
    w = ctx.world
    with no_tracebacks(ctx.server):
        body, ctype = encode(encoding, [(b"title", b"x\x00y"), (b"description", b"\x00d\x08")])
        album = envelope_ok(
            ctx.http.post("/3/album", content=body, headers={**w.user.bearer, "Content-Type": ctype})
        )
        got = envelope_ok(ctx.http.get(f"/3/album/{album['id']}", headers=w.user.bearer))
        assert (got["title"], got["description"]) == ("xy", "d")
        assert db_rows(ctx.server, "SELECT title, description FROM albums WHERE id = ?", (album["id"],)) == [
            ("xy", "d")
        ]
        # And an update by deletehash, anonymously.
        body, ctype = encode(encoding, [(b"title", b"u\x00v")])
        r = ctx.http.post(
            f"/3/album/{album['deletehash']}",
            content=body,
            headers={**ctx.auth("client"), "Content-Type": ctype},
        )
        assert envelope_ok(r) is True
        assert envelope_ok(ctx.http.get(f"/3/album/{album['id']}", headers=w.user.bearer))["title"] == "uv"


def test_bio_is_stored_without_controls_and_email_is_refused(ctx: Ctx) -> None:
    u = ctx.world.user
    with no_tracebacks(ctx.server):
        r = ctx.http.post(f"/3/account/{u.name}/settings", data={"bio": "hi\x00 there\x01"}, headers=u.bearer)
        assert envelope_ok(r) is True
        assert envelope_ok(ctx.http.get(f"/3/account/{u.name}", headers=u.bearer))["bio"] == "hi there"
        assert db_rows(ctx.server, "SELECT bio FROM accounts WHERE id = ?", (u.id,)) == [("hi there",)]

        r = ctx.http.post(
            f"/3/account/{u.name}/settings", data={"email": f"a\x00{u.email}"}, headers=u.bearer
        )
        envelope_error(r, 400)
        settings = envelope_ok(ctx.http.get(f"/3/account/{u.name}/settings", headers=u.bearer))
        assert settings["email"] == u.email


def test_signup_with_control_characters(ctx: Ctx) -> None:
    before = db_rows(ctx.server, "SELECT COUNT(*) FROM accounts")
    with no_tracebacks(ctx.server):
        r = ctx.http.post(
            "/3/account/ctlsignup1",
            data={"email": "a\x00b@example.org", "password": "pw-123456789"},
            headers=ctx.auth("client"),
        )
        envelope_error(r, 400)
        r = ctx.http.post(
            "/3/account/ctl%00signup",
            data={"email": "ok@example.org", "password": "pw-123456789"},
            headers=ctx.auth("client"),
        )
        envelope_error(r, 400)
    # Neither made an account.
    assert db_rows(ctx.server, "SELECT COUNT(*) FROM accounts") == before


def test_password_grant_with_nul_username(ctx: Ctx) -> None:
    cid, secret = ctx.creds
    with no_tracebacks(ctx.server):
        r = ctx.http.post(
            "/oauth2/token",
            data={
                "client_id": cid,
                "client_secret": secret,
                "grant_type": "password",
                "username": "a\x00b",
                "password": "whatever",
            },
        )
        assert 400 <= r.status_code < 500, r.text
        body = r.json()
        assert body["success"] is False and body["status"] == r.status_code


def test_removing_ids_that_cannot_exist(ctx: Ctx) -> None:
    """An id that cannot exist is not in the album: removing it changes nothing and is not an error, on either
    backend (PostgreSQL would refuse the NUL if it reached a query)."""
    w = ctx.new_world()
    album = w.album["id"]
    with no_tracebacks(ctx.server):
        for method, path, body in (
            ("POST", f"/3/album/{album}/remove_images", {"ids": "x\x00y"}),
            ("DELETE", f"/3/album/{album}/remove_images", {"ids[]": "\x00"}),
            ("DELETE", f"/3/album/{album}", {"ids": f"{w.image['id']}\x00"}),
        ):
            r = ctx.http.request(method, path, data=body, headers=w.user.bearer)
            assert envelope_ok(r) is True, (method, path)
            images = envelope_ok(ctx.http.get(f"/3/album/{album}/images", headers=w.user.bearer))
            assert [i["id"] for i in images] == [w.image["id"]], (method, path)


@pytest.mark.parametrize(
    "path",
    [
        "/3/album/%00",
        "/3/image/abc%00def",
        "/3/album/a%00b/images",
        "/3/image/%00/favorite",
        "/3/account/a%00b",
    ],
)
def test_ids_that_cannot_exist_are_not_found(ctx: Ctx, path: str) -> None:
    method = "POST" if path.endswith("favorite") else "GET"
    with no_tracebacks(ctx.server):
        r = ctx.http.request(method, path, headers=ctx.world.user.bearer)
        envelope_error(r, 404)


def test_judge_flags_bad_answers() -> None:
    """The answer check itself can fail."""
    api = Route("GET", "/3/image/{image_id}", ("image_id",), "fastapi")
    page = Route("GET", "/a/{album_id}", ("album_id",), "fastapi")
    envelope = {
        "data": {"error": "Not found", "request": "/3/image/x", "method": "GET"},
        "success": False,
        "status": 404,
    }
    assert judge(api, httpx.Response(404, json=envelope)) == ""
    assert judge(api, httpx.Response(500, json={**envelope, "status": 500})) == "server error"
    assert judge(api, httpx.Response(404, json={**envelope, "status": 400})) != ""
    assert judge(api, httpx.Response(200, json={"data": True})) != ""
    assert judge(api, httpx.Response(404, text="Not Found")) != ""
    assert judge(page, httpx.Response(404, html="<p>gone</p>")) == ""
    assert judge(page, httpx.Response(404, json=envelope)) != ""
    assert judge(page, httpx.Response(502, html="<p>bad gateway</p>")) == "server error"


def test_log_check_sees_a_traceback(tmp_path: Path) -> None:
    """The log check itself can fail."""
    log = tmp_path / "server.log"
    log.write_text("started\n")
    srv = LiveServer(url="", port=0, data_dir=tmp_path, env={}, log=log)
    with pytest.raises(AssertionError), no_tracebacks(srv):
        with open(log, "a") as f:
            f.write("Traceback (most recent call last):\n")
    with no_tracebacks(srv):
        pass
