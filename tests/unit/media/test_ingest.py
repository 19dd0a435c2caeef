"""ingest.prepare(): the whole upload pipeline on real files, from the temp file to a Prepared result."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest
from PIL import ExifTags, Image, ImageDraw

from imghost.errors import ImghostError, PayloadTooLarge, UnsupportedMedia
from imghost.media import thumbs
from imghost.media.fingerprint import fingerprint
from imghost.media.ingest import Prepared, prepare, prepare_quick
from imghost.media.limits import MediaLimits
from imghost.media.probe import probe
from imghost.media.writer import UploadWriter
from tests.corpus.cases import ACCEPTED, REJECTED, Accept, Case, get_case
from tests.unit.media.helpers import encode, png_chunks

GENEROUS = MediaLimits(
    max_image_bytes=50 * 1024 * 1024,
    max_video_bytes=200 * 1024 * 1024,
    max_pixels=100_000_000,
    max_animation_pixels=400_000_000,
    max_frames=1000,
    max_side=30_000,
)
VIDEO_EXTS = {".mp4", ".mov", ".webm"}
PILLOW_FORMAT = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP", "avif": "AVIF"}


@pytest.fixture(autouse=True)
def _pillow_bomb_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", GENEROUS.max_pixels)  # as the server sets it at startup


def upload(tmp_path: Path, source: Path | bytes) -> Path:
    """The pipeline's input: the file the request body was streamed into (`upload`, no extension)."""
    dest = tmp_path / "upload"
    if isinstance(source, bytes):
        dest.write_bytes(source)
    else:
        shutil.copyfile(source, dest)
    return dest


def run(src: Path, *, limits: MediaLimits = GENEROUS, disable_audio: bool = False) -> Prepared:
    return prepare(src, limits=limits, disable_audio=disable_audio, ffmpeg_timeout=60)


def fp(path: Path) -> str:
    return fingerprint(path)


def ffmpeg_streams(path: Path) -> str:
    proc = subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-hide_banner",
            "-nostdin",
            "-v",
            "error",
            "-i",
            str(path),
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    info = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return info.stderr


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda c: c.name)
def test_accepted_case(tmp_path: Path, case: Case) -> None:
    assert isinstance(case.outcome, Accept)
    p = run(upload(tmp_path, case.path))
    o = case.outcome
    assert (p.mime, p.ext, p.width, p.height, p.animated) == (o.mime, o.ext, o.width, o.height, o.animated)
    assert p.has_sound is (case.filename == "audio.mp4")
    assert p.path.is_file()
    assert p.size == p.path.stat().st_size > 0
    assert p.fingerprint == fp(p.path)
    assert p.is_video is (Path(case.filename).suffix in VIDEO_EXTS)
    animated_image = o.animated and not p.is_video
    assert (p.mp4_path is not None) is animated_image
    # The stored bytes are what they claim to be.
    if not p.is_video:
        with Image.open(p.path) as im:
            assert im.format == PILLOW_FORMAT[p.fmt]
            assert im.size == (o.width, o.height)
            im.load()


EXPECTED_FMT = {
    "exif_rotated.jpg": "jpeg",
    "fake_ext.png": "jpeg",
    "heic.heic": "jpeg",
    "tiff.tif": "png",
    "bmp.bmp": "png",
    "avif.avif": "avif",
    "mov.mov": "mp4",
    "webm.webm": "webm",
    "audio.mp4": "mp4",
    "polyglot.gif": "gif",
}


@pytest.mark.parametrize("filename", sorted(EXPECTED_FMT))
def test_format(tmp_path: Path, filename: str) -> None:
    assert run(upload(tmp_path, get_case(filename).path)).fmt == EXPECTED_FMT[filename]


def test_heic_becomes_jpeg(tmp_path: Path) -> None:
    p = run(upload(tmp_path, get_case("heic.heic").path))
    assert (p.fmt, p.mime, p.ext, p.width, p.height, p.animated, p.mp4_path) == (
        "jpeg",
        "image/jpeg",
        "jpg",
        64,
        48,
        False,
        None,
    )
    data = p.path.read_bytes()
    assert data[:3] == b"\xff\xd8\xff"
    with Image.open(p.path) as im:
        assert (im.format, im.mode, im.size) == ("JPEG", "RGB", (64, 48))
        assert dict(im.getexif()) == {}


