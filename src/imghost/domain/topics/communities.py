"""Communities: imghost's reading of Imgur's subreddit galleries.

A post names its community when it is shared (`community=`, or `subreddit=` as Imgur's clients say;
GalleryService.share stores it lower case, without a leading "r/"). A community exists as long as
posts name it: one nobody named lists as empty, like an unknown subreddit on Imgur."""

from __future__ import annotations

import dataclasses

from imghost.auth import Subject
from imghost.domain.gallery.items import GalleryItem
from imghost.domain.gallery.model import Listing
from imghost.domain.gallery.service import GalleryService, community_name
from imghost.errors import GalleryItemNotFound, InvalidRequest


def _name(value: str) -> str | None:
    try:
        return community_name(value)
    except InvalidRequest:
        return None


class CommunityService:
    def __init__(self, gallery: GalleryService) -> None:
        self.gallery = gallery

    async def page(
        self, subject: Subject, name: str, q: Listing, *, album_images: str = "none"
    ) -> list[GalleryItem]:
        community = _name(name)
        if community is None:
            return []
        posts = await self.gallery.listing(dataclasses.replace(q, community=community))
        return await self.gallery.items(subject, posts, album_images=album_images)

    async def item(self, subject: Subject, name: str, item_id: str) -> GalleryItem:
        """A post filed under the community; GalleryItemNotFound when it is not."""
        community = _name(name)
        item = await self.gallery.item(subject, item_id)
        if community is None or item.post.community != community:
            raise GalleryItemNotFound(item_id)
        return item
