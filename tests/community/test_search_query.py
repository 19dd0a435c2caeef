"""The search language in process: what the parser makes of each construct, what it refuses, and that the
FTS5 expressions it compiles to find exactly what the tree means.

The fuzz tests throw random strings (operators, quotes, parentheses, qualifiers, control characters,
unicode) at the parser: each gives a search or InvalidSearch, never anything else, and every search it
gives compiles to an FTS5 expression that SQLite accepts and a tsquery text with nothing unquoted but
operators. The live fuzz in test_search.py runs strings like these through both databases."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sqlite3
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, make_url

from imghost.db import migrate
from imghost.db.database import PostgresDatabase, asyncpg_dsn, sync_url
from imghost.domain.search import index
from imghost.domain.search.query import (
    ALBUM,
    ALL,
    ANIMATED,
    IMAGE,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_TERMS,
    NOTHING,
    And,
    Mark,
    Node,
    Not,
    Or,
    Search,
    Text,
    community_mark,
    parse,
    tag_mark,
    user_mark,
)
from imghost.errors import InvalidSearch
from imghost.settings import Settings
from tests.services import PostgresServer


def t(text: str, field: str | None = None) -> Text:
    return Text(text, field)


@pytest.mark.parametrize(
    ("q", "tree"),
    [
        ("cats", t("cats")),
        ("cats dogs", And((t("cats"), t("dogs")))),
        ("cats AND dogs", And((t("cats"), t("dogs")))),
        ("cats OR dogs", Or((t("cats"), t("dogs")))),
        ("cats and dogs", And((t("cats"), t("and"), t("dogs")))),  # operators are upper case
        ("NOT cats", Not(t("cats"))),
        ("cats NOT dogs", And((t("cats"), Not(t("dogs"))))),
        ("a OR b c", Or((t("a"), And((t("b"), t("c")))))),  # AND binds tighter than OR
        ("NOT a b", And((Not(t("a")), t("b")))),  # NOT binds tightest
        ("(a OR b) c", And((Or((t("a"), t("b"))), t("c")))),
        ("a (b OR (c d))", And((t("a"), Or((t("b"), And((t("c"), t("d")))))))),
        ('"big cats"', t("big cats")),
        ('"big cats" OR dogs', Or((t("big cats"), t("dogs")))),
        ("title:cats", t("cats", "title")),
        ("title: cats", t("cats", "title")),
        ('TITLE:"big cats"', t("big cats", "title")),
        ("title:(cats OR dogs)", Or((t("cats", "title"), t("dogs", "title")))),
        ("title: NOT cats", Not(t("cats", "title"))),
        ("user:Alice", Mark(user_mark("alice"))),
        ("user:(alice OR bob)", Or((Mark(user_mark("alice")), Mark(user_mark("bob"))))),
        ("tag:funny_cats", Mark(tag_mark("funny_cats"))),
        ("tag:#Funny", Mark(tag_mark("funny"))),
        ('tag:"rock-n-roll"', Mark(tag_mark("rock-n-roll"))),
        ("subreddit:pics", Mark(community_mark("pics"))),
        ("subreddit:r/pics", Mark(community_mark("pics"))),
        ("ext:gif", Mark("xgif")),
        ("ext:JPEG", Mark("xjpg")),
        ("ext:.png", Mark("xpng")),
        ("ext:g!f", Mark(NOTHING)),
        ("album:true", Mark(ALBUM)),
        ("album:yes", Mark(ALBUM)),
        ("album:1", Mark(ALBUM)),
        ("album:false", Mark(IMAGE)),
        ("album:no", Mark(IMAGE)),
        ("album:maybe", Mark(NOTHING)),
        ("meme:cats", t("cats")),
        ("foo:bar", t("foo:bar")),  # not a qualifier: its words
        ("title: cats AND dogs ext: gif", And((t("cats", "title"), t("dogs"), Mark("xgif")))),
        ("cats tag:funny user:bob", And((t("cats"), Mark(tag_mark("funny")), Mark(user_mark("bob"))))),
    ],
)
def test_parses(q: str, tree: Node) -> None:
    assert parse(q).match == tree


@pytest.mark.parametrize(
    ("q", "tree"),
    [
        ('"unclosed phrase', t("unclosed phrase")),  # runs to the end
        ("(cats OR dogs", Or((t("cats"), t("dogs")))),  # the missing ")" is supplied
        ("cats) dogs", And((t("cats"), t("dogs")))),  # a stray ")" is skipped
        ("cats NOT", t("cats")),  # a NOT with nothing after it is dropped
        ("NOT NOT cats", t("cats")),
        ("cats AND", t("cats")),
        ("OR cats", t("cats")),
        ("cats OR OR dogs", Or((t("cats"), t("dogs")))),
        ("!!! cats ???", t("cats")),  # no letter or digit: not a word
        ("cats title:", t("cats")),  # a qualifier with nothing after it is dropped
        ("cats cats", t("cats")),
        ("ca\x00ts", And((t("ca"), t("ts")))),  # control characters separate words
        ('"it\'s a \\"quote\\""', And((t("it s a"), t("quote")))),  # quotes inside become spaces
        ("() cats", t("cats")),
        ("猫 café", And((t("猫"), t("café")))),
    ],
)
def test_reads_malformed_input_leniently(q: str, tree: Node) -> None:
    assert parse(q).match == tree


@pytest.mark.parametrize(
    "q",
    [
        None,
        "",
        "   ",
        "NOT",
        "AND OR NOT",
        "()",
        '""',
        "!!! ???",
        "title:",
        "x" * (MAX_LENGTH + 1),
        " ".join(f"w{i}" for i in range(MAX_TERMS + 1)),
        "(" * (MAX_DEPTH + 1) + "cats" + ")" * (MAX_DEPTH + 1),
    ],
)
def test_refuses(q: str | None) -> None:
    with pytest.raises(InvalidSearch):
        parse(q)


def test_bounds_are_inclusive() -> None:
    assert parse(" ".join(f"w{i}" for i in range(MAX_TERMS))).match is not None
    assert parse("(" * MAX_DEPTH + "cats" + ")" * MAX_DEPTH).match == t("cats")
    assert parse("x" * MAX_LENGTH).match == t("x" * MAX_LENGTH)


def test_advanced_fields() -> None:
    assert parse(q_all="a b") == Search(And((t("a"), t("b"))))
    assert parse(q_any="a b") == Search(Or((t("a"), t("b"))))
    assert parse(q_exactly="big cats") == Search(t("big cats"))
    assert parse(q_not="a b") == Search(And((Not(t("a")), Not(t("b")))))
    assert parse(q_type="album") == Search(Mark(ALBUM))
    assert parse(q_type="JPG") == Search(Mark("xjpg"))
    assert parse(q_type="gif") == Search(Mark("xgif"))
    assert parse(q_type="anigif") == Search(And((Mark("xgif"), Mark(ANIMATED))))
    assert parse(q_size_px="small") == Search(Mark(ALL), (1, 500))
    assert parse(q_size_px="huge").px == (10000, 2**31 - 1)
    combined = parse(q_all="a", q_not="b", q_type="png", q_size_px="med")
    assert combined == Search(And((t("a"), Not(t("b")), Mark("xpng"))), (501, 2000))


def test_advanced_fields_win_over_q() -> None:
    assert parse("cats", q_all="dogs") == Search(t("dogs"))
    assert parse("cats", q_type="album") == Search(Mark(ALBUM))
    assert parse("cats", q_all="", q_any="") == Search(t("cats"))  # empty ones are not given
    with pytest.raises(InvalidSearch):
        parse("cats", q_all="!!!")  # given, but nothing to search for: q does not stand in


@pytest.mark.parametrize(("field", "value"), [("q_type", "bmp"), ("q_size_px", "tiny")])
def test_refuses_unknown_advanced_values(field: str, value: str) -> None:
    with pytest.raises(InvalidSearch):
        parse(**{field: value})


def test_marks_are_plain_tokens() -> None:
    # One letter and lower-case hex: a single token for FTS5 and for PostgreSQL's parser alike.
    for mark in (user_mark("Alice"), tag_mark("rock-n-roll"), tag_mark("日本"), community_mark("r/Pics")):
        assert re.fullmatch(r"[utc][0-9a-f]+", mark), mark
    assert user_mark("ALICE") == user_mark("alice") == "u" + b"alice".hex()
    assert tag_mark("日本") == "t" + "日本".encode().hex()


# ------------------------------------------------------------------- the compiled FTS5 expression

DOCS = {
    # rowid: (title, body, tags, author, marks)
    1: ("fluffy cat", "sleeping on the sofa", "pets cute", "alice", "kall kimage xjpg"),
    2: ("happy dog", "running in the park with a cat", "pets", "bob", "kall kimage xpng"),
    3: ("dancing cat", "", "funny", "alice", "kall kimage xgif kanim"),
    4: ("static picture", "sofa", "funny", "bob", "kall kimage xgif"),
    5: ("holiday album", "beach cat", "travel", "bob", "kall kalbum"),
}
WORDS = ("cat", "dog", "sofa", "pets", "funny", "alice", "bob", "fluffy", "beach", "nothing")
MARKS = ("kimage", "kalbum", "xgif", "xjpg", "kanim", NOTHING)


@pytest.fixture(scope="module")
def fts() -> Iterator[sqlite3.Connection]:
    """The index's FTS5 table as the migration makes it (its own content here), with DOCS in it."""
    c = sqlite3.connect(":memory:")
    c.execute(
        "CREATE VIRTUAL TABLE gallery_fts USING fts5(title, body, tags, author, marks,"
        " tokenize='unicode61 remove_diacritics 2')"
    )
    c.executemany(
        "INSERT INTO gallery_fts (rowid, title, body, tags, author, marks) VALUES (?, ?, ?, ?, ?, ?)",
        [(k, *v) for k, v in DOCS.items()],
    )
    yield c
    c.close()


