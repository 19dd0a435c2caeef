from __future__ import annotations

import functools
import subprocess
from pathlib import Path

from imghost.errors import UnsupportedMedia


@functools.cache
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def run(args: list[str], timeout: float) -> None:
    try:
        proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args],
                              capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise UnsupportedMedia("Video processing took too long") from None
    if proc.returncode != 0:
        raise UnsupportedMedia()


def animation_to_mp4(src: Path, dest: Path, timeout: float) -> None:
    # libx264 with yuv420p needs even dimensions.
    run(["-i", str(src), "-movflags", "+faststart", "-pix_fmt", "yuv420p",
         "-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2", "-c:v", "libx264", "-preset", "veryfast",
         "-crf", "23", "-an", "-f", "mp4", str(dest)], timeout)


def remux_mp4(src: Path, dest: Path, *, drop_audio: bool, timeout: float) -> None:
    """MOV/MKV into MP4 without re-encoding when the codecs allow, else H.264/AAC."""
    audio = ["-an"] if drop_audio else ["-c:a", "copy"]
    try:
        run(["-i", str(src), "-map", "0:v:0", "-map", "0:a?", "-c:v", "copy", *audio,
             "-movflags", "+faststart", "-f", "mp4", str(dest)], timeout)
    except UnsupportedMedia:
        audio = ["-an"] if drop_audio else ["-c:a", "aac"]
        run(["-i", str(src), "-map", "0:v:0", "-map", "0:a?", "-c:v", "libx264", "-preset", "veryfast",
             "-pix_fmt", "yuv420p", "-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2", *audio,
             "-movflags", "+faststart", "-f", "mp4", str(dest)], timeout)


def strip_audio(src: Path, dest: Path, fmt: str, timeout: float) -> None:
    run(["-i", str(src), "-map", "0:v:0", "-c", "copy", "-an", "-f", fmt, str(dest)], timeout)


def first_frame_png(src: Path, dest: Path, timeout: float) -> None:
    run(["-i", str(src), "-frames:v", "1", "-f", "image2", "-c:v", "png", str(dest)], timeout)
