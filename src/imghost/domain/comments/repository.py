"""SQL for comments and their votes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from imghost.db.database import Connection
from imghost.domain.comments.model import Comment

SELECT = (
    "SELECT c.id, c.post_id, c.account_id, c.parent_id, c.body, c.ups, c.downs, c.points, c.best,"
    " c.deleted, c.platform, c.hidden, c.created_at, p.album_id, a.username AS author, a.role AS author_role"
    " FROM comments c JOIN gallery_posts p ON p.id = c.post_id LEFT JOIN accounts a ON a.id = c.account_id"
)

ACCOUNT_ORDERS = {
    "best": "c.points DESC, c.created_at DESC, c.id DESC",
    "worst": "c.points ASC, c.created_at DESC, c.id DESC",
    "oldest": "c.created_at ASC, c.id ASC",
    "newest": "c.created_at DESC, c.id DESC",
}


def _in(prefix: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    names = {f"{prefix}{n}": v for n, v in enumerate(values)}
    return ", ".join(":" + k for k in names), names


async def get(db: Connection, comment_id: int) -> Comment | None:
    row = await db.fetch_one(f"{SELECT} WHERE c.id = :id", {"id": comment_id})
    return None if row is None else Comment.from_row(row)


async def of_post(db: Connection, post_id: str) -> list[Comment]:
    rows = await db.fetch_all(f"{SELECT} WHERE c.post_id = :p", {"p": post_id})
    return [Comment.from_row(r) for r in rows]


# Each comment's own count of anything it shows, added up: its `best` moves with every vote on it
# (so that two votes that move one comment up and another down still change the sum, but in the rare
# exact swap), the plain sums with every vote. No arithmetic per row: on a long thread it costs more
# than reading the rows.
_CHANGES = (
    "SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS last, COALESCE(SUM(ups), 0) AS ups,"
    " COALESCE(SUM(downs), 0) AS downs, COALESCE(SUM(best), 0) AS best,"
    " COUNT(CASE WHEN deleted THEN 1 END) AS deleted, COUNT(CASE WHEN hidden THEN 1 END) AS hidden,"
    " COUNT(account_id) AS authors FROM comments WHERE post_id = :p"
)


async def changes(db: Connection, post_id: str) -> tuple[object, ...]:
    row = await db.fetch_one(_CHANGES, {"p": post_id})
    return tuple(row.values()) if row is not None else ()


async def subtree(db: Connection, comment_id: int) -> list[Comment]:
    """The comment and every reply beneath it, at any depth."""
    rows = await db.fetch_all(
        "WITH RECURSIVE sub(id) AS (SELECT id FROM comments WHERE id = :id"
        " UNION ALL SELECT r.id FROM comments r JOIN sub ON r.parent_id = sub.id)"
        f" {SELECT} JOIN sub ON sub.id = c.id",
        {"id": comment_id},
    )
    return [Comment.from_row(r) for r in rows]


async def depth(db: Connection, comment_id: int) -> int:
    """How many ancestors the comment has (0 at the top level)."""
    value = await db.fetch_value(
        "WITH RECURSIVE up(id, parent_id, n) AS (SELECT id, parent_id, 0 FROM comments WHERE id = :id"
        " UNION ALL SELECT c.id, c.parent_id, up.n + 1 FROM comments c JOIN up ON c.id = up.parent_id)"
        " SELECT MAX(n) FROM up",
        {"id": comment_id},
    )
    return int(value or 0)


async def of_account(db: Connection, account_id: int, sort: str, *, limit: int, offset: int) -> list[Comment]:
    """The account's comments still standing (not deleted, not hidden), one page."""
    rows = await db.fetch_all(
        f"{SELECT} WHERE c.account_id = :a AND c.deleted = :no AND c.hidden = :no"
        f" ORDER BY {ACCOUNT_ORDERS[sort]} LIMIT :limit OFFSET :offset",
        {"a": account_id, "no": False, "limit": limit, "offset": offset},
    )
    return [Comment.from_row(r) for r in rows]


