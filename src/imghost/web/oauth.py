"""The OAuth 2 endpoints that live outside /3: the sign-in-and-allow page and the token exchange.

The form is protected against cross-site posts with a double-submit token: a random value in a
SameSite cookie that must come back in a hidden field. It needs no server state, so it works across
processes."""

from __future__ import annotations

import hmac
import html
import re
import secrets
from urllib.parse import urlencode, urlsplit, urlunsplit

import orjson
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from imghost.domain.clients.service import Client
from imghost.errors import Forbidden, ImghostError, InvalidRequest, Unauthorized
from imghost.http.params import read_params
from imghost.web.render import page

router = APIRouter(prefix="/oauth2", tags=["oauth2"])
RESPONSE_TYPES = ("token", "code", "pin")
CSRF_COOKIE = "imghost_csrf"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


async def _client(request: Request, client_id: str | None) -> Client:
    if not client_id:
        raise InvalidRequest("No client id supplied")
    client: Client | None = await request.app.state.services.clients.get(client_id)
    if client is None:
        raise InvalidRequest("Invalid client_id")
    return client


def _form(
    request: Request,
    client_name: str,
    client_id: str,
    response_type: str,
    state: str,
    csrf: str,
    error: str = "",
    status: int = 200,
) -> Response:
    e = html.escape
    err = f'<p id="error">{e(error)}</p>' if error else ""
    body = (
        f"<h1>Sign in to imghost</h1><p><strong>{e(client_name)}</strong> would like to use your account: "
        f"upload, edit and delete images as you.</p>{err}"
        f'<form method="post" action="/oauth2/authorize">'
        f'<input type="hidden" name="client_id" value="{e(client_id)}">'
        f'<input type="hidden" name="response_type" value="{e(response_type)}">'
        f'<input type="hidden" name="state" value="{e(state)}">'
        f'<input type="hidden" name="csrf_token" value="{e(csrf)}">'
        f'<p><label>Username<br><input name="username" id="username" autocomplete="username" required></label></p>'
        f'<p><label>Password<br><input type="password" name="password" id="password" '
        f'autocomplete="current-password" required></label></p>'
        f'<p><button type="submit" name="allow" value="1" id="allow">Allow</button> '
        f'<button type="submit" name="deny" value="1" id="deny" formnovalidate>Deny</button></p></form>'
    )
    resp = page("Sign in", body, status)
    resp.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="lax", path="/oauth2", secure=_secure(request))
    return resp


@router.get("/authorize", summary="Sign in and allow an application (HTML)", include_in_schema=False)
async def authorize_page(request: Request) -> Response:
    q = request.query_params
    client = await _client(request, q.get("client_id"))
    rtype = q.get("response_type") or "token"
    if rtype not in RESPONSE_TYPES:
        raise InvalidRequest("Invalid response_type")
    csrf = _csrf_cookie(request) or secrets.token_urlsafe(24)
    return _form(request, client.name, client.id, rtype, q.get("state") or "", csrf)


def _csrf_cookie(request: Request) -> str:
    """The form token from the cookie, if it has the shape this server gives it; anything else the client
    made up is ignored (and replaced), never echoed back."""
    value = request.cookies.get(CSRF_COOKIE) or ""
    return value if _TOKEN.fullmatch(value) else ""


def _secure(request: Request) -> bool:
    """Whether the cookie may only travel over HTTPS: when this request came over it, or the public URL
    says the site is HTTPS (a proxy in front may then end TLS without saying so)."""
    svc = request.app.state.services
    return bool(svc.settings.base_url.startswith("https:") or svc.addresses.is_https(request.scope))


def _redirect(uri: str, params: dict[str, str], *, fragment: bool) -> Response:
    parts = urlsplit(uri)
    encoded = urlencode(params)
    if fragment:
        target = urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, encoded))
    else:
        query = f"{parts.query}&{encoded}" if parts.query else encoded
        target = urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
    return RedirectResponse(target, status_code=302, headers={"cache-control": "no-store"})


@router.post("/authorize", include_in_schema=False)
async def authorize_submit(request: Request) -> Response:
    svc = request.app.state.services
    form = await read_params(request)
    client = await _client(request, form.get("client_id"))
    rtype = form.get("response_type") or "token"
    if rtype not in RESPONSE_TYPES:
        raise InvalidRequest("Invalid response_type")
    state = form.get("state") or ""
    cookie = _csrf_cookie(request)
    # Compared as bytes: compare_digest refuses str with anything beyond ASCII.
    sent = (form.get("csrf_token") or "").encode("utf-8", "replace")
    if not cookie or not hmac.compare_digest(cookie.encode(), sent):
        raise Forbidden("The sign-in form expired or came from another site. Open it again.")
    extra = {"state": state} if state else {}
    if form.has("deny"):
        if rtype == "pin":
            return page("Denied", '<h1 id="denied">Access denied</h1>')
        return _redirect(client.redirect_uri, {"error": "access_denied", **extra}, fragment=rtype == "token")
    try:
        account = await svc.accounts.authenticate(
            form.get("username") or "", form.get("password") or "", svc.addresses.of(request.scope)
        )
    except ImghostError as exc:
        return _form(request, client.name, client.id, rtype, state, cookie, exc.public, status=exc.status)
    if rtype == "pin":
        pin = await svc.oauth.new_code("pin", client.id, account.id)
        return page(
            "Your PIN",
            f"<h1>Enter this PIN in {html.escape(client.name)}</h1>"
            f'<p><code id="pin">{pin}</code></p>'
            f"<p>It works once, within ten minutes.</p>",
        )
    if rtype == "code":
        code = await svc.oauth.new_code("code", client.id, account.id)
        return _redirect(client.redirect_uri, {"code": code, **extra}, fragment=False)
    pair = await svc.oauth.issue(client.id, account.id, account.username)
    return _redirect(
        client.redirect_uri,
        {
            "access_token": pair.access_token,
            "expires_in": str(pair.expires_in),
            "token_type": "bearer",
            "refresh_token": pair.refresh_token,
            "account_username": pair.username,
            "account_id": str(pair.account_id),
            **extra,
        },
        fragment=True,
    )


@router.post(
    "/token", summary="Exchange a code, PIN, refresh token or password for tokens", operation_id="oauth_token"
)
async def token(request: Request) -> Response:
    """Unwrapped JSON, as Imgur answers: no {data, success, status} envelope on success."""
    svc = request.app.state.services
    p = await read_params(request)
    client_id, secret = p.get("client_id"), p.get("client_secret") or ""
    client = await _client(request, client_id)
    if not client.check_secret(secret):
        raise Unauthorized("Invalid client credentials")
    grant = (p.get("grant_type") or "").lower()
    if grant == "refresh_token":
        pair = await svc.oauth.refresh(client.id, p.get("refresh_token") or "")
    elif grant in ("authorization_code", "pin"):
        kind = "code" if grant == "authorization_code" else "pin"
        account_id, username = await svc.oauth.redeem(kind, client.id, p.get(kind) or "")
        pair = await svc.oauth.issue(client.id, account_id, username)
    elif grant == "password" and svc.settings.oauth_password_grant:
        account = await svc.accounts.authenticate(
            p.get("username") or "", p.get("password") or "", svc.addresses.of(request.scope)
        )
        pair = await svc.oauth.issue(client.id, account.id, account.username)
    else:
        raise InvalidRequest("Invalid grant_type")
    return Response(
        orjson.dumps(pair.json()), media_type="application/json", headers={"cache-control": "no-store"}
    )
