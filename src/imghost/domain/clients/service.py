from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from imghost import ids
from imghost.db.database import Database
from imghost.domain.clients import repository as repo
from imghost.errors import ClientNotFound


@dataclass(frozen=True, slots=True)
class Client:
    id: str
    name: str
    redirect_uri: str
    secret_hash: str

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

    async def create(self, name: str, redirect_uri: str) -> tuple[Client, str]:
        cid, secret = ids.client_id(), ids.client_secret()
        await repo.insert(
            self.db,
            client_id=cid,
            secret_hash=_hash(secret),
            name=name,
            redirect_uri=redirect_uri,
            now=int(time.time()),
        )
        return Client(cid, name, redirect_uri, _hash(secret)), secret

    async def get(self, client_id: str) -> Client | None:
        now = time.monotonic()
        hit = self._cache.get(client_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        row = await repo.get(self.db, client_id) if ids.plausible(client_id) else None
        client = Client(row["id"], row["name"], row["redirect_uri"], row["secret_hash"]) if row else None
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
