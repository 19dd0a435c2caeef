"""Accounts, OAuth clients' tokens and codes, favorites, invites.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("username", sa.String(63), nullable=False),
        # Usernames are unique without regard to case; the lower-cased copy carries the constraint.
        sa.Column("username_lower", sa.String(63), nullable=False, unique=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("bio", sa.Text, nullable=True),
        sa.Column("reputation", sa.Float, nullable=False, server_default="0"),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("public_images", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("album_privacy", sa.String(16), nullable=False, server_default="public"),
        sa.Column("messaging_enabled", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("show_mature", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("newsletter_subscribed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("accepted_gallery_terms", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("high_quality", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("avatar", sa.Text, nullable=True),
        sa.Column("cover", sa.Text, nullable=True),
        sa.Column("email_verified", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "tokens",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("access_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("refresh_hash", sa.String(64), nullable=False, unique=True),
        sa.Column(
            "client_id", sa.String(32), sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "account_id", sa.BigInteger, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("access_expires_at", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_tokens_account_id", "tokens", ["account_id"])
    op.create_table(
        "auth_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column(
            "client_id", sa.String(32), sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "account_id", sa.BigInteger, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "favorites",
        sa.Column(
            "account_id", sa.BigInteger, sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "image_id", sa.String(16), sa.ForeignKey("images.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_favorites_image_id", "favorites", ["image_id"])
    op.create_table(
        "invites",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("used_by", sa.BigInteger, sa.ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True),
    )


def downgrade() -> None:
    for table in ("invites", "favorites", "auth_codes", "tokens", "accounts"):
        op.drop_table(table)
