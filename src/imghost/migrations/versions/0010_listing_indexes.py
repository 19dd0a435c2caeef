"""Covering indexes for the gallery listings, one per order.

A visitor's listing filters on hidden and mature (both equal to false) and orders by one ranking
column, then id. With the single-column ranking indexes, every skipped row of a deep page was read from
the table to test hidden and mature; these indexes hold the filter, the order and the id, so a page's
ids come from the index alone (repository.listing joins the table only for the page's rows). The time
order carries points too, for the user section's "not yet viral" filter. The older single-column
indexes stay: listings with mature posts and search still order by them.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_gallery_posts_list_hot": ["hidden", "mature", "hot", "id"],
    "ix_gallery_posts_list_rising": ["hidden", "mature", "rising", "id"],
    "ix_gallery_posts_list_top": ["hidden", "mature", "points", "shared_at", "id"],
    "ix_gallery_posts_list_time": ["hidden", "mature", "shared_at", "id", "points"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "gallery_posts", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="gallery_posts")
