"""The Messaging section of the settings page: whether other people may send the account messages, and
the accounts it blocked (unblock one, or block a username). A block here is the same as the one on a
conversation's page and in the API: the blocked account's messages are refused."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.auth import Subject
from imghost.domain.sessions.service import WebSession
from imghost.errors import ImghostError
from imghost.web.account import settings_response
from imghost.web.forms import see_other, submitted
from imghost.web.viewer import services, signed_in

router = APIRouter(include_in_schema=False)


def _subject(session: WebSession) -> Subject:
    return Subject(client_id=None, account_id=session.account_id, username=session.username)


@router.post("/account/messaging")
async def save_messaging(request: Request) -> Response:
    v, form = await submitted(request)
    session = await signed_in(request)
    svc = services(request)
    # An unticked checkbox is not sent: absent means closed.
    value = "1" if form.get("messaging_enabled") else "0"
    await svc.accounts.update_settings(
        await svc.accounts.get_by_id(session.account_id), {"messaging_enabled": value}
    )
    return see_other(request, v, "/account/settings?done=messaging#messaging-title")


@router.post("/account/blocks")
async def block(request: Request) -> Response:
    v, form = await submitted(request)
    session = await signed_in(request)
    name = (form.get("username") or "").strip()
    try:
        await services(request).messages.block(_subject(session), name)
    except ImghostError as exc:
        return await settings_response(
            request, v, session, errors={"messaging": exc.public}, status=exc.status
        )
    return see_other(request, v, "/account/settings?done=blocked#messaging-title")


@router.post("/account/blocks/remove")
async def unblock(request: Request) -> Response:
    v, form = await submitted(request)
    session = await signed_in(request)
    try:
        await services(request).messages.unblock(_subject(session), (form.get("username") or "").strip())
    except ImghostError as exc:
        return await settings_response(
            request, v, session, errors={"messaging": exc.public}, status=exc.status
        )
    return see_other(request, v, "/account/settings?done=unblocked#messaging-title")
