"""SQL for tags, the tags on posts, their votes and who follows them.

tags.total_items and tags.followers are what every read shows (counting a popular tag's rows costs
milliseconds a tag, fifty of them on /3/tags). They are set from the rows they count (post_tags,
tag_follows) by every write that adds or takes such rows, with the tag's row locked: a tag write or a
share (TagService), a follow, an unshare or a removal (GalleryService), the deletion of an image or album
(TagService.forget_post, before the cascade) and of an account (the services' forget_account hooks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from imghost.db.database import Connection
from imghost.domain.tags.model import Tag, TagVote

# Whether the viewer follows the tag: one primary-key probe.
_FOLLOWING = (
    "(SELECT COUNT(*) FROM tag_follows f WHERE f.tag = t.name AND f.account_id = :viewer) AS following"
)
SELECT = f"SELECT t.name, t.display_name, t.description, t.total_items, t.followers, {_FOLLOWING} FROM tags t"


def _in(prefix: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    names = {f"{prefix}{n}": v for n, v in enumerate(values)}
    return ", ".join(":" + k for k in names), names


def _tag(row: Any) -> Tag:
    return Tag(
        name=row["name"],
        display_name=row["display_name"],
        description=row["description"] or "",
        followers=int(row["followers"]),
        total_items=int(row["total_items"]),
        following=bool(row["following"]),
    )


async def get(db: Connection, name: str, viewer: int | None) -> Tag | None:
    # A viewer of -1 follows nothing: account ids start at 1.
    row = await db.fetch_one(f"{SELECT} WHERE t.name = :n", {"n": name, "viewer": viewer or -1})
    return None if row is None else _tag(row)


async def popular(db: Connection, limit: int) -> list[Tag]:
    """The tags carried by the most posts."""
    rows = await db.fetch_all(
        f"{SELECT} WHERE t.total_items > 0 ORDER BY t.total_items DESC, t.name DESC LIMIT :limit",
        {"limit": limit, "viewer": -1},
    )
    return [_tag(r) for r in rows]


async def ensure(db: Connection, tags: Sequence[tuple[str, str]], now: int) -> None:
    """Create the tags that do not exist yet; an existing tag keeps its first spelling. In name order,
    as lock takes them: two writers creating the same new tags wait for each other in one order."""
    for name, display in sorted(tags):
        await db.execute(
            "INSERT INTO tags (name, display_name, created_at) VALUES (:n, :d, :t) ON CONFLICT (name) DO NOTHING",
            {"n": name, "d": display, "t": now},
        )


async def lock(db: Connection, names: Sequence[str]) -> int:
    """Hold these tags' rows until the transaction ends, one at a time in name order (two writers
    locking overlapping sets never wait on each other in a circle); how many exist."""
    found = 0
    for name in sorted(set(names)):
        found += await db.execute("UPDATE tags SET followers = followers WHERE name = :n", {"n": name})
    return found


async def recount(db: Connection, names: Sequence[str]) -> None:
    """Stored counts from the rows, for tags this transaction holds (lock): a statement after the lock
    sees every write that committed before it, on PostgreSQL as on SQLite."""
    if not names:
        return
    marks, params = _in("n", sorted(set(names)))
    await db.execute(
        "UPDATE tags SET total_items = (SELECT COUNT(*) FROM post_tags pt WHERE pt.tag = tags.name),"
        " followers = (SELECT COUNT(*) FROM tag_follows f WHERE f.tag = tags.name)"
        f" WHERE name IN ({marks})",
        params,
    )


async def stale(db: Connection) -> list[str]:
    """The tags whose stored counts are not what their rows count (every tag counted: the operator's
    check, never a request's)."""
    rows = await db.fetch_all(
        "SELECT name FROM tags t"
        " WHERE t.total_items <> (SELECT COUNT(*) FROM post_tags pt WHERE pt.tag = t.name)"
        " OR t.followers <> (SELECT COUNT(*) FROM tag_follows f WHERE f.tag = t.name) ORDER BY name"
    )
    return [r["name"] for r in rows]


# ------------------------------------------------------------------------------------ tags on posts


async def of_post(db: Connection, post_id: str) -> list[TagVote]:
    rows = await db.fetch_all(
        "SELECT pt.tag, t.display_name, pt.ups, pt.downs, a.username FROM post_tags pt"
        " JOIN tags t ON t.name = pt.tag LEFT JOIN accounts a ON a.id = pt.account_id"
        " WHERE pt.post_id = :p ORDER BY pt.ups - pt.downs DESC, pt.tag",
        {"p": post_id},
    )
    return [
        TagVote(
            name=r["tag"],
            display_name=r["display_name"],
            ups=int(r["ups"]),
            downs=int(r["downs"]),
            author=r["username"],
        )
        for r in rows
    ]


async def names_of_post(db: Connection, post_id: str) -> set[str]:
    rows = await db.fetch_all("SELECT tag FROM post_tags WHERE post_id = :p", {"p": post_id})
    return {r["tag"] for r in rows}


async def carries(db: Connection, post_id: str, name: str) -> bool:
    found = await db.fetch_value(
        "SELECT 1 FROM post_tags WHERE post_id = :p AND tag = :t", {"p": post_id, "t": name}
    )
    return found is not None


async def add_to_post(db: Connection, post_id: str, names: Sequence[str], account_id: int, now: int) -> None:
    for name in names:
        await db.execute(
            "INSERT INTO post_tags (post_id, tag, account_id, created_at) VALUES (:p, :t, :a, :now)",
            {"p": post_id, "t": name, "a": account_id, "now": now},
        )


async def remove_from_post(db: Connection, post_id: str, names: Sequence[str]) -> None:
    if not names:
        return
    marks, params = _in("t", names)
    params["p"] = post_id
    # tag_votes point at the post and at the tag, not at the post's tag: they go first, by hand.
    await db.execute(f"DELETE FROM tag_votes WHERE post_id = :p AND tag IN ({marks})", params)
    await db.execute(f"DELETE FROM post_tags WHERE post_id = :p AND tag IN ({marks})", params)


# ------------------------------------------------------------------------------------------ votes


async def lock_post_tag(db: Connection, post_id: str, name: str) -> bool:
    """Hold the post's tag row until the transaction ends; whether the post carries the tag."""
    changed = await db.execute(
        "UPDATE post_tags SET ups = ups WHERE post_id = :p AND tag = :t", {"p": post_id, "t": name}
    )
    return changed > 0


async def vote_of(db: Connection, post_id: str, name: str, account_id: int) -> int:
    value = await db.fetch_value(
        "SELECT vote FROM tag_votes WHERE post_id = :p AND tag = :t AND account_id = :a",
        {"p": post_id, "t": name, "a": account_id},
    )
    return int(value or 0)


async def set_vote(db: Connection, post_id: str, name: str, account_id: int, vote: int) -> None:
    params = {"p": post_id, "t": name, "a": account_id}
    await db.execute("DELETE FROM tag_votes WHERE post_id = :p AND tag = :t AND account_id = :a", params)
    if vote:
        await db.execute(
            "INSERT INTO tag_votes (post_id, tag, account_id, vote) VALUES (:p, :t, :a, :v)",
            {**params, "v": vote},
        )


async def move_votes(db: Connection, post_id: str, name: str, ups: int, downs: int) -> None:
    await db.execute(
        "UPDATE post_tags SET ups = ups + :u, downs = downs + :d WHERE post_id = :p AND tag = :t",
        {"u": ups, "d": downs, "p": post_id, "t": name},
    )


async def recount_votes(db: Connection, post_id: str, name: str) -> None:
    await db.execute(
        "UPDATE post_tags SET"
        " ups = (SELECT COUNT(*) FROM tag_votes v WHERE v.post_id = :p AND v.tag = :t AND v.vote > 0),"
        " downs = (SELECT COUNT(*) FROM tag_votes v WHERE v.post_id = :p AND v.tag = :t AND v.vote < 0)"
        " WHERE post_id = :p AND tag = :t",
        {"p": post_id, "t": name},
    )


# ---------------------------------------------------------------------------------------- follows


async def follow(db: Connection, name: str, account_id: int, now: int) -> None:
    await db.execute(
        "INSERT INTO tag_follows (tag, account_id, created_at) VALUES (:t, :a, :now)"
        " ON CONFLICT (tag, account_id) DO NOTHING",
        {"t": name, "a": account_id, "now": now},
    )


async def unfollow(db: Connection, name: str, account_id: int) -> int:
    return await db.execute(
        "DELETE FROM tag_follows WHERE tag = :t AND account_id = :a", {"t": name, "a": account_id}
    )


async def followed_by(db: Connection, account_id: int) -> list[str]:
    rows = await db.fetch_all("SELECT tag FROM tag_follows WHERE account_id = :a", {"a": account_id})
    return [r["tag"] for r in rows]


async def votes_by(db: Connection, account_id: int) -> list[tuple[str, str]]:
    """(post, tag) of every tag vote the account cast on a post of someone else's."""
    rows = await db.fetch_all(
        "SELECT v.post_id, v.tag FROM tag_votes v JOIN gallery_posts p ON p.id = v.post_id"
        " WHERE v.account_id = :a AND p.account_id <> :a",
        {"a": account_id},
    )
    return [(r["post_id"], r["tag"]) for r in rows]
