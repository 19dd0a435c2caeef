"""An account's gallery rows (§3.1): the posts it submitted, the posts it upvoted ("likes"), the posts it
favourited, and the totals of its gallery profile (§2.7).

Each page is one query on an index of the account's own rows (gallery_posts by account, gallery_votes by
account, the favourite tables by account), joined to the posts. Posts hidden by reports are left out except
for their owner, as the listings leave them out for everybody."""

from __future__ import annotations

from dataclasses import dataclass

from imghost.db.database import Connection
from imghost.domain.gallery.model import UP, Post
from imghost.domain.gallery.repository import SELECT

# Submissions: newest (the default), oldest, best and worst (by points; ties newest first).
SUBMISSION_SORTS = {
    "newest": "p.shared_at DESC, p.id DESC",
    "oldest": "p.shared_at ASC, p.id ASC",
    "best": "p.points DESC, p.shared_at DESC, p.id DESC",
    "worst": "p.points ASC, p.shared_at DESC, p.id DESC",
}

# Favourites of images and of albums, one stream ordered by when they were favourited.
_FAVORITES = (
    "SELECT image_id AS item_id, created_at FROM favorites WHERE account_id = :a"
    " UNION ALL SELECT album_id AS item_id, created_at FROM album_favorites WHERE account_id = :a"
)


@dataclass(frozen=True)
class GalleryProfile:
    total_gallery_comments: int
    total_gallery_favorites: int
    total_gallery_submissions: int


def submission_sort(value: str | None) -> str:
    """A submissions sort; anything else is the default, as Imgur answers odd values."""
    sort = (value or "").lower()
    return sort if sort in SUBMISSION_SORTS else "newest"


async def submissions(
    db: Connection, account_id: int, *, sort: str, limit: int, offset: int, include_hidden: bool
) -> list[Post]:
    hidden = "" if include_hidden else " AND p.hidden = :no"
    rows = await db.fetch_all(
        f"{SELECT} WHERE p.account_id = :a{hidden}"
        f" ORDER BY {SUBMISSION_SORTS[submission_sort(sort)]} LIMIT :limit OFFSET :offset",
        {"a": account_id, "no": False, "limit": limit, "offset": offset},
    )
    return [Post.from_row(r) for r in rows]


async def likes(db: Connection, account_id: int, *, limit: int, offset: int) -> list[Post]:
    """Posts the account upvoted, the latest vote first."""
    rows = await db.fetch_all(
        f"{SELECT} JOIN gallery_votes v ON v.post_id = p.id AND v.account_id = :a AND v.vote = :up"
        " WHERE p.hidden = :no ORDER BY v.created_at DESC, p.id DESC LIMIT :limit OFFSET :offset",
        {"a": account_id, "up": UP, "no": False, "limit": limit, "offset": offset},
    )
    return [Post.from_row(r) for r in rows]


async def favorites(
    db: Connection, account_id: int, *, newest: bool, limit: int, offset: int, include_hidden: bool
) -> list[Post]:
    """The account's favourites that are gallery posts, in the order they were favourited."""
    order = "DESC" if newest else "ASC"
    hidden = "" if include_hidden else " WHERE p.hidden = :no"
    rows = await db.fetch_all(
        f"{SELECT} JOIN ({_FAVORITES}) f ON f.item_id = p.id{hidden}"
        f" ORDER BY f.created_at {order}, p.id {order} LIMIT :limit OFFSET :offset",
        {"a": account_id, "no": False, "limit": limit, "offset": offset},
    )
    return [Post.from_row(r) for r in rows]


async def profile(db: Connection, account_id: int) -> GalleryProfile:
    """The totals as anybody sees them: what the account's public rows show, counted."""
    row = await db.fetch_one(
        "SELECT"
        " (SELECT COUNT(*) FROM comments c WHERE c.account_id = :a AND c.deleted = :no) AS comments,"
        f" (SELECT COUNT(*) FROM ({_FAVORITES}) f JOIN gallery_posts p ON p.id = f.item_id"
        "   WHERE p.hidden = :no) AS favorites,"
        " (SELECT COUNT(*) FROM gallery_posts p WHERE p.account_id = :a AND p.hidden = :no) AS submissions",
        {"a": account_id, "no": False},
    )
    assert row is not None
    return GalleryProfile(
        total_gallery_comments=int(row["comments"]),
        total_gallery_favorites=int(row["favorites"]),
        total_gallery_submissions=int(row["submissions"]),
    )
