"""What the upload intake gets from the image domain, so that the API never reaches into the media layer:
the writer an upload body streams into (it strips a JPEG's metadata on the way, in the same pass), and
the magic-byte test that tells media from base64 or URL text."""

from __future__ import annotations

from pathlib import Path

from imghost.media.sniff import sniff
from imghost.media.writer import UploadWriter

__all__ = ["UploadWriter", "is_media", "open_writer"]


def open_writer(path: Path) -> UploadWriter:
    return UploadWriter(path)


def is_media(head: bytes) -> bool:
    return sniff(head) is not None
