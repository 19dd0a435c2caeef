"""The gallery: sharing images and albums as posts, listings, and votes on posts.

A vote is one transaction: the post's row is locked, the voter's old vote read and replaced, the
post's counts moved by the difference and its ranking scores (ranking.py) written again, so that any
number of voters at once leave exact counts. Counts are never recounted from scratch except for the
posts an account deletion touches (forget_account), which no live vote can race with: the account is
going away."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from imghost.auth import Subject
from imghost.db.database import Connection, Database, PostgresDatabase
from imghost.domain.accounts import repository as account_repo
from imghost.domain.accounts.model import Account
from imghost.domain.albums import repository as album_repo
from imghost.domain.gallery import account_rows, items, ranking
from imghost.domain.gallery import repository as repo
from imghost.domain.gallery.account_rows import GalleryProfile
from imghost.domain.gallery.items import GalleryItem
from imghost.domain.gallery.model import DOWN, UP, Listing, Post
from imghost.domain.images import repository as image_repo
from imghost.errors import (
    AlbumNotFound,
    Banned,
    Forbidden,
    GalleryItemNotFound,
    ImageNotFound,
    InvalidRequest,
    TermsNotAccepted,
)

TagHook = Callable[[Connection, Post, Sequence[str], int], Awaitable[None]]
VOTES = {"up": UP, "down": DOWN, "veto": 0}
COMMUNITY = re.compile(r"[A-Za-z0-9_]{2,32}")
MAX_TITLE = 255


@dataclass(frozen=True)
class ShareFields:
    title: str | None
    topic: str | None = None
    terms: bool = False
    mature: bool = False
    tags: Sequence[str] = ()
    community: str | None = None


def community_name(value: str | None) -> str | None:
    """A community's name as stored (lower case), or None; InvalidRequest when it cannot be one."""
    if value is None or not value.strip():
        return None
    name = value.strip().lower()
    name = name[2:] if name.startswith("r/") else name
    if not COMMUNITY.fullmatch(name):
        raise InvalidRequest("A community name is 2 to 32 letters, digits or underscores")
    return name


