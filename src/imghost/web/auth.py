"""Signing up, in and out on the web: the same account service as the API, a server-side session."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.errors import ImghostError, InvalidRequest
from imghost.web.forms import see_other, submitted
from imghost.web.templating import render
from imghost.web.viewer import (
    end_session_cookie,
    safe_next,
    services,
    session_token,
    start_session,
    viewer,
)

router = APIRouter(include_in_schema=False)


async def signed_in_response(request: Request, account_id: int, target: str) -> Response:
    """Start a session for the account and go on to `target`. A session cookie that came in is ended
    first: a new sign-in never continues a session someone else may have planted."""
    svc = services(request)
    old = session_token(request)
    if old:
        await svc.sessions.end(old)
    token = await svc.sessions.start(account_id, request.headers.get("user-agent", ""))
    v = await viewer(request)
    response = see_other(request, v, safe_next(target))
    start_session(request, response, token)
    return response


@router.get("/signin")
async def signin_page(request: Request) -> Response:
    v = await viewer(request)
    target = safe_next(request.query_params.get("next"))
    if v.signed_in:
        return see_other(request, v, target)
    return render(request, v, "signin.html", {"next": target, "error": "", "username": ""})


@router.post("/signin")
async def signin(request: Request) -> Response:
    v, form = await submitted(request)
    svc = services(request)
    target = safe_next(form.get("next"))
    username = form.get("username") or ""
    try:
        account = await svc.accounts.authenticate(
            username, form.get("password") or "", svc.addresses.of(request.scope)
        )
    except ImghostError as exc:
        ctx = {"next": target, "error": exc.public, "username": username}
        return render(request, v, "signin.html", ctx, status=exc.status, headers=dict(exc.headers))
    return await signed_in_response(request, account.id, target)


@router.get("/signup")
async def signup_page(request: Request) -> Response:
    v = await viewer(request)
    target = safe_next(request.query_params.get("next"))
    if v.signed_in:
        return see_other(request, v, target)
    ctx = {
        "next": target,
        "error": "",
        "username": "",
        "email": "",
        "invite": request.query_params.get("invite", ""),
    }
    return render(request, v, "signup.html", ctx)


@router.post("/signup")
async def signup(request: Request) -> Response:
    v, form = await submitted(request)
    svc = services(request)
    target = safe_next(form.get("next"))
    username, email = form.get("username") or "", form.get("email") or ""
    try:
        if (form.get("password") or "") != (form.get("password2") or ""):
            raise InvalidRequest("The two passwords are not the same.")
        account = await svc.accounts.register(
            username,
            email=email,
            password=form.get("password") or "",
            invite=form.get("invite"),
            captcha_response=form.get("captcha_response"),
            remote_ip=svc.addresses.of(request.scope),
        )
    except ImghostError as exc:
        ctx = {
            "next": target,
            "error": exc.public,
            "username": username,
            "email": email,
            "invite": form.get("invite") or "",
        }
        return render(request, v, "signup.html", ctx, status=exc.status)
    return await signed_in_response(request, account.id, target)


@router.post("/signout")
async def signout(request: Request) -> Response:
    v, _ = await submitted(request)
    await services(request).sessions.end(session_token(request))
    response = see_other(request, v, "/")
    end_session_cookie(request, response)
    return response
