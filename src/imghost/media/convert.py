"""Formats browsers cannot show (HEIC, TIFF) or should not be sent (BMP) become JPEG or PNG on upload."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from PIL import Image, ImageOps

from imghost.errors import UnsupportedMedia


def to_web_format(path: Path, fmt: str) -> tuple[bytes, str]:
    """Decode, apply orientation, re-encode without metadata (colour profile kept). Returns (bytes, fmt)."""
    if fmt == "heic":
        import pillow_heif

        pillow_heif.register_heif_opener()
    try:
        with Image.open(path) as im:
            im.load()
            icc = im.info.get("icc_profile")
            im = ImageOps.exif_transpose(im)
            out = BytesIO()
            if fmt == "heic":
                im = im.convert("RGB") if im.mode != "RGB" else im
                im.save(out, "JPEG", quality=92, icc_profile=icc, optimize=True)
                return out.getvalue(), "jpeg"
            if im.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16"):
                im = im.convert("RGBA" if "A" in im.getbands() else "RGB")
                icc = None if fmt == "tiff" and icc else icc
            im.save(out, "PNG", icc_profile=icc, compress_level=6)
            return out.getvalue(), "png"
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise UnsupportedMedia() from exc


def reencode_without_metadata(path: Path, fmt: str) -> bytes:
    """AVIF has no container-level rewrite here; re-encode only when it carries EXIF or XMP."""
    try:
        with Image.open(path) as im:
            im.load()
            icc = im.info.get("icc_profile")
            out = BytesIO()
            im.save(out, "AVIF", quality=90, icc_profile=icc)
            return out.getvalue()
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise UnsupportedMedia() from exc


def has_metadata(path: Path) -> bool:
    with Image.open(path) as im:
        return bool(im.getexif()) or "xmp" in im.info
