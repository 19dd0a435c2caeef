"""SQL for the moderation queue: reports of posts, comments and message senders, and the counts they
keep on the posts and comments they report (reports_open, hidden)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from imghost.db.database import Connection

# kind -> (table reported, its column in reports). Kinds come from the service, never from a request.
ITEMS = {"post": ("gallery_posts", "post_id"), "comment": ("comments", "comment_id")}
Item = str | int
# §3.5's reason codes.
REASONS = {1: "doesn't belong", 2: "spam", 3: "abusive", 4: "mature not marked", 5: "pornography"}

_SELECT = (
    "SELECT r.id, r.post_id AS reported_post, r.comment_id, r.sender_id, r.account_id, r.reason, r.status,"
    " r.resolution, r.resolved_at, r.created_at, ra.username AS reporter, rb.username AS resolver,"
    " COALESCE(p.id, c.post_id) AS post_id, COALESCE(p.title, c.body, sa.username) AS item_text,"
    " COALESCE(pa.username, ca.username, sa.username) AS item_author,"
    " COALESCE(p.reports_open, c.reports_open, (SELECT COUNT(DISTINCT x.account_id) FROM reports x"
    " WHERE x.sender_id = r.sender_id AND x.status = 'open'), 0) AS item_reports,"
    " COALESCE(p.hidden, c.hidden) AS item_hidden"
    " FROM reports r JOIN accounts ra ON ra.id = r.account_id"
    " LEFT JOIN accounts rb ON rb.id = r.resolved_by"
    " LEFT JOIN gallery_posts p ON p.id = r.post_id LEFT JOIN accounts pa ON pa.id = p.account_id"
    " LEFT JOIN comments c ON c.id = r.comment_id LEFT JOIN accounts ca ON ca.id = c.account_id"
    " LEFT JOIN accounts sa ON sa.id = r.sender_id"
)


@dataclass(frozen=True, slots=True)
class Report:
    """One report in the queue, with what the moderator needs to see of the item it is about."""

    id: int
    kind: str  # post | comment | sender (an account reported for the messages it sent)
    post_id: str | None  # the post reported, or the post the reported comment is on
    comment_id: int | None
    sender_id: int | None
    account_id: int
    reporter: str
    reason: int
    status: str  # open | resolved
    resolution: str | None  # dismiss | remove
    resolver: str | None  # the admin who resolved it; None when the operator's command line did
    resolved_at: int | None
    created_at: int
    item_text: str  # the post's title or the comment's text
    item_author: str | None
    item_reports: int  # open reports of the item, from distinct accounts
    item_hidden: bool

    @property
    def item(self) -> Item:
        if self.kind == "sender" and self.sender_id is not None:
            return self.sender_id
        return (
            self.comment_id if self.kind == "comment" and self.comment_id is not None else self.post_id or ""
        )

    def as_dict(self) -> dict[str, Any]:
        """The report as the admin API and `imghost reports list --json` show it."""
        return {
            "id": self.id,
            "kind": self.kind,
            "post_id": self.post_id,
            "comment_id": self.comment_id,
            "sender_id": self.sender_id,
            "reason": self.reason,
            "reason_name": REASONS.get(self.reason, str(self.reason)),
            "reporter": self.reporter,
            "reporter_id": self.account_id,
            "status": self.status,
            "resolution": self.resolution,
            "resolved_by": self.resolver,
            "resolved_at": self.resolved_at,
            "datetime": self.created_at,
            "item": {
                "text": self.item_text,
                "author": self.item_author,
                "reports_open": self.item_reports,
                "hidden": self.item_hidden,
            },
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Report:
        comment_id, sender_id = row["comment_id"], row["sender_id"]
        kind = "comment" if comment_id is not None else "sender" if sender_id is not None else "post"
        return cls(
            id=int(row["id"]),
            kind=kind,
            post_id=row["post_id"] or row["reported_post"],
            comment_id=None if comment_id is None else int(comment_id),
            sender_id=None if sender_id is None else int(sender_id),
            account_id=int(row["account_id"]),
            reporter=row["reporter"],
            reason=int(row["reason"]),
            status=row["status"],
            resolution=row["resolution"],
            resolver=row["resolver"],
            resolved_at=None if row["resolved_at"] is None else int(row["resolved_at"]),
            created_at=int(row["created_at"]),
            item_text=row["item_text"] or "",
            item_author=row["item_author"],
            item_reports=int(row["item_reports"] or 0),
            item_hidden=bool(row["item_hidden"]),
        )


async def get(db: Connection, report_id: int) -> Report | None:
    row = await db.fetch_one(f"{_SELECT} WHERE r.id = :id", {"id": report_id})
    return None if row is None else Report.from_row(row)


async def queue(db: Connection, status: str | None, *, limit: int, offset: int) -> list[Report]:
    """Reports with this status (None: all), the open queue oldest first, everything else newest first."""
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    where = ""
    if status is not None:
        where = "WHERE r.status = :status"
        params["status"] = status
    order = "r.created_at, r.id" if status == "open" else "r.created_at DESC, r.id DESC"
    rows = await db.fetch_all(f"{_SELECT} {where} ORDER BY {order} LIMIT :limit OFFSET :offset", params)
    return [Report.from_row(r) for r in rows]


async def lock_item(tx: Connection, kind: str, item: Item) -> Mapping[str, Any] | None:
    """The reported row's moderation state, its row held by this transaction (a no-op write takes the row
    lock on PostgreSQL; SQLite's transactions already take the whole database)."""
    table, _ = ITEMS[kind]
    changed = await tx.execute(f"UPDATE {table} SET reports_open = reports_open WHERE id = :id", {"id": item})
    if not changed:
        return None
    if kind == "comment":
        return await tx.fetch_one(
            "SELECT id, reports_open, hidden, deleted FROM comments WHERE id = :id", {"id": item}
        )
    row = await tx.fetch_one(f"SELECT id, reports_open, hidden FROM {table} WHERE id = :id", {"id": item})
    return None if row is None else {**row, "deleted": False}


