from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from imghost.db.database import Connection, Row
from imghost.domain.images.model import Image

# The owner's username rides along as account_url: every Image object carries it.
SELECT = (
    "SELECT i.id, i.deletehash, i.client_id, i.account_id, i.title, i.description, i.name, i.blob_id, i.mime,"
    " i.ext, i.width, i.height, i.size, i.animated, i.has_sound, i.mp4_size, i.nsfw, i.created_at, i.views,"
    " i.bandwidth, a.username AS account_url,"
    " EXISTS (SELECT 1 FROM gallery_posts g WHERE g.id = i.id) AS in_gallery"
    " FROM images i LEFT JOIN accounts a ON a.id = i.account_id"
)


async def get(db: Connection, image_id: str) -> Image | None:
    row = await db.fetch_one(f"{SELECT} WHERE i.id = :id", {"id": image_id})
    return None if row is None else Image.from_row(row)


async def get_by_deletehash(db: Connection, deletehash: str) -> Image | None:
    row = await db.fetch_one(f"{SELECT} WHERE i.deletehash = :dh", {"dh": deletehash})
    return None if row is None else Image.from_row(row)


async def many(db: Connection, image_ids: Sequence[str]) -> list[Image]:
    """The images with these ids that exist, in no particular order: one query."""
    if not image_ids:
        return []
    names = {f"i{n}": v for n, v in enumerate(image_ids)}
    return await select(db, f"WHERE i.id IN ({', '.join(':' + k for k in names)})", names)


async def select(db: Connection, where: str, params: Mapping[str, Any]) -> list[Image]:
    """Images by a WHERE/ORDER clause over `i` (images) and `a` (owners), for the other repositories."""
    return [Image.from_row(r) for r in await db.fetch_all(f"{SELECT} {where}", params)]


async def id_taken(db: Connection, candidate: str) -> bool:
    """Image and album ids share one namespace: gallery routes accept either."""
    return (
        await db.fetch_one(
            "SELECT id FROM images WHERE id = :id UNION ALL SELECT id FROM albums WHERE id = :id",
            {"id": candidate},
        )
        is not None
    )


async def insert(db: Connection, values: Mapping[str, Any]) -> None:
    cols = ", ".join(values)
    params = ", ".join(f":{k}" for k in values)
    await db.execute(f"INSERT INTO images ({cols}) VALUES ({params})", values)


async def update_text(db: Connection, image_id: str, fields: Mapping[str, str | None]) -> None:
    sets = ", ".join(f"{k} = :{k}" for k in fields)
    await db.execute(f"UPDATE images SET {sets} WHERE id = :id", {**fields, "id": image_id})


async def delete(db: Connection, image_id: str) -> int:
    return await db.execute("DELETE FROM images WHERE id = :id", {"id": image_id})


async def add_views(db: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    await db.execute_many(
        "UPDATE images SET views = views + :views, bandwidth = bandwidth + :bandwidth WHERE id = :id", rows
    )


async def blob_create(db: Connection, blob_id: str, fingerprint: str, size: int) -> None:
    await db.execute(
        "INSERT INTO blobs (id, fingerprint, size, refcount) VALUES (:id, :fp, :size, 1)",
        {"id": blob_id, "fp": fingerprint, "size": size},
    )


async def blob_acquire(db: Connection, blob_id: str) -> bool:
    """One more image uses this blob; False when the blob is gone."""
    return bool(await db.execute("UPDATE blobs SET refcount = refcount + 1 WHERE id = :id", {"id": blob_id}))


async def blob_candidates(db: Connection, fingerprint: str, size: int, limit: int) -> list[str]:
    rows = await db.fetch_all(
        "SELECT id FROM blobs WHERE fingerprint = :fp AND size = :size LIMIT :n",
        {"fp": fingerprint, "size": size, "n": limit},
    )
    return [r["id"] for r in rows]


async def blob_ids(db: Connection) -> set[str]:
    return {r["id"] for r in await db.fetch_all("SELECT id FROM blobs")}


async def blob_get(db: Connection, blob_id: str) -> Row | None:
    return await db.fetch_one(
        "SELECT id, fingerprint, size, refcount FROM blobs WHERE id = :id", {"id": blob_id}
    )


async def blob_release(db: Connection, blob_id: str) -> bool:
    """Drop one reference; True when it was the last and the blob row is gone."""
    await db.execute("UPDATE blobs SET refcount = refcount - 1 WHERE id = :id", {"id": blob_id})
    return bool(await db.execute("DELETE FROM blobs WHERE id = :id AND refcount <= 0", {"id": blob_id}))
