"""An account's images and albums as a portable archive, and that archive read back into any imghost.

The archive is a directory, or the same tree as a zip (docs/archive.md has the manifest's fields):

    manifest.json      format "imghost-archive", version 1: the account, images, albums, favourites
    images/{id}.{ext}  every original, byte for byte as stored

manifest.json goes last, so an archive without one is unfinished. Reading one back verifies each file's
sha256, imports it under its id through ImageService.import_as (the upload pipeline), then the albums in
their order with privacy and cover, then the favourites whose ids exist here. Landing, the part that
puts things into a local account, is shared with the account importer: the state file maps each source
id to its local one, so a rerun imports nothing twice, even what had to take a new id."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import shutil
import time
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from imghost.auth import Subject
from imghost.domain.accounts.model import Account
from imghost.domain.accounts.service import AccountService
from imghost.domain.albums.archive import ZipWriter
from imghost.domain.albums.model import Album
from imghost.domain.albums.service import AlbumFields, AlbumService
from imghost.domain.images.model import Image
from imghost.domain.images.service import ALREADY_HERE, ImageService, UploadMeta
from imghost.domain.imports.report import DONE, FAILED, Entry, Report
from imghost.domain.imports.state import StateFile
from imghost.domain.messages.model import Conversation
from imghost.domain.messages.service import MessageService
from imghost.errors import BlobNotFound, ImghostError, PayloadTooLarge
from imghost.ids import random_id
from imghost.media.writer import UploadWriter
from imghost.settings import Settings

FORMAT = "imghost-archive"
VERSION = 1
MANIFEST = "manifest.json"
IMAGE, ALBUM = "image", "album"
SETTINGS = (
    "public_images",
    "album_privacy",
    "messaging_enabled",
    "show_mature",
    "newsletter_subscribed",
    "accepted_gallery_terms",
    "high_quality",
)
# A file name the manifest may point at: never a path out of the archive.
_FILE = re.compile(r"images/[A-Za-z0-9]{1,32}\.[a-z0-9]{1,8}")
_PAGE = 100
_CHUNK = 1024 * 1024

# (done, total, outcome): one call per finished item, for a progress bar or a page.
Progress = Callable[[int, int, str], None]


class ArchiveError(ImghostError):
    status = 400
    public = "Not a readable imghost archive"

    def __init__(self, public: str) -> None:
        super().__init__(public)
        self.public = public


class ArchiveServices(Protocol):
    """What export and import need of the running services (imghost.services.Services has it all)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def images(self) -> ImageService: ...
    @property
    def albums(self) -> AlbumService: ...
    @property
    def accounts(self) -> AccountService: ...
    @property
    def messages(self) -> MessageService: ...
    @property
    def tmp_dir(self) -> Path: ...


# ---------------------------------------------------------------------------------------- writing


class Sink(Protocol):
    """Where an archive goes: a directory (DirectorySink) or a zip stream (ZipSink)."""

    async def existing(self, name: str, size: int) -> str | None:
        """The sha256 of a file of this name and size an earlier run left, when the sink can keep it."""
        ...

    async def write(self, name: str, chunks: AsyncIterator[bytes], *, modified: int, size: int) -> None: ...

    async def finish(self, manifest: bytes, *, modified: int) -> None: ...


class DirectorySink:
    """A directory tree. Each file is written next to its place and renamed into it when complete, so a
    rerun after a kill keeps every file that was finished and writes the manifest only at the end."""

    def __init__(self, root: Path) -> None:
        self.root = root

    async def existing(self, name: str, size: int) -> str | None:
        path = self.root / name
        if not path.is_file() or path.stat().st_size != size:
            return None
        return await asyncio.to_thread(_sha256_of, path)

    async def write(self, name: str, chunks: AsyncIterator[bytes], *, modified: int, size: int) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + ".part")
        try:
            # Plain writes into the page cache, as UploadWriter does: a thread per chunk costs more.
            with open(part, "wb") as f:
                async for chunk in chunks:
                    f.write(chunk)
            _settle(part, path, modified)
        finally:
            part.unlink(missing_ok=True)

    async def finish(self, manifest: bytes, *, modified: int) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        part = self.root / (MANIFEST + ".part")
        part.write_bytes(manifest)
        _settle(part, self.root / MANIFEST, modified)


