"""Notifications (§3.8, and the account rows of §3.1): replies to one's comments, comments on one's
posts and messages, for their recipient only.

A Notification is `{id, account_id, viewed, content}`. A reply's content is the Comment (§2.8, its
`children` empty: the replies to it are at /3/comment/{id}/replies) with the 2012 `caption` beside
`comment` (PyImgur tells a comment by it); a message's content is the conversation's latest Message
(§2.11, with `subject` and `parent_id`, PyImgur's marks of a message) with the conversation summary
the 2012 model carried (`with_account`, `with_account_id`, `last_message`, `message_num`).

Lists answer one page (50 newest per kind; `page` in the query goes further), so that an account with
a hundred thousand of them is answered as fast as one with ten. Someone else's notification is not
found, whatever the id: nothing tells that it exists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.api.deps import services as _svc
from imghost.api.deps import subject as _subject
from imghost.api.envelope import ok, ok_body
from imghost.api.inbox_answers import kept_inbox_answer
from imghost.api.messages import PREVIEW
from imghost.api.params import digits
from imghost.domain.comments.model import DELETED
from imghost.domain.gallery.model import VOTE_NAMES
from imghost.domain.notifications.model import REPLY_KINDS
from imghost.errors import NotificationNotFound
from imghost.http.params import read_params
from imghost.ids import row_number

router = APIRouter(prefix="/3", tags=["notification"])


Row = Mapping[str, Any]


def reply_row_json(r: Row) -> dict[str, Any]:
    """A reply's Notification from its listing row (domain/notifications reply_listing), straight to
    the object without records in between. The listing leaves deleted comments out."""
    author_id = r["account_id"]
    vote = r["vote"]
    body = r["body"]
    return _notification(
        r,
        {
            "id": r["id"],
            "image_id": r["post_id"],
            "comment": body,
            "author": DELETED if author_id is None else r["author"],
            "author_id": 0 if author_id is None else author_id,
            "on_album": r["album_id"] is not None,
            "album_cover": r["album_cover"],
            "ups": r["ups"],
            "downs": r["downs"],
            "points": r["points"],
            "datetime": r["created_at"],
            "parent_id": r["parent_id"] or 0,
            "deleted": False,
            "vote": None if vote is None else VOTE_NAMES.get(int(vote)),
            "children": [],
            "platform": r["platform"],
            "has_admin_badge": author_id is not None and r["author_role"] == "admin",
            "caption": body,
        },
    )


def message_row_json(r: Row) -> dict[str, Any]:
    """A message's Notification from its listing row (message_listing)."""
    body = r["body"]
    return _notification(
        r,
        {
            "id": r["id"],
            "from": r["sender"],
            "account_id": r["sender_id"],
            "sender_id": r["sender_id"],
            "body": body,
            "subject": r["subject"] or "",
            "parent_id": r["first_id"],
            "conversation_id": r["conversation_id"],
            "datetime": r["created_at"],
            "with_account": r["with_account"],
            "with_account_id": r["with_account_id"],
            "last_message": body[:PREVIEW],
            "message_num": r["message_count"],
        },
    )


def _notification(r: Row, content: dict[str, Any]) -> dict[str, Any]:
    """The Notification object around its content, from the row's n_ columns."""
    return {
        "id": r["n_id"],
        "account_id": r["n_account_id"],
        "viewed": bool(r["n_viewed"]),
        "content": content,
    }


def notification_json(r: Row) -> dict[str, Any]:
    return reply_row_json(r) if r["n_kind"] in REPLY_KINDS else message_row_json(r)


async def _wanted(request: Request) -> tuple[bool, int]:
    """`new` (default true; PyImgur sends Python's True/False, imgurpython true/false) and `page`."""
    p = await read_params(request)
    return p.get_bool("new", True), digits(p.get("page"), 0)


async def _kind_json(request: Request, *, replies: bool, new_only: bool, page: int) -> list[dict[str, Any]]:
    found = await _svc(request).notifications.listing(
        _subject(request), replies=replies, new_only=new_only, page=page
    )
    present = reply_row_json if replies else message_row_json
    return [present(r) for r in found]


async def _kind(request: Request, *, replies: bool) -> Response:
    """One kind's list, kept under the account's inbox version (api/inbox_answers.py)."""
    new_only, page = await _wanted(request)

    async def make() -> bytes:
        return ok_body(await _kind_json(request, replies=replies, new_only=new_only, page=page))

    return await kept_inbox_answer(request, ("replies" if replies else "messages", new_only, page), make)


async def _both(request: Request) -> Response:
    new_only, page = await _wanted(request)

    async def make() -> bytes:
        return ok_body(
            {
                "replies": await _kind_json(request, replies=True, new_only=new_only, page=page),
                "messages": await _kind_json(request, replies=False, new_only=new_only, page=page),
            }
        )

    return await kept_inbox_answer(request, ("notifications", new_only, page), make)


def _id(value: str) -> int:
    number = row_number(value)
    if number is None:
        raise NotificationNotFound(value)
    return number


# ------------------------------------------------------------------------------------ /notification


@router.get(
    "/notification", summary="Your notifications (new: unviewed only, default)", operation_id="notifications"
)
async def notifications(request: Request) -> Response:
    return await _both(request)


@router.get("/notification/{notification_id}", summary="One notification", operation_id="notification")
async def notification(request: Request, notification_id: str) -> Response:
    return ok(
        notification_json(await _svc(request).notifications.entry(_subject(request), _id(notification_id)))
    )


@router.post("/notification/{notification_id}", summary="Mark viewed", operation_id="notification_viewed")
@router.put(
    "/notification/{notification_id}", summary="Mark viewed (2012)", operation_id="notification_viewed_put"
)
async def viewed(request: Request, notification_id: str) -> Response:
    svc = _svc(request)
    subject = _subject(request)
    found = await svc.notifications.entry(subject, _id(notification_id))
    await svc.notifications.mark_viewed(found["n_account_id"], [found["n_id"]])
    return ok(True)


@router.post(
    "/notification", summary="Mark several viewed (ids: a comma list)", operation_id="notifications_viewed"
)
async def viewed_many(request: Request) -> Response:
    p = await read_params(request)
    ids = [_id(v.strip()) for v in (p.get_list("ids") or []) if v.strip()]
    account_id = _svc(request).notifications.recipient(_subject(request))
    await _svc(request).notifications.mark_viewed(account_id, ids)
    return ok(True)


# ------------------------------------------------------------------------- /account/{u}/notifications


async def _owner(request: Request, username: str) -> None:
    await _svc(request).accounts.resolve_owned(_subject(request), username)


@router.get(
    "/account/{username}/notifications",
    summary="The account's notifications (owner)",
    operation_id="account_notifications",
)
async def account_notifications(request: Request, username: str) -> Response:
    await _owner(request, username)
    return await _both(request)


@router.get(
    "/account/{username}/notifications/replies",
    summary="The account's reply notifications (owner)",
    operation_id="account_notification_replies",
)
async def account_replies(request: Request, username: str) -> Response:
    await _owner(request, username)
    return await _kind(request, replies=True)


@router.get(
    "/account/{username}/notifications/messages",
    summary="The account's message notifications (owner)",
    operation_id="account_notification_messages",
)
async def account_messages(request: Request, username: str) -> Response:
    await _owner(request, username)
    return await _kind(request, replies=False)
