"""`imghost import links`: bring over what a text's Imgur links point at, under the same ids.

Each distinct image is fetched once from the media host into a temporary file and handed to
ImageService.import_as (the upload pipeline: sniffing, limits, metadata stripping); each album or gallery
post is read from the API (`/3/album/{id}` and `/3/album/{id}/images`; a gallery post through
`/3/gallery/{id}`, else as an album, else as an image) and imported with its images in order. At most
`parallel` images are being fetched or imported at any moment, each in its own temporary files, removed
whatever happens; a finished item goes to the state file at once.

Which file is fetched for a link:
- `{id}.{ext}` and its thumbnails `{id}{s,b,t,m,l,h}.{ext}`: `/{id}.{ext}`, the original (Imgur serves the
  original whatever the extension, with its real type; the pipeline goes by the bytes);
- `{id}.gifv`: `/{id}.mp4`, else `/{id}.gif` (when the same id is also linked as `.gif`, that comes first:
  the GIF is the original, and its MP4 is made here);
- `imgur.com/{id}` with no extension: with API credentials `/3/image/{id}` gives the file's link (and its
  title, description and time); without them `/{id}.jpg`, whose answer carries the real type."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imghost.auth import Subject
from imghost.domain.albums.service import AlbumFields, AlbumService
from imghost.domain.images.service import ImageService, UploadMeta
from imghost.domain.imports import fetcher as fx
from imghost.domain.imports.fetcher import Fetcher, FetchError
from imghost.domain.imports.links import ALBUM, GALLERY, IMAGE, Link
from imghost.domain.imports.report import DONE, FAILED, REMOVED, SKIPPED, Entry, Report
from imghost.domain.imports.state import StateFile
from imghost.errors import ImghostError
from imghost.ids import random_id

_SIDE_FILES = (".upload", ".out", ".mp4", ".noaudio")
NEEDS_API = "album and gallery links need --client-id: the API lists their images"
# What a rerun does not do again: the source's removals are as final as what was imported.
_FINAL = DONE | {REMOVED}


@dataclass(frozen=True)
class Source:
    """One image to bring over: where to try fetching it, in order, and what the API said about it."""

    id: str
    urls: tuple[str, ...]
    meta: UploadMeta
    album: str = ""


SourceFn = Callable[[], Awaitable["Source | Entry"]]


class LinkImport:
    def __init__(
        self,
        *,
        images: ImageService,
        albums: AlbumService,
        subject: Subject,
        fetcher: Fetcher,
        state: StateFile,
        tmp_dir: Path,
        report: Report,
        step: Callable[[str], None] = lambda outcome: None,
        grow: Callable[[int], None] = lambda n: None,
    ) -> None:
        self.images = images
        self.albums = albums
        self.subject = subject
        self.fetcher = fetcher
        self.state = state
        self.tmp_dir = tmp_dir
        self.report = report
        self.step = step  # one call per finished item, with its outcome (the progress bar)
        self.grow = grow  # more items than counted at first: an album's images
        self._slots = asyncio.Semaphore(fetcher.parallel)
        self._images: dict[str, asyncio.Future[Entry]] = {}

    async def run(self, links: Sequence[Link]) -> dict[str, Entry]:
        """Every distinct thing the links name, imported (or reported); returns key -> its entry, the
        map a rewrite of the text needs."""
        by_key: dict[str, list[Link]] = {}
        for link in links:
            by_key.setdefault(link.key, []).append(link)
        keys = iter(list(by_key))
        results: dict[str, Entry] = {}

        async def worker() -> None:
            for key in keys:
                results[key] = await self._item(key, by_key[key])

        await asyncio.gather(*(worker() for _ in range(min(self.fetcher.parallel, len(by_key)) or 1)))
        return results

    # ------------------------------------------------------------------ items

    async def _item(self, key: str, links: list[Link]) -> Entry:
        kind, ident = links[0].kind, links[0].id
        if kind == IMAGE:
            return await self._image(key, lambda: self._plain_source(ident, links))
        earlier = self.state.get(key)
        if earlier is not None and earlier.get("outcome") in _FINAL:
            entry = self._earlier(earlier, kind, ident)
        elif not self.fetcher.has_api:
            entry = self.report.add(Entry(kind, ident, SKIPPED, reason=NEEDS_API))
        elif kind == ALBUM:
            entry = await self._album(key, ident)
        else:
            entry = await self._gallery(key, ident)
        self.step(entry.outcome)
        return entry

    def _finish(self, key: str, entry: Entry, *, final: bool = True) -> Entry:
        self.report.add(entry)
        if final and entry.outcome in _FINAL:
            self.state.record(key, **_fields(entry))
        return entry

    async def _plain_source(self, ident: str, links: list[Link]) -> Source | Entry:
        exts: list[str] = []
        for link in links:
            for ext in ("mp4", "gif") if link.ext == "gifv" else (link.ext,) if link.ext else ():
                if ext not in exts:
                    exts.append(ext)
        if any(link.ext == "gif" for link in links) and "mp4" in exts:
            exts.remove("mp4")
            exts.insert(exts.index("gif") + 1, "mp4")
        if not exts and self.fetcher.has_api:
            try:
                data = await self.fetcher.get_data(f"/3/image/{ident}")
            except FetchError as exc:
                if exc.status == 404:
                    return Entry(IMAGE, ident, FAILED, reason=f"not found: {exc.reason}")
                data = None  # the API is having a bad day: the media host may still have it
            if isinstance(data, dict) and data.get("link"):
                return _api_source(data, album="")
        urls = tuple(self.fetcher.media(f"{ident}.{ext}") for ext in exts or ["jpg"])
        return Source(ident, urls, UploadMeta())

    async def _image(self, key: str, source: SourceFn, *, album: str = "") -> Entry:
        """The one import of an image, however many links and albums name it."""
        pending = self._images.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Entry] = asyncio.get_running_loop().create_future()
        self._images[key] = future
        try:
            entry = await self._image_once(key, source, album)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # marked as retrieved: this caller raises it
            raise
        future.set_result(entry)
        return entry

    async def _image_once(self, key: str, source: SourceFn, album: str) -> Entry:
        ident = key.split(":", 1)[1]
        earlier = self.state.get(key)
        if earlier is not None and earlier.get("outcome") in _FINAL:
            entry = self._earlier(earlier, IMAGE, ident, album=album)
        else:
            async with self._slots:
                got = await source()
                entry = got if isinstance(got, Entry) else await self._fetch_and_import(got)
            self._finish(key, entry)
        self.step(entry.outcome)
        return entry

    async def _fetch_and_import(self, src: Source) -> Entry:
        stem = self.tmp_dir / random_id(20)
        dest = stem.with_name(stem.name + ".upload")
        result: fx.FetchResult | None = None
        try:
            for url in src.urls:
                result = await self.fetcher.fetch_to(url, dest)
                if result.outcome != fx.MISSING:
                    break
            assert result is not None
            base = Entry(IMAGE, src.id, FAILED, source_url=result.url, album=src.album)
            if result.outcome == fx.REMOVED:
                base.outcome, base.reason = REMOVED, result.reason
                return base
            if not result.ok:
                base.reason = result.reason
                return base
            try:
                image, outcome = await self.images.import_as(self.subject, dest, src.meta, src.id)
            except ImghostError as exc:  # not media, over a limit, a video too long...
                base.reason = exc.public
                return base
            base.outcome, base.local_id, base.ext = outcome, image.id, image.ext
            return base
        finally:
            # The download, and what the pipeline makes beside it (media.ingest: the same stem with
            # these suffixes), named rather than globbed: a directory scan per image shows up.
            for suffix in _SIDE_FILES:
                stem.with_suffix(suffix).unlink(missing_ok=True)

    # ----------------------------------------------------------------- albums

    async def _album(self, key: str, ident: str, data: Any = None) -> Entry:
        try:
            if data is None:
                data = await self.fetcher.get_data(f"/3/album/{ident}")
            if not isinstance(data, dict):
                raise FetchError(f"/3/album/{ident} is not an object")
            listed = await self._album_images(ident, data)
        except FetchError as exc:
            return self._finish(key, Entry(ALBUM, ident, FAILED, reason=exc.reason))
        self.grow(len(listed))
        entries = await asyncio.gather(
            *(
                self._image(f"{IMAGE}:{img['id']}", _constant(_api_source(img, album=ident)), album=ident)
                for img in listed
            )
        )
        local = [e.local_id for e in entries if e.outcome in DONE]
        if listed and not local:
            reason = f"none of its {len(listed)} images came over"
            return self._finish(key, Entry(ALBUM, ident, FAILED, reason=reason))
        by_source = {e.source_id: e.local_id for e in entries if e.outcome in DONE}
        fields = AlbumFields(
            title=_text(data.get("title")),
            description=_text(data.get("description")),
            privacy=_text(data.get("privacy")),
            cover=by_source.get(str(data.get("cover") or "")),
        )
        try:
            album, outcome = await self.albums.import_as(
                self.subject, ident, fields, local, created_at=_int(data.get("datetime"))
            )
        except ImghostError as exc:
            return self._finish(key, Entry(ALBUM, ident, FAILED, reason=exc.public))
        missing = len(entries) - len(local)
        entry = Entry(ALBUM, ident, outcome, local_id=album.id)
        if missing:
            # Here with what could be brought, and kept out of the state file: a rerun tries the rest.
            entry.reason = f"{missing} of its {len(entries)} images did not come over"
        return self._finish(key, entry, final=not missing)

    async def _album_images(self, ident: str, data: Any) -> list[dict[str, Any]]:
        try:
            listed = await self.fetcher.get_data(f"/3/album/{ident}/images")
        except FetchError:
            listed = data.get("images") if isinstance(data, dict) else None
            if listed is None:
                raise
        if not isinstance(listed, list):
            raise FetchError(f"/3/album/{ident}/images is not a list")
        return [img for img in listed if isinstance(img, dict) and isinstance(img.get("id"), str)]

    async def _gallery(self, key: str, ident: str) -> Entry:
        reasons: list[str] = []
        for path in (f"/3/gallery/{ident}", f"/3/album/{ident}", f"/3/image/{ident}"):
            try:
                data = await self.fetcher.get_data(path)
            except FetchError as exc:
                reasons.append(exc.reason)
                continue
            if not isinstance(data, dict):
                reasons.append(f"{path} is not an object")
                continue
            if data.get("is_album", path.startswith("/3/album/")):
                return await self._album(key, ident, data)
            self.grow(1)
            entry = await self._image(f"{IMAGE}:{ident}", _constant(_api_source(data, album="")))
            if entry.outcome in _FINAL:
                self.state.record(key, **_fields(entry))
            return entry
        return self._finish(key, Entry(GALLERY, ident, FAILED, reason="; ".join(reasons)))

    # ---------------------------------------------------------------- helpers

    def _earlier(self, rec: dict[str, Any], kind: str, ident: str, *, album: str = "") -> Entry:
        entry = Entry(
            str(rec.get("kind") or kind),
            ident,
            str(rec["outcome"]),
            local_id=str(rec.get("local_id") or ""),
            ext=str(rec.get("ext") or ""),
            reason=str(rec.get("reason") or ""),
            source_url=str(rec.get("source_url") or ""),
            album=album,
            earlier=True,
        )
        return self.report.add(entry)


def _fields(entry: Entry) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "outcome": entry.outcome,
        "local_id": entry.local_id,
        "ext": entry.ext,
        "reason": entry.reason,
        "source_url": entry.source_url,
    }


def _api_source(data: dict[str, Any], *, album: str) -> Source:
    ident = str(data.get("id") or "")
    link = str(data.get("link") or "")
    urls: tuple[str, ...] = (link,) if link else ()
    mp4 = data.get("mp4")
    if isinstance(mp4, str) and mp4 and mp4 != link:
        urls += (mp4,)  # when the GIF is gone, the MP4 may still be there
    meta = UploadMeta(
        title=_text(data.get("title")),
        description=_text(data.get("description")),
        name=(_text(data.get("name")) or "")[:255],
        created_at=_int(data.get("datetime")),
    )
    return Source(ident, urls or (f"{ident}.jpg",), meta, album=album)


def _constant(value: Source) -> SourceFn:
    async def get() -> Source:
        return value

    return get


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def rewrite_target(results: dict[str, Entry], base_url: str) -> Callable[[Link], str | None]:
    """For links.rewrite(): the URL here of each link whose item was imported (or was already here)."""
    from imghost.domain.imports.links import local_path

    def target(link: Link) -> str | None:
        entry = results.get(link.key)
        if entry is None or entry.outcome not in DONE or not entry.local_id:
            return None
        return f"{base_url}/{local_path(link, entry.local_id, entry.ext, album=entry.kind == ALBUM)}"

    return target
