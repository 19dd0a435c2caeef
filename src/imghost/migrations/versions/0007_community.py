"""The community: gallery posts, votes, comments, tags, topics, reports; account roles and bans.

A post's id is its image's or album's id (one id space); it points at exactly one of them with a
foreign key that cascades, so deleting the image or album removes its post, and with the post its
votes, comments, tags and reports. The ranking columns (hot, rising, points, best) are stored and
moved by each vote (domain/gallery/ranking.py), so that a listing is one index range scan.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Serial = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def _account(ondelete: str = "CASCADE", nullable: bool = False) -> sa.Column[int]:
    return sa.Column(
        "account_id", sa.BigInteger, sa.ForeignKey("accounts.id", ondelete=ondelete), nullable=nullable
    )


def upgrade() -> None:
    # No foreign keys added to accounts itself: SQLite cannot without rebuilding the table.
    op.add_column("accounts", sa.Column("role", sa.String(16), nullable=False, server_default="user"))
    op.add_column("accounts", sa.Column("banned", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_index("ix_album_favorites_album_id", "album_favorites", ["album_id"])

    op.create_table(
        "topics",
        sa.Column("id", Serial, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("description", sa.Text, nullable=False, server_default=sa.text("''")),
        sa.Column("css", sa.Text, nullable=True),
        sa.Column("ephemeral", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )

    op.create_table(
        "gallery_posts",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("image_id", sa.String(16), sa.ForeignKey("images.id", ondelete="CASCADE"), nullable=True),
        sa.Column("album_id", sa.String(16), sa.ForeignKey("albums.id", ondelete="CASCADE"), nullable=True),
        _account(),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("topic_id", sa.BigInteger, sa.ForeignKey("topics.id", ondelete="SET NULL"), nullable=True),
        sa.Column("community", sa.String(32), nullable=True),
        sa.Column("mature", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("shared_at", sa.BigInteger, nullable=False),
        sa.Column("ups", sa.Integer, nullable=False, server_default="0"),
        sa.Column("downs", sa.Integer, nullable=False, server_default="0"),
        sa.Column("points", sa.Integer, nullable=False, server_default="0"),
        sa.Column("comment_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("hot", sa.Float, nullable=False, server_default="0"),
        sa.Column("rising", sa.Float, nullable=False, server_default="0"),
        sa.Column("reports_open", sa.Integer, nullable=False, server_default="0"),
        # Out of the listings: too many open reports from distinct accounts, until an admin reviews it.
        sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_gallery_posts_hot", "gallery_posts", ["hot"])
    op.create_index("ix_gallery_posts_rising", "gallery_posts", ["rising"])
    op.create_index("ix_gallery_posts_points", "gallery_posts", ["points", "shared_at"])
    op.create_index("ix_gallery_posts_shared_at", "gallery_posts", ["shared_at"])
    op.create_index("ix_gallery_posts_account", "gallery_posts", ["account_id", "shared_at"])
    op.create_index("ix_gallery_posts_community", "gallery_posts", ["community", "shared_at"])
    op.create_index("ix_gallery_posts_topic", "gallery_posts", ["topic_id", "hot"])
    op.create_index("ix_gallery_posts_image_id", "gallery_posts", ["image_id"])
    op.create_index("ix_gallery_posts_album_id", "gallery_posts", ["album_id"])

    op.create_table(
        "gallery_votes",
        sa.Column(
            "post_id", sa.String(16), sa.ForeignKey("gallery_posts.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "account_id", sa.BigInteger, sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("vote", sa.SmallInteger, nullable=False),  # 1 up, -1 down
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_gallery_votes_account", "gallery_votes", ["account_id", "created_at"])

    op.create_table(
        "comments",
        sa.Column("id", Serial, primary_key=True, autoincrement=True),
        sa.Column(
            "post_id", sa.String(16), sa.ForeignKey("gallery_posts.id", ondelete="CASCADE"), nullable=False
        ),
        # Null once the author's account is gone and the comment stays for the replies under it.
        _account("SET NULL", nullable=True),
        sa.Column("parent_id", sa.BigInteger, nullable=True),  # no foreign key: replies outlive a delete
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("ups", sa.Integer, nullable=False, server_default="0"),
        sa.Column("downs", sa.Integer, nullable=False, server_default="0"),
        sa.Column("points", sa.Integer, nullable=False, server_default="0"),
        sa.Column("best", sa.Float, nullable=False, server_default="0"),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("platform", sa.String(16), nullable=False, server_default="api"),
        sa.Column("reports_open", sa.Integer, nullable=False, server_default="0"),
        sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_comments_post", "comments", ["post_id", "created_at"])
    op.create_index("ix_comments_parent", "comments", ["parent_id"])
    op.create_index("ix_comments_account", "comments", ["account_id", "created_at"])

    op.create_table(
        "comment_votes",
        sa.Column(
            "comment_id", sa.BigInteger, sa.ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "account_id", sa.BigInteger, sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("vote", sa.SmallInteger, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_comment_votes_account", "comment_votes", ["account_id"])

    op.create_table(
        "tags",
        sa.Column("name", sa.String(64), primary_key=True),  # lower case
        sa.Column("display_name", sa.String(64), nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=sa.text("''")),
        sa.Column("followers", sa.Integer, nullable=False, server_default="0"),
        sa.Column("total_items", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "post_tags",
        sa.Column(
            "post_id", sa.String(16), sa.ForeignKey("gallery_posts.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("tag", sa.String(64), sa.ForeignKey("tags.name", ondelete="CASCADE"), primary_key=True),
        _account("SET NULL", nullable=True),
        sa.Column("ups", sa.Integer, nullable=False, server_default="0"),
        sa.Column("downs", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_post_tags_tag", "post_tags", ["tag", "post_id"])
    op.create_table(
        "tag_votes",
        sa.Column(
            "post_id", sa.String(16), sa.ForeignKey("gallery_posts.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("tag", sa.String(64), sa.ForeignKey("tags.name", ondelete="CASCADE"), primary_key=True),
        sa.Column(
            "account_id", sa.BigInteger, sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("vote", sa.SmallInteger, nullable=False),
    )
    op.create_index("ix_tag_votes_account", "tag_votes", ["account_id"])
    op.create_table(
        "tag_follows",
        sa.Column("tag", sa.String(64), sa.ForeignKey("tags.name", ondelete="CASCADE"), primary_key=True),
        sa.Column(
            "account_id", sa.BigInteger, sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_tag_follows_account", "tag_follows", ["account_id"])

    op.create_table(
        "reports",
        sa.Column("id", Serial, primary_key=True, autoincrement=True),
        sa.Column(
            "post_id", sa.String(16), sa.ForeignKey("gallery_posts.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column(
            "comment_id", sa.BigInteger, sa.ForeignKey("comments.id", ondelete="CASCADE"), nullable=True
        ),
        _account(),
        sa.Column("reason", sa.SmallInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),  # open | resolved
        sa.Column("resolution", sa.Text, nullable=True),
        sa.Column("resolved_by", sa.BigInteger, nullable=True),
        sa.Column("resolved_at", sa.BigInteger, nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_reports_status", "reports", ["status", "created_at"])
    op.create_index("ix_reports_post", "reports", ["post_id", "account_id"])
    op.create_index("ix_reports_comment", "reports", ["comment_id", "account_id"])
    op.create_index("ix_reports_account", "reports", ["account_id"])


def downgrade() -> None:
    for table in (
        "reports",
        "tag_follows",
        "tag_votes",
        "post_tags",
        "tags",
        "comment_votes",
        "comments",
        "gallery_votes",
        "gallery_posts",
        "topics",
    ):
        op.drop_table(table)
    op.drop_index("ix_album_favorites_album_id", table_name="album_favorites")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("banned")
        batch.drop_column("role")
