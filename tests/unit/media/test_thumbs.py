"""thumbs.render(): Imgur's six thumbnail sizes, as RGB JPEG, centre-cropped squares, never upscaled."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageDraw

from imghost.errors import UnsupportedMedia
from imghost.media import thumbs
from tests.corpus.cases import get_case
from tests.unit.media.helpers import PNG_SIGNATURE, decode, png_chunk

RED, BLUE, GREEN, YELLOW = (255, 0, 0), (0, 0, 255), (0, 255, 0), (255, 255, 0)
SAVE = {
    "jpeg": ("JPEG", {"quality": 95}),
    "png": ("PNG", {}),
    "gif": ("GIF", {}),
    "webp": ("WEBP", {"lossless": True}),
    "avif": ("AVIF", {"quality": 100}),
}
FORMATS = list(SAVE)


def render(src: Path, fmt: str, suffix: str) -> Image.Image:
    data = thumbs.render(src, fmt, suffix)
    assert data[:3] == b"\xff\xd8\xff"
    im = decode(data)
    assert im.format == "JPEG"
    return im


def close(px: tuple[int, ...], colour: tuple[int, int, int], tol: int = 40) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(px, colour, strict=True))


def _write(img: Image.Image, path: Path, fmt: str) -> Path:
    name, params = SAVE[fmt]
    img.save(path, name, **params)
    return path


def _pattern(size: tuple[int, int]) -> Image.Image:
    img = Image.new("RGB", size, (40, 160, 90))
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.rectangle((w // 4, h // 4, w // 2, h // 2), fill=(200, 50, 50))
    draw.ellipse((w // 2, h // 2, w - 10, h - 10), fill=(30, 30, 220))
    return img


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Pillow-made sources in every thumbnail input format: landscape, portrait, tiny and colour bands."""
    d = tmp_path_factory.mktemp("thumb-sources")
    out: dict[tuple[str, str], Path] = {}
    bands_h = Image.new("RGB", (200, 100), GREEN)  # green | red | blue | yellow, 50 px each
    draw = ImageDraw.Draw(bands_h)
    draw.rectangle((50, 0, 99, 99), fill=RED)
    draw.rectangle((100, 0, 149, 99), fill=BLUE)
    draw.rectangle((150, 0, 199, 99), fill=YELLOW)
    bands_v = bands_h.transpose(Image.Transpose.TRANSPOSE)  # 100 x 200, the same bands top to bottom
    for fmt in FORMATS:
        out[fmt, "landscape"] = _write(_pattern((400, 300)), d / f"landscape.{fmt}", fmt)
        out[fmt, "portrait"] = _write(_pattern((300, 400)), d / f"portrait.{fmt}", fmt)
        out[fmt, "tiny"] = _write(_pattern((64, 48)), d / f"tiny.{fmt}", fmt)
        out[fmt, "bands_h"] = _write(bands_h, d / f"bands_h.{fmt}", fmt)
        out[fmt, "bands_v"] = _write(bands_v, d / f"bands_v.{fmt}", fmt)
    return out


SIZES_400x300 = {
    "s": (90, 90),
    "b": (160, 160),
    "t": (160, 120),
    "m": (320, 240),
    "l": (400, 300),
    "h": (400, 300),
}
SIZES_300x400 = {
    "s": (90, 90),
    "b": (160, 160),
    "t": (120, 160),
    "m": (240, 320),
    "l": (300, 400),
    "h": (300, 400),
}
SIZES_64x48 = {"s": (48, 48), "b": (48, 48), "t": (64, 48), "m": (64, 48), "l": (64, 48), "h": (64, 48)}
SIZES_12MP = {
    "s": (90, 90),
    "b": (160, 160),
    "t": (160, 120),
    "m": (320, 240),
    "l": (640, 480),
    "h": (1024, 768),
}


def test_size_table() -> None:
    assert thumbs.SIZES == {
        "s": (90, True),
        "b": (160, True),
        "t": (160, False),
        "m": (320, False),
        "l": (640, False),
        "h": (1024, False),
    }


@pytest.mark.parametrize("suffix", list("sbtmlh"))
def test_12mp_jpeg(suffix: str) -> None:
    im = render(get_case("photo12mp.jpg").path, "jpeg", suffix)
    assert (im.size, im.mode) == (SIZES_12MP[suffix], "RGB")


@pytest.mark.parametrize("suffix", list("sbtmlh"))
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("shape", "expected"), [("landscape", SIZES_400x300), ("portrait", SIZES_300x400), ("tiny", SIZES_64x48)]
)
def test_sizes(
    sources: dict[tuple[str, str], Path],
    fmt: str,
    suffix: str,
    shape: str,
    expected: dict[str, tuple[int, int]],
) -> None:
    im = render(sources[fmt, shape], fmt, suffix)
    assert (im.size, im.mode) == (expected[suffix], "RGB")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("suffix", "side"), [("s", 90), ("b", 100)])
