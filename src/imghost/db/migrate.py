from __future__ import annotations

import fcntl
from pathlib import Path

from imghost.db.database import sync_url
from imghost.settings import Settings

_SCRIPTS = Path(__file__).resolve().parent.parent / "migrations"

# Revision ids are the four-digit prefixes of the files in migrations/versions, in order.
HEAD = sorted(p.name[:4] for p in (_SCRIPTS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))[-1]


def database_url(settings: Settings) -> str:
    return settings.database_url or f"sqlite:///{settings.sqlite_path.resolve()}"


def is_current(settings: Settings) -> bool:
    """A cheap check (no Alembic import) so that every CLI command can make sure of the schema."""
    import asyncio

    from imghost.services import open_database

    async def check() -> bool:
        db = open_database(settings)
        try:
            version: str | None = await db.fetch_value("SELECT version_num FROM alembic_version")
            return version == HEAD
        except Exception:
            return False
        finally:
            await db.close()

    return asyncio.run(check())


def ensure(settings: Settings) -> None:
    if not is_current(settings):
        upgrade(settings)


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Bring the schema to head (or to an older revision). Safe to call from several processes at once."""
    from alembic import command
    from alembic.config import Config

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    cfg.set_main_option("sqlalchemy.url", sync_url(database_url(settings)).replace("%", "%%"))
    if settings.database_url.startswith("postgres"):
        command.upgrade(cfg, revision)  # env.py takes an advisory lock
        return
    with open(settings.data_dir / ".migrate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        command.upgrade(cfg, revision)
