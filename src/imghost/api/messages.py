"""Private messages (§3.7): the 2012 message routes, the later conversation routes (both views of one
store, domain/messages) and blocks, also at /account/v1/{u}/block outside /3 (docs-new).

Included before the account router: POST /account/{u}/message is one of its paths' shapes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.api.deps import services as _svc
from imghost.api.deps import subject as _subject
from imghost.api.envelope import ok, ok_body
from imghost.api.inbox_answers import kept_inbox_answer
from imghost.api.params import digits
from imghost.domain.messages.model import Conversation, Message
from imghost.http.params import read_params

router = APIRouter(prefix="/3", tags=["message"])
blocks = APIRouter(prefix="/account/v1", tags=["message"])

PREVIEW = 100  # characters of the last message in a conversation list


def message_json(m: Message) -> dict[str, Any]:
    """The Message object (§2.11) with the 2012 fields: parent_id is the thread's first message."""
    return {
        "id": m.id,
        "from": m.sender,
        "account_id": m.sender_id,
        "sender_id": m.sender_id,
        "body": m.body,
        "subject": m.subject or "",
        "parent_id": m.first_id,
        "conversation_id": m.conversation_id,
        "datetime": m.created_at,
    }


def conversation_json(c: Conversation, *, with_messages: bool = False) -> dict[str, Any]:
    """The Conversation object (§2.10); one asked for by id also has its page of messages."""
    out: dict[str, Any] = {
        "id": c.id,
        "last_message_preview": c.last.body[:PREVIEW],
        "datetime": c.last.created_at,
        "with_account_id": c.with_account_id,
        "with_account": c.with_account,
        "message_count": c.message_count,
    }
    if with_messages:
        out.update(messages=[message_json(m) for m in c.messages], done=c.done, page=c.page)
    return out


# ---------------------------------------------------------------------------------- 2012 routes


@router.get("/messages", summary="The latest message of every thread", operation_id="messages_list")
async def threads(request: Request) -> Response:
    p = await read_params(request)
    found = await _svc(request).messages.threads(_subject(request), digits(p.get("page"), 0))
    return ok([message_json(m) for m in found])


@router.get("/messages/count", summary="How many messages you have", operation_id="messages_count")
async def count(request: Request) -> Response:
    return ok(await _svc(request).messages.count(_subject(request)))


@router.get("/messages/ids", summary="Ids of your messages", operation_id="messages_ids")
@router.get("/messages/ids/{page}", summary="Ids of your messages, a page", operation_id="messages_ids_page")
async def ids(request: Request, page: str | None = None) -> Response:
    return ok(await _svc(request).messages.message_ids(_subject(request), digits(page, 0)))


@router.post(
    "/message", summary="Send a message (recipient, body, subject, parent_id)", operation_id="message_new"
)
async def create(request: Request) -> Response:
    p = await read_params(request)
    await _svc(request).messages.send(
        _subject(request),
        p.get("recipient"),
        p.get("body"),
        title=p.get("subject"),
        parent_id=p.get("parent_id", "parentId"),
    )
    return ok(True)


@router.post(
    "/account/{username}/message", summary="Send a message to an account", operation_id="account_message"
)
async def create_to(request: Request, username: str) -> Response:
    p = await read_params(request)
    await _svc(request).messages.send(
        _subject(request), username, p.get("body"), title=p.get("subject"), parent_id=p.get("parent_id")
    )
    return ok(True)


@router.post("/message/report/{username}", summary="Report a sender", operation_id="message_report")
async def report(request: Request, username: str) -> Response:
    p = await read_params(request)
    await _svc(request).messages.report(_subject(request), username, p.get("reason"))
    return ok(True)


@router.post("/message/block/{username}", summary="Block a sender", operation_id="message_block")
async def block(request: Request, username: str) -> Response:
    await _svc(request).messages.block(_subject(request), username)
    return ok(True)


@router.get("/message/{message_id}", summary="A message", operation_id="message_get")
async def get_message(request: Request, message_id: str) -> Response:
    return ok(message_json(await _svc(request).messages.message(_subject(request), message_id)))


@router.get("/message/{message_id}/thread", summary="A message's whole thread", operation_id="message_thread")
async def thread(request: Request, message_id: str) -> Response:
    found = await _svc(request).messages.thread(_subject(request), message_id)
    return ok([message_json(m) for m in found])