def test_tiff_and_bmp_become_png_with_the_same_pixels(tmp_path: Path) -> None:
    for name, size in (("tiff.tif", (90, 60)), ("bmp.bmp", (60, 40))):
        work = tmp_path / name
        work.mkdir()
        p = run(upload(work, get_case(name).path))
        assert (p.fmt, p.mime, p.ext, (p.width, p.height)) == ("png", "image/png", "png", size)
        assert p.path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(p.path) as out, Image.open(get_case(name).path) as src:
            assert out.size == size
            assert out.convert("RGB").tobytes() == src.convert("RGB").tobytes()


def test_tiff_with_orientation_is_turned_and_reports_display_size(tmp_path: Path) -> None:
    img = Image.new("RGB", (30, 20), (255, 0, 0))
    ImageDraw.Draw(img).rectangle((15, 0, 29, 19), fill=(0, 0, 255))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    p = run(upload(tmp_path, encode(img, "TIFF", exif=exif)))
    assert (p.fmt, p.width, p.height) == ("png", 20, 30)
    with Image.open(p.path) as out:
        assert out.size == (20, 30)
        assert out.convert("RGB").getpixel((10, 3)) == (255, 0, 0)
        assert out.convert("RGB").getpixel((10, 26)) == (0, 0, 255)


def test_mov_is_remuxed_to_mp4(tmp_path: Path) -> None:
    src = upload(tmp_path, get_case("mov.mov").path)
    p = run(src)
    assert (p.fmt, p.mime, p.ext, p.width, p.height, p.animated, p.has_sound, p.mp4_path) == (
        "mp4",
        "video/mp4",
        "mp4",
        64,
        48,
        True,
        False,
        None,
    )
    assert p.path != src
    assert p.path.suffix == ".mp4"
    head = p.path.read_bytes()[:12]
    assert head[4:8] == b"ftyp"
    assert head[8:12] != b"qt  "
    assert probe(p.path).fmt == "mp4"
    assert "Video: h264" in ffmpeg_streams(p.path)
    assert imageio_ffmpeg.count_frames_and_secs(str(p.path))[0] == 10
    assert p.fingerprint == fp(p.path)


@pytest.mark.parametrize(("name", "frames"), [("anim.gif", 10), ("apng.png", 5), ("anim.webp", 6)])
def test_animations_get_an_mp4(tmp_path: Path, name: str, frames: int) -> None:
    p = run(upload(tmp_path, get_case(name).path))
    assert p.animated is True
    assert p.mp4_path is not None
    assert p.mp4_path.is_file()
    assert p.mp4_path.read_bytes()[4:8] == b"ftyp"
    assert "Video: h264" in ffmpeg_streams(p.mp4_path)
    assert imageio_ffmpeg.count_frames_and_secs(str(p.mp4_path))[0] == frames
    assert "Audio:" not in ffmpeg_streams(p.mp4_path)


@pytest.mark.parametrize("name", ["static.gif", "static.webp", "alpha.png", "progressive.jpg"])
def test_stills_get_no_mp4(tmp_path: Path, name: str) -> None:
    p = run(upload(tmp_path, get_case(name).path))
    assert (p.animated, p.mp4_path) == (False, None)
    assert not (tmp_path / "upload.mp4").exists()


def test_audio_is_kept_unless_disabled(tmp_path: Path) -> None:
    src = upload(tmp_path, get_case("audio.mp4").path)
    kept = run(src)
    assert (kept.fmt, kept.has_sound, kept.path) == ("mp4", True, src)
    assert kept.fingerprint == fp(get_case("audio.mp4").path)
    assert "Audio: aac" in ffmpeg_streams(kept.path)

    dropped = run(src, disable_audio=True)
    assert (dropped.fmt, dropped.has_sound, dropped.width, dropped.height) == ("mp4", False, 64, 48)
    assert dropped.path != src
    streams = ffmpeg_streams(dropped.path)
    assert "Video: h264" in streams
    assert "Audio:" not in streams
    assert probe(dropped.path).has_sound is False
    assert dropped.fingerprint == fp(dropped.path) != kept.fingerprint
    assert dropped.size == dropped.path.stat().st_size


def test_disable_audio_on_silent_video_keeps_the_file(tmp_path: Path) -> None:
    src = upload(tmp_path, get_case("webm.webm").path)
    p = run(src, disable_audio=True)
    assert (p.fmt, p.path, p.has_sound) == ("webm", src, False)
    assert p.fingerprint == fp(get_case("webm.webm").path)


def test_jpeg_metadata_is_stripped_and_orientation_kept(tmp_path: Path) -> None:
    p = run(upload(tmp_path, get_case("exif_rotated.jpg").path))
    assert (p.width, p.height) == (64, 48)  # stored pixels, not the displayed size
    data = p.path.read_bytes()
    assert b"ImghostTestCam" not in data
    with Image.open(p.path) as im:
        assert dict(im.getexif()) == {ExifTags.Base.Orientation: 6}
        assert "icc_profile" in im.info


