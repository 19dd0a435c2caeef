from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from imghost import ids
from imghost.db.database import Database, Row
from imghost.domain import text
from imghost.domain.clients import repository as repo
from imghost.errors import ClientNotFound, InvalidRequest


@dataclass(frozen=True, slots=True)
class Client:
    id: str
    name: str
    redirect_uri: str
    secret_hash: str
    account_id: int | None = None
    created_at: int = 0

    def check_secret(self, secret: str) -> bool:
        return hmac.compare_digest(self.secret_hash, _hash(secret))


def _hash(secret: str) -> str:
    # Secrets are 160 random bits: a fast hash is enough, there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


class ClientService:
    """Registered applications. Lookups are cached: every API request resolves its Client-ID."""

    def __init__(self, db: Database, *, ttl: float = 30.0) -> None:
        self.db = db
        self.ttl = ttl
        self._cache: dict[str, tuple[float, Client | None]] = {}

    async def create(
        self, name: str, redirect_uri: str, *, account_id: int | None = None
    ) -> tuple[Client, str]:
        """A new application; returns it and its secret, which is shown once and stored only hashed."""
        cid, secret = ids.client_id(), ids.client_secret()
        now = int(time.time())
        await repo.insert(
            self.db,
            client_id=cid,
            secret_hash=_hash(secret),
            name=name,
            redirect_uri=redirect_uri,
            now=now,
            account_id=account_id,
        )
        return Client(cid, name, redirect_uri, _hash(secret), account_id, now), secret

    async def register(self, account_id: int, name: str, redirect_uri: str) -> tuple[Client, str]:
        """An application registered by a person on the web: a name, and a redirect URI when it signs
        people in with a redirect (none for PIN-only and anonymous-upload applications)."""
        name = (text.clean(name) or "").strip()
        redirect_uri = (redirect_uri or "").strip()
        if not 1 <= len(name) <= 200:
            raise InvalidRequest("Give the application a name (at most 200 characters).")
        if redirect_uri:
            parts = urlsplit(redirect_uri)
            # http only for the local machine: a token in a plain-HTTP redirect to elsewhere is readable on the way.
            local = parts.hostname in ("localhost", "127.0.0.1", "::1")
            if (
                parts.scheme not in ("https", "http")
                or not parts.netloc
                or (parts.scheme == "http" and not local)
            ):
                raise InvalidRequest(
                    "The redirect URI must be an https:// address (http:// only for localhost)."
                )
            if len(redirect_uri) > 2000 or any(c in redirect_uri for c in "\r\n\t "):
                raise InvalidRequest("The redirect URI is not a valid address.")
        return await self.create(name, redirect_uri, account_id=account_id)

    async def of_account(self, account_id: int) -> list[Client]:
        return [_client(r) for r in await repo.of_account(self.db, account_id)]

    async def owned(self, account_id: int, client_id: str) -> Client:
        """An application the account registered; another's is not found, whether it exists or not."""
        client = await self.get(client_id)
        if client is None or client.account_id != account_id:
            raise ClientNotFound(client_id)
        return client

    async def delete_owned(self, account_id: int, client_id: str) -> None:
        """Revoke an application the account registered; another's is not found, whether it exists or not."""
        if not ids.plausible(client_id) or not await repo.delete_of_account(self.db, account_id, client_id):
            raise ClientNotFound(client_id)
        self._cache.pop(client_id, None)

    async def get(self, client_id: str) -> Client | None:
        now = time.monotonic()
        hit = self._cache.get(client_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        row = await repo.get(self.db, client_id) if ids.plausible(client_id) else None
        client = _client(row) if row else None
        if len(self._cache) > 10_000:
            self._cache.clear()
        # Unknown ids are cached briefly too, so a flood of bad ids does not become a flood of queries.
        self._cache[client_id] = (now + (self.ttl if client else 2.0), client)
        return client

    async def all(self) -> list[dict[str, object]]:
        return [dict(r) for r in await repo.all_clients(self.db)]

    async def delete(self, client_id: str) -> None:
        if not await repo.delete(self.db, client_id):
            raise ClientNotFound(client_id)
        self._cache.pop(client_id, None)

    async def count(self) -> int:
        return await repo.count(self.db)


def _client(row: Row) -> Client:
    return Client(
        row["id"],
        row["name"],
        row["redirect_uri"],
        row.get("secret_hash", ""),
        None if row.get("account_id") is None else int(row["account_id"]),
        int(row.get("created_at") or 0),
    )
