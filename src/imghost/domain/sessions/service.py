"""Web sign-in sessions: server-side, so that signing out (here or everywhere) ends them at once.

The cookie carries a random token; the table keeps only its SHA-256, as it does for OAuth tokens. Each
session has its own CSRF token, which every state-changing form and script call must send back. A session
lasts `session_days` from its last use; last use is written at most every `_TOUCH` seconds, so that a
page view is one primary-key read, not a write."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from imghost.db.database import Database
from imghost.domain import text
from imghost.domain.sessions import repository as repo

_TOUCH = 3600
_TOKEN_BYTES = 32


def _h(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class WebSession:
    id: str  # the token's hash: safe to show, to name a session in a form, never a credential
    account_id: int
    username: str
    csrf: str
    user_agent: str
    created_at: int
    seen_at: int
    banned: bool = False  # the account reads, its forms are refused (web.viewer.check_csrf)


class SessionService:
    def __init__(self, db: Database, *, lifetime: int) -> None:
        self.db = db
        self.lifetime = lifetime

    async def start(self, account_id: int, user_agent: str) -> str:
        """A new session for the account; returns the token for the cookie (shown nowhere else)."""
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        now = int(time.time())
        await repo.insert(
            self.db,
            session_id=_h(token),
            account_id=account_id,
            csrf=secrets.token_urlsafe(24),
            user_agent=(text.clean(user_agent) or "")[:300],
            now=now,
            expires_at=now + self.lifetime,
        )
        return token

    async def resolve(self, token: str) -> WebSession | None:
        if not token or len(token) > 128:
            return None
        row = await repo.get(self.db, _h(token))
        now = int(time.time())
        if row is None:
            return None
        if row["expires_at"] < now:
            await repo.delete(self.db, row["id"])
            return None
        if now - int(row["seen_at"]) > _TOUCH:
            await repo.touch(self.db, row["id"], now=now, expires_at=now + self.lifetime)
        return _session(row)

    async def end(self, token: str) -> None:
        if token and len(token) <= 128:
            await repo.delete(self.db, _h(token))

    async def end_one(self, account_id: int, session_id: str) -> bool:
        """Sign out one of the account's sessions by its id (from the sessions list)."""
        return await repo.delete_of_account(self.db, account_id, session_id) > 0

    async def end_others(self, account_id: int, keep_id: str) -> int:
        """Sign out every session of the account but one (the one that changed the password)."""
        return await repo.delete_others(self.db, account_id, keep_id)

    async def end_all(self, account_id: int) -> int:
        return await repo.delete_all(self.db, account_id)

    async def of_account(self, account_id: int) -> list[WebSession]:
        return [_session(r) for r in await repo.of_account(self.db, account_id, now=int(time.time()))]

    async def sweep(self) -> int:
        """Forget expired sessions (the CLI's maintenance calls this; reads ignore them anyway)."""
        return await repo.delete_expired(self.db, now=int(time.time()))


def _session(row: repo.Row) -> WebSession:
    return WebSession(
        id=row["id"],
        account_id=int(row["account_id"]),
        username=row["username"],
        csrf=row["csrf"],
        user_agent=row["user_agent"] or "",
        created_at=int(row["created_at"]),
        seen_at=int(row["seen_at"]),
        banned=bool(row["banned"]),
    )
