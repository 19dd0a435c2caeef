"""The records the gallery service hands out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

UP, DOWN = 1, -1
VOTE_NAMES = {UP: "up", DOWN: "down"}


@dataclass(frozen=True, slots=True)
class Post:
    """An image or album shared to the gallery; `id` is the image's or album's id."""

    id: str
    is_album: bool
    account_id: int
    account_url: str
    title: str
    topic_id: int | None
    topic: str | None
    community: str | None
    mature: bool
    shared_at: int
    ups: int
    downs: int
    points: int
    comment_count: int
    hot: float
    rising: float
    hidden: bool

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Post:
        return cls(
            id=row["id"],
            is_album=row["album_id"] is not None,
            account_id=int(row["account_id"]),
            account_url=row.get("account_url") or "",
            title=row["title"],
            topic_id=None if row.get("topic_id") is None else int(row["topic_id"]),
            topic=row.get("topic"),
            community=row.get("community"),
            mature=bool(row["mature"]),
            shared_at=int(row["shared_at"]),
            ups=int(row["ups"]),
            downs=int(row["downs"]),
            points=int(row["points"]),
            comment_count=int(row["comment_count"]),
            hot=float(row["hot"]),
            rising=float(row["rising"]),
            hidden=bool(row["hidden"]),
        )


@dataclass(frozen=True, slots=True)
class Listing:
    """Which posts a gallery listing shows, in what order: everything a listing URL can say."""

    section: str = "hot"  # hot | top | user
    sort: str = "viral"  # viral | top | time | rising
    window: str = "day"  # day | week | month | year | all (for top)
    page: int = 0
    mature: bool = False
    show_viral: bool = True
    community: str | None = None
    tag: str | None = None
    topic_id: int | None = None
    account_id: int | None = None
    per_page: int = 60
