"""SQL for conversations, messages, their deletion marks and blocks.

What one party sees of a conversation: the messages after its cleared_through that it did not delete
one by one (VISIBLE, with :v the party and :cleared its mark)."""

from __future__ import annotations

from typing import Any

from imghost.db.database import Connection, Row
from imghost.domain.messages.model import Conversation, Message, Party

_SELECT = (
    "SELECT m.id, m.conversation_id, m.sender_id, a.username AS sender, m.subject, m.body, m.created_at,"
    " (SELECT MIN(f.id) FROM messages f WHERE f.conversation_id = m.conversation_id) AS first_id"
    " FROM messages m JOIN accounts a ON a.id = m.sender_id"
)
# The same for the messages of one conversation :c: its first id is the same for every row, and a
# subquery that names no column of the row is computed once.
_SELECT_IN = (
    "SELECT m.id, m.conversation_id, m.sender_id, a.username AS sender, m.subject, m.body, m.created_at,"
    " (SELECT MIN(f.id) FROM messages f WHERE f.conversation_id = :c) AS first_id"
    " FROM messages m JOIN accounts a ON a.id = m.sender_id"
)
VISIBLE = (
    "m.conversation_id = :c AND m.id > :cleared AND NOT EXISTS"
    " (SELECT 1 FROM message_deletions d WHERE d.message_id = m.id AND d.account_id = :v)"
)
# The viewer's newest visible message of the conversation of member row `cm`, and how many it sees.
_SEEN = (
    "FROM messages v WHERE v.conversation_id = cm.conversation_id AND v.id > cm.cleared_through"
    " AND NOT EXISTS (SELECT 1 FROM message_deletions d WHERE d.message_id = v.id AND d.account_id = cm.account_id)"
)
# A conversation as a list shows it, in one row: the member rows, the other side's name, the newest
# visible message (an inner join: a conversation that shows the viewer nothing is not listed) with its
# sender and the thread's first id, and the visible count. One query for a whole page, where a query per
# conversation made the list cost fifty round trips.
_LISTED_FROM = (
    " FROM conversation_members cm"
    " JOIN conversation_members o ON o.conversation_id = cm.conversation_id AND o.account_id <> cm.account_id"
    " JOIN accounts oa ON oa.id = o.account_id"
    f" JOIN messages m ON m.id = (SELECT MAX(v.id) {_SEEN})"
)
_SUMMARY = (
    "SELECT cm.conversation_id, cm.account_id, cm.cleared_through, o.account_id AS with_account_id,"
    " oa.username AS with_account, m.id, m.sender_id, a.username AS sender, m.subject, m.body, m.created_at,"
    " (SELECT MIN(f.id) FROM messages f WHERE f.conversation_id = cm.conversation_id) AS first_id,"
    f" (SELECT COUNT(*) {_SEEN}) AS message_count"
    f"{_LISTED_FROM} JOIN accounts a ON a.id = m.sender_id"
)
# What the conversation list shows of each (no sender, no thread id): the same rows as _SUMMARY's.
_LISTED = (
    "SELECT cm.conversation_id, o.account_id AS with_account_id, oa.username AS with_account, m.body,"
    f" m.created_at, (SELECT COUNT(*) {_SEEN}) AS message_count{_LISTED_FROM}"
)
_PARTY = (
    "SELECT cm.conversation_id, cm.account_id, cm.cleared_through, o.account_id AS with_account_id,"
    " oa.username AS with_account FROM conversation_members cm"
    " JOIN conversation_members o ON o.conversation_id = cm.conversation_id AND o.account_id <> cm.account_id"
    " JOIN accounts oa ON oa.id = o.account_id"
)


def _party(row: Any) -> Party:
    return Party(
        conversation_id=int(row["conversation_id"]),
        account_id=int(row["account_id"]),
        with_account_id=int(row["with_account_id"]),
        with_account=row["with_account"],
        cleared_through=int(row["cleared_through"]),
    )


def _scope(party: Party) -> dict[str, Any]:
    return {"c": party.conversation_id, "cleared": party.cleared_through, "v": party.account_id}


# ----------------------------------------------------------------------------------- conversations


async def pair(db: Connection, a: int, b: int) -> int | None:
    low, high = sorted((a, b))
    value = await db.fetch_value(
        "SELECT id FROM conversations WHERE low_id = :l AND high_id = :h", {"l": low, "h": high}
    )
    return None if value is None else int(value)


async def create(tx: Connection, a: int, b: int, now: int) -> int:
    low, high = sorted((a, b))
    new_id = int(
        await tx.fetch_value(
            "INSERT INTO conversations (low_id, high_id, created_at) VALUES (:l, :h, :now) RETURNING id",
            {"l": low, "h": high, "now": now},
        )
    )
    for account in (low, high):
        await tx.execute(
            "INSERT INTO conversation_members (conversation_id, account_id, cleared_through, last_message_id)"
            " VALUES (:c, :a, 0, 0)",
            {"c": new_id, "a": account},
        )
    return new_id


