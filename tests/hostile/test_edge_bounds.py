"""Attacks on who-is-asking and on sign-in, and the headers every page and media answer carries.

- Client addresses: `X-Forwarded-For` is read right to left from a trusted peer only (a table of cases
  for the resolver, then spoofed entries against a real server's per-address POST limit).
- Sign-in throttling: a stranger's failures under a name never lock the owner out from another address;
  one address is refused after its own failures, whatever names it makes up; a parallel burst of guesses
  gets no more tries than a serial one.
- Errors and headers: a non-ASCII form token is a 403, never a 500; every HTML page carries a strict
  policy that its own markup satisfies, every media kind a sandbox and nosniff; the form cookie is Secure
  behind HTTPS."""

from __future__ import annotations

import io
import re
import secrets
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image

from imghost.client_ip import ClientAddresses, parse_networks, throttle_key
from tests.accounts.helpers import Browser, User, location_parts, make_user, parse_page
from tests.api.helpers import envelope_error, envelope_ok, unique_jpeg
from tests.live import LiveServer, delete_keys, free_port, start_server, stored_keys

BAD_LOGIN = "Invalid username or password"
THROTTLED = "Too many failed sign-in attempts. Try again later."
CSRF_REFUSED = "The sign-in form expired or came from another site. Open it again."
LOGIN_ATTEMPTS = 3
SLOWDOWN = 0.4
POST_LIMIT = 5

# ------------------------------------------------------------------------------ the resolver, as a table

LB = "127.0.0.1,::1,10.0.0.0/8"  # loopback and a private balancer network
RESOLVE = [
    # (trust_forwarded, trusted proxies, socket peer, X-Forwarded-For lines, client address)
    (False, LB, "127.0.0.1", ["6.6.6.6"], "127.0.0.1"),  # header ignored unless switched on
    (False, LB, "203.0.113.9", ["6.6.6.6"], "203.0.113.9"),
    (True, LB, "203.0.113.9", ["6.6.6.6"], "203.0.113.9"),  # untrusted peer: its header means nothing
    (True, LB, "127.0.0.1", [], "127.0.0.1"),  # no header: the peer
    (True, LB, "127.0.0.1", ["198.51.100.4"], "198.51.100.4"),
    (True, LB, "127.0.0.1", ["6.6.6.6, 198.51.100.4"], "198.51.100.4"),  # spoofed leftmost entry
    (True, LB, "127.0.0.1", ["6.6.6.6,198.51.100.4"], "198.51.100.4"),
    (True, LB, "10.0.0.5", ["6.6.6.6, 198.51.100.4, 10.1.2.3"], "198.51.100.4"),  # two proxies of ours
    (True, LB, "10.0.0.5", ["6.6.6.6, 198.51.100.4, 11.0.0.1"], "11.0.0.1"),  # just outside 10/8
    (True, LB, "10.0.0.5", ["10.0.0.9, 10.0.0.7"], "10.0.0.9"),  # all ours: the leftmost
    (True, LB, "127.0.0.1", ["6.6.6.6", "198.51.100.4"], "198.51.100.4"),  # header lines in order
    (True, LB, "127.0.0.1", ["198.51.100.4", "10.0.0.3"], "198.51.100.4"),
    # malformed entries stop the walk at the last hop we can vouch for
    (True, LB, "127.0.0.1", ["198.51.100.4, garbage"], "127.0.0.1"),
    (True, LB, "127.0.0.1", [""], "127.0.0.1"),
    (True, LB, "127.0.0.1", ["unknown"], "127.0.0.1"),
    (True, LB, "127.0.0.1", ["198.51.100.4, , 10.0.0.3"], "10.0.0.3"),
    (True, LB, "127.0.0.1", ["198.51.100.4, 999.1.1.1, 10.0.0.3"], "10.0.0.3"),
    (True, LB, "127.0.0.1", ["garbage, 198.51.100.4"], "198.51.100.4"),  # never reached
    (True, LB, "127.0.0.1", ["6.6.6.6, 198.51.100.4:4711"], "198.51.100.4"),  # with a port
    # IPv6, bracketed or not, with or without port
    (True, LB, "::1", ["2001:db8::7"], "2001:db8::7"),
    (True, LB, "::1", ["6.6.6.6, [2001:db8::7]:443"], "2001:db8::7"),
    (True, LB, "::1", ["[2001:db8::7]"], "2001:db8::7"),
    (True, LB, "::1", ["[2001:db8::7"], "::1"),
    (True, LB, "::1", ["[2001:db8::7]x"], "::1"),
    (True, LB, "::ffff:127.0.0.1", ["198.51.100.4"], "198.51.100.4"),  # dual-stack socket, mapped v4
    (True, LB, "127.0.0.1", ["::ffff:10.0.0.3, 198.51.100.4"], "198.51.100.4"),
    (True, LB, "127.0.0.1", ["198.51.100.4, ::ffff:10.0.0.3"], "198.51.100.4"),
    (True, "", "127.0.0.1", ["198.51.100.4"], "127.0.0.1"),  # nobody trusted
    (True, "127.0.0.1", "127.0.0.2", ["198.51.100.4"], "127.0.0.2"),  # a single address, not its /8
    (True, LB, "not-an-address", ["198.51.100.4"], "not-an-address"),  # a unix socket, say
    (True, LB, None, ["198.51.100.4"], "-"),
]


