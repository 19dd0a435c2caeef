"""Hostile media against a live server: limits hold on what files hold, not on what their headers claim.

A lying APNG (acTL says 2 frames), a GIF of a million one-pixel frames, videos longer than the limit (one
whose header says it is short), a 10,000 x 10,000 CMYK TIFF, a re-encode and a conversion that need more
CPU than their child may spend, a pool that is full. Each is answered with the right envelope within a time
bound, leaves nothing on disk or in the database, and the server's peak RSS growth is measured."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import imageio_ffmpeg
import pytest

from imghost.media import child
from tests.hostile.memory import GROWTH_LIMIT, MB, PeakGrowth, descendants
from tests.live import UNLIMITED, LiveServer, db_rows, free_port, start_server, stored_keys, tmp_leftovers

HUGE = {
    **UNLIMITED,
}


# ------------------------------------------------------------------------------------------ servers


def _server(tmp_path_factory: pytest.TempPathFactory, name: str, env: dict[str, str]) -> Iterator[LiveServer]:
    srv = start_server(tmp_path_factory.mktemp(name), port=free_port(), extra_env={**HUGE, **env})
    try:
        srv.create_client("bounds")
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Low limits, so that hostile files stay small."""
    yield from _server(
        tmp_path_factory,
        "media-limited",
        {
            "IMGHOST_MAX_FRAMES": "50",
            "IMGHOST_MAX_ANIMATION_PIXELS": "100000",
            "IMGHOST_MAX_VIDEO_SECONDS": "5",
        },
    )


@pytest.fixture(scope="module")
def stingy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One second of CPU for each media child."""
    yield from _server(tmp_path_factory, "media-stingy", {"IMGHOST_MEDIA_CPU_SECONDS": "1"})


@pytest.fixture(scope="module")
def narrow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A heavy pool of one worker and no queue."""
    yield from _server(
        tmp_path_factory, "media-narrow", {"IMGHOST_MEDIA_WORKERS": "1", "IMGHOST_MEDIA_QUEUE": "0"}
    )


def _client(srv: LiveServer) -> httpx.Client:
    return httpx.Client(
        base_url=srv.url, headers={"Authorization": f"Client-ID {srv.clients[0][0]}"}, timeout=180
    )


def upload(srv: LiveServer, data: bytes, name: str) -> tuple[httpx.Response, float]:
    with _client(srv) as c:
        started = time.monotonic()
        r = c.post("/3/upload", files={"image": (name, data, "application/octet-stream")})
        return r, time.monotonic() - started


# --------------------------------------------------------------------------------- processes, memory


class ChildWatch:
    """Every media child the server starts while the block runs, with its limits and niceness as /proc
    shows them while it runs."""

    def __init__(self, srv: LiveServer) -> None:
        self.srv = srv
        self.seen: dict[int, dict[str, Any]] = {}
        self._stop = threading.Event()

    def _poll(self) -> None:
        while not self._stop.is_set():
            for pid in descendants(self.srv):
                if pid in self.seen:
                    continue
                try:
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                    limits = Path(f"/proc/{pid}/limits").read_text()
                    stat = Path(f"/proc/{pid}/stat").read_text()
                except OSError:
                    continue
                exe = Path(cmd[0].decode()).name
                if exe in ("sh", "dash", "bash", "nice"):
                    continue  # the wrapper before its exec: it names the child's command in its arguments
                if "ffmpeg" not in exe and b"imghost.media.convert" not in cmd:
                    continue  # the server itself
                nice = int(stat[stat.rfind(")") + 2 :].split()[16])
                self.seen[pid] = {
                    "cmd": b" ".join(cmd).decode(errors="replace"),
                    "nice": nice,
                    "cpu": _limit(limits, "Max cpu time"),
                    "as": _limit(limits, "Max address space"),
                }
            time.sleep(0.005)

    def __enter__(self) -> ChildWatch:
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def _limit(limits: str, name: str) -> str:
    for line in limits.splitlines():
        if line.startswith(name):
            return line[len(name) :].split()[0]
    raise AssertionError(f"{name} not in /proc limits")


# ------------------------------------------------------------------------------------- bookkeeping


def _counts(srv: LiveServer) -> tuple[int, int]:
    return (
        db_rows(srv, "SELECT COUNT(*) FROM images")[0][0],
        db_rows(srv, "SELECT COUNT(*) FROM blobs")[0][0],
    )


