"""Everything every /3 request goes through, as one raw ASGI layer (no per-request task or copy):

path normalisation (.json suffix, trailing slash), CORS, the Authorization header, rate limits and their
headers, `_fake_status`, and the guarantee that whatever happens inside, the answer is an Imgur envelope."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Protocol

from starlette.requests import Request

from imghost.api.envelope import error
from imghost.auth import Subject
from imghost.client_ip import ClientAddresses
from imghost.domain.clients.service import ClientService
from imghost.domain.credits.service import Charge, CreditService
from imghost.errors import Banned, Forbidden, ImghostError, RateLimited, Unauthorized

log = logging.getLogger("imghost.api")

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]

CORS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"GET, PUT, POST, PATCH, DELETE, OPTIONS"),
    (
        b"access-control-allow-headers",
        b"Authorization, Content-Type, Accept, X-Mashape-Authorization, X-Mashape-Key, X-Requested-With",
    ),
    (b"access-control-allow-credentials", b"true"),
    (
        b"access-control-expose-headers",
        b"X-RateLimit-UserLimit, X-RateLimit-UserRemaining, "
        b"X-RateLimit-UserReset, X-RateLimit-ClientLimit, "
        b"X-RateLimit-ClientRemaining, X-RateLimit-ClientReset",
    ),
]
# Routes real clients call with no Authorization header at all (npm `getAccount`).
_PUBLIC: list[tuple[str, re.Pattern[str]]] = [("GET", re.compile(r"^/3/account/[^/]+$"))]
# What a banned account's token may still do: read.
_READS = frozenset({"GET", "HEAD"})


FastRoute = tuple[str, re.Pattern[str], Callable[..., Awaitable[Any]]]


class TokenResolver(Protocol):
    async def resolve(self, token: str, client_id: str | None) -> Subject | None: ...


def _normalise(path: str) -> str:
    if len(path) > 3 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    if path.endswith(".json"):
        path = path[:-5]
    return path


class ApiEdge:
    def __init__(
        self,
        app: ASGIApp,
        *,
        clients: ClientService,
        credits: CreditService,
        tokens: TokenResolver,
        addresses: ClientAddresses | None = None,
        fast_routes: list[FastRoute] | None = None,
    ) -> None:
        self.app = app
        self.fast_routes = fast_routes or []
        self.clients = clients
        self.credits = credits
        self.tokens = tokens
        self.addresses = addresses or ClientAddresses(trust_forwarded=False, trusted_proxies="")

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        path = _normalise(scope["path"])
        if path != scope["path"]:
            scope = {**scope, "path": path, "raw_path": path.encode()}
        method = scope["method"]
        qs = scope.get("query_string", b"")
        fake_200 = b"_fake_status=200" in qs
        rl_headers: list[tuple[bytes, bytes]] = []
        started = False

        async def send_wrapper(message: MutableMapping[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", [])) + CORS + rl_headers
                message = {**message, "headers": headers}
                if fake_200:
                    message["status"] = 200
            await send(message)

        async def fail(exc: ImghostError) -> None:
            await error(exc, path, method)(scope, receive, send_wrapper)

        if method == "OPTIONS":
            await send_wrapper(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]}
            )
            await send_wrapper({"type": "http.response.body", "body": b""})
            return
        try:
            try:
                subject = await self._authenticate(scope, path, method)
            except ImghostError:
                rl_headers.extend(self._unspent(method))
                raise
            headers, allowed = await self._charge(scope, path, method, subject)
            rl_headers.extend(headers)
            if not allowed:
                raise RateLimited("Too Many Requests")
            scope.setdefault("state", {})["subject"] = subject
            for route_method, pattern, handler in self.fast_routes:
                m = pattern.match(path) if route_method == method else None
                if m is not None:
                    # The hottest reads skip the framework's routing and dependency solving; the handler
                    # is the same function the framework would call.
                    scope["app"] = self.app
                    response = await handler(Request(scope, receive), *m.groups())
                    await response(scope, receive, send_wrapper)
                    return
            await self.app(scope, receive, send_wrapper)
        except ImghostError as exc:
            if not started:
                await fail(exc)
            else:  # the answer is already on its way: the client sees a cut-off body, the log says why
                log.warning(
                    "%s on %s %s after the response had started", type(exc).__name__, method, _redact(path)
                )
        except Exception:
            log.exception("unhandled error on %s %s", method, _redact(path))
            if not started:
                await fail(ImghostError())

    async def _authenticate(self, scope: Scope, path: str, method: str) -> Subject:
        header = _header(scope, b"authorization")
        if header is None:
            if any(m == method and rx.match(path) for m, rx in _PUBLIC):
                return Subject(client_id=None)
            raise Unauthorized("Authentication required")
        value = header.strip()
        # imgur-python 0.2.4 sends "Authorization: Client-ID …" as the header value.
        if value[:14].lower() == "authorization:":
            value = value[14:].strip()
        scheme, _, cred = value.partition(" ")
        scheme, cred = scheme.lower(), cred.strip()
        if scheme == "client-id" and cred:
            client = await self.clients.get(cred)
            if client is None:
                raise Forbidden("Invalid client_id")
            return Subject(client_id=client.id)
        if scheme == "bearer" and cred:
            subject = await self.tokens.resolve(cred, None)
            if subject is None:
                raise Forbidden("The access token provided is invalid.")
            # Refused here, once, rather than by every route that writes.
            if subject.banned and method not in _READS:
                raise Banned()
            return subject
        raise Forbidden("Malformed auth header")

    def _unspent(self, method: str) -> list[tuple[bytes, bytes]]:
        """Headers for a request refused before it could be charged: full budgets, still integers."""
        now = time.time()
        return _headers(self.credits.unspent(now), method, now)

    async def _charge(
        self, scope: Scope, path: str, method: str, subject: Subject
    ) -> tuple[list[tuple[bytes, bytes]], bool]:
        now = time.time()
        charge = await self.credits.charge(
            subject,
            self.addresses.of(scope),
            cost=self.credits.cost(path, method),
            is_post=method == "POST",
            now=now,
        )
        scope.setdefault("state", {})["ratelimit"] = charge
        return _headers(charge, method, now), charge.allowed


def _headers(charge: Charge, method: str, now: float) -> list[tuple[bytes, bytes]]:
    user, client, post = charge.user, charge.client, charge.post
    out = [
        (b"x-ratelimit-userlimit", str(user.limit).encode()),
        (b"x-ratelimit-userremaining", str(user.remaining).encode()),
        (b"x-ratelimit-userreset", str(user.reset_at).encode()),
        (b"x-ratelimit-clientlimit", str(client.limit).encode()),
        (b"x-ratelimit-clientremaining", str(client.remaining).encode()),
        (b"x-ratelimit-clientreset", str(max(0, client.reset_at - int(now))).encode()),
    ]
    if method == "POST":
        out += [
            (b"x-post-rate-limit-limit", str(post.limit).encode()),
            (b"x-post-rate-limit-remaining", str(post.remaining).encode()),
            (b"x-post-rate-limit-reset", str(max(0, post.reset_at - int(now))).encode()),
        ]
    return out


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope["headers"]:
        if k == name:
            return str(v.decode("latin-1"))
    return None


_SECRETISH = re.compile(r"/[A-Za-z0-9]{15,}")


def _redact(path: str) -> str:
    """Deletehashes travel in paths; they must never reach a log."""
    return _SECRETISH.sub("/…", path)
