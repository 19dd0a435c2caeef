"""Bulk loader: a gallery of N posts with the rows the service would have written, fast.

    python bench/gallery_seed.py --posts 1000000 --config embedded [--data-dir D]
    python bench/gallery_seed.py --posts 1000000 --config scaleout [--database-url URL]

What it writes, as the services would after N shares and the votes, comments and tags on them:
accounts (with their argon2 hash) and, for `--voters`, OAuth tokens stored hashed as domain/oauth
stores them; a few real files uploaded through a real `imghost serve` (their blobs rows and stored
originals), then images rows that share those blobs (blobs.refcount counts them, so links work and
`imghost gc` keeps them); albums of 2-4 images for some posts; gallery_posts whose ups, downs, points,
hot and rising follow from the gallery_votes rows written with them (domain/gallery/ranking.py);
threaded comments with comment_count right; tags and post_tags with total_items right.

The content is a function of --seed, --posts and --now (share times, votes, titles, tags, ids); only
the uploaded files' ids and the tokens are random. The database must be new: `imghost db upgrade` makes
it, the files are uploaded, then it goes down to LOAD_REVISION (nothing is lost: it holds only those
files) and the rows go in, with the loaded tables' secondary indexes (and on PostgreSQL their foreign
keys) set aside and rebuilt afterwards from their own definitions. A last `imghost db upgrade` runs the
later migrations over the rows as over any deployment's (0008 builds the search index in one pass), so
the schema ends up exactly as the migrations make it. SQLite: WAL and synchronous=NORMAL as the app
opens it, foreign keys checked row by row, executemany in large transactions. PostgreSQL: COPY (asyncpg
copy_records_to_table), the foreign keys validated when they are added back, then ANALYZE (autovacuum
would do it on a live server)."""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import hashlib
import itertools
import json
import os
import queue
import random
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import httpx
from common import (
    HUGE_LIMITS,
    clean_env,
    free_port,
    log,
    multipart,
    small_jpeg,
    spawn,
    stop,
    vary_jpeg,
    wait_http,
)

from imghost.domain.gallery import ranking

ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"  # ids.py's, in its order
ID_SPACE = 62**7
DELETEHASH_SPACE = 62**15
DAY = 86_400
CHUNK = 25_000  # posts per transaction

# The tables the loader fills, in foreign-key order.
TABLES = (
    "accounts",
    "tokens",
    "tags",
    "images",
    "albums",
    "album_images",
    "gallery_posts",
    "gallery_votes",
    "comments",
    "post_tags",
)
COLUMNS = {
    "accounts": (
        "id",
        "username",
        "username_lower",
        "email",
        "password_hash",
        "created_at",
        "accepted_gallery_terms",
    ),
    "tokens": ("access_hash", "refresh_hash", "client_id", "account_id", "access_expires_at", "created_at"),
    "tags": ("name", "display_name", "description", "followers", "total_items", "created_at"),
    "images": (
        "id",
        "deletehash",
        "client_id",
        "account_id",
        "title",
        "description",
        "name",
        "blob_id",
        "mime",
        "ext",
        "width",
        "height",
        "size",
        "animated",
        "has_sound",
        "mp4_size",
        "nsfw",
        "created_at",
        "views",
        "bandwidth",
    ),
    "albums": (
        "id",
        "deletehash",
        "client_id",
        "account_id",
        "title",
        "description",
        "privacy",
        "layout",
        "cover_id",
        "created_at",
        "updated_at",
        "views",
    ),
    "album_images": ("album_id", "image_id", "position"),
    "gallery_posts": (
        "id",
        "image_id",
        "album_id",
        "account_id",
        "title",
        "topic_id",
        "community",
        "mature",
        "shared_at",
        "ups",
        "downs",
        "points",
        "comment_count",
        "hot",
        "rising",
        "reports_open",
        "hidden",
    ),
    "gallery_votes": ("post_id", "account_id", "vote", "created_at"),
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
    "post_tags": ("post_id", "tag", "account_id", "ups", "downs", "created_at"),
}
# Big tables whose secondary indexes are rebuilt after the load rather than kept up row by row.
REINDEXED = ("images", "albums", "album_images", "gallery_posts", "gallery_votes", "comments", "post_tags")


