"""What the in-process tests do to services and read back from them: callers, uploads, stored objects, rows."""

from __future__ import annotations

import secrets
from typing import Any

from imghost.auth import Subject
from imghost.db.database import Row
from imghost.domain.images import keys
from imghost.domain.images.service import UploadMeta
from imghost.services import Services
from tests.api.helpers import unique_png

PASSWORD = "correct-horse-battery"


async def app(svc: Services) -> Subject:
    """A registered application calling without a user: an anonymous caller."""
    client, _ = await svc.clients.create(f"app{secrets.token_hex(3)}", "http://127.0.0.1/cb")
    return Subject(client_id=client.id)


async def user(svc: Services, caller: Subject, prefix: str = "u") -> Subject:
    """A new account (a unique name of letters and digits) signed in through caller's application."""
    row = await svc.accounts.create(
        f"{prefix}{secrets.token_hex(6)}", email=f"{prefix}@example.org", password=PASSWORD
    )
    return Subject(client_id=caller.client_id, account_id=int(row.id), username=row.username)


async def put(svc: Services, who: Subject, body: bytes | None = None, **meta: Any) -> Row:
    """An upload as the API hands it over: the body in a file of its own in the process's temp directory,
    which the service may take over; whatever is left of that upload's files is removed afterwards."""
    stem = secrets.token_hex(10)
    src = svc.tmp_dir / f"{stem}.upload"
    src.write_bytes(body if body is not None else unique_png())
    try:
        return await svc.images.upload(who, src, UploadMeta(**meta))
    finally:
        for path in svc.tmp_dir.glob(f"{stem}.*"):
            path.unlink(missing_ok=True)


async def stored_keys(svc: Services) -> set[str]:
    """Every object in the store (originals, videos, thumbnails), whichever backend it is."""
    return {obj.key for prefix in keys.PREFIXES async for obj in svc.store.list(prefix)}


async def blobs(svc: Services) -> dict[str, int]:
    """Blob id to reference count, for every blob row."""
    return {r["id"]: int(r["refcount"]) for r in await svc.db.fetch_all("SELECT id, refcount FROM blobs")}


async def count(svc: Services, sql: str, params: dict[str, Any] | None = None) -> int:
    return int(await svc.db.fetch_value(sql, params))
