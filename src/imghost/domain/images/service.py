from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imghost import ids
from imghost.auth import Subject
from imghost.db.database import Connection, Database
from imghost.domain import refs, text
from imghost.domain.images import keys
from imghost.domain.images import repository as repo
from imghost.domain.images.heavy import HeavyPool
from imghost.domain.images.model import Image
from imghost.domain.images.views import ViewCounter
from imghost.domain.refs import Resolved
from imghost.errors import BlobNotFound, Forbidden, ImageNotFound, ImghostError, InvalidRequest
from imghost.locks.base import LockService
from imghost.media import ffmpeg, ingest, thumbs
from imghost.media.ingest import Prepared, Work, prepare, prepare_quick
from imghost.media.limits import MediaLimits
from imghost.metrics import metrics
from imghost.storage.base import BlobStore
from imghost.storage.compare import same_content

log = logging.getLogger(__name__)
# Stored blobs compared with an upload that shares their fingerprint: different files sharing one (made on
# purpose, say) cost comparisons, and past this many the upload is simply stored again.
_MAX_CANDIDATES = 4


@dataclass(frozen=True, slots=True)
class UploadMeta:
    title: str | None = None
    description: str | None = None
    name: str = ""
    disable_audio: bool = False
    # Imports (from Imgur, another server, an archive) keep the source's upload time.
    created_at: int | None = None


# What an import under a wanted id came to: stored under that id; already here (that id holds exactly
# these bytes: nothing was stored); or stored under a new id because the wanted one holds other content.
IMPORTED, ALREADY_HERE, RENAMED = "imported", "already here", "renamed"


@dataclass(slots=True)
class SweepReport:
    checked: int = 0
    removed: int = 0
    bytes: int = 0


