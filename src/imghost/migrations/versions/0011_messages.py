"""Private messages: conversations between two accounts, their messages, each party's deletion marks,
blocks, and reports of senders in the moderation queue.

A conversation belongs to exactly two accounts (low_id < high_id, unique: one per pair); each party has
a member row that orders its conversation list (last_message_id: the latest message, newest first) and
remembers how far it cleared the conversation (cleared_through: messages up to this id are gone for it,
not for the other side). A
single deleted message is a message_deletions row of the account that deleted it. Everything cascades
from accounts, so an account's deletion takes its conversations whole.

Revision ID: 0011
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

Serial = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def _fk(name: str, table: str = "accounts", primary_key: bool = False) -> sa.Column[int]:
    return sa.Column(
        name,
        sa.BigInteger,
        sa.ForeignKey(f"{table}.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
    )


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", Serial, primary_key=True, autoincrement=True),
        _fk("low_id"),
        _fk("high_id"),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("low_id", "high_id", name="uq_conversations_pair"),
    )
    op.create_index("ix_conversations_high", "conversations", ["high_id"])
    op.create_table(
        "conversation_members",
        _fk("conversation_id", "conversations", primary_key=True),
        _fk("account_id", primary_key=True),
        sa.Column("cleared_through", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("last_message_id", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.create_index(
        "ix_conversation_members_list",
        "conversation_members",
        ["account_id", "last_message_id"],
    )
    op.create_table(
        "messages",
        sa.Column("id", Serial, primary_key=True, autoincrement=True),
        _fk("conversation_id", "conversations"),
        _fk("sender_id"),
        sa.Column("subject", sa.Text, nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_messages_conversation", "messages", ["conversation_id", "id"])
    op.create_index("ix_messages_sender", "messages", ["sender_id", "created_at"])
    op.create_table(
        "message_deletions",
        _fk("message_id", "messages", primary_key=True),
        _fk("account_id", primary_key=True),
    )
    op.create_index("ix_message_deletions_account", "message_deletions", ["account_id"])
    op.create_table(
        "blocks",
        _fk("account_id", primary_key=True),
        _fk("blocked_id", primary_key=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_blocks_blocked", "blocks", ["blocked_id"])
    # A report of a sender (from the messages): no foreign key, SQLite cannot add one to a table without
    # rebuilding it; the messages service deletes an account's reports before the account goes.
    op.add_column("reports", sa.Column("sender_id", sa.BigInteger, nullable=True))
    op.create_index("ix_reports_sender", "reports", ["sender_id", "account_id"])


def downgrade() -> None:
    op.drop_index("ix_reports_sender", "reports")
    # A plain DROP COLUMN (SQLite 3.35+ and PostgreSQL) rather than a batch copy: the table keeps the exact
    # definition 0007 gave it, so a database taken down and up again is the same as one never taken down.
    op.execute("ALTER TABLE reports DROP COLUMN sender_id")
    for table in ("blocks", "message_deletions", "messages", "conversation_members", "conversations"):
        op.drop_table(table)
