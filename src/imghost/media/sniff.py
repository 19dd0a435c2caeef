"""Type detection from magic bytes only: names and Content-Type headers are never trusted."""

from __future__ import annotations

_FTYP_AVIF = {b"avif", b"avis"}
_FTYP_HEIC = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_FTYP_MOV = {b"qt  "}
_FTYP_MP4 = {
    b"isom",
    b"iso2",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"M4A ",
    b"dash",
    b"mp71",
    b"3gp4",
    b"3gp5",
    b"3g2a",
    b"MSNV",
    b"f4v ",
}


def sniff(head: bytes) -> str | None:
    """The container format of a file from its first bytes (≥ 64), or None if it is none we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[:2] == b"BM" and len(head) >= 26 and head[14] in (12, 40, 52, 56, 64, 108, 124):
        return "bmp"
    if head[4:8] == b"ftyp":
        return _ftyp(head)
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm" if b"webm" in head[:64] else "mkv"
    return None


def _ftyp(head: bytes) -> str | None:
    size = int.from_bytes(head[:4], "big")
    major = head[8:12]
    compatible = {head[i : i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
    brands = {major} | compatible
    if major in _FTYP_AVIF or (major in (b"mif1", b"msf1") and brands & _FTYP_AVIF):
        return "avif"
    if major in _FTYP_HEIC:
        return "heic"
    if major in _FTYP_MOV:
        return "mov"
    if major in _FTYP_MP4 or brands & _FTYP_MP4:
        return "mp4"
    return None


VIDEO_FORMATS = {"mp4", "mov", "webm", "mkv"}
