"""Domain events: facts the services announce after they happened, for whoever wants to react.

The seam between what the community does and what it causes elsewhere (notifications, later): a
service publishes an event once its transaction has committed, so a handler only ever hears of a
comment that exists, and a failing or slow handler cannot undo or hold up the write. Handlers are
async callables subscribed per event type at start-up (Services.start); they run in the order
subscribed, in the process that made the change, and one handler's failure is logged without keeping
the others from running or failing the request (the write already happened). Delivery is at most
once: a process that dies between the commit and the publish loses the event, which suits
notifications (a durable queue can subscribe here later if something needs more).

Events are plain facts: they name who did what to whom, including when an account replies to itself
or comments on its own post; a handler decides what deserves a notification.

    events.subscribe(ReplyPosted, notify_parent_author)
    ...
    await events.publish(ReplyPosted(comment_id=7, parent_id=3, parent_author_id=12, author_id=40, post_id="abc"))
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

log = logging.getLogger(__name__)


class DomainEvent:
    """The base of every event type (frozen dataclasses)."""


@dataclass(frozen=True, slots=True)
class CommentPosted(DomainEvent):
    """A top-level comment on a gallery post."""

    comment_id: int
    post_id: str
    post_owner_id: int
    author_id: int


@dataclass(frozen=True, slots=True)
class ReplyPosted(DomainEvent):
    """A reply to a comment. parent_author_id is None when the parent's account is gone."""

    comment_id: int
    parent_id: int
    parent_author_id: int | None
    author_id: int
    post_id: str


@dataclass(frozen=True, slots=True)
class MessageSent(DomainEvent):
    """A private message, stored; the recipient is the other party of its conversation."""

    message_id: int
    conversation_id: int
    sender_id: int
    recipient_id: int


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[E], Awaitable[None]]


class Events:
    """A tiny in-process event bus, typed by event class."""

    def __init__(self) -> None:
        self._handlers: dict[type[DomainEvent], list[Callable[[Any], Awaitable[None]]]] = {}

    def subscribe(self, kind: type[E], handler: Handler[E]) -> None:
        self._handlers.setdefault(kind, []).append(handler)

    async def publish(self, event: DomainEvent) -> None:
        """Run every handler of the event's type; call it after the transaction that made the fact
        has committed."""
        for handler in self._handlers.get(type(event), ()):
            try:
                await handler(event)
            except Exception:
                log.exception("handler of %s failed", type(event).__name__)