def _matches(node: Node, doc: tuple[str, ...]) -> bool:
    """What the tree means, evaluated in Python: the reference the compiled expression must agree with."""
    if isinstance(node, Text):
        fields = doc[:1] if node.field == "title" else doc[:4]
        want = node.text.split()
        return any(
            f.split()[i : i + len(want)] == want
            for f in fields
            for i in range(len(f.split()) - len(want) + 1)
        )
    if isinstance(node, Mark):
        return node.token in doc[4].split()
    if isinstance(node, Not):
        return not _matches(node.item, doc)
    if isinstance(node, And):
        return all(_matches(i, doc) for i in node.items)
    return any(_matches(i, doc) for i in node.items)


def _run(c: sqlite3.Connection, node: Node) -> set[int]:
    rows = c.execute("SELECT rowid FROM gallery_fts WHERE gallery_fts MATCH ?", (index.fts5(node),))
    return {r[0] for r in rows}


def _trees() -> st.SearchStrategy[Node]:
    leaves = st.one_of(
        st.builds(Text, st.sampled_from(WORDS), st.sampled_from((None, "title"))),
        st.builds(lambda a, b: Text(f"{a} {b}"), st.sampled_from(WORDS), st.sampled_from(WORDS)),
        st.builds(Mark, st.sampled_from(MARKS)),
    )
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.builds(Not, inner),
            st.builds(And, st.lists(inner, min_size=2, max_size=3).map(tuple)),
            st.builds(Or, st.lists(inner, min_size=2, max_size=3).map(tuple)),
        ),
        max_leaves=8,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=_trees())
