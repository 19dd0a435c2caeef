"""SQL for notifications. Every read names its recipient (`account_id = :a`): a row is found only by
the account it belongs to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from imghost.db.database import Connection, Row
from imghost.domain.notifications.model import MESSAGE, REPLY_KINDS, Notification

_COLUMNS = "id, account_id, kind, actor_id, comment_id, conversation_id, message_id, viewed, created_at"
# Nothing from an account the recipient blocks (checked when a row is made, and again when a block
# is placed: notifications_from below).
_NOT_BLOCKED = "NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = :a AND b.blocked_id = :actor)"


async def add_comment(
    tx: Connection, account_id: int, kind: str, actor_id: int, comment_id: int, now: int
) -> int | None:
    """A reply or comment notification; None when the recipient blocks the actor."""
    value = await tx.fetch_value(
        "INSERT INTO notifications (account_id, kind, actor_id, comment_id, viewed, created_at)"
        f" SELECT :a, :kind, :actor, :comment, :no, :now WHERE {_NOT_BLOCKED} RETURNING id",
        {"a": account_id, "kind": kind, "actor": actor_id, "comment": comment_id, "no": False, "now": now},
    )
    return None if value is None else int(value)


async def add_message(
    tx: Connection, account_id: int, actor_id: int, conversation_id: int, message_id: int, now: int
) -> int | None:
    """The conversation's unviewed notification moved to this message (a new id, so that it sorts as
    the newest), or a new one; None when the recipient blocks the sender."""
    params = {
        "a": account_id,
        "actor": actor_id,
        "c": conversation_id,
        "m": message_id,
        "kind": MESSAGE,
        "no": False,
        "now": now,
    }
    await tx.execute(
        "DELETE FROM notifications WHERE conversation_id = :c AND account_id = :a AND viewed = :no",
        params,
    )
    value = await tx.fetch_value(
        "INSERT INTO notifications (account_id, kind, actor_id, conversation_id, message_id, viewed, created_at)"
        f" SELECT :a, :kind, :actor, :c, :m, :no, :now WHERE {_NOT_BLOCKED} RETURNING id",
        params,
    )
    return None if value is None else int(value)


def _kinds(replies: bool) -> tuple[str, dict[str, Any]]:
    kinds = REPLY_KINDS if replies else (MESSAGE,)
    marks = ", ".join(f":k{i}" for i in range(len(kinds)))
    return f"kind IN ({marks})", {f"k{i}": k for i, k in enumerate(kinds)}


async def get(db: Connection, account_id: int, notification_id: int) -> Notification | None:
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM notifications WHERE id = :id AND account_id = :a",
        {"id": notification_id, "a": account_id},
    )
    return None if row is None else Notification.from_row(row)


async def inbox_version(db: Connection, account_id: int) -> int:
    """The account's inbox version (migration 0014): it moves with every committed change to what its
    notification lists, conversation list and conversations show."""
    value = await db.fetch_value("SELECT n FROM inbox_versions WHERE account_id = :a", {"a": account_id})
    return int(value or 0)


async def unread(db: Connection, account_id: int, cap: int) -> int:
    """How many are unviewed, counting no further than cap (the badge says "99+", not the number
    of a flooded account's hundred thousand)."""
    value = await db.fetch_value(
        "SELECT COUNT(*) FROM (SELECT 1 FROM notifications WHERE account_id = :a AND viewed = :no"
        " LIMIT :cap) AS n",
        {"a": account_id, "no": False, "cap": cap},
    )
    return int(value or 0)


async def mark_viewed(tx: Connection, account_id: int, ids: Sequence[int]) -> int:
    if not ids:
        return 0
    marks = ", ".join(f":i{n}" for n in range(len(ids)))
    return await tx.execute(
        f"UPDATE notifications SET viewed = :yes WHERE account_id = :a AND id IN ({marks})",
        {"a": account_id, "yes": True, **{f"i{n}": i for n, i in enumerate(ids)}},
    )


async def mark_all_viewed(tx: Connection, account_id: int) -> int:
    return await tx.execute(
        "UPDATE notifications SET viewed = :yes WHERE account_id = :a AND viewed = :no",
        {"a": account_id, "yes": True, "no": False},
    )


async def mark_conversation_viewed(tx: Connection, account_id: int, conversation_id: int) -> int:
    return await tx.execute(
        "UPDATE notifications SET viewed = :yes WHERE account_id = :a AND conversation_id = :c AND viewed = :no",
        {"a": account_id, "c": conversation_id, "yes": True, "no": False},
    )


async def forget_from(tx: Connection, account_id: int, actor_id: int) -> int:
    """A block placed: what the blocked account caused leaves the blocker's notifications."""
    return await tx.execute(
        "DELETE FROM notifications WHERE account_id = :a AND actor_id = :actor",
        {"a": account_id, "actor": actor_id},
    )


async def forget_comment(tx: Connection, comment_id: int) -> list[int]:
    """A comment deleted (kept as "[deleted]" for its replies): its notifications go; returns whose."""
    rows = await tx.fetch_all(
        "DELETE FROM notifications WHERE comment_id = :c RETURNING account_id", {"c": comment_id}
    )
    return sorted({int(r["account_id"]) for r in rows})


def _page_of(replies: bool, new_only: bool, only: int | None) -> tuple[str, dict[str, Any]]:
    """The page of notification rows (as `page` reads it; or the one row `only`) as a subquery `n`,
    for the listings below."""
    kinds, params = _kinds(replies)
    viewed = " AND viewed = :no" if new_only else ""
    if only is not None:
        viewed += " AND id = :only"
        params["only"] = only
    return (
        "(SELECT id, account_id, kind, viewed, comment_id, message_id, created_at FROM notifications"
        f" WHERE account_id = :a AND {kinds}{viewed} ORDER BY id DESC LIMIT :limit OFFSET :offset) n",
        params,
    )


async def reply_listing(
    db: Connection, account_id: int, *, new_only: bool, limit: int, offset: int, only: int | None = None
) -> list[Row]:
    """A page of reply notifications with their comment in the same row: its post's album, author,
    the recipient's vote on it and, on an album's post, the album's cover. One query where the
    notification rows, the comments, the votes and the covers took four; the page is cut before the
    join, so a comment that is gone or deleted leaves its notification out of the page as before."""
    page, params = _page_of(True, new_only, only)
    return await db.fetch_all(
        "SELECT n.id AS n_id, n.account_id AS n_account_id, n.kind AS n_kind, n.viewed AS n_viewed,"
        " n.created_at AS n_created_at, c.id, c.post_id,"
        " c.account_id, c.parent_id, c.body, c.ups, c.downs, c.points, c.platform, c.created_at,"
        " p.album_id, a.username AS author, a.role AS author_role, v.vote,"
        " CASE WHEN p.album_id IS NULL THEN NULL ELSE (SELECT COALESCE("
        "(SELECT x.image_id FROM album_images x WHERE x.album_id = al.id AND x.image_id = al.cover_id),"
        " (SELECT x.image_id FROM album_images x WHERE x.album_id = al.id ORDER BY x.position LIMIT 1))"
        " FROM albums al WHERE al.id = c.post_id) END AS album_cover"
        f" FROM {page} JOIN comments c ON c.id = n.comment_id JOIN gallery_posts p ON p.id = c.post_id"
        " LEFT JOIN accounts a ON a.id = c.account_id"
        " LEFT JOIN comment_votes v ON v.comment_id = c.id AND v.account_id = :a"
        " WHERE c.deleted = :no ORDER BY n.id DESC",
        {**params, "a": account_id, "no": False, "limit": limit, "offset": offset},
    )


async def message_listing(
    db: Connection, account_id: int, *, new_only: bool, limit: int, offset: int, only: int | None = None
) -> list[Row]:
    """A page of message notifications with their latest message in the same row: its sender, its
    conversation's first message (the 2012 thread id), the other party and the conversation's size."""
    page, params = _page_of(False, new_only, only)
    return await db.fetch_all(
        "SELECT n.id AS n_id, n.account_id AS n_account_id, n.kind AS n_kind, n.viewed AS n_viewed,"
        " n.created_at AS n_created_at, m.id, m.conversation_id,"
        " m.sender_id, s.username AS sender, m.subject, m.body, m.created_at,"
        " (SELECT MIN(f.id) FROM messages f WHERE f.conversation_id = m.conversation_id) AS first_id,"
        " (SELECT COUNT(*) FROM messages k WHERE k.conversation_id = m.conversation_id) AS message_count,"
        " o.account_id AS with_account_id, oa.username AS with_account"
        f" FROM {page} JOIN messages m ON m.id = n.message_id JOIN accounts s ON s.id = m.sender_id"
        " JOIN conversation_members o ON o.conversation_id = m.conversation_id AND o.account_id <> :a"
        " JOIN accounts oa ON oa.id = o.account_id ORDER BY n.id DESC",
        {**params, "a": account_id, "no": False, "limit": limit, "offset": offset},
    )