def test_png_metadata_is_stripped(tmp_path: Path) -> None:
    p = run(upload(tmp_path, get_case("exif_gps.png").path))
    assert [k for k, _, _ in png_chunks(p.path.read_bytes())] == [b"IHDR", b"IDAT", b"IEND"]


def test_webp_orientation_survives(tmp_path: Path) -> None:
    """sanitize's contract: "What stays: the EXIF orientation ... so the image looks exactly as uploaded",
    for JPEG, PNG and WebP. A phone WebP stored sideways with Orientation=6 must still display upright."""
    img = Image.new("RGB", (64, 48), (255, 0, 0))
    ImageDraw.Draw(img).rectangle((32, 0, 63, 47), fill=(0, 0, 255))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "ImghostTestCam"
    p = run(upload(tmp_path, encode(img, "WEBP", lossless=True, exif=exif.tobytes())))
    assert (p.fmt, p.width, p.height) == ("webp", 64, 48)
    assert b"ImghostTestCam" not in p.path.read_bytes()
    with Image.open(p.path) as im:
        assert im.getexif().get(ExifTags.Base.Orientation) == 6
    # ... so its thumbnails come out upright, like the JPEG's and PNG's do.
    assert Image.open(io.BytesIO(thumbs.render(p.path, "webp", "t"))).size == (48, 64)


