"""The records the notifications service hands out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# A reply to one's comment and a comment on one's post are both "replies" to Imgur's clients (the
# `replies` list); a message notification stands for a conversation.
REPLY = "reply"
COMMENT = "comment"
MESSAGE = "message"
REPLY_KINDS = (REPLY, COMMENT)


@dataclass(frozen=True, slots=True)
class Notification:
    id: int
    account_id: int  # the recipient
    kind: str
    actor_id: int  # who replied, commented or wrote
    comment_id: int | None
    conversation_id: int | None
    message_id: int | None
    viewed: bool
    created_at: int

    @property
    def is_reply(self) -> bool:
        return self.kind in REPLY_KINDS

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Notification:
        def maybe(name: str) -> int | None:
            value = row[name]
            return None if value is None else int(value)

        return cls(
            id=int(row["id"]),
            account_id=int(row["account_id"]),
            kind=row["kind"],
            actor_id=int(row["actor_id"]),
            comment_id=maybe("comment_id"),
            conversation_id=maybe("conversation_id"),
            message_id=maybe("message_id"),
            viewed=bool(row["viewed"]),
            created_at=int(row["created_at"]),
        )
