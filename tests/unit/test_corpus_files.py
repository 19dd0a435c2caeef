"""The generated test corpus is what `tests/corpus/cases.py` claims it is (so it cannot silently rot)."""

from __future__ import annotations

import re
import struct
import subprocess
import zlib
from collections.abc import Iterator
from pathlib import Path

import imageio_ffmpeg
import pillow_heif
import pytest
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from tests.corpus import make_corpus
from tests.corpus.cases import (
    ACCEPTED,
    CASES,
    CASES_BY_NAME,
    REJECTED,
    Accept,
    Case,
    Reject,
    corpus_dir,
    get_case,
)

pillow_heif.register_heif_opener()

VIDEO_EXTS = {".mp4", ".webm", ".mov"}


@pytest.fixture(scope="module")
def corpus() -> Path:
    return corpus_dir()


def _open(path: Path) -> Image.Image:
    return Image.open(path)


def _png_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    assert data.startswith(make_corpus.PNG_SIGNATURE)
    pos = len(make_corpus.PNG_SIGNATURE)
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        yield kind, body
        pos += 12 + length


def _ffmpeg_info(path: Path) -> str:
    """Decode the whole file with ffmpeg (failing on errors) and return its stream description."""
    proc = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "info", "-xerror",
         "-i", str(path), "-f", "null", "-"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stderr


# --------------------------------------------------------------------------------------------------------
# The case table itself
# --------------------------------------------------------------------------------------------------------


def test_case_table_is_consistent(corpus: Path) -> None:
    assert len({c.name for c in CASES}) == len(CASES)
    assert len({c.filename for c in CASES}) == len(CASES)
    assert {c.filename for c in CASES} == set(make_corpus.GENERATORS)
    assert set(ACCEPTED) | set(REJECTED) == set(CASES)
    assert all(isinstance(c.outcome, Accept | Reject) for c in CASES)
    assert all(c.outcome.status == 400 for c in REJECTED)  # type: ignore[union-attr]
    assert get_case("polyglot.gif") is CASES_BY_NAME["gif_js_html_polyglot"]
    for c in CASES:
        assert c.path == corpus / c.filename
        assert c.path.is_file(), c.filename
        assert re.fullmatch(r"[a-z0-9_]+", c.name)
        if isinstance(c.outcome, Accept):
            assert c.outcome.ext in {"jpg", "png", "gif", "webp", "avif", "mp4", "webm"}
            assert c.outcome.mime.split("/")[0] in {"image", "video"}


@pytest.mark.parametrize(
    "case", [c for c in ACCEPTED if Path(c.filename).suffix not in VIDEO_EXTS], ids=lambda c: c.name
)
def test_accepted_image_dimensions_match_pillow(case: Case) -> None:
    """Claimed width/height/animated are what Pillow reads (no EXIF transpose), and the file decodes."""
    assert isinstance(case.outcome, Accept)
    with _open(case.path) as im:
        assert im.size == (case.outcome.width, case.outcome.height)
        assert bool(getattr(im, "is_animated", False)) is case.outcome.animated
        im.load()


@pytest.mark.parametrize(
    "case", [c for c in ACCEPTED if Path(c.filename).suffix in VIDEO_EXTS], ids=lambda c: c.name
)
def test_accepted_videos_decode(case: Case) -> None:
    assert isinstance(case.outcome, Accept)
    info = _ffmpeg_info(case.path)
    assert f"{case.outcome.width}x{case.outcome.height}" in info
    frames, secs = imageio_ffmpeg.count_frames_and_secs(str(case.path))
    assert frames == 10
    assert secs == pytest.approx(1.0, abs=0.05)


# --------------------------------------------------------------------------------------------------------
# Individual files
# --------------------------------------------------------------------------------------------------------


def test_exif_rotated_jpeg(corpus: Path) -> None:
    with _open(corpus / "exif_rotated.jpg") as im:
        assert im.format == "JPEG"
        assert im.size == (64, 48)
        exif = im.getexif()
        assert exif[ExifTags.Base.Orientation] == 6
        assert exif[ExifTags.Base.Make] and exif[ExifTags.Base.Model]
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        for tag in (ExifTags.GPS.GPSLatitude, ExifTags.GPS.GPSLatitudeRef, ExifTags.GPS.GPSLongitude):
            assert tag in gps
        assert im.info["icc_profile"][36:40] == b"acsp"
        rgb = im.convert("RGB")
        r, g, b = rgb.getpixel((20, 30))  # left half: red
        assert r > 180 and b < 80
        r, g, b = rgb.getpixel((50, 30))  # right half: blue
        assert b > 180 and r < 80
        r, g, b = rgb.getpixel((3, 3))  # green marker, top-left
        assert g > 150 and r < 80
        shown = ImageOps.exif_transpose(rgb)
        assert shown.size == (48, 64)
        r, g, b = shown.convert("RGB").getpixel((24, 10))  # after a 90 CW turn the red half is on top
        assert r > 180 and b < 80


