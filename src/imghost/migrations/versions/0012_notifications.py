"""Notifications: what an account should hear of (a reply to its comment, a comment on its post, a
message), one row per recipient with `viewed`.

A reply or comment notification points at its comment and goes with it (cascade); a message
notification points at its conversation and stands for every message in it since the recipient last
looked: a new message moves the unviewed row forward (message_id, actor, time) instead of adding
another, so a busy conversation is one line in the list. `message_id` has no foreign key: the row
follows the conversation, not one message. Everything cascades from accounts.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

Serial = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", Serial, primary_key=True, autoincrement=True),
        sa.Column(
            "account_id", sa.BigInteger, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column(
            "actor_id", sa.BigInteger, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "comment_id", sa.BigInteger, sa.ForeignKey("comments.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column(
            "conversation_id",
            sa.BigInteger,
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("message_id", sa.BigInteger, nullable=True),
        sa.Column("viewed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    # The lists (per kind, unviewed or all, newest first) and the unread count.
    op.create_index("ix_notifications_list", "notifications", ["account_id", "kind", "viewed", "id"])
    op.create_index("ix_notifications_all", "notifications", ["account_id", "kind", "id"])
    op.create_index("ix_notifications_comment", "notifications", ["comment_id"])
    op.create_index("ix_notifications_conversation", "notifications", ["conversation_id", "account_id"])
    op.create_index("ix_notifications_actor", "notifications", ["actor_id"])


def downgrade() -> None:
    op.drop_table("notifications")
