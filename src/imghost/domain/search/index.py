"""The search index, read: a query tree (query.py) compiled for the database, and the SQL that pages through
the posts it matches.

Keeping the index in step is the database's work, not this module's: triggers written by
migrations/versions/0008_search.py rewrite a post's gallery_search row whenever one of its sources changes
(its sharing, title, community, description, tags, author's name) and remove it with the post, cascades
included, in the transaction that made the change.

Every user-supplied word reaches the database as a bound parameter holding a quoted string in which the
characters that could end it have been replaced (query.searchable); marks are letters and digits only.

- SQLite: an FTS5 MATCH expression. FTS5's NOT is binary (`a NOT b`), so a negation with nothing on its
  left gets the mark every post carries (`kall`).
- PostgreSQL: the text of a tsquery, read by to_tsquery('simple', ...), which runs each quoted word or
  phrase through the same parser as the indexed text; the weights (:A title, :ABC every text field, :D the
  marks) say which fields a term may match in.

Sorted by time, the order is doc_id's, newest first:
- SQLite: FTS5 walks its doclists by rowid, newest first, and the statement stops after a page.
- PostgreSQL: a GIN index yields its matches unordered. The planner's estimate of how many posts match
  (its statistics of lexemes, which are good) decides: up to GIN_MAX, every match is read through the GIN
  index and sorted; beyond, the newest search rows are read down the primary key until a page of them
  matches, which happens within a few thousand rows for a word that common (the matches are dense), and
  only if WALK rows were not enough are all matches read after all. The planner's own choice between the
  two is not trusted: its costs make walking the primary key look cheap for words far too rare for it.

Sorted by viral or top, the newest RANKED matches (inside top's window) are ranked, not every match: the
cost of a ranked search is then bounded, whatever the words, where ranking every match of a common word
would read a good part of the gallery. Viral loses little by it (hot counts 12.5 hours of age as a power
of ten of points, so an older match outranks recent ones only with far more points); top over all time
ranks, for a word that common, its recent matches; a window takes that window's."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from imghost.db.database import Database
from imghost.domain.search.query import ALL, And, Mark, Node, Not, Or, Search, Text

SLOT = 4_194_304  # 2**22 doc ids per second of share time, as the migration numbers them

_FTS_TEXT = "{title body tags author}"


def fts5(node: Node) -> str:
    """node as an FTS5 MATCH expression over gallery_fts."""
    if isinstance(node, Text):
        columns = "title" if node.field == "title" else _FTS_TEXT
        return f'{columns} : "{node.text}"'
    if isinstance(node, Mark):
        return f'marks : "{node.token}"'
    if isinstance(node, Not):
        return _fts_without(f'marks : "{ALL}"', [node.item])
    if isinstance(node, Or):
        return " OR ".join(f"({fts5(i)})" for i in node.items)
    wanted = [i for i in node.items if not isinstance(i, Not)]
    unwanted = [i.item for i in node.items if isinstance(i, Not)]
    left = " AND ".join(f"({fts5(i)})" for i in wanted) if wanted else f'marks : "{ALL}"'
    return _fts_without(left, unwanted) if unwanted else left


def _fts_without(left: str, unwanted: list[Node]) -> str:
    return f"({left}) NOT ({' OR '.join(f'({fts5(i)})' for i in unwanted)})"


def tsquery(node: Node) -> str:
    """node as to_tsquery input over gallery_search.doc."""
    if isinstance(node, Text):
        return f"'{node.text}':{'A' if node.field == 'title' else 'ABC'}"
    if isinstance(node, Mark):
        return f"'{node.token}':D"
    if isinstance(node, Not):
        return f"!({tsquery(node.item)})"
    joiner = " & " if isinstance(node, And) else " | "
    return joiner.join(f"({tsquery(i)})" for i in node.items)


@dataclass(frozen=True, slots=True)
class Page:
    sort: str = "time"  # time | viral | top
    since: int = 0  # the earliest share time (top's window); 0 for all
    mature: bool = False
    number: int = 0
    size: int = 60


ORDERS = {
    "viral": "p.hot DESC, p.id DESC",
    "top": "p.points DESC, p.shared_at DESC, p.id DESC",
}
RANKED = 1_000  # the newest matches viral and top rank
# PostgreSQL: up to this many matches (as the planner estimates them) are read through the GIN index and
# sorted; more are found by reading the newest search rows in order, at most WALK (times the page) of them.
GIN_MAX = {"time": 5_000, "ranked": 20_000}
WALK = 50_000


def _filters(search: Search, page: Page, params: dict[str, Any]) -> str:
    where = ["p.hidden = :no"]
    params["no"] = False
    if not page.mature:
        where.append("p.mature = :no")
    if search.px is not None:
        where.append("s.px BETWEEN :px_min AND :px_max")
        params.update(px_min=search.px[0], px_max=search.px[1])
    params.update(limit=page.size, offset=page.number * page.size)
    return " AND ".join(where)


def sqlite_sql(search: Search, page: Page) -> tuple[str, dict[str, Any]]:
    """One page of matching post ids, in order: FTS5 hands out its matches newest first."""
    params: dict[str, Any] = {"match": fts5(search.match)}
    matches = "SELECT rowid AS doc_id FROM gallery_fts WHERE gallery_fts MATCH :match"
    if page.since:
        matches += " AND rowid >= :since"
        params["since"] = page.since * SLOT
    order = ORDERS.get(page.sort)
    if order is not None:
        matches += " ORDER BY rowid DESC LIMIT :ranked"
        params["ranked"] = RANKED
    where = _filters(search, page, params)
    # FTS5 gives rowids only: the search row (post id, size) is one primary key lookup away.
    return (
        f"SELECT s.post_id FROM ({matches}) m JOIN gallery_search s ON s.doc_id = m.doc_id"
        f" JOIN gallery_posts p ON p.id = s.post_id WHERE {where}"
        f" ORDER BY {order or 'm.doc_id DESC'} LIMIT :limit OFFSET :offset",
        params,
    )


_PG_MATCH = "doc @@ to_tsquery('simple', :match)"
_NEWEST = "SELECT * FROM every ORDER BY doc_id DESC LIMIT :want"


def postgres_sql(search: Search, page: Page, *, few: bool) -> tuple[str, dict[str, Any]]:
    """One page of matching post ids, in order. few: the matches are few enough to read them all through
    the GIN index; otherwise the newest search rows are read in order until enough match, and only when
    WALK of them were not enough, all matches after all."""
    params: dict[str, Any] = {"match": tsquery(search.match)}
    since = ""
    if page.since:
        since = " AND doc_id >= :since"
        params["since"] = page.since * SLOT
    order = ORDERS.get(page.sort)
    where = _filters(search, page, params)
    every = f"SELECT doc_id, post_id, px FROM gallery_search WHERE {_PG_MATCH}{since}"
    if order is not None:
        # Candidates first (the newest RANKED matches), then the ranking.
        params["want"] = RANKED
        if few:
            picked = _NEWEST
        else:
            params["walk"] = WALK
            near = (
                f"SELECT doc_id, post_id, px FROM (SELECT doc_id, post_id, px, doc FROM gallery_search"
                f" WHERE TRUE{since} ORDER BY doc_id DESC LIMIT :walk) w WHERE {_PG_MATCH}"
                " ORDER BY doc_id DESC LIMIT :want"
            )
            picked = _near_or_every(near, _NEWEST)
        return (
            f"WITH every AS MATERIALIZED ({every}), picked AS MATERIALIZED ({picked})"
            f" SELECT s.post_id FROM picked s JOIN gallery_posts p ON p.id = s.post_id WHERE {where}"
            f" ORDER BY {order} LIMIT :limit OFFSET :offset",
            params,
        )
    filtered = (
        f"SELECT s.doc_id, s.post_id FROM {{}} s JOIN gallery_posts p ON p.id = s.post_id WHERE {where}"
    )
    params["want"] = (page.number + 1) * page.size
    # All matches sorted before the join, so that only the posts up to this page's are looked up.
    every_in_order = filtered.format("(SELECT * FROM every ORDER BY doc_id DESC)")
    every_in_order += " ORDER BY s.doc_id DESC LIMIT :want"
    if few:
        picked = every_in_order
    else:
        params["walk"] = WALK * (page.number + 1)
        walk = "(SELECT doc_id, post_id, px, doc FROM gallery_search ORDER BY doc_id DESC LIMIT :walk)"
        near = filtered.format(walk) + f" AND s.{_PG_MATCH} ORDER BY s.doc_id DESC LIMIT :want"
        picked = _near_or_every(near, every_in_order)
    return (
        f"WITH every AS MATERIALIZED ({every}), picked AS MATERIALIZED ({picked})"
        " SELECT post_id FROM picked ORDER BY doc_id DESC LIMIT :limit OFFSET :offset",
        params,
    )


def _near_or_every(near: str, every: str) -> str:
    """near's rows when there are :want of them, else every's. CTEs are computed when first read and
    a branch whose one-time condition is false is never started, so every match is read only if the
    newest rows held too few."""
    return (
        f"SELECT * FROM (WITH near AS MATERIALIZED ({near})"
        " SELECT * FROM near WHERE (SELECT count(*) FROM near) >= :want"
        f" UNION ALL SELECT * FROM ({every}) e WHERE (SELECT count(*) FROM near) < :want) x"
    )


async def find(db: Database, dialect: str, search: Search, page: Page) -> list[str]:
    """The ids of one page of posts matching the search, in order."""
    if dialect == "sqlite":
        text, params = sqlite_sql(search, page)
        return [r["post_id"] for r in await db.fetch_all(text, params)]
    async with db.transaction() as tx:
        # Planned for these words (a plan kept for any words would be wrong for most), and the planner's
        # estimate of how many posts match, which is good (its statistics), decides the way to them: its
        # costs would walk the primary key for words far too rare for that. The estimated cost of the
        # branch that is never started must not buy a JIT compilation (some 10 ms) either.
        await tx.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        await tx.execute("SET LOCAL jit = off")
        plan = await tx.fetch_value(
            f"EXPLAIN (FORMAT JSON) SELECT doc_id FROM gallery_search WHERE {_PG_MATCH}",
            {"match": tsquery(search.match)},
        )
        estimate = json.loads(plan)[0]["Plan"]["Plan Rows"]
        few = estimate <= GIN_MAX["time" if page.sort not in ORDERS else "ranked"]
        text, params = postgres_sql(search, page, few=few)
        return [r["post_id"] for r in await tx.fetch_all(text, params)]
