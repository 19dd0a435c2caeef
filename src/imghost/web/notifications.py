"""/notifications: the signed-in person's replies and messages, marked read one by one or all at once,
and /notifications/stream, the badge's live count (the same events as GET /3/notification/stream,
with the session cookie instead of a token)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from imghost.auth import Subject
from imghost.errors import NotificationNotFound
from imghost.http.event_stream import EventStreamResponse
from imghost.ids import row_number
from imghost.web.forms import json_answer, see_other, submitted, wants_json
from imghost.web.notification_items import item
from imghost.web.templating import render
from imghost.web.viewer import services, signed_in, viewer

router = APIRouter(include_in_schema=False)

STREAM_HEADERS = {"cache-control": "no-store", "x-accel-buffering": "no"}
DONE = {"one": "Marked as read.", "all": "Every notification is marked as read."}


def _id(value: str) -> int:
    number = row_number(value)
    if number is None:
        raise NotificationNotFound(value)
    return number


@router.get("/notifications")
async def notifications_page(request: Request) -> Response:
    session = await signed_in(request)
    v = await viewer(request)
    svc = services(request)
    subject = Subject(client_id=None, account_id=session.account_id, username=session.username)
    replies = await svc.notifications.listing(subject, replies=True, new_only=False)
    messages = await svc.notifications.listing(subject, replies=False, new_only=False)
    ctx = {
        "replies": [item(r) for r in replies],
        "messages": [item(r) for r in messages],
        "done": DONE.get(request.query_params.get("done") or "", ""),
    }
    return render(request, v, "notifications.html", ctx, headers={"x-robots-tag": "noindex"})


@router.get("/notifications/stream")
async def notifications_stream(request: Request) -> Response:
    session = await signed_in(request)
    svc = services(request)
    a = session.account_id
    svc.live.check(a)

    async def count() -> int:
        return await svc.notifications.unread(a)

    return EventStreamResponse(svc.live.events(a, count), STREAM_HEADERS)


@router.post("/notifications/read-all")
async def read_all(request: Request) -> Response:
    v, _ = await submitted(request)
    session = await signed_in(request)
    await services(request).notifications.mark_all_viewed(session.account_id)
    if wants_json(request):
        return json_answer({"unread": 0})
    return see_other(request, v, "/notifications?done=all")


@router.post("/notifications/{notification_id}/read")
async def read_one(request: Request, notification_id: str) -> Response:
    v, _ = await submitted(request)
    session = await signed_in(request)
    svc = services(request)
    found = await svc.notifications.get(session.account_id, _id(notification_id))
    await svc.notifications.mark_viewed(session.account_id, [found.id])
    if wants_json(request):
        return json_answer({"unread": await svc.notifications.unread(session.account_id)})
    return see_other(request, v, "/notifications?done=one")


@router.get("/notifications/{notification_id}")
async def follow(request: Request, notification_id: str) -> Response:
    """A notification's link: marks it read, then on to what it is about."""
    session = await signed_in(request)
    svc = services(request)
    subject = Subject(client_id=None, account_id=session.account_id, username=session.username)
    found = item(await svc.notifications.entry(subject, _id(notification_id)))
    if not found.viewed:
        await svc.notifications.mark_viewed(session.account_id, [found.id])
    target = found.target
    return RedirectResponse(target, status_code=303, headers={"cache-control": "no-store"})