@pytest.mark.parametrize(("trust", "proxies", "peer", "lines", "expected"), RESOLVE)
def test_client_address_table(
    trust: bool, proxies: str, peer: str | None, lines: list[str], expected: str
) -> None:
    addresses = ClientAddresses(trust_forwarded=trust, trusted_proxies=proxies)
    assert addresses.resolve(peer, lines) == expected
    scope = {
        "client": (peer, 1234) if peer is not None else None,
        "headers": [(b"x-forwarded-for", v.encode()) for v in lines] + [(b"host", b"x")],
    }
    assert addresses.of(scope) == expected


HTTPS = [
    # (trust_forwarded, scope scheme, socket peer, X-Forwarded-Proto, is https)
    (False, "https", "203.0.113.9", None, True),
    (False, "http", "127.0.0.1", "https", False),
    (True, "http", "127.0.0.1", "https", True),
    (True, "http", "127.0.0.1", "HTTPS", True),
    (True, "http", "127.0.0.1", "https, http", True),  # the scheme the client used: leftmost
    (True, "http", "127.0.0.1", "http", False),
    (True, "http", "127.0.0.1", None, False),
    (True, "http", "203.0.113.9", "https", False),  # from an untrusted peer the header means nothing
]


@pytest.mark.parametrize(("trust", "scheme", "peer", "proto", "expected"), HTTPS)
def test_https_table(trust: bool, scheme: str, peer: str, proto: str | None, expected: bool) -> None:
    addresses = ClientAddresses(trust_forwarded=trust, trusted_proxies=LB)
    headers = [(b"x-forwarded-proto", proto.encode())] if proto else []
    assert addresses.is_https({"scheme": scheme, "client": (peer, 1), "headers": headers}) is expected


@pytest.mark.parametrize("spec", ["10.0.0.0/33", "localhost", "1.2.3.4,foo", "::1/129"])
def test_bad_trusted_proxies_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="IMGHOST_TRUSTED_PROXIES"):
        parse_networks(spec)


def test_throttle_key_groups_an_ipv6_subscriber() -> None:
    assert throttle_key("198.51.100.4") == "198.51.100.4"
    assert throttle_key("2001:db8:1:2::1") == throttle_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert throttle_key("2001:db8:1:3::1") != throttle_key("2001:db8:1:2::1")
    assert throttle_key("-") == "-"


# ------------------------------------------------------------------------------ servers


