"""The image record the image service hands out: what the surfaces read, typed, instead of database rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Image:
    id: str
    deletehash: str
    client_id: str | None
    account_id: int | None
    title: str | None
    description: str | None
    name: str
    blob_id: str
    mime: str
    ext: str
    width: int
    height: int
    size: int
    animated: bool
    has_sound: bool
    mp4_size: int
    nsfw: bool | None
    created_at: int
    views: int
    bandwidth: int
    account_url: str | None = None  # the owner's username
    in_gallery: bool = False  # shared as a gallery post

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Image:
        return cls(
            id=row["id"],
            deletehash=row["deletehash"],
            client_id=row["client_id"],
            account_id=None if row["account_id"] is None else int(row["account_id"]),
            title=row["title"],
            description=row["description"],
            name=row["name"] or "",
            blob_id=row["blob_id"],
            mime=row["mime"],
            ext=row["ext"],
            width=int(row["width"]),
            height=int(row["height"]),
            size=int(row["size"]),
            animated=bool(row["animated"]),
            has_sound=bool(row["has_sound"]),
            mp4_size=int(row["mp4_size"] or 0),
            nsfw=None if row["nsfw"] is None else bool(row["nsfw"]),
            created_at=int(row["created_at"]),
            views=int(row["views"]),
            bandwidth=int(row["bandwidth"]),
            account_url=row.get("account_url"),
            in_gallery=bool(row.get("in_gallery") or False),
        )

    @property
    def is_video(self) -> bool:
        return self.mime.startswith("video/")

    @property
    def has_mp4(self) -> bool:
        """Served as MP4 too: a video that is one, or an animation converted on upload."""
        return bool(self.mp4_size) or self.mime == "video/mp4"
