"""What the /notifications page shows of each notification: who, what they wrote, and where it leads,
from the rows the notifications service lists (each with its comment's or message's columns)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from imghost.domain.notifications.model import COMMENT, REPLY_KINDS

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


def item(r: Mapping[str, Any]) -> Item:
    kind = r["n_kind"]
    if kind in REPLY_KINDS:
        who = r["author"] or ""
        target = f"/gallery/{r['post_id']}#c{r['id']}"
        action = "commented on your post" if kind == COMMENT else "replied to your comment"
    else:
        who = r["sender"]
        target = f"/messages/{r['conversation_id']}"
        action = "sent you a message"
    return Item(
        int(r["n_id"]),
        kind,
        bool(r["n_viewed"]),
        int(r["n_created_at"]),
        who,
        _excerpt(r["body"]),
        target,
        f"{who or 'Someone'} {action}",
    )