def refused(
    srv: LiveServer, data: bytes, name: str, *, status: int, message: str, within: float, growth: bool = True
) -> httpx.Response:
    """Upload; assert the envelope, the time bound, nothing left behind and (growth) the memory bound."""
    before, keys = _counts(srv), stored_keys(srv)
    with PeakGrowth(srv) as peak:
        r, elapsed = upload(srv, data, name)
    body = r.json()
    assert r.status_code == status, r.text
    assert body["success"] is False and body["status"] == status
    error = body["data"]["error"]
    assert (error["message"] if isinstance(error, dict) else error) == message
    assert elapsed < within, f"answered after {elapsed:.1f} s"
    if growth:
        assert peak.growth <= GROWTH_LIMIT, f"peak RSS grew by {peak.growth / MB:.0f} MB"
    assert tmp_leftovers(srv) == []
    assert stored_keys(srv) == keys
    assert _counts(srv) == before
    return r


def _no_leftovers(srv: LiveServer) -> None:
    """After a success: an upload's temporary files go after its answer (a background task), so give
    them a moment."""
    deadline = time.monotonic() + 5
    while tmp_leftovers(srv) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert tmp_leftovers(srv) == []


# ---------------------------------------------------------------------------------------- files


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def lying_apng(frames: int, claimed: int, side: int) -> bytes:
    """An APNG whose acTL claims `claimed` frames and which holds `frames` (each fcTL + image data)."""
    raw = zlib.compress((b"\x00" + b"\x40" * (side * 3)) * side)
    out = b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
    out += _png_chunk(b"acTL", struct.pack(">II", claimed, 0))
    seq = 0
    for i in range(frames):
        out += _png_chunk(b"fcTL", struct.pack(">IIIIIHHBB", seq, side, side, 0, 0, 1, 10, 0, 0))
        seq += 1
        if i == 0:
            out += _png_chunk(b"IDAT", raw)
        else:
            out += _png_chunk(b"fdAT", struct.pack(">I", seq) + raw)
            seq += 1
    return out + _png_chunk(b"IEND", b"")


def gif_of_frames(frames: int) -> bytes:
    """A 1 x 1 GIF of `frames` frames (23 bytes each)."""
    head = b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    frame = (
        b"\x21\xf9\x04\x00\x01\x00\x00\x00"
        + b"\x2c"
        + struct.pack("<HHHHB", 0, 0, 1, 1, 0)
        + b"\x02\x02\x44\x01\x00"
    )
    return head + frame * frames + b"\x3b"


def ffmpeg_make(tmp: Path, name: str, *args: str) -> bytes:
    out = tmp / name
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-nostdin",
            "-y",
            *args,
            str(out),
        ],
        check=True,
        timeout=120,
    )
    return out.read_bytes()


def black_video(tmp: Path, seconds: float, name: str = "black.mkv", fmt: str = "matroska") -> bytes:
    return ffmpeg_make(
        tmp,
        name,
        "-f",
        "lavfi",
        "-i",
        "color=c=black:s=64x48:r=10",
        "-t",
        str(seconds),
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-f",
        fmt,
    )


def shortened(mp4: bytes, seconds: int) -> bytes:
    """The MP4 with its movie, track and media headers claiming `seconds`; the samples are untouched."""
    data = bytearray(mp4)
    for box, dur_at, scale_at in ((b"mvhd", 16, 12), (b"tkhd", 20, None), (b"mdhd", 16, 12)):
        at = data.find(box) + 4
        assert at > 3 and data[at] == 0, box  # version 0 boxes: 32-bit fields
        scale = struct.unpack_from(">I", data, at + scale_at)[0] if scale_at else 1000
        struct.pack_into(">I", data, at + dur_at, seconds * scale)
    return bytes(data)


def cmyk_tiff(tmp: Path, side: int, orientation: int = 1) -> bytes:
    import pyvips

    im = pyvips.Image.black(side, side, bands=4).copy(interpretation="cmyk") + [10, 20, 30, 40]
    im = im.cast("uchar").copy()
    if orientation != 1:
        im.set_type(pyvips.GValue.gint_type, "orientation", orientation)
    path = tmp / f"cmyk-{side}-{orientation}.tif"
    im.tiffsave(str(path), compression="deflate")
    return path.read_bytes()


# ------------------------------------------------------------------------------------ animations


def test_lying_apng_is_refused_on_its_frames(limited: LiveServer) -> None:
    data = lying_apng(frames=60, claimed=2, side=8)  # 60 frames over a limit of 50
    refused(limited, data, "lie.png", status=400, message="Animation has too many frames", within=5)


def test_lying_apng_is_refused_on_its_pixels(limited: LiveServer) -> None:
    # acTL says 2 frames of 100 x 100 (20,000 px, within 100,000); it holds 20 (200,000).
    data = lying_apng(frames=20, claimed=2, side=100)
    refused(limited, data, "lie.png", status=400, message="Animation is too large (pixels)", within=5)


