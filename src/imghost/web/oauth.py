"""The OAuth 2 endpoints that live outside /3: the allow page and the token exchange.

The allow page runs on the web session: a signed-in person only presses Allow; a signed-out one signs in
on the same form (which also signs them in to the site), and the client, response type and state ride
along in hidden fields. The one POST with client_id, response_type, state, username and password that
scripts send keeps working; its CSRF token is the viewer's (the session's, or the visitor cookie's)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

import orjson
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from imghost.domain.accounts.service import USERNAME
from imghost.domain.clients.service import Client
from imghost.errors import CsrfRejected, Forbidden, ImghostError, InvalidRequest, Unauthorized
from imghost.http.params import Params, read_params
from imghost.web.templating import render
from imghost.web.viewer import (
    CSRF_COOKIE,
    CSRF_FIELD,
    Viewer,
    check_csrf,
    secure,
    services,
    session_token,
    start_session,
    viewer,
)

router = APIRouter(prefix="/oauth2", tags=["oauth2"])
RESPONSE_TYPES = ("token", "code", "pin")
FORM_EXPIRED = "The sign-in form expired or came from another site. Open it again."


async def _client(request: Request, client_id: str | None) -> Client:
    if not client_id:
        raise InvalidRequest("No client id supplied")
    client = await services(request).clients.get(client_id)
    if client is None:
        raise InvalidRequest("Invalid client_id")
    return client


def _response_type(client: Client, value: str | None) -> str:
    rtype = value or "token"
    if rtype not in RESPONSE_TYPES:
        raise InvalidRequest("Invalid response_type")
    if rtype != "pin" and not client.redirect_uri:
        # Registered without one (PIN-only and anonymous-upload applications): nowhere to send a token.
        raise InvalidRequest("This application has no redirect URI: it can only ask for a PIN")
    return rtype


def _page(
    request: Request,
    v: Viewer,
    client: Client,
    rtype: str,
    state: str,
    *,
    error: str = "",
    username: str = "",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    back = "/oauth2/authorize?" + urlencode({"client_id": client.id, "response_type": rtype, "state": state})
    ctx = {
        "client": client,
        "response_type": rtype,
        "state": state,
        "error": error,
        "username": username if USERNAME.match(username) else "",
        "back": back,
    }
    response = render(request, v, "authorize.html", ctx, status=status, headers=headers)
    # Before the site had one form token, this page kept its own cookie scoped to /oauth2; a browser
    # that still holds it would send two. It goes, so that one token is left.
    response.delete_cookie(CSRF_COOKIE, path="/oauth2", httponly=True, samesite="lax", secure=secure(request))
    return response


@router.get("/authorize", summary="Sign in and allow an application (HTML)", include_in_schema=False)
async def authorize_page(request: Request) -> Response:
    q = request.query_params
    client = await _client(request, q.get("client_id"))
    rtype = _response_type(client, q.get("response_type"))
    return _page(request, await viewer(request), client, rtype, q.get("state") or "")


def _redirect(uri: str, params: dict[str, str], *, fragment: bool) -> Response:
    parts = urlsplit(uri)
    encoded = urlencode(params)
    if fragment:
        target = urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, encoded))
    else:
        query = f"{parts.query}&{encoded}" if parts.query else encoded
        target = urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
    return RedirectResponse(target, status_code=302, headers={"cache-control": "no-store"})


async def _who(request: Request, v: Viewer, form: Params) -> tuple[int, str, str | None]:
    """The account that allows: the one whose name and password were typed (scripts, and signed-out
    people), else the signed-in one. Returns (id, username, a new session's token or None)."""
    username, password = form.get("username") or "", form.get("password") or ""
    if v.session is not None and not (username or password):
        return v.session.account_id, v.session.username, None
    svc = services(request)
    account = await svc.accounts.authenticate(username, password, svc.addresses.of(request.scope))
    if v.session is not None and v.session.account_id == account.id:
        return account.id, account.username, None
    # Signing in here signs in to the site too; a session that came in is ended first, never continued.
    old = session_token(request)
    if old:
        await svc.sessions.end(old)
    token = await svc.sessions.start(account.id, request.headers.get("user-agent", ""))
    return account.id, account.username, token


@router.post("/authorize", include_in_schema=False)
async def authorize_submit(request: Request) -> Response:
    form = await read_params(request)
    client = await _client(request, form.get("client_id"))
    rtype = _response_type(client, form.get("response_type"))
    state = form.get("state") or ""
    v = await viewer(request)
    try:
        check_csrf(request, v, form.get(CSRF_FIELD))
    except CsrfRejected:
        raise Forbidden(FORM_EXPIRED) from None
    extra = {"state": state} if state else {}
    if form.has("deny"):
        if rtype == "pin":
            return render(request, v, "authorize_denied.html", {"client": client})
        return _redirect(client.redirect_uri, {"error": "access_denied", **extra}, fragment=rtype == "token")
    try:
        account_id, username, token = await _who(request, v, form)
    except ImghostError as exc:
        return _page(
            request,
            v,
            client,
            rtype,
            state,
            error=exc.public,
            username=form.get("username") or "",
            status=exc.status,
            headers=dict(exc.headers),
        )
    response = await _grant(request, client, rtype, extra, account_id, username, token)
    if token is not None:
        start_session(request, response, token)
    return response


async def _grant(
    request: Request,
    client: Client,
    rtype: str,
    extra: dict[str, str],
    account_id: int,
    username: str,
    token: str | None,
) -> Response:
    svc = services(request)
    if rtype == "pin":
        pin = await svc.oauth.new_code("pin", client.id, account_id)
        session = await svc.sessions.resolve(token) if token else None
        v = Viewer(session, session.csrf) if session else await viewer(request)
        return render(request, v, "pin.html", {"client": client, "pin": pin})
    if rtype == "code":
        code = await svc.oauth.new_code("code", client.id, account_id)
        return _redirect(client.redirect_uri, {"code": code, **extra}, fragment=False)
    pair = await svc.oauth.issue(client.id, account_id, username)
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
    svc = services(request)
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
