"""Comments on gallery posts: threads, votes, deletion, and the events new comments announce.

Every change to a post's comment tree (a new comment, a deletion, an account's comments going) runs
in one transaction that first locks the post's row, so trees stay consistent under any number of
concurrent replies and deletes: a reply never lands under a parent that a concurrent delete removed,
and the post's comment_count (its comments that are not deleted) is exact. A vote locks only its
comment's row, like a gallery vote locks its post's.

A deleted comment that has replies stays in the tree as "[deleted]" (its author hidden); one without
replies is removed, and with it every deleted ancestor that it left without replies.

The per-account rate limit is counted from the comments table (the account's comments of the last
hour), under a lock of the account's row so that concurrent comments cannot pass it together."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable

from imghost.auth import Subject
from imghost.db.database import Connection, Database
from imghost.domain.comments import repository as repo
from imghost.domain.comments import tree
from imghost.domain.comments.model import ACCOUNT_SORTS, DELETED, POST_SORTS, Comment, Thread
from imghost.domain.events import CommentPosted, DomainEvent, Events, ReplyPosted
from imghost.domain.gallery import ranking
from imghost.domain.gallery import repository as gallery_repo
from imghost.domain.gallery.model import DOWN, UP
from imghost.domain.gallery.service import GalleryService
from imghost.domain.text import clean
from imghost.errors import (
    Banned,
    CommentNotFound,
    CommentRateLimited,
    Forbidden,
    GalleryItemNotFound,
    InvalidRequest,
)
from imghost.ids import row_number

VOTES = {"up": UP, "down": DOWN, "veto": 0}
PER_PAGE = 50
HOUR = 3600
PLATFORM = re.compile(r"[a-z0-9_-]{1,16}")


def comment_id(value: str | int) -> int:
    """A comment id from a path segment; CommentNotFound when it cannot be one."""
    number = row_number(value)
    if number is None:
        raise CommentNotFound(value)
    return number


class CommentService:
    def __init__(
        self,
        db: Database,
        gallery: GalleryService,
        events: Events,
        *,
        clock: Callable[[], float] = time.time,
        max_length: int = 10_000,
        per_hour: int = 120,
    ) -> None:
        self.db = db
        self.gallery = gallery
        self.events = events
        self.clock = clock
        self.max_length = max_length
        self.per_hour = per_hour  # 0: no limit
        # Called with a comment's id once it is deleted (kept as "[deleted]" or gone): the notifications
        # service forgets the comment's notifications.
        self.after_remove: list[Callable[[int], Awaitable[None]]] = []

    def now(self) -> int:
        return int(self.clock())

    # -------------------------------------------------------------------------------------- reads

    async def find(self, value: str | int) -> Comment:
        found = await repo.get(self.db, comment_id(value))
        if found is None:
            raise CommentNotFound(value)
        return found

    async def get(self, subject: Subject, value: str | int, *, sort: str = "best") -> Thread:
        """One comment with every reply beneath it, as a tree."""
        found = await self.find(value)
        threads = tree.build(await repo.subtree(self.db, found.id), sort, root=found.parent_id, show=found.id)
        if not threads:
            raise CommentNotFound(value)
        return (await self._decorate(subject, threads))[0]

    async def replies(self, subject: Subject, value: str | int) -> Thread:
        """The comment with its replies in `children` (GET /comment/{id}/replies)."""
        return await self.get(subject, value)

    async def in_post(self, subject: Subject, post_id: str, value: str | int) -> Thread:
        """A comment asked for through its post (/gallery/{id}/comment/{cid}): on another post it is
        not found."""
        post = await self.gallery.get(post_id)
        found = await self.get(subject, value)
        if found.comment.post_id != post.id:
            raise CommentNotFound(value)
        return found

    async def of_post(
        self, subject: Subject, post_id: str, sort: str = "best", page: int | None = None
    ) -> list[Thread]:
        """A post's comments as trees, each level sorted by `sort` (best, top or new). With a page,
        PER_PAGE top-level threads of it (clients page until they get an empty list)."""
        post = await self.gallery.get(post_id)
        sort = sort if sort in POST_SORTS else "best"
        threads = tree.build(await repo.of_post(self.db, post.id), sort)
        if page is not None:
            threads = threads[page * PER_PAGE : (page + 1) * PER_PAGE]
        return await self._decorate(subject, threads)

    async def post_ids(self, post_id: str) -> list[int]:
        """The ids of the post's comments that are not deleted, in reading order (best first)."""
        post = await self.gallery.get(post_id)
        threads = tree.build(await repo.of_post(self.db, post.id), "best")
        kept = {t.comment.id for t in tree.walk(threads) if not t.comment.deleted}
        return [i for i in tree.flatten_ids(threads) if i in kept]

    async def changes(self, post_id: str) -> tuple[object, ...]:
        """A summary of the post's comments (one aggregate row) that a new comment, a vote, a
        deletion, a moderator's hiding or an author's leaving moves: what a page of them is kept by."""
        return await repo.changes(self.db, post_id)

    async def post_count(self, post_id: str) -> int:
        return (await self.gallery.get(post_id)).comment_count

    async def of_account(
        self, subject: Subject, account_id: int, sort: str = "newest", page: int = 0
    ) -> list[Thread]:
        """The account's comments still standing, PER_PAGE at a time, without their replies."""
        rows = await repo.of_account(
            self.db, account_id, _account_sort(sort), limit=PER_PAGE, offset=max(page, 0) * PER_PAGE
        )
        return await self._decorate(subject, [Thread(c) for c in rows])

    async def account_ids(self, account_id: int, sort: str = "newest", page: int = 0) -> list[int]:
        return await repo.ids_of_account(
            self.db, account_id, _account_sort(sort), limit=PER_PAGE, offset=max(page, 0) * PER_PAGE
        )

    async def account_count(self, account_id: int) -> int:
        return await repo.count_of_account(self.db, account_id)

    async def of_account_one(self, subject: Subject, account_id: int, value: str | int) -> Thread:
        """One of the account's comments (/account/{u}/comment/{id}): anyone else's is not found."""
        found = await self.find(value)
        if found.account_id != account_id or found.deleted:
            raise CommentNotFound(value)
        return await self.get(subject, found.id)

    async def _decorate(self, subject: Subject, threads: list[Thread]) -> list[Thread]:
        """The viewer's votes and the albums' covers, for every thread of these trees at once."""
        every = tree.walk(threads)
        if not every:
            return threads
        votes: dict[int, int] = {}
        if subject.account_id is not None:
            votes = await repo.votes_of(self.db, [t.comment.id for t in every], subject.account_id)
        covers = await repo.album_covers(
            self.db, sorted({t.comment.post_id for t in every if t.comment.on_album})
        )
        for t in every:
            t.vote = votes.get(t.comment.id, 0)
            t.album_cover = covers.get(t.comment.post_id) if t.comment.on_album else None
        return threads

    # ------------------------------------------------------------------------------------- writes

    async def create(
        self,
        subject: Subject,
        post_id: str,
        body: str | None,
        parent_id: str | int | None = None,
        *,
        platform: str | None = None,
    ) -> Comment:
        """A comment on a gallery post, or a reply to one of its comments (parent_id). Without a
        post id a reply goes on its parent's post."""
        account = await self.gallery.writer(subject)
        text = (clean(body) or "").strip()
        if not text:
            raise InvalidRequest("A comment cannot be empty")
        if len(text) > self.max_length:
            raise InvalidRequest(f"Comments are at most {self.max_length} characters")
        parent = None
        if parent_id not in (None, "", "0", 0):
            assert parent_id is not None
            parent = await self.find(parent_id)
            post_id = post_id or parent.post_id
        post = await self.gallery.get(post_id or "")
        if parent is not None:
            if parent.post_id != post.id:
                raise InvalidRequest("The parent comment is on another post")
            if parent.deleted:
                raise InvalidRequest("A deleted comment cannot be replied to")
            if await repo.depth(self.db, parent.id) + 1 >= tree.MAX_DEPTH:
                raise InvalidRequest(f"Replies nest at most {tree.MAX_DEPTH} deep")
        now = self.now()
        async with self.db.transaction() as tx:
            # The author's row first, then the post's (the order of every write here and in the
            # gallery): its concurrent comments are counted one after the other, and a comment that
            # lost the race to a ban or to the account's deletion is refused.
            if not await repo.lock_writer(tx, account.id):
                raise Banned()
            await self._check_rate(tx, account.id, now)
            locked = await gallery_repo.lock(tx, post.id)
            if locked is None:
                raise GalleryItemNotFound(post.id)
            if parent is not None:
                current = await repo.get(tx, parent.id)
                if current is None:
                    raise CommentNotFound(parent.id)
                if current.deleted:
                    raise InvalidRequest("A deleted comment cannot be replied to")
            new_id = await repo.insert(
                tx,
                {
                    "post_id": post.id,
                    "account_id": account.id,
                    "parent_id": None if parent is None else parent.id,
                    "body": text,
                    "platform": _platform(platform),
                    "created_at": now,
                },
            )
            await repo.bump_post(tx, post.id)
        event: DomainEvent
        if parent is None:
            event = CommentPosted(
                comment_id=new_id, post_id=post.id, post_owner_id=locked.account_id, author_id=account.id
            )
        else:
            event = ReplyPosted(
                comment_id=new_id,
                parent_id=parent.id,
                parent_author_id=parent.account_id,
                author_id=account.id,
                post_id=post.id,
            )
        await self.events.publish(event)
        return await self.find(new_id)

    async def _check_rate(self, tx: Connection, account_id: int, now: int) -> None:
        if self.per_hour <= 0:
            return
        made, oldest = await repo.recent_of_account(tx, account_id, now - HOUR)
        if made >= self.per_hour and oldest is not None:
            raise CommentRateLimited(max(oldest + HOUR - now, 1))

    async def delete(self, subject: Subject, value: str | int) -> None:
        """Delete a comment: its author, or an admin."""
        account = await self.gallery.writer(subject)
        found = await self.find(value)
        if found.deleted:
            raise CommentNotFound(value)
        if found.account_id != account.id and not account.is_admin:
            raise Forbidden("Only the author of a comment can delete it")
        await self.remove(found.id)

    async def delete_of_account(self, subject: Subject, account_id: int, value: str | int) -> None:
        """DELETE /account/{u}/comment/{id}: one of the account's own comments."""
        found = await self.find(value)
        if found.account_id != account_id or found.deleted:
            raise CommentNotFound(value)
        await self.delete(subject, found.id)

    async def remove(self, value: str | int) -> None:
        """Delete a comment without asking who (the operator's CLI, an admin's review)."""
        found = await self.find(value)
        async with self.db.transaction() as tx:
            if await gallery_repo.lock(tx, found.post_id) is None:
                raise CommentNotFound(value)
            current = await repo.get(tx, found.id)
            if current is None or current.deleted:
                raise CommentNotFound(value)
            if await repo.has_replies(tx, current.id):
                await repo.mark_deleted(tx, current.id, DELETED)
            else:
                await repo.remove(tx, current.id)
                await repo.prune(tx, [current.post_id])
            await repo.recount_post(tx, current.post_id)
        for hook in self.after_remove:
            await hook(current.id)

    async def vote(self, subject: Subject, value: str | int, vote: str) -> None:
        """up, down or veto (takes the vote back); one vote per account, a new one replaces the old."""
        wanted = VOTES.get(vote.lower())
        if wanted is None:
            raise InvalidRequest("A vote is up, down or veto")
        account = await self.gallery.writer(subject)
        number = comment_id(value)
        now = self.now()
        async with self.db.transaction() as tx:
            if not await repo.lock_writer(tx, account.id):
                raise Banned()
            found = await repo.lock(tx, number)
            if found is None:
                raise CommentNotFound(value)
            if found.deleted:
                raise InvalidRequest("A deleted comment cannot be voted on")
            old = await repo.vote_of(tx, number, account.id)
            if old == wanted:
                return
            await repo.set_vote(tx, number, account.id, wanted, now)
            ups = found.ups + (wanted == UP) - (old == UP)
            downs = found.downs + (wanted == DOWN) - (old == DOWN)
            await repo.set_scores(tx, number, _scores(ups, downs))

    # -------------------------------------------------------------------------------- cascades

    async def forget_account(self, account_id: int) -> None:
        """Before an account is deleted: its comment votes leave the counts, and its comments go
        (those with replies stay as deleted, nobody's); the posts' comment counts follow."""
        async with self.db.transaction() as tx:
            # From here on the account writes nothing more (create and vote check this inside their
            # transactions); its deletion follows in a transaction of its own.
            await repo.stop_writer(tx, account_id)
            voted = await repo.voted_by(tx, account_id)
            commented = await repo.posts_commented_by(tx, account_id)
            # Posts first, in one order, then comments: the order every tree change takes locks in.
            for post_id in sorted(set(commented) | await repo.posts_of(tx, voted)):
                await gallery_repo.lock(tx, post_id)
            await repo.drop_votes_of(tx, account_id)
            for number in voted:
                if await repo.lock(tx, number) is not None:
                    await repo.set_scores(tx, number, _scores(*await repo.tally(tx, number)))
            await repo.disown(tx, account_id, DELETED)
            await repo.prune(tx, commented)
            for post_id in commented:
                await repo.recount_post(tx, post_id)


def _scores(ups: int, downs: int) -> dict[str, object]:
    return {"ups": ups, "downs": downs, "points": ups - downs, "best": ranking.wilson(ups, downs)}


def _account_sort(sort: str) -> str:
    sort = (sort or "").lower()
    return sort if sort in ACCOUNT_SORTS else "newest"


def _platform(value: str | None) -> str:
    name = (value or "").strip().lower()
    return name if PLATFORM.fullmatch(name) else "api"
