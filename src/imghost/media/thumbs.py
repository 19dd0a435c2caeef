"""Imgur thumbnail sizes: s and b are centre-cropped squares, the rest fit inside a box.

JPEG sources go through Pillow's draft mode (DCT-domain downscale: the fastest way to shrink a JPEG);
everything else through libvips, which is several times faster than Pillow on PNG, GIF and WebP.

Uploads are checked for structure, not decoded, so a stored JPEG may have damaged entropy-coded data: a
stray marker before its EOI, a last scan cut short. Browsers display those (libjpeg only warns), while
Pillow refuses them; such a JPEG is drawn by libvips instead, told to carry on past decoder warnings as
browsers do. A JPEG whose tables no decoder accepts (browsers show it as broken) gets a flat grey
thumbnail of its shape: every stored original has its thumbnails, and a thumbnail URL never answers
with an upload error."""

from __future__ import annotations

import re
import struct
from io import BytesIO
from pathlib import Path

from PIL import ExifTags, Image, ImageOps

from imghost.errors import UnsupportedMedia
from imghost.media import integrity

SIZES: dict[str, tuple[int, bool]] = {
    "s": (90, True),
    "b": (160, True),
    "t": (160, False),
    "m": (320, False),
    "l": (640, False),
    "h": (1024, False),
}
QUALITY = 85


def render(src: Path, fmt: str, suffix: str) -> bytes:
    size, square = SIZES[suffix]
    try:
        if fmt == "jpeg":
            return _jpeg(src, size, square)
        return _vips(src, size, square)
    except UnsupportedMedia:
        raise
    except Exception as exc:  # a corrupt source must not become a 500 on a thumbnail URL
        raise UnsupportedMedia() from exc


def _jpeg(src: Path, size: int, square: bool) -> bytes:
    import pyvips

    try:
        return _pillow_jpeg(src, size, square)
    except (OSError, SyntaxError, ValueError):  # what Pillow's decoder raises on damaged data
        pass
    try:
        return _vips(src, size, square)
    except pyvips.Error:
        pass
    # A stray marker where libjpeg reads markers (between or after the scans of a progressive JPEG) is
    # fatal to it, not a warning: end the image there, as a download cut short ends, and draw that.
    cut = _cut_at_stray_marker(src.read_bytes())
    if cut is not None:
        try:
            return _vips(cut, size, square)
        except pyvips.Error:
            pass
    return _placeholder(src, size, square)


# A marker inside entropy-coded data: 0xFF (after any fill bytes) not followed by a stuffed zero or a
# restart marker.
_MARKER = re.compile(rb"\xff+([^\x00\xd0-\xd7\xff])")


def _cut_at_stray_marker(data: bytes) -> bytes | None:
    """The JPEG ended with an EOI at its first reserved marker (FF 02 to FF BF), or None if it has none.
    Segments are skipped by their length, so bytes inside a table are never taken for markers."""
    try:
        pos = integrity.jpeg_sos(data)
        while (m := _MARKER.search(data, pos)) is not None:
            code = m.group(1)[0]
            if code == 0xD9:
                return None
            if 0x02 <= code <= 0xBF:
                return data[: m.start()] + b"\xff\xd9"
            # TEM has no length; any other segment (a scan's header, tables between scans) is skipped.
            pos = m.end() if code == 0x01 else m.end() + struct.unpack_from(">H", data, m.end())[0]
        return None
    except (UnsupportedMedia, struct.error):
        return None


def _placeholder(src: Path, size: int, square: bool) -> bytes:
    """Flat grey in the thumbnail's shape, from the header's size and orientation (the upload checked
    both)."""
    with Image.open(src) as im:
        w, h = im.size
        if im.getexif().get(ExifTags.Base.Orientation) in (5, 6, 7, 8):
            w, h = h, w
    if square:
        w = h = min(size, w, h)
    else:
        scale = min(1.0, size / max(w, h))
        w, h = max(1, round(w * scale)), max(1, round(h * scale))
    out = BytesIO()
    Image.new("RGB", (w, h), (128, 128, 128)).save(out, "JPEG", quality=QUALITY)
    return out.getvalue()


def _pillow_jpeg(src: Path, size: int, square: bool) -> bytes:
    with Image.open(src) as opened:
        w, h = opened.size
        if square:
            scale = size / min(w, h)
            opened.draft("RGB", (max(1, round(w * scale)), max(1, round(h * scale))))
        else:
            opened.draft("RGB", (size, size))
        im = ImageOps.exif_transpose(opened)
        if im.mode != "RGB":
            im = im.convert("RGB")
        if square:
            side = min(size, im.width, im.height)
            im = (
                ImageOps.fit(im, (side, side), Image.Resampling.LANCZOS)
                if (im.width, im.height) != (side, side)
                else im
            )
        else:
            im.thumbnail((size, size), Image.Resampling.LANCZOS)
        out = BytesIO()
        im.save(out, "JPEG", quality=QUALITY)
        return out.getvalue()


def _vips(src: Path | bytes, size: int, square: bool) -> bytes:
    import pyvips

    # Animations give their first frame; size="down": never upscale.
    # fail_on="none": decode past damaged data as browsers do (the missing part grey), whatever the
    # libvips version's default.
    opts: dict[str, object] = {"height": size, "size": "down", "fail_on": "none"}
    if square:
        opts["crop"] = "centre"
    if isinstance(src, bytes):
        img = pyvips.Image.thumbnail_buffer(src, size, **opts)
    else:
        img = pyvips.Image.thumbnail(str(src), size, **opts)
    if square and img.width != img.height:
        side = min(img.width, img.height)
        img = img.crop((img.width - side) // 2, (img.height - side) // 2, side, side)
    if img.interpretation not in ("srgb", "b-w") or img.format != "uchar":
        img = img.colourspace("srgb")
    if img.hasalpha():
        img = img.flatten(background=[255, 255, 255] if img.bands > 2 else [255])
    jpeg: bytes = img.write_to_buffer(".jpg", Q=QUALITY, keep="icc")
    return jpeg
