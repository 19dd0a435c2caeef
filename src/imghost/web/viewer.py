"""Who is looking at a page: a signed-in person (a server-side session) or a visitor, and the CSRF token
their forms and script calls must send back.

Signed in, the token is the session's own (stored with it); signed out, it is a random value in a
SameSite cookie that must match the form field (double submit), so that the sign-in, sign-up and
anonymous upload forms are covered without keeping state for visitors. A state-changing request must
also come from this site when the browser says where it came from (Origin)."""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from imghost.domain.sessions.service import WebSession
from imghost.errors import Banned, CsrfRejected, SignInRequired
from imghost.services import Services

SESSION_COOKIE = "imghost_session"
CSRF_COOKIE = "imghost_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")
# The forms a banned person may still send: leaving, ending their sessions, and letting an application
# read for them.
_BANNED_MAY = frozenset(
    {"/signout", "/account/sessions/end", "/account/sessions/end-all", "/oauth2/authorize"}
)


@dataclass(frozen=True, slots=True)
class Viewer:
    session: WebSession | None
    csrf: str
    # A visitor's CSRF cookie to set on the answer (first visit, or an unusable cookie came in).
    new_csrf_cookie: bool = False
    # The header's badge: unviewed notifications when the page was made (capped: 100 shows "99+").
    unread: int = 0

    @property
    def signed_in(self) -> bool:
        return self.session is not None

    @property
    def account_id(self) -> int | None:
        return self.session.account_id if self.session else None

    @property
    def username(self) -> str | None:
        return self.session.username if self.session else None


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def _cookie(request: Request, name: str) -> str:
    """A cookie of the shape this server gives; anything else a client made up counts as absent."""
    value = request.cookies.get(name) or ""
    return value if _TOKEN.fullmatch(value) else ""


async def viewer(request: Request) -> Viewer:
    """Resolved once per request (kept on request.state), so that a handler and the error page agree."""
    cached: Viewer | None = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    token = _cookie(request, SESSION_COOKIE)
    session = await services(request).sessions.resolve(token) if token else None
    if session is not None:
        # One cheap count for the badge in the header; a script's JSON call shows no header.
        unread = 0
        if "application/json" not in request.headers.get("accept", ""):
            unread = await services(request).notifications.unread(session.account_id)
        v = Viewer(session, session.csrf, unread=unread)
    else:
        csrf = _cookie(request, CSRF_COOKIE)
        v = Viewer(None, csrf) if csrf else Viewer(None, secrets.token_urlsafe(24), new_csrf_cookie=True)
    request.state.viewer = v
    return v


async def signed_in(request: Request) -> WebSession:
    """The session of a page that needs one; otherwise off to sign in, and back here afterwards."""
    v = await viewer(request)
    if v.session is None:
        path = request.url.path
        raise SignInRequired(path + ("?" + request.url.query if request.url.query else ""))
    return v.session


def check_csrf(request: Request, v: Viewer, sent: str | None) -> None:
    """Refuse a state-changing request whose token is missing or wrong, or that another site sent."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = request.headers.get("host", "")
        if urlsplit(origin).netloc.lower() != host.lower():
            raise CsrfRejected()
    token = sent or request.headers.get(CSRF_HEADER) or ""
    # Compared as bytes: compare_digest refuses str with anything beyond ASCII.
    if v.new_csrf_cookie or not hmac.compare_digest(v.csrf.encode(), token.encode("utf-8", "replace")):
        raise CsrfRejected()
    # Every state-changing form comes through here: the one place a banned account's writes stop.
    if v.session is not None and v.session.banned and request.url.path not in _BANNED_MAY:
        raise Banned()


def secure(request: Request) -> bool:
    """Whether cookies may only travel over HTTPS: set by `secure_cookies`, or (auto) when the public URL
    is https or this request came over HTTPS (a proxy in front may end TLS without saying so)."""
    svc = services(request)
    mode = svc.settings.secure_cookies
    if mode != "auto":
        return mode == "always"
    return bool(svc.settings.base_url.startswith("https:") or svc.addresses.is_https(request.scope))


def set_cookies(request: Request, response: Response, v: Viewer) -> None:
    if v.new_csrf_cookie:
        response.set_cookie(
            CSRF_COOKIE, v.csrf, httponly=True, samesite="lax", path="/", secure=secure(request)
        )


def start_session(request: Request, response: Response, token: str) -> None:
    svc = services(request)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=svc.settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        path="/",
        secure=secure(request),
    )


def end_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure(request))


def session_token(request: Request) -> str:
    return _cookie(request, SESSION_COOKIE)


def safe_next(target: str | None) -> str:
    """A place to go after signing in: a path on this site, never another site (//evil, /\\evil)."""
    target = target or "/"
    if not target.startswith("/") or target.startswith(("//", "/\\")) or any(c in target for c in "\r\n\\"):
        return "/"
    return target