class ZipSink:
    """A stored zip written through `out` as it is made (to a file, a response, an object store upload):
    no member is ever held whole in memory. Readers find the members through the central directory, so
    the manifest may come last here too."""

    def __init__(self, out: Callable[[bytes], Awaitable[None]]) -> None:
        self.out = out
        self.zip = ZipWriter()

    async def existing(self, name: str, size: int) -> str | None:
        return None

    async def write(self, name: str, chunks: AsyncIterator[bytes], *, modified: int, size: int) -> None:
        await self.out(self.zip.begin(name, modified, size))
        async for chunk in chunks:
            await self.out(self.zip.feed(chunk))
        await self.out(self.zip.end())

    async def finish(self, manifest: bytes, *, modified: int) -> None:
        await self.write(MANIFEST, _once(manifest), modified=modified, size=len(manifest))
        await self.out(self.zip.finish())


@dataclass
class ExportReport:
    account: str
    images: int = 0
    albums: int = 0
    favorites: int = 0
    conversations: int = 0
    bytes: int = 0
    kept: int = 0  # files an earlier run had written, checked and kept
    failed: list[tuple[str, str]] = field(default_factory=list)  # (image id, why)

    def as_json(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "images": self.images,
            "albums": self.albums,
            "favorites": self.favorites,
            "conversations": self.conversations,
            "bytes": self.bytes,
            "kept": self.kept,
            "failed": [{"id": i, "reason": r} for i, r in self.failed],
        }

    def text(self) -> str:
        lines = [
            f"export of {self.account}: {self.images} images ({self.bytes} bytes), {self.albums} albums,"
            f" {self.favorites} favourites, {self.conversations} conversations"
        ]
        if self.kept:
            lines.append(f"  {self.kept} files written by an earlier run were kept")
        lines += [f"  failed: image {i}: {r}" for i, r in self.failed]
        return "\n".join(lines)


async def write_archive(
    svc: ArchiveServices, account: Account, sink: Sink, *, progress: Progress | None = None
) -> ExportReport:
    """The account's archive into `sink`: its images (and any other image its albums hold), albums,
    favourites and the settings worth carrying. An image whose file is missing from storage is reported
    and left out; the rest of the archive is still complete."""
    images = await _paged(lambda p: svc.accounts.list_images(account, page=p, per_page=_PAGE))
    albums = await _paged(
        lambda p: svc.albums.of_account(account.id, include_hidden=True, page=p, per_page=_PAGE)
    )
    members = {a.id: await svc.albums.images(a.id) for a in albums}
    known = {i.id for i in images}
    for album in albums:
        for image in members[album.id]:
            if image.id not in known:
                known.add(image.id)
                images.append(image)
    favorites = await _paged(lambda p: svc.accounts.favorites(account, newest=False, page=p, per_page=_PAGE))
    report = ExportReport(account.username)
    entries: list[dict[str, Any]] = []
    for n, image in enumerate(images, 1):
        name = f"images/{image.id}.{image.ext}"
        try:
            sha, kept = await _export_file(svc, sink, image, name)
        except BlobNotFound:
            report.failed.append((image.id, "its file is missing from storage"))
            outcome = FAILED
        else:
            entries.append(_image_entry(image, name, sha))
            report.bytes += image.size
            report.kept += kept
            outcome = "kept" if kept else "exported"
        if progress is not None:
            progress(n, len(images), outcome)
    exported = {e["id"] for e in entries}
    avatar = await svc.accounts.avatar_image(account)
    now = int(time.time())
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": now,
        "source": svc.settings.base_url,
        "account": {
            "username": account.username,
            "created": account.created_at,
            "bio": account.bio,
            "avatar": avatar.id if avatar is not None and avatar.id in exported else None,
            "settings": {k: getattr(account, k) for k in SETTINGS},
        },
        "images": entries,
        "albums": [_album_entry(a, [i.id for i in members[a.id] if i.id in exported]) for a in albums],
        "favorites": {
            "images": [f.id for f in favorites if isinstance(f, Image)],
            "albums": [f.id for f in favorites if isinstance(f, Album)],
        },
    }
    conversations = await svc.messages.everything(account.id)
    manifest["conversations"] = [_conversation_entry(c) for c in conversations]
    report.images, report.albums, report.favorites = len(entries), len(albums), len(favorites)
    report.conversations = len(conversations)
    body = json.dumps(manifest, indent=2, ensure_ascii=False).encode() + b"\n"
    await sink.finish(body, modified=now)
    return report


async def write_zip(
    svc: ArchiveServices, account: Account, path: Path, progress: Callable[[int, int], None]
) -> ExportReport:
    """The archive as one zip file at `path` ("download my data"): written as it is made, through a
    thread, so that a large archive never sits in memory."""
    with open(path, "wb") as f:

        async def out(data: bytes) -> None:
            await asyncio.to_thread(f.write, data)

        return await write_archive(
            svc, account, ZipSink(out), progress=lambda done, total, _outcome: progress(done, total)
        )


