"""The upload pipeline: probe the headers, check the limits, verify and strip metadata (or convert),
fingerprint.

prepare_quick() handles a clean JPEG from its two ends, on the event loop. Everything else runs in a
worker thread in two parts, inspect() (header facts, counted frames, limits) and finish() (the rest), so
that the caller can send the uploads whose finish() decodes or transcodes (is_heavy) to a pool of their
own. Input: the temp file the request body streamed into. Output: the file to store (the upload itself
when nothing needed changing), its fingerprint for finding a stored twin, and the facts the Image record
needs."""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

from imghost.errors import UnsupportedMedia
from imghost.media import child, convert, ffmpeg, integrity, sanitize
from imghost.media import fingerprint as fp
from imghost.media.limits import MediaLimits, check, check_video
from imghost.media.probe import Probe, jpeg_orientation, jpeg_size, probe
from imghost.media.sniff import VIDEO_FORMATS, sniff

MIME = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "mp4": "video/mp4",
    "webm": "video/webm",
}
EXT = {
    "jpeg": "jpg",
    "png": "png",
    "gif": "gif",
    "webp": "webp",
    "avif": "avif",
    "mp4": "mp4",
    "webm": "webm",
}


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


def prepare_quick(src: Path, *, limits: MediaLimits) -> Prepared | None:
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
        integrity.jpeg_decodable_header(head)  # refused here, or its thumbnails could not be drawn
        tail = fp.tail(f, size)
    if mpf or head[:sos] != header or dims is None or (tail or head)[-2:] != b"\xff\xd9":
        return None
    width, height = dims
    check(Probe(fmt="jpeg", width=width, height=height, frames=1, orientation=orientation), size, limits)
    return Prepared(
        path=src,
        fmt="jpeg",
        width=width,
        height=height,
        animated=False,
        has_sound=False,
        size=size,
        fingerprint=fp.of_parts(size, head, tail),
    )


@dataclass(frozen=True, slots=True)
class Work:
    """How much the media children may spend on one upload (media.child, media.ffmpeg)."""

    timeout: float = 120.0  # wall-clock seconds of each child process
    budget: child.ChildLimits = child.DEFAULT


def is_video(src: Path) -> bool:
    """Whether the upload is a video container (its whole preparation is ffmpeg work), from its first bytes."""
    with open(src, "rb") as f:
        return sniff(f.read(128)) in VIDEO_FORMATS


def inspect(src: Path, *, limits: MediaLimits, work: Work = Work()) -> Probe:
    """Header facts and limits, counted frames included; for a video, also its packets counted (ffmpeg)."""
    size = src.stat().st_size
    p = probe(src, limits.max_frames, budget=work.budget, timeout=min(30.0, work.timeout))
    check(p, size, limits)
    if p.is_video:
        frames, seconds = ffmpeg.count_video(
            src, caps=_video_caps(limits), timeout=work.timeout, budget=work.budget
        )
        if frames == 0:
            raise UnsupportedMedia()
        check_video(p, frames, seconds, limits)
    return p


def is_heavy(p: Probe) -> bool:
    """Whether finishing this upload decodes or transcodes (a child process, seconds of CPU), rather than
    rewriting a few bytes of metadata."""
    return p.is_video or p.frames > 1 or p.fmt in ("heic", "tiff", "bmp", "avif")


def prepare(
    src: Path,
    *,
    limits: MediaLimits,
    disable_audio: bool,
    ffmpeg_timeout: float,
    budget: child.ChildLimits = child.DEFAULT,
) -> Prepared:
    work = Work(ffmpeg_timeout, budget)
    return finish(
        src, inspect(src, limits=limits, work=work), limits=limits, disable_audio=disable_audio, work=work
    )


def finish(src: Path, p: Probe, *, limits: MediaLimits, disable_audio: bool, work: Work = Work()) -> Prepared:
    """The rest of the pipeline for an upload inspect() accepted. Whatever it fails on, the files it made
    next to src are gone."""
    made: list[Path] = []
    try:
        return _finish(src, p, limits, disable_audio, work, made)
    except BaseException:
        for path in made:
            path.unlink(missing_ok=True)
        raise