def test_apng_within_the_limits_is_accepted(limited: LiveServer) -> None:
    r, _ = upload(limited, lying_apng(frames=5, claimed=5, side=8), "ok.png")
    assert r.status_code == 200, r.text
    assert r.json()["data"]["animated"] is True


def test_frame_bomb_gif_is_refused_without_counting_to_the_end(limited: LiveServer) -> None:
    data = gif_of_frames(2_000_000)  # 46 MB; counting every frame takes seconds, the limit is 50
    refused(limited, data, "bomb.gif", status=400, message="Animation has too many frames", within=3)


# ----------------------------------------------------------------------------------------- video


def test_long_video_is_refused(limited: LiveServer, tmp_path: Path) -> None:
    refused(
        limited,
        black_video(tmp_path, 20),
        "long.mkv",
        status=400,
        message="Video is too long (over 5 seconds)",
        within=10,
    )


def test_video_whose_header_says_it_is_short_is_refused_on_its_packets(
    limited: LiveServer, tmp_path: Path
) -> None:
    mp4 = black_video(tmp_path, 20, "long.mp4", "mp4")
    lie = shortened(mp4, 2)
    info = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", "-"],
        input=lie,
        capture_output=True,
        timeout=60,
    ).stderr
    assert b"Duration: 00:00:02.00" in info  # what the header claims
    refused(limited, lie, "lie.mp4", status=400, message="Video is too long (over 5 seconds)", within=10)


def test_short_video_is_accepted(limited: LiveServer, tmp_path: Path) -> None:
    r, _ = upload(limited, black_video(tmp_path, 3), "short.mkv")
    assert r.status_code == 200, r.text
    assert r.json()["data"]["type"] == "video/mp4"


# ------------------------------------------------------------------------------------------- TIFF


def test_huge_cmyk_tiff_converts_in_bounded_memory(limited: LiveServer, tmp_path: Path) -> None:
    data = cmyk_tiff(tmp_path, 10_000)
    assert len(data) < 2 * MB  # 400 MB of pixels
    keys, before = stored_keys(limited), _counts(limited)
    with PeakGrowth(limited) as peak:
        r, elapsed = upload(limited, data, "huge.tif")
    assert r.status_code == 200, r.text
    image = r.json()["data"]
    assert (image["type"], image["width"], image["height"]) == ("image/png", 10_000, 10_000)
    assert elapsed < 120
    assert peak.growth <= GROWTH_LIMIT, f"peak RSS grew by {peak.growth / MB:.0f} MB"
    with _client(limited) as c:
        png = c.get(image["link"].replace(limited.env["IMGHOST_PUBLIC_URL"], ""))
        assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
        assert c.delete(f"/3/image/{image['deletehash']}").status_code == 200
    _no_leftovers(limited)
    assert stored_keys(limited) == keys
    assert _counts(limited) == before


def _conversion_peak(src: Path, dest: Path) -> int:
    """Peak RSS (bytes) of the conversion child, run exactly as the server runs it."""
    cmd = child.command(
        [sys.executable, "-m", "imghost.media.convert", "web", src, dest, "tiff", "100000000"], child.DEFAULT
    )
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0
    return usage.ru_maxrss * 1024


def test_huge_cmyk_tiff_streams_in_its_child(tmp_path: Path) -> None:
    """The server process holds none of the pixels (above); the child holding them streams: converting
    10,000 x 10,000 costs it at most 64 MB more than converting 64 x 64."""
    small, huge = tmp_path / "small.tif", tmp_path / "huge.tif"
    from PIL import Image

    Image.new("CMYK", (64, 64), (10, 20, 30, 40)).save(small)
    huge.write_bytes(cmyk_tiff(tmp_path, 10_000))
    base = _conversion_peak(small, tmp_path / "small.png")
    peak = _conversion_peak(huge, tmp_path / "huge.png")
    assert peak - base <= GROWTH_LIMIT, f"{(peak - base) / MB:.0f} MB for 400 MB of pixels"
    import pyvips

    out = pyvips.Image.new_from_file(str(tmp_path / "huge.png"))
    assert (out.width, out.height, out.bands) == (10_000, 10_000, 3)


def test_rotated_huge_tiff_is_refused_past_the_childs_memory(limited: LiveServer, tmp_path: Path) -> None:
    # A rotation needs every row at once: decoded whole, in the child, whose address space is 1 GiB.
    refused(
        limited,
        cmyk_tiff(tmp_path, 10_000, orientation=6),
        "turned.tif",
        status=400,
        message="Image is too large to process",
        within=60,
    )


# ---------------------------------------------------------------------------------- CPU-bound children