async def party(db: Connection, conversation_id: int, account_id: int) -> Party | None:
    row = await db.fetch_one(
        f"{_PARTY} WHERE cm.conversation_id = :c AND cm.account_id = :a",
        {"c": conversation_id, "a": account_id},
    )
    return None if row is None else _party(row)


def _summary(row: Any) -> Conversation:
    return Conversation(
        id=int(row["conversation_id"]),
        with_account_id=int(row["with_account_id"]),
        with_account=row["with_account"],
        last=Message.from_row(row),
        message_count=int(row["message_count"]),
    )


async def summaries(db: Connection, account_id: int, *, limit: int, offset: int) -> list[Conversation]:
    """The account's conversations that still show it a message, the latest activity first."""
    rows = await db.fetch_all(
        f"{_SUMMARY} WHERE cm.account_id = :a ORDER BY cm.last_message_id DESC LIMIT :limit OFFSET :offset",
        {"a": account_id, "limit": limit, "offset": offset},
    )
    return [_summary(r) for r in rows]


async def listed(db: Connection, account_id: int, *, limit: int, offset: int) -> list[Row]:
    """The conversations of `summaries` as rows: conversation_id, with_account_id, with_account, the
    latest visible message's body and created_at, message_count."""
    return await db.fetch_all(
        f"{_LISTED} WHERE cm.account_id = :a ORDER BY cm.last_message_id DESC LIMIT :limit OFFSET :offset",
        {"a": account_id, "limit": limit, "offset": offset},
    )


async def summary(db: Connection, conversation_id: int, account_id: int) -> tuple[Conversation, Party] | None:
    """One conversation as the account's list shows it, and the account's side of it; None when the
    account is no party to it or it shows the account nothing."""
    row = await db.fetch_one(
        f"{_SUMMARY} WHERE cm.conversation_id = :c AND cm.account_id = :a",
        {"c": conversation_id, "a": account_id},
    )
    return None if row is None else (_summary(row), _party(row))


async def touch(tx: Connection, conversation_id: int, message_id: int) -> None:
    """The conversation's latest message, which orders both parties' lists."""
    await tx.execute(
        "UPDATE conversation_members SET last_message_id = :m WHERE conversation_id = :c",
        {"m": message_id, "c": conversation_id},
    )


async def clear(tx: Connection, conversation_id: int, account_id: int) -> None:
    """Everything in the conversation so far is gone for this party."""
    await tx.execute(
        "UPDATE conversation_members SET cleared_through ="
        " (SELECT COALESCE(MAX(id), 0) FROM messages WHERE conversation_id = :c)"
        " WHERE conversation_id = :c AND account_id = :a",
        {"c": conversation_id, "a": account_id},
    )


async def started_since(db: Connection, account_id: int, since: int) -> tuple[int, int | None]:
    """How many conversations the account started since then (it sent their first message), and
    when the oldest of them was."""
    row = await db.fetch_one(
        "SELECT COUNT(*) AS n, MIN(c.created_at) AS oldest FROM conversations c"
        " WHERE (c.low_id = :a OR c.high_id = :a) AND c.created_at >= :since AND :a ="
        " (SELECT f.sender_id FROM messages f WHERE f.conversation_id = c.id ORDER BY f.id LIMIT 1)",
        {"a": account_id, "since": since},
    )
    assert row is not None
    return int(row["n"] or 0), None if row["oldest"] is None else int(row["oldest"])


# ---------------------------------------------------------------------------------------- messages


async def insert(
    tx: Connection, conversation_id: int, sender_id: int, subject: str | None, body: str, now: int
) -> int:
    return int(
        await tx.fetch_value(
            "INSERT INTO messages (conversation_id, sender_id, subject, body, created_at)"
            " VALUES (:c, :s, :subject, :body, :now) RETURNING id",
            {"c": conversation_id, "s": sender_id, "subject": subject, "body": body, "now": now},
        )
    )


async def get(db: Connection, message_id: int) -> Message | None:
    row = await db.fetch_one(f"{_SELECT} WHERE m.id = :id", {"id": message_id})
    return None if row is None else Message.from_row(row)


async def is_visible(db: Connection, party: Party, message_id: int) -> bool:
    found = await db.fetch_value(
        f"SELECT 1 FROM messages m WHERE m.id = :id AND {VISIBLE}", {"id": message_id, **_scope(party)}
    )
    return found is not None


async def visible(
    db: Connection, party: Party, *, limit: int = -1, offset: int = 0, newest: bool = False
) -> list[Message]:
    order = "m.id DESC" if newest else "m.id"
    rows = await db.fetch_all(
        f"{_SELECT_IN} WHERE {VISIBLE} ORDER BY {order} LIMIT :limit OFFSET :offset",
        {**_scope(party), "limit": limit if limit >= 0 else 2**62, "offset": offset},
    )
    return [Message.from_row(r) for r in rows]