class GalleryService:
    def __init__(
        self,
        db: Database,
        *,
        viral_points: int = 10,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.viral_points = viral_points
        self.clock = clock
        self.postgresql = isinstance(db, PostgresDatabase)
        # Called inside the share transaction with (connection, post, tags, account id): the tag
        # service files the tags a share names.
        self.tag_hook: TagHook | None = None

    def now(self) -> int:
        return int(self.clock())

    # -------------------------------------------------------------------------------------- reads

    async def get(self, post_id: str) -> Post:
        post = await repo.get(self.db, post_id) if post_id.isascii() and post_id.isalnum() else None
        if post is None:
            raise GalleryItemNotFound(post_id)
        return post

    async def find(self, post_id: str) -> Post | None:
        return await repo.get(self.db, post_id) if post_id.isascii() and post_id.isalnum() else None

    async def many(self, post_ids: Sequence[str]) -> dict[str, Post]:
        return await repo.many(self.db, post_ids)

    async def shared_ids(self, item_ids: Sequence[str]) -> set[str]:
        return await repo.shared_ids(self.db, item_ids)

    async def listing(self, q: Listing) -> list[Post]:
        return await repo.listing(self.db, q, self.now(), viral_points=self.viral_points)

    async def listing_version(self) -> int:
        """Moves with every committed write that changes a visitor's listing, but votes (0013)."""
        return await repo.listing_version(self.db)

    def in_most_viral(self, post: Post) -> bool:
        return post.points >= self.viral_points

    async def items(
        self, subject: Subject, posts: Sequence[Post], *, album_images: str = "none"
    ) -> list[GalleryItem]:
        """The posts with what their gallery objects show (see items.load), in the same order."""
        return await items.load(self.db, subject, posts, album_images=album_images)

    async def item(self, subject: Subject, post_id: str, *, kind: str | None = None) -> GalleryItem:
        """One post as its own page shows it (an album with all its images). kind "image" or "album"
        asks for that kind only: the other is not found."""
        post = await self.get(post_id)
        if kind is not None and post.is_album != (kind == "album"):
            raise GalleryItemNotFound(post_id)
        found = await items.load(self.db, subject, [post], album_images="all")
        if not found:
            raise GalleryItemNotFound(post_id)
        return found[0]

    async def votes(self, post_id: str) -> dict[str, int]:
        post = await self.get(post_id)
        return {"ups": post.ups, "downs": post.downs}

    async def viewer_votes(self, subject: Subject, post_ids: Sequence[str]) -> dict[str, int]:
        if subject.account_id is None:
            return {}
        return await repo.votes_of(self.db, post_ids, subject.account_id)

    async def favorite_counts(self, posts: Sequence[Post]) -> dict[str, int]:
        return await repo.favorite_counts(self.db, posts)

    async def reputation(self, account_id: int) -> int:
        """Points of the account's posts and of its comments still standing: computed, so that no
        deletion anywhere (a cascade included) can leave it wrong."""
        value = await self.db.fetch_value(
            "SELECT COALESCE((SELECT SUM(points) FROM gallery_posts WHERE account_id = :a), 0)"
            " + COALESCE((SELECT SUM(points) FROM comments WHERE account_id = :a AND deleted = :no), 0)",
            {"a": account_id, "no": False},
        )
        return int(value or 0)

    # ------------------------------------------------------------------------------- account rows

    async def submissions(
        self, subject: Subject, account_id: int, *, sort: str, page: int, per_page: int
    ) -> list[Post]:
        """The account's posts (its own hidden ones only for itself): newest, oldest, best or worst."""
        return await account_rows.submissions(
            self.db,
            account_id,
            sort=sort,
            limit=per_page,
            offset=page * per_page,
            include_hidden=subject.owns(account_id),
        )

    async def likes(self, account_id: int, *, page: int, per_page: int) -> list[Post]:
        """The posts the account upvoted, the latest vote first."""
        return await account_rows.likes(self.db, account_id, limit=per_page, offset=page * per_page)

    async def gallery_favorites(
        self, subject: Subject, account_id: int, *, newest: bool, page: int, per_page: int
    ) -> list[Post]:
        """The account's favourites that are in the gallery, in the order they were favourited."""
        return await account_rows.favorites(
            self.db,
            account_id,
            newest=newest,
            limit=per_page,
            offset=page * per_page,
            include_hidden=subject.owns(account_id),
        )

    async def profile(self, account_id: int) -> GalleryProfile:
        return await account_rows.profile(self.db, account_id)

    # ------------------------------------------------------------------------------------- writes

    async def writer(self, subject: Subject) -> Account:
        """The signed-in account behind a write, or why it may not write."""
        if subject.account_id is None:
            raise Forbidden("This method requires authentication")
        account = await account_repo.by_id(self.db, subject.account_id)
        if account is None:
            raise Forbidden("This method requires authentication")
        if account.banned:
            raise Banned()
        return account

    async def share(self, subject: Subject, item_id: str, kind: str | None, fields: ShareFields) -> Post:
        """Put the subject's image or album in the gallery (kind "image", "album", or None: whichever
        the id is). Sharing again changes the post's title, topic, community and mature flag."""
        account = await self.writer(subject)
        title = (fields.title or "").strip()
        if not title:
            raise InvalidRequest("A title is required to share to the gallery")
        if len(title) > MAX_TITLE:
            raise InvalidRequest(f"Titles are at most {MAX_TITLE} characters")
        community = community_name(fields.community)
        is_album = await self._owned_item(account, item_id, kind)
        if not account.accepted_gallery_terms and not fields.terms:
            raise TermsNotAccepted()
        now = self.now()
        async with self.db.transaction() as tx:
            if not account.accepted_gallery_terms:
                await tx.execute(
                    "UPDATE accounts SET accepted_gallery_terms = :yes WHERE id = :a",
                    {"yes": True, "a": account.id},
                )
            topic_id = await self._topic_id(tx, fields.topic)
            existing = await repo.lock(tx, item_id)
            values = {
                "title": title,
                "topic_id": topic_id,
                "community": community,
                "mature": bool(fields.mature),
            }
            if existing is None:
                await repo.insert(
                    tx,
                    {
                        "id": item_id,
                        "image_id": None if is_album else item_id,
                        "album_id": item_id if is_album else None,
                        "account_id": account.id,
                        **values,
                        "shared_at": now,
                        "hot": ranking.hot(0, 0, now),
                        "rising": ranking.rising(0, 0, now),
                    },
                )
            else:
                await repo.update(tx, item_id, values)
            if is_album:
                # A post is public: hidden and secret albums become public when shared.
                await tx.execute(
                    "UPDATE albums SET privacy = 'public' WHERE id = :id AND privacy <> 'public'",
                    {"id": item_id},
                )
            post = await repo.get(tx, item_id)
            assert post is not None
            if self.tag_hook is not None and fields.tags:
                await self.tag_hook(tx, post, fields.tags, account.id)
        return await self.get(item_id)

    async def unshare(self, subject: Subject, post_id: str) -> None:
        """Take a post out of the gallery (the owner, or an admin); the image or album stays."""
        post = await self.get(post_id)
        await self._owner_or_admin(subject, post.account_id)
        async with self.db.transaction() as tx:
            names = await _tag_names(tx, post_id)
            await repo.delete(tx, post_id)
            await _recount_tags(tx, names)

    async def remove(self, post_id: str) -> None:
        """unshare without asking who: moderation's path, whose callers (an admin, the operator's
        command line) are already entitled to it."""
        await self.get(post_id)
        async with self.db.transaction() as tx:
            names = await _tag_names(tx, post_id)
            await repo.delete(tx, post_id)
            await _recount_tags(tx, names)

    async def vote(self, subject: Subject, post_id: str, vote: str) -> None:
        value = VOTES.get(vote.lower())
        if value is None:
            raise InvalidRequest("A vote is up, down or veto")
        # No read of the account before the transaction (writer() would make one): the edge refused a
        # banned token's write already, and the transaction's first statement checks the ban again, on
        # the row it holds. A vote storm is this method's load, and each statement is a round trip at
        # scale.
        account_id = subject.account_id
        if account_id is None:
            raise Forbidden("This method requires authentication")
        now = self.now()
        async with self.db.transaction() as tx:
            # The voter's row first (forget_account takes it in the same order): a vote that lost the
            # race to the account's deletion is refused here rather than counted and left behind. On
            # PostgreSQL, where each statement is a round trip to another process, the voter's row
            # (shared) and the post's are taken by one statement and the vote and the new counts are
            # written by one: three statements in the transaction where there were six.
            if self.postgresql:
                counts = await repo.lock_counts_for_voter(tx, post_id, account_id)
                if counts is None and not await _may_write(tx, account_id):
                    raise Banned()
            else:
                if not await _lock_writer(tx, account_id):
                    raise Banned()
                counts = await repo.lock_counts(tx, post_id)
            if counts is None:
                raise GalleryItemNotFound(post_id)
            # A statement of its own, after the post's row is held: it sees a vote that the same
            # account's other request committed while this one waited for that row.
            old = await repo.vote_of(tx, post_id, account_id)
            if old == value:
                return
            ups, downs, shared_at = counts
            ups += (value == UP) - (old == UP)
            downs += (value == DOWN) - (old == DOWN)
            scores = _scores(ups, downs, shared_at)
            if self.postgresql:
                await repo.cast(tx, post_id, account_id, value, now, scores)
            else:
                await repo.set_vote(tx, post_id, account_id, value, now)
                await repo.update(tx, post_id, scores)

    # -------------------------------------------------------------------------------- cascades

    async def forget_account(self, account_id: int) -> None:
        """Before an account is deleted: take its votes out of the counts of the posts it voted on
        (its own posts go with it by cascade)."""
        async with self.db.transaction() as tx:
            # From here on the account writes nothing more (vote checks this inside its transaction):
            # its deletion follows this hook in a transaction of its own.
            await tx.execute(
                "UPDATE accounts SET banned = :yes WHERE id = :a", {"yes": True, "a": account_id}
            )
            voted = [
                r["post_id"]
                for r in await tx.fetch_all(
                    "SELECT v.post_id FROM gallery_votes v JOIN gallery_posts p ON p.id = v.post_id"
                    " WHERE v.account_id = :a AND p.account_id <> :a",
                    {"a": account_id},
                )
            ]
            own = [
                r["id"]
                for r in await tx.fetch_all(
                    "SELECT id FROM gallery_posts WHERE account_id = :a", {"a": account_id}
                )
            ]
            # Every post this transaction will touch, locked up front in id order (the order the
            # comments' hook takes too): two accounts deleted at once, each having voted on the
            # other's posts, would otherwise take the same rows in opposite orders and deadlock.
            for post_id in sorted({*voted, *own}):
                await repo.lock(tx, post_id)
            await tx.execute("DELETE FROM gallery_votes WHERE account_id = :a", {"a": account_id})
            for post_id in voted:
                await recount(tx, post_id)
            # Its own posts, with the tags' stored counts right after them.
            names: set[str] = set()
            for post_id in own:
                names.update(await _tag_names(tx, post_id))
            await tx.execute("DELETE FROM gallery_posts WHERE account_id = :a", {"a": account_id})
            await _recount_tags(tx, sorted(names))

    # --------------------------------------------------------------------------------- helpers

    async def _owned_item(self, account: Account, item_id: str, kind: str | None) -> bool:
        """Whether item_id is an album (else an image) of this account; raises when it is neither."""
        if kind in (None, "image"):
            image = (
                await image_repo.get(self.db, item_id) if item_id.isascii() and item_id.isalnum() else None
            )
            if image is not None:
                if image.account_id != account.id:
                    raise Forbidden("Only the owner can share this image")
                return False
            if kind == "image":
                raise ImageNotFound(item_id)
        album = await album_repo.get(self.db, item_id) if item_id.isascii() and item_id.isalnum() else None
        if album is None:
            raise AlbumNotFound(item_id) if kind == "album" else GalleryItemNotFound(item_id)
        if album.account_id != account.id:
            raise Forbidden("Only the owner can share this album")
        if album.images_count == 0:
            raise InvalidRequest("An empty album cannot be shared")
        return True

    async def _owner_or_admin(self, subject: Subject, owner_id: int) -> Account:
        account = await self.writer(subject)
        if account.id != owner_id and not account.is_admin:
            raise Forbidden()
        return account

    async def _topic_id(self, tx: Connection, topic: str | None) -> int | None:
        """A topic named by id or name (spaces or underscores); an unknown one is no topic."""
        if not topic or not topic.strip():
            return None
        value = topic.strip()
        if value.isdigit():
            found = await tx.fetch_value("SELECT id FROM topics WHERE id = :id", {"id": int(value)})
        else:
            found = await tx.fetch_value(
                "SELECT id FROM topics WHERE LOWER(name) = :n", {"n": value.replace("_", " ").lower()}
            )
        return None if found is None else int(found)


async def _tag_names(tx: Connection, post_id: str) -> list[str]:
    rows = await tx.fetch_all("SELECT tag FROM post_tags WHERE post_id = :p", {"p": post_id})
    return sorted(r["tag"] for r in rows)


async def _recount_tags(tx: Connection, names: Sequence[str]) -> None:
    """The stored counts of these tags from their rows, one tag at a time in name order: the order
    the tag service locks them in, so that two transactions never wait on each other in a circle."""
    for name in sorted(names):
        await tx.execute(
            "UPDATE tags SET total_items = (SELECT COUNT(*) FROM post_tags pt WHERE pt.tag = tags.name)"
            " WHERE name = :n",
            {"n": name},
        )


def _scores(ups: int, downs: int, shared_at: int) -> dict[str, object]:
    return {
        "ups": ups,
        "downs": downs,
        "points": ups - downs,
        "hot": ranking.hot(ups, downs, shared_at),
        "rising": ranking.rising(ups, downs, shared_at),
    }


async def _lock_writer(tx: Connection, account_id: int) -> bool:
    """Hold the account's row for this transaction; False when it is banned or gone by now."""
    changed = await tx.execute(
        "UPDATE accounts SET banned = banned WHERE id = :a AND banned = :no", {"a": account_id, "no": False}
    )
    return bool(changed)


async def _may_write(tx: Connection, account_id: int) -> bool:
    """Whether the account is there and not banned (why lock_counts_for_voter found nothing)."""
    value = await tx.fetch_value(
        "SELECT 1 FROM accounts WHERE id = :a AND banned = :no", {"a": account_id, "no": False}
    )
    return value is not None


async def recount(tx: Connection, post_id: str) -> None:
    """A post's vote counts and scores from its votes (after votes went away without a vote call)."""
    post = await repo.lock(tx, post_id)
    if post is None:
        return
    row = await tx.fetch_one(
        "SELECT COALESCE(SUM(CASE WHEN vote > 0 THEN 1 ELSE 0 END), 0) AS ups,"
        " COALESCE(SUM(CASE WHEN vote < 0 THEN 1 ELSE 0 END), 0) AS downs FROM gallery_votes WHERE post_id = :p",
        {"p": post_id},
    )
    assert row is not None
    await repo.update(tx, post_id, _scores(int(row["ups"]), int(row["downs"]), post.shared_at))
