"""Every table as the migrations leave it at head, in SQLAlchemy Core. Queries are plain SQL in repositories.

Alembic's autogenerate compares a database with this metadata (migrations/env.py), so it must say exactly what
migrations/versions creates, on SQLite and on PostgreSQL alike: tests/unit/test_schema.py migrates empty databases
of both kinds to head and requires that Alembic finds no difference. A new migration changes this file with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)

if TYPE_CHECKING:
    from alembic.runtime.environment import NameFilterParentNames, NameFilterType

# The migrations create their constraints unnamed, so PostgreSQL names them itself; the convention gives them
# the names PostgreSQL chose (SQLite keeps no names for them). Indexes are all named by the migrations.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "%(table_name)s_%(column_0_N_name)s_key",
        "fk": "%(table_name)s_%(column_0_N_name)s_fkey",
        "pk": "%(table_name)s_pkey",
    }
)

# Serial ids: BIGSERIAL on PostgreSQL; on SQLite only an INTEGER PRIMARY KEY is the rowid that counts up.
SerialId = BigInteger().with_variant(Integer, "sqlite")

# DEFAULT '' written out as SQL: Alembic compares a plain "" with SQLite's reflected '' as different.
EMPTY = text("''")

clients = Table(
    "clients",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("secret_hash", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("redirect_uri", Text, nullable=False, server_default=EMPTY),
    Column("created_at", BigInteger, nullable=False),
    # The account that registered it on /account/apps; none for those made with `imghost client add`.
    Column("account_id", BigInteger, nullable=True),
)
Index("ix_clients_account_id", clients.c.account_id)

# Stored originals: one row per distinct file, counted by the images using it. An upload finds a file it
# may share by fingerprint (media.fingerprint) and then compares bytes. Blobs stored before fingerprints
# have none, and their id is the SHA-256 of their bytes.
blobs = Table(
    "blobs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("refcount", Integer, nullable=False),
    Column("fingerprint", String(64), nullable=True),
)
Index("ix_blobs_fingerprint", blobs.c.fingerprint)

images = Table(
    "images",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("deletehash", String(32), nullable=False, unique=True),
    Column("client_id", String(32), nullable=True),
    Column("account_id", BigInteger, nullable=True),
    Column("title", Text, nullable=True),
    Column("description", Text, nullable=True),
    Column("name", Text, nullable=False, server_default=EMPTY),
    Column("blob_id", String(64), nullable=False),
    Column("mime", String(64), nullable=False),
    Column("ext", String(8), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("animated", Boolean, nullable=False),
    Column("has_sound", Boolean, nullable=False),
    Column("mp4_size", BigInteger, nullable=False, server_default="0"),
    Column("nsfw", Boolean, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("views", BigInteger, nullable=False, server_default="0"),
    Column("bandwidth", BigInteger, nullable=False, server_default="0"),
)
Index("ix_images_account_id", images.c.account_id)
Index("ix_images_blob_id", images.c.blob_id)
Index("ix_images_account_created", images.c.account_id, images.c.created_at)

accounts = Table(
    "accounts",
    metadata,
    Column("id", SerialId, primary_key=True, autoincrement=True),
    Column("username", String(63), nullable=False),
    # Usernames are unique without regard to case; the lower-cased copy carries the constraint.
    Column("username_lower", String(63), nullable=False, unique=True),
    Column("email", String(320), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("bio", Text, nullable=True),
    Column("reputation", Float, nullable=False, server_default="0"),
    Column("created_at", BigInteger, nullable=False),
    Column("public_images", Boolean, nullable=False, server_default=false()),
    Column("album_privacy", String(16), nullable=False, server_default="public"),
    Column("messaging_enabled", Boolean, nullable=False, server_default=true()),
    Column("show_mature", Boolean, nullable=False, server_default=false()),
    Column("newsletter_subscribed", Boolean, nullable=False, server_default=false()),
    Column("accepted_gallery_terms", Boolean, nullable=False, server_default=false()),
    Column("high_quality", Boolean, nullable=False, server_default=false()),
    Column("avatar", Text, nullable=True),
    Column("cover", Text, nullable=True),
    Column("email_verified", Boolean, nullable=False, server_default=false()),
    Column("role", String(16), nullable=False, server_default="user"),  # user | admin
    # A banned account reads (its tokens still work) but cannot write anything.
    Column("banned", Boolean, nullable=False, server_default=false()),
)

# OAuth tokens: only hashes of the access and refresh tokens are kept.
tokens = Table(
    "tokens",
    metadata,
    Column("id", SerialId, primary_key=True, autoincrement=True),
    Column("access_hash", String(64), nullable=False, unique=True),
    Column("refresh_hash", String(64), nullable=False, unique=True),
    Column("client_id", String(32), ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    Column("account_id", BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("access_expires_at", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)
Index("ix_tokens_account_id", tokens.c.account_id)

# Authorization codes and PINs waiting to be exchanged for tokens (kind says which), kept as hashes.
auth_codes = Table(
    "auth_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("kind", String(8), nullable=False),
    Column("client_id", String(32), ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    Column("account_id", BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("expires_at", BigInteger, nullable=False),
)

favorites = Table(
    "favorites",
    metadata,
    Column("account_id", BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("image_id", String(16), ForeignKey("images.id", ondelete="CASCADE"), primary_key=True),
    Column("created_at", BigInteger, nullable=False),
)
Index("ix_favorites_image_id", favorites.c.image_id)

invites = Table(
    "invites",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("created_at", BigInteger, nullable=False),
    Column("used_by", BigInteger, ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True),
)

albums = Table(
    "albums",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("deletehash", String(32), nullable=False, unique=True),
    Column("client_id", String(32), nullable=True),
    Column("account_id", BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=True),
    Column("title", Text, nullable=True),
    Column("description", Text, nullable=True),
    Column("privacy", String(16), nullable=False, server_default="public"),
    Column("layout", String(16), nullable=False, server_default="blog"),
    Column("cover_id", String(16), ForeignKey("images.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("views", BigInteger, nullable=False, server_default="0"),
)
Index("ix_albums_account_created", albums.c.account_id, albums.c.created_at)

# An album's images in order; an image may be in several albums.
album_images = Table(
    "album_images",
    metadata,
    Column("album_id", String(16), ForeignKey("albums.id", ondelete="CASCADE"), primary_key=True),
    Column("image_id", String(16), ForeignKey("images.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False),
)
Index("ix_album_images_order", album_images.c.album_id, album_images.c.position)
Index("ix_album_images_image", album_images.c.image_id)

album_favorites = Table(
    "album_favorites",
    metadata,
    Column("account_id", BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("album_id", String(16), ForeignKey("albums.id", ondelete="CASCADE"), primary_key=True),
    Column("created_at", BigInteger, nullable=False),
)
Index("ix_album_favorites_album_id", album_favorites.c.album_id)

# Web sign-in sessions: the cookie holds a random token, the table its SHA-256 (see domain.sessions).
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("account_id", BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("user_agent", Text, nullable=False, server_default=EMPTY),
    Column("created_at", BigInteger, nullable=False),
    Column("seen_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
)
Index("ix_web_sessions_account_id", web_sessions.c.account_id)

# "Download my data" archives: status is running, ready or failed; the zip itself is in the blob store
# (domain.exports.service.archive_key), so that any process can hand it out.
exports = Table(
    "exports",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("account_id", BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("done", Integer, nullable=False, server_default="0"),
    Column("total", Integer, nullable=False, server_default="0"),
    Column("size", BigInteger, nullable=False, server_default="0"),
    Column("error", Text, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)
Index("ix_exports_account_id", exports.c.account_id)


# ------------------------------------------------------------------------------------ the community
# See migrations/versions/0007_community.py for why the ranking columns are stored.


def _account_fk(ondelete: str = "CASCADE", nullable: bool = False) -> Column[int]:
    return Column("account_id", BigInteger, ForeignKey("accounts.id", ondelete=ondelete), nullable=nullable)


topics = Table(
    "topics",
    metadata,
    Column("id", SerialId, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("description", Text, nullable=False, server_default=EMPTY),
    Column("css", Text, nullable=True),
    Column("ephemeral", Boolean, nullable=False, server_default=false()),
    Column("created_at", BigInteger, nullable=False),
)

# One row per shared image or album; its id is the image's or album's.
gallery_posts = Table(
    "gallery_posts",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("image_id", String(16), ForeignKey("images.id", ondelete="CASCADE"), nullable=True),
    Column("album_id", String(16), ForeignKey("albums.id", ondelete="CASCADE"), nullable=True),
    _account_fk(),
    Column("title", Text, nullable=False),
    Column("topic_id", BigInteger, ForeignKey("topics.id", ondelete="SET NULL"), nullable=True),
    Column("community", String(32), nullable=True),
    Column("mature", Boolean, nullable=False, server_default=false()),
    Column("shared_at", BigInteger, nullable=False),
    Column("ups", Integer, nullable=False, server_default="0"),
    Column("downs", Integer, nullable=False, server_default="0"),
    Column("points", Integer, nullable=False, server_default="0"),
    Column("comment_count", Integer, nullable=False, server_default="0"),
    Column("hot", Float, nullable=False, server_default="0"),
    Column("rising", Float, nullable=False, server_default="0"),
    Column("reports_open", Integer, nullable=False, server_default="0"),
    Column("hidden", Boolean, nullable=False, server_default=false()),
)
Index("ix_gallery_posts_hot", gallery_posts.c.hot)
Index("ix_gallery_posts_rising", gallery_posts.c.rising)
Index("ix_gallery_posts_points", gallery_posts.c.points, gallery_posts.c.shared_at)
Index("ix_gallery_posts_shared_at", gallery_posts.c.shared_at)
Index("ix_gallery_posts_account", gallery_posts.c.account_id, gallery_posts.c.shared_at)
Index("ix_gallery_posts_community", gallery_posts.c.community, gallery_posts.c.shared_at)
Index("ix_gallery_posts_topic", gallery_posts.c.topic_id, gallery_posts.c.hot)
Index("ix_gallery_posts_image_id", gallery_posts.c.image_id)
Index("ix_gallery_posts_album_id", gallery_posts.c.album_id)
Index(
    "ix_gallery_posts_list_hot",
    gallery_posts.c.hidden,
    gallery_posts.c.mature,
    gallery_posts.c.hot,
    gallery_posts.c.id,
)
Index(
    "ix_gallery_posts_list_rising",
    gallery_posts.c.hidden,
    gallery_posts.c.mature,
    gallery_posts.c.rising,
    gallery_posts.c.id,
)
Index(
    "ix_gallery_posts_list_top",
    gallery_posts.c.hidden,
    gallery_posts.c.mature,
    gallery_posts.c.points,
    gallery_posts.c.shared_at,
    gallery_posts.c.id,
)
Index(
    "ix_gallery_posts_list_time",
    gallery_posts.c.hidden,
    gallery_posts.c.mature,
    gallery_posts.c.shared_at,
    gallery_posts.c.id,
    gallery_posts.c.points,
)

gallery_votes = Table(
    "gallery_votes",
    metadata,
    Column("post_id", String(16), ForeignKey("gallery_posts.id", ondelete="CASCADE"), primary_key=True),
    Column("account_id", BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("vote", SmallInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)
Index("ix_gallery_votes_account", gallery_votes.c.account_id, gallery_votes.c.created_at)

comments = Table(
    "comments",
    metadata,
    Column("id", SerialId, primary_key=True, autoincrement=True),
    Column("post_id", String(16), ForeignKey("gallery_posts.id", ondelete="CASCADE"), nullable=False),
    _account_fk("SET NULL", nullable=True),
    Column("parent_id", BigInteger, nullable=True),
    Column("body", Text, nullable=False),
    Column("ups", Integer, nullable=False, server_default="0"),
    Column("downs", Integer, nullable=False, server_default="0"),
    Column("points", Integer, nullable=False, server_default="0"),
    Column("best", Float, nullable=False, server_default="0"),
    Column("deleted", Boolean, nullable=False, server_default=false()),
    Column("platform", String(16), nullable=False, server_default="api"),
    Column("reports_open", Integer, nullable=False, server_default="0"),
    Column("hidden", Boolean, nullable=False, server_default=false()),
    Column("created_at", BigInteger, nullable=False),
)
Index("ix_comments_post", comments.c.post_id, comments.c.created_at)
Index("ix_comments_parent", comments.c.parent_id)
Index("ix_comments_account", comments.c.account_id, comments.c.created_at)

comment_votes = Table(
    "comment_votes",
    metadata,
    Column("comment_id", BigInteger, ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True),
    Column("account_id", BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("vote", SmallInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)
Index("ix_comment_votes_account", comment_votes.c.account_id)

tags = Table(
    "tags",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("display_name", String(64), nullable=False),
    Column("description", Text, nullable=False, server_default=EMPTY),
    Column("followers", Integer, nullable=False, server_default="0"),
    Column("total_items", Integer, nullable=False, server_default="0"),
    Column("created_at", BigInteger, nullable=False),
)
# /3/tags reads the most used tags in this index's order (0009_tags.py).
Index("ix_tags_total_items", tags.c.total_items, tags.c.name)

post_tags = Table(
    "post_tags",
    metadata,
    Column("post_id", String(16), ForeignKey("gallery_posts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag", String(64), ForeignKey("tags.name", ondelete="CASCADE"), primary_key=True),
    _account_fk("SET NULL", nullable=True),
    Column("ups", Integer, nullable=False, server_default="0"),
    Column("downs", Integer, nullable=False, server_default="0"),
    Column("created_at", BigInteger, nullable=False),
)
Index("ix_post_tags_tag", post_tags.c.tag, post_tags.c.post_id)

tag_votes = Table(
    "tag_votes",
    metadata,
    Column("post_id", String(16), ForeignKey("gallery_posts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag", String(64), ForeignKey("tags.name", ondelete="CASCADE"), primary_key=True),
    Column("account_id", BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("vote", SmallInteger, nullable=False),
)
Index("ix_tag_votes_account", tag_votes.c.account_id)

tag_follows = Table(
    "tag_follows",
    metadata,
    Column("tag", String(64), ForeignKey("tags.name", ondelete="CASCADE"), primary_key=True),
    Column("account_id", BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("created_at", BigInteger, nullable=False),
)
Index("ix_tag_follows_account", tag_follows.c.account_id)

# The moderation queue: one row per report of a post or a comment.
reports = Table(
    "reports",
    metadata,
    Column("id", SerialId, primary_key=True, autoincrement=True),
    Column("post_id", String(16), ForeignKey("gallery_posts.id", ondelete="CASCADE"), nullable=True),
    Column("comment_id", BigInteger, ForeignKey("comments.id", ondelete="CASCADE"), nullable=True),
    _account_fk(),
    Column("reason", SmallInteger, nullable=False),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("resolution", Text, nullable=True),
    Column("resolved_by", BigInteger, nullable=True),
    Column("resolved_at", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    # A report of a sender from the messages (0011): no foreign key, see that migration.
    Column("sender_id", BigInteger, nullable=True),
)
Index("ix_reports_status", reports.c.status, reports.c.created_at)
Index("ix_reports_post", reports.c.post_id, reports.c.account_id)
Index("ix_reports_comment", reports.c.comment_id, reports.c.account_id)
Index("ix_reports_account", reports.c.account_id)
Index("ix_reports_sender", reports.c.sender_id, reports.c.account_id)


# ---------------------------------------------------------------------------------------- messages
# Conversations between exactly two accounts (low_id < high_id), each party's view of one (member rows:
# its place in the list by its latest message, how far it was cleared), messages, single deletions and
# blocks (0011).
def _fk(name: str, table: str = "accounts", primary_key: bool = False) -> Column[int]:
    return Column(
        name,
        BigInteger,
        ForeignKey(f"{table}.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
    )


conversations = Table(
    "conversations",
    metadata,
    Column("id", SerialId, primary_key=True, autoincrement=True),
    _fk("low_id"),
    _fk("high_id"),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("low_id", "high_id", name="uq_conversations_pair"),
)
Index("ix_conversations_high", conversations.c.high_id)

conversation_members = Table(
    "conversation_members",
    metadata,
    _fk("conversation_id", "conversations", primary_key=True),
    _fk("account_id", primary_key=True),
    Column("cleared_through", BigInteger, nullable=False, server_default="0"),
    Column("last_message_id", BigInteger, nullable=False, server_default="0"),
)
Index(
    "ix_conversation_members_list",
    conversation_members.c.account_id,
    conversation_members.c.last_message_id,
)

messages = Table(
    "messages",
    metadata,
    Column("id", SerialId, primary_key=True, autoincrement=True),
    _fk("conversation_id", "conversations"),
    _fk("sender_id"),
    Column("subject", Text, nullable=True),
    Column("body", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)
Index("ix_messages_conversation", messages.c.conversation_id, messages.c.id)
Index("ix_messages_sender", messages.c.sender_id, messages.c.created_at)

message_deletions = Table(
    "message_deletions",
    metadata,
    _fk("message_id", "messages", primary_key=True),
    _fk("account_id", primary_key=True),
)
Index("ix_message_deletions_account", message_deletions.c.account_id)

blocks = Table(
    "blocks",
    metadata,
    _fk("account_id", primary_key=True),
    _fk("blocked_id", primary_key=True),
    Column("created_at", BigInteger, nullable=False),
)
Index("ix_blocks_blocked", blocks.c.blocked_id)


# The gallery's listing version: SUM(n) moves with every committed write that changes what a visitor's
# listing shows, kept by triggers (migrations/versions/0013_listing_version.py, which lists them). One row on
# SQLite, 16 on PostgreSQL (a writer adds to the row its transaction id picks).
gallery_version = Table(
    "gallery_version",
    metadata,
    Column("slot", Integer, primary_key=True, autoincrement=False),
    Column("n", BigInteger, nullable=False, server_default="0"),
)


# Each account's inbox version: moves with every committed write that changes what its notification lists,
# conversation list or conversations show, kept by triggers (migrations/versions/0014_inbox_version.py lists
# them). No foreign key: a trigger firing for a cascade from an account's deletion must not fail on it.
inbox_versions = Table(
    "inbox_versions",
    metadata,
    Column("account_id", BigInteger, primary_key=True, autoincrement=False),
    Column("n", BigInteger, nullable=False, server_default="0"),
)

# ------------------------------------------------------------------------------------------ search
# One row per gallery post: what a search looks at, kept in step with its sources by triggers (see
# migrations/versions/0008_search.py). The text index over it is each database's own and so not described
# here: SEARCH_ONLY names those objects, and include_name leaves them out of Alembic's comparison (env.py and
# tests/unit/test_schema.py), so that this metadata stays one description of both databases.
gallery_search = Table(
    "gallery_search",
    metadata,
    Column("doc_id", SerialId, primary_key=True, autoincrement=False),  # shared_at * 2**22 + n
    Column(
        "post_id", String(16), ForeignKey("gallery_posts.id", ondelete="CASCADE"), nullable=False, unique=True
    ),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("tags", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("marks", Text, nullable=False),
    Column("px", Integer, nullable=False),
)

# ----------------------------------------------------------------------------------- notifications
# What an account should hear of: replies, comments on its posts, messages (0012). A message row stands
# for its conversation's messages since the recipient last looked (see that migration).
notifications = Table(
    "notifications",
    metadata,
    Column("id", SerialId, primary_key=True, autoincrement=True),
    Column("account_id", BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("actor_id", BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("comment_id", BigInteger, ForeignKey("comments.id", ondelete="CASCADE"), nullable=True),
    Column("conversation_id", BigInteger, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=True),
    Column("message_id", BigInteger, nullable=True),
    Column("viewed", Boolean, nullable=False, server_default=false()),
    Column("created_at", BigInteger, nullable=False),
)
Index(
    "ix_notifications_list",
    notifications.c.account_id,
    notifications.c.kind,
    notifications.c.viewed,
    notifications.c.id,
)
Index("ix_notifications_all", notifications.c.account_id, notifications.c.kind, notifications.c.id)
Index("ix_notifications_comment", notifications.c.comment_id)
Index("ix_notifications_conversation", notifications.c.conversation_id, notifications.c.account_id)
Index("ix_notifications_actor", notifications.c.actor_id)


SEARCH_ONLY = {
    # SQLite: the FTS5 table and the shadow tables FTS5 keeps for it (external content: no _content).
    "table": {
        "gallery_fts",
        "gallery_fts_data",
        "gallery_fts_idx",
        "gallery_fts_docsize",
        "gallery_fts_config",
    },
    # PostgreSQL: the generated tsvector and its GIN index.
    "column": {"gallery_search.doc"},
    "index": {"ix_gallery_search_doc"},
}


def include_name(name: str | None, type_: NameFilterType, parent_names: NameFilterParentNames) -> bool:
    """Alembic's include_name hook: False for the database-specific search objects of SEARCH_ONLY."""
    if type_ == "column":
        name = f"{parent_names.get('table_name')}.{name}"
    return name not in SEARCH_ONLY.get(type_, ())