def test_fts5_finds_what_the_tree_means(fts: sqlite3.Connection, tree: Node) -> None:
    assert _run(fts, tree) == {k for k, doc in DOCS.items() if _matches(tree, doc)}


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("cat", {1, 2, 3, 5}),
        ("title:cat", {1, 3}),
        ("cat sofa", {1}),
        ("cat OR dog", {1, 2, 3, 5}),
        ("NOT cat", {4}),
        ('"fluffy cat"', {1}),
        ('"cat fluffy"', set()),
        ("(dog OR dancing) NOT fluffy", {2, 3}),
        ("pets", {1, 2}),
        ("alice", {1, 3}),
        ("FLUFFY", {1}),  # the tokenizer folds case
    ],
)
def test_fts5_examples(fts: sqlite3.Connection, q: str, found: set[int]) -> None:
    assert _run(fts, parse(q).match) == found


# ------------------------------------------------------------------------------- fuzz of the parser

_PIECES = st.one_of(
    st.sampled_from(
        [
            "AND",
            "OR",
            "NOT",
            "(",
            ")",
            '"',
            ":",
            "title:",
            "user:",
            "tag:",
            "ext:",
            "album:",
            "subreddit:",
            "meme:",
            "foo:",
            "*",
            "-",
            "^",
            "NEAR",
            "{",
            "}",
            "'",
            "\\",
            "&",
            "|",
            "!",
            "<->",
            ":A",
            "\x00",
            "\x1b",
            "\u200b",
            "\ufeff",
            "\U0001f600",
            "猫",
            "café",
            "ǅ",
            "ß",
            "\u0301",
            " ",
            "\t",
            "\n",
            "cat",
            "Cat",
            "DOG",
            "x",
            "1",
            "3.14",
            "e-mail",
            "%",
            "%%",
            ";",
            "--",
            "/*",
            "$$",
        ]
    ),
    st.text(max_size=6),
)


def _queries() -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(_PIECES, max_size=40).map("".join),
        st.lists(_PIECES, max_size=40).map(" ".join),
        st.text(max_size=200),
    )


_TSQUERY_TOKEN = re.compile(r"\s*(?:'[^'\\]*':(?:ABC|A|D)|[()&|!])")