def _quiet_window(window: int, margin: float = 90) -> None:
    """Counters live in fixed windows: a test that must stay in one window waits out the end of one
    that closes within `margin` seconds."""
    left = window - time.time() % window
    if left < margin:
        time.sleep(left + 0.1)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, LiveServer]]:
    """Started side by side:
    - forwarded: behind a (loopback) balancer, tight POST and sign-in limits, a short slowdown;
    - tls: its public URL is https (a proxy in front ends TLS)."""
    ports = [free_port(), free_port()]
    while ports[0] == ports[1]:
        ports[1] = free_port()
    envs = {
        "forwarded": {
            "IMGHOST_TRUST_FORWARDED": "1",
            "IMGHOST_RATE_LIMIT_POST": str(POST_LIMIT),
            "IMGHOST_LOGIN_ATTEMPTS": str(LOGIN_ATTEMPTS),
            "IMGHOST_LOGIN_WINDOW": "3600",
            "IMGHOST_LOGIN_SLOWDOWN": str(SLOWDOWN),
        },
        "tls": {"IMGHOST_PUBLIC_URL": f"https://127.0.0.1:{ports[1]}"},
    }
    started: dict[str, LiveServer] = {}
    lock = threading.Lock()

    def boot(name: str, port: int) -> None:
        srv = start_server(tmp_path_factory.mktemp(f"edge-{name}"), port=port, extra_env=envs[name])
        with lock:
            started[name] = srv

    try:
        with ThreadPoolExecutor(2) as pool:
            for f in [pool.submit(boot, n, p) for n, p in zip(envs, ports, strict=True)]:
                f.result()
        yield started
    finally:
        for srv in started.values():
            srv.stop()


@pytest.fixture(scope="module")
def fwd(servers: dict[str, LiveServer]) -> LiveServer:
    return servers["forwarded"]


@pytest.fixture(scope="module")
def fwd_app(fwd: LiveServer) -> tuple[str, str]:
    return fwd.create_client("edge", "http://127.0.0.1:9/edge-callback")


def _addr() -> str:
    """A fresh documentation address (198.18.0.0/15, benchmarking), one per simulated client."""
    n = secrets.randbelow(1 << 17)
    return f"198.{18 + (n >> 16)}.{(n >> 8) & 255}.{n & 255}"


def _from(addr: str, spoof: str = "") -> dict[str, str]:
    """What the balancer in front would pass on: the client's own header (`spoof`) plus the client."""
    return {"x-forwarded-for": f"{spoof}, {addr}" if spoof else addr}


def _grant(srv: LiveServer, app: tuple[str, str], name: str, password: str, addr: str) -> httpx.Response:
    return httpx.post(
        f"{srv.url}/oauth2/token",
        headers=_from(addr),
        timeout=60,
        data={
            "client_id": app[0],
            "client_secret": app[1],
            "grant_type": "password",
            "username": name,
            "password": password,
        },
    )


def _no_tracebacks(srv: LiveServer) -> None:
    assert "Traceback" not in srv.logs(), srv.logs()[-3000:]


# ------------------------------------------------------------------------------ forwarded addresses end to end


class TestForwardedFor:
    def _post(
        self, srv: LiveServer, cid: str, headers: dict[str, str], transport: httpx.HTTPTransport | None = None
    ) -> httpx.Response:
        with httpx.Client(transport=transport, timeout=60) as c:
            # Any POST is counted against the address; a request for no known route costs nothing else.
            return c.post(
                f"{srv.url}/3/nothing-here", headers={"Authorization": f"Client-ID {cid}", **headers}
            )

    def test_spoofed_leftmost_entries_do_not_escape_the_post_limit(
        self, fwd: LiveServer, fwd_app: tuple[str, str]
    ) -> None:
        _quiet_window(3600)
        client, neighbour = _addr(), _addr()
        seen = []
        for i in range(POST_LIMIT + 3):
            # A new made-up address each time, and a forged chain that ends with a trusted proxy.
            spoof = f"203.0.113.{i}, 127.0.0.1" if i % 2 else f"203.0.113.{i}"
            r = self._post(fwd, fwd_app[0], _from(client, spoof))
            seen.append(r.status_code)
            assert r.headers["x-post-rate-limit-limit"] == str(POST_LIMIT)
        assert seen[:POST_LIMIT] == [404] * POST_LIMIT, seen
        assert seen[POST_LIMIT:] == [429] * 3, seen
        # The limit is the client's own: another address behind the same balancer still has all of it.
        r = self._post(fwd, fwd_app[0], _from(neighbour))
        assert r.status_code == 404 and r.headers["x-post-rate-limit-remaining"] == str(POST_LIMIT - 1)

    def test_header_from_an_untrusted_peer_is_ignored(
        self, fwd: LiveServer, fwd_app: tuple[str, str]
    ) -> None:
        """127.0.0.2 is loopback but not in the trusted list (127.0.0.1 and ::1): it speaks for itself only."""
        _quiet_window(3600)
        transport = httpx.HTTPTransport(local_address="127.0.0.2")
        seen = [
            self._post(fwd, fwd_app[0], _from(_addr()), transport).status_code for _ in range(POST_LIMIT + 1)
        ]
        assert seen == [404] * POST_LIMIT + [429], seen
        # The addresses it named are untouched.
        assert self._post(fwd, fwd_app[0], _from(_addr())).status_code == 404


