"""SQL for gallery posts and their votes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from imghost.db.database import Connection, Row
from imghost.domain.gallery import ranking
from imghost.domain.gallery.model import Listing, Post

COLUMNS = (
    "SELECT p.id, p.image_id, p.album_id, p.account_id, p.title, p.topic_id, p.community, p.mature,"
    " p.shared_at, p.ups, p.downs, p.points, p.comment_count, p.hot, p.rising, p.hidden,"
    " acc.username AS account_url, t.name AS topic"
)
JOINS = "JOIN accounts acc ON acc.id = p.account_id LEFT JOIN topics t ON t.id = p.topic_id"
SELECT = f"{COLUMNS} FROM gallery_posts p {JOINS}"


def _in(prefix: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    names = {f"{prefix}{n}": v for n, v in enumerate(values)}
    return ", ".join(":" + k for k in names), names


async def get(db: Connection, post_id: str) -> Post | None:
    row = await db.fetch_one(f"{SELECT} WHERE p.id = :id", {"id": post_id})
    return None if row is None else Post.from_row(row)


async def many(db: Connection, post_ids: Sequence[str]) -> dict[str, Post]:
    if not post_ids:
        return {}
    marks, params = _in("p", post_ids)
    rows = await db.fetch_all(f"{SELECT} WHERE p.id IN ({marks})", params)
    return {r["id"]: Post.from_row(r) for r in rows}


async def shared_ids(db: Connection, item_ids: Sequence[str]) -> set[str]:
    """Which of these image or album ids are in the gallery: one query, for `in_gallery`."""
    if not item_ids:
        return set()
    marks, params = _in("i", item_ids)
    rows = await db.fetch_all(f"SELECT id FROM gallery_posts WHERE id IN ({marks})", params)
    return {r["id"] for r in rows}


async def insert(db: Connection, values: Mapping[str, Any]) -> None:
    cols = ", ".join(values)
    marks = ", ".join(f":{k}" for k in values)
    await db.execute(f"INSERT INTO gallery_posts ({cols}) VALUES ({marks})", values)


async def update(db: Connection, post_id: str, values: Mapping[str, Any]) -> None:
    if not values:
        return
    sets = ", ".join(f"{k} = :{k}" for k in values)
    await db.execute(f"UPDATE gallery_posts SET {sets} WHERE id = :id", {**values, "id": post_id})


async def delete(db: Connection, post_id: str) -> int:
    return await db.execute("DELETE FROM gallery_posts WHERE id = :id", {"id": post_id})


# ------------------------------------------------------------------------------------------ listings

ORDERS = {
    "viral": "p.hot DESC, p.id DESC",
    "rising": "p.rising DESC, p.id DESC",
    "top": "p.points DESC, p.shared_at DESC, p.id DESC",
    "time": "p.shared_at DESC, p.id DESC",
}


def listing_sql(q: Listing, now: int, *, viral_points: int) -> tuple[str, dict[str, Any]]:
    """The WHERE and ORDER BY of a listing (after FROM gallery_posts p ...), with its parameters."""
    where = ["p.hidden = :no"]
    params: dict[str, Any] = {"no": False}
    if not q.mature:
        where.append("p.mature = :no")
    if q.community is not None:
        where.append("p.community = :community")
        params["community"] = q.community
    if q.topic_id is not None:
        where.append("p.topic_id = :topic")
        params["topic"] = q.topic_id
    if q.account_id is not None:
        where.append("p.account_id = :account")
        params["account"] = q.account_id
    if q.tag is not None:
        where.append("p.id IN (SELECT pt.post_id FROM post_tags pt WHERE pt.tag = :tag)")
        params["tag"] = q.tag
    if q.section == "user" and not q.show_viral:
        where.append("p.points < :viral")
        params["viral"] = viral_points
    sort = q.sort if q.sort in ORDERS else "viral"
    if sort == "top":
        start = ranking.window_start(q.window, now)
        if start:
            where.append("p.shared_at >= :since")
            params["since"] = start
    return f"WHERE {' AND '.join(where)} ORDER BY {ORDERS[sort]}", params


async def listing(db: Connection, q: Listing, now: int, *, viral_points: int) -> list[Post]:
    """One page. The page's ids are chosen first, from the covering index of the order alone (0010), and
    only those rows are joined to accounts and topics: with the joins outside, a deep page's OFFSET
    skipped tens of thousands of joined rows; now it skips index entries."""
    tail, params = listing_sql(q, now, viral_points=viral_points)
    params.update(limit=q.per_page, offset=q.page * q.per_page)
    sort = q.sort if q.sort in ORDERS else "viral"
    sql = (
        f"{COLUMNS} FROM (SELECT p.id FROM gallery_posts p {tail} LIMIT :limit OFFSET :offset) page"
        f" JOIN gallery_posts p ON p.id = page.id {JOINS} ORDER BY {ORDERS[sort]}"
    )
    rows = await db.fetch_all(sql, params)
    return [Post.from_row(r) for r in rows]


async def listing_version(db: Connection) -> int:
    """What listings show, as one number that every committed change to it moves (0012's triggers)."""
    return int(await db.fetch_value("SELECT COALESCE(SUM(n), 0) FROM gallery_version") or 0)


# --------------------------------------------------------------------------------------------- votes


async def lock(db: Connection, post_id: str) -> Post | None:
    """The post, its row held by this transaction until it ends (a no-op write takes the row lock on
    PostgreSQL; SQLite's transactions already take the whole database)."""
    changed = await db.execute("UPDATE gallery_posts SET ups = ups WHERE id = :id", {"id": post_id})
    return await get(db, post_id) if changed else None


_SET_VOTE = (
    "INSERT INTO gallery_votes (post_id, account_id, vote, created_at) VALUES (:p, :a, :v, :t)"
    " ON CONFLICT (post_id, account_id) DO UPDATE SET vote = excluded.vote, created_at = excluded.created_at"
)
_DROP_VOTE = "DELETE FROM gallery_votes WHERE post_id = :p AND account_id = :a"


def _counts(row: Row | None) -> tuple[int, int, int] | None:
    return None if row is None else (int(row["ups"]), int(row["downs"]), int(row["shared_at"]))


async def lock_counts(db: Connection, post_id: str) -> tuple[int, int, int] | None:
    """As lock, for a vote: the post's ups, downs and shared_at from the statement that takes its row
    (one round trip where lock and get take two)."""
    return _counts(
        await db.fetch_one(
            "UPDATE gallery_posts SET ups = ups WHERE id = :id RETURNING ups, downs, shared_at",
            {"id": post_id},
        )
    )


async def lock_counts_for_voter(db: Connection, post_id: str, account_id: int) -> tuple[int, int, int] | None:
    """PostgreSQL only (a row-locking clause in a subquery): lock_counts, on condition that the voter
    may write, whose row it holds shared first (as _lock_writer would, in one round trip with the
    post's). None when the post is gone or the voter is banned or gone: the caller tells which."""
    return _counts(
        await db.fetch_one(
            "UPDATE gallery_posts SET ups = ups WHERE id = :id AND EXISTS"
            " (SELECT 1 FROM accounts WHERE id = :a AND banned = :no FOR SHARE)"
            " RETURNING ups, downs, shared_at",
            {"id": post_id, "a": account_id, "no": False},
        )
    )


async def cast(
    db: Connection, post_id: str, account_id: int, vote: int, now: int, scores: Mapping[str, Any]
) -> None:
    """PostgreSQL only (a data-modifying WITH): set_vote and update in one statement."""
    change = _SET_VOTE if vote else _DROP_VOTE
    sets = ", ".join(f"{k} = :s_{k}" for k in scores)
    await db.execute(
        f"WITH v AS ({change}) UPDATE gallery_posts SET {sets} WHERE id = :p",
        {"p": post_id, "a": account_id, "v": vote, "t": now, **{f"s_{k}": v for k, v in scores.items()}},
    )


async def vote_of(db: Connection, post_id: str, account_id: int) -> int:
    value = await db.fetch_value(
        "SELECT vote FROM gallery_votes WHERE post_id = :p AND account_id = :a",
        {"p": post_id, "a": account_id},
    )
    return int(value or 0)


async def votes_of(db: Connection, post_ids: Sequence[str], account_id: int) -> dict[str, int]:
    if not post_ids:
        return {}
    marks, params = _in("p", post_ids)
    rows = await db.fetch_all(
        f"SELECT post_id, vote FROM gallery_votes WHERE account_id = :a AND post_id IN ({marks})",
        {**params, "a": account_id},
    )
    return {r["post_id"]: int(r["vote"]) for r in rows}


async def set_vote(db: Connection, post_id: str, account_id: int, vote: int, now: int) -> None:
    """One statement either way (a vote is inside a transaction that holds the post's row): a changed
    vote is counted as cast now, as a new one."""
    if not vote:
        await db.execute(_DROP_VOTE, {"p": post_id, "a": account_id})
        return
    await db.execute(_SET_VOTE, {"p": post_id, "a": account_id, "v": vote, "t": now})


async def favorite_counts(db: Connection, posts: Sequence[Post]) -> dict[str, int]:
    """How many accounts favourited each post's image or album: two grouped counts at most."""
    out = {p.id: 0 for p in posts}
    for table, col, want in (("favorites", "image_id", False), ("album_favorites", "album_id", True)):
        ids = [p.id for p in posts if p.is_album is want]
        if not ids:
            continue
        marks, params = _in("f", ids)
        rows = await db.fetch_all(
            f"SELECT {col} AS id, COUNT(*) AS n FROM {table} WHERE {col} IN ({marks}) GROUP BY {col}", params
        )
        out.update({r["id"]: int(r["n"]) for r in rows})
    return out
