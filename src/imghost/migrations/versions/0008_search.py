"""Gallery search: a full-text index of every post, kept in step by database triggers.

gallery_search has one row per gallery post: the texts a search looks at (the post's title, its image's or
album's description, its tag names, its author's username), `marks` (exact-match tokens, below) and `px`
(the larger side of an image, 0 for an album). The text index over it is the dialect's own:

- SQLite: an FTS5 table, gallery_fts, whose content is gallery_search (external content: nothing is stored
  twice). Its rowid is gallery_search.doc_id; triggers on gallery_search feed FTS5 the old and new values.
- PostgreSQL: a generated tsvector column, gallery_search.doc, with a GIN index. Weights say where a lexeme
  came from, so a query can ask for one field: A the title, B the description, C tag names and username,
  D the marks.

Triggers rather than service calls keep the index in step, because its sources change in many places,
some of them cascades no service sees: a post is shared (insert) or re-shared with a new title or community;
an image's or album's description is edited; tags are added or removed (by any service); an account is
renamed; a post goes with its image, album or account by ON DELETE CASCADE (gallery_search.post_id cascades
too, and on SQLite the FTS delete trigger fires for cascaded deletes as for any other). Every change is in
the index in the same transaction as the change itself: a title edit is searchable at once. On PostgreSQL the
refresh first locks the search row, so two transactions changing one post's tags at once cannot leave the
older of their two readings behind.

Marks are tokens a query cannot produce from ordinary words, one per fact, for the qualifiers that must
match exactly (domain/search/query.py builds them the same way): `kall` (every post; FTS5's NOT needs
something on its left), `kimage` or `kalbum`, `x<ext>` (xjpg, xgif, ...), `kanim` (an animated image),
`u<hex of the lower-cased username>`, `t<hex of the tag name>` per tag, `c<hex of the community>`. Hex keeps
every mark one plain token for both tokenizers, whatever the name holds.

doc_id orders the index newest first without a sort: shared_at * 2**22 + n, n counting the posts shared
in the same second (SQLite writes one at a time, so the largest n so far plus one; PostgreSQL takes n from
a sequence, modulo 2**22, so that concurrent shares never collide). Sorted by time, a search on SQLite reads
FTS5's matches in doc_id order and stops after a page, as a listing reads its index; PostgreSQL walks the
primary key the same way when matches are common (domain/search/index.py says when).

On SQLite 3.40 an FTS5 write made by a trigger flushes a segment at the end of its statement: about 0.2 ms a
post shared one at a time, nothing to notice; a bulk loader should write posts and tags with one INSERT ...
SELECT per batch (a statement, a flush), which costs some 70 µs a row.

The FTS5 table, its shadow tables, the tsvector column and its index are not in db/schema.py's metadata,
which describes both databases at once; schema.include_name leaves exactly those out of Alembic's
comparison. A later migration that rebuilds one of the source tables on SQLite (batch mode copies a table
and drops the old one, and its triggers with it) must create that table's triggers again.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SLOT = 4_194_304  # 2**22 doc ids per second of share time
COLUMNS = ("title", "body", "tags", "author", "marks", "px")


def _doc(dialect: str, where: str) -> str:
    """The search row of the posts `where` selects, computed from its sources."""
    if dialect == "sqlite":

        def hexed(e: str) -> str:
            return f"lower(hex({e}))"

        def agg(e: str) -> str:
            return f"group_concat({e}, ' ')"
    else:

        def hexed(e: str) -> str:
            return f"encode(convert_to({e}, 'UTF8'), 'hex')"

        def agg(e: str) -> str:
            return f"string_agg({e}, ' ')"

    tag_mark = "'t' || " + hexed("pt.tag")
    return (
        "SELECT p.id AS post_id, p.shared_at AS shared_at, p.title AS title,"
        " COALESCE(i.description, al.description, '') AS body,"
        f" COALESCE((SELECT {agg('pt.tag')} FROM post_tags pt WHERE pt.post_id = p.id), '') AS tags,"
        " acc.username AS author,"
        " 'kall ' || CASE WHEN p.album_id IS NOT NULL THEN 'kalbum'"
        " ELSE 'kimage x' || lower(i.ext) || CASE WHEN i.animated THEN ' kanim' ELSE '' END END"
        f" || ' u' || {hexed('lower(acc.username)')}"
        f" || COALESCE(' c' || {hexed('p.community')}, '')"
        f" || COALESCE((SELECT ' ' || {agg(tag_mark)} FROM post_tags pt WHERE pt.post_id = p.id), '') AS marks,"
        " CASE WHEN i.id IS NULL THEN 0 WHEN i.width > i.height THEN i.width ELSE i.height END AS px"
        " FROM gallery_posts p JOIN accounts acc ON acc.id = p.account_id"
        " LEFT JOIN images i ON i.id = p.image_id LEFT JOIN albums al ON al.id = p.album_id"
        f" WHERE {where}"
    )


def _refresh(dialect: str, where: str) -> str:
    """Rewrite the search rows of the posts `where` selects, those that changed only."""
    sets = ", ".join(f"{c} = d.{c}" for c in COLUMNS)
    old = ", ".join(f"gallery_search.{c}" for c in COLUMNS)
    new = ", ".join(f"d.{c}" for c in COLUMNS)
    return (
        f"UPDATE gallery_search SET {sets} FROM ({_doc(dialect, where)}) AS d"
        f" WHERE gallery_search.post_id = d.post_id AND ({old}) <> ({new})"
    )


def _insert(dialect: str, doc_id: str, where: str) -> str:
    cols = ", ".join(COLUMNS)
    picked = ", ".join(f"d.{c}" for c in COLUMNS)
    return (
        f"INSERT INTO gallery_search (doc_id, post_id, {cols})"
        f" SELECT {doc_id}, d.post_id, {picked} FROM ({_doc(dialect, where)}) AS d"
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "gallery_search",
        sa.Column("doc_id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column(
            "post_id",
            sa.String(16),
            sa.ForeignKey("gallery_posts.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("marks", sa.Text, nullable=False),
        sa.Column("px", sa.Integer, nullable=False),
    )
    if dialect == "sqlite":
        _upgrade_sqlite()
    else:
        _upgrade_postgresql()


def _upgrade_sqlite() -> None:
    cols = ", ".join(COLUMNS[:-1])
    new = ", ".join(f"new.{c}" for c in COLUMNS[:-1])
    old = ", ".join(f"old.{c}" for c in COLUMNS[:-1])
    op.execute(
        f"CREATE VIRTUAL TABLE gallery_fts USING fts5({cols},"
        " content='gallery_search', content_rowid='doc_id', tokenize='unicode61 remove_diacritics 2')"
    )
    # FTS5 with external content must be told the old values to take out.
    op.execute(
        "CREATE TRIGGER gallery_search_fts_insert AFTER INSERT ON gallery_search BEGIN"
        f" INSERT INTO gallery_fts (rowid, {cols}) VALUES (new.doc_id, {new}); END"
    )
    op.execute(
        "CREATE TRIGGER gallery_search_fts_delete AFTER DELETE ON gallery_search BEGIN"
        f" INSERT INTO gallery_fts (gallery_fts, rowid, {cols}) VALUES ('delete', old.doc_id, {old}); END"
    )
    op.execute(
        "CREATE TRIGGER gallery_search_fts_update AFTER UPDATE ON gallery_search BEGIN"
        f" INSERT INTO gallery_fts (gallery_fts, rowid, {cols}) VALUES ('delete', old.doc_id, {old});"
        f" INSERT INTO gallery_fts (rowid, {cols}) VALUES (new.doc_id, {new}); END"
    )
    next_id = (
        f"COALESCE((SELECT MAX(doc_id) + 1 FROM gallery_search WHERE doc_id >= d.shared_at * {SLOT}"
        f" AND doc_id < (d.shared_at + 1) * {SLOT}), d.shared_at * {SLOT})"
    )
    op.execute(
        "CREATE TRIGGER gallery_search_post_insert AFTER INSERT ON gallery_posts BEGIN"
        f" {_insert('sqlite', next_id, 'p.id = new.id')}; END"
    )
    op.execute(
        "CREATE TRIGGER gallery_search_post_update AFTER UPDATE OF title, community ON gallery_posts"
        " WHEN old.title IS NOT new.title OR old.community IS NOT new.community BEGIN"
        f" {_refresh('sqlite', 'p.id = new.id')}; END"
    )
    for table in ("images", "albums"):
        op.execute(
            f"CREATE TRIGGER gallery_search_{table}_update AFTER UPDATE OF description ON {table}"
            f" WHEN old.description IS NOT new.description BEGIN {_refresh('sqlite', 'p.id = new.id')}; END"
        )
    op.execute(
        "CREATE TRIGGER gallery_search_tags_insert AFTER INSERT ON post_tags BEGIN"
        f" {_refresh('sqlite', 'p.id = new.post_id')}; END"
    )
    op.execute(
        "CREATE TRIGGER gallery_search_tags_delete AFTER DELETE ON post_tags BEGIN"
        f" {_refresh('sqlite', 'p.id = old.post_id')}; END"
    )
    op.execute(
        "CREATE TRIGGER gallery_search_tags_update AFTER UPDATE OF post_id, tag ON post_tags BEGIN"
        f" {_refresh('sqlite', 'p.id = old.post_id')}; {_refresh('sqlite', 'p.id = new.post_id')}; END"
    )
    op.execute(
        "CREATE TRIGGER gallery_search_account_update AFTER UPDATE OF username ON accounts"
        " WHEN old.username IS NOT new.username BEGIN"
        f" {_refresh('sqlite', 'p.account_id = new.id')}; END"
    )
    # Posts shared before this migration; the insert trigger above fills gallery_fts from these rows.
    op.execute(
        _insert(
            "sqlite",
            f"d.shared_at * {SLOT} + ROW_NUMBER() OVER (PARTITION BY d.shared_at ORDER BY d.post_id) - 1",
            "1 = 1",
        )
    )


def _upgrade_postgresql() -> None:
    op.execute(
        "ALTER TABLE gallery_search ADD COLUMN doc tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'B')"
        " || setweight(to_tsvector('simple', tags || ' ' || author), 'C')"
        " || setweight(to_tsvector('simple', marks), 'D')) STORED"
    )
    op.execute("CREATE SEQUENCE gallery_search_seq")
    next_id = f"d.shared_at * {SLOT} + nextval('gallery_search_seq') % {SLOT}"
    op.execute(
        "CREATE FUNCTION gallery_search_refresh(post text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN"
        " PERFORM 1 FROM gallery_search WHERE post_id = post FOR UPDATE;"
        f" {_refresh('postgresql', 'p.id = post')}; END $$"
    )
    op.execute(
        "CREATE FUNCTION gallery_search_post_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" {_insert('postgresql', next_id, 'p.id = NEW.id')}; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE FUNCTION gallery_search_row_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " PERFORM gallery_search_refresh(NEW.id); RETURN NULL; END $$"
    )
    op.execute(
        "CREATE FUNCTION gallery_search_tags_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP <> 'INSERT' THEN PERFORM gallery_search_refresh(OLD.post_id); END IF;"
        " IF TG_OP <> 'DELETE' THEN PERFORM gallery_search_refresh(NEW.post_id); END IF;"
        " RETURN NULL; END $$"
    )
    op.execute(
        "CREATE FUNCTION gallery_search_account_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " PERFORM 1 FROM gallery_search s JOIN gallery_posts p ON p.id = s.post_id"
        " WHERE p.account_id = NEW.id ORDER BY s.doc_id FOR UPDATE OF s;"
        f" {_refresh('postgresql', 'p.account_id = NEW.id')}; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER gallery_search_post_insert AFTER INSERT ON gallery_posts"
        " FOR EACH ROW EXECUTE FUNCTION gallery_search_post_insert()"
    )
    op.execute(
        "CREATE TRIGGER gallery_search_post_update AFTER UPDATE OF title, community ON gallery_posts"
        " FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.community IS DISTINCT FROM NEW.community)"
        " EXECUTE FUNCTION gallery_search_row_update()"
    )
    for table in ("images", "albums"):
        op.execute(
            f"CREATE TRIGGER gallery_search_{table}_update AFTER UPDATE OF description ON {table}"
            " FOR EACH ROW WHEN (OLD.description IS DISTINCT FROM NEW.description)"
            " EXECUTE FUNCTION gallery_search_row_update()"
        )
    op.execute(
        "CREATE TRIGGER gallery_search_tags_change AFTER INSERT OR DELETE OR UPDATE OF post_id, tag"
        " ON post_tags FOR EACH ROW EXECUTE FUNCTION gallery_search_tags_change()"
    )
    op.execute(
        "CREATE TRIGGER gallery_search_account_update AFTER UPDATE OF username ON accounts"
        " FOR EACH ROW WHEN (OLD.username IS DISTINCT FROM NEW.username)"
        " EXECUTE FUNCTION gallery_search_account_update()"
    )
    op.execute(_insert("postgresql", next_id, "TRUE"))
    # After the rows of the posts already shared: one build of the index is far faster than a row at a time.
    op.execute("CREATE INDEX ix_gallery_search_doc ON gallery_search USING gin (doc)")
    # Searches choose their way by the planner's estimate of the matches (domain/search/index.py): the
    # statistics are there from the start rather than from autovacuum's next round.
    op.execute("ANALYZE gallery_search")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    triggers = {
        "gallery_search_post_insert": "gallery_posts",
        "gallery_search_post_update": "gallery_posts",
        "gallery_search_images_update": "images",
        "gallery_search_albums_update": "albums",
        "gallery_search_account_update": "accounts",
    }
    if dialect == "sqlite":
        names = [*triggers, "gallery_search_tags_insert", "gallery_search_tags_delete"]
        names += ["gallery_search_tags_update"]
        for name in names:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS gallery_fts")
    else:
        for name, table in {**triggers, "gallery_search_tags_change": "post_tags"}.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for fn in (
            "gallery_search_post_insert()",
            "gallery_search_row_update()",
            "gallery_search_tags_change()",
            "gallery_search_account_update()",
            "gallery_search_refresh(text)",
        ):
            op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    op.drop_table("gallery_search")
    if dialect != "sqlite":
        op.execute("DROP SEQUENCE IF EXISTS gallery_search_seq")
