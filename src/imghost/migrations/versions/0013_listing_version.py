"""The gallery's listing version: a counter that every write changing what a listing shows moves, in the
same transaction as the write, kept by database triggers.

A visitor's listing (api/listing_answers.py) is kept by every server process under the version it was made
at; the version is read afresh on every request, so a write committed anywhere (another process, the
command line, a cascade) is seen by the next request everywhere. `SELECT SUM(n) FROM gallery_version` is
the version: every committed write adds at least one, so two committed states never share a sum.

What moves it (triggers rather than service calls, for the reason 0008 gives: the sources change in many
places, some of them cascades no service sees):

- gallery_posts: a share (insert), an unshare or a cascaded deletion (delete), and an update of anything
  but the vote counts and scores (ups, downs, points, hot, rising) and reports_open: title, topic,
  community, mature flag, comment_count, hidden. Votes are left out on purpose: at hundreds a second they
  would leave no kept answer standing; a listing's vote counts (and the order they make) are as old as
  the kept answer may be (Settings.gallery_listing_seconds), as are its views counts, which are not in
  the database until the next flush anyway.
- images and albums of a post (or an image of a shared album): any column but views and bandwidth.
- album_images of a shared album; favourites of a post's image or album; post_tags; tags a post
  carries (their followers and counts show in the listing); a username; a topic's name.

On SQLite writes take the database one at a time: one row, plain AFTER triggers. On PostgreSQL, 16 rows,
each transaction adding to the one its transaction id picks, from constraint triggers deferred to commit:
the row is the last thing a writing transaction locks and it holds no other row of gallery_version, so
two writers never wait on each other in a circle, and writers on different rows never wait at all.

A later migration that rebuilds one of these tables on SQLite (batch mode) must create its triggers again.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SLOTS = 16  # PostgreSQL's rows

POST_COLUMNS = (
    "id, image_id, album_id, account_id, title, topic_id, community, mature, shared_at, comment_count, hidden"
)
IMAGE_COLUMNS = (
    "id, deletehash, client_id, account_id, title, description, name, blob_id, mime, ext, width, height,"
    " size, animated, has_sound, mp4_size, nsfw, created_at"
)
ALBUM_COLUMNS = "id, deletehash, client_id, account_id, title, description, privacy, layout, cover_id, created_at, updated_at"
TAG_COLUMNS = "name, display_name, description, followers, total_items"

# Whether a row's key belongs to a listing, as SQL over `key` (the trigger's own row's column).
POST = "EXISTS (SELECT 1 FROM gallery_posts WHERE id = {key})"
IMAGE = (
    "EXISTS (SELECT 1 FROM gallery_posts WHERE id = {key}) OR EXISTS (SELECT 1 FROM album_images ai"
    " JOIN gallery_posts p ON p.id = ai.album_id WHERE ai.image_id = {key})"
)
TAG = "EXISTS (SELECT 1 FROM post_tags WHERE tag = {key})"

# name: (table, event, key column or None for always, condition template)
TRIGGERS: dict[str, tuple[str, str, str | None, str]] = {
    "gallery_version_posts_insert": ("gallery_posts", "INSERT", None, ""),
    "gallery_version_posts_delete": ("gallery_posts", "DELETE", None, ""),
    "gallery_version_posts_update": ("gallery_posts", f"UPDATE OF {POST_COLUMNS}", None, ""),
    "gallery_version_images_update": ("images", f"UPDATE OF {IMAGE_COLUMNS}", "id", IMAGE),
    "gallery_version_albums_update": ("albums", f"UPDATE OF {ALBUM_COLUMNS}", "id", POST),
    "gallery_version_album_images_insert": ("album_images", "INSERT", "album_id", POST),
    "gallery_version_album_images_delete": ("album_images", "DELETE", "album_id", POST),
    "gallery_version_album_images_update": ("album_images", "UPDATE", "album_id", POST),
    "gallery_version_favorites_insert": ("favorites", "INSERT", "image_id", POST),
    "gallery_version_favorites_delete": ("favorites", "DELETE", "image_id", POST),
    "gallery_version_album_favorites_insert": ("album_favorites", "INSERT", "album_id", POST),
    "gallery_version_album_favorites_delete": ("album_favorites", "DELETE", "album_id", POST),
    "gallery_version_post_tags_insert": ("post_tags", "INSERT", None, ""),
    "gallery_version_post_tags_delete": ("post_tags", "DELETE", None, ""),
    "gallery_version_post_tags_update": ("post_tags", "UPDATE", None, ""),
    "gallery_version_tags_update": ("tags", f"UPDATE OF {TAG_COLUMNS}", "name", TAG),
    "gallery_version_accounts_update": ("accounts", "UPDATE OF username", None, ""),
    "gallery_version_topics_update": ("topics", "UPDATE OF name", None, ""),
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    table = op.create_table(
        "gallery_version",
        sa.Column("slot", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("n", sa.BigInteger, nullable=False, server_default="0"),
    )
    slots = 1 if dialect == "sqlite" else SLOTS
    op.bulk_insert(table, [{"slot": s, "n": 0} for s in range(slots)])
    if dialect == "sqlite":
        _upgrade_sqlite()
    else:
        _upgrade_postgresql()


def _upgrade_sqlite() -> None:
    for name, (table, event, key, condition) in TRIGGERS.items():
        row = "old" if event == "DELETE" else "new"
        when = f" WHEN {condition.format(key=f'{row}.{key}')}" if key else ""
        if table == "accounts":
            when = " WHEN old.username IS NOT new.username"
        elif table == "topics":
            when = " WHEN old.name IS NOT new.name"
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table}{when}"
            " BEGIN UPDATE gallery_version SET n = n + 1; END"
        )


def _upgrade_postgresql() -> None:
    # Trigger conditions cannot hold subqueries on PostgreSQL: the function tests them, by kind.
    checks = {"post": POST, "image": IMAGE, "tag": TAG}
    tests = " ".join(
        f"IF TG_ARGV[1] = '{kind}' AND NOT ({sql.format(key='key')}) THEN RETURN NULL; END IF;"
        for kind, sql in checks.items()
    )
    op.execute(
        "CREATE FUNCTION gallery_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$"
        " DECLARE key text; BEGIN"
        " IF TG_NARGS > 0 THEN"
        " key := (CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END) ->> TG_ARGV[0];"
        f" {tests} END IF;"
        f" UPDATE gallery_version SET n = n + 1 WHERE slot = txid_current() % {SLOTS};"
        " RETURN NULL; END $$"
    )
    kinds = {POST: "post", IMAGE: "image", TAG: "tag"}
    for name, (table, event, key, condition) in TRIGGERS.items():
        args = f"'{key}', '{kinds[condition]}'" if key else ""
        when = ""
        if table == "accounts":
            when = " WHEN (OLD.username IS DISTINCT FROM NEW.username)"
        elif table == "topics":
            when = " WHEN (OLD.name IS DISTINCT FROM NEW.name)"
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {name} AFTER {event} ON {table}"
            f" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW{when} EXECUTE FUNCTION gallery_version_bump({args})"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, (table, *_) in TRIGGERS.items():
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    if dialect != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS gallery_version_bump()")
    op.drop_table("gallery_version")