async def has_open(tx: Connection, kind: str, item: Item, account_id: int) -> bool:
    _, column = ITEMS[kind]
    found = await tx.fetch_value(
        f"SELECT 1 FROM reports WHERE {column} = :item AND account_id = :a AND status = 'open'",
        {"item": item, "a": account_id},
    )
    return found is not None


async def insert(tx: Connection, kind: str, item: Item, account_id: int, reason: int, now: int) -> None:
    _, column = ITEMS[kind]
    await tx.execute(
        f"INSERT INTO reports ({column}, account_id, reason, status, created_at)"
        " VALUES (:item, :a, :reason, 'open', :now)",
        {"item": item, "a": account_id, "reason": reason, "now": now},
    )


async def recount(tx: Connection, kind: str, item: Item) -> int:
    """Write the item's reports_open from its open reports (distinct accounts) and return it."""
    table, column = ITEMS[kind]
    n = int(
        await tx.fetch_value(
            f"SELECT COUNT(DISTINCT account_id) FROM reports WHERE {column} = :item AND status = 'open'",
            {"item": item},
        )
        or 0
    )
    await tx.execute(f"UPDATE {table} SET reports_open = :n WHERE id = :id", {"n": n, "id": item})
    return n


async def set_hidden(tx: Connection, kind: str, item: Item, hidden: bool) -> None:
    table, _ = ITEMS[kind]
    await tx.execute(f"UPDATE {table} SET hidden = :h WHERE id = :id", {"h": hidden, "id": item})


async def close(
    tx: Connection, kind: str, item: Item, *, resolution: str, resolved_by: int | None, now: int
) -> int:
    """Resolve every open report of the item; returns how many there were."""
    _, column = ITEMS[kind]
    return await tx.execute(
        "UPDATE reports SET status = 'resolved', resolution = :res, resolved_by = :by, resolved_at = :now"
        f" WHERE {column} = :item AND status = 'open'",
        {"res": resolution, "by": resolved_by, "now": now, "item": item},
    )


async def open_count(db: Connection, kind: str, item: Item) -> int:
    _, column = ITEMS[kind]
    return int(
        await db.fetch_value(
            f"SELECT COUNT(*) FROM reports WHERE {column} = :item AND status = 'open'", {"item": item}
        )
        or 0
    )


async def reported_by(tx: Connection, account_id: int) -> list[tuple[str, Item]]:
    """The items this account has open reports on, as (kind, item)."""
    rows = await tx.fetch_all(
        "SELECT DISTINCT post_id, comment_id FROM reports"
        " WHERE account_id = :a AND status = 'open' AND sender_id IS NULL",
        {"a": account_id},
    )
    return [
        ("post", r["post_id"]) if r["comment_id"] is None else ("comment", int(r["comment_id"])) for r in rows
    ]


async def has_open_sender(tx: Connection, sender_id: int, account_id: int) -> bool:
    found = await tx.fetch_value(
        "SELECT 1 FROM reports WHERE sender_id = :s AND account_id = :a AND status = 'open'",
        {"s": sender_id, "a": account_id},
    )
    return found is not None


async def insert_sender(tx: Connection, sender_id: int, account_id: int, reason: int, now: int) -> None:
    await tx.execute(
        "INSERT INTO reports (sender_id, account_id, reason, status, created_at)"
        " VALUES (:s, :a, :reason, 'open', :now)",
        {"s": sender_id, "a": account_id, "reason": reason, "now": now},
    )


async def close_sender(
    tx: Connection, sender_id: int, *, resolution: str, resolved_by: int | None, now: int
) -> int:
    return await tx.execute(
        "UPDATE reports SET status = 'resolved', resolution = :res, resolved_by = :by, resolved_at = :now"
        " WHERE sender_id = :s AND status = 'open'",
        {"res": resolution, "by": resolved_by, "now": now, "s": sender_id},
    )


async def delete_of_account(tx: Connection, account_id: int) -> None:
    await tx.execute("DELETE FROM reports WHERE account_id = :a", {"a": account_id})


async def comment_deleted(db: Connection, comment_id: int) -> bool | None:
    """Whether the comment is deleted; None when there is no such comment."""
    value = await db.fetch_value("SELECT deleted FROM comments WHERE id = :id", {"id": comment_id})
    return None if value is None else bool(value)