def _tsquery_is_quoted(text: str) -> bool:
    """Only quoted operands with a weight, operators and parentheses, parentheses balanced."""
    depth, at = 0, 0
    while at < len(text.rstrip()):
        m = _TSQUERY_TOKEN.match(text, at)
        if m is None:
            return False
        depth += m.group().strip() == "("
        depth -= m.group().strip() == ")"
        if depth < 0:
            return False
        at = m.end()
    return depth == 0


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=_queries(), advanced=st.one_of(st.none(), _queries()))
def test_fuzz_parses_or_refuses(fts: sqlite3.Connection, q: str, advanced: str | None) -> None:
    try:
        search = parse(q, q_all=advanced) if advanced is not None else parse(q)
    except InvalidSearch:
        return
    fts.execute(
        "SELECT rowid FROM gallery_fts WHERE gallery_fts MATCH ?", (index.fts5(search.match),)
    ).fetchall()
    assert _tsquery_is_quoted(index.tsquery(search.match)), index.tsquery(search.match)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(min_size=MAX_LENGTH - 50, max_size=MAX_LENGTH))
def test_fuzz_long_garbage(fts: sqlite3.Connection, q: str) -> None:
    try:
        search = parse(q)
    except InvalidSearch:
        return
    fts.execute(
        "SELECT rowid FROM gallery_fts WHERE gallery_fts MATCH ?", (index.fts5(search.match),)
    ).fetchall()


# ------------------------------------------------------------------- the statement, on SQLite


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    """A database migrated to head with six image posts, one a second, points 0 to 5 (newest most)."""
    data = tmp_path_factory.mktemp("search-db")
    migrate.upgrade(Settings(data_dir=data, database_url=""))
    c = sqlite3.connect(data / "imghost.db", isolation_level=None)
    c.execute("PRAGMA foreign_keys=ON")
    c.execute(
        "INSERT INTO accounts (id, username, username_lower, email, password_hash, created_at)"
        " VALUES (1, 'Alice', 'alice', 'a@example.org', 'x', 0)"
    )
    for k in range(6):
        c.execute(
            "INSERT INTO images (id, deletehash, description, blob_id, mime, ext, width, height, size,"
            " animated, has_sound, created_at, account_id)"
            " VALUES (?, ?, 'cat', 'b', 'image/png', 'png', 10, 10, 1, 0, 0, 0, 1)",
            (f"img{k}", f"dh{k}"),
        )
        c.execute(
            "INSERT INTO gallery_posts (id, image_id, account_id, title, shared_at, points, hot)"
            " VALUES (?, ?, 1, 'post', ?, ?, ?)",
            (f"img{k}", f"img{k}", 1_700_000_000 + k, k, k),
        )
    yield c
    c.close()


def _ids(c: sqlite3.Connection, q: str, page: index.Page) -> list[str]:
    text, params = index.sqlite_sql(parse(q), page)
    return [r[0] for r in c.execute(text, params)]


def test_time_reads_the_index_in_order(migrated: sqlite3.Connection) -> None:
    """Newest first straight from FTS5's doclists: no sort step, so a page costs a page whatever matches."""
    text, params = index.sqlite_sql(parse("cat"), index.Page())
    plan = [r[3] for r in migrated.execute(f"EXPLAIN QUERY PLAN {text}", params)]
    assert plan[0].startswith("SCAN gallery_fts VIRTUAL TABLE") and not any("TEMP B-TREE" in p for p in plan)
    assert _ids(migrated, "cat", index.Page()) == [f"img{k}" for k in range(5, -1, -1)]
    assert _ids(migrated, "cat", index.Page(size=4, number=1)) == ["img1", "img0"]


