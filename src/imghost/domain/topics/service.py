"""Topics: sections of the gallery the operator defines (`imghost topic add|list|remove`).

A share names its topic by id or by name (GalleryService._topic_id); the topic routes do the same,
in any case and with underscores for spaces, as Imgur's clients write them in URLs. So a name has no
underscores or slashes, is not all digits (that would read as an id), and no two names differ only
in case. Removing a topic leaves its posts in the gallery, without a topic."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from imghost.auth import Subject
from imghost.db.database import Database
from imghost.domain.gallery.items import GalleryItem
from imghost.domain.gallery.model import Listing
from imghost.domain.gallery.service import GalleryService
from imghost.domain.topics import repository as repo
from imghost.domain.topics.model import Topic
from imghost.errors import GalleryItemNotFound, InvalidRequest, TopicExists, TopicNotFound

MAX_NAME = 64


def _key(name: str) -> str:
    return " ".join(name.replace("_", " ").split()).casefold()


class TopicService:
    def __init__(
        self, db: Database, gallery: GalleryService, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.db = db
        self.gallery = gallery
        self.clock = clock

    async def all(self) -> list[Topic]:
        return await repo.all_topics(self.db)

    async def find(self, ref: str) -> Topic:
        """A topic by id or by name; TopicNotFound when there is none."""
        value = ref.strip()
        topic = None
        if value.isdigit() and len(value) < 19:
            topic = await repo.by_id(self.db, int(value))
        else:
            # Operators define a handful of topics: compared here, in full Unicode case folding,
            # rather than by SQL LOWER, which SQLite applies to ASCII only.
            topic = next((t for t in await self.all() if _key(t.name) == _key(value)), None)
        if topic is None:
            raise TopicNotFound(ref)
        return topic

    async def add(
        self, name: str, *, description: str = "", css: str | None = None, ephemeral: bool = False
    ) -> Topic:
        clean = " ".join(name.split())
        if not clean or len(clean) > MAX_NAME:
            raise InvalidRequest(f"A topic's name is 1 to {MAX_NAME} characters")
        if clean.isdigit() or "_" in clean or "/" in clean or not clean.isprintable():
            raise InvalidRequest("A topic's name is not all digits and has no underscores or slashes")
        async with self.db.transaction() as tx:
            if any(_key(t.name) == _key(clean) for t in await repo.all_topics(tx)):
                raise TopicExists()
            await repo.insert(tx, clean, description.strip(), css, ephemeral, int(self.clock()))
        return await self.find(clean)

    async def remove(self, ref: str) -> Topic:
        topic = await self.find(ref)
        await repo.delete(self.db, topic.id)
        return topic

    async def defaults(self, subject: Subject) -> list[tuple[Topic, GalleryItem | None]]:
        """Every topic with its first post in the viral order (None while it has none): one listing
        query per topic, and operators define a handful."""
        out: list[tuple[Topic, GalleryItem | None]] = []
        for topic in await self.all():
            posts = await self.gallery.listing(Listing(topic_id=topic.id, per_page=1))
            found = await self.gallery.items(subject, posts)
            out.append((topic, found[0] if found else None))
        return out

    async def page(
        self, subject: Subject, ref: str, q: Listing, *, album_images: str = "none"
    ) -> list[GalleryItem]:
        topic = await self.find(ref)
        posts = await self.gallery.listing(dataclasses.replace(q, topic_id=topic.id))
        return await self.gallery.items(subject, posts, album_images=album_images)

    async def item(self, subject: Subject, ref: str, item_id: str) -> GalleryItem:
        """A post filed under the topic; GalleryItemNotFound when it is not."""
        topic = await self.find(ref)
        item = await self.gallery.item(subject, item_id)
        if item.post.topic_id != topic.id:
            raise GalleryItemNotFound(item_id)
        return item
