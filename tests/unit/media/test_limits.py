"""limits.check(): byte, side, pixel, frame and animation-pixel limits on header facts."""

from __future__ import annotations

import pytest

from imghost.errors import ImghostError, PayloadTooLarge, UnsupportedMedia
from imghost.media.limits import MediaLimits, check
from imghost.media.probe import Probe

LIMITS = MediaLimits(
    max_image_bytes=1000,
    max_video_bytes=5000,
    max_pixels=10_000,
    max_animation_pixels=50_000,
    max_frames=10,
    max_side=200,
)


def still(w: int = 50, h: int = 40, fmt: str = "png") -> Probe:
    return Probe(fmt, w, h, 1)


def anim(w: int = 50, h: int = 40, frames: int = 5, fmt: str = "gif") -> Probe:
    return Probe(fmt, w, h, frames)


def video(w: int = 64, h: int = 48, fmt: str = "mp4") -> Probe:
    return Probe(fmt, w, h, 1)


def outcome(p: Probe, size: int) -> tuple[type[ImghostError], str] | None:
    try:
        check(p, size, LIMITS)
    except ImghostError as exc:
        return type(exc), exc.public
    return None


TOO_BIG = (PayloadTooLarge, "File is over the size limit")
BAD_DIMS = (UnsupportedMedia, "Image dimensions are out of range")
TOO_MANY_PIXELS = (UnsupportedMedia, "Image is too large (pixels)")
TOO_MANY_FRAMES = (UnsupportedMedia, "Animation has too many frames")
ANIM_TOO_BIG = (UnsupportedMedia, "Animation is too large (pixels)")


@pytest.mark.parametrize(
    ("p", "size", "expected"),
    [
        # bytes: stills up to max_image_bytes
        (still(), 1, None),
        (still(), 1000, None),
        (still(), 1001, TOO_BIG),
        (still(fmt="jpeg"), 4000, TOO_BIG),
        (still(), 0, (UnsupportedMedia, "File type invalid (1)")),
        # animated images may be as large as a video (they are served as MP4 too) ...
        (anim(), 1001, None),
        (anim(), 5000, None),
        (anim(), 5001, TOO_BIG),
        (anim(fmt="webp"), 5000, None),
        (anim(fmt="png"), 5001, TOO_BIG),
        # ... videos up to max_video_bytes
        (video(), 5000, None),
        (video(fmt="webm"), 5000, None),
        (video(fmt="mov"), 5001, TOO_BIG),
        (video(), 0, (UnsupportedMedia, "File type invalid (1)")),
        # sides, for images and videos alike
        (still(200, 200), 10, TOO_MANY_PIXELS),  # side fine, pixels not
        (still(200, 50), 10, None),
        (still(201, 10), 10, BAD_DIMS),
        (still(10, 201), 10, BAD_DIMS),
        (still(0, 10), 10, BAD_DIMS),
        (still(10, 0), 10, BAD_DIMS),
        (still(-1, 10), 10, BAD_DIMS),
        (video(200, 200), 10, None),  # videos: no pixel limit ...
        (video(201, 100), 10, BAD_DIMS),  # ... but the side limit holds
        (video(100, 201), 10, BAD_DIMS),
        (anim(201, 10, 2), 10, BAD_DIMS),
        # pixels
        (still(100, 100), 10, None),
        (still(101, 100), 10, TOO_MANY_PIXELS),
        (anim(100, 100, 2), 10, None),
        (anim(100, 101, 2), 10, TOO_MANY_PIXELS),
        # frames
        (anim(2, 2, 10), 10, None),
        (anim(2, 2, 11), 10, TOO_MANY_FRAMES),
        (anim(2, 2, 3000), 10, TOO_MANY_FRAMES),
        # animation pixels: width * height * frames
        (anim(100, 50, 10), 10, None),  # exactly 50 000
        (anim(100, 51, 10), 10, ANIM_TOO_BIG),  # 51 000
        (anim(100, 100, 6), 10, ANIM_TOO_BIG),  # 60 000; each frame within max_pixels
        (anim(100, 100, 5), 10, None),  # exactly 50 000
    ],
)
def test_check(p: Probe, size: int, expected: tuple[type[ImghostError], str] | None) -> None:
    assert outcome(p, size) == expected


def test_bytes_are_checked_before_dimensions() -> None:
    assert outcome(still(5000, 5000), 2000) == TOO_BIG
    assert outcome(video(5000, 5000), 6000) == TOO_BIG


def test_pixel_limit_before_frame_limits() -> None:
    assert outcome(anim(101, 100, 3000), 10) == TOO_MANY_PIXELS
    assert outcome(anim(10, 10, 3000), 10) == TOO_MANY_FRAMES


def test_errors_are_400_with_imgur_code_1003() -> None:
    for p, size in [(still(), 1001), (still(201, 1), 1), (anim(2, 2, 11), 1)]:
        with pytest.raises(ImghostError) as info:
            check(p, size, LIMITS)
        assert (info.value.status, info.value.code) == (400, 1003)


def test_defaults_from_settings_accept_the_corpus_extremes() -> None:
    default = MediaLimits(
        max_image_bytes=20 * 1024 * 1024,
        max_video_bytes=200 * 1024 * 1024,
        max_pixels=100_000_000,
        max_animation_pixels=400_000_000,
        max_frames=1000,
        max_side=30_000,
    )
    check(Probe("jpeg", 4000, 3000, 1), 4_000_000, default)
    check(Probe("gif", 10799, 256, 1), 500, default)
    with pytest.raises(UnsupportedMedia, match="too many frames"):
        check(Probe("gif", 2, 2, 3000), 40_000, default)
    with pytest.raises(UnsupportedMedia, match=r"^Image is too large \(pixels\)$"):
        check(Probe("png", 30_000, 30_000, 1), 5_000, default)
