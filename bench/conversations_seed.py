"""Bulk loader: one account's inbox (conversations, messages, notifications) with the rows the services
would have written, fast.

    python bench/conversations_seed.py --conversations 10000 --notifications 100000 --config embedded
    python bench/conversations_seed.py --conversations 10000 --notifications 100000 --config scaleout

On top of a small gallery seeded by bench/gallery_seed.py (accounts with their argon2 hash, images,
posts; the reading account's OAuth token stored hashed as domain/oauth stores it), for the reading
account (the first one):

- a conversation with each of --conversations other accounts (one per pair, low_id < high_id), both
  member rows with last_message_id on the conversation's latest message; 2-5 messages in each (the
  other side writes first, then turns alternate), --long-messages in the first one; in one conversation
  in twenty the reader cleared the first message (cleared_through);
- --notifications notifications, newest last: one message notification for each of the first
  min(conversations, notifications / 10) conversations (on the partner's latest message, a third of them
  unviewed: at most one unviewed per conversation, as add_message keeps it), and of the rest 3/4 replies
  to the reader's comments (the reply comment rows, on the seeded one-image posts) and 1/4 comments on
  the reader's own posts (some of those posts are handed to the reader, with their images); half of
  these unviewed. comment_count of every post touched is recounted.

Messages and notifications get ids in time order, as a live server hands them out. The rows go in at
the head revision with the indexes in place (they are few next to the gallery's); SQLite in one
transaction, PostgreSQL with COPY, then the sequences moved past the rows and ANALYZE."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import log
from gallery_seed import Plan as GalleryPlan
from gallery_seed import PostgresTarget, SqliteTarget, _open
from gallery_seed import load as load_gallery

DAY = 86_400
# Tables filled here, in foreign-key order, with their columns.
COLUMNS = {
    "comments": (
        "id",
        "post_id",
        "account_id",
        "parent_id",
        "body",
        "ups",
        "downs",
        "points",
        "best",
        "deleted",
        "platform",
        "reports_open",
        "hidden",
        "created_at",
    ),
    "conversations": ("id", "low_id", "high_id", "created_at"),
    "conversation_members": ("conversation_id", "account_id", "cleared_through", "last_message_id"),
    "messages": ("id", "conversation_id", "sender_id", "subject", "body", "created_at"),
    "notifications": (
        "id",
        "account_id",
        "kind",
        "actor_id",
        "comment_id",
        "conversation_id",
        "message_id",
        "viewed",
        "created_at",
    ),
}
WORDS = "the a of and to in is you that it was for on are with as be at have this from or one had by".split()


@dataclass(frozen=True)
class Shape:
    conversations: int
    notifications: int
    long_messages: int = 200  # messages in the first conversation (the page measured)
    posts: int = 200  # the gallery under it
    seed: int = 17
    now: int = 0  # 0 = the current hour

    @property
    def t_now(self) -> int:
        return self.now or int(time.time()) // 3600 * 3600


@dataclass
class Inbox:
    rows: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    client_id: str = ""
    account_id: int = 0
    username: str = ""
    access_token: str = ""
    image_id: str = ""  # a seeded image, for GET /3/image/{id}
    long_conversation: int = 0  # the conversation of --long-messages messages
    unviewed: Counter[str] = field(default_factory=Counter)  # kind -> unviewed notifications

    def json(self) -> dict[str, Any]:
        return {
            "rows": dict(self.rows),
            "seconds": round(self.seconds, 2),
            "client_id": self.client_id,
            "account_id": self.account_id,
            "username": self.username,
            "access_token": self.access_token,
            "image_id": self.image_id,
            "long_conversation": self.long_conversation,
            "unviewed": dict(self.unviewed),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Inbox:
        out = cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})
        out.rows, out.unviewed = Counter(out.rows), Counter(out.unviewed)
        return out


def _body(rng: random.Random, lo: int, hi: int) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(lo, hi)))


def generate(
    shape: Shape, reader: int, partners: list[int], posts: list[str], owned: list[str], first: dict[str, int]
) -> tuple[dict[str, list[tuple[Any, ...]]], int, Counter[str]]:
    """Every row, by table; the long conversation's id; unviewed notifications by kind."""
    rng = random.Random(shape.seed)
    now = shape.t_now
    span = 90 * DAY
    n_conv = len(partners)
    out: dict[str, list[tuple[Any, ...]]] = {t: [] for t in COLUMNS}

    # Conversations and their messages; the message times decide the message ids.
    pending: list[tuple[int, int, int, str | None, str]] = []  # (time, conversation, sender, subject, body)
    for k, partner in enumerate(partners):
        cid = first["conversations"] + k
        n_msg = shape.long_messages if k == 0 else rng.randint(2, 5)
        t = now - span + int(span * rng.random() ** 0.5) - n_msg * 600
        out["conversations"].append((cid, min(reader, partner), max(reader, partner), t))
        for j in range(n_msg):
            sender = partner if j % 2 == 0 else reader
            pending.append((t, cid, sender, "Hello" if j == 0 else None, _body(rng, 3, 30)))
            t += 1 + rng.randrange(600)
    pending.sort(key=lambda m: (m[0], m[1]))
    first_of: dict[int, int] = {}
    last_of: dict[int, int] = {}
    partner_last: dict[int, tuple[int, int, int]] = {}  # conversation -> (message, sender, time)
    for n, (t, cid, sender, subject, body) in enumerate(pending):
        mid = first["messages"] + n
        out["messages"].append((mid, cid, sender, subject, body, t))
        first_of.setdefault(cid, mid)
        last_of[cid] = mid
        if sender != reader:
            partner_last[cid] = (mid, sender, t)
    for k, partner in enumerate(partners):
        cid = first["conversations"] + k
        cleared = first_of[cid] if k and k % 20 == 0 else 0
        out["conversation_members"].append((cid, reader, cleared, last_of[cid]))
        out["conversation_members"].append((cid, partner, 0, last_of[cid]))

    # Notifications: (time, kind, actor, comment, conversation, message, viewed), ids in time order.
    notes: list[tuple[int, str, int, int | None, int | None, int | None, bool]] = []
    n_msg_notes = min(n_conv, shape.notifications // 10)
    for k in range(n_msg_notes):
        cid = first["conversations"] + k
        mid, sender, t = partner_last[cid]
        notes.append((t, "message", sender, None, cid, mid, k % 3 != 0))
    rest = shape.notifications - n_msg_notes
    n_comment = rest // 4 if owned else 0
    n_reply = rest - n_comment
    comment_id = first["comments"]
    mine: list[tuple[int, str, int]] = []  # the reader's comments: (id, post, time)
    for j in range(max(1, n_reply // 50)):
        post = posts[j % len(posts)]
        t = now - span - DAY + rng.randrange(DAY)
        out["comments"].append(_comment(comment_id, post, reader, None, _body(rng, 4, 20), t))
        mine.append((comment_id, post, t))
        comment_id += 1
    for j in range(n_reply + n_comment):
        actor = partners[rng.randrange(n_conv)]
        t = now - span + rng.randrange(span)
        if j < n_reply:
            parent, post, _ = mine[rng.randrange(len(mine))]
            out["comments"].append(_comment(comment_id, post, actor, parent, _body(rng, 2, 25), t))
            notes.append((t, "reply", actor, comment_id, None, None, rng.random() < 0.5))
        else:
            post = owned[rng.randrange(len(owned))]
            out["comments"].append(_comment(comment_id, post, actor, None, _body(rng, 2, 25), t))
            notes.append((t, "comment", actor, comment_id, None, None, rng.random() < 0.5))
        comment_id += 1
    # Comment rows in id order with times that need not follow it (as comments on several posts do).
    notes.sort(key=lambda r: r[0])
    unviewed: Counter[str] = Counter()
    for n, (t, kind, actor, comment, cid, mid, viewed) in enumerate(notes):
        out["notifications"].append(
            (first["notifications"] + n, reader, kind, actor, comment, cid, mid, viewed, t)
        )
        unviewed[kind] += not viewed
    return out, first["conversations"], unviewed


def _comment(cid: int, post: str, account: int, parent: int | None, body: str, t: int) -> tuple[Any, ...]:
    return (cid, post, account, parent, body, 0, 0, 0, 0.0, False, "api", 0, False, t)


async def _insert(target: SqliteTarget | PostgresTarget, table: str, rows: list[tuple[Any, ...]]) -> None:
    cols = COLUMNS[table]
    if isinstance(target, PostgresTarget):
        await target.conn.copy_records_to_table(table, records=rows, columns=list(cols))
    else:
        target.c.executemany(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows
        )


async def _exec(target: SqliteTarget | PostgresTarget, sql: str) -> None:
    if isinstance(target, PostgresTarget):
        await target.conn.execute(sql)
    else:
        target.c.execute(sql)


async def load(
    shape: Shape, *, data_dir: Path, database_url: str = "", settings: dict[str, str] | None = None
) -> Inbox:
    """A new deployment (data_dir's SQLite file, or database_url) with the gallery and the inbox."""
    t0 = time.monotonic()
    gallery = await load_gallery(
        GalleryPlan(
            posts=shape.posts,
            seed=shape.seed,
            now=shape.t_now,
            accounts=max(100, shape.conversations + 1),
            voters=1,
        ),
        data_dir=data_dir,
        database_url=database_url,
        settings=settings,
        files=2,
    )
    inbox = Inbox(client_id=gallery.client_id, rows=Counter(gallery.rows))
    token = gallery.tokens[0]
    reader = int(token["account_id"])
    inbox.account_id, inbox.username, inbox.access_token = reader, token["username"], token["access_token"]
    posts = list(gallery.image_sample)
    inbox.image_id = posts[0]
    owned = posts[: max(1, len(posts) // 10)]
    partners = [reader + 1 + k for k in range(shape.conversations)]
    t1 = time.monotonic()
    target = await _open(data_dir, database_url)
    try:
        first = {}
        for table in ("comments", "conversations", "messages", "notifications"):
            first[table] = int(await target.value(f"SELECT COALESCE(MAX(id), 0) FROM {table}")) + 1
        if int(await target.value(f"SELECT COUNT(*) FROM accounts WHERE id > {reader}")) < len(partners):
            raise RuntimeError("not enough accounts seeded for the conversations")
        rows, inbox.long_conversation, inbox.unviewed = generate(shape, reader, partners, posts, owned, first)
        await target.begin()
        marks = ", ".join(f"'{p}'" for p in owned)
        # The reader shared these posts (and owns their images).
        await _exec(target, f"UPDATE gallery_posts SET account_id = {reader} WHERE id IN ({marks})")
        await _exec(
            target,
            f"UPDATE images SET account_id = {reader}"
            f" WHERE id IN (SELECT image_id FROM gallery_posts WHERE id IN ({marks}))",
        )
        for table, batch in rows.items():
            await _insert(target, table, batch)
            inbox.rows[table] += len(batch)
        touched = ", ".join(f"'{p}'" for p in posts)
        await _exec(
            target,
            "UPDATE gallery_posts SET comment_count = (SELECT COUNT(*) FROM comments c"
            f" WHERE c.post_id = gallery_posts.id) WHERE id IN ({touched})",
        )
        await target.commit()
        if isinstance(target, PostgresTarget):
            for table in ("comments", "conversations", "messages", "notifications"):
                await target.conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" GREATEST((SELECT MAX(id) FROM {table}), 1))"
                )
        await target.finish()
    finally:
        await target.close()
    inbox.seconds = time.monotonic() - t0
    n = sum(len(b) for b in rows.values())
    log(
        f"    inbox of account {reader}: {n:,} rows ({', '.join(f'{t} {len(b):,}' for t, b in rows.items())})"
        f" in {time.monotonic() - t1:.1f} s; unviewed {dict(inbox.unviewed)}"
    )
    return inbox


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--conversations", type=int, default=10_000)
    p.add_argument("--notifications", type=int, default=100_000)
    p.add_argument("--long-messages", type=int, default=200, help="messages in the first conversation")
    p.add_argument("--config", choices=("embedded", "scaleout"), default="embedded")
    p.add_argument("--data-dir", type=Path, help="embedded: the data dir to create (default: a new temp dir)")
    p.add_argument("--database-url", default="", help="scaleout: a new PostgreSQL database")
    p.add_argument("--seed", type=int, default=17)
    p.add_argument("--json", type=Path, help="write what was seeded (counts, the token, ids) here")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    shape = Shape(args.conversations, args.notifications, args.long_messages, seed=args.seed)
    with contextlib.ExitStack() as stack:
        data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="conversations-seed-data."))
        database_url, settings = "", {}
        if args.config == "scaleout":
            settings = {k: v for k, v in os.environ.items() if k.startswith("IMGHOST_")}
            database_url = args.database_url or settings.get("IMGHOST_DATABASE_URL", "")
            if not database_url:
                from backends import scaleout_stack

                settings = stack.enter_context(scaleout_stack())
                database_url = settings["IMGHOST_DATABASE_URL"]
                log("    (a throwaway stack: the seeded database goes away with it)")
        inbox = asyncio.run(load(shape, data_dir=data_dir, database_url=database_url, settings=settings))
        log(f"done in {inbox.seconds:.1f} s")
        if args.json:
            args.json.write_text(json.dumps(inbox.json(), indent=1))
            os.chmod(args.json, 0o600)
        if args.config == "embedded":
            log(f"data dir: {data_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
