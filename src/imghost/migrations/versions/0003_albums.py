"""Albums, their ordered images, album favorites.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "albums",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("deletehash", sa.String(32), nullable=False, unique=True),
        sa.Column("client_id", sa.String(32), nullable=True),
        sa.Column(
            "account_id", sa.BigInteger, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("privacy", sa.String(16), nullable=False, server_default="public"),
        sa.Column("layout", sa.String(16), nullable=False, server_default="blog"),
        sa.Column("cover_id", sa.String(16), sa.ForeignKey("images.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.Column("views", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.create_index("ix_albums_account_created", "albums", ["account_id", "created_at"])
    op.create_table(
        "album_images",
        sa.Column(
            "album_id", sa.String(16), sa.ForeignKey("albums.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "image_id", sa.String(16), sa.ForeignKey("images.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_index("ix_album_images_order", "album_images", ["album_id", "position"])
    op.create_index("ix_album_images_image", "album_images", ["image_id"])
    op.create_table(
        "album_favorites",
        sa.Column(
            "account_id", sa.BigInteger, sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "album_id", sa.String(16), sa.ForeignKey("albums.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for table in ("album_favorites", "album_images", "albums"):
        op.drop_table(table)
