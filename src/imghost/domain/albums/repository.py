from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from imghost.db.database import Connection
from imghost.domain.albums.model import Album
from imghost.domain.images import repository as image_repo
from imghost.domain.images.model import Image

# Cover: the chosen image while it is in the album, else the first image.
SELECT = (
    "SELECT al.id, al.deletehash, al.client_id, al.account_id, al.title, al.description, al.privacy, al.layout,"
    " al.cover_id, al.created_at, al.views, acc.username AS account_url,"
    " (SELECT COUNT(*) FROM album_images x WHERE x.album_id = al.id) AS images_count,"
    " COALESCE((SELECT x.image_id FROM album_images x WHERE x.album_id = al.id AND x.image_id = al.cover_id),"
    "          (SELECT x.image_id FROM album_images x WHERE x.album_id = al.id ORDER BY x.position LIMIT 1))"
    " AS cover, EXISTS (SELECT 1 FROM gallery_posts g WHERE g.id = al.id) AS in_gallery"
    " FROM albums al LEFT JOIN accounts acc ON acc.id = al.account_id"
)


async def get(db: Connection, album_id: str) -> Album | None:
    row = await db.fetch_one(f"{SELECT} WHERE al.id = :id", {"id": album_id})
    return None if row is None else Album.from_row(row)


async def many(db: Connection, album_ids: Sequence[str]) -> list[Album]:
    """The albums with these ids that exist, in no particular order: one query."""
    if not album_ids:
        return []
    names = {f"a{n}": v for n, v in enumerate(album_ids)}
    rows = await db.fetch_all(f"{SELECT} WHERE al.id IN ({', '.join(':' + k for k in names)})", names)
    return [Album.from_row(r) for r in rows]


async def get_by_deletehash(db: Connection, deletehash: str) -> Album | None:
    row = await db.fetch_one(f"{SELECT} WHERE al.deletehash = :dh", {"dh": deletehash})
    return None if row is None else Album.from_row(row)


async def id_taken(db: Connection, candidate: str) -> bool:
    return (
        await db.fetch_one(
            "SELECT id FROM albums WHERE id = :id UNION ALL SELECT id FROM images WHERE id = :id",
            {"id": candidate},
        )
        is not None
    )


async def insert(db: Connection, values: Mapping[str, Any]) -> None:
    cols = ", ".join(values)
    await db.execute(f"INSERT INTO albums ({cols}) VALUES ({', '.join(f':{k}' for k in values)})", values)


async def update(db: Connection, album_id: str, fields: Mapping[str, Any]) -> None:
    sets = ", ".join(f"{k} = :{k}" for k in fields)
    await db.execute(f"UPDATE albums SET {sets} WHERE id = :id", {**fields, "id": album_id})


async def lock(db: Connection, album_id: str, now: int) -> bool:
    """Touch the album row first in every change of its image list: on PostgreSQL this takes the row lock
    that serialises concurrent add/remove; on SQLite the write transaction already does."""
    return bool(
        await db.execute("UPDATE albums SET updated_at = :now WHERE id = :id", {"now": now, "id": album_id})
    )


async def delete(db: Connection, album_id: str) -> int:
    return await db.execute("DELETE FROM albums WHERE id = :id", {"id": album_id})


async def images(db: Connection, album_id: str) -> list[Image]:
    return await image_repo.select(
        db,
        "JOIN album_images ai ON ai.image_id = i.id WHERE ai.album_id = :a ORDER BY ai.position",
        {"a": album_id},
    )


async def image_ids(db: Connection, album_id: str) -> list[str]:
    rows = await db.fetch_all(
        "SELECT image_id FROM album_images WHERE album_id = :a ORDER BY position", {"a": album_id}
    )
    return [r["image_id"] for r in rows]


async def append(db: Connection, album_id: str, ids: Sequence[str]) -> None:
    existing = set(await image_ids(db, album_id))
    start = int(
        await db.fetch_value(
            "SELECT COALESCE(MAX(position), -1) FROM album_images WHERE album_id = :a", {"a": album_id}
        )
    )
    rows = []
    for iid in ids:
        if iid in existing:
            continue
        existing.add(iid)
        start += 1
        rows.append({"a": album_id, "i": iid, "p": start})
    if rows:
        await db.execute_many(
            "INSERT INTO album_images (album_id, image_id, position) VALUES (:a, :i, :p)", rows
        )


async def remove(db: Connection, album_id: str, ids: Sequence[str]) -> None:
    if ids:
        await db.execute_many(
            "DELETE FROM album_images WHERE album_id = :a AND image_id = :i",
            [{"a": album_id, "i": i} for i in ids],
        )


async def clear(db: Connection, album_id: str) -> None:
    await db.execute("DELETE FROM album_images WHERE album_id = :a", {"a": album_id})


# ---------------------------------------------------------------- account listings


def _visibility(include_hidden: bool) -> str:
    return "" if include_hidden else " AND al.privacy = 'public'"


async def account_albums(
    db: Connection, account_id: int, *, include_hidden: bool, limit: int, offset: int
) -> list[Album]:
    rows = await db.fetch_all(
        f"{SELECT} WHERE al.account_id = :a{_visibility(include_hidden)}"
        " ORDER BY al.created_at DESC, al.id LIMIT :lim OFFSET :off",
        {"a": account_id, "lim": limit, "off": offset},
    )
    return [Album.from_row(r) for r in rows]


async def account_album_ids(
    db: Connection, account_id: int, *, include_hidden: bool, limit: int, offset: int
) -> list[str]:
    rows = await db.fetch_all(
        f"SELECT al.id FROM albums al WHERE al.account_id = :a{_visibility(include_hidden)}"
        " ORDER BY al.created_at DESC, al.id LIMIT :lim OFFSET :off",
        {"a": account_id, "lim": limit, "off": offset},
    )
    return [r["id"] for r in rows]


async def account_album_count(db: Connection, account_id: int, *, include_hidden: bool) -> int:
    return int(
        await db.fetch_value(
            f"SELECT COUNT(*) FROM albums al WHERE al.account_id = :a{_visibility(include_hidden)}",
            {"a": account_id},
        )
    )


# ---------------------------------------------------------------- favorites


async def is_favorite(db: Connection, account_id: int, album_id: str) -> bool:
    return (
        await db.fetch_one(
            "SELECT 1 AS x FROM album_favorites WHERE account_id = :a AND album_id = :al",
            {"a": account_id, "al": album_id},
        )
        is not None
    )


async def set_favorite(db: Connection, account_id: int, album_id: str, on: bool, now: int) -> None:
    if on:
        await db.execute(
            "INSERT INTO album_favorites (account_id, album_id, created_at) VALUES (:a, :al, :now)"
            " ON CONFLICT DO NOTHING",
            {"a": account_id, "al": album_id, "now": now},
        )
    else:
        await db.execute(
            "DELETE FROM album_favorites WHERE account_id = :a AND album_id = :al",
            {"a": account_id, "al": album_id},
        )


async def add_view(db: Connection, album_id: str) -> None:
    await db.execute("UPDATE albums SET views = views + 1 WHERE id = :id", {"id": album_id})
