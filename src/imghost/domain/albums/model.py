"""The album record the album service hands out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Album:
    id: str
    deletehash: str
    client_id: str | None
    account_id: int | None
    title: str | None
    description: str | None
    privacy: str
    layout: str
    cover_id: str | None  # the chosen cover
    created_at: int
    views: int
    images_count: int
    cover: str | None  # the cover shown: the chosen one while it is in the album, else the first image
    account_url: str | None = None
    in_gallery: bool = False  # shared as a gallery post

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Album:
        return cls(
            id=row["id"],
            deletehash=row["deletehash"],
            client_id=row["client_id"],
            account_id=None if row["account_id"] is None else int(row["account_id"]),
            title=row["title"],
            description=row["description"],
            privacy=row["privacy"],
            layout=row["layout"],
            cover_id=row["cover_id"],
            created_at=int(row["created_at"]),
            views=int(row["views"]),
            images_count=int(row["images_count"]),
            cover=row["cover"],
            account_url=row.get("account_url"),
            in_gallery=bool(row.get("in_gallery") or False),
        )
