from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from imghost import ids as idgen
from imghost.auth import Subject
from imghost.db.database import Database, Row
from imghost.domain import text
from imghost.domain.accounts import repository as account_repo
from imghost.domain.albums import repository as repo
from imghost.domain.images import repository as image_repo
from imghost.errors import (
    AlbumNotFound,
    DeletehashNotFound,
    Forbidden,
    ImageNotFound,
    ImghostError,
    InvalidRequest,
)

PRIVACY = ("public", "hidden", "secret")
LAYOUTS = ("blog", "grid", "horizontal", "vertical")
MAX_IMAGES = 1000


def _privacy(value: str | None) -> str | None:
    """A known privacy value, or None for absent and unknown ones. Imgur's 2025 "private" means secret."""
    if value is None:
        return None
    value = {"private": "secret"}.get(value.strip().lower(), value.strip().lower())
    return value if value in PRIVACY else None


@dataclass(frozen=True, slots=True)
class ResolvedAlbum:
    row: Row
    by_deletehash: bool


@dataclass(frozen=True, slots=True)
class AlbumFields:
    title: str | None = None
    description: str | None = None
    privacy: str | None = None
    layout: str | None = None
    cover: str | None = None
    ids: Sequence[str] | None = None
    deletehashes: Sequence[str] | None = None
    present: frozenset[str] = frozenset()  # which of title/description/... were sent at all