# ------------------------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Plan:
    posts: int
    seed: int = 16
    now: int = 0  # share times run up to here; 0 = the current hour
    accounts: int = 0  # 0 = one per 50 posts, at least 100
    voters: int = 50  # accounts given a bearer token (the first ones)
    span_days: int = 365
    album_share: float = 0.10
    mature_share: float = 0.03
    community_share: float = 0.10
    up_share: float = 0.85

    @property
    def n_accounts(self) -> int:
        return self.accounts or max(100, self.posts // 50, self.voters)

    @property
    def t_now(self) -> int:
        return self.now or int(time.time()) // 3600 * 3600


def vocabulary(n: int, salt: str) -> list[str]:
    """n distinct pronounceable words (the same for every seed, so benchmarks can name them)."""
    rng = random.Random(salt)
    cons, vows = "bdfgklmnprstvz", "aeiou"
    out: dict[str, None] = {}
    while len(out) < n:
        word = "".join(rng.choice(cons) + rng.choice(vows) for _ in range(rng.randint(2, 3)))
        out.setdefault(word)
    return list(out)


WORDS = vocabulary(3000, "gallery-words")
TAGS = vocabulary(400, "gallery-tags")
COMMUNITIES = vocabulary(20, "gallery-communities")


def zipf_cum(n: int, s: float = 1.0) -> list[float]:
    return list(itertools.accumulate(1.0 / (r**s) for r in range(1, n + 1)))


WORD_CUM = zipf_cum(len(WORDS))
TAG_CUM = zipf_cum(len(TAGS))


def word_share(rank: int, per_title: float = 6.0) -> float:
    """Expected share of titles containing the word of this rank (1-based)."""
    p = 1.0 / rank / WORD_CUM[-1]
    return 1.0 - (1.0 - p) ** per_title


TAG_DRAWS = (0, 0, 1, 1, 1, 2, 2, 3)  # tags drawn for a post (the same tag drawn twice counts once)


def tag_share(rank: int) -> float:
    """Expected share of posts carrying the tag of this rank (1-based)."""
    p = 1.0 / rank / TAG_CUM[-1]
    return sum(1.0 - (1.0 - p) ** n for n in TAG_DRAWS) / len(TAG_DRAWS)


class Ids:
    """7-character ids from a counter through a bijection of 62**7 (unique, random-looking, seeded)."""

    def __init__(self, rng: random.Random, taken: set[str]) -> None:
        mult = rng.randrange(62**6, ID_SPACE)
        while mult % 2 == 0 or mult % 31 == 0:
            mult += 1
        self.mult, self.offset, self.n, self.taken = mult, rng.randrange(ID_SPACE), 0, taken
        self.dmult = rng.randrange(62**14, DELETEHASH_SPACE) | 1
        while self.dmult % 31 == 0:
            self.dmult += 2
        self.doffset = rng.randrange(DELETEHASH_SPACE)
        self.dn = 0

    def next(self) -> str:
        while True:
            value = (self.n * self.mult + self.offset) % ID_SPACE
            self.n += 1
            out = _base62(value, 7)
            if out not in self.taken:
                return out

    def deletehash(self) -> str:
        value = (self.dn * self.dmult + self.doffset) % DELETEHASH_SPACE
        self.dn += 1
        return _base62(value, 15)


def _base62(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        value, r = divmod(value, 62)
        chars.append(ALPHABET[r])
    return "".join(chars)


@dataclass
class SourceImage:
    """A real stored file the seeded images point at (its image row's media fields)."""

    image_id: str
    blob_id: str
    mime: str
    ext: str
    width: int
    height: int
    size: int
    animated: bool
    has_sound: bool
    mp4_size: int


@dataclass
class Seeded:
    posts: int = 0
    rows: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    by_migrations: Counter[str] = field(default_factory=Counter)  # rows later migrations derived
    cpu_seconds: float = 0.0
    tokens: list[dict[str, Any]] = field(default_factory=list)  # {account_id, username, access_token}
    client_id: str = ""
    post_sample: list[str] = field(default_factory=list)  # ids, for benchmarks to vote on
    image_sample: list[str] = field(default_factory=list)  # seeded image ids (posts of one image)
    words: dict[str, float] = field(default_factory=dict)  # word -> share of titles (expected)
    tags: dict[str, float] = field(default_factory=dict)  # tag -> share of posts (expected)
    now: int = 0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Seeded:
        names = {f.name for f in fields(cls)}
        out = cls(**{k: v for k, v in d.items() if k in names})
        out.rows, out.by_migrations = Counter(out.rows), Counter(out.by_migrations)
        return out

    def json(self) -> dict[str, Any]:
        return {
            "posts": self.posts,
            "rows": dict(self.rows),
            "by_migrations": dict(self.by_migrations),
            "cpu_seconds": round(self.cpu_seconds, 1),
            "total_rows": self.total_rows,
            "seconds": round(self.seconds, 2),
            "rows_per_second": round(self.total_rows / self.seconds) if self.seconds else 0,
            "client_id": self.client_id,
            "tokens": self.tokens,
            "post_sample": self.post_sample,
            "image_sample": self.image_sample,
            "words": self.words,
            "tags": self.tags,
            "now": self.now,
        }


# ------------------------------------------------------------------------------------ row generation


def generate(
    plan: Plan,
    sources: Sequence[SourceImage],
    client_id: str,
    taken: set[str],
    first: dict[str, int],
    password_hash: str,
    seeded: Seeded,
) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    """Batches of rows, table by table, in an order the foreign keys accept."""
    rng = random.Random(plan.seed)
    now = plan.t_now
    span = plan.span_days * DAY
    n_acc = plan.n_accounts
    acc0 = first["accounts"]
    ids = Ids(random.Random(f"{plan.seed}-ids"), taken)

    accounts: list[tuple[Any, ...]] = []
    names: list[str] = []
    for n in range(n_acc):
        name = f"{WORDS[n % len(WORDS)]}{n}"
        names.append(name)
        created = now - span - rng.randrange(span)
        accounts.append(
            (acc0 + n, name, name.lower(), f"{name}@example.invalid", password_hash, created, True)
        )
    tokens = []
    for n in range(min(plan.voters, n_acc)):
        access, refresh = secrets.token_hex(20), secrets.token_hex(20)
        seeded.tokens.append({"account_id": acc0 + n, "username": names[n], "access_token": access})
        tokens.append((_sha(access), _sha(refresh), client_id, acc0 + n, int(time.time()) + 28 * DAY, now))
    tags = [(t, t, "", 0, 0, now - span) for t in TAGS]
    yield {"accounts": accounts, "tokens": tokens, "tags": tags}

    # Posts in id order, so that every primary key is appended to rather than split.
    post_ids = sorted(ids.next() for _ in range(plan.posts))
    sample_every = max(1, plan.posts // 10_000)
    tag_counts: Counter[str] = Counter()
    comment_id = first["comments"]
    steps = [p for p in (7919, 104_729, 15_485_863, 2_147_483_647) if n_acc % p]
    word_cum, tag_cum, n_tags = WORD_CUM, TAG_CUM, len(TAGS)
    vote_cap = min(n_acc, 5000)
    for start in range(0, plan.posts, CHUNK):
        out: dict[str, list[tuple[Any, ...]]] = {t: [] for t in TABLES[3:]}
        images, albums, album_images = out["images"], out["albums"], out["album_images"]
        posts, votes, comments, post_tags = (
            out["gallery_posts"],
            out["gallery_votes"],
            out["comments"],
            out["post_tags"],
        )
        for pid in post_ids[start : start + CHUNK]:
            owner = acc0 + rng.randrange(n_acc)
            # A growing site: share times crowd towards now (a quarter of them in the last 23 days).
            shared_at = now - int(span * rng.random() ** 2)
            is_album = rng.random() < plan.album_share
            title = " ".join(rng.choices(WORDS, cum_weights=word_cum, k=rng.randint(3, 9)))
            if is_album:
                n_img = rng.randint(2, 4)
                members = [ids.next() for _ in range(n_img)]
                for pos, image_id in enumerate(members):
                    images.append(
                        _image(
                            image_id, ids.deletehash(), client_id, owner, rng.choice(sources), shared_at - 60
                        )
                    )
                    album_images.append((pid, image_id, pos))
                albums.append(
                    (
                        pid,
                        ids.deletehash(),
                        client_id,
                        owner,
                        title,
                        None,
                        "public",
                        "blog",
                        None,
                        shared_at - 60,
                        shared_at,
                        0,
                    )
                )
            else:
                images.append(
                    _image(pid, ids.deletehash(), client_id, owner, rng.choice(sources), shared_at - 60)
                )
            # Votes: most posts get a few, some get many (Pareto), from distinct accounts.
            k = min(vote_cap, int(rng.paretovariate(1.3)) - 1)
            ups = 0
            if k:
                first_voter, step = rng.randrange(n_acc), rng.choice(steps)
                age = max(1, now - shared_at)
                for j in range(k):
                    v = 1 if rng.random() < plan.up_share else -1
                    ups += v == 1
                    votes.append(
                        (pid, acc0 + (first_voter + j * step) % n_acc, v, shared_at + rng.randrange(age))
                    )
            downs = k - ups
            # Comments: threaded, a third of them replies to an earlier comment on the same post.
            c = min(200, int(rng.paretovariate(1.6)) - 1)
            first_comment = comment_id
            for j in range(c):
                parent = first_comment + rng.randrange(j) if j and rng.random() < 0.33 else None
                body = " ".join(rng.choices(WORDS, cum_weights=word_cum, k=rng.randint(2, 14)))
                created = shared_at + rng.randrange(max(1, now - shared_at))
                comments.append(
                    (
                        comment_id,
                        pid,
                        acc0 + rng.randrange(n_acc),
                        parent,
                        body,
                        0,
                        0,
                        0,
                        0.0,
                        False,
                        "api",
                        0,
                        False,
                        created,
                    )
                )
                comment_id += 1
            # Tags: 0-3 distinct ones, popular ones far more often.
            n_t = rng.choice(TAG_DRAWS)
            chosen = {
                TAGS[min(n_tags - 1, bisect.bisect(tag_cum, rng.random() * tag_cum[-1]))] for _ in range(n_t)
            }
            for t in sorted(chosen):
                post_tags.append((pid, t, owner, 0, 0, shared_at))
                tag_counts[t] += 1
            community = rng.choice(COMMUNITIES) if rng.random() < plan.community_share else None
            mature = rng.random() < plan.mature_share
            posts.append(
                (
                    pid,
                    None if is_album else pid,
                    pid if is_album else None,
                    owner,
                    title,
                    None,
                    community,
                    mature,
                    shared_at,
                    ups,
                    downs,
                    ups - downs,
                    c,
                    ranking.hot(ups, downs, shared_at),
                    ranking.rising(ups, downs, shared_at),
                    0,
                    False,
                )
            )
            if (start + len(posts)) % sample_every == 0 and not mature:
                seeded.post_sample.append(pid)
                if not is_album and len(seeded.image_sample) < 100:
                    seeded.image_sample.append(pid)
        yield out
    seeded.tags = {t: round(tag_share(r + 1), 5) for r, t in enumerate(TAGS[:40])}
    seeded.words = {w: round(word_share(r + 1), 5) for r, w in enumerate(WORDS[:200])}
    yield {"__tag_counts__": [(n, t) for t, n in tag_counts.items()]}


def _image(
    image_id: str, deletehash: str, client_id: str, owner: int, src: SourceImage, created: int
) -> tuple[Any, ...]:
    return (
        image_id,
        deletehash,
        client_id,
        owner,
        None,
        None,
        "",
        src.blob_id,
        src.mime,
        src.ext,
        src.width,
        src.height,
        src.size,
        src.animated,
        src.has_sound,
        src.mp4_size,
        None,
        created,
        0,
        0,
    )


def _sha(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# ------------------------------------------------------------------------------------------- targets


class SqliteTarget:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.c = sqlite3.connect(path, isolation_level=None)
        # As the app opens it (db/database.py), plus a cache large enough for the indexes being built.
        self.c.execute("PRAGMA journal_mode=WAL")
        self.c.execute("PRAGMA synchronous=NORMAL")
        self.c.execute("PRAGMA foreign_keys=ON")
        self.c.execute("PRAGMA busy_timeout=5000")
        self.c.execute("PRAGMA cache_size=-1000000")
        self.c.execute("PRAGMA temp_store=MEMORY")
        self.c.execute("PRAGMA threads=2")  # CREATE INDEX sorts on both cores
        self.saved: list[str] = []

    async def value(self, sql: str) -> Any:
        row = self.c.execute(sql).fetchone()
        return None if row is None else row[0]

    async def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.c.execute(sql).fetchall()

    async def set_aside(self) -> None:
        marks = ", ".join(f"'{t}'" for t in REINDEXED)
        found = self.c.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})"
        ).fetchall()
        for name, sql in found:
            self.saved.append(sql)
            self.c.execute(f'DROP INDEX "{name}"')

    async def begin(self) -> None:
        self.c.execute("BEGIN IMMEDIATE")

    async def insert(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        cols = COLUMNS[table]
        self.c.executemany(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows
        )

    async def execute_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self.c.executemany(sql, rows)

    async def commit(self) -> None:
        self.c.execute("COMMIT")

    async def restore(self) -> None:
        for sql in self.saved:
            self.c.execute(sql)
        self.saved.clear()

    async def finish(self) -> None:
        self.c.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def close(self) -> None:
        self.c.close()


class PostgresTarget:
    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.indexes: list[str] = []
        self.fkeys: list[tuple[str, str, str]] = []
        self.tx: Any = None

    @classmethod
    async def open(cls, dsn: str) -> PostgresTarget:
        import asyncpg

        conn = await asyncpg.connect(dsn)
        await conn.execute("SET maintenance_work_mem = '256MB'")
        return cls(conn)

    async def value(self, sql: str) -> Any:
        return await self.conn.fetchval(sql)

    async def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in await self.conn.fetch(sql)]

    async def set_aside(self) -> None:
        """Drop the loaded tables' foreign keys and plain indexes, remembering their definitions."""
        tables = list(TABLES)
        self.fkeys = [
            (r["tbl"], r["conname"], r["def"])
            for r in await self.conn.fetch(
                "SELECT c.conrelid::regclass::text AS tbl, c.conname, pg_get_constraintdef(c.oid) AS def"
                " FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY($1::text[])",
                tables,
            )
        ]
        self.indexes = [
            r["indexdef"]
            for r in await self.conn.fetch(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema()"
                " AND i.tablename = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
                " WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)",
                list(REINDEXED),
            )
        ]
        names = await self.conn.fetch(
            "SELECT i.indexname FROM pg_indexes i WHERE i.schemaname = current_schema()"
            " AND i.tablename = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
            " WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)",
            list(REINDEXED),
        )
        for tbl, con, _ in self.fkeys:
            await self.conn.execute(f'ALTER TABLE {tbl} DROP CONSTRAINT "{con}"')
        for r in names:
            await self.conn.execute(f'DROP INDEX "{r["indexname"]}"')

    async def begin(self) -> None:
        self.tx = self.conn.transaction()
        await self.tx.start()

    async def insert(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        await self.conn.copy_records_to_table(table, records=rows, columns=list(COLUMNS[table]))

    async def execute_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        n = itertools.count(1)
        text = "".join(f"${next(n)}" if ch == "?" else ch for ch in sql)
        await self.conn.executemany(text, rows)

    async def commit(self) -> None:
        await self.tx.commit()
        self.tx = None

    async def restore(self) -> None:
        for sql in self.indexes:
            await self.conn.execute(sql)
        for tbl, con, definition in self.fkeys:
            await self.conn.execute(f'ALTER TABLE {tbl} ADD CONSTRAINT "{con}" {definition}')
        self.indexes, self.fkeys = [], []
        for seq_table in ("accounts", "comments", "tokens"):
            await self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{seq_table}', 'id'),"
                f" GREATEST((SELECT MAX(id) FROM {seq_table}), 1))"
            )

    async def finish(self) -> None:
        await self.conn.execute("ANALYZE")

    async def close(self) -> None:
        await self.conn.close()


# --------------------------------------------------------------------------------------- real files


def _env(data_dir: Path, database_url: str, settings: dict[str, str]) -> dict[str, str]:
    """The environment the imghost commands run with: no IMGHOST_* setting of the caller's but the
    given ones (storage, S3, Redis for scaleout), this data dir and this database."""
    env = clean_env(settings)
    env["IMGHOST_DATA_DIR"] = str(data_dir)
    env.pop("IMGHOST_DATABASE_URL", None)
    if database_url:
        env["IMGHOST_DATABASE_URL"] = database_url
    return env


def imghost_cli(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "imghost", *args], env=env, capture_output=True, text=True, timeout=300
    )
    if out.returncode != 0:
        raise RuntimeError(f"imghost {' '.join(args)} failed: {out.stderr[-2000:]}")
    return out.stdout