async def ids_of_account(db: Connection, account_id: int, sort: str, *, limit: int, offset: int) -> list[int]:
    rows = await db.fetch_all(
        f"SELECT c.id FROM comments c WHERE c.account_id = :a AND c.deleted = :no AND c.hidden = :no"
        f" ORDER BY {ACCOUNT_ORDERS[sort]} LIMIT :limit OFFSET :offset",
        {"a": account_id, "no": False, "limit": limit, "offset": offset},
    )
    return [int(r["id"]) for r in rows]


async def count_of_account(db: Connection, account_id: int) -> int:
    value = await db.fetch_value(
        "SELECT COUNT(*) FROM comments WHERE account_id = :a AND deleted = :no AND hidden = :no",
        {"a": account_id, "no": False},
    )
    return int(value or 0)


async def has_replies(db: Connection, comment_id: int) -> bool:
    found = await db.fetch_value("SELECT 1 FROM comments WHERE parent_id = :id LIMIT 1", {"id": comment_id})
    return found is not None


async def insert(db: Connection, values: Mapping[str, Any]) -> int:
    cols = ", ".join(values)
    marks = ", ".join(f":{k}" for k in values)
    return int(await db.fetch_value(f"INSERT INTO comments ({cols}) VALUES ({marks}) RETURNING id", values))


async def mark_deleted(db: Connection, comment_id: int, body: str) -> None:
    await db.execute(
        "UPDATE comments SET deleted = :yes, body = :body WHERE id = :id",
        {"yes": True, "body": body, "id": comment_id},
    )


async def remove(db: Connection, comment_id: int) -> int:
    return await db.execute("DELETE FROM comments WHERE id = :id", {"id": comment_id})


async def prune(db: Connection, post_ids: Sequence[str]) -> None:
    """Remove the deleted comments of these posts that no reply holds in the tree any more, level by
    level upwards (a removed reply can leave its deleted parent bare)."""
    if not post_ids:
        return
    marks, params = _in("p", post_ids)
    while await db.execute(
        f"DELETE FROM comments WHERE deleted = :yes AND post_id IN ({marks})"
        " AND NOT EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = comments.id)",
        {**params, "yes": True},
    ):
        pass


async def recount_post(db: Connection, post_id: str) -> None:
    """A post's comment_count: its comments that are not deleted."""
    await db.execute(
        "UPDATE gallery_posts SET comment_count ="
        " (SELECT COUNT(*) FROM comments c WHERE c.post_id = :p AND c.deleted = :no) WHERE id = :p",
        {"p": post_id, "no": False},
    )


async def bump_post(db: Connection, post_id: str) -> None:
    await db.execute(
        "UPDATE gallery_posts SET comment_count = comment_count + 1 WHERE id = :p", {"p": post_id}
    )


async def recent_of_account(db: Connection, account_id: int, since: int) -> tuple[int, int | None]:
    """How many comments the account made since `since`, and when the oldest of them was made."""
    row = await db.fetch_one(
        "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM comments WHERE account_id = :a AND created_at > :t",
        {"a": account_id, "t": since},
    )
    if row is None or not row["n"]:
        return 0, None
    return int(row["n"]), int(row["oldest"])


async def lock_writer(db: Connection, account_id: int) -> bool:
    """Hold the account's row for this transaction; False when it is banned or gone by now."""
    changed = await db.execute(
        "UPDATE accounts SET banned = banned WHERE id = :a AND banned = :no", {"a": account_id, "no": False}
    )
    return bool(changed)


async def stop_writer(db: Connection, account_id: int) -> None:
    await db.execute("UPDATE accounts SET banned = :yes WHERE id = :a", {"yes": True, "a": account_id})


# ------------------------------------------------------------------------------------------- votes


async def lock(db: Connection, comment_id: int) -> Comment | None:
    """The comment, its row held by this transaction until it ends (a no-op write takes the row lock
    on PostgreSQL; SQLite's transactions already take the whole database)."""
    changed = await db.execute("UPDATE comments SET ups = ups WHERE id = :id", {"id": comment_id})
    return await get(db, comment_id) if changed else None


async def vote_of(db: Connection, comment_id: int, account_id: int) -> int:
    value = await db.fetch_value(
        "SELECT vote FROM comment_votes WHERE comment_id = :c AND account_id = :a",
        {"c": comment_id, "a": account_id},
    )
    return int(value or 0)


