"""Facts about an uploaded file read from its headers, before anything decodes pixels."""

from __future__ import annotations

import re
import struct
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from imghost.errors import UnsupportedMedia
from imghost.media import child, ffmpeg, frames
from imghost.media.sniff import VIDEO_FORMATS, sniff


@dataclass(frozen=True, slots=True)
class Probe:
    fmt: str  # jpeg png gif webp tiff bmp avif heic mp4 mov webm mkv
    width: int
    height: int
    frames: int
    has_sound: bool = False
    orientation: int = 1
    # Videos only, as their headers state them (0: not stated). ingest counts what the file really holds.
    seconds: float = field(default=0.0, compare=False)
    fps: float = field(default=0.0, compare=False)

    @property
    def is_video(self) -> bool:
        return self.fmt in VIDEO_FORMATS

    @property
    def animated(self) -> bool:
        return self.is_video or self.frames > 1


def probe(
    path: Path,
    max_frames: int | None = None,
    *,
    budget: child.ChildLimits = child.DEFAULT,
    timeout: float = 30.0,
) -> Probe:
    """Header facts, and the frames of an animation as counted in the file (media.frames), the count
    stopping at max_frames + 1: enough to know it is over the limit."""
    with open(path, "rb") as f:
        head = f.read(128)
    fmt = sniff(head)
    if fmt is None:
        raise UnsupportedMedia()
    if fmt in VIDEO_FORMATS:
        return _probe_video(path, fmt, budget, timeout)
    if fmt == "heic":
        import pillow_heif

        pillow_heif.register_heif_opener()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                w, h = im.size
                orientation = _orientation(im.info.get("exif")) if fmt in ("jpeg", "png", "webp") else 1
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UnsupportedMedia("Image is too large (pixels)") from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise UnsupportedMedia() from None
    n = 1
    if fmt in ("gif", "png", "webp"):
        with open(path, "rb") as f:
            n = frames.count(f, fmt, None if max_frames is None else max_frames + 1)
    return Probe(fmt=fmt, width=w, height=h, frames=n, orientation=orientation)


def jpeg_segments(header: bytes, *, with_scan: bool = False) -> Iterator[tuple[int, int, int]]:
    """(marker, offset, length) of each segment of a JPEG header, up to the first scan or a broken one;
    with_scan: the first scan's own header segment too, last."""
    pos, n = 2, len(header)
    while pos + 4 <= n and header[pos] == 0xFF:
        marker = header[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            pos += 2
            continue
        (length,) = struct.unpack_from(">H", header, pos + 2)
        if marker == 0xDA:
            if with_scan:
                yield marker, pos, length
            return
        yield marker, pos, length
        pos += 2 + length


def jpeg_orientation(header: bytes) -> int:
    """The EXIF orientation in a JPEG header (bytes up to the first scan), without Pillow opening it."""
    for marker, pos, length in jpeg_segments(header):
        if marker == 0xE1 and header[pos + 4 : pos + 10] == b"Exif\x00\x00":
            return _orientation(header[pos + 4 : pos + 2 + length])
    return 1


# Start-of-frame markers of the JPEGs browsers show: baseline, extended sequential, progressive.
_SOF = frozenset((0xC0, 0xC1, 0xC2))
_OTHER_SOF = frozenset(range(0xC3, 0xD0)) - {0xC4, 0xC8, 0xCC}


def jpeg_size(header: bytes) -> tuple[int, int] | None:
    """(width, height) from the frame segment of a baseline or progressive JPEG's header; None without
    one, or for the rarer kinds (lossless, arithmetic coding), which are left to Pillow to judge."""
    for marker, pos, length in jpeg_segments(header):
        if marker in _OTHER_SOF:
            return None
        if marker in _SOF and length >= 8 and pos + 9 <= len(header):
            height, width = struct.unpack_from(">HH", header, pos + 5)
            return width, height
    return None


def _orientation(exif: bytes | None) -> int:
    # Parse the EXIF block the opener already read; im.getexif() would decode a PNG's pixels to find it.
    if not exif:
        return 1
    parsed = Image.Exif()
    try:
        parsed.load(exif)
        value = int(parsed.get(0x0112, 1) or 1)
    except (OSError, SyntaxError, ValueError, struct.error, TypeError):
        return 1
    return value if 1 <= value <= 8 else 1


_DIMS = re.compile(rb"Video: .*?(\d{2,5})x(\d{2,5})")
_DURATION = re.compile(rb"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_FPS = re.compile(rb"Video: .*?, (\d+(?:\.\d+)?)(k?) fps")


def _probe_video(path: Path, fmt: str, budget: child.ChildLimits, timeout: float) -> Probe:
    out = ffmpeg.info(path, timeout, budget)
    m = _DIMS.search(out)
    if not m or b"Invalid data" in out:
        raise UnsupportedMedia()
    seconds = fps = 0.0
    if d := _DURATION.search(out):
        seconds = int(d.group(1)) * 3600 + int(d.group(2)) * 60 + float(d.group(3))
    if r := _FPS.search(out):
        fps = float(r.group(1)) * (1000 if r.group(2) else 1)
    return Probe(
        fmt=fmt,
        width=int(m.group(1)),
        height=int(m.group(2)),
        frames=1,
        has_sound=b"Audio:" in out,
        seconds=seconds,
        fps=fps,
    )
