"""Tables, declared once in SQLAlchemy Core: Alembic migrates from these, queries are plain SQL in repositories."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

clients = Table(
    "clients",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("secret_hash", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("redirect_uri", Text, nullable=False, server_default=""),
    Column("created_at", BigInteger, nullable=False),
)

# Stored originals: one row per distinct file, counted by the images using it. An upload finds a file it
# may share by fingerprint (media.fingerprint) and then compares bytes. Blobs stored before fingerprints
# have none, and their id is the SHA-256 of their bytes.
blobs = Table(
    "blobs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("fingerprint", String(64), nullable=True, index=True),
    Column("size", BigInteger, nullable=False),
    Column("refcount", Integer, nullable=False),
)

images = Table(
    "images",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("deletehash", String(32), nullable=False, unique=True),
    Column("client_id", String(32), nullable=True),
    Column("account_id", BigInteger, nullable=True, index=True),
    Column("title", Text, nullable=True),
    Column("description", Text, nullable=True),
    Column("name", Text, nullable=False, server_default=""),
    Column("blob_id", String(64), nullable=False, index=True),
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

Index("ix_images_account_created", images.c.account_id, images.c.created_at)