async def _export_file(svc: ArchiveServices, sink: Sink, image: Image, name: str) -> tuple[str, bool]:
    """(sha256 of the file, whether an earlier run's copy was kept). BlobNotFound before anything is
    written when the original is missing."""
    sha = await sink.existing(name, image.size)
    if sha is not None:
        return sha, True
    source = svc.images.original_chunks(image)
    digest = hashlib.sha256()
    try:
        first = await anext(source, b"")  # BlobNotFound comes here, before a zip member is begun

        async def chunks() -> AsyncIterator[bytes]:
            for chunk in (first,) if first else ():
                digest.update(chunk)
                yield chunk
            async for chunk in source:
                digest.update(chunk)
                yield chunk

        await sink.write(name, chunks(), modified=image.created_at, size=image.size)
    finally:
        await source.aclose()
    return digest.hexdigest(), False


def _image_entry(image: Image, name: str, sha: str) -> dict[str, Any]:
    return {
        "id": image.id,
        "title": image.title,
        "description": image.description,
        "name": image.name,
        "datetime": image.created_at,
        "type": image.mime,
        "animated": image.animated,
        "width": image.width,
        "height": image.height,
        "size": image.size,
        "sha256": sha,
        "file": name,
    }


def _conversation_entry(c: Conversation) -> dict[str, Any]:
    return {
        "with": c.with_account,
        "messages": [
            {"from": m.sender, "subject": m.subject, "body": m.body, "datetime": m.created_at}
            for m in c.messages
        ],
    }


def _album_entry(album: Album, image_ids: list[str]) -> dict[str, Any]:
    return {
        "id": album.id,
        "title": album.title,
        "description": album.description,
        "privacy": album.privacy,
        "layout": album.layout,
        "cover": album.cover_id if album.cover_id in image_ids else None,
        "datetime": album.created_at,
        "images": image_ids,
    }


# ---------------------------------------------------------------------------------------- landing


@dataclass(frozen=True)
class Incoming:
    """One image to land: its id at the source, what it says about itself, and how to get its bytes
    into a file (`fill(dest)` returns None, or the outcome and reason when it could not: FAILED, or
    REMOVED when the source has deleted it)."""

    id: str
    meta: UploadMeta
    fill: Callable[[Path], Awaitable[tuple[str, str] | None]]
    source_url: str = ""


