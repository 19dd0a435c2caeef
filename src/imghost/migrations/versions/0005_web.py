"""Web sign-in sessions, and applications that belong to the account that registered them.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        # The SHA-256 of the cookie's token: a leaked table holds no session anyone can present.
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "account_id", sa.BigInteger, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("user_agent", sa.Text, nullable=False, server_default=sa.text("''")),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("seen_at", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_web_sessions_account_id", "web_sessions", ["account_id"])
    # No foreign key: SQLite cannot add one to an existing table without rebuilding it. Deleting an
    # account deletes its applications in the account service instead.
    op.add_column("clients", sa.Column("account_id", sa.BigInteger, nullable=True))
    op.create_index("ix_clients_account_id", "clients", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_clients_account_id", table_name="clients")
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("account_id")
    op.drop_index("ix_web_sessions_account_id", table_name="web_sessions")
    op.drop_table("web_sessions")
