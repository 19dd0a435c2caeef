"""SQL for topics."""

from __future__ import annotations

from imghost.db.database import Connection
from imghost.domain.topics.model import Topic

SELECT = "SELECT id, name, description, css, ephemeral, created_at FROM topics"


async def all_topics(db: Connection) -> list[Topic]:
    return [Topic.from_row(r) for r in await db.fetch_all(f"{SELECT} ORDER BY id")]


async def by_id(db: Connection, topic_id: int) -> Topic | None:
    row = await db.fetch_one(f"{SELECT} WHERE id = :id", {"id": topic_id})
    return None if row is None else Topic.from_row(row)


async def insert(
    db: Connection, name: str, description: str, css: str | None, ephemeral: bool, now: int
) -> None:
    await db.execute(
        "INSERT INTO topics (name, description, css, ephemeral, created_at) VALUES (:n, :d, :c, :e, :t)",
        {"n": name, "d": description, "c": css, "e": ephemeral, "t": now},
    )


async def delete(db: Connection, topic_id: int) -> int:
    return await db.execute("DELETE FROM topics WHERE id = :id", {"id": topic_id})