def source_files(env: dict[str, str], count: int, workdir: Path) -> tuple[str, list[str]]:
    """Upload `count` distinct real images through a short-lived `imghost serve` on this database and
    storage; returns the loader's application id and the uploaded image ids."""
    client_id = json.loads(
        imghost_cli(
            env, "client", "create", "gallery-seed", "--redirect-uri", "http://127.0.0.1/cb", "--json"
        )
    )["client_id"]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    srv_env = {**env, "IMGHOST_PUBLIC_URL": url, **HUGE_LIMITS}
    log_path = workdir / f"seed-server-{port}.log"
    proc = spawn(
        [
            sys.executable,
            "-m",
            "imghost",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        log_path=log_path,
        env=srv_env,
        cwd=workdir,
    )
    try:
        wait_http(url + "/healthz", proc, log_path, timeout=90)
        base = small_jpeg(30_000, "gallery-seed")
        uploaded = []
        with httpx.Client(timeout=120) as http:
            for n in range(count):
                data = _png(n) if n % 3 == 2 else vary_jpeg(base, f"gallery-seed-{n}")
                name, mime = ("seed.png", "image/png") if n % 3 == 2 else ("seed.jpg", "image/jpeg")
                body, ctype = multipart(data, name, mime=mime)
                r = http.post(
                    f"{url}/3/upload",
                    content=body,
                    headers={"Authorization": f"Client-ID {client_id}", "Content-Type": ctype},
                )
                if r.status_code != 200:
                    raise RuntimeError(f"upload failed: HTTP {r.status_code} {r.text[:300]}")
                uploaded.append(r.json()["data"]["id"])
    finally:
        stop(proc, timeout=20)
    return client_id, uploaded


def _png(n: int) -> bytes:
    from io import BytesIO

    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 480), (30 + 40 * n % 200, 90, 160))
    draw = ImageDraw.Draw(img)
    for k in range(12):
        draw.ellipse(
            (k * 40, k * 25, k * 40 + 120, k * 25 + 90), fill=(k * 20 % 255, 200 - k * 9, n * 30 % 255)
        )
    out = BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


