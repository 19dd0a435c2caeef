"""Clients, blobs and images.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clients",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("redirect_uri", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("refcount", sa.Integer, nullable=False),
    )
    op.create_table(
        "images",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("deletehash", sa.String(32), nullable=False, unique=True),
        sa.Column("client_id", sa.String(32), nullable=True),
        sa.Column("account_id", sa.BigInteger, nullable=True),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("mime", sa.String(64), nullable=False),
        sa.Column("ext", sa.String(8), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("animated", sa.Boolean, nullable=False),
        sa.Column("has_sound", sa.Boolean, nullable=False),
        sa.Column("mp4_size", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("nsfw", sa.Boolean, nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("views", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("bandwidth", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.create_index("ix_images_account_id", "images", ["account_id"])
    op.create_index("ix_images_sha256", "images", ["sha256"])
    op.create_index("ix_images_account_created", "images", ["account_id", "created_at"])


def downgrade() -> None:
    op.drop_table("images")
    op.drop_table("blobs")
    op.drop_table("clients")
