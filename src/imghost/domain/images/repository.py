from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from imghost.db.database import Connection, Row

_COLUMNS = ("id, deletehash, client_id, account_id, title, description, name, sha256, mime, ext, width, height,"
            " size, animated, has_sound, mp4_size, nsfw, created_at, views, bandwidth")


async def get(db: Connection, image_id: str) -> Row | None:
    return await db.fetch_one(f"SELECT {_COLUMNS} FROM images WHERE id = :id", {"id": image_id})


async def get_by_deletehash(db: Connection, deletehash: str) -> Row | None:
    return await db.fetch_one(f"SELECT {_COLUMNS} FROM images WHERE deletehash = :dh", {"dh": deletehash})


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
        "UPDATE images SET views = views + :views, bandwidth = bandwidth + :bandwidth WHERE id = :id", rows)


async def blob_acquire(db: Connection, sha256: str, size: int) -> None:
    await db.execute(
        "INSERT INTO blobs (sha256, size, refcount) VALUES (:sha, :size, 1)"
        " ON CONFLICT (sha256) DO UPDATE SET refcount = blobs.refcount + 1",
        {"sha": sha256, "size": size},
    )


async def blob_get(db: Connection, sha256: str) -> Row | None:
    return await db.fetch_one("SELECT sha256, size, refcount FROM blobs WHERE sha256 = :sha", {"sha": sha256})


async def blob_release(db: Connection, sha256: str) -> bool:
    """Drop one reference; True when it was the last and the blob row is gone."""
    await db.execute("UPDATE blobs SET refcount = refcount - 1 WHERE sha256 = :sha", {"sha": sha256})
    return bool(await db.execute("DELETE FROM blobs WHERE sha256 = :sha AND refcount <= 0", {"sha": sha256}))