# ------------------------------------------------------------------------------------------- loading


async def load(
    plan: Plan,
    *,
    data_dir: Path,
    database_url: str = "",
    settings: dict[str, str] | None = None,
    files: int = 6,
    rebuild_indexes: bool = True,
) -> Seeded:
    """Seed a new deployment's database: data_dir's SQLite file, or database_url (PostgreSQL). settings:
    the deployment's other IMGHOST_* variables (storage, S3, Redis), for the real files."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = _env(data_dir, database_url, settings or {})
    imghost_cli(env, "db", "upgrade")
    seeded = Seeded(now=plan.t_now)
    target = await _open(data_dir, database_url)
    try:
        if await target.value(_USED):
            raise SystemExit("gallery_seed: this database is in use already; seed a new one")
    finally:
        await target.close()
    t_files = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gallery-seed.") as tmp:
        client_id, uploaded = source_files(env, files, Path(tmp))
    log(f"    {files} real files uploaded in {time.monotonic() - t_files:.1f} s")
    seeded.client_id = client_id
    # The rows go in at the revision that made their tables; the later migrations then run over them
    # as over any deployment's rows being upgraded (0008 builds the search index from them in one pass).
    # Nothing is lost going down: apart from the files just uploaded, the database is empty.
    migrate_to(env, LOAD_REVISION)
    target = await _open(data_dir, database_url)
    try:
        marks = ", ".join(f"'{i}'" for i in uploaded)
        sources = [
            SourceImage(
                r[0], r[1], r[2], r[3], int(r[4]), int(r[5]), int(r[6]), bool(r[7]), bool(r[8]), int(r[9])
            )
            for r in await target.rows(
                "SELECT id, blob_id, mime, ext, width, height, size, animated, has_sound, mp4_size"
                f" FROM images WHERE id IN ({marks}) ORDER BY id"
            )
        ]
        taken = {r[0] for r in await target.rows("SELECT id FROM images UNION SELECT id FROM albums")}
        first = {
            "accounts": int(await target.value("SELECT COALESCE(MAX(id), 0) FROM accounts")) + 1,
            "comments": int(await target.value("SELECT COALESCE(MAX(id), 0) FROM comments")) + 1,
        }
        from argon2 import PasswordHasher

        # domain/accounts/passwords.py's parameters; one hash (of a password nobody knows) for all.
        password_hash = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1).hash(
            secrets.token_hex(16)
        )

        t0, cpu0 = time.monotonic(), time.process_time()
        if rebuild_indexes:
            await target.set_aside()
        blob_refs: Counter[str] = Counter()
        done = 0
        batches = generate(plan, sources, client_id, taken, first, password_hash, seeded)
        async for batch in _ahead(batches):
            if "__tag_counts__" in batch:
                await target.begin()
                await target.execute_many(
                    "UPDATE tags SET total_items = ? WHERE name = ?", batch["__tag_counts__"]
                )
                await target.execute_many(
                    "UPDATE blobs SET refcount = refcount + ? WHERE id = ?",
                    [(n, b) for b, n in sorted(blob_refs.items())],
                )
                await target.commit()
                continue
            await target.begin()
            for table in TABLES:
                rows = batch.get(table)
                if rows:
                    await target.insert(table, rows)
                    seeded.rows[table] += len(rows)
            await target.commit()
            for row in batch.get("images", ()):
                blob_refs[row[7]] += 1
            done += len(batch.get("gallery_posts", ()))
            if batch.get("gallery_posts") and (done // CHUNK) % 8 == 0:
                el = time.monotonic() - t0
                log(f"    {done:,} posts, {seeded.total_rows:,} rows, {seeded.total_rows / el:,.0f} rows/s")
        t_rows = time.monotonic() - t0
        await target.restore()
        t_index = time.monotonic() - t0 - t_rows
        await target.finish()
        t_check = time.monotonic() - t0 - t_rows - t_index
    finally:
        await target.close()
    t_up = time.monotonic()
    imghost_cli(env, "db", "upgrade")
    t_up = time.monotonic() - t_up
    seeded.seconds = time.monotonic() - t0
    seeded.cpu_seconds = time.process_time() - cpu0
    seeded.posts = plan.posts
    target = await _open(data_dir, database_url)
    try:
        if await target.value(_HAS_SEARCH[isinstance(target, PostgresTarget)]):
            seeded.by_migrations["gallery_search"] = int(
                await target.value("SELECT COUNT(*) FROM gallery_search")
            )
    finally:
        await target.close()
    log(
        f"    {seeded.total_rows:,} rows in {seeded.seconds:.1f} s ({seeded.total_rows / seeded.seconds:,.0f} rows/s):"
        f" rows {t_rows:.1f} s, indexes and keys {t_index:.1f} s, checks and statistics {t_check:.1f} s,"
        f" later migrations {t_up:.1f} s (they wrote {dict(seeded.by_migrations)});"
        f" this process used {seeded.cpu_seconds:.0f} s of CPU"
    )
    return seeded


async def _open(data_dir: Path, database_url: str) -> SqliteTarget | PostgresTarget:
    if database_url:
        from imghost.db.database import asyncpg_dsn

        return await PostgresTarget.open(asyncpg_dsn(database_url))
    return SqliteTarget(data_dir / "imghost.db")


# A new deployment: no account, image or post yet.
_USED = (
    "SELECT (SELECT COUNT(*) FROM accounts) + (SELECT COUNT(*) FROM images)"
    " + (SELECT COUNT(*) FROM gallery_posts)"
)
LOAD_REVISION = "0007"  # the community's tables: the newest every loaded column dates from

_MIGRATE = """
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from imghost.db import migrate
from imghost.settings import Settings