def test_identical_uploads_share_a_fingerprint(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    pa = run(upload(a, get_case("exif_rotated.jpg").path))
    pb = run(upload(b, get_case("exif_rotated.jpg").path))
    assert pa.fingerprint == pb.fingerprint == fp(pa.path)
    assert pa.path.read_bytes() == pb.path.read_bytes()
    assert pa.fingerprint != fp(get_case("exif_rotated.jpg").path)  # the original carried metadata


@pytest.mark.parametrize("case", REJECTED, ids=lambda c: c.name)
def test_rejected_case(tmp_path: Path, case: Case) -> None:
    with pytest.raises(ImghostError) as info:
        run(upload(tmp_path, case.path))
    assert type(info.value) is UnsupportedMedia
    assert (info.value.status, info.value.code) == (400, 1003)


def test_rejection_messages(tmp_path: Path) -> None:
    def message(name: str) -> str:
        work = tmp_path / name
        work.mkdir()
        with pytest.raises(UnsupportedMedia) as info:
            run(upload(work, get_case(name).path))
        return info.value.public

    assert message("big_dims_bomb.png") == "Image is too large (pixels)"
    assert message("frames_bomb.gif") == "Animation has too many frames"
    assert message("truncated.jpg") == "File type invalid (1)"
    assert message("zero.bin") == "File type invalid (1)"


@pytest.mark.parametrize(
    ("name", "limits", "error", "public"),
    [
        (
            "photo12mp.jpg",
            MediaLimits(1_000_000, 200_000_000, 100_000_000, 400_000_000, 1000, 30_000),
            PayloadTooLarge,
            "File is over the size limit",
        ),
        (
            "mp4.mp4",
            MediaLimits(50_000_000, 1000, 100_000_000, 400_000_000, 1000, 30_000),
            PayloadTooLarge,
            "File is over the size limit",
        ),
        (
            "photo12mp.jpg",
            MediaLimits(50_000_000, 200_000_000, 10_000_000, 400_000_000, 1000, 30_000),
            UnsupportedMedia,
            "Image is too large (pixels)",
        ),
        (
            "photo12mp.jpg",
            MediaLimits(50_000_000, 200_000_000, 100_000_000, 400_000_000, 1000, 3999),
            UnsupportedMedia,
            "Image dimensions are out of range",
        ),
        (
            "anim.gif",
            MediaLimits(50_000_000, 200_000_000, 100_000_000, 400_000_000, 9, 30_000),
            UnsupportedMedia,
            "Animation has too many frames",
        ),
        (
            "anim.gif",
            MediaLimits(50_000_000, 200_000_000, 100_000_000, 64 * 64 * 10 - 1, 1000, 30_000),
            UnsupportedMedia,
            "Animation is too large (pixels)",
        ),
    ],
    ids=["image-bytes", "video-bytes", "pixels", "side", "frames", "animation-pixels"],
)
def test_limits_are_applied(
    tmp_path: Path, name: str, limits: MediaLimits, error: type[ImghostError], public: str
) -> None:
    with pytest.raises(ImghostError) as info:
        run(upload(tmp_path, get_case(name).path), limits=limits)
    assert type(info.value) is error
    assert info.value.public == public
    assert not (tmp_path / "upload.out").exists()  # refused before any work


class TestStreamedUpload:
    """UploadWriter rewrites a JPEG header as the upload streams in; prepare() must then store that very
    file (no second rewrite) and fingerprint it as it would the same upload written any other way."""

    @pytest.mark.parametrize(
        "name",
        [
            "exif_rotated.jpg",
            "progressive.jpg",
            "photo12mp.jpg",
            "cmyk.jpg",
            "anim.gif",
            "static.webp",
            "alpha.png",
            "mp4.mp4",
        ],
    )
    def test_streamed_and_plain_uploads_store_the_same_bytes(self, tmp_path: Path, name: str) -> None:
        data = get_case(name).read_bytes()
        src = tmp_path / "upload"
        out = UploadWriter(src)
        for i in range(0, len(data), 7919):  # odd chunk sizes: the header arrives in pieces
            out.write(data[i : i + 7919])
        out.close()
        streamed = prepare(src, limits=GENEROUS, disable_audio=False, ffmpeg_timeout=60)
        assert streamed.fingerprint == fp(streamed.path)
        assert streamed.path == src or name.endswith((".png", ".webp", ".gif"))
        fresh = tmp_path / "again"
        fresh.mkdir()
        (fresh / "upload").write_bytes(data)
        plain = prepare(fresh / "upload", limits=GENEROUS, disable_audio=False, ffmpeg_timeout=60)
        assert plain.fingerprint == streamed.fingerprint
        assert plain.path.read_bytes() == streamed.path.read_bytes()


class TestQuickPath:
    """prepare_quick() answers on the event loop for clean JPEGs: whenever it answers, it must say exactly
    what prepare() says, and it must step aside (None) for anything prepare() would treat otherwise."""

    @pytest.mark.parametrize("case", [*ACCEPTED, *REJECTED], ids=lambda c: c.name)
    @pytest.mark.filterwarnings(
        "ignore:Corrupt EXIF data:UserWarning", "ignore:Truncated File Read:UserWarning"
    )
    def test_agrees_with_prepare(self, tmp_path: Path, case: Case) -> None:
        data = case.path.read_bytes()
        src = tmp_path / "upload"
        out = UploadWriter(src)  # as an upload arrives: the header is cleaned on the way
        out.write(data)
        out.close()
        try:
            quick = prepare_quick(src, limits=GENEROUS)
        except ImghostError as exc:
            with pytest.raises(type(exc)):
                run(src)
            return
        if quick is None:
            return
        full = run(src)
        assert quick == full

    @pytest.mark.parametrize("name", ["photo12mp.jpg", "exif_rotated.jpg", "progressive.jpg", "cmyk.jpg"])
    def test_taken_by_streamed_photos(self, tmp_path: Path, name: str) -> None:
        src = tmp_path / "upload"
        out = UploadWriter(src)
        out.write(get_case(name).read_bytes())
        out.close()
        assert prepare_quick(src, limits=GENEROUS) is not None

    def test_steps_aside_for_a_dirty_header_or_a_trailer(self, tmp_path: Path) -> None:
        data = get_case("exif_rotated.jpg").read_bytes()
        src = tmp_path / "upload"
        src.write_bytes(data)  # not through UploadWriter: the camera EXIF is still there
        assert prepare_quick(src, limits=GENEROUS) is None
        (tmp_path / "c").mkdir()
        clean = run(upload(tmp_path / "c", get_case("exif_rotated.jpg").path)).path.read_bytes()
        src.write_bytes(clean + b"trailer")
        assert prepare_quick(src, limits=GENEROUS) is None

    def test_limits_apply(self, tmp_path: Path) -> None:
        src = tmp_path / "upload"
        out = UploadWriter(src)
        out.write(get_case("photo12mp.jpg").read_bytes())
        out.close()
        small = dataclasses.replace(GENEROUS, max_pixels=1_000_000)
        with pytest.raises(UnsupportedMedia, match="pixels"):
            prepare_quick(src, limits=small)


def test_quick_path_leaves_rare_jpeg_kinds_to_pillow() -> None:
    from imghost.media.probe import jpeg_size

    frame = b"\x00\x11\x08\x00\x30\x00\x40\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"  # 64x48, 3 components
    for marker, expected in ((0xC0, (64, 48)), (0xC2, (64, 48)), (0xC3, None), (0xC9, None)):
        assert jpeg_size(b"\xff\xd8\xff" + bytes([marker]) + frame + b"\xff\xda") == expected
