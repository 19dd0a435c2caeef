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

Sorted by time, the order is doc_id's (newest first), which the text index reads in order: FTS5 walks its
doclists by rowid and stops after a page; PostgreSQL chooses between the GIN index (then sorts the few
matches) and walking gallery_search's primary key backwards (filtering, until a page is full) by the
statistics of the words asked for, which is why its statements are planned for their actual parameters
(plan_cache_mode = force_custom_plan): a plan made once for any word would be wrong for rare or common ones.
Sorted by viral or top, every match is read and ranked."""

from __future__ import annotations

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


def sql(dialect: str, search: Search, page: Page) -> tuple[str, dict[str, Any]]:
    """The statement that finds one page of matching post ids, in order, and its parameters."""
    if dialect == "sqlite":
        source = "gallery_fts f JOIN gallery_search s ON s.doc_id = f.rowid JOIN gallery_posts p ON p.id = s.post_id"
        where = ["gallery_fts MATCH :match"]
        params: dict[str, Any] = {"match": fts5(search.match)}
        doc_id = "f.rowid"
    else:
        source = "gallery_search s JOIN gallery_posts p ON p.id = s.post_id"
        where = ["s.doc @@ to_tsquery('simple', :match)"]
        params = {"match": tsquery(search.match)}
        doc_id = "s.doc_id"
    where.append("p.hidden = :no")
    params["no"] = False
    if not page.mature:
        where.append("p.mature = :no")
    if search.px is not None:
        where.append("s.px BETWEEN :px_min AND :px_max")
        params.update(px_min=search.px[0], px_max=search.px[1])
    if page.since:
        where.append(f"{doc_id} >= :since")
        params["since"] = page.since * SLOT
    order = ORDERS.get(page.sort, f"{doc_id} DESC")
    params.update(limit=page.size, offset=page.number * page.size)
    text = f"SELECT s.post_id FROM {source} WHERE {' AND '.join(where)} ORDER BY {order} LIMIT :limit OFFSET :offset"
    return text, params


async def find(db: Database, dialect: str, search: Search, page: Page) -> list[str]:
    """The ids of one page of posts matching the search, in order."""
    text, params = sql(dialect, search, page)
    if dialect == "sqlite":
        rows = await db.fetch_all(text, params)
    else:
        async with db.transaction() as tx:
            await tx.execute("SET LOCAL plan_cache_mode = force_custom_plan")
            rows = await tx.fetch_all(text, params)
    return [r["post_id"] for r in rows]
