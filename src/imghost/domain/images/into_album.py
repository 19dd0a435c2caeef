"""An upload that goes straight into an album (`album` / `album_id` on the upload): one rule, with its undo.

The album is checked before any media work, so a refused target costs nothing; if the album goes away
between that check and the upload's commit, the upload is taken back, so that an answer of failure
leaves no image behind."""

from __future__ import annotations

from pathlib import Path

from imghost.auth import Subject
from imghost.domain.albums.service import AlbumService
from imghost.domain.images.model import Image
from imghost.domain.images.service import ImageService, UploadMeta


class UploadService:
    def __init__(self, images: ImageService, albums: AlbumService) -> None:
        self.images = images
        self.albums = albums

    async def upload(
        self, subject: Subject, src: Path, meta: UploadMeta, *, album: str | None = None
    ) -> Image:
        if album:
            await self.albums.check_upload_target(subject, album)
        image = await self.images.upload(subject, src, meta)
        if album:
            try:
                await self.albums.add_uploaded(subject, album, image.id)
            except BaseException:
                await self.images.remove(image)
                raise
        return image
