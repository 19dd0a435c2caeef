"""GET /3/notification/stream: the signed-in account's unread notification count as server-sent events
(domain/notifications/live.py says what is sent, how long a stream lasts and how other processes'
changes arrive). A bearer token is required; an application's Client-ID alone names nobody.

Included before the notification routes: its path has the shape of /3/notification/{id}."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.api.deps import services as _svc
from imghost.api.deps import subject as _subject
from imghost.errors import Unauthorized
from imghost.http.event_stream import EventStreamResponse

router = APIRouter(prefix="/3", tags=["notification"])

# No proxy may hold the events back (X-Accel-Buffering) or keep them.
STREAM_HEADERS = {"cache-control": "no-store", "x-accel-buffering": "no"}


@router.get(
    "/notification/stream",
    summary='Server-sent events: `unread` ({"unread": N}) at connect and on each change',
    operation_id="notification_stream",
)
async def stream(request: Request) -> Response:
    who = _subject(request)
    if who.account_id is None:
        raise Unauthorized("Sign in (a bearer token) to hear of your notifications")
    svc = _svc(request)
    account_id = who.account_id
    svc.live.check(account_id)

    async def count() -> int:
        return await svc.notifications.unread(account_id)

    return EventStreamResponse(svc.live.events(account_id, count), STREAM_HEADERS)
