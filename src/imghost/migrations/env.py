from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text

from imghost.db.schema import include_name, metadata

config = context.config
url = config.get_main_option("sqlalchemy.url")
if url is None:  # db.migrate always sets it
    raise RuntimeError("alembic: sqlalchemy.url is not set")
engine = create_engine(url, poolclass=pool.NullPool)

with engine.connect() as connection:
    if connection.dialect.name == "postgresql":
        # Several processes may start at once: one migrates, the others wait here, then find nothing to do.
        connection.execute(text("SELECT pg_advisory_lock(727274)"))
        connection.commit()
    try:
        # include_name: the search index is each database's own (db/schema.py, SEARCH_ONLY), not in the metadata.
        context.configure(
            connection=connection, target_metadata=metadata, render_as_batch=True, include_name=include_name
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    finally:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_unlock(727274)"))
            connection.commit()
engine.dispose()
