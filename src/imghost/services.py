"""The composition root's product: every long-lived service, built once from Settings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from imghost.client_ip import ClientAddresses
from imghost.db.database import Database, PostgresDatabase, SqliteDatabase, asyncpg_dsn
from imghost.delivery.cache import DeliveryCache
from imghost.delivery.invalidation import FileInvalidator, RedisInvalidator
from imghost.domain.accounts import captcha
from imghost.domain.accounts.model import Account
from imghost.domain.accounts.service import AccountService
from imghost.domain.albums.service import AlbumService
from imghost.domain.clients.service import ClientService
from imghost.domain.comments.service import CommentService
from imghost.domain.credits.service import CreditService, RateLimits
from imghost.domain.events import Events
from imghost.domain.exports.service import ExportService, Progress
from imghost.domain.gallery.service import GalleryService
from imghost.domain.images.heavy import HeavyPool
from imghost.domain.images.into_album import UploadService
from imghost.domain.images.service import ImageService
from imghost.domain.images.views import ViewCounter
from imghost.domain.messages.service import MessageService
from imghost.domain.moderation.service import ModerationService
from imghost.domain.notifications.live import LiveFeed
from imghost.domain.notifications.service import NotificationService
from imghost.domain.oauth.service import OAuthService
from imghost.domain.search.service import SearchService
from imghost.domain.sessions.service import SessionService
from imghost.domain.tags.service import TagService
from imghost.domain.topics.communities import CommunityService
from imghost.domain.topics.service import TopicService
from imghost.locks.base import LockService
from imghost.media.child import ChildLimits
from imghost.media.ingest import Work
from imghost.media.limits import MediaLimits
from imghost.ratelimit.base import RateLimiter
from imghost.settings import Settings
from imghost.storage.base import BlobStore
from imghost.tmpdirs import ProcessTmp

log = logging.getLogger(__name__)


def open_database(settings: Settings) -> Database:
    url = settings.database_url
    if url.startswith("postgres"):
        return PostgresDatabase(asyncpg_dsn(url))
    path = Path(url.split("///", 1)[1]) if url.startswith("sqlite") else settings.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteDatabase(path)


def open_store(settings: Settings) -> BlobStore:
    if settings.storage_url:
        from imghost.storage.s3 import S3Store

        return S3Store.from_url(
            settings.storage_url,
            endpoint_url=settings.s3_endpoint_url,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key.get_secret_value(),
            region=settings.s3_region,
        )
    from imghost.storage.local import LocalStore

    return LocalStore(settings.data_dir / "media")


def open_locks(settings: Settings) -> LockService:
    if settings.redis_url:
        from imghost.locks.redis import RedisLocks

        return RedisLocks(settings.redis_url, prefix=f"{settings.redis_prefix}lock:")
    from imghost.locks.local import FileLocks

    return FileLocks(settings.data_dir / "locks")


def open_limiter(settings: Settings) -> RateLimiter:
    if settings.redis_url:
        from imghost.ratelimit.redis import RedisRateLimiter

        return RedisRateLimiter(settings.redis_url, prefix=settings.redis_prefix)
    from imghost.ratelimit.memory import MemoryRateLimiter

    return MemoryRateLimiter()


@dataclass
class Services:
    settings: Settings
    db: Database
    store: BlobStore
    locks: LockService
    limiter: RateLimiter
    clients: ClientService
    credits: CreditService
    images: ImageService
    uploads: UploadService
    accounts: AccountService
    albums: AlbumService
    oauth: OAuthService
    sessions: SessionService
    exports: ExportService
    gallery: GalleryService
    views: ViewCounter
    delivery_cache: DeliveryCache
    tmp_dir: Path
    invalidator: FileInvalidator | RedisInvalidator
    addresses: ClientAddresses
    # Where the community's facts are announced (domain/events.py), and the comments that announce them.
    events: Events = field(init=False)
    comments: CommentService = field(init=False)
    # Private messages and blocks: through the gallery service (who may write) and the events.
    messages: MessageService = field(init=False)
    # Notifications: made from the events of the comments and the messages.
    notifications: NotificationService = field(init=False)
    # Who hears of a change to an account's notifications as it happens (the event streams).
    live: LiveFeed = field(init=False)
    # Built after the rest: it works through the gallery service.
    moderation: ModerationService = field(init=False)
    # Tags, topics and communities: built after the gallery, which they list through.
    tags: TagService = field(init=False)
    topics: TopicService = field(init=False)
    communities: CommunityService = field(init=False)
    # Gallery search: through the gallery service too.
    search: SearchService = field(init=False)
    _flusher: asyncio.Task[None] | None = None
    _process_tmp: ProcessTmp | None = None

    @classmethod
    async def start(cls, settings: Settings) -> Services:
        db = open_database(settings)
        if isinstance(db, PostgresDatabase):
            await db.connect()
        store = open_store(settings)
        ensure = getattr(store, "ensure_bucket", None)
        if ensure is not None:
            await ensure()
        locks = open_locks(settings)
        # This process's own temporary directory; those of processes that died mid-upload are removed.
        process_tmp = ProcessTmp(settings.data_dir / "tmp")
        tmp_dir = process_tmp.path
        views = ViewCounter()
        delivery_cache = DeliveryCache(
            row_ttl=settings.row_cache_seconds,
            max_bytes=settings.memory_cache_bytes,
            max_object=settings.memory_cache_max_object,
        )
        invalidator: FileInvalidator | RedisInvalidator = (
            RedisInvalidator(settings.redis_url, f"{settings.redis_prefix}invalidate", delivery_cache)
            if settings.redis_url
            else FileInvalidator(settings.data_dir / "invalidate.stamp", delivery_cache)
        )
        limits = MediaLimits(
            settings.max_image_bytes,
            settings.max_video_bytes,
            settings.max_pixels,
            settings.max_animation_pixels,
            settings.max_frames,
            settings.max_side,
            max_video_seconds=settings.max_video_seconds,
            max_video_frames=settings.max_video_frames,
            max_video_pixel_rate=settings.max_video_pixel_rate,
        )
        limiter = open_limiter(settings)
        work = Work(
            settings.ffmpeg_timeout,
            ChildLimits(
                settings.media_cpu_seconds,
                settings.media_memory_bytes,
                settings.media_threads,
                settings.media_nice,
            ),
        )
        images = ImageService(
            db,
            store,
            locks,
            limits=limits,
            tmp_dir=tmp_dir,
            ffmpeg_timeout=settings.ffmpeg_timeout,
            views=views,
            on_removed=invalidator.publish,
            work=work,
            heavy=HeavyPool(settings.media_workers, settings.media_queue),
        )
        albums = AlbumService(db)
        svc = cls(
            settings=settings,
            db=db,
            store=store,
            locks=locks,
            limiter=limiter,
            clients=ClientService(db),
            credits=CreditService(
                limiter,
                RateLimits(
                    settings.rate_limit_user,
                    settings.rate_limit_client,
                    settings.rate_limit_post,
                    settings.upload_cost,
                ),
            ),
            images=images,
            uploads=UploadService(images, albums),
            accounts=AccountService(
                db,
                images,
                limiter,
                registration=settings.registration,
                captcha=captcha.build(
                    settings.captcha_provider,
                    settings.captcha_secret.get_secret_value(),
                    settings.captcha_verify_url,
                ),
                login_attempts=settings.login_attempts,
                login_window=settings.login_window,
                login_slowdown=settings.login_slowdown,
            ),
            albums=albums,
            oauth=OAuthService(
                db, token_lifetime=settings.token_lifetime, code_lifetime=settings.oauth_code_lifetime
            ),
            sessions=SessionService(db, lifetime=settings.session_days * 86400),
            exports=ExportService(db, store, tmp_dir),
            gallery=GalleryService(db, viral_points=settings.gallery_viral_points),
            views=views,
            delivery_cache=delivery_cache,
            tmp_dir=tmp_dir,
            invalidator=invalidator,
            addresses=ClientAddresses(
                trust_forwarded=settings.trust_forwarded, trusted_proxies=settings.trusted_proxies
            ),
        )
        svc._process_tmp = process_tmp
        await invalidator.start()
        svc._flusher = asyncio.create_task(svc._flush_loop())
        svc.exports.writer = svc._write_archive
        # The community's rows that counts elsewhere include go first, through their services.
        svc.accounts.before_delete.append(svc.gallery.forget_account)
        svc.events = Events()
        svc.comments = CommentService(
            db,
            svc.gallery,
            svc.events,
            max_length=settings.comment_max_length,
            per_hour=settings.comments_per_hour,
        )
        svc.accounts.before_delete.append(svc.comments.forget_account)
        svc.moderation = ModerationService(db, svc.gallery, hide_threshold=settings.report_hide_threshold)
        svc.accounts.before_delete.append(svc.moderation.forget_account)
        svc.messages = MessageService(
            db,
            svc.gallery,
            svc.events,
            max_length=settings.message_max_length,
            per_hour=settings.messages_per_hour,
            conversations_per_hour=settings.conversations_per_hour,
        )
        svc.messages.reporter = svc.moderation.report_sender
        svc.notifications = NotificationService(db, svc.events, svc.comments)
        svc.messages.after_block.append(svc.notifications.forget_from)
        svc.live = LiveFeed(
            stamp=settings.data_dir / "notify.stamp",
            redis_url=settings.redis_url,
            channel=f"{settings.redis_prefix}notify",
            per_account=settings.notify_streams_per_account,
            lifetime=settings.notify_stream_seconds,
            heartbeat=settings.notify_heartbeat_seconds,
            poll=settings.notify_poll_seconds,
        )
        svc.notifications.listeners.append(svc.live.publish)
        await svc.live.start()
        svc.accounts.before_delete.append(svc.messages.forget_account)
        svc.tags = TagService(db, svc.gallery)
        svc.topics = TopicService(db, svc.gallery)
        svc.communities = CommunityService(svc.gallery)
        svc.search = SearchService(db, svc.gallery)
        svc.gallery.tag_hook = svc.tags.file_tags
        svc.accounts.before_delete.append(svc.tags.forget_account)
        # Deleting an image or album takes its post by cascade: its tags leave the stored counts first.
        svc.images.before_delete.append(svc.tags.forget_post)
        svc.albums.before_delete.append(svc.tags.forget_post)
        # An admin's or the operator's removal deletes a comment as its author's delete would.
        svc.moderation.comment_remover = svc.comments.remove
        return svc

    async def _write_archive(self, account: Account, path: Path, progress: Progress) -> None:
        """The "download my data" archive: the format of `imghost export`, as one zip file."""
        from imghost.domain.imports import archive

        await archive.write_zip(self, account, path, progress)

    async def health(self) -> None:
        """Raises (ServiceUnavailable) when the database does not answer."""
        await self.db.fetch_value("SELECT 1")

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.views_flush_seconds)
            try:
                await self.views.flush(self.db)
            except Exception:
                log.exception("view flush failed")

    async def close(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        with contextlib.suppress(Exception):
            await self.views.flush(self.db)
        live = getattr(self, "live", None)
        if live is not None:
            await live.close()
        for closer in (
            self.exports.close,
            self.invalidator.close,
            self.limiter.close,
            self.locks.close,
            self.store.close,
            self.db.close,
        ):
            with contextlib.suppress(Exception):
                await closer()
        self.images.close()
        if self._process_tmp is not None:
            self._process_tmp.close()


# ---------------------------------------------------------------- for the operator CLI


def upgrade_database(settings: Settings) -> None:
    """Apply every migration (`imghost serve` and `imghost db upgrade`)."""
    from imghost.db import migrate

    migrate.upgrade(settings)


def ensure_database(settings: Settings) -> None:
    """Migrate only if the database is behind (every other command)."""
    from imghost.db import migrate

    migrate.ensure(settings)


async def count_clients(settings: Settings) -> int:
    """Registered applications, without starting the rest of the services."""
    db = open_database(settings)
    try:
        return await ClientService(db).count()
    finally:
        await db.close()
