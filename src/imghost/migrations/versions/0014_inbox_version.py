"""Each account's inbox version: a number that every committed write changing what the account's
notification lists, conversation list or conversations show moves, in the write's own transaction, kept by
database triggers (the reason 0013 gives for triggers: some of the sources are cascades no service sees).

The API keeps an inbox answer under the version it was made at (api/inbox_answers.py) and reads the
version afresh on every request, so a change committed by any process is in the next answer anywhere.

What moves an account's version:

- its notifications: made, marked viewed, moved to a newer message, deleted (a block, a deleted
  comment, a cascade);
- its conversation member rows: a message in the conversation (both parties' rows are touched), a
  conversation cleared, a conversation gone with the other account;
- its deletion marks of single messages;
- the comment a reply notification shows: its votes (the recipient's own vote on it among them: a vote
  always changes the comment's counts), body, author or deletion; the cover of the album it was made on
  (albums.cover_id, album_images);
- a username or role (the admin badge) shown in its lists: of an account whose comments or messages
  notified it, or of the other party of a conversation;
- an account made (SQLite may hand a deleted account's id to the next one: its version moves on, so
  nothing kept for the old account is ever taken for the new).

On SQLite writes take the database one at a time: plain AFTER triggers, each adding one to the versions
it names. On PostgreSQL a row trigger notes the accounts in a setting local to the transaction, and a
constraint trigger deferred to commit adds one to each of them in account order: the version rows are the
last rows a writing transaction locks, always in the same order, so two writers never wait on each other
in a circle over them.

No foreign key: a version row may outlive its account (harmless, see above), and a trigger firing for a
cascade from an account's deletion must not fail on the account being gone.

A later migration that rebuilds one of these tables on SQLite (batch mode) must create its triggers again.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# The accounts a comment's reply notifications go to, and those of the comments on an album's post.
_OF_COMMENT = "SELECT account_id AS x FROM notifications WHERE comment_id = {r}.id"
_OF_ALBUM = (
    "SELECT n.account_id AS x FROM comments c JOIN notifications n ON n.comment_id = c.id"
    " WHERE c.post_id = {r}.{key}"
)
# Who shows an account's name: the recipients of what it caused, and the parties of its conversations.
_SHOWING = (
    "SELECT account_id AS x FROM notifications WHERE actor_id = {r}.id UNION"
    " SELECT o.account_id AS x FROM conversation_members cm JOIN conversation_members o"
    " ON o.conversation_id = cm.conversation_id WHERE cm.account_id = {r}.id"
)
_OWN = "SELECT {r}.account_id AS x"
_COMMENT_COLUMNS = "ups, downs, points, body, deleted, account_id, parent_id, platform"

# name: (table, event, the accounts as SQL over the row {r} (and {key}), extra format arguments)
TRIGGERS: dict[str, tuple[str, str, str, dict[str, str]]] = {
    "inbox_notifications_insert": ("notifications", "INSERT", _OWN, {}),
    "inbox_notifications_update": ("notifications", "UPDATE", _OWN, {}),
    "inbox_notifications_delete": ("notifications", "DELETE", _OWN, {}),
    "inbox_members_insert": ("conversation_members", "INSERT", _OWN, {}),
    "inbox_members_update": ("conversation_members", "UPDATE", _OWN, {}),
    "inbox_members_delete": ("conversation_members", "DELETE", _OWN, {}),
    "inbox_message_deletions_insert": ("message_deletions", "INSERT", _OWN, {}),
    "inbox_message_deletions_delete": ("message_deletions", "DELETE", _OWN, {}),
    "inbox_comments_update": ("comments", f"UPDATE OF {_COMMENT_COLUMNS}", _OF_COMMENT, {}),
    "inbox_albums_update": ("albums", "UPDATE OF cover_id", _OF_ALBUM, {"key": "id"}),
    "inbox_album_images_insert": ("album_images", "INSERT", _OF_ALBUM, {"key": "album_id"}),
    "inbox_album_images_update": ("album_images", "UPDATE", _OF_ALBUM, {"key": "album_id"}),
    "inbox_album_images_delete": ("album_images", "DELETE", _OF_ALBUM, {"key": "album_id"}),
    "inbox_accounts_update": ("accounts", "UPDATE OF username, role", _SHOWING, {}),
    "inbox_accounts_insert": ("accounts", "INSERT", "SELECT {r}.id AS x", {}),
}


def _accounts(event: str, sql: str, fmt: dict[str, str], *, old: str, new: str) -> str:
    """The trigger's accounts as one SELECT of `x`: an update names those of the row before and after."""
    rows = [old] if event == "DELETE" else [new] if event == "INSERT" else [old, new]
    return " UNION ".join(sql.format(r=r, **fmt) for r in rows)


