"""Imgur thumbnail sizes: s and b are centre-cropped squares, the rest fit inside a box.

JPEG sources go through Pillow's draft mode (DCT-domain downscale: the fastest way to shrink a JPEG);
everything else through libvips, which is several times faster than Pillow on PNG, GIF and WebP."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from PIL import Image, ImageOps

from imghost.errors import UnsupportedMedia

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
            return _pillow_jpeg(src, size, square)
        return _vips(src, size, square)
    except UnsupportedMedia:
        raise
    except Exception as exc:  # a corrupt source must not become a 500 on a thumbnail URL
        raise UnsupportedMedia() from exc


def _pillow_jpeg(src: Path, size: int, square: bool) -> bytes:
    with Image.open(src) as im:
        w, h = im.size
        if square:
            scale = size / min(w, h)
            im.draft("RGB", (max(1, round(w * scale)), max(1, round(h * scale))))
        else:
            im.draft("RGB", (size, size))
        im = ImageOps.exif_transpose(im)
        if im.mode != "RGB":
            im = im.convert("RGB")
        if square:
            side = min(size, im.width, im.height)
            im = ImageOps.fit(im, (side, side), Image.Resampling.LANCZOS) if (im.width, im.height) != (
                side, side) else im
        else:
            im.thumbnail((size, size), Image.Resampling.LANCZOS)
        out = BytesIO()
        im.save(out, "JPEG", quality=QUALITY)
        return out.getvalue()


def _vips(src: Path, size: int, square: bool) -> bytes:
    import pyvips

    # Animations give their first frame; size="down": never upscale.
    opts: dict[str, object] = {"height": size, "size": "down"}
    if square:
        opts["crop"] = "centre"
    img = pyvips.Image.thumbnail(str(src), size, **opts)
    if square and img.width != img.height:
        side = min(img.width, img.height)
        img = img.crop((img.width - side) // 2, (img.height - side) // 2, side, side)
    if img.interpretation not in ("srgb", "b-w") or img.format != "uchar":
        img = img.colourspace("srgb")
    if img.hasalpha():
        img = img.flatten(background=[255, 255, 255] if img.bands > 2 else [255])
    return img.write_to_buffer(".jpg", Q=QUALITY, keep="icc")
