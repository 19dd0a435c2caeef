"""The upload pipeline as a list of steps: probe → limits → verify + strip metadata → fingerprint.

Runs in a worker thread. Input: the temp file the request body streamed into. Output: a file ready to
store under its content address, and the facts the Image row needs."""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

from imghost.errors import UnsupportedMedia
from imghost.media import convert, ffmpeg, integrity, sanitize
from imghost.media import fingerprint as fp
from imghost.media.limits import Limits, check
from imghost.media.probe import Probe, jpeg_orientation, jpeg_size, probe
from imghost.media.sniff import sniff

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
    fingerprint: str  # see media.fingerprint: finds stored files that may be the same
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


def prepare_quick(src: Path, *, limits: Limits) -> Prepared | None:
    """prepare() for the upload most photos are, when it needs only the two ends of the file: a JPEG whose
    header is already clean (UploadWriter cleaned it as it streamed in), that ends at its EOI and
    announces no trailer. It reads about 128 KB and parses no pixels, so it may run on the event loop,
    saving two hops to a thread. None means: anything else, call prepare() on a worker thread."""
    with open(src, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        head = f.read(fp.WINDOW)
        if sniff(head[:128]) != "jpeg":
            return None
        orientation = jpeg_orientation(head)
        try:
            header, sos, mpf = sanitize.jpeg_header(head, orientation)
        except (UnsupportedMedia, IndexError, ValueError, struct.error):
            return None  # a header larger than the window, or one prepare() must judge
        dims = jpeg_size(head[:sos])
        tail = fp.tail(f, size)
    if mpf or head[:sos] != header or dims is None or (tail or head)[-2:] != b"\xff\xd9":
        return None
    width, height = dims
    check(Probe(fmt="jpeg", width=width, height=height, frames=1, orientation=orientation), size, limits)
    return Prepared(path=src, fmt="jpeg", width=width, height=height, animated=False, has_sound=False,
                    size=size, fingerprint=fp.of_parts(size, head, tail))


def prepare(src: Path, *, limits: Limits, disable_audio: bool, ffmpeg_timeout: float) -> Prepared:
    size = src.stat().st_size
    p = probe(src)
    check(p, size, limits)
    if p.is_video:
        return _video(src, p, disable_audio=disable_audio, timeout=ffmpeg_timeout)
    out = src.with_suffix(".out")
    fmt = p.fmt
    width, height = p.width, p.height
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
    if data is not None:
        out.write_bytes(data)
    mp4 = None
    if p.frames > 1:  # GIF, APNG and animated WebP all get an MP4 (and so a .gifv page)
        mp4 = src.with_suffix(".mp4")
        ffmpeg.animation_to_mp4(out, mp4, ffmpeg_timeout)
    return Prepared(path=out, fmt=fmt, width=width, height=height, animated=p.frames > 1, has_sound=False,
                    size=out.stat().st_size, fingerprint=fp.fingerprint(out), mp4_path=mp4)


def _video(src: Path, p: Probe, *, disable_audio: bool, timeout: float) -> Prepared:
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
    return Prepared(path=path, fmt=fmt, width=p.width, height=p.height, animated=True, has_sound=has_sound,
                    size=size, fingerprint=fp.fingerprint(path))
