"""Guard rails checked on header facts, before any full decode (decompression bombs are refused cheaply)."""

from __future__ import annotations

from dataclasses import dataclass

from imghost.errors import PayloadTooLarge, UnsupportedMedia
from imghost.media.probe import Probe


@dataclass(frozen=True, slots=True)
class Limits:
    max_image_bytes: int
    max_video_bytes: int
    max_pixels: int
    max_animation_pixels: int
    max_frames: int
    max_side: int


def check(p: Probe, size: int, limits: Limits) -> None:
    if size == 0:
        raise UnsupportedMedia()
    if p.is_video:
        if size > limits.max_video_bytes:
            raise PayloadTooLarge()
    elif size > limits.max_image_bytes and not (p.animated and size <= limits.max_video_bytes):
        # Animated images may be as large as videos (they are served as MP4 too), stills may not.
        raise PayloadTooLarge()
    if p.width <= 0 or p.height <= 0 or p.width > limits.max_side or p.height > limits.max_side:
        raise UnsupportedMedia("Image dimensions are out of range")
    if p.is_video:
        return
    if p.width * p.height > limits.max_pixels:
        raise UnsupportedMedia("Image is too large (pixels)")
    if p.frames > limits.max_frames:
        raise UnsupportedMedia("Animation has too many frames")
    if p.width * p.height * p.frames > limits.max_animation_pixels:
        raise UnsupportedMedia("Animation is too large (pixels)")