class AlbumService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------ reads

    async def get(self, album_id: str) -> Row:
        row = await repo.get(self.db, album_id) if len(album_id) <= 10 and idgen.plausible(album_id) else None
        if row is None:
            raise AlbumNotFound(album_id)
        return row

    async def resolve(self, ref: str) -> ResolvedAlbum:
        """Ids are 7 characters, deletehashes 15: anonymous albums are changed through the deletehash."""
        if not idgen.plausible(ref):
            raise AlbumNotFound(ref)
        if len(ref) <= 10:
            row = await repo.get(self.db, ref)
            if row is not None:
                return ResolvedAlbum(row, False)
        elif len(ref) <= 32:
            row = await repo.get_by_deletehash(self.db, ref)
            if row is not None:
                return ResolvedAlbum(row, True)
        raise AlbumNotFound(ref)

    @staticmethod
    def is_owner(subject: Subject, resolved: ResolvedAlbum) -> bool:
        if resolved.by_deletehash:
            return True
        return subject.owns(resolved.row["account_id"])

    async def images(self, album_id: str) -> list[Row]:
        return await repo.images(self.db, album_id)

    async def image(self, album_id: str, image_id: str) -> Row:
        for row in await repo.images(self.db, album_id):
            if row["id"] == image_id:
                return row
        raise ImageNotFound(image_id)

    async def add_view(self, album_id: str) -> None:
        await repo.add_view(self.db, album_id)

    # ------------------------------------------------------------ writes

    async def create(self, subject: Subject, fields: AlbumFields) -> Row:
        default = "public"
        if subject.account_id is not None:
            account = await account_repo.by_id(self.db, subject.account_id)
            default = account["album_privacy"] if account else "public"
        # Unknown values fall back to the account's default: never to something more public.
        values = self._clean(fields, privacy=_privacy(fields.privacy) or default)
        await self._check_cover(values)
        image_ids = await self._images_for(subject, fields)
        now = int(time.time())
        album_id = await self._new_id()
        async with self.db.transaction() as tx:
            await repo.insert(tx, {
                "id": album_id, "deletehash": idgen.deletehash(), "client_id": subject.client_id,
                "account_id": subject.account_id, "title": values.get("title"),
                "description": values.get("description"), "privacy": values["privacy"],
                "layout": values.get("layout", "blog"), "cover_id": values.get("cover_id"),
                "created_at": now, "updated_at": now, "views": 0})
            await repo.append(tx, album_id, image_ids)
        return await self.get(album_id)

    async def update(self, subject: Subject, ref: str, fields: AlbumFields) -> Row:
        resolved = await self._owned(subject, ref)
        album_id = resolved.row["id"]
        values = self._clean(fields, privacy=_privacy(fields.privacy))
        await self._check_cover(values)
        replace = fields.ids is not None or fields.deletehashes is not None
        image_ids = await self._images_for(subject, fields) if replace else []
        async with self.db.transaction() as tx:
            await self._lock(tx, album_id)
            if values:
                await repo.update(tx, album_id, values)
            if replace:
                await repo.clear(tx, album_id)
                await repo.append(tx, album_id, image_ids)
        return await self.get(album_id)

    async def add(self, subject: Subject, ref: str, fields: AlbumFields) -> None:
        resolved = await self._owned(subject, ref)
        image_ids = await self._images_for(subject, fields)
        if not image_ids:
            raise InvalidRequest("No images were given")
        async with self.db.transaction() as tx:
            await self._lock(tx, resolved.row["id"])
            if len(await repo.image_ids(tx, resolved.row["id"])) + len(image_ids) > MAX_IMAGES:
                raise InvalidRequest(f"An album holds at most {MAX_IMAGES} images")
            await repo.append(tx, resolved.row["id"], image_ids)

    async def remove_images(self, subject: Subject, ref: str, image_ids: Sequence[str]) -> None:
        resolved = await self._owned(subject, ref)
        async with self.db.transaction() as tx:
            await self._lock(tx, resolved.row["id"])
            # Ids that cannot exist are simply not in the album (and must not reach a query).
            await repo.remove(tx, resolved.row["id"], [i for i in image_ids if idgen.plausible(i)])

    async def delete(self, subject: Subject, ref: str) -> None:
        resolved = await self._owned(subject, ref)
        async with self.db.transaction() as tx:
            await repo.delete(tx, resolved.row["id"])

    async def add_uploaded(self, subject: Subject, ref: str, image_id: str) -> None:
        """An upload joining an album through `album`/`album_id` (an owned id or an album deletehash)."""
        resolved = await self._owned(subject, ref)
        async with self.db.transaction() as tx:
            await self._lock(tx, resolved.row["id"])
            await repo.append(tx, resolved.row["id"], [image_id])

    async def check_upload_target(self, subject: Subject, ref: str) -> None:
        await self._owned(subject, ref)

    async def toggle_favorite(self, subject: Subject, album_id: str) -> str:
        if subject.account_id is None:
            raise Forbidden("This method requires authentication")
        row = await self.get(album_id)
        async with self.db.transaction() as tx:
            await self._lock(tx, row["id"])
            on = not await repo.is_favorite(tx, subject.account_id, row["id"])
            await repo.set_favorite(tx, subject.account_id, row["id"], on, int(time.time()))
        return "favorited" if on else "unfavorited"

    async def is_favorite(self, subject: Subject, album_id: str) -> bool:
        if subject.account_id is None:
            return False
        return await repo.is_favorite(self.db, subject.account_id, album_id)

    # ------------------------------------------------------------ account listings

    async def of_account(self, account_id: int, *, include_hidden: bool, page: int, per_page: int) -> list[Row]:
        return await repo.account_albums(self.db, account_id, include_hidden=include_hidden, limit=per_page,
                                         offset=page * per_page)

    async def ids_of_account(self, account_id: int, *, include_hidden: bool, page: int,
                             per_page: int) -> list[str]:
        return await repo.account_album_ids(self.db, account_id, include_hidden=include_hidden, limit=per_page,
                                            offset=page * per_page)

    async def count_of_account(self, account_id: int, *, include_hidden: bool) -> int:
        return await repo.account_album_count(self.db, account_id, include_hidden=include_hidden)

    # ------------------------------------------------------------ helpers

    @staticmethod
    async def _lock(tx: Any, album_id: str) -> None:
        """Lock the album row for this transaction; a concurrent delete may have removed it since it was read."""
        if not await repo.lock(tx, album_id, int(time.time())):
            raise AlbumNotFound(album_id)

    async def _owned(self, subject: Subject, ref: str) -> ResolvedAlbum:
        resolved = await self.resolve(ref)
        if not self.is_owner(subject, resolved):
            if resolved.row["account_id"] is None:
                raise Forbidden("This album is anonymous: use its deletehash")
            raise Forbidden("You are not the owner of this album")
        return resolved

    async def _images_for(self, subject: Subject, fields: AlbumFields) -> list[str]:
        """Image ids the caller controls: their own images by id, any image by its deletehash."""
        out: list[str] = []
        for iid in fields.ids or ():
            row = await image_repo.get(self.db, iid) if len(iid) <= 10 and idgen.plausible(iid) else None
            if row is None:
                raise ImageNotFound(iid)
            if subject.account_id is None or row["account_id"] != subject.account_id:
                raise Forbidden(f"You do not own the image {iid}; anonymous images are added by deletehash")
            out.append(row["id"])
        for dh in fields.deletehashes or ():
            row = await image_repo.get_by_deletehash(self.db, dh) if len(dh) <= 32 and idgen.plausible(dh) else None
            if row is None:
                raise DeletehashNotFound()
            out.append(row["id"])
        if len(out) > MAX_IMAGES:
            raise InvalidRequest(f"An album holds at most {MAX_IMAGES} images")
        return out

    async def _check_cover(self, values: dict[str, Any]) -> None:
        cover = values.get("cover_id")
        if cover is not None and (len(cover) > 10 or not idgen.plausible(cover)
                                  or await image_repo.get(self.db, cover) is None):
            raise ImageNotFound(cover)

    def _clean(self, fields: AlbumFields, *, privacy: str | None) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key in ("title", "description"):
            if key in fields.present:
                value = text.clean(getattr(fields, key))
                if value is not None and len(value) > 65_536:
                    raise InvalidRequest(f"{key} is too long")
                values[key] = value
        if privacy is not None:
            values["privacy"] = privacy
        if fields.layout is not None:
            values["layout"] = fields.layout if fields.layout in LAYOUTS else "blog"
        if fields.cover:
            values["cover_id"] = fields.cover
        return values

    async def _new_id(self) -> str:
        for _ in range(10):
            candidate = idgen.image_id()
            if not await repo.id_taken(self.db, candidate):
                return candidate
        raise ImghostError("Could not allocate an id")