def test_ranked_sorts_rank_the_newest_matches(
    migrated: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrated.execute("UPDATE gallery_posts SET points = 10 - points, hot = 10 - hot")  # oldest most now
    try:
        assert _ids(migrated, "cat", index.Page(sort="top")) == [f"img{k}" for k in range(6)]
        monkeypatch.setattr(index, "RANKED", 3)
        assert _ids(migrated, "cat", index.Page(sort="top")) == ["img3", "img4", "img5"]
        assert _ids(migrated, "cat", index.Page(sort="viral")) == ["img3", "img4", "img5"]
        assert _ids(migrated, "cat", index.Page(sort="top", since=1_700_000_004)) == ["img4", "img5"]
    finally:
        migrated.execute("UPDATE gallery_posts SET points = 10 - points, hot = 10 - hot")


# --------------------------------------------------------------- the statements, on PostgreSQL

_POSTS = [(f"img{k}", 1_700_000_000 + k, 10 - k) for k in range(6)]  # id, shared_at, points (oldest most)


@pytest.fixture(scope="module")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of this module's own, migrated to head, with the six posts of _POSTS: on CI's server
    (IMGHOST_TEST_DATABASE_URL) or, when none is configured, a private one."""
    base = os.environ.get("IMGHOST_TEST_DATABASE_URL", "")
    with contextlib.ExitStack() as stack:
        if not base:
            base = stack.enter_context(PostgresServer()).dsn
        name = f"search_{uuid.uuid4().hex[:12]}"
        admin = create_engine(sync_url(base), isolation_level="AUTOCOMMIT")
        stack.callback(admin.dispose)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        stack.callback(_drop, admin, name)
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
        migrate.upgrade(Settings(data_dir=tmp_path_factory.mktemp("pg-search"), database_url=url))
        engine = create_engine(sync_url(url))
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO accounts (id, username, username_lower, email, password_hash, created_at)"
                " VALUES (1, 'Alice', 'alice', 'a@example.org', 'x', 0)"
            )
            for post_id, shared_at, points in _POSTS:
                conn.exec_driver_sql(
                    "INSERT INTO images (id, deletehash, description, blob_id, mime, ext, width, height, size,"
                    " animated, has_sound, created_at, account_id)"
                    " VALUES (%s, %s, 'cat', 'b', 'image/png', 'png', 10, 10, 1, false, false, 0, 1)",
                    (post_id, "dh" + post_id),
                )
                conn.exec_driver_sql(
                    "INSERT INTO gallery_posts (id, image_id, account_id, title, shared_at, points, hot)"
                    " VALUES (%s, %s, 1, 'post', %s, %s, %s)",
                    (post_id, post_id, shared_at, points, points),
                )
        engine.dispose()
        yield url


def _drop(admin: Any, name: str) -> None:
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg(url: str, q: str, page: index.Page, few: bool | None) -> list[str]:
    """One page through postgres_sql (few given) or through find (the estimate decides)."""

    async def run() -> list[str]:
        db = PostgresDatabase(asyncpg_dsn(url))
        try:
            if few is None:
                return await index.find(db, "postgresql", parse(q), page)
            text, params = index.postgres_sql(parse(q), page, few=few)
            return [r["post_id"] for r in await db.fetch_all(text, params)]
        finally:
            await db.close()

    return asyncio.run(run())


NEWEST = [p[0] for p in reversed(_POSTS)]
BY_POINTS = [p[0] for p in _POSTS]


@pytest.mark.parametrize("few", [True, False, None])
@pytest.mark.parametrize("walk", [50_000, 2])  # 2: the newest rows hold too few, so every match is read
def test_postgres_ways_agree(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, few: bool | None, walk: int
) -> None:
    monkeypatch.setattr(index, "WALK", walk)
    assert _pg(postgres_url, "cat", index.Page(), few) == NEWEST
    assert _pg(postgres_url, "cat", index.Page(size=4, number=1), few) == NEWEST[4:]
    assert _pg(postgres_url, "cat", index.Page(size=4), few) == NEWEST[:4]
    assert _pg(postgres_url, "cat", index.Page(size=2, number=1), few) == NEWEST[2:4]
    assert _pg(postgres_url, "cat", index.Page(sort="top"), few) == BY_POINTS
    assert _pg(postgres_url, "cat", index.Page(sort="viral", since=1_700_000_004), few) == ["img4", "img5"]
    assert _pg(postgres_url, "dog", index.Page(), few) == []
    monkeypatch.setattr(index, "RANKED", 3)
    assert _pg(postgres_url, "cat", index.Page(sort="top"), few) == ["img3", "img4", "img5"]


def test_postgres_reads_every_match_only_when_the_newest_rows_hold_too_few(postgres_url: str) -> None:
    async def plan(page: index.Page) -> str:
        db = PostgresDatabase(asyncpg_dsn(postgres_url))
        try:
            text, params = index.postgres_sql(parse("cat"), page, few=False)
            rows = await db.fetch_all(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {text}", params)
            return "\n".join(r["QUERY PLAN"] for r in rows)
        finally:
            await db.close()

    def every_match_read(page: index.Page) -> bool:
        lines = asyncio.run(plan(page)).splitlines()
        scan = lines[next(n for n, line in enumerate(lines) if line.strip() == "CTE every") + 1]
        assert "gallery_search" in scan, lines
        return "never executed" not in scan

    assert not every_match_read(index.Page(size=4))  # four of the newest rows match: enough
    assert every_match_read(index.Page(size=10))  # six match in all: the newest rows cannot fill the page
