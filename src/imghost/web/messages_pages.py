"""Private messages in the browser: /messages (the conversations, the latest activity first), one
conversation with its reply form, compose (/messages/new?to=name), and the forms that delete a
conversation (for the signed-in side only), block or unblock the other account and report it.

A refused send (the other closed its inbox or blocked the sender, a rate limit, an unknown name) is a
notice on the form that sent it, with what was typed kept, not an error page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.api.params import digits
from imghost.auth import Subject
from imghost.domain.messages.model import Conversation
from imghost.domain.messages.service import LIST_PAGE, PAGE
from imghost.errors import ConversationNotFound, ImghostError
from imghost.web import forms
from imghost.web.forms import see_other, submitted
from imghost.web.templating import render
from imghost.web.viewer import Viewer, services, signed_in, viewer

router = APIRouter(include_in_schema=False)

PREVIEW = 120  # characters of the last message in the list
# The moderation queue's reason codes (domain/moderation) that fit messages, as a person reads them.
REASONS = (
    (2, "Spam"),
    (3, "Abusive or harassing"),
    (5, "Pornography or other unwanted sexual content"),
    (1, "Something else that does not belong here"),
)
DONE = {
    "sent": "Your message is sent.",
    "deleted": "The conversation is deleted for you. The other person still has it.",
    "blocked": "You blocked this account: it can no longer send you messages.",
    "unblocked": "You unblocked this account.",
    "reported": "Thank you: the report is in the moderators' queue.",
}


def _subject(v: Viewer) -> Subject:
    return Subject(client_id=None, account_id=v.account_id, username=v.username)


def _done(request: Request) -> str:
    return DONE.get(request.query_params.get("done") or "", "")


async def _me(request: Request) -> Viewer:
    """The viewer of a page that needs an account (a visitor is sent to sign in first)."""
    await signed_in(request)
    return await viewer(request)


@router.get("/messages")
async def messages_page(request: Request) -> Response:
    v = await _me(request)
    svc = services(request)
    page = digits(request.query_params.get("page"), 0)
    found = await svc.messages.conversations(_subject(v), page)
    # A full page may be the last one: look whether anything follows before offering "Older".
    has_next = len(found) == LIST_PAGE and bool(await svc.messages.conversations(_subject(v), page + 1))
    ctx = {
        "conversations": found,
        "page": page,
        "has_next": has_next,
        "preview": PREVIEW,
        "done": _done(request),
    }
    return render(request, v, "messages.html", ctx)


async def _thread(request: Request, v: Viewer, conversation_id: str) -> Conversation:
    """The conversation's page the query asks for; without one, or past the end, the last (the newest
    messages)."""
    svc = services(request)
    asked = digits(request.query_params.get("page"), 0)
    found = await svc.messages.conversation(_subject(v), conversation_id, max(asked, 1))
    last = max(1, -(-found.message_count // PAGE))
    if (asked == 0 or asked > last) and found.page != last:
        found = await svc.messages.conversation(_subject(v), conversation_id, last)
    return found


async def _conversation_page(
    request: Request,
    v: Viewer,
    conversation_id: str,
    *,
    error: str = "",
    body: str = "",
    status: int = 200,
) -> Response:
    svc = services(request)
    found = await _thread(request, v, conversation_id)
    assert v.account_id is not None
    await svc.notifications.mark_conversation_viewed(v.account_id, found.id)
    ctx: Mapping[str, Any] = {
        "conversation": found,
        "pages": max(1, -(-found.message_count // PAGE)),
        "blocked": await svc.messages.is_blocked(_subject(v), found.with_account),
        "reasons": REASONS,
        "error": error,
        "body": body,
        "done": _done(request),
    }
    return render(request, v, "conversation.html", ctx, status=status)


@router.get("/messages/new")
async def compose_page(request: Request) -> Response:
    v = await _me(request)
    to = (request.query_params.get("to") or "").strip()[:63]
    return render(request, v, "compose.html", {"to": to, "body": "", "error": ""})


@router.post("/messages/new")
async def compose(request: Request) -> Response:
    v, form = await submitted(request)
    await _me(request)
    to, body = (form.get("to") or "").strip(), forms.text(form, "body") or ""
    try:
        sent = await services(request).messages.send(_subject(v), to, body)
    except ImghostError as exc:
        ctx = {"to": to[:63], "body": body, "error": exc.public}
        return render(request, v, "compose.html", ctx, status=exc.status)
    return see_other(request, v, f"/messages/{sent.conversation_id}?done=sent#m{sent.id}")


@router.get("/messages/{conversation_id}")
async def conversation_page(request: Request, conversation_id: str) -> Response:
    v = await _me(request)
    return await _conversation_page(request, v, conversation_id)


@router.post("/messages/{conversation_id}")
async def reply(request: Request, conversation_id: str) -> Response:
    """A reply goes to the conversation's other party: a pair of accounts has one conversation."""
    v, form = await submitted(request)
    await _me(request)
    svc = services(request)
    found = await svc.messages.conversation(_subject(v), conversation_id)
    body = forms.text(form, "body") or ""
    try:
        sent = await svc.messages.send(_subject(v), found.with_account, body)
    except ImghostError as exc:
        return await _conversation_page(
            request, v, conversation_id, error=exc.public, body=body, status=exc.status
        )
    return see_other(request, v, f"/messages/{sent.conversation_id}?done=sent#m{sent.id}")


@router.post("/messages/{conversation_id}/delete")
async def delete(request: Request, conversation_id: str) -> Response:
    v, _ = await submitted(request)
    await _me(request)
    await services(request).messages.delete_conversation(_subject(v), conversation_id)
    return see_other(request, v, "/messages?done=deleted")


@router.post("/messages/{conversation_id}/{action}")
async def block_or_report(request: Request, conversation_id: str, action: str) -> Response:
    """block, unblock and report: about the conversation's other party."""
    v, form = await submitted(request)
    await _me(request)
    svc = services(request)
    if action not in ("block", "unblock", "report"):
        raise ConversationNotFound(conversation_id)
    found = await svc.messages.conversation(_subject(v), conversation_id)
    try:
        if action == "block":
            await svc.messages.block(_subject(v), found.with_account)
        elif action == "unblock":
            await svc.messages.unblock(_subject(v), found.with_account)
        else:
            await svc.messages.report(_subject(v), found.with_account, form.get("reason"))
    except ImghostError as exc:
        return await _conversation_page(request, v, conversation_id, error=exc.public, status=exc.status)
    done = {"block": "blocked", "unblock": "unblocked", "report": "reported"}[action]
    return see_other(request, v, f"/messages/{quote(str(found.id))}?done={done}")
