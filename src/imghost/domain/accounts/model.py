"""The account record the account service hands out, and what a favorite points at."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    username: str
    email: str
    bio: str | None
    reputation: float
    created_at: int
    public_images: bool
    album_privacy: str
    messaging_enabled: bool
    show_mature: bool
    newsletter_subscribed: bool
    accepted_gallery_terms: bool
    high_quality: bool
    avatar: str | None
    cover: str | None
    email_verified: bool
    role: str = "user"  # "admin" moderates the community (imghost user admin NAME)
    banned: bool = False  # reads, cannot write
    password_hash: str = field(repr=False, default="")  # for the service's own password checks

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Account:
        return cls(
            id=int(row["id"]),
            username=row["username"],
            email=row["email"],
            bio=row["bio"],
            reputation=float(row["reputation"]),
            created_at=int(row["created_at"]),
            public_images=bool(row["public_images"]),
            album_privacy=row["album_privacy"],
            messaging_enabled=bool(row["messaging_enabled"]),
            show_mature=bool(row["show_mature"]),
            newsletter_subscribed=bool(row["newsletter_subscribed"]),
            accepted_gallery_terms=bool(row["accepted_gallery_terms"]),
            high_quality=bool(row["high_quality"]),
            avatar=row["avatar"],
            cover=row["cover"],
            email_verified=bool(row["email_verified"]),
            role=str(row.get("role") or "user"),
            banned=bool(row.get("banned") or False),
            password_hash=row.get("password_hash") or "",
        )


@dataclass(frozen=True, slots=True)
class FavoriteRef:
    kind: Literal["image", "album"]
    item_id: str
