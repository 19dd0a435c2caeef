"""Every ffmpeg run: in a child process under a ChildLimits (media.child), and, whatever the file's headers claim,
never decoding or writing more than Caps allow (`-frames:v`, `-t`)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from imghost.errors import UnsupportedMedia
from imghost.media import child
from imghost.media.child import ChildLimits

_WHAT = "Video processing"


@dataclass(frozen=True, slots=True)
class Caps:
    frames: int
    seconds: float

    def output(self) -> list[str]:
        return ["-frames:v", str(max(1, self.frames)), "-t", f"{max(0.1, self.seconds):.3f}"]


@functools.cache
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    exe: str = imageio_ffmpeg.get_ffmpeg_exe()
    return exe


def _run(args: list[str], timeout: float, budget: ChildLimits) -> bytes:
    threads = str(max(1, budget.threads))
    res = child.run(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-filter_threads",
            threads,
            "-threads",
            threads,
            *args,
        ],
        budget=budget,
        timeout=timeout,
        what=_WHAT,
    )
    if res.returncode != 0:
        raise UnsupportedMedia()
    return res.stdout


def _out(budget: ChildLimits) -> list[str]:
    return ["-threads", str(max(1, budget.threads))]


def info(src: Path, timeout: float, budget: ChildLimits = child.DEFAULT) -> bytes:
    """What `ffmpeg -i` prints about a file (the bundled ffmpeg has no ffprobe): its stream table."""
    res = child.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-threads", "1", "-i", src],
        budget=budget,
        timeout=timeout,
        what=_WHAT,
        capture_stderr=True,
    )
    return res.stderr[-65536:]  # the table comes first and is short; anything beyond is a broken file's noise


def count_video(src: Path, *, caps: Caps, timeout: float, budget: ChildLimits) -> tuple[int, float]:
    """(frames, seconds) of the first video stream as its packets are read, without decoding them: what the
    file holds, not what its header says. Stops just past the caps, so a bigger answer means "over"."""
    over = Caps(caps.frames + 1, caps.seconds + 1)
    out = _run(
        [
            "-i",
            str(src),
            "-map",
            "0:v:0",
            "-c",
            "copy",
            *over.output(),
            "-f",
            "null",
            "-progress",
            "pipe:1",
            "-stats_period",
            "3600",
            "-",
        ],
        timeout,
        budget,
    )
    frames, micros = 0, 0
    for line in out.decode("ascii", "replace").splitlines():
        key, _, value = line.partition("=")
        if key == "frame" and value.strip().isdigit():
            frames = int(value)
        elif key == "out_time_us" and value.strip().lstrip("-").isdigit():
            micros = max(0, int(value))
    return frames, micros / 1e6


def animation_to_mp4(src: Path, dest: Path, timeout: float, *, caps: Caps, budget: ChildLimits) -> None:
    # libx264 with yuv420p needs even dimensions.
    _run(
        [
            "-i",
            str(src),
            "-movflags",
            "+faststart",
            "-pix_fmt",
            "yuv420p",
            "-vf",
            "scale=trunc(iw/2)*2:trunc(ih/2)*2",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "23",
            "-an",
            *_out(budget),
            *caps.output(),
            "-f",
            "mp4",
            str(dest),
        ],
        timeout,
        budget,
    )


def remux_mp4(
    src: Path, dest: Path, *, drop_audio: bool, timeout: float, caps: Caps, budget: ChildLimits
) -> None:
    """MOV/MKV into MP4 without re-encoding when the codecs allow, else H.264/AAC, bounded by the same caps."""
    audio = ["-an"] if drop_audio else ["-c:a", "copy"]
    try:
        _run(
            [
                "-i",
                str(src),
                "-map",
                "0:v:0",
                "-map",
                "0:a?",
                "-c:v",
                "copy",
                *audio,
                *caps.output(),
                "-movflags",
                "+faststart",
                "-f",
                "mp4",
                str(dest),
            ],
            timeout,
            budget,
        )
    except child.TooSlow:
        raise
    except UnsupportedMedia:
        audio = ["-an"] if drop_audio else ["-c:a", "aac"]
        _run(
            [
                "-i",
                str(src),
                "-map",
                "0:v:0",
                "-map",
                "0:a?",
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-pix_fmt",
                "yuv420p",
                "-vf",
                "scale=trunc(iw/2)*2:trunc(ih/2)*2",
                *audio,
                *_out(budget),
                *caps.output(),
                "-movflags",
                "+faststart",
                "-f",
                "mp4",
                str(dest),
            ],
            timeout,
            budget,
        )


def strip_audio(src: Path, dest: Path, fmt: str, timeout: float, *, caps: Caps, budget: ChildLimits) -> None:
    _run(
        ["-i", str(src), "-map", "0:v:0", "-c", "copy", "-an", *caps.output(), "-f", fmt, str(dest)],
        timeout,
        budget,
    )


def first_frame_png(src: Path, dest: Path, timeout: float, budget: ChildLimits = child.DEFAULT) -> None:
    _run(["-i", str(src), "-frames:v", "1", "-f", "image2", "-c:v", "png", str(dest)], timeout, budget)
