"""An index for /3/tags: the tags carried by the most posts, read in the index's order.

The tag names people make grow without bound; without the index, /3/tags would sort the whole tags
table on every request. The route orders by the stored count, name descending for equal counts, so that
one backward scan of (total_items, name) serves it on SQLite and on PostgreSQL.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tags_total_items", "tags", ["total_items", "name"])


def downgrade() -> None:
    op.drop_index("ix_tags_total_items", table_name="tags")