class ImageService:
    def __init__(
        self,
        db: Database,
        store: BlobStore,
        locks: LockService,
        *,
        limits: MediaLimits,
        tmp_dir: Path,
        ffmpeg_timeout: float,
        views: ViewCounter,
        on_removed: Callable[[str], Awaitable[None]] | None = None,
        work: Work | None = None,
        heavy: HeavyPool | None = None,
    ) -> None:
        self.db = db
        self.store = store
        self.locks = locks
        self.limits = limits
        self.tmp_dir = tmp_dir
        self.ffmpeg_timeout = ffmpeg_timeout
        self.work = work or Work(ffmpeg_timeout)
        # Transcodes, conversions and video frames: a pool of their own (see heavy.py).
        self.heavy = heavy or HeavyPool(2, 4)
        self.views = views
        # Told the id of every deleted image, so that caches in every process drop it.
        self.on_removed = on_removed
        # Called inside the deletion's transaction, before the row goes: what the image's deletion
        # takes with it by cascade (its gallery post) and that counts elsewhere include.
        self.before_delete: list[Callable[[Connection, str], Awaitable[None]]] = []

    # ------------------------------------------------------------ reads

    async def get(self, image_id: str) -> Image:
        image = await self.find(image_id)
        if image is None:
            raise ImageNotFound(image_id)
        return image

    async def find(self, image_id: str) -> Image | None:
        """The image, or None: for delivery, which answers a missing id itself."""
        return await repo.get(self.db, image_id) if ids.is_id(image_id) else None

    async def resolve(self, ref: str) -> Resolved[Image]:
        return await refs.resolve(
            ref,
            by_id=lambda r: repo.get(self.db, r),
            by_deletehash=lambda r: repo.get_by_deletehash(self.db, r),
            not_found=ImageNotFound,
        )

    async def by_deletehash(self, deletehash: str, *, refusal: ImghostError | None = None) -> Image:
        """The image this deletehash names; an id is refused (with `refusal`, else as not found)."""
        resolved = await self.resolve(deletehash)
        if not resolved.by_deletehash:
            raise refusal or ImageNotFound(deletehash)
        return resolved.item

    async def resolve_deletehash_of(self, account_id: int, deletehash: str) -> Image:
        """An image of this account, named by its deletehash (the account route that deletes by one)."""
        image = await self.by_deletehash(
            deletehash, refusal=InvalidRequest("This route needs the image's deletehash, not its id")
        )
        if image.account_id != account_id:
            raise ImageNotFound(deletehash)
        return image

    async def of_account(self, account_id: int, image_id: str) -> Image:
        image = await self.get(image_id)
        if image.account_id != account_id:
            raise ImageNotFound(image_id)
        return image

    async def original_chunks(self, image: Image) -> AsyncGenerator[bytes, None]:
        """The original's bytes in the store's chunks, never the whole file in memory (album downloads).
        BlobNotFound comes with the first chunk when the file is missing."""
        async for chunk in self.store.stream(keys.original(image.blob_id)):
            yield chunk

    # ------------------------------------------------------------ writes

    async def upload(self, subject: Subject, src: Path, meta: UploadMeta) -> Image:
        quick = prepare_quick(src, limits=self.limits)
        prepared: Prepared
        if quick is None:
            # The id is drawn while the media work runs on its thread.
            prepared, image_id = await asyncio.gather(self._prepare(src, meta), self._new_id())
        else:
            prepared = quick
            image_id = await self._new_id()
        return await self._insert(subject, prepared, meta, image_id)

    async def import_as(
        self, subject: Subject, src: Path, meta: UploadMeta, wanted_id: str
    ) -> tuple[Image, str]:
        """An upload that keeps the id the image had elsewhere, so that its old links work by changing only
        their host; the same pipeline as upload() (sniffing, limits, metadata stripping). Returns the image
        and IMPORTED, ALREADY_HERE or RENAMED. An id taken by other content keeps its image: the import gets
        a new id. Ids are ordered under a lock, so two imports of one id cannot both take it."""
        prepared = prepare_quick(src, limits=self.limits) or await self._prepare(src, meta)
        if not ids.is_id(wanted_id):
            return await self._insert(subject, prepared, meta, await self._new_id()), RENAMED
        async with self.locks.hold(f"image-id:{wanted_id}"):
            existing = await repo.get(self.db, wanted_id)
            if existing is None:
                return await self._insert(subject, prepared, meta, wanted_id), IMPORTED
            if existing.size == prepared.size and await same_content(
                self.store, keys.original(existing.blob_id), prepared.path
            ):
                return existing, ALREADY_HERE
        return await self._insert(subject, prepared, meta, await self._new_id()), RENAMED

    async def _insert(self, subject: Subject, prepared: Prepared, meta: UploadMeta, image_id: str) -> Image:
        values: dict[str, Any] = {
            "id": image_id,
            "deletehash": ids.deletehash(),
            "client_id": subject.client_id,
            "account_id": subject.account_id,
            "title": text.clean(meta.title),
            "description": text.clean(meta.description),
            "name": text.clean(meta.name),
            "blob_id": "",
            "mime": prepared.mime,
            "ext": prepared.ext,
            "width": prepared.width,
            "height": prepared.height,
            "size": prepared.size,
            "animated": prepared.animated,
            "has_sound": prepared.has_sound,
            "mp4_size": prepared.mp4_path.stat().st_size
            if prepared.mp4_path
            else (prepared.size if prepared.fmt == "mp4" else 0),
            "nsfw": None,
            "created_at": meta.created_at or int(time.time()),
            "views": 0,
            "bandwidth": 0,
        }
        # The lock orders this against another upload of the same bytes, and against a delete of the last
        # image using a blob this upload is about to share.
        async with self.locks.hold(f"blob:{prepared.fingerprint}"):
            blob = await self._stored_copy(prepared)
            stored_now = blob is None
            if blob is None:
                blob = ids.blob_id()
                await self._store(blob, prepared)
            values["blob_id"] = blob
            try:
                async with self.db.transaction() as tx:
                    if stored_now:
                        await repo.blob_create(tx, blob, prepared.fingerprint, prepared.size)
                    elif not await repo.blob_acquire(tx, blob):
                        raise ImghostError("A shared blob vanished while its lock was held")
                    await repo.insert(tx, values)
            except BaseException:
                if stored_now:
                    await self._delete_files(blob)
                raise
        metrics.inc("uploads")
        return Image.from_row({**values, "account_url": subject.username})

    async def _prepare(self, src: Path, meta: UploadMeta) -> Prepared:
        """prepare() off the event loop: on the heavy pool for what decodes or transcodes (every video, from
        its first bytes; animations, conversions), else on the default executor."""
        if ingest.is_video(src):
            return await self.heavy.run(
                prepare,
                src,
                limits=self.limits,
                disable_audio=meta.disable_audio,
                ffmpeg_timeout=self.work.timeout,
                budget=self.work.budget,
            )
        p = await asyncio.to_thread(ingest.inspect, src, limits=self.limits, work=self.work)
        run = self.heavy.run if ingest.is_heavy(p) else asyncio.to_thread
        return await run(
            ingest.finish, src, p, limits=self.limits, disable_audio=meta.disable_audio, work=self.work
        )

    async def _stored_copy(self, p: Prepared) -> str | None:
        """A stored blob holding exactly these bytes, if there is one: same fingerprint, then compared."""
        for blob in await repo.blob_candidates(self.db, p.fingerprint, p.size, _MAX_CANDIDATES):
            if await same_content(self.store, keys.original(blob), p.path):
                return blob
        return None

    async def _store(self, blob: str, p: Prepared) -> None:
        try:
            # The prepared files are this upload's own temporary files: the store may take them over.
            await self.store.put_file(keys.original(blob), p.path, p.mime, move=True)
            if p.mp4_path is not None:
                await self.store.put_file(keys.mp4(blob), p.mp4_path, "video/mp4", move=True)
        except BaseException:
            await self._delete_files(blob)
            raise

    async def _new_id(self) -> str:
        for _ in range(10):
            candidate = ids.image_id()
            if not await repo.id_taken(self.db, candidate):
                return candidate
        raise ImghostError("Could not allocate an id")

    async def update(self, subject: Subject, id_or_deletehash: str, fields: Mapping[str, str | None]) -> None:
        resolved = await self.resolve(id_or_deletehash)
        self._check_owner(subject, resolved)
        clean = {k: text.clean(v) for k, v in fields.items() if k in ("title", "description")}
        if not clean:
            return
        for value in clean.values():
            if value is not None and len(value) > 65_536:
                raise InvalidRequest("Text is too long")
        async with self.db.transaction() as tx:
            await repo.update_text(tx, resolved.item.id, clean)

    async def delete(self, subject: Subject, id_or_deletehash: str) -> str:
        resolved = await self.resolve(id_or_deletehash)
        self._check_owner(subject, resolved)
        await self.remove(resolved.item)
        return resolved.item.id

    async def delete_many(self, subject: Subject, image_ids: Sequence[str]) -> list[str]:
        """Delete these images, named by id: every one is checked to be the caller's before any goes."""
        wanted = list(dict.fromkeys(image_ids))
        if len(wanted) > 1000:
            raise InvalidRequest("Delete at most 1000 images at once")
        found = {i.id: i for i in await repo.many(self.db, [i for i in wanted if ids.is_id(i)])}
        for image_id in wanted:
            image = found.get(image_id)
            if image is None:
                raise ImageNotFound(image_id)
            if not subject.owns(image.account_id):
                raise Forbidden("You are not the owner of this image. Use its deletehash.")
        for image_id in wanted:
            await self.remove(found[image_id])
        return wanted

    async def remove(self, image: Image) -> None:
        """Delete an image the caller has already been allowed to delete; its file goes with its last user."""
        blob = image.blob_id
        info = await repo.blob_get(self.db, blob)
        # The same lock an upload of these bytes takes (blobs stored before fingerprints existed are never
        # matched by an upload, so their own id will do).
        async with self.locks.hold(f"blob:{info['fingerprint'] if info and info['fingerprint'] else blob}"):
            async with self.db.transaction() as tx:
                for hook in self.before_delete:
                    await hook(tx, image.id)
                await repo.delete(tx, image.id)
                last = await repo.blob_release(tx, blob)
            if last:
                await self._delete_files(blob)
        if self.on_removed is not None:
            await self.on_removed(image.id)
        metrics.inc("deletes")

    async def _delete_files(self, blob: str) -> None:
        for key in (keys.original(blob), *keys.derived(blob)):
            try:
                await self.store.delete(key)
            except Exception:
                # The row is gone; a file left behind is unreachable, and `imghost gc` removes it.
                log.warning("could not delete stored object %s", key)

    async def sweep(self, *, grace: float, dry_run: bool) -> SweepReport:
        """Remove stored objects no blob row refers to: left by a delete whose storage call failed, or by a
        crash between storing a file and committing its row. Objects younger than `grace` seconds are
        spared, since an upload stores its file a moment before it commits the row that claims it."""
        report = SweepReport()
        known = await repo.blob_ids(self.db)
        cutoff = time.time() - grace
        for prefix in keys.PREFIXES:
            async for obj in self.store.list(prefix):
                report.checked += 1
                blob = keys.blob_of(obj.key)
                if blob in known or obj.modified > cutoff:
                    continue
                if blob is not None and await repo.blob_get(self.db, blob) is not None:
                    continue  # stored since the list of blobs was read
                report.removed += 1
                report.bytes += obj.size
                if not dry_run:
                    await self.store.delete(obj.key)
        return report

    def _check_owner(self, subject: Subject, resolved: Resolved[Image]) -> None:
        if not resolved.owned_by(subject):
            raise Forbidden("You are not the owner of this image. Use its deletehash.")

    # ------------------------------------------------------------ variants

    async def thumbnail(self, image: Image, suffix: str) -> bytes:
        """The thumbnail's bytes, rendering and storing it on first request, once across all processes."""
        key = keys.thumb(image.blob_id, suffix)
        try:
            return await self.store.get_bytes(key)
        except BlobNotFound:
            pass
        async with self.locks.hold(f"thumb:{key}", timeout=60):
            try:
                return await self.store.get_bytes(key)
            except BlobNotFound:
                pass
            data = await self._render(image, suffix)
            await self.store.put_bytes(key, data, "image/jpeg")
            metrics.inc("thumbnails_rendered")
            return data

    async def _render(self, image: Image, suffix: str) -> bytes:
        original = keys.original(image.blob_id)
        fmt = {"image/jpeg": "jpeg"}.get(image.mime, "other")
        local = self.store.local_path(original)
        with tempfile.TemporaryDirectory(dir=self.tmp_dir) as tmp:
            src = local
            if src is None or not src.exists():
                src = Path(tmp) / "src"
                data = await self.store.get_bytes(original)
                await asyncio.to_thread(src.write_bytes, data)
            if image.is_video:
                return await self.heavy.run(self._video_thumb, src, Path(tmp) / "frame.png", suffix)
            return await asyncio.to_thread(thumbs.render, src, fmt, suffix)

    def _video_thumb(self, src: Path, frame: Path, suffix: str) -> bytes:
        ffmpeg.first_frame_png(src, frame, self.work.timeout, self.work.budget)
        return thumbs.render(frame, "png", suffix)

    def close(self) -> None:
        self.heavy.close()
