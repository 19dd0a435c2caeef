"""Blobs get their own ids and a fingerprint: duplicates are found by fingerprint, then compared.

Existing blobs keep the SHA-256 they were stored under as their id, so their keys in storage do not move.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # RENAME COLUMN: PostgreSQL, and SQLite since 3.25, without rebuilding the tables.
    op.execute("ALTER TABLE blobs RENAME COLUMN sha256 TO id")
    op.add_column("blobs", sa.Column("fingerprint", sa.String(64), nullable=True))
    op.create_index("ix_blobs_fingerprint", "blobs", ["fingerprint"])
    op.drop_index("ix_images_sha256", table_name="images")
    op.execute("ALTER TABLE images RENAME COLUMN sha256 TO blob_id")
    op.create_index("ix_images_blob_id", "images", ["blob_id"])


def downgrade() -> None:
    op.drop_index("ix_images_blob_id", table_name="images")
    op.execute("ALTER TABLE images RENAME COLUMN blob_id TO sha256")
    op.create_index("ix_images_sha256", "images", ["sha256"])
    op.drop_index("ix_blobs_fingerprint", table_name="blobs")
    with op.batch_alter_table("blobs") as batch:
        batch.drop_column("fingerprint")
    op.execute("ALTER TABLE blobs RENAME COLUMN id TO sha256")
