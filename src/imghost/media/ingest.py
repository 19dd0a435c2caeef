"""The upload pipeline as a list of steps: probe → limits → verify + strip metadata → hash.

Runs in a worker thread. Input: the temp file the request body streamed into. Output: a file ready to
store under its content address, and the facts the Image row needs."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from imghost.errors import UnsupportedMedia
from imghost.media import convert, ffmpeg, integrity, sanitize
from imghost.media.digest import Digest
from imghost.media.limits import Limits, check
from imghost.media.probe import Probe, probe

MIME = {
    "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp", "avif": "image/avif",
    "mp4": "video/mp4", "webm": "video/webm",
}
EXT = {"jpeg": "jpg", "png": "png", "gif": "gif", "webp": "webp", "avif": "avif", "mp4": "mp4", "webm": "webm"}


@dataclass(frozen=True, slots=True)
class Prepared:
    path: Path
    fmt: str
    width: int
    height: int
    animated: bool
    has_sound: bool
    size: int
    sha256: str
    mp4_path: Path | None = None

    @property
    def mime(self) -> str:
        return MIME[self.fmt]

    @property
    def ext(self) -> str:
        return EXT[self.fmt]

    @property
    def is_video(self) -> bool:
        return self.fmt in ("mp4", "webm")


def prepare(src: Path, *, limits: Limits, disable_audio: bool, ffmpeg_timeout: float,
            digest: Digest | None = None) -> Prepared:
    """digest: the upload hashed as UploadWriter wrote it to src, when it did; saves a pass over the bytes.
    It is read last, so a hash still being computed on another thread overlaps with the work here."""
    size = src.stat().st_size
    p = probe(src)
    check(p, size, limits)
    if p.is_video:
        return _video(src, p, disable_audio=disable_audio, timeout=ffmpeg_timeout, digest=digest)
    out = src.with_suffix(".out")
    fmt = p.fmt
    width, height = p.width, p.height
    known_sha: str | None = None
    if fmt in ("heic", "tiff", "bmp"):
        data, fmt = convert.to_web_format(src, fmt)
        if p.orientation in (5, 6, 7, 8) or fmt != p.fmt:
            from io import BytesIO

            from PIL import Image

            with Image.open(BytesIO(data)) as im:
                width, height = im.size
    elif fmt == "jpeg":
        data = None
        # UploadWriter already rewrote the header as it streamed in, so this is normally a no-op that reads
        # only the header and the last two bytes. It rewrites when the file carries a trailer after its
        # image, or did not come through UploadWriter.
        if sanitize.jpeg_file(src, out, p.orientation) is None:
            out = src
            known_sha = _digest_of(digest, size)
    else:
        original = data = src.read_bytes()
        if fmt == "png":
            data = sanitize.png(data, p.orientation)
        elif fmt == "webp":
            data = sanitize.webp(data, p.orientation)
        elif fmt == "gif":
            integrity.gif_complete(data)
        elif fmt == "avif" and convert.has_metadata(src):
            data = convert.reencode_without_metadata(src, fmt)
        if data == original:  # nothing to strip: store the upload itself
            out, data = src, None
            known_sha = _digest_of(digest, size)
    if data is not None:
        out.write_bytes(data)
    mp4 = None
    if p.frames > 1:  # GIF, APNG and animated WebP all get an MP4 (and so a .gifv page)
        mp4 = src.with_suffix(".mp4")
        ffmpeg.animation_to_mp4(out, mp4, ffmpeg_timeout)
    return Prepared(path=out, fmt=fmt, width=width, height=height, animated=p.frames > 1, has_sound=False,
                    size=out.stat().st_size, sha256=known_sha or _sha256(out), mp4_path=mp4)


def _digest_of(digest: Digest | None, size: int) -> str | None:
    """The streamed digest when it describes a file of this size (the file as written), else None."""
    if digest is None or digest.size != size:
        return None
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _video(src: Path, p: Probe, *, disable_audio: bool, timeout: float,
           digest: Digest | None) -> Prepared:
    fmt = p.fmt
    path = src
    if fmt in ("mov", "mkv"):
        path = src.with_suffix(".mp4")
        ffmpeg.remux_mp4(src, path, drop_audio=disable_audio, timeout=timeout)
        fmt = "mp4"
    elif disable_audio and p.has_sound:
        path = src.with_suffix(".noaudio")
        ffmpeg.strip_audio(src, path, fmt, timeout)
    has_sound = p.has_sound and not disable_audio
    size = os.path.getsize(path)
    if size == 0:
        raise UnsupportedMedia()
    sha = (_digest_of(digest, size) if path == src else None) or _sha256(path)
    return Prepared(path=path, fmt=fmt, width=p.width, height=p.height, animated=True, has_sound=has_sound,
                    size=size, sha256=sha)