def _finish(
    src: Path, p: Probe, limits: MediaLimits, disable_audio: bool, work: Work, made: list[Path]
) -> Prepared:
    if p.is_video:
        return _video(src, p, limits, disable_audio=disable_audio, work=work, made=made)
    out = src.with_suffix(".out")
    made.append(out)
    fmt = p.fmt
    width, height = p.width, p.height
    if fmt in ("heic", "tiff", "bmp"):
        fmt, width, height = convert.to_web_format(
            src, out, fmt, max_pixels=limits.max_pixels, budget=work.budget, timeout=work.timeout
        )
    elif fmt == "jpeg":
        with open(src, "rb") as f:
            integrity.jpeg_decodable_header(f.read(1024 * 1024))
        # UploadWriter already rewrote the header as it streamed in, so this is normally a no-op that reads
        # only the header and the last two bytes. It rewrites when the file carries a trailer after its
        # image, or did not come through UploadWriter.
        if sanitize.jpeg_file(src, out, p.orientation) is None:
            out = src
    elif fmt == "gif":
        # Stored as uploaded: only its end is checked, never the whole file read into memory.
        integrity.gif_complete(_tail(src))
        out = src
    elif fmt == "avif":
        if convert.has_metadata(src):
            convert.reencode_without_metadata(
                src, out, fmt, max_pixels=limits.max_pixels, budget=work.budget, timeout=work.timeout
            )
        else:
            out = src
    else:
        original = data = src.read_bytes()
        if fmt == "png":
            data = sanitize.png(data, p.orientation)
        elif fmt == "webp":
            data = sanitize.webp(data, p.orientation)
        if data == original:  # nothing to strip: store the upload itself
            out = src
        else:
            out.write_bytes(data)
    mp4 = None
    if p.frames > 1:  # GIF, APNG and animated WebP all get an MP4 (and so a .gifv page)
        mp4 = src.with_suffix(".mp4")
        made.append(mp4)
        ffmpeg.animation_to_mp4(
            out,
            mp4,
            work.timeout,
            caps=ffmpeg.Caps(limits.max_frames, limits.max_video_seconds),
            budget=work.budget,
        )
    return Prepared(
        path=out,
        fmt=fmt,
        width=width,
        height=height,
        animated=p.frames > 1,
        has_sound=False,
        size=out.stat().st_size,
        fingerprint=fp.fingerprint(out),
        mp4_path=mp4,
    )


def _tail(src: Path) -> bytes:
    """The file's last bytes up to and including its last non-zero byte (zero padding may follow a GIF)."""
    with open(src, "rb") as f:
        end = f.seek(0, 2)
        while end > 0:
            start = max(0, end - 65536)
            f.seek(start)
            block = f.read(end - start).rstrip(b"\x00")
            if block:
                return block[-16:]
            end = start
    return b""


def _video_caps(limits: MediaLimits) -> ffmpeg.Caps:
    return ffmpeg.Caps(limits.max_video_frames, limits.max_video_seconds)


def _video(
    src: Path, p: Probe, limits: MediaLimits, *, disable_audio: bool, work: Work, made: list[Path]
) -> Prepared:
    fmt = p.fmt
    path = src
    caps = _video_caps(limits)
    if fmt in ("mov", "mkv"):
        path = src.with_suffix(".mp4")
        made.append(path)
        ffmpeg.remux_mp4(
            src, path, drop_audio=disable_audio, timeout=work.timeout, caps=caps, budget=work.budget
        )
        fmt = "mp4"
    elif disable_audio and p.has_sound:
        path = src.with_suffix(".noaudio")
        made.append(path)
        ffmpeg.strip_audio(src, path, fmt, work.timeout, caps=caps, budget=work.budget)
    has_sound = p.has_sound and not disable_audio
    size = os.path.getsize(path)
    if size == 0:
        raise UnsupportedMedia()
    return Prepared(
        path=path,
        fmt=fmt,
        width=p.width,
        height=p.height,
        animated=True,
        has_sound=has_sound,
        size=size,
        fingerprint=fp.fingerprint(path),
    )
