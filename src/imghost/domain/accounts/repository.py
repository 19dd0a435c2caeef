from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from imghost import ids
from imghost.db.database import Connection, Row
from imghost.domain.accounts.model import Account, FavoriteRef
from imghost.domain.images import repository as image_repo
from imghost.domain.images.model import Image

_COLUMNS = (
    "id, username, email, password_hash, bio, reputation, created_at, public_images, album_privacy,"
    " messaging_enabled, show_mature, newsletter_subscribed, accepted_gallery_terms, high_quality, avatar,"
    " cover, email_verified, role, banned"
)
SETTINGS = (
    "bio",
    "public_images",
    "album_privacy",
    "messaging_enabled",
    "show_mature",
    "newsletter_subscribed",
    "accepted_gallery_terms",
    "high_quality",
    "avatar",
    "username",
    "email",
)


async def by_name(db: Connection, username: str) -> Account | None:
    if not ids.plausible(username):  # usernames are letters and digits: nothing else can be found
        return None
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM accounts WHERE username_lower = :u", {"u": username.lower()}
    )
    return None if row is None else Account.from_row(row)


async def by_id(db: Connection, account_id: int) -> Account | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM accounts WHERE id = :id", {"id": account_id})
    return None if row is None else Account.from_row(row)


async def insert(db: Connection, *, username: str, email: str, password_hash: str, now: int) -> int:
    return int(
        await db.fetch_value(
            "INSERT INTO accounts (username, username_lower, email, password_hash, created_at)"
            " VALUES (:u, :ul, :e, :p, :now) RETURNING id",
            {"u": username, "ul": username.lower(), "e": email, "p": password_hash, "now": now},
        )
    )


async def update(db: Connection, account_id: int, fields: Mapping[str, Any]) -> None:
    values = dict(fields)
    if "username" in values:
        values["username_lower"] = values["username"].lower()
    sets = ", ".join(f"{k} = :{k}" for k in values)
    await db.execute(f"UPDATE accounts SET {sets} WHERE id = :id", {**values, "id": account_id})


async def delete(db: Connection, account_id: int) -> None:
    # Applications it registered go with it (clients.account_id has no foreign key: see migration 0005).
    await db.execute("DELETE FROM clients WHERE account_id = :id", {"id": account_id})
    await db.execute("DELETE FROM accounts WHERE id = :id", {"id": account_id})


async def all_accounts(db: Connection) -> list[Row]:
    return await db.fetch_all("SELECT id, username, email, created_at FROM accounts ORDER BY id")


async def use_invite(db: Connection, code: str, account_id: int) -> bool:
    return bool(
        await db.execute(
            "UPDATE invites SET used_by = :a WHERE code = :c AND used_by IS NULL",
            {"a": account_id, "c": code},
        )
    )


async def invite_unused(db: Connection, code: str) -> bool:
    return (
        await db.fetch_one("SELECT code FROM invites WHERE code = :c AND used_by IS NULL", {"c": code})
        is not None
    )


async def add_invite(db: Connection, code: str, now: int) -> None:
    await db.execute("INSERT INTO invites (code, created_at) VALUES (:c, :now)", {"c": code, "now": now})


# ---------------------------------------------------------------- images of an account


async def image_ids(db: Connection, account_id: int, *, limit: int, offset: int) -> list[str]:
    rows = await db.fetch_all(
        "SELECT id FROM images WHERE account_id = :a ORDER BY created_at DESC, id LIMIT :lim OFFSET :off",
        {"a": account_id, "lim": limit, "off": offset},
    )
    return [r["id"] for r in rows]


async def images(db: Connection, account_id: int, *, limit: int, offset: int) -> list[Image]:
    return await image_repo.select(
        db,
        "WHERE i.account_id = :a ORDER BY i.created_at DESC, i.id LIMIT :lim OFFSET :off",
        {"a": account_id, "lim": limit, "off": offset},
    )


async def image_count(db: Connection, account_id: int) -> int:
    return int(await db.fetch_value("SELECT COUNT(*) FROM images WHERE account_id = :a", {"a": account_id}))


async def image_totals(db: Connection, account_id: int) -> Row:
    return await db.fetch_one(  # type: ignore[return-value]
        "SELECT COUNT(*) AS n, COALESCE(SUM(views), 0) AS views, COALESCE(SUM(bandwidth), 0) AS bandwidth,"
        " COALESCE(SUM(size), 0) AS size FROM images WHERE account_id = :a",
        {"a": account_id},
    )


async def all_image_ids(db: Connection, account_id: int) -> list[str]:
    rows = await db.fetch_all("SELECT id FROM images WHERE account_id = :a", {"a": account_id})
    return [r["id"] for r in rows]


# ---------------------------------------------------------------- favorites


async def is_favorite(db: Connection, account_id: int, image_id: str) -> bool:
    return (
        await db.fetch_one(
            "SELECT 1 AS x FROM favorites WHERE account_id = :a AND image_id = :i",
            {"a": account_id, "i": image_id},
        )
        is not None
    )


async def add_favorite(db: Connection, account_id: int, image_id: str, now: int) -> None:
    await db.execute(
        "INSERT INTO favorites (account_id, image_id, created_at) VALUES (:a, :i, :now)"
        " ON CONFLICT DO NOTHING",
        {"a": account_id, "i": image_id, "now": now},
    )


async def remove_favorite(db: Connection, account_id: int, image_id: str) -> None:
    await db.execute(
        "DELETE FROM favorites WHERE account_id = :a AND image_id = :i", {"a": account_id, "i": image_id}
    )


async def favorite_refs(
    db: Connection, account_id: int, *, newest: bool, limit: int, offset: int
) -> list[FavoriteRef]:
    """Favorited images and albums, interleaved by when they were favorited."""
    order = "DESC" if newest else "ASC"
    rows = await db.fetch_all(
        "SELECT kind, item_id, created_at FROM ("
        " SELECT 'image' AS kind, image_id AS item_id, created_at FROM favorites WHERE account_id = :a"
        " UNION ALL"
        " SELECT 'album' AS kind, album_id AS item_id, created_at FROM album_favorites WHERE account_id = :a"
        f") f ORDER BY created_at {order}, item_id LIMIT :lim OFFSET :off",
        {"a": account_id, "lim": limit, "off": offset},
    )
    return [FavoriteRef(r["kind"], r["item_id"]) for r in rows]