@router.delete(
    "/message/{message_id}", summary="Delete a message (for you only)", operation_id="message_delete"
)
async def delete_message(request: Request, message_id: str) -> Response:
    await _svc(request).messages.delete_message(_subject(request), message_id)
    return ok(True)


# -------------------------------------------------------------------------- conversation routes


@router.get("/conversations", summary="Your conversations, latest first", operation_id="conversations_list")
async def conversations(request: Request) -> Response:
    p = await read_params(request)
    page = digits(p.get("page"), 0)

    async def make() -> bytes:
        found = await _svc(request).messages.listing(_subject(request), page)
        return ok_body(
            [
                {
                    "id": r["conversation_id"],
                    "last_message_preview": r["body"][:PREVIEW],
                    "datetime": r["created_at"],
                    "with_account_id": r["with_account_id"],
                    "with_account": r["with_account"],
                    "message_count": r["message_count"],
                }
                for r in found
            ]
        )

    # Kept under the account's inbox version (api/inbox_answers.py), as the page below.
    return await kept_inbox_answer(request, ("conversations", page), make)


@router.post(
    "/conversations/report/{username}", summary="Report a sender", operation_id="conversation_report"
)
async def report_sender(request: Request, username: str) -> Response:
    return await report(request, username)


@router.post("/conversations/block/{username}", summary="Block a sender", operation_id="conversation_block")
async def block_sender(request: Request, username: str) -> Response:
    return await block(request, username)


@router.get("/conversations/{conversation_id}", summary="A conversation", operation_id="conversation_get")
@router.get(
    "/conversations/{conversation_id}/{page}",
    summary="A conversation, a page",
    operation_id="conversation_page",
)
@router.get(
    "/conversations/{conversation_id}/{page}/{offset}",
    summary="A conversation, a page after an offset",
    operation_id="conversation_page_offset",
)
async def conversation(
    request: Request, conversation_id: str, page: str | None = None, offset: str | None = None
) -> Response:
    number, skip = digits(page, 1), digits(offset, 0)

    async def make() -> bytes:
        found = await _svc(request).messages.conversation(_subject(request), conversation_id, number, skip)
        return ok_body(conversation_json(found, with_messages=True))

    return await kept_inbox_answer(request, ("conversation", conversation_id, number, skip), make)


async def conversation_first_page(request: Request, conversation_id: str) -> Response:
    """GET /3/conversations/{id} as the API edge's fast route dispatches it (one path parameter)."""
    return await conversation(request, conversation_id)


@router.post("/conversations/{username}", summary="Send a message", operation_id="conversation_new")
async def send(request: Request, username: str) -> Response:
    p = await read_params(request)
    await _svc(request).messages.send(_subject(request), username, p.get("body"), title=p.get("subject"))
    return ok(True)


@router.delete(
    "/conversations/{conversation_id}",
    summary="Delete a conversation (for you only)",
    operation_id="conversation_delete",
)
async def delete_conversation(request: Request, conversation_id: str) -> Response:
    await _svc(request).messages.delete_conversation(_subject(request), conversation_id)
    return ok(True)


# ----------------------------------------------------------------------------------------- blocks


@router.get(
    "/account/{username}/block", summary="The accounts you block (owner; me)", operation_id="account_blocks"
)
async def blocked_list(request: Request, username: str) -> Response:
    """docs-new's shape: {items: [{url}], next: null} (the whole list: blocks are few)."""
    svc = _svc(request)
    account = await svc.accounts.resolve_owned(_subject(request), username)
    blocked = await svc.messages.blocked_users(account.id)
    return ok({"items": [{"url": name, "id": i} for i, name in blocked], "next": None})


@blocks.get("/{username}/block", summary="Whether you blocked the account", operation_id="block_get")
async def block_status(request: Request, username: str) -> Response:
    return ok({"blocked": await _svc(request).messages.is_blocked(_subject(request), username)})


@blocks.post("/{username}/block", summary="Block the account", operation_id="block_add")
async def block_add(request: Request, username: str) -> Response:
    await _svc(request).messages.block(_subject(request), username)
    return ok({"blocked": True})


@blocks.delete("/{username}/block", summary="Unblock the account", operation_id="block_remove")
async def block_remove(request: Request, username: str) -> Response:
    await _svc(request).messages.unblock(_subject(request), username)
    return ok({"blocked": False})
