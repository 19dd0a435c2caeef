"""Tags: what posts carry, what people vote on and follow, and the tag listings.

A tag's name is lower case, without a leading '#', 1 to 64 letters, digits, underscores or hyphens;
its display name is the spelling it was first given. Where a caller names tags on purpose (POST
/3/gallery/tags/{id}, a tag vote) a name that cannot be one is refused; in the comma list of a share
it is dropped, so that a share never fails over its tags, as Imgur's clients expect.

The owner (or an admin) names a post's tags; naming them again replaces them, and a tag that stays
keeps its votes and its author. Every account may vote on each tag of a post once (up or down; again
replaces, veto takes it back); the post's tag row is locked first, so that any number of voters at
once leave exact counts."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Sequence

from imghost.auth import Subject
from imghost.db.database import Connection, Database
from imghost.domain.gallery import repository as gallery_repo
from imghost.domain.gallery.items import GalleryItem
from imghost.domain.gallery.model import DOWN, UP, Listing, Post
from imghost.domain.gallery.service import GalleryService
from imghost.domain.tags import repository as repo
from imghost.domain.tags.model import Tag, TagVote, tag_name
from imghost.errors import (
    Forbidden,
    GalleryItemNotFound,
    InvalidRequest,
    NotFollowingTag,
    PostTagNotFound,
    TagNotFound,
)

MAX_TAGS = 20  # on one post
POPULAR = 50  # tags on /3/tags
VOTES = {"up": UP, "down": DOWN, "veto": 0}


def parse_tags(values: Iterable[str], *, strict: bool) -> list[tuple[str, str]]:
    """(name, display name) of each tag named, duplicates dropped, first spelling kept. strict: a name
    that cannot be a tag, or too many, is an InvalidRequest; otherwise they are dropped."""
    found: dict[str, tuple[str, str]] = {}
    for raw in values:
        parsed = tag_name(raw)
        if parsed is None:
            if strict:
                raise InvalidRequest("A tag is 1 to 64 letters, digits, underscores or hyphens")
            continue
        found.setdefault(parsed[0], parsed)
    if len(found) > MAX_TAGS and strict:
        raise InvalidRequest(f"A post carries at most {MAX_TAGS} tags")
    return list(found.values())[:MAX_TAGS]


class TagService:
    def __init__(
        self, db: Database, gallery: GalleryService, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.db = db
        self.gallery = gallery
        self.clock = clock

    def now(self) -> int:
        return int(self.clock())

    # -------------------------------------------------------------------------------------- reads

    async def info(self, subject: Subject, raw: str) -> Tag:
        """The tag with its counts and whether the viewer follows it; TagNotFound when no post has
        ever carried it (as Imgur answers an unknown tag)."""
        parsed = tag_name(raw)
        tag = await repo.get(self.db, parsed[0], subject.account_id) if parsed else None
        if tag is None:
            raise TagNotFound()
        return tag

    async def page(
        self, subject: Subject, raw: str, q: Listing, *, album_images: str = "none"
    ) -> tuple[Tag, list[GalleryItem]]:
        """The tag and one page of the posts carrying it, in the listing's order."""
        tag = await self.info(subject, raw)
        posts = await self.gallery.listing(dataclasses.replace(q, tag=tag.name))
        return tag, await self.gallery.items(subject, posts, album_images=album_images)

    async def item(self, subject: Subject, raw: str, item_id: str) -> GalleryItem:
        """A post that carries the tag; GalleryItemNotFound when it does not."""
        tag = await self.info(subject, raw)
        item = await self.gallery.item(subject, item_id)
        if not await repo.carries(self.db, item.post.id, tag.name):
            raise GalleryItemNotFound(item_id)
        return item

    async def popular(self) -> list[Tag]:
        return await repo.popular(self.db, POPULAR)

    async def of_post(self, post_id: str) -> list[TagVote]:
        post = await self.gallery.get(post_id)
        return await repo.of_post(self.db, post.id)

    # ------------------------------------------------------------------------------------- writes

    async def file_tags(self, tx: Connection, post: Post, tags: Sequence[str], account_id: int) -> None:
        """The share's hook (GalleryService.tag_hook), inside its transaction, the post locked: the
        tags a share names become the post's tags."""
        await self._replace(tx, post.id, parse_tags(tags, strict=False), account_id)

    async def set_tags(self, subject: Subject, post_id: str, tags: Sequence[str] | None) -> None:
        """The post's tags become these (none: no tags); the owner's or an admin's call."""
        if tags is None:
            raise InvalidRequest("tags is required: a comma separated list")
        wanted = parse_tags(tags, strict=True)
        account = await self.gallery.writer(subject)
        post = await self.gallery.get(post_id)
        if account.id != post.account_id and not account.is_admin:
            raise Forbidden("Only the owner can tag this post")
        async with self.db.transaction() as tx:
            if await gallery_repo.lock(tx, post.id) is None:
                raise GalleryItemNotFound(post_id)
            await self._replace(tx, post.id, wanted, account.id)

    async def vote(self, subject: Subject, post_id: str, raw: str, vote: str) -> None:
        value = VOTES.get(vote.lower())
        if value is None:
            raise InvalidRequest("A vote is up, down or veto")
        parsed = tag_name(raw)
        if parsed is None:
            raise InvalidRequest("A tag is 1 to 64 letters, digits, underscores or hyphens")
        name = parsed[0]
        account = await self.gallery.writer(subject)
        post = await self.gallery.get(post_id)
        async with self.db.transaction() as tx:
            if not await repo.lock_post_tag(tx, post.id, name):
                raise PostTagNotFound(name)
            old = await repo.vote_of(tx, post.id, name, account.id)
            if old == value:
                return
            await repo.set_vote(tx, post.id, name, account.id, value)
            await repo.move_votes(
                tx, post.id, name, (value == UP) - (old == UP), (value == DOWN) - (old == DOWN)
            )

    async def follow(self, subject: Subject, raw: str) -> None:
        """Following a tag already followed is no change (and no error)."""
        account = await self.gallery.writer(subject)
        name = await self._existing(raw)
        async with self.db.transaction() as tx:
            if not await repo.lock(tx, [name]):
                raise TagNotFound()
            await repo.follow(tx, name, account.id, self.now())
            await repo.recount(tx, [name])

    async def unfollow(self, subject: Subject, raw: str) -> None:
        account = await self.gallery.writer(subject)
        name = await self._existing(raw)
        async with self.db.transaction() as tx:
            if not await repo.lock(tx, [name]):
                raise TagNotFound()
            if not await repo.unfollow(tx, name, account.id):
                raise NotFollowingTag()
            await repo.recount(tx, [name])

    # -------------------------------------------------------------------------------- cascades

    async def forget_account(self, account_id: int) -> None:
        """Before an account is deleted: its follows and tag votes leave the counts that include them
        (the tags of its own posts go with the posts)."""
        async with self.db.transaction() as tx:
            followed = await repo.followed_by(tx, account_id)
            voted = await repo.votes_by(tx, account_id)
            await repo.lock(tx, followed)
            await tx.execute("DELETE FROM tag_follows WHERE account_id = :a", {"a": account_id})
            await repo.recount(tx, followed)
            for post_id, name in sorted(voted):
                await repo.lock_post_tag(tx, post_id, name)
                await tx.execute(
                    "DELETE FROM tag_votes WHERE post_id = :p AND tag = :t AND account_id = :a",
                    {"p": post_id, "t": name, "a": account_id},
                )
                await repo.recount_votes(tx, post_id, name)

    async def forget_post(self, tx: Connection, item_id: str) -> None:
        """Inside the deletion of an image or album, before its row goes: the post it takes with it by
        cascade (if any) leaves its tags first, and their stored counts. The post is locked before the
        tags, the order a share and a tag write take them in."""
        if await gallery_repo.lock(tx, item_id) is None:
            return
        names = sorted(await repo.names_of_post(tx, item_id))
        if not names:
            return
        await repo.lock(tx, names)
        await repo.remove_from_post(tx, item_id, names)
        await repo.recount(tx, names)

    async def recount(self) -> list[str]:
        """The operator's `imghost tags recount`: every tag whose stored counts are off is set from its
        rows again (a database whose images or albums were deleted before forget_post existed); which."""
        names = await repo.stale(self.db)
        for name in names:
            async with self.db.transaction() as tx:
                await repo.lock(tx, [name])
                await repo.recount(tx, [name])
        return names

    # --------------------------------------------------------------------------------- helpers

    async def _existing(self, raw: str) -> str:
        parsed = tag_name(raw)
        if parsed is None or await repo.get(self.db, parsed[0], None) is None:
            raise TagNotFound()
        return parsed[0]

    async def _replace(
        self, tx: Connection, post_id: str, wanted: Sequence[tuple[str, str]], account_id: int
    ) -> None:
        """With the post locked: its tags become `wanted`, and the stored counts of every tag that
        came or went are set again from the rows."""
        names = [n for n, _ in wanted]
        current = await repo.names_of_post(tx, post_id)
        added = [n for n in names if n not in current]
        removed = sorted(current - set(names))
        if not added and not removed:
            return
        await repo.ensure(tx, [t for t in wanted if t[0] in added], self.now())
        await repo.lock(tx, [*added, *removed])
        await repo.remove_from_post(tx, post_id, removed)
        await repo.add_to_post(tx, post_id, added, account_id, self.now())
        await repo.recount(tx, [*added, *removed])