def test_jpeg_variants(corpus: Path) -> None:
    with _open(corpus / "cmyk.jpg") as im:
        assert (im.format, im.mode, im.size) == ("JPEG", "CMYK", (80, 60))
    with _open(corpus / "progressive.jpg") as im:
        assert im.format == "JPEG" and im.info.get("progressive")
    with _open(corpus / "gray.jpg") as im:
        assert (im.format, im.mode) == ("JPEG", "L")
    with _open(corpus / "fake_ext.png") as im:
        assert im.format == "JPEG"
    assert (corpus / "fake_ext.png").read_bytes()[:3] == b"\xff\xd8\xff"


def test_png16_is_true_16bit_rgb(corpus: Path) -> None:
    chunks = list(_png_chunks((corpus / "png16.png").read_bytes()))
    assert chunks[0][0] == b"IHDR"
    w, h, depth, colour_type = struct.unpack(">IIBB", chunks[0][1][:10])
    assert (w, h, depth, colour_type) == (70, 50, 16, 2)
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    assert len(raw) == h * (1 + w * 6)
    assert chunks[-1][0] == b"IEND"


def test_png_alpha_and_palette(corpus: Path) -> None:
    with _open(corpus / "alpha.png") as im:
        assert im.mode == "RGBA"
        assert im.getchannel("A").getextrema() == (0, 255)
        assert 128 in set(im.getchannel("A").get_flattened_data())
    with _open(corpus / "palette.png") as im:
        assert im.mode == "P"


def test_png_exif_gps_and_comment(corpus: Path) -> None:
    kinds = [kind for kind, _ in _png_chunks((corpus / "exif_gps.png").read_bytes())]
    assert b"eXIf" in kinds and b"tEXt" in kinds
    with _open(corpus / "exif_gps.png") as im:
        assert "Comment" in im.info
        gps = im.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert ExifTags.GPS.GPSLatitude in gps and ExifTags.GPS.GPSLongitude in gps


def test_png_dimension_bomb(corpus: Path) -> None:
    path = corpus / "big_dims_bomb.png"
    assert path.stat().st_size < 10 * 1024
    chunks = list(_png_chunks(path.read_bytes()))
    assert chunks[0][0] == b"IHDR"
    assert struct.unpack(">II", chunks[0][1][:8]) == (30_000, 30_000)
    with pytest.raises(Image.DecompressionBombError):
        Image.open(path)


def test_gifs(corpus: Path) -> None:
    with _open(corpus / "anim.gif") as im:
        assert im.n_frames == 10 and im.info.get("loop") == 0
        frames = []
        for i in range(im.n_frames):
            im.seek(i)
            frames.append(im.convert("RGB").tobytes())
        assert len(set(frames)) == 10
    with _open(corpus / "static.gif") as im:
        assert im.format == "GIF" and not im.is_animated


def test_gif_frame_bomb(corpus: Path) -> None:
    path = corpus / "frames_bomb.gif"
    assert path.stat().st_size < 100 * 1024
    with _open(path) as im:
        assert im.size == (2, 2)
        assert im.n_frames == 3000
        im.seek(2999)
        im.load()


def test_polyglot_gif(corpus: Path) -> None:
    data = (corpus / "polyglot.gif").read_bytes()
    assert data.startswith(b"GIF89a/*")
    assert data.endswith(b"\x00;")
    assert b"<script>alert(1)</script>" in data
    # The JS comment opened by the width bytes is first closed inside the GIF comment extension,
    # i.e. after the image data; the rest of the file is a JS line comment (no newline after "//").
    close = data.index(b"*/")
    assert data.rfind(b"\x21\xfe", 0, close) > data.index(b"\x2c")
    js = data[:6] + b"/*...*/" + data[close + 2 :]
    assert js.startswith(b"GIF89a/*...*/=1;alert(1);//")
    tail = data[data.index(b"//", close) :]
    assert b"\n" not in tail and b"\r" not in tail
    with _open(corpus / "polyglot.gif") as im:
        assert im.format == "GIF"
        assert im.size == (10799, 256)
        im.load()
        assert im.convert("RGB").getpixel((4, 0)) == (255, 255, 255)


