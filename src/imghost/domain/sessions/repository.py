from __future__ import annotations

from imghost.db.database import Connection, Row

__all__ = ["Row"]

_COLUMNS = (
    "s.id, s.account_id, s.csrf, s.user_agent, s.created_at, s.seen_at, s.expires_at, a.username, a.banned"
)


async def insert(
    db: Connection, *, session_id: str, account_id: int, csrf: str, user_agent: str, now: int, expires_at: int
) -> None:
    await db.execute(
        "INSERT INTO web_sessions (id, account_id, csrf, user_agent, created_at, seen_at, expires_at)"
        " VALUES (:id, :a, :csrf, :ua, :now, :now, :exp)",
        {"id": session_id, "a": account_id, "csrf": csrf, "ua": user_agent, "now": now, "exp": expires_at},
    )


async def get(db: Connection, session_id: str) -> Row | None:
    return await db.fetch_one(
        f"SELECT {_COLUMNS} FROM web_sessions s JOIN accounts a ON a.id = s.account_id WHERE s.id = :id",
        {"id": session_id},
    )


async def touch(db: Connection, session_id: str, *, now: int, expires_at: int) -> None:
    await db.execute(
        "UPDATE web_sessions SET seen_at = :now, expires_at = :exp WHERE id = :id",
        {"id": session_id, "now": now, "exp": expires_at},
    )


async def delete(db: Connection, session_id: str) -> int:
    return await db.execute("DELETE FROM web_sessions WHERE id = :id", {"id": session_id})


async def delete_of_account(db: Connection, account_id: int, session_id: str) -> int:
    return await db.execute(
        "DELETE FROM web_sessions WHERE id = :id AND account_id = :a", {"id": session_id, "a": account_id}
    )


async def delete_others(db: Connection, account_id: int, keep_id: str) -> int:
    return await db.execute(
        "DELETE FROM web_sessions WHERE account_id = :a AND id <> :keep", {"a": account_id, "keep": keep_id}
    )


async def delete_all(db: Connection, account_id: int) -> int:
    return await db.execute("DELETE FROM web_sessions WHERE account_id = :a", {"a": account_id})


async def of_account(db: Connection, account_id: int, *, now: int) -> list[Row]:
    return await db.fetch_all(
        f"SELECT {_COLUMNS} FROM web_sessions s JOIN accounts a ON a.id = s.account_id"
        " WHERE s.account_id = :a AND s.expires_at >= :now ORDER BY s.seen_at DESC",
        {"a": account_id, "now": now},
    )


async def delete_expired(db: Connection, *, now: int) -> int:
    return await db.execute("DELETE FROM web_sessions WHERE expires_at < :now", {"now": now})
