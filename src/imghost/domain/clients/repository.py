from __future__ import annotations

from imghost.db.database import Connection, Row


async def insert(
    db: Connection,
    *,
    client_id: str,
    secret_hash: str,
    name: str,
    redirect_uri: str,
    now: int,
    account_id: int | None = None,
) -> None:
    await db.execute(
        "INSERT INTO clients (id, secret_hash, name, redirect_uri, created_at, account_id)"
        " VALUES (:id, :secret_hash, :name, :redirect_uri, :now, :account_id)",
        {
            "id": client_id,
            "secret_hash": secret_hash,
            "name": name,
            "redirect_uri": redirect_uri,
            "now": now,
            "account_id": account_id,
        },
    )


async def get(db: Connection, client_id: str) -> Row | None:
    return await db.fetch_one(
        "SELECT id, secret_hash, name, redirect_uri, created_at, account_id FROM clients WHERE id = :id",
        {"id": client_id},
    )


async def all_clients(db: Connection) -> list[Row]:
    return await db.fetch_all(
        "SELECT id, name, redirect_uri, created_at FROM clients ORDER BY created_at, id"
    )


async def delete(db: Connection, client_id: str) -> int:
    return await db.execute("DELETE FROM clients WHERE id = :id", {"id": client_id})


async def count(db: Connection) -> int:
    return int(await db.fetch_value("SELECT COUNT(*) FROM clients"))


async def of_account(db: Connection, account_id: int) -> list[Row]:
    return await db.fetch_all(
        "SELECT id, name, redirect_uri, created_at, account_id FROM clients WHERE account_id = :a"
        " ORDER BY created_at, id",
        {"a": account_id},
    )


async def delete_of_account(db: Connection, account_id: int, client_id: str) -> int:
    return await db.execute(
        "DELETE FROM clients WHERE id = :id AND account_id = :a", {"id": client_id, "a": account_id}
    )
