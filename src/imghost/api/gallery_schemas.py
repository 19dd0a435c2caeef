"""Gallery Image and Gallery Album objects (§2.3, §2.4): the image or album object plus the post's."""

from __future__ import annotations

from typing import Any

from imghost.api.schemas import album_json, image_json
from imghost.auth import Subject
from imghost.domain.gallery.items import GalleryItem, TagRef
from imghost.domain.gallery.model import VOTE_NAMES
from imghost.services import Services


def tag_json(tag: TagRef, *, following: bool = False) -> dict[str, Any]:
    return {
        "name": tag.name,
        "display_name": tag.display_name,
        "followers": tag.followers,
        "total_items": tag.total_items,
        "following": following,
        "is_whitelisted": False,
        "background_hash": "",
        "thumbnail_hash": None,
        "accent": None,
        "background_is_animated": False,
        "thumbnail_is_animated": False,
        "is_promoted": False,
        "description": tag.description,
        "logo_hash": None,
        "logo_destination_url": None,
        "description_annotations": {},
    }


def gallery_json(svc: Services, subject: Subject, item: GalleryItem) -> dict[str, Any]:
    post = item.post
    base = svc.settings.base_url
    owner = subject.owns(post.account_id)
    if post.is_album and item.album is not None:
        data = album_json(item.album, base, owner=owner, cover=item.image, favorite=item.favorite)
        if item.images_listed:
            data["images"] = [
                image_json(i, base, owner=owner, pending=svc.views.pending(i.id)) for i in item.images
            ]
        data["images_count"] = item.album.images_count
        data["privacy"] = "public"
        # §2.4: an album post carries the ad fields an image object has.
        data["ad_type"] = 0
        data["ad_url"] = ""
    else:
        assert item.image is not None
        data = image_json(
            item.image, base, owner=owner, pending=svc.views.pending(item.image.id), favorite=item.favorite
        )
    data.update(
        {
            "title": post.title,
            "is_album": post.is_album,
            "in_gallery": True,
            "ups": post.ups,
            "downs": post.downs,
            "points": post.points,
            "score": post.points,
            "comment_count": post.comment_count,
            "favorite_count": item.favorite_count,
            "topic": post.topic,
            "topic_id": post.topic_id,
            "section": post.community or "",
            "vote": VOTE_NAMES.get(item.vote),
            "account_url": post.account_url,
            "account_id": post.account_id,
            "in_most_viral": svc.gallery.in_most_viral(post),
            "nsfw": post.mature,
            "tags": [tag_json(t) for t in item.tags],
        }
    )
    return data
