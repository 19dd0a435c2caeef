"""Formats browsers cannot show (HEIC, TIFF) or should not be sent (BMP) become JPEG or PNG on upload; AVIF
carrying metadata is re-encoded without it.

The decoding runs in a child process under the media ChildLimits (media.child): a 690 KB TIFF can hold
10,000 x 10,000 CMYK pixels, 400 MB decoded. TIFF without a rotation streams through libvips (about 800
rows in flight: a 10,000 x 10,000 CMYK TIFF converts in under 64 MB). HEIC, BMP and rotated TIFF are
decoded whole by Pillow, as their decoders require, within the child's memory limit; past it, or past its
CPU or wall-clock limit, the upload is refused and the server process never holds those pixels.

Run as `python -m imghost.media.convert JOB SRC DEST FMT MAX_PIXELS`; it prints what it wrote as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from imghost.errors import UnsupportedMedia
from imghost.media import child

_WHAT = "Image processing"
_OUT_OF_MEMORY = 3


def to_web_format(
    src: Path, dest: Path, fmt: str, *, max_pixels: int, budget: child.ChildLimits, timeout: float
) -> tuple[str, int, int]:
    """Decode, apply orientation, write dest without metadata (colour profile kept). (fmt, width, height)."""
    out = _spawn("web", src, dest, fmt, max_pixels, budget, timeout)
    return str(out["fmt"]), int(out["width"]), int(out["height"])


def reencode_without_metadata(
    src: Path, dest: Path, fmt: str, *, max_pixels: int, budget: child.ChildLimits, timeout: float
) -> None:
    """AVIF has no container-level rewrite here; re-encode only when it carries EXIF or XMP."""
    _spawn("strip", src, dest, fmt, max_pixels, budget, timeout)


def has_metadata(path: Path) -> bool:
    from PIL import Image

    with Image.open(path) as im:
        return bool(im.getexif()) or "xmp" in im.info


def _spawn(
    job: str, src: Path, dest: Path, fmt: str, max_pixels: int, budget: child.ChildLimits, timeout: float
) -> dict[str, Any]:
    res = child.run(
        [sys.executable, "-m", "imghost.media.convert", job, src, dest, fmt, str(max_pixels)],
        budget=budget,
        timeout=timeout,
        what=_WHAT,
    )
    if res.returncode == _OUT_OF_MEMORY:
        raise UnsupportedMedia("Image is too large to process")
    if res.returncode != 0:
        raise UnsupportedMedia()
    try:
        out = json.loads(res.stdout)
        if not isinstance(out, dict):
            raise ValueError(out)
        return out
    except ValueError:
        raise UnsupportedMedia() from None


# ------------------------------------------------------------------------------------ in the child


def _web(src: Path, dest: Path, fmt: str) -> dict[str, Any]:
    if fmt == "tiff":
        done = _vips_tiff(src, dest)
        if done is not None:
            return done
    return _pillow(src, dest, fmt)


# What libvips's TIFF loader can hand to a PNG as it is (after sRGB conversion for the rest).
_KEEP_AS_IS = frozenset(("srgb", "b-w", "rgb16", "grey16"))


def _vips_tiff(src: Path, dest: Path) -> dict[str, Any] | None:
    """Stream a TIFF into a PNG; None for what must be decoded whole (a rotation needs every row at once)."""
    import pyvips

    pyvips.cache_set_max(0)
    im = pyvips.Image.new_from_file(str(src), access="sequential", fail_on="error")
    fields = im.get_fields()
    if "orientation" in fields and im.get("orientation") not in (0, 1):
        return None
    if im.format not in ("uchar", "ushort") or im.interpretation not in _KEEP_AS_IS:
        if im.interpretation == "multiband":
            return None
        # CMYK, Lab and the like: converted through their profile (the embedded one, or libvips's default
        # CMYK profile), so the PNG carries plain sRGB and no profile.
        im = im.colourspace("srgb")
        if im.format not in ("uchar", "ushort"):
            im = im.cast("uchar")
        im = im.copy()
        if "icc-profile-data" in im.get_fields():
            im.remove("icc-profile-data")
    im.pngsave(str(dest), compression=6, filter="all", keep=pyvips.enums.ForeignKeep.ICC)
    return {"fmt": "png", "width": im.width, "height": im.height}


def _pillow(src: Path, dest: Path, fmt: str) -> dict[str, Any]:
    from PIL import Image, ImageOps

    if fmt == "heic":
        import pillow_heif

        pillow_heif.register_heif_opener()
    with Image.open(src) as opened:
        opened.load()
        icc = opened.info.get("icc_profile")
        im = ImageOps.exif_transpose(opened)
        if fmt == "heic":
            im = im.convert("RGB") if im.mode != "RGB" else im
            im.save(dest, "JPEG", quality=92, icc_profile=icc, optimize=True)
            return {"fmt": "jpeg", "width": im.width, "height": im.height}
        if im.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16"):
            im = im.convert("RGBA" if "A" in im.getbands() else "RGB")
            icc = None if fmt == "tiff" and icc else icc
        im.save(dest, "PNG", icc_profile=icc, compress_level=6)
        return {"fmt": "png", "width": im.width, "height": im.height}


def _strip(src: Path, dest: Path, fmt: str) -> dict[str, Any]:
    from PIL import Image

    with Image.open(src) as im:
        im.load()
        icc = im.info.get("icc_profile")
        im.save(dest, "AVIF", quality=90, icc_profile=icc)
        return {"fmt": fmt, "width": im.width, "height": im.height}


def main(argv: list[str]) -> int:
    job, src, dest, fmt, max_pixels = argv
    from PIL import Image

    # The parent checked the size on the header; the same guard as the server's, so no warning fires below it.
    Image.MAX_IMAGE_PIXELS = int(max_pixels)
    try:
        out = (_web if job == "web" else _strip)(Path(src), Path(dest), fmt)
    except MemoryError:
        return _OUT_OF_MEMORY
    except Exception as exc:
        # libvips reports a failed allocation as an error like any other.
        return _OUT_OF_MEMORY if "memory" in str(exc).lower() else 2
    sys.stdout.write(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
