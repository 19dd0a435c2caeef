"""UploadWriter (metadata stripped while the bytes stream in) and BackgroundWriter (the same on a thread)."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from imghost.media import background, sanitize
from imghost.media.background import BackgroundWriter
from imghost.media.digest import UploadWriter
from imghost.media.probe import jpeg_orientation
from tests.corpus.cases import get_case
from tests.unit.media.helpers import jpeg_scan
from tests.unit.media.test_sanitize import dirty_jpeg


def _stream(path: Path, data: bytes, step: int) -> UploadWriter:
    out = UploadWriter(path)
    for i in range(0, len(data), step):
        out.write(data[i:i + step])
    out.close()
    return out


def _expected_jpeg(data: bytes) -> bytes:
    header, sos, _ = sanitize.jpeg_header(data, jpeg_orientation(data))
    return header + data[sos:]


@pytest.mark.parametrize("step", [1, 7, 4096, 65536, 10**9])
@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning", "ignore:Truncated File Read:UserWarning")
def test_jpeg_header_is_rewritten_in_flight(tmp_path: Path, step: int) -> None:
    data = get_case("exif_rotated.jpg").read_bytes()
    out = _stream(tmp_path / "f", data, step)
    written = (tmp_path / "f").read_bytes()
    assert written == _expected_jpeg(data)
    assert written != data  # the camera EXIF is gone...
    assert jpeg_scan(written) == jpeg_scan(data)  # ...and the image data untouched
    assert jpeg_orientation(written) == jpeg_orientation(data) != 1
    assert out.digest.size == len(written)
    assert out.digest.hexdigest() == hashlib.sha256(written).hexdigest()


def test_jpeg_with_trailer_keeps_the_trailer_for_prepare(tmp_path: Path) -> None:
    # The stream pass rewrites the header only; the trailer after EOI is prepare()'s to cut.
    data = dirty_jpeg("exif_rotated.jpg")
    out = _stream(tmp_path / "f", data, 5000)
    written = (tmp_path / "f").read_bytes()
    assert written == _expected_jpeg(data)
    assert out.digest.hexdigest() == hashlib.sha256(written).hexdigest()
    assert sanitize.jpeg_file(tmp_path / "f", tmp_path / "g", jpeg_orientation(written)) is not None


@pytest.mark.parametrize("name", ["alpha.png", "anim.gif", "static.webp", "mp4.mp4"])
def test_other_formats_are_written_as_sent(tmp_path: Path, name: str) -> None:
    data = get_case(name).read_bytes()
    out = _stream(tmp_path / "f", data, 3000)
    assert (tmp_path / "f").read_bytes() == data
    assert out.digest.size == len(data)
    assert out.digest.hexdigest() == hashlib.sha256(data).hexdigest()


@pytest.mark.filterwarnings("ignore:Truncated File Read:UserWarning", "ignore:Corrupt EXIF data:UserWarning")
def test_stream_ending_inside_a_jpeg_header_is_kept_as_sent(tmp_path: Path) -> None:
    data = get_case("exif_rotated.jpg").read_bytes()[:300]
    out = _stream(tmp_path / "f", data, 50)
    assert (tmp_path / "f").read_bytes() == data
    assert out.digest.hexdigest() == hashlib.sha256(data).hexdigest()


def test_background_writer_matches_the_plain_writer(tmp_path: Path) -> None:
    data = get_case("photo12mp.jpg").read_bytes()

    async def go() -> BackgroundWriter:
        w = BackgroundWriter(tmp_path / "bg")
        for i in range(0, len(data), 100_000):
            w.write(data[i:i + 100_000])
            await w.drain()
        await w.wait()
        return w

    w = asyncio.run(go())
    plain = _stream(tmp_path / "plain", data, 100_000)
    assert (tmp_path / "bg").read_bytes() == (tmp_path / "plain").read_bytes()
    assert w.digest.hexdigest() == plain.digest.hexdigest()


def test_background_writer_waits_when_too_much_is_queued(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(background, "MAX_PENDING", 10_000)
    chunk = b"\x00" * 64_000
    peaks: list[int] = []

    async def go() -> None:
        w = BackgroundWriter(tmp_path / "f")
        for _ in range(50):
            w.write(chunk)
            await w.drain()
            peaks.append(max(lane.pending for lane in w._lanes))
        await w.wait()

    asyncio.run(go())
    assert (tmp_path / "f").stat().st_size == 50 * len(chunk)
    assert max(peaks) <= 10_000  # drain() returned only once the queue was back under the limit


def test_background_writer_reports_a_disk_error(tmp_path: Path) -> None:
    # /dev/full fails every write with ENOSPC: a real full disk.
    async def go() -> None:
        w = BackgroundWriter(Path("/dev/full"))
        try:
            for _ in range(200):
                w.write(b"\xff" * 65536)
                await w.drain()
            await w.wait()
        finally:
            w.abort()

    with pytest.raises(OSError, match="No space left"):
        asyncio.run(go())


def test_abort_stops_both_lanes(tmp_path: Path) -> None:
    async def go() -> BackgroundWriter:
        w = BackgroundWriter(tmp_path / "f")
        w.write(b"abc")
        w.abort()
        return w

    w = asyncio.run(go())
    assert all(lane.done.done() for lane in w._lanes)  # both lanes finished, the file closed


def test_a_trickled_header_is_parsed_a_few_times_not_once_per_byte(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    real = sanitize.jpeg_header

    def counting(data: bytes, orientation: int) -> tuple[bytes, int, bool]:
        nonlocal calls
        calls += 1
        return real(data, orientation)

    monkeypatch.setattr(sanitize, "jpeg_header", counting)
    data = get_case("exif_rotated.jpg").read_bytes()
    _stream(tmp_path / "f", data, 1)
    assert (tmp_path / "f").read_bytes() == _expected_jpeg(data)
    assert calls < 40