class Landing:
    """Puts images, albums and favourites into one local account, remembering in the state file which
    local id each source id became: a rerun finds it there (and checks it is still here) instead of
    importing it again, which also holds for those that had to take a new id."""

    def __init__(
        self,
        svc: ArchiveServices,
        account: Account,
        *,
        state: StateFile,
        report: Report,
        parallel: int = 4,
        step: Callable[[str], None] = lambda outcome: None,
    ) -> None:
        self.svc = svc
        self.account = account
        self.subject = Subject(client_id=None, account_id=account.id, username=account.username)
        self.state = state
        self.report = report
        self.step = step
        self._slots = asyncio.Semaphore(max(1, parallel))
        self.local: dict[str, str] = {}  # "image:{source id}" / "album:{source id}" -> local id

    async def images(self, incoming: Sequence[Incoming]) -> None:
        await asyncio.gather(*(self._image(i) for i in incoming))

    async def _image(self, item: Incoming) -> None:
        key = f"{IMAGE}:{item.id}"
        async with self._slots:
            entry = await self._earlier_image(key, item.id)
            if entry is None:
                entry = await self._land_image(item)
                if entry.outcome in DONE:
                    self.state.record(key, kind=IMAGE, outcome=entry.outcome, local_id=entry.local_id)
        if entry.outcome in DONE:
            self.local[key] = entry.local_id
        self.report.add(entry)
        self.step(entry.outcome)

    async def _earlier_image(self, key: str, ident: str) -> Entry | None:
        rec = self.state.get(key)
        local = str(rec.get("local_id") or "") if rec else ""
        image = await self.svc.images.find(local) if local else None
        if image is None:
            return None  # never done, or deleted here since: do it again
        return Entry(IMAGE, ident, ALREADY_HERE, local_id=image.id, ext=image.ext, earlier=True)

    async def _land_image(self, item: Incoming) -> Entry:
        entry = Entry(IMAGE, item.id, FAILED, source_url=item.source_url)
        work = self.svc.tmp_dir / f"import-{random_id(16)}"
        work.mkdir(parents=True)
        try:
            dest = work / "upload"
            failure = await item.fill(dest)
            if failure is not None:
                entry.outcome, entry.reason = failure
                return entry
            try:
                image, outcome = await self.svc.images.import_as(self.subject, dest, item.meta, item.id)
            except ImghostError as exc:  # not media, over a limit, ...
                entry.reason = exc.public
                return entry
            entry.outcome, entry.local_id, entry.ext = outcome, image.id, image.ext
            return entry
        finally:
            await asyncio.to_thread(shutil.rmtree, work, True)

    async def album(
        self, ident: str, fields: AlbumFields, image_ids: Sequence[str], *, created_at: int | None
    ) -> Entry:
        """One album, with those of its images (source ids) that landed, in order. Run again, it puts the
        order right again: an album already here is the one the state file names."""
        key = f"{ALBUM}:{ident}"
        rec = self.state.get(key)
        earlier = str(rec.get("local_id") or "") if rec else ""
        # The album an earlier run made, unless it has been deleted here since.
        wanted = earlier if earlier and await _find_album(self.svc.albums, earlier) else ident
        local = [self.local[f"{IMAGE}:{i}"] for i in image_ids if f"{IMAGE}:{i}" in self.local]
        cover = self.local.get(f"{IMAGE}:{fields.cover}") if fields.cover else None
        fields = AlbumFields(
            title=fields.title,
            description=fields.description,
            privacy=fields.privacy,
            layout=fields.layout,
            cover=cover,
            present=frozenset({"title", "description"}),
        )
        try:
            album, outcome = await self.svc.albums.import_as(
                self.subject, wanted, fields, local, created_at=created_at
            )
        except ImghostError as exc:
            entry = Entry(ALBUM, ident, FAILED, reason=exc.public)
        else:
            entry = Entry(ALBUM, ident, outcome, local_id=album.id, earlier=wanted == earlier)
            self.local[key] = album.id
            self.state.record(key, kind=ALBUM, outcome=entry.outcome, local_id=album.id)
            missing = len(image_ids) - len(local)
            if missing:
                entry.reason = f"{missing} of its {len(image_ids)} images did not come over"
        self.report.add(entry)
        self.step(entry.outcome)
        return entry

    async def favorites(self, images: Sequence[str], albums: Sequence[str]) -> None:
        """Favourite what the source account had favourited, where it exists here: its own images and
        albums under their local ids, anyone else's when this server holds that id."""
        done = already = missing = 0
        for kind, ids in ((IMAGE, images), (ALBUM, albums)):
            for ident in ids:
                local = self.local.get(f"{kind}:{ident}", ident)
                found = (
                    await self.svc.images.find(local)
                    if kind == IMAGE
                    else await _find_album(self.svc.albums, local)
                )
                if found is None:
                    missing += 1
                    continue
                service = self.svc.accounts if kind == IMAGE else self.svc.albums
                if await service.is_favorite(self.subject, local):
                    already += 1
                else:
                    await service.toggle_favorite(self.subject, local)
                    done += 1
        self.report.extra["favorites"] = {"set": done, "already_set": already, "not_here": missing}


async def _find_album(albums: AlbumService, album_id: str) -> Album | None:
    try:
        return await albums.get(album_id)
    except ImghostError:
        return None


# ---------------------------------------------------------------------------------------- reading


