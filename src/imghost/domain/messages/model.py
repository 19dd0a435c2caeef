"""The records the messages service hands out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    conversation_id: int
    sender_id: int
    sender: str
    subject: str | None
    body: str
    created_at: int
    first_id: int  # the first message of its conversation: the 2012 thread's id (parent_id)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Message:
        return cls(
            id=int(row["id"]),
            conversation_id=int(row["conversation_id"]),
            sender_id=int(row["sender_id"]),
            sender=row["sender"],
            subject=row["subject"],
            body=row["body"],
            created_at=int(row["created_at"]),
            first_id=int(row["first_id"]),
        )


@dataclass(frozen=True, slots=True)
class Party:
    """One side's view of a conversation: who the other side is, how far this side cleared it."""

    conversation_id: int
    account_id: int
    with_account_id: int
    with_account: str
    cleared_through: int


@dataclass
class Conversation:
    """A conversation as one party sees it (the messages it did not delete)."""

    id: int
    with_account_id: int
    with_account: str
    last: Message
    message_count: int
    messages: list[Message] = field(default_factory=list)
    done: bool = True
    page: int = 1