def test_reencode_past_its_cpu_limit_is_killed(stingy: LiveServer, tmp_path: Path) -> None:
    # MPEG-4 part 2 cannot be copied into MP4: the remux falls back to H.264, about 3 s of CPU here.
    mkv = ffmpeg_make(
        tmp_path,
        "heavy.mkv",
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=1280x720:r=30",
        "-t",
        "10",
        "-c:v",
        "msmpeg4v2",
        "-q:v",
        "31",
        "-f",
        "matroska",
    )
    with ChildWatch(stingy) as watch:
        refused(stingy, mkv, "heavy.mkv", status=400, message="Video processing took too long", within=30)
    # (imageio_ffmpeg checks its binary with `-version` once per process: no input, nothing to bound.)
    ffmpegs = [c for c in watch.seen.values() if "ffmpeg" in c["cmd"] and not c["cmd"].endswith("-version ")]
    assert any("libx264" in c["cmd"] for c in ffmpegs), watch.seen
    for c in ffmpegs:
        assert (c["cpu"], c["as"], c["nice"]) == ("1", str(1024 * MB), 10), c
    # Even the re-encode is capped on what it decodes, whatever the header says.
    assert all("-frames:v" in c["cmd"] and " -t " in c["cmd"] for c in ffmpegs if "libx264" in c["cmd"])


def test_conversion_past_its_cpu_limit_is_killed(stingy: LiveServer, tmp_path: Path) -> None:
    data = cmyk_tiff(tmp_path, 10_000)  # converting 100 MP through a CMYK profile: seconds of CPU
    with ChildWatch(stingy) as watch:
        refused(stingy, data, "huge.tif", status=400, message="Image processing took too long", within=30)
    assert [(c["cpu"], c["nice"]) for c in watch.seen.values() if "imghost.media.convert" in c["cmd"]] == [
        ("1", 10)
    ]


def test_an_ordinary_upload_still_works_on_the_stingy_server(stingy: LiveServer, tmp_path: Path) -> None:
    r, _ = upload(stingy, black_video(tmp_path, 2), "short.mkv")
    assert r.status_code == 200, r.text


# ------------------------------------------------------------------------------------------- pool


def test_full_pool_answers_503_with_retry_after(narrow: LiveServer, tmp_path: Path) -> None:
    slow = ffmpeg_make(
        tmp_path,
        "slow.mkv",
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=1280x720:r=30",
        "-t",
        "10",
        "-c:v",
        "msmpeg4v2",
        "-q:v",
        "31",
        "-f",
        "matroska",
    )
    # A video whose thumbnails are not made yet: making one is heavy work too.
    video, _ = upload(narrow, black_video(tmp_path, 1), "early.mkv")
    assert video.status_code == 200, video.text
    first: dict[str, httpx.Response] = {}
    worker = threading.Thread(target=lambda: first.update(r=upload(narrow, slow, "slow.mkv")[0]))
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while not any(
            b"libx264" in Path(f"/proc/{pid}/cmdline").read_bytes()
            for pid in descendants(narrow)
            if Path(f"/proc/{pid}/cmdline").exists()
        ):
            assert time.monotonic() < deadline, "the first upload never reached its re-encode"
            assert worker.is_alive(), first
            time.sleep(0.01)
        # The one worker is transcoding: the next heavy upload is refused at once ...
        before = _counts(narrow)
        r, elapsed = upload(narrow, black_video(tmp_path, 2), "second.mkv")
        assert r.status_code == 503, r.text
        assert r.headers["retry-after"] == "5"
        assert r.json()["status"] == 503 and r.json()["success"] is False
        assert elapsed < 2
        assert _counts(narrow) == before
        # ... and so is the video's first thumbnail, on the media URL too, with when to come back ...
        with _client(narrow) as c:
            vthumb = c.get(f"/{video.json()['data']['id']}m.jpg")
        assert vthumb.status_code == 503 and vthumb.headers["retry-after"] == "5", vthumb.text
        # ... while light work does not wait for it: an ordinary JPEG upload and its thumbnail.
        with _client(narrow) as c:
            started = time.monotonic()
            up = c.post("/3/upload", files={"image": ("a.jpg", _jpeg(), "image/jpeg")})
            assert up.status_code == 200, up.text
            thumb = c.get(f"/{up.json()['data']['id']}m.jpg")
            assert thumb.status_code == 200
            assert time.monotonic() - started < 2
            assert worker.is_alive()  # the transcode was still running all along
    finally:
        worker.join(120)
    assert first["r"].status_code == 200, first["r"].text
    _no_leftovers(narrow)
    # Once the pool is free again, heavy uploads are taken.
    r, _ = upload(narrow, black_video(tmp_path, 2), "third.mkv")
    assert r.status_code == 200, r.text


def _jpeg() -> bytes:
    import io
    import os

    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (800, 600), os.urandom(800 * 600 * 3)).save(out, "JPEG", quality=80)
    return out.getvalue()