def test_webp_apng(corpus: Path) -> None:
    with _open(corpus / "anim.webp") as im:
        assert im.format == "WEBP" and im.is_animated and im.n_frames == 6
    with _open(corpus / "static.webp") as im:
        assert im.format == "WEBP" and not getattr(im, "is_animated", False)
    kinds = [kind for kind, _ in _png_chunks((corpus / "apng.png").read_bytes())]
    assert b"acTL" in kinds
    with _open(corpus / "apng.png") as im:
        assert im.format == "PNG" and im.is_animated and im.n_frames == 5


def test_other_raster_formats(corpus: Path) -> None:
    expected = {
        "tiff.tif": ("TIFF", (90, 60)),
        "bmp.bmp": ("BMP", (60, 40)),
        "avif.avif": ("AVIF", (64, 64)),
        "heic.heic": ("HEIF", (64, 48)),
    }
    for name, (fmt, size) in expected.items():
        with _open(corpus / name) as im:
            assert (im.format, im.size) == (fmt, size), name
            im.load()


@pytest.mark.parametrize("name", ["truncated.jpg", "truncated.png"])
def test_truncated(corpus: Path, name: str) -> None:
    with _open(corpus / name) as im:
        assert im.size == (200, 150)  # the header is intact ...
        with pytest.raises(OSError, match="truncated"):
            im.load()  # ... the pixel data is not


@pytest.mark.parametrize("name", ["zero.bin", "text.txt", "html.html", "random.bin", "svg.svg", "pdf.pdf"])
def test_not_raster_images(corpus: Path, name: str) -> None:
    with pytest.raises(UnidentifiedImageError):
        Image.open(corpus / name)


def test_non_image_contents(corpus: Path) -> None:
    assert (corpus / "zero.bin").stat().st_size == 0
    assert (corpus / "random.bin").stat().st_size == 4096
    assert (corpus / "text.txt").read_bytes().startswith(b"hello world")
    assert b"<html" in (corpus / "html.html").read_bytes()
    assert b"<svg" in (corpus / "svg.svg").read_bytes()
    assert (corpus / "pdf.pdf").read_bytes().startswith(b"%PDF-1.4")


def test_videos(corpus: Path) -> None:
    mp4 = _ffmpeg_info(corpus / "mp4.mp4")
    assert "Video: h264" in mp4 and "Audio:" not in mp4
    audio = _ffmpeg_info(corpus / "audio.mp4")
    assert "Video: h264" in audio and "Audio: aac" in audio
    assert "Video: vp9" in _ffmpeg_info(corpus / "webm.webm")
    assert (corpus / "webm.webm").read_bytes()[:4] == b"\x1a\x45\xdf\xa3"
    assert "Video: h264" in _ffmpeg_info(corpus / "mov.mov")
    assert (corpus / "mov.mov").read_bytes()[4:12] == b"ftypqt  "
    assert (corpus / "mp4.mp4").read_bytes()[4:8] == b"ftyp"


def test_photo_12mp(corpus: Path) -> None:
    path = corpus / "photo12mp.jpg"
    assert 3_000_000 <= path.stat().st_size <= 5_000_000
    with _open(path) as im:
        assert (im.format, im.size, im.mode) == ("JPEG", (4000, 3000), "RGB")


# --------------------------------------------------------------------------------------------------------
# Reproducibility
# --------------------------------------------------------------------------------------------------------


def test_build_is_deterministic_and_idempotent(corpus: Path, tmp_path: Path) -> None:
    names = [n for n in make_corpus.GENERATORS if n != "photo12mp.jpg"]
    make_corpus.build(tmp_path, only=names)
    for name in names:
        assert (tmp_path / name).read_bytes() == (corpus / name).read_bytes(), name
    mtimes = {name: (tmp_path / name).stat().st_mtime_ns for name in names}
    make_corpus.build(tmp_path, only=names)
    assert {name: (tmp_path / name).stat().st_mtime_ns for name in names} == mtimes


def test_corpus_bytes_are_stable() -> None:
    """Generators don't depend on call order or on global random state."""
    import random

    random.seed(12345)
    first = make_corpus.frames_bomb_gif(), make_corpus.random_bin(), make_corpus.exif_rotated_jpg()
    random.seed(54321)
    second = make_corpus.frames_bomb_gif(), make_corpus.random_bin(), make_corpus.exif_rotated_jpg()
    assert first == second