# ------------------------------------------------------------------------------ sign-in throttling


class TestLockout:
    @pytest.fixture
    def victim(self, fwd: LiveServer, fwd_app: tuple[str, str]) -> User:
        return make_user(fwd, fwd_app, via="cli", token=False, prefix="v")

    def _form_sign_in(
        self, srv: LiveServer, app: tuple[str, str], addr: str, name: str, password: str
    ) -> httpx.Response:
        with Browser(srv.url) as b:
            b.http.headers["x-forwarded-for"] = addr
            page = b.open(f"/oauth2/authorize?client_id={app[0]}&response_type=code&state=s")
            return b.submit(page, username=name, password=password)

    def test_a_strangers_failures_do_not_lock_the_owner_out(
        self, fwd: LiveServer, fwd_app: tuple[str, str], victim: User
    ) -> None:
        _quiet_window(3600)
        attacker, owner = _addr(), _addr()
        seen = []
        for i in range(12):
            r = (
                _grant(fwd, fwd_app, victim.name, f"guess-{i}", attacker)
                if i % 2
                else self._form_sign_in(fwd, fwd_app, attacker, victim.name, f"guess-{i}")
            )
            seen.append(r.status_code)
        assert seen == [401] * LOGIN_ATTEMPTS + [429] * (12 - LOGIN_ATTEMPTS), seen
        # From the attacker's address even the right password is refused, in either case of the name...
        for name in (victim.name, victim.name.upper()):
            r = _grant(fwd, fwd_app, name, victim.password, attacker)
            assert envelope_error(r, 429)["error"] == THROTTLED and "access_token" not in r.text
        r = self._form_sign_in(fwd, fwd_app, attacker, victim.name, victim.password)
        assert r.status_code == 429 and parse_page(r).by_id.get("error") == THROTTLED
        # ...but the owner, from an address that has not failed, signs in both ways: only slowed down.
        started = time.monotonic()
        r = _grant(fwd, fwd_app, victim.name, victim.password, owner)
        assert r.status_code == 200 and r.json()["account_username"] == victim.name, r.text
        assert time.monotonic() - started >= SLOWDOWN
        _, query, _ = location_parts(self._form_sign_in(fwd, fwd_app, owner, victim.name, victim.password))
        assert query["code"] and query["state"] == "s"
        # A mistyped password of the owner's counts against the owner's address only.
        assert envelope_error(_grant(fwd, fwd_app, victim.name, "typo", owner), 401)["error"] == BAD_LOGIN
        assert _grant(fwd, fwd_app, victim.name, victim.password, owner).status_code == 200
        _no_tracebacks(fwd)

    def test_made_up_names_lock_only_their_address(
        self, fwd: LiveServer, fwd_app: tuple[str, str], victim: User
    ) -> None:
        _quiet_window(3600)
        sprayer, other = _addr(), _addr()
        per_address = LOGIN_ATTEMPTS * 5
        seen = [
            _grant(fwd, fwd_app, f"ghost{secrets.token_hex(6)}", "guess", sprayer).status_code
            for _ in range(50)
        ]
        assert seen == [401] * per_address + [429] * (50 - per_address), seen
        # The sprayer's address is refused whatever it tries next, a real account's right password included.
        assert envelope_error(_grant(fwd, fwd_app, victim.name, victim.password, sprayer), 429)
        # Every other address is untouched: the owner signs in, and new guesses are judged, not refused.
        assert _grant(fwd, fwd_app, victim.name, victim.password, other).status_code == 200
        r = _grant(fwd, fwd_app, f"ghost{secrets.token_hex(6)}", "guess", other)
        assert envelope_error(r, 401)["error"] == BAD_LOGIN

    def test_a_parallel_burst_gets_no_more_guesses(
        self, fwd: LiveServer, fwd_app: tuple[str, str], victim: User
    ) -> None:
        _quiet_window(3600)
        attacker = _addr()
        with ThreadPoolExecutor(12) as pool:
            seen = list(
                pool.map(
                    lambda i: _grant(fwd, fwd_app, victim.name, f"guess-{i}", attacker).status_code, range(24)
                )
            )
        assert sorted(seen) == [401] * LOGIN_ATTEMPTS + [429] * (24 - LOGIN_ATTEMPTS), seen
        assert _grant(fwd, fwd_app, victim.name, victim.password, _addr()).status_code == 200


