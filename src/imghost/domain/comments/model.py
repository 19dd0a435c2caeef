"""The records the comment service hands out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DELETED = "[deleted]"
POST_SORTS = ("best", "top", "new")
ACCOUNT_SORTS = ("best", "worst", "oldest", "newest")


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    post_id: str
    on_album: bool
    account_id: int | None  # None once the author's account is gone (the comment stayed as deleted)
    author: str | None
    author_is_admin: bool
    parent_id: int | None  # None at the top level
    body: str
    ups: int
    downs: int
    points: int
    best: float
    deleted: bool
    platform: str
    hidden: bool
    created_at: int

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Comment:
        return cls(
            id=int(row["id"]),
            post_id=row["post_id"],
            on_album=row["album_id"] is not None,
            account_id=None if row["account_id"] is None else int(row["account_id"]),
            author=row["author"],
            author_is_admin=row["author_role"] == "admin",
            parent_id=None if row["parent_id"] is None else int(row["parent_id"]),
            body=row["body"],
            ups=int(row["ups"]),
            downs=int(row["downs"]),
            points=int(row["points"]),
            best=float(row["best"]),
            deleted=bool(row["deleted"]),
            platform=row["platform"],
            hidden=bool(row["hidden"]),
            created_at=int(row["created_at"]),
        )


@dataclass
class Thread:
    """A comment as a reader sees it: with its replies (sorted), the viewer's vote (1, -1 or 0) and,
    on an album's post, the album's cover."""

    comment: Comment
    children: list[Thread] = field(default_factory=list)
    vote: int = 0
    album_cover: str | None = None


@dataclass(frozen=True, slots=True)
class Posted:
    """What a new comment was made on: for the events published once it is stored."""

    comment_id: int
    post_id: str
    post_owner_id: int
    parent_id: int | None
    parent_author_id: int | None
