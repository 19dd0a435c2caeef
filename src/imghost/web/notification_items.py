"""What the /notifications page shows of each notification: who, what they wrote, and where it leads,
looked up through the comments and messages services (a notification row holds only ids)."""

from __future__ import annotations

from dataclasses import dataclass

from imghost.auth import Subject
from imghost.domain.notifications.model import COMMENT, Notification
from imghost.errors import NotFound
from imghost.services import Services

EXCERPT = 200  # characters of the comment or message shown


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    kind: str
    viewed: bool
    created_at: int
    who: str  # the actor's name, or "" when the account is gone
    text: str
    target: str  # where the notification's link leads once it is marked read
    summary: str


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


async def _reply(svc: Services, n: Notification) -> Item:
    who, text, target = "", "This comment is no longer there.", ""
    try:
        c = await svc.comments.find(n.comment_id or 0)
    except NotFound:
        c = None
    if c is not None:
        who = c.author or ""
        text = "This comment is no longer there." if c.deleted else _excerpt(c.body)
        target = f"/gallery/{c.post_id}#c{c.id}"
    action = "commented on your post" if n.kind == COMMENT else "replied to your comment"
    return Item(n.id, n.kind, n.viewed, n.created_at, who, text, target, f"{who or 'Someone'} {action}")


async def _message(svc: Services, subject: Subject, n: Notification) -> Item:
    who, text = "", "This message is no longer there."
    try:
        m = await svc.messages.message(subject, n.message_id or 0)
    except NotFound:
        m = None
    if m is not None:
        who, text = m.sender, _excerpt(m.body)
    target = f"/messages/{n.conversation_id}"
    summary = f"{who or 'Someone'} sent you a message"
    return Item(n.id, n.kind, n.viewed, n.created_at, who, text, target, summary)


async def items(svc: Services, subject: Subject, notes: list[Notification]) -> list[Item]:
    out = []
    for n in notes:
        out.append(await _reply(svc, n) if n.is_reply else await _message(svc, subject, n))
    return out
