"""Imgur objects as one caller sees them, built from the services' records; every handler uses these."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from imghost.api.schemas import album_json, image_json
from imghost.auth import Subject
from imghost.domain.albums.model import Album
from imghost.domain.images.model import Image
from imghost.services import Services


def images_json(svc: Services, images: Sequence[Image], subject: Subject) -> list[dict[str, Any]]:
    """Image objects as this caller sees them, with views not yet written to the database."""
    base = svc.settings.base_url
    return [
        image_json(i, base, owner=subject.owns(i.account_id), pending=svc.views.pending(i.id)) for i in images
    ]


async def album_payload(
    svc: Services, subject: Subject, album: Album, *, owner: bool, with_images: bool
) -> dict[str, Any]:
    images = await svc.albums.images(album.id) if with_images else None
    cover = await svc.albums.cover_image(album, images)
    data = album_json(
        album,
        svc.settings.base_url,
        owner=owner,
        cover=cover,
        favorite=await svc.albums.is_favorite(subject, album.id),
    )
    if images is not None:
        data["images"] = images_json(svc, images, subject)
    return data