# ------------------------------------------------------------------------------ errors


class TestFormToken:
    def test_non_ascii_form_token_is_refused_not_a_crash(
        self, fwd: LiveServer, fwd_app: tuple[str, str]
    ) -> None:
        with Browser(fwd.url) as b:
            page = b.open(f"/oauth2/authorize?client_id={fwd_app[0]}&response_type=code")
            for token in ("é", "\u2603" * 40, page.hidden["csrf_token"][:-1] + "é"):
                r = b.submit(page, username="somebody", password="whatever-1", override={"csrf_token": token})
                assert envelope_error(r, 403)["error"] == CSRF_REFUSED
        # A cookie this server never gave is not accepted (nor sent back), even when the field matches it.
        for cookie in ("é", "x" * 10, "a b", "A" * 200):
            with httpx.Client(base_url=fwd.url, timeout=60) as c:
                c.headers["cookie"] = f"imghost_csrf={cookie}".encode().decode("latin-1")
                r = c.post(
                    "/oauth2/authorize",
                    data={
                        "client_id": fwd_app[0],
                        "response_type": "code",
                        "csrf_token": cookie,
                        "allow": "1",
                    },
                )
                assert envelope_error(r, 403)["error"] == CSRF_REFUSED
                fresh = c.get(f"/oauth2/authorize?client_id={fwd_app[0]}")
                assert fresh.status_code == 200
                assert parse_page(fresh).hidden["csrf_token"] not in (cookie, "")
        _no_tracebacks(fwd)


# ------------------------------------------------------------------------------ headers


class _Markup(HTMLParser):
    """What a page's policy has to allow: inline styles and scripts, style attributes, event handlers,
    the files it loads (scripts, stylesheets, images, media), frames."""

    def __init__(self) -> None:
        super().__init__()
        self.inline = 0  # <style> elements and <script> elements without src
        self.style_attrs = 0
        self.event_handlers = 0
        self.frames = 0
        self.sources: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.style_attrs += "style" in a
        self.event_handlers += sum(k.startswith("on") for k in a)
        if tag == "style" or (tag == "script" and not a.get("src")):
            self.inline += 1
        elif tag in ("iframe", "object", "embed", "frame"):
            self.frames += 1
        elif tag == "script":
            self.sources.append(("script", a["src"] or ""))
        elif tag == "link" and (a.get("rel") or "") in ("stylesheet", "icon"):
            self.sources.append(("style" if a.get("rel") == "stylesheet" else "img", a.get("href") or ""))
        elif tag in ("img", "video", "audio", "source") and a.get("src"):
            self.sources.append((tag, a["src"] or ""))


def _policy(r: httpx.Response) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in r.headers["content-security-policy"].split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


_DIRECTIVE = {
    "script": "script-src",
    "style": "style-src",
    "video": "media-src",
    "audio": "media-src",
    "source": "media-src",
}