async def set_vote(db: Connection, comment_id: int, account_id: int, vote: int, now: int) -> None:
    await db.execute(
        "DELETE FROM comment_votes WHERE comment_id = :c AND account_id = :a",
        {"c": comment_id, "a": account_id},
    )
    if vote:
        await db.execute(
            "INSERT INTO comment_votes (comment_id, account_id, vote, created_at) VALUES (:c, :a, :v, :t)",
            {"c": comment_id, "a": account_id, "v": vote, "t": now},
        )


async def set_scores(db: Connection, comment_id: int, values: Mapping[str, Any]) -> None:
    sets = ", ".join(f"{k} = :{k}" for k in values)
    await db.execute(f"UPDATE comments SET {sets} WHERE id = :id", {**values, "id": comment_id})


async def tally(db: Connection, comment_id: int) -> tuple[int, int]:
    """(ups, downs) counted from the comment's votes."""
    row = await db.fetch_one(
        "SELECT COALESCE(SUM(CASE WHEN vote > 0 THEN 1 ELSE 0 END), 0) AS ups,"
        " COALESCE(SUM(CASE WHEN vote < 0 THEN 1 ELSE 0 END), 0) AS downs"
        " FROM comment_votes WHERE comment_id = :c",
        {"c": comment_id},
    )
    assert row is not None
    return int(row["ups"]), int(row["downs"])


async def votes_of(db: Connection, comment_ids: Sequence[int], account_id: int) -> dict[int, int]:
    """The account's votes on these comments, a few hundred ids per query."""
    out: dict[int, int] = {}
    ids = list(comment_ids)
    for start in range(0, len(ids), 500):
        marks, params = _in("c", ids[start : start + 500])
        rows = await db.fetch_all(
            f"SELECT comment_id, vote FROM comment_votes WHERE account_id = :a AND comment_id IN ({marks})",
            {**params, "a": account_id},
        )
        out.update({int(r["comment_id"]): int(r["vote"]) for r in rows})
    return out


async def voted_by(db: Connection, account_id: int) -> list[int]:
    rows = await db.fetch_all(
        "SELECT comment_id FROM comment_votes WHERE account_id = :a ORDER BY comment_id", {"a": account_id}
    )
    return [int(r["comment_id"]) for r in rows]


async def posts_of(db: Connection, comment_ids: Sequence[int]) -> set[str]:
    """The posts these comments are on."""
    out: set[str] = set()
    ids = list(comment_ids)
    for start in range(0, len(ids), 500):
        marks, params = _in("c", ids[start : start + 500])
        rows = await db.fetch_all(f"SELECT DISTINCT post_id FROM comments WHERE id IN ({marks})", params)
        out.update(r["post_id"] for r in rows)
    return out


async def drop_votes_of(db: Connection, account_id: int) -> None:
    await db.execute("DELETE FROM comment_votes WHERE account_id = :a", {"a": account_id})


async def posts_commented_by(db: Connection, account_id: int) -> list[str]:
    rows = await db.fetch_all(
        "SELECT DISTINCT post_id FROM comments WHERE account_id = :a ORDER BY post_id", {"a": account_id}
    )
    return [r["post_id"] for r in rows]


async def disown(db: Connection, account_id: int, body: str) -> None:
    """Every comment of the account becomes deleted and nobody's (those with replies stay so)."""
    await db.execute(
        "UPDATE comments SET deleted = :yes, body = :body, account_id = NULL WHERE account_id = :a",
        {"yes": True, "body": body, "a": account_id},
    )


async def album_covers(db: Connection, album_ids: Sequence[str]) -> dict[str, str | None]:
    """The cover shown for each album: the chosen one while it is in the album, else the first image."""
    if not album_ids:
        return {}
    marks, params = _in("a", album_ids)
    rows = await db.fetch_all(
        "SELECT al.id, COALESCE("
        "(SELECT x.image_id FROM album_images x WHERE x.album_id = al.id AND x.image_id = al.cover_id),"
        " (SELECT x.image_id FROM album_images x WHERE x.album_id = al.id ORDER BY x.position LIMIT 1))"
        f" AS cover FROM albums al WHERE al.id IN ({marks})",
        params,
    )
    return {r["id"]: r["cover"] for r in rows}