class ArchiveReader:
    """An archive written by DirectorySink (a directory) or ZipSink (a zip file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        if path.is_file():
            try:
                self.zip = zipfile.ZipFile(path)
            except zipfile.BadZipFile:
                raise ArchiveError(f"{path} is neither a directory nor a zip archive") from None
        elif not path.is_dir():
            raise ArchiveError(f"{path} does not exist")

    def open(self, name: str) -> IO[bytes]:
        if name != MANIFEST and not _FILE.fullmatch(name):
            raise ArchiveError(f"the manifest names a file outside images/: {name!r}")
        try:
            return self.zip.open(name) if self.zip is not None else open(self.path / name, "rb")
        except (KeyError, FileNotFoundError):
            raise ArchiveError(f"{name} is missing from the archive") from None

    def manifest(self) -> dict[str, Any]:
        try:
            with self.open(MANIFEST) as f:
                doc = json.loads(f.read(64 * 1024 * 1024))
        except ArchiveError:
            raise ArchiveError(f"no {MANIFEST}: not an archive, or its export did not finish") from None
        except ValueError:
            raise ArchiveError(f"{MANIFEST} is not valid JSON") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ArchiveError(f"{MANIFEST} is not an {FORMAT} manifest")
        version = doc.get("version")
        if not isinstance(version, int) or version > VERSION:
            raise ArchiveError(f"archive version {version!r}: this imghost reads up to version {VERSION}")
        return doc

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


async def read_archive(
    svc: ArchiveServices,
    reader: ArchiveReader,
    account: Account,
    *,
    state: StateFile,
    parallel: int = 4,
    step: Callable[[str], None] = lambda outcome: None,
    manifest: dict[str, Any] | None = None,
) -> Report:
    """Everything the archive holds, into `account`: settings, images (each file's sha256 checked),
    albums in manifest order, favourites, the avatar."""
    doc = manifest or reader.manifest()
    report = Report(f"import of archive {reader.path.name} into {account.username}")
    landing = Landing(svc, account, state=state, report=report, parallel=parallel, step=step)
    source = _dict(doc.get("account"))
    settings = _dict(source.get("settings"))
    values = {k: _setting(settings[k]) for k in SETTINGS if k in settings}
    if isinstance(source.get("bio"), str):
        values["bio"] = source["bio"]
    try:
        await svc.accounts.update_settings(account, values)
    except ImghostError as exc:
        report.notes.append(f"settings not carried over: {exc.public}")
    limit = svc.settings.max_upload_bytes
    incoming = [
        _from_manifest(reader, e, limit) for e in _list(doc.get("images")) if isinstance(e.get("id"), str)
    ]
    await landing.images(incoming)
    for a in _list(doc.get("albums")):
        if not isinstance(a.get("id"), str):
            continue
        fields = album_fields(a)
        ids = [i for i in a.get("images") or () if isinstance(i, str)]
        await landing.album(a["id"], fields, ids, created_at=_int(a.get("datetime")))
    favorites = _dict(doc.get("favorites"))
    await landing.favorites(
        [i for i in favorites.get("images") or () if isinstance(i, str)],
        [i for i in favorites.get("albums") or () if isinstance(i, str)],
    )
    avatar = _text(source.get("avatar"))
    if avatar and f"{IMAGE}:{avatar}" in landing.local:
        await svc.accounts.update_settings(account, {"avatar": landing.local[f"{IMAGE}:{avatar}"]})
    return report


def _from_manifest(reader: ArchiveReader, e: dict[str, Any], limit: int) -> Incoming:
    name, sha, size = str(e.get("file") or ""), str(e.get("sha256") or "").lower(), _int(e.get("size"))

    async def fill(dest: Path) -> tuple[str, str] | None:
        try:
            got, n = await asyncio.to_thread(_copy, reader, name, dest, limit)
        except ArchiveError as exc:
            return FAILED, exc.public
        except PayloadTooLarge:
            return FAILED, f"larger than the size limit ({limit} bytes)"
        if got != sha:
            return FAILED, f"{name}: sha256 {got} does not match the manifest's {sha or '(none)'}"
        if size is not None and n != size:
            return FAILED, f"{name}: {n} bytes, the manifest says {size}"
        return None

    meta = UploadMeta(
        title=_text(e.get("title")),
        description=_text(e.get("description")),
        name=(_text(e.get("name")) or "")[:255],
        created_at=_int(e.get("datetime")),
    )
    return Incoming(str(e["id"]), meta, fill, source_url=name)


def _copy(reader: ArchiveReader, name: str, dest: Path, limit: int) -> tuple[str, int]:
    """Copy a member to dest as an upload is written (metadata stripped on the way), hashing what the
    archive holds. Runs on a thread."""
    digest = hashlib.sha256()
    out = UploadWriter(dest)
    try:
        with reader.open(name) as f:
            while chunk := f.read(_CHUNK):
                if out.size + len(chunk) > limit:
                    raise PayloadTooLarge()
                digest.update(chunk)
                out.write(chunk)
    finally:
        out.close()
    return digest.hexdigest(), out.size


# ---------------------------------------------------------------------------------------- helpers


async def _paged(page: Callable[[int], Awaitable[Sequence[Any]]]) -> list[Any]:
    out: list[Any] = []
    for n in range(1_000_000):
        rows = await page(n)
        out.extend(rows)
        if len(rows) < _PAGE:
            break
    return out


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _settle(part: Path, path: Path, modified: int) -> None:
    os.utime(part, (modified, modified))
    os.replace(part, path)


def _setting(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    # An empty title or description stays empty: the source said "", not nothing.
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def album_fields(data: dict[str, Any]) -> AlbumFields:
    """An album's own fields as an Imgur API answer or a manifest gives them (the same keys)."""
    return AlbumFields(
        title=_text(data.get("title")),
        description=_text(data.get("description")),
        privacy=_text(data.get("privacy")),
        layout=_text(data.get("layout")),
        cover=_text(data.get("cover")),
    )