def assert_page_headers(r: httpx.Response) -> None:
    """A strict policy (scripts and styles only from this site's own files, nothing inline), no framing,
    no sniffing, a referrer policy; and the page's own markup needs nothing the policy forbids, so it
    renders as it was meant to."""
    assert r.headers["content-type"].startswith("text/html"), r.headers
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] in ("no-referrer", "strict-origin-when-cross-origin")
    policy = _policy(r)
    assert policy["default-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"], policy
    assert not any("unsafe" in s for sources in policy.values() for s in sources), policy
    markup = _Markup()
    markup.feed(r.text)
    assert markup.inline == markup.style_attrs == markup.event_handlers == markup.frames == 0, r.text
    for tag, src in markup.sources:
        # A same-origin path, which 'self' allows, or the public URL when the policy names its origin.
        directive = _DIRECTIVE.get(tag, "img-src")
        if src.startswith("/") and not src.startswith("//"):
            assert "'self'" in policy[directive], (directive, policy)
        else:
            parts = urlsplit(src)
            assert f"{parts.scheme}://{parts.netloc}" in policy[directive], (src, policy)


def assert_media_headers(r: httpx.Response) -> None:
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-security-policy"] == "sandbox"


def _gif(seed: int) -> bytes:
    frames = [Image.new("RGB", (48, 32), ((seed * 40 + i * 80) % 256, i * 60, 200)) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


class TestHeaders:
    def test_every_page(
        self, server: LiveServer, api: httpx.Client, raw: httpx.Client, session_client: tuple[str, str]
    ) -> None:
        up = envelope_ok(api.post("/3/upload", files={"image": ("a.jpg", unique_jpeg(7311, 400, 300))}))
        album = envelope_ok(
            api.post("/3/album", data={"deletehashes[]": [up["deletehash"]], "title": "headers"})
        )
        cid = session_client[0]
        pages = {
            "home": raw.get("/"),
            "delete": raw.get(f"/delete/{up['deletehash']}"),
            "album": raw.get(f"/a/{album['id']}"),
            "not found": raw.get("/delete/nosuchdeletehash1"),
            "no album": raw.get("/a/zzzzzzz"),
            "authorize": raw.get(f"/oauth2/authorize?client_id={cid}&response_type=pin"),
        }
        with Browser(server.url) as b:
            page = b.open(f"/oauth2/authorize?client_id={cid}&response_type=pin")
            pages["sign-in failed"] = b.submit(page, username="nobodyhere", password="wrong-password")
            user = make_user(server, session_client, token=False, prefix="h")
            pages["pin"] = b.submit(page, username=user.name, password=user.password)
            page = b.open(f"/oauth2/authorize?client_id={cid}&response_type=pin")
            pages["denied"] = b.submit(page, button="deny")
        assert pages["delete"].status_code == pages["album"].status_code == 200
        assert pages["not found"].status_code == pages["no album"].status_code == 404
        assert (
            pages["sign-in failed"].status_code == 401 and parse_page(pages["sign-in failed"]).by_id["error"]
        )
        assert re.fullmatch(r"[A-Za-z0-9]{6,}", parse_page(pages["pin"]).by_id["pin"])
        token = re.search(r'name="csrf_token" value="([^"]+)"', pages["delete"].text)
        assert token is not None, pages["delete"].text
        pages["deleted"] = raw.post(f"/delete/{up['deletehash']}", data={"csrf_token": token.group(1)})
        assert pages["deleted"].status_code == 200
        for name, r in pages.items():
            try:
                assert_page_headers(r)
            except (AssertionError, KeyError) as exc:
                raise AssertionError(f"{name}: {exc!r} {r.status_code} {dict(r.headers)}") from exc
        # The pages show their images by same-origin paths.
        assert f'src="/{up["id"]}m.jpg"' in pages["delete"].text
        assert f'src="/{up["id"]}l.jpg"' in pages["album"].text

    def test_every_media_kind(self, server: LiveServer, api: httpx.Client, raw: httpx.Client) -> None:
        still = envelope_ok(api.post("/3/upload", files={"image": ("a.jpg", unique_jpeg(7312, 400, 300))}))
        anim = envelope_ok(api.post("/3/upload", files={"image": ("a.gif", _gif(7313))}))
        assert anim["animated"] is True and anim["mp4"]
        base = f"/{still['id']}"
        answers = {
            "original": raw.get(f"{base}.jpg"),
            "original again (from memory)": raw.get(f"{base}.jpg"),
            "other extension": raw.get(f"{base}.png"),
            "head": raw.head(f"{base}.jpg"),
            "range": raw.get(f"{base}.jpg", headers={"range": "bytes=0-9"}),
            "thumbnail": raw.get(f"{base}m.jpg"),
            "thumbnail again": raw.get(f"{base}m.jpg"),
            "square": raw.get(f"{base}s.jpg"),
            "gif": raw.get(f"/{anim['id']}.gif"),
            "mp4": raw.get(f"/{anim['id']}.mp4"),
            "mp4 range": raw.get(f"/{anim['id']}.mp4", headers={"range": "bytes=0-99"}),
            "not found": raw.get("/zzzzzzz.jpg"),
        }
        for name, r in answers.items():
            assert r.status_code in (200, 206, 404), (name, r.status_code)
            try:
                assert_media_headers(r)
            except (AssertionError, KeyError) as exc:
                raise AssertionError(f"{name}: {exc!r} {r.status_code} {dict(r.headers)}") from exc
        assert answers["range"].status_code == answers["mp4 range"].status_code == 206
        assert answers["not found"].status_code == 404
        # The server's native fast path answers from memory: with the stored original gone, only it can.
        if not server.env.get("IMGHOST_S3_REDIRECT"):  # originals would be redirects, never from memory
            before = stored_keys(server)
            up = envelope_ok(api.post("/3/upload", files={"image": ("b.jpg", unique_jpeg(7314, 300, 200))}))
            first = raw.get(f"/{up['id']}.jpg")
            assert first.status_code == 200
            added = stored_keys(server) - before
            assert len(added) == 1, added
            delete_keys(server, added)
            cached = raw.get(f"/{up['id']}.jpg")
            assert cached.status_code == 200 and cached.content == first.content
            assert_media_headers(cached)
        # The .gifv page is a page of the site (the image page): a player no one may frame, whose video
        # comes from this site.
        gifv = raw.get(f"/{anim['id']}.gifv")
        assert gifv.status_code == 200 and gifv.headers["content-type"].startswith("text/html")
        policy = _policy(gifv)
        assert policy["frame-ancestors"] == ["'none'"] and gifv.headers["x-frame-options"] == "DENY"
        assert gifv.headers["x-content-type-options"] == "nosniff"
        assert "'self'" in policy["media-src"], policy
        assert not any("unsafe" in s for sources in policy.values() for s in sources), policy
        assert f'<video id="video" src="/{anim["id"]}.mp4"' in gifv.text

    def test_form_cookie_is_secure_behind_https(
        self,
        servers: dict[str, LiveServer],
        fwd: LiveServer,
        fwd_app: tuple[str, str],
        server: LiveServer,
        session_client: tuple[str, str],
    ) -> None:
        def cookie(
            srv: LiveServer,
            cid: str,
            headers: dict[str, str] | None = None,
            transport: httpx.HTTPTransport | None = None,
        ) -> str:
            with httpx.Client(transport=transport, timeout=60) as c:
                r = c.get(f"{srv.url}/oauth2/authorize?client_id={cid}", headers=headers or {})
            assert r.status_code == 200, r.text
            value = r.headers["set-cookie"]
            assert value.startswith("imghost_csrf=") and "HttpOnly" in value and "SameSite=lax" in value
            return value

        def secure(value: str) -> bool:
            return "secure" in [p.strip().lower() for p in value.split(";")]

        # Plain HTTP: not Secure (the browser would never send it back).
        assert not secure(cookie(server, session_client[0]))
        assert not secure(cookie(fwd, fwd_app[0]))
        # A trusted proxy says the client came over HTTPS.
        assert secure(cookie(fwd, fwd_app[0], {"x-forwarded-proto": "https"}))
        # The same claim from a peer that is no proxy of ours, or to a server that trusts no proxy.
        untrusted = httpx.HTTPTransport(local_address="127.0.0.2")
        assert not secure(cookie(fwd, fwd_app[0], {"x-forwarded-proto": "https"}, untrusted))
        assert not secure(cookie(server, session_client[0], {"x-forwarded-proto": "https"}))
        # The public URL is https: TLS ends in front of the server, whatever it is told.
        tls = servers["tls"]
        tls_app = tls.create_client("tls", "https://127.0.0.1:9/cb")
        assert secure(cookie(tls, tls_app[0]))
