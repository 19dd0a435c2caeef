"""Guard rails checked on header facts, before any full decode (decompression bombs are refused cheaply), and
on what a file turns out to hold (frames counted in an animation, packets in a video)."""

from __future__ import annotations

from dataclasses import dataclass

from imghost.errors import PayloadTooLarge, UnsupportedMedia
from imghost.media.probe import Probe


@dataclass(frozen=True, slots=True)
class MediaLimits:
    max_image_bytes: int
    max_video_bytes: int
    max_pixels: int
    max_animation_pixels: int
    max_frames: int
    max_side: int
    max_video_seconds: float = 60.0
    max_video_frames: int = 14_400
    # width * height * frames per second: what decoding one second of the video costs.
    max_video_pixel_rate: int = 4096 * 2160 * 60


def check(p: Probe, size: int, limits: MediaLimits) -> None:
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
        _video(p.width, p.height, p.seconds, p.seconds * p.fps, p.fps, limits)
        return
    if p.width * p.height > limits.max_pixels:
        raise UnsupportedMedia("Image is too large (pixels)")
    if p.frames > limits.max_frames:
        raise UnsupportedMedia("Animation has too many frames")
    if p.frames > 1 and p.width * p.height * p.frames > limits.max_animation_pixels:
        raise UnsupportedMedia("Animation is too large (pixels)")


def check_video(p: Probe, frames: int, seconds: float, limits: MediaLimits) -> None:
    """The same limits on what the video holds: frames and time as its packets were counted."""
    _video(p.width, p.height, seconds, frames, frames / seconds if seconds > 0 else p.fps, limits)


# Timestamps are rounded by containers; a video a frame or so over the limit is not refused for it.
_SLACK_SECONDS = 0.5


def _video(width: int, height: int, seconds: float, frames: float, fps: float, limits: MediaLimits) -> None:
    if seconds > limits.max_video_seconds + _SLACK_SECONDS:
        raise UnsupportedMedia(f"Video is too long (over {limits.max_video_seconds:g} seconds)")
    if frames > limits.max_video_frames:
        raise UnsupportedMedia("Video has too many frames")
    if width * height * fps > limits.max_video_pixel_rate:
        raise UnsupportedMedia("Video frame rate is too high for its size")