def test_square_is_the_centre_of_a_landscape(
    sources: dict[tuple[str, str], Path], fmt: str, suffix: str, side: int
) -> None:
    """200x100 in bands green|red|blue|yellow: the square is the central 100x100 region, i.e. red on the left
    half and blue on the right half, with no green or yellow anywhere (so it is cropped, not squeezed)."""
    im = render(sources[fmt, "bands_h"], fmt, suffix).convert("RGB")
    assert im.size == (side, side)
    half = side // 2
    for y in range(0, side, 3):
        for x in range(side):
            px = im.getpixel((x, y))
            assert not close(px, GREEN, 100), (x, y, px)
            assert not close(px, YELLOW, 100), (x, y, px)
        # (the two outermost pixel columns are left out: JPEG chroma subsampling blurs the band edges)
        for x in (2, 4, half - 3):
            assert close(im.getpixel((x, y)), RED), (x, y, im.getpixel((x, y)))
        for x in (half + 2, side - 5, side - 3):
            assert close(im.getpixel((x, y)), BLUE), (x, y, im.getpixel((x, y)))


@pytest.mark.parametrize("fmt", FORMATS)
def test_square_is_the_centre_of_a_portrait(sources: dict[tuple[str, str], Path], fmt: str) -> None:
    im = render(sources[fmt, "bands_v"], fmt, "s").convert("RGB")
    assert im.size == (90, 90)
    for x in range(0, 90, 3):
        for y in (2, 4, 42):
            assert close(im.getpixel((x, y)), RED), (x, y, im.getpixel((x, y)))
        for y in (47, 85, 87):
            assert close(im.getpixel((x, y)), BLUE), (x, y, im.getpixel((x, y)))
        for y in range(90):
            px = im.getpixel((x, y))
            assert not close(px, GREEN, 100), (x, y, px)
            assert not close(px, YELLOW, 100), (x, y, px)


@pytest.mark.parametrize("fmt", FORMATS)
def test_fitted_keeps_the_whole_picture(sources: dict[tuple[str, str], Path], fmt: str) -> None:
    im = render(sources[fmt, "bands_h"], fmt, "t").convert("RGB")
    assert im.size == (160, 80)
    for x, colour in ((10, GREEN), (60, RED), (100, BLUE), (150, YELLOW)):
        assert close(im.getpixel((x, 40)), colour), (x, im.getpixel((x, 40)))


def test_cmyk_jpeg_becomes_rgb_with_the_same_colours() -> None:
    src = get_case("cmyk.jpg").path
    reference = Image.open(src).convert("RGB")
    for suffix, size in (("t", (80, 60)), ("s", (60, 60))):
        im = render(src, "jpeg", suffix)
        assert (im.mode, im.size) == ("RGB", size)
    im = render(src, "jpeg", "t")
    for x, y in ((10, 10), (70, 10), (10, 50), (70, 50)):
        assert close(im.getpixel((x, y)), reference.getpixel((x, y)), 12), (x, y)
    assert close(im.getpixel((10, 10)), (0, 255, 255), 12)  # cyan stays cyan (Adobe inversion honoured)