def _when(table: str, event: str, *, old: str, new: str) -> str:
    if table == "accounts" and event.startswith("UPDATE"):
        return f"{old}.username IS DISTINCT FROM {new}.username OR {old}.role IS DISTINCT FROM {new}.role"
    return ""


def upgrade() -> None:
    op.create_table(
        "inbox_versions",
        sa.Column("account_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("n", sa.BigInteger, nullable=False, server_default="0"),
    )
    if op.get_bind().dialect.name == "sqlite":
        _upgrade_sqlite()
    else:
        _upgrade_postgresql()


def _upgrade_sqlite() -> None:
    for name, (table, event, sql, fmt) in TRIGGERS.items():
        accounts = _accounts(event.split()[0], sql, fmt, old="old", new="new")
        when = _when(table, event, old="old", new="new").replace("IS DISTINCT FROM", "IS NOT")
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table}{f' WHEN {when}' if when else ''}"
            " BEGIN INSERT INTO inbox_versions (account_id, n)"
            f" SELECT x, 1 FROM ({accounts}) WHERE x IS NOT NULL"
            " ON CONFLICT (account_id) DO UPDATE SET n = n + 1; END"
        )


def _upgrade_postgresql() -> None:
    # The accounts a transaction changed, noted once each ("1,5,9,") in a transaction-local setting.
    op.execute(
        "CREATE FUNCTION inbox_note(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$"
        " DECLARE s text := COALESCE(current_setting('imghost.inbox', true), ''); i bigint; BEGIN"
        " FOREACH i IN ARRAY ids LOOP"
        " IF position(',' || i || ',' IN ',' || s) = 0 THEN s := s || i || ','; END IF;"
        " END LOOP;"
        " PERFORM set_config('imghost.inbox', s, true); END $$"
    )
    # At commit, the first deferred call moves every noted version, in account order, and clears the note;
    # the calls after it find nothing to do.
    op.execute(
        "CREATE FUNCTION inbox_flush() RETURNS trigger LANGUAGE plpgsql AS $$"
        " DECLARE s text := COALESCE(current_setting('imghost.inbox', true), ''); i bigint; BEGIN"
        " IF s = '' THEN RETURN NULL; END IF;"
        " PERFORM set_config('imghost.inbox', '', true);"
        " FOR i IN SELECT DISTINCT x::bigint FROM unnest(string_to_array(rtrim(s, ','), ',')) AS x ORDER BY 1 LOOP"
        " INSERT INTO inbox_versions (account_id, n) VALUES (i, 1)"
        " ON CONFLICT (account_id) DO UPDATE SET n = inbox_versions.n + 1;"
        " END LOOP; RETURN NULL; END $$"
    )
    for name, (table, event, sql, fmt) in TRIGGERS.items():
        kind = event.split()[0]
        accounts = _accounts(kind, sql, fmt, old="OLD", new="NEW")
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            f" PERFORM inbox_note(ARRAY(SELECT x FROM ({accounts}) t WHERE x IS NOT NULL));"
            " RETURN NULL; END $$"
        )
        when = _when(table, event, old="OLD", new="NEW")
        when = f" WHEN ({when})" if when else ""
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} EXECUTE FUNCTION {name}()"
        )
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {name}_flush AFTER {event} ON {table}"
            f" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW{when} EXECUTE FUNCTION inbox_flush()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, (table, *_) in TRIGGERS.items():
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}_flush ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    if dialect != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS inbox_flush()")
        op.execute("DROP FUNCTION IF EXISTS inbox_note(bigint[])")
    op.drop_table("inbox_versions")
