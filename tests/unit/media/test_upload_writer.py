"""UploadWriter: metadata stripped while the bytes stream in, in one pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from imghost.media import sanitize
from imghost.media.probe import jpeg_orientation
from imghost.media.writer import UploadWriter
from tests.corpus.cases import get_case
from tests.unit.media.helpers import jpeg_scan
from tests.unit.media.test_sanitize import dirty_jpeg


def _stream(path: Path, data: bytes, step: int) -> UploadWriter:
    out = UploadWriter(path)
    for i in range(0, len(data), step):
        out.write(data[i : i + step])
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
    assert out.size == len(data)  # what was received


def test_jpeg_with_trailer_keeps_the_trailer_for_prepare(tmp_path: Path) -> None:
    # The stream pass rewrites the header only; the trailer after EOI is prepare()'s to cut.
    data = dirty_jpeg("exif_rotated.jpg")
    out = _stream(tmp_path / "f", data, 5000)
    written = (tmp_path / "f").read_bytes()
    assert written == _expected_jpeg(data)
    assert out.size == len(data)
    assert sanitize.jpeg_file(tmp_path / "f", tmp_path / "g", jpeg_orientation(written)) is not None


@pytest.mark.parametrize("name", ["alpha.png", "anim.gif", "static.webp", "mp4.mp4"])
def test_other_formats_are_written_as_sent(tmp_path: Path, name: str) -> None:
    data = get_case(name).read_bytes()
    out = _stream(tmp_path / "f", data, 3000)
    assert (tmp_path / "f").read_bytes() == data
    assert out.size == len(data)


@pytest.mark.filterwarnings("ignore:Truncated File Read:UserWarning", "ignore:Corrupt EXIF data:UserWarning")
def test_stream_ending_inside_a_jpeg_header_is_kept_as_sent(tmp_path: Path) -> None:
    data = get_case("exif_rotated.jpg").read_bytes()[:300]
    out = _stream(tmp_path / "f", data, 50)
    assert (tmp_path / "f").read_bytes() == data
    assert out.size == len(data)


def test_a_disk_error_is_raised_by_the_write(tmp_path: Path) -> None:
    # /dev/full fails every write with ENOSPC: a real full disk.
    out = UploadWriter(Path("/dev/full"))
    try:
        with pytest.raises(OSError, match="No space left"):
            _fill(out)
    finally:
        out.abort()


def _fill(out: UploadWriter) -> None:
    for _ in range(200):
        out.write(b"\xff" * 65536)
    out.close()


def test_a_trickled_header_is_parsed_a_few_times_not_once_per_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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