def _png16(
    path: Path, left: tuple[int, int, int], right: tuple[int, int, int], w: int = 80, h: int = 40
) -> Path:
    """A true 16-bit RGB PNG (Pillow cannot write one): left half one colour, right half another."""
    row = b"\x00" + struct.pack(">HHH", *left) * (w // 2) + struct.pack(">HHH", *right) * (w - w // 2)
    path.write_bytes(
        PNG_SIGNATURE
        + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
        + png_chunk(b"IDAT", zlib.compress(row * h))
        + png_chunk(b"IEND", b"")
    )
    return path


def test_16bit_png_becomes_8bit_rgb(tmp_path: Path) -> None:
    src = _png16(tmp_path / "sixteen.png", (0xFFFF, 0x0000, 0x8080), (0x2020, 0xC0C0, 0xFFFF))
    for suffix, size in (("t", (80, 40)), ("s", (40, 40))):
        im = render(src, "png", suffix)
        assert (im.mode, im.size) == ("RGB", size)
    im = render(src, "png", "t")
    assert close(im.getpixel((10, 20)), (255, 0, 128), 8)
    assert close(im.getpixel((70, 20)), (32, 192, 255), 8)
    # The corpus file (gradients, plus noise in blue): same picture, luma within JPEG error.
    corpus = get_case("png16.png").path
    reference = Image.open(corpus).convert("L")
    luma = render(corpus, "png", "t").convert("L")
    assert luma.size == reference.size == (70, 50)
    diffs = [abs(luma.getpixel((x, y)) - reference.getpixel((x, y))) for x in range(70) for y in range(50)]
    assert max(diffs) <= 24


def test_alpha_is_flattened_on_white() -> None:
    src = get_case("alpha.png").path
    rgba = Image.open(src).convert("RGBA")
    im = render(src, "png", "t")
    assert (im.mode, im.size) == ("RGB", (100, 80))
    assert close(im.getpixel((2, 2)), (255, 255, 255), 6)  # fully transparent border
    assert close(im.getpixel((50, 22)), (255, 255, 255), 10)  # transparent hole
    r, g, b, a = rgba.getpixel((20, 60))
    assert a == 255
    assert close(im.getpixel((20, 60)), (r, g, b), 12)
    r, g, b, a = rgba.getpixel((20, 40))  # half-transparent band
    assert a == 128
    over_white = tuple(round(c * a / 255 + 255 * (1 - a / 255)) for c in (r, g, b))
    assert close(im.getpixel((20, 40)), over_white, 14)


@pytest.mark.parametrize("fmt", ["png", "webp", "gif"])
def test_alpha_sources_give_rgb(tmp_path: Path, fmt: str) -> None:
    img = Image.new("RGBA", (120, 60), (0, 0, 0, 0))
    ImageDraw.Draw(img).rectangle((60, 0, 119, 59), fill=(0, 0, 255, 255))
    path = tmp_path / f"a.{fmt}"
    img.save(path, SAVE[fmt][0], **({"lossless": True} if fmt == "webp" else {}))
    im = render(path, fmt, "t")
    assert (im.mode, im.size) == ("RGB", (120, 60))
    assert close(im.getpixel((10, 30)), (255, 255, 255), 8)
    assert close(im.getpixel((100, 30)), BLUE, 20)


def test_exif_orientation_is_applied_to_jpeg() -> None:
    src = get_case("exif_rotated.jpg").path  # stored 64x48 red|blue, green marker top-left; Orientation=6
    im = render(src, "jpeg", "t")
    assert im.size == (48, 64)
    assert close(im.getpixel((24, 10)), (220, 20, 20))  # the red half is on top after a 90 CW turn
    assert close(im.getpixel((24, 54)), (20, 20, 220))
    assert close(im.getpixel((44, 3)), (20, 200, 20))  # the marker moved to the top-right
    sq = render(src, "jpeg", "s")
    assert sq.size == (48, 48)
    assert close(sq.getpixel((24, 5)), (220, 20, 20))
    assert close(sq.getpixel((24, 43)), (20, 20, 220))


@pytest.mark.parametrize("fmt", ["png", "webp"])
def test_exif_orientation_is_applied_to_png_and_webp(tmp_path: Path, fmt: str) -> None:
    img = Image.new("RGB", (64, 48), RED)
    ImageDraw.Draw(img).rectangle((32, 0, 63, 47), fill=BLUE)
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    path = tmp_path / f"o.{fmt}"
    img.save(path, SAVE[fmt][0], exif=exif.tobytes(), **SAVE[fmt][1])
    im = render(path, fmt, "t")
    assert im.size == (48, 64)
    assert close(im.getpixel((24, 10)), RED)
    assert close(im.getpixel((24, 54)), BLUE)


def test_animation_gives_its_first_frame() -> None:
    for name, fmt in (("anim.gif", "gif"), ("anim.webp", "webp")):
        im = render(get_case(name).path, fmt, "t")
        assert im.size == (64, 64)
        assert close(im.getpixel((60, 4)), (0, 100, 255), 30), name  # frame 0 background


def test_grey_jpeg_becomes_rgb() -> None:
    im = render(get_case("gray.jpg").path, "jpeg", "t")
    assert (im.mode, im.size) == ("RGB", (48, 32))
    r, g, b = im.getpixel((10, 10))
    assert r == g == b


UNDECODABLE = [("random.bin", "png"), ("random.bin", "jpeg"), ("random.bin", "webp"), ("zero.bin", "gif")]


def test_truncated_jpeg_is_drawn_as_far_as_it_goes() -> None:
    # Uploads refuse a JPEG without its EOI; one that reaches the renderer is drawn as browsers draw it.
    im = render(get_case("truncated.jpg").path, "jpeg", "m")
    assert im.size == (200, 150)


@pytest.mark.parametrize(("name", "fmt"), UNDECODABLE)
def test_undecodable_source_is_unsupported_media(name: str, fmt: str) -> None:
    with pytest.raises(UnsupportedMedia):
        thumbs.render(get_case(name).path, fmt, "m")


def test_output_is_a_baseline_jpeg_of_quality_85() -> None:
    data = thumbs.render(get_case("photo12mp.jpg").path, "jpeg", "m")
    im = Image.open(io.BytesIO(data))
    assert im.format == "JPEG"
    assert not im.info.get("progressive")
    assert thumbs.QUALITY == 85
