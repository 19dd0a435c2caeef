"""The signed-in person's own settings page: every account setting the API has, the password, the
sessions (one by one or everywhere) and deleting the account."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.domain.accounts.model import Account
from imghost.domain.accounts.service import PRIVACY
from imghost.domain.sessions.service import WebSession
from imghost.errors import ImghostError, InvalidRequest, NotFound, Unauthorized
from imghost.web import forms
from imghost.web.forms import see_other, submitted
from imghost.web.templating import render
from imghost.web.viewer import (
    Viewer,
    end_session_cookie,
    safe_next,
    services,
    session_token,
    signed_in,
    viewer,
)

router = APIRouter(include_in_schema=False)

# (name, label) of the yes/no settings, in the order the page shows them. Whether others may send
# messages is in the page's own Messaging section (web/message_settings.py), with the blocked accounts.
SWITCHES = (
    ("public_images", "Show my images on my public profile"),
    ("show_mature", "Show mature content"),
    ("high_quality", "Show images in high quality"),
    ("newsletter_subscribed", "Send me the newsletter"),
    ("accepted_gallery_terms", "I accept the gallery terms"),
)
TEXTS = ("username", "email", "bio", "avatar", "album_privacy")
DONE = {
    "settings": "Your settings are saved.",
    "password": "Your password is changed. Your other sessions are signed out.",
    "session": "That session is signed out.",
    "messaging": "Your messaging setting is saved.",
    "blocked": "That account is blocked: it can no longer send you messages.",
    "unblocked": "That account is unblocked.",
}


def _values(account: Account) -> dict[str, Any]:
    return {
        **{k: getattr(account, k) for k, _ in SWITCHES},
        **{k: getattr(account, k) or "" for k in TEXTS},
    }


async def settings_response(
    request: Request,
    v: Viewer,
    session: WebSession,
    *,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    svc = services(request)
    account = await svc.accounts.get_by_id(session.account_id)
    ctx = {
        "account": account,
        "values": values or _values(account),
        "switches": SWITCHES,
        "privacies": PRIVACY,
        "sessions": await svc.sessions.of_account(session.account_id),
        "current": session.id,
        "messaging_enabled": account.messaging_enabled,
        "blocked": await svc.messages.blocked_users(account.id),
        "errors": {"settings": "", "password": "", "delete": "", "messaging": "", **(errors or {})},
        "done": DONE.get(request.query_params.get("done") or "", ""),
    }
    return render(request, v, "settings.html", ctx, status=status)


@router.get("/account/settings")
async def settings_page(request: Request) -> Response:
    session = await signed_in(request)
    return await settings_response(request, await viewer(request), session)


@router.post("/account/settings")
async def save_settings(request: Request) -> Response:
    v, form = await submitted(request)
    session = await signed_in(request)
    svc = services(request)
    # A checkbox left unticked is not sent at all: on this form, absent means off.
    values: dict[str, str | None] = {k: "1" if form.get(k) else "0" for k, _ in SWITCHES}
    values.update({k: forms.text(form, k) for k in TEXTS})
    try:
        await svc.accounts.update_settings(await svc.accounts.get_by_id(session.account_id), values)
    except ImghostError as exc:
        shown = {**{k: values[k] or "" for k in TEXTS}, **{k: values[k] == "1" for k, _ in SWITCHES}}
        return await settings_response(
            request, v, session, values=shown, errors={"settings": exc.public}, status=400
        )
    return see_other(request, v, "/account/settings?done=settings")


@router.post("/account/password")
async def change_password(request: Request) -> Response:
    v, form = await submitted(request)
    session = await signed_in(request)
    svc = services(request)
    try:
        await _confirm(request, session, form.get("current"), "That is not your current password.")
        if (form.get("password") or "") != (form.get("password2") or ""):
            raise InvalidRequest("The two new passwords are not the same.")
        await svc.accounts.set_password(session.account_id, form.get("password") or "")
    except ImghostError as exc:
        return await settings_response(
            request, v, session, errors={"password": exc.public}, status=exc.status
        )
    # Whoever else had a session with the old password has it no longer; this one goes on.
    await svc.sessions.end_others(session.account_id, session.id)
    return see_other(request, v, "/account/settings?done=password")


@router.post("/account/sessions/end")
async def end_session(request: Request) -> Response:
    v, form = await submitted(request)
    session = await signed_in(request)
    target = form.get("session") or ""
    if target == session.id:
        return await _signed_out(request, v)
    if not await services(request).sessions.end_one(session.account_id, target):
        raise NotFound("That session has already ended.")
    return see_other(request, v, "/account/settings?done=session")


@router.post("/account/sessions/end-all")
async def end_all_sessions(request: Request) -> Response:
    v, _ = await submitted(request)
    session = await signed_in(request)
    await services(request).sessions.end_all(session.account_id)
    return await _signed_out(request, v)


@router.post("/account/delete")
async def delete_account(request: Request) -> Response:
    v, form = await submitted(request)
    session = await signed_in(request)
    svc = services(request)
    try:
        if (form.get("confirm") or "").lower() != session.username.lower():
            raise InvalidRequest("Type your username exactly to confirm.")
        account = await _confirm(request, session, form.get("password"), "That is not your password.")
    except ImghostError as exc:
        return await settings_response(request, v, session, errors={"delete": exc.public}, status=exc.status)
    await svc.sessions.end_all(account.id)
    await svc.accounts.delete(account)
    return await _signed_out(request, v, ended=True)


@router.post("/account/switch")
async def switch_account(request: Request) -> Response:
    """ "Not you?" on the allow page: sign out, then back to where the person was (its client and state)."""
    v, form = await submitted(request)
    return await _signed_out(request, v, target=safe_next(form.get("next")))


async def _confirm(request: Request, session: WebSession, password: str | None, wrong: str) -> Account:
    """The account, once its password is typed again (counted like any sign-in attempt)."""
    svc = services(request)
    try:
        return await svc.accounts.authenticate(
            session.username, password or "", svc.addresses.of(request.scope)
        )
    except Unauthorized:
        raise Unauthorized(wrong) from None


async def _signed_out(request: Request, v: Viewer, *, target: str = "/", ended: bool = False) -> Response:
    if not ended:
        await services(request).sessions.end(session_token(request))
    response = see_other(request, v, target)
    end_session_cookie(request, response)
    return response