settings = Settings()
cfg = Config()
cfg.set_main_option("script_location", str(Path(migrate.__file__).resolve().parent.parent / "migrations"))
cfg.set_main_option("sqlalchemy.url", migrate.sync_url(migrate.database_url(settings)).replace("%", "%%"))
command.downgrade(cfg, sys.argv[1])
"""


def migrate_to(env: dict[str, str], revision: str) -> None:
    """Down to an older revision (of an empty database), as `alembic downgrade` would."""
    out = subprocess.run(
        [sys.executable, "-c", _MIGRATE, revision], env=env, capture_output=True, text=True, timeout=300
    )
    if out.returncode != 0:
        raise RuntimeError(f"downgrade to {revision} failed: {out.stderr[-2000:]}")


_HAS_SEARCH = {
    False: "SELECT COUNT(*) FROM sqlite_master WHERE name = 'gallery_search'",
    True: "SELECT COUNT(*) FROM pg_tables WHERE tablename = 'gallery_search'",
}


async def _ahead(
    batches: Iterator[dict[str, list[tuple[Any, ...]]]],
) -> AsyncIterator[dict[str, list[tuple[Any, ...]]]]:
    """The batches, generated in a thread one or two ahead of the writer: the database works (without
    the GIL, or in its own process) while the next rows are made."""
    q: queue.Queue[Any] = queue.Queue(maxsize=2)
    end = object()

    def produce() -> None:
        try:
            for b in batches:
                q.put(b)
            q.put(end)
        except BaseException as exc:  # handed to the consumer, which raises it
            q.put(exc)

    worker = threading.Thread(target=produce, name="gallery-seed-rows", daemon=True)
    worker.start()
    while True:
        item = await asyncio.to_thread(q.get)
        if item is end:
            break
        if isinstance(item, BaseException):
            raise item
        yield item
    worker.join()


# ------------------------------------------------------------------------------------------ command


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--posts", type=int, required=True)
    p.add_argument("--config", choices=("embedded", "scaleout"), default="embedded")
    p.add_argument("--data-dir", type=Path, help="embedded: the data dir to create (default: a new temp dir)")
    p.add_argument(
        "--database-url",
        default="",
        help="scaleout: an existing PostgreSQL database (default: IMGHOST_DATABASE_URL, else a throwaway stack)",
    )
    p.add_argument("--seed", type=int, default=16)
    p.add_argument("--now", type=int, default=0, help="share times end here (default: the current hour)")
    p.add_argument("--accounts", type=int, default=0, help="default: one per 50 posts, at least 100")
    p.add_argument("--voters", type=int, default=50, help="accounts given bearer tokens")
    p.add_argument("--files", type=int, default=6, help="real files the images share")
    p.add_argument("--json", type=Path, help="write what was seeded (counts, tokens, samples) here")
    p.add_argument(
        "--keep-indexes",
        action="store_true",
        help="keep every index (and foreign key) in place while loading instead of rebuilding them after",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = Plan(posts=args.posts, seed=args.seed, now=args.now, accounts=args.accounts, voters=args.voters)
    with contextlib.ExitStack() as stack:
        data_dir = args.data_dir
        if data_dir is None:
            data_dir = Path(tempfile.mkdtemp(prefix="gallery-seed-data."))
        database_url = ""
        settings: dict[str, str] = {}
        if args.config == "scaleout":
            # The deployment's own settings (storage, S3, Redis) when the environment names a database.
            settings = {k: v for k, v in os.environ.items() if k.startswith("IMGHOST_")}
            database_url = args.database_url or settings.get("IMGHOST_DATABASE_URL", "")
            if not database_url:
                from backends import scaleout_stack

                settings = stack.enter_context(scaleout_stack())
                database_url = settings["IMGHOST_DATABASE_URL"]
                log(
                    "    (a throwaway stack: the seeded database goes away with it; this run measures the load)"
                )
        log(
            f"seeding {plan.posts:,} posts ({args.config}, seed {plan.seed}, now {plan.t_now}) into "
            f"{database_url or data_dir}"
        )
        seeded = asyncio.run(
            load(
                plan,
                data_dir=data_dir,
                database_url=database_url,
                settings=settings,
                files=args.files,
                rebuild_indexes=not args.keep_indexes,
            )
        )
        log(
            f"done: {seeded.total_rows:,} rows ({', '.join(f'{t} {n:,}' for t, n in seeded.rows.items())}) in "
            f"{seeded.seconds:.1f} s = {seeded.total_rows / seeded.seconds:,.0f} rows/s, "
            f"{seeded.posts / seeded.seconds:,.0f} posts/s"
        )
        if args.json:
            args.json.write_text(json.dumps(seeded.json(), indent=1))
            os.chmod(args.json, 0o600)
        if args.config == "embedded":
            log(f"data dir: {data_dir}  (serve it: IMGHOST_DATA_DIR={data_dir} imghost serve)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