async def ids_of(db: Connection, account_id: int, *, limit: int, offset: int) -> list[int]:
    """Every message the account sees, newest first."""
    rows = await db.fetch_all(
        "SELECT m.id FROM conversation_members cm JOIN messages m ON m.conversation_id = cm.conversation_id"
        " AND m.id > cm.cleared_through WHERE cm.account_id = :a AND NOT EXISTS"
        " (SELECT 1 FROM message_deletions d WHERE d.message_id = m.id AND d.account_id = :a)"
        " ORDER BY m.id DESC LIMIT :limit OFFSET :offset",
        {"a": account_id, "limit": limit, "offset": offset},
    )
    return [int(r["id"]) for r in rows]


async def count_of(db: Connection, account_id: int) -> int:
    value = await db.fetch_value(
        "SELECT COUNT(*) FROM conversation_members cm JOIN messages m ON m.conversation_id = cm.conversation_id"
        " AND m.id > cm.cleared_through WHERE cm.account_id = :a AND NOT EXISTS"
        " (SELECT 1 FROM message_deletions d WHERE d.message_id = m.id AND d.account_id = :a)",
        {"a": account_id},
    )
    return int(value or 0)


async def sent_since(db: Connection, account_id: int, since: int) -> tuple[int, int | None]:
    row = await db.fetch_one(
        "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM messages WHERE sender_id = :a AND created_at >= :since",
        {"a": account_id, "since": since},
    )
    assert row is not None
    return int(row["n"] or 0), None if row["oldest"] is None else int(row["oldest"])


async def has_sent(db: Connection, conversation_id: int, sender_id: int) -> bool:
    found = await db.fetch_value(
        "SELECT 1 FROM messages WHERE conversation_id = :c AND sender_id = :s LIMIT 1",
        {"c": conversation_id, "s": sender_id},
    )
    return found is not None


async def mark_deleted(tx: Connection, message_id: int, account_id: int) -> None:
    await tx.execute(
        "INSERT INTO message_deletions (message_id, account_id) SELECT :m, :a WHERE NOT EXISTS"
        " (SELECT 1 FROM message_deletions WHERE message_id = :m AND account_id = :a)",
        {"m": message_id, "a": account_id},
    )


# ------------------------------------------------------------------------------------------ blocks


async def is_blocked(db: Connection, account_id: int, blocked_id: int) -> bool:
    found = await db.fetch_value(
        "SELECT 1 FROM blocks WHERE account_id = :a AND blocked_id = :b", {"a": account_id, "b": blocked_id}
    )
    return found is not None


async def block(tx: Connection, account_id: int, blocked_id: int, now: int) -> None:
    await tx.execute(
        "INSERT INTO blocks (account_id, blocked_id, created_at) SELECT :a, :b, :now WHERE NOT EXISTS"
        " (SELECT 1 FROM blocks WHERE account_id = :a AND blocked_id = :b)",
        {"a": account_id, "b": blocked_id, "now": now},
    )


async def unblock(tx: Connection, account_id: int, blocked_id: int) -> None:
    await tx.execute(
        "DELETE FROM blocks WHERE account_id = :a AND blocked_id = :b", {"a": account_id, "b": blocked_id}
    )


async def blocked_by(db: Connection, account_id: int) -> list[tuple[int, str]]:
    rows = await db.fetch_all(
        "SELECT b.blocked_id, a.username FROM blocks b JOIN accounts a ON a.id = b.blocked_id"
        " WHERE b.account_id = :a ORDER BY b.created_at, b.blocked_id",
        {"a": account_id},
    )
    return [(int(r["blocked_id"]), r["username"]) for r in rows]


# ---------------------------------------------------------------------------------------- accounts


async def lock_accounts(tx: Connection, ids: list[int]) -> int:
    """Hold both parties' rows, in id order (the order every send takes them); how many still exist."""
    held = 0
    for account_id in sorted(set(ids)):
        held += await tx.execute("UPDATE accounts SET banned = banned WHERE id = :a", {"a": account_id})
    return held


async def is_banned(tx: Connection, account_id: int) -> bool:
    return bool(await tx.fetch_value("SELECT banned FROM accounts WHERE id = :a", {"a": account_id}))


async def forget_account(tx: Connection, account_id: int) -> None:
    """The account's conversations (with the other side's copy: no one is left to talk to), blocks both
    ways and reports of it as a sender."""
    await tx.execute(
        "DELETE FROM message_deletions WHERE message_id IN (SELECT m.id FROM messages m JOIN conversations c"
        " ON c.id = m.conversation_id WHERE c.low_id = :a OR c.high_id = :a)",
        {"a": account_id},
    )
    await tx.execute(
        "DELETE FROM messages WHERE conversation_id IN"
        " (SELECT id FROM conversations WHERE low_id = :a OR high_id = :a)",
        {"a": account_id},
    )
    await tx.execute(
        "DELETE FROM conversation_members WHERE conversation_id IN"
        " (SELECT id FROM conversations WHERE low_id = :a OR high_id = :a)",
        {"a": account_id},
    )
    await tx.execute("DELETE FROM conversations WHERE low_id = :a OR high_id = :a", {"a": account_id})
    await tx.execute("DELETE FROM blocks WHERE account_id = :a OR blocked_id = :a", {"a": account_id})
    await tx.execute("DELETE FROM reports WHERE sender_id = :a", {"a": account_id})
