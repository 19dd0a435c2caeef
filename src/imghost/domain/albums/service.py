from __future__ import annotations

import dataclasses
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from imghost import ids as idgen
from imghost.auth import Subject
from imghost.db.database import Connection, Database
from imghost.domain import refs, text
from imghost.domain.accounts import repository as account_repo
from imghost.domain.albums import repository as repo
from imghost.domain.albums.model import Album
from imghost.domain.images import repository as image_repo
from imghost.domain.images.model import Image
from imghost.domain.refs import Resolved
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
        # Called inside the deletion's transaction, before the row goes (as ImageService.before_delete).
        self.before_delete: list[Callable[[Connection, str], Awaitable[None]]] = []

    # ------------------------------------------------------------ reads

    async def get(self, album_id: str) -> Album:
        album = await repo.get(self.db, album_id) if idgen.is_id(album_id) else None
        if album is None:
            raise AlbumNotFound(album_id)
        return album

    async def resolve(self, ref: str) -> Resolved[Album]:
        """By id, or by deletehash: anonymous albums are changed through the deletehash."""
        return await refs.resolve(
            ref,
            by_id=lambda r: repo.get(self.db, r),
            by_deletehash=lambda r: repo.get_by_deletehash(self.db, r),
            not_found=AlbumNotFound,
        )

    async def of_account_by_id(self, account_id: int, album_id: str) -> Album:
        """One album of this account; anyone else's is not found here."""
        album = await self.get(album_id)
        if album.account_id != account_id:
            raise AlbumNotFound(album_id)
        return album

    async def images(self, album_id: str) -> list[Image]:
        return await repo.images(self.db, album_id)

    async def image(self, album_id: str, image_id: str) -> Image:
        for image in await repo.images(self.db, album_id):
            if image.id == image_id:
                return image
        raise ImageNotFound(image_id)

    async def cover_image(self, album: Album, images: Sequence[Image] | None = None) -> Image | None:
        """The image shown as the album's cover (looked for among `images` first, when they are at hand)."""
        if not album.cover:
            return None
        found = next((i for i in images or () if i.id == album.cover), None)
        return found or (await image_repo.get(self.db, album.cover) if idgen.is_id(album.cover) else None)

    async def add_view(self, album_id: str) -> None:
        await repo.add_view(self.db, album_id)

    # ------------------------------------------------------------ writes

    async def create(self, subject: Subject, fields: AlbumFields) -> Album:
        default = "public"
        if subject.account_id is not None:
            account = await account_repo.by_id(self.db, subject.account_id)
            default = account.album_privacy if account else "public"
        # Unknown values fall back to the account's default: never to something more public.
        values = self._clean(fields, privacy=_privacy(fields.privacy) or default)
        await self._check_cover(values)
        image_ids = await self._images_for(subject, fields)
        album_id = await self._new_id()
        async with self.db.transaction() as tx:
            await repo.insert(tx, _row(album_id, subject, values, created_at=None))
            await repo.append(tx, album_id, image_ids)
        return await self.get(album_id)

    async def import_as(
        self,
        subject: Subject,
        wanted_id: str,
        fields: AlbumFields,
        image_ids: Sequence[str],
        *,
        created_at: int | None = None,
    ) -> tuple[Album, str]:
        """An album brought from elsewhere under the id it had there, with the images (already imported,
        the subject's) in the order given. Returns the album and "imported", "already here" (the id is
        already this subject's album: a rerun; its images are set to the order given) or "renamed" (the
        id belongs to someone else's album: a new id)."""
        # An import carries the album's title and description whatever `present` says: they are its own.
        whole = dataclasses.replace(fields, present=fields.present | {"title", "description"})
        values = self._clean(whole, privacy=_privacy(fields.privacy) or "public")
        async with self.db.transaction() as tx:
            existing = await repo.get(tx, wanted_id) if idgen.is_id(wanted_id) else None
            if (
                existing is not None
                and subject.account_id is not None
                and existing.account_id == subject.account_id
            ):
                await repo.clear(tx, existing.id)
                await repo.append(tx, existing.id, list(image_ids))
                outcome, album_id = "already here", existing.id
            else:
                album_id = wanted_id if existing is None and idgen.is_id(wanted_id) else await self._new_id()
                outcome = "imported" if album_id == wanted_id else "renamed"
                # The cover is set below, once the images it may name are in the album.
                row = _row(album_id, subject, {**values, "cover_id": None}, created_at=created_at)
                await repo.insert(tx, row)
                await repo.append(tx, album_id, list(image_ids))
        if fields.cover and fields.cover in image_ids:
            async with self.db.transaction() as tx:
                await repo.update(tx, album_id, {"cover_id": fields.cover})
        return await self.get(album_id), outcome

    async def update(self, subject: Subject, ref: str, fields: AlbumFields) -> Album:
        resolved = await self._owned(subject, ref)
        album_id = resolved.item.id
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
            await self._lock(tx, resolved.item.id)
            if len(await repo.image_ids(tx, resolved.item.id)) + len(image_ids) > MAX_IMAGES:
                raise InvalidRequest(f"An album holds at most {MAX_IMAGES} images")
            await repo.append(tx, resolved.item.id, image_ids)

    async def remove_images(self, subject: Subject, ref: str, image_ids: Sequence[str]) -> None:
        resolved = await self._owned(subject, ref)
        async with self.db.transaction() as tx:
            await self._lock(tx, resolved.item.id)
            # Ids that cannot exist are simply not in the album (and must not reach a query).
            await repo.remove(tx, resolved.item.id, [i for i in image_ids if idgen.plausible(i)])

    async def delete(self, subject: Subject, ref: str) -> None:
        resolved = await self._owned(subject, ref)
        async with self.db.transaction() as tx:
            for hook in self.before_delete:
                await hook(tx, resolved.item.id)
            await repo.delete(tx, resolved.item.id)

    async def add_uploaded(self, subject: Subject, ref: str, image_id: str) -> None:
        """An upload joining an album through `album`/`album_id` (an owned id or an album deletehash)."""
        resolved = await self._owned(subject, ref)
        async with self.db.transaction() as tx:
            await self._lock(tx, resolved.item.id)
            await repo.append(tx, resolved.item.id, [image_id])

    async def check_upload_target(self, subject: Subject, ref: str) -> None:
        await self._owned(subject, ref)

    async def owned(self, subject: Subject, ref: str) -> Album:
        """The album, when the caller may change it; Forbidden otherwise."""
        return (await self._owned(subject, ref)).item

    async def reorder(self, subject: Subject, ref: str, image_ids: Sequence[str]) -> list[str]:
        """Put the album's images in this order. Ids not in the album are ignored, and images the list
        leaves out (added meanwhile, say) keep their order after the ones it names."""
        resolved = await self._owned(subject, ref)
        return await self._arrange(resolved.item.id, lambda current: _ordered(current, image_ids))

    async def move(self, subject: Subject, ref: str, image_id: str, by: int) -> list[str]:
        """Move one image `by` places (negative: towards the start), stopping at either end."""
        resolved = await self._owned(subject, ref)
        return await self._arrange(resolved.item.id, lambda current: _moved(current, image_id, by))

    async def _arrange(self, album_id: str, arrange: Callable[[list[str]], list[str]]) -> list[str]:
        async with self.db.transaction() as tx:
            await self._lock(tx, album_id)
            current = await repo.image_ids(tx, album_id)
            order = arrange(current)
            if order != current:
                await repo.clear(tx, album_id)
                await repo.append(tx, album_id, order)
        return order

    async def toggle_favorite(self, subject: Subject, album_id: str) -> str:
        if subject.account_id is None:
            raise Forbidden("This method requires authentication")
        album = await self.get(album_id)
        async with self.db.transaction() as tx:
            await self._lock(tx, album.id)
            on = not await repo.is_favorite(tx, subject.account_id, album.id)
            await repo.set_favorite(tx, subject.account_id, album.id, on, int(time.time()))
        return "favorited" if on else "unfavorited"

    async def is_favorite(self, subject: Subject, album_id: str) -> bool:
        if subject.account_id is None:
            return False
        return await repo.is_favorite(self.db, subject.account_id, album_id)

    # ------------------------------------------------------------ account listings

    async def of_account(
        self, account_id: int, *, include_hidden: bool, page: int, per_page: int
    ) -> list[Album]:
        return await repo.account_albums(
            self.db, account_id, include_hidden=include_hidden, limit=per_page, offset=page * per_page
        )

    async def ids_of_account(
        self, account_id: int, *, include_hidden: bool, page: int, per_page: int
    ) -> list[str]:
        return await repo.account_album_ids(
            self.db, account_id, include_hidden=include_hidden, limit=per_page, offset=page * per_page
        )

    async def count_of_account(self, account_id: int, *, include_hidden: bool) -> int:
        return await repo.account_album_count(self.db, account_id, include_hidden=include_hidden)

    # ------------------------------------------------------------ helpers

    @staticmethod
    async def _lock(tx: Any, album_id: str) -> None:
        """Lock the album row for this transaction; a concurrent delete may have removed it since it was read."""
        if not await repo.lock(tx, album_id, int(time.time())):
            raise AlbumNotFound(album_id)

    async def _owned(self, subject: Subject, ref: str) -> Resolved[Album]:
        resolved = await self.resolve(ref)
        if not resolved.owned_by(subject):
            if resolved.item.account_id is None:
                raise Forbidden("This album is anonymous: use its deletehash")
            raise Forbidden("You are not the owner of this album")
        return resolved

    async def _images_for(self, subject: Subject, fields: AlbumFields) -> list[str]:
        """Image ids the caller controls: their own images by id, any image by its deletehash."""
        out: list[str] = []
        for iid in fields.ids or ():
            image = await image_repo.get(self.db, iid) if idgen.is_id(iid) else None
            if image is None:
                raise ImageNotFound(iid)
            if subject.account_id is None or image.account_id != subject.account_id:
                raise Forbidden(f"You do not own the image {iid}; anonymous images are added by deletehash")
            out.append(image.id)
        for dh in fields.deletehashes or ():
            by_hash = await image_repo.get_by_deletehash(self.db, dh) if idgen.kind(dh) is not None else None
            if by_hash is None:
                raise DeletehashNotFound()
            out.append(by_hash.id)
        if len(out) > MAX_IMAGES:
            raise InvalidRequest(f"An album holds at most {MAX_IMAGES} images")
        return out

    async def _check_cover(self, values: dict[str, Any]) -> None:
        cover = values.get("cover_id")
        if cover is not None and (not idgen.is_id(cover) or await image_repo.get(self.db, cover) is None):
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


def _ordered(current: list[str], wanted: Sequence[str]) -> list[str]:
    members = set(current)
    named = [i for i in dict.fromkeys(wanted) if i in members]
    listed = set(named)
    return named + [i for i in current if i not in listed]


def _moved(current: list[str], image_id: str, by: int) -> list[str]:
    if image_id not in current:
        raise ImageNotFound(image_id)
    order = [i for i in current if i != image_id]
    order.insert(max(0, min(len(order), current.index(image_id) + by)), image_id)
    return order


def _row(
    album_id: str, subject: Subject, values: dict[str, Any], *, created_at: int | None
) -> dict[str, Any]:
    """A new album's row: values as _clean() gives them; created_at None means now."""
    now = int(time.time())
    return {
        "id": album_id,
        "deletehash": idgen.deletehash(),
        "client_id": subject.client_id,
        "account_id": subject.account_id,
        "title": values.get("title"),
        "description": values.get("description"),
        "privacy": values["privacy"],
        "layout": values.get("layout", "blog"),
        "cover_id": values.get("cover_id"),
        "created_at": created_at or now,
        "updated_at": now,
        "views": 0,
    }
