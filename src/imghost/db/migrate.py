from __future__ import annotations

import fcntl
from pathlib import Path

from alembic import command
from alembic.config import Config

from imghost.db.database import sync_url
from imghost.settings import Settings

_SCRIPTS = Path(__file__).resolve().parent.parent / "migrations"


def database_url(settings: Settings) -> str:
    return settings.database_url or f"sqlite:///{settings.sqlite_path.resolve()}"


def upgrade(settings: Settings) -> None:
    """Bring the schema to head. Safe to call from several processes at once."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    cfg.set_main_option("sqlalchemy.url", sync_url(database_url(settings)).replace("%", "%%"))
    if settings.database_url.startswith("postgres"):
        command.upgrade(cfg, "head")  # env.py takes an advisory lock
        return
    with open(settings.data_dir / ".migrate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        command.upgrade(cfg, "head")
