"""Metadata removal at the container level: nothing is re-encoded, identifying metadata is gone."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image, ImageCms, ImageDraw
from PIL.PngImagePlugin import PngInfo

from imghost.media import integrity, sanitize
from tests.corpus.cases import get_case
from tests.unit.media.helpers import (
    app_segment,
    decode,
    encode,
    exif_with_thumbnail,
    insert_after_soi,
    jpeg_segments,
    orientation_tiff,
    png_chunk,
    png_chunks,
    webp_chunks,
)

APP0, APP1, APP2, APP13, APP14, COM = 0xE0, 0xE1, 0xE2, 0xED, 0xEE, 0xFE
DQT, SOF0, SOF2, DHT = 0xDB, 0xC0, 0xC2, 0xC4

XMP_APP1 = app_segment(APP1, b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>secret-xmp-creator</x:xmpmeta>")
COMMENT = app_segment(COM, b"secret-comment: shot at home")
IPTC_APP13 = app_segment(APP13, b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x10secret-iptc-byline")
FPXR_APP2 = app_segment(APP2, b"FPXR\x00\x00\x01secret-flashpix")
APP5 = app_segment(0xE5, b"secret-vendor-app5")
TRAILER = b"secret-trailer: maker notes / a second image"
SECRETS = [b"secret-", b"ImghostTestCam", b"ITC-1 Mark II"]


def srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


# ---------------------------------------------------------------------------------------------- JPEG


def dirty_jpeg(filename: str) -> bytes:
    """A corpus JPEG with XMP, COM, IPTC (APP13), FlashPix (APP2), APP5 and a trailer added."""
    base = get_case(filename).read_bytes()
    return insert_after_soi(base, XMP_APP1, COMMENT, IPTC_APP13, FPXR_APP2, APP5) + TRAILER


def test_jpeg_metadata_is_removed_and_orientation_kept() -> None:
    original = get_case("exif_rotated.jpg").read_bytes()
    data = dirty_jpeg("exif_rotated.jpg")
    with Image.open(io.BytesIO(data)) as im:  # the input really carries all of it
        exif = im.getexif()
        assert exif[ExifTags.Base.Make] == "ImghostTestCam"
        assert exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert b"secret-xmp-creator" in im.info["xmp"]
        assert im.info["comment"] == b"secret-comment: shot at home"

    out = sanitize.jpeg(data, 6)

    for secret in SECRETS:
        assert secret not in out, secret
    segments, sos = jpeg_segments(out)
    # One APP1: the orientation-only EXIF block, first after SOI.
    assert segments[0] == (APP1, app_segment(APP1, b"Exif\x00\x00" + orientation_tiff(6)))
    assert [m for m, _ in segments].count(APP1) == 1
    # Everything else that stays is byte-identical and in the original order: JFIF, ICC, tables, frame.
    orig_segments, orig_sos = jpeg_segments(original)
    kept = [s for s in orig_segments if s[0] != APP1]
    assert [m for m, _ in kept] == [APP0, APP2, DQT, DQT, SOF0, DHT, DHT, DHT, DHT]
    assert segments[1:] == kept
    # Entropy-coded data byte-identical, ending at the EOI: the trailer is cut.
    assert out[sos:] == original[orig_sos:]
    assert out.endswith(b"\xff\xd9")
    assert len(out) == 2 + sum(len(s) for _, s in segments) + len(original) - orig_sos

    with Image.open(io.BytesIO(out)) as im:
        exif = im.getexif()
        assert dict(exif) == {ExifTags.Base.Orientation: 6}
        assert exif.get_ifd(ExifTags.IFD.GPSInfo) == {}
        assert im.info["icc_profile"] == Image.open(io.BytesIO(original)).info["icc_profile"]
        assert "xmp" not in im.info
        assert "comment" not in im.info
        im.load()
        assert im.tobytes() == decode(original).tobytes()


def test_jpeg_orientation_1_gets_no_exif_at_all() -> None:
    out = sanitize.jpeg(dirty_jpeg("exif_rotated.jpg"), 1)
    segments, _ = jpeg_segments(out)
    assert APP1 not in [m for m, _ in segments]
    assert [m for m, _ in segments] == [APP0, APP2, DQT, DQT, SOF0, DHT, DHT, DHT, DHT]
    with Image.open(io.BytesIO(out)) as im:
        assert dict(im.getexif()) == {}
    for secret in SECRETS:
        assert secret not in out


def test_jpeg_cmyk_keeps_adobe_app14() -> None:
    original = get_case("cmyk.jpg").read_bytes()
    out = sanitize.jpeg(dirty_jpeg("cmyk.jpg"), 1)
    segments, sos = jpeg_segments(out)
    orig_segments, orig_sos = jpeg_segments(original)
    assert [m for m, _ in segments] == [APP14, DQT, SOF0, DHT, DHT]
    assert segments == orig_segments
    assert segments[0][1][4:9] == b"Adobe"
    assert out[sos:] == original[orig_sos:]
    assert out == original  # nothing in cmyk.jpg was metadata
    decoded = decode(out)
    assert decoded.mode == "CMYK"
    assert decoded.tobytes() == decode(original).tobytes()
    for secret in SECRETS:
        assert secret not in out


@pytest.mark.parametrize("filename", ["progressive.jpg", "gray.jpg", "fake_ext.png", "photo12mp.jpg"])
def test_jpeg_pixels_and_scan_identical(filename: str) -> None:
    original = get_case(filename).read_bytes()
    out = sanitize.jpeg(dirty_jpeg(filename), 1)
    assert out == original  # these files carry nothing but JFIF and tables
    _, sos = jpeg_segments(out)
    assert out[sos:] == original[jpeg_segments(original)[1] :]
    assert integrity.jpeg_end(out) == len(out)


def test_jpeg_keeps_every_scan_of_a_progressive_file() -> None:
    original = get_case("progressive.jpg").read_bytes()
    assert original.count(b"\xff\xda") > 1
    out = sanitize.jpeg(original + TRAILER, 8)
    assert out.count(b"\xff\xda") == original.count(b"\xff\xda")
    assert decode(out).tobytes() == decode(original).tobytes()
    assert dict(Image.open(io.BytesIO(out)).getexif()) == {ExifTags.Base.Orientation: 8}


def test_jpeg_with_exif_thumbnail() -> None:
    """Camera JPEGs embed a thumbnail JPEG (with its own SOS and EOI) in the EXIF APP1 segment."""
    thumb = encode(Image.new("RGB", (16, 12), (200, 30, 30)), "JPEG", quality=80)
    base = get_case("progressive.jpg").read_bytes()
    data = insert_after_soi(base, app_segment(APP1, exif_with_thumbnail(thumb, orientation=6)))
    assert decode(data).size == (120, 90)
    out = sanitize.jpeg(data, 6)
    assert thumb not in out
    assert out.endswith(b"\xff\xd9")
    assert decode(out).tobytes() == decode(base).tobytes()


def test_jpeg_truncated_raises() -> None:
    from imghost.errors import UnsupportedMedia

    with pytest.raises(UnsupportedMedia):
        sanitize.jpeg(get_case("truncated.jpg").read_bytes(), 1)


# ----------------------------------------------------------------------------------------------- PNG


def dirty_png(icc: bytes | None = None) -> bytes:
    img = Image.new("RGB", (40, 30), (10, 20, 30))
    ImageDraw.Draw(img).rectangle((5, 5, 25, 20), fill=(250, 100, 0))
    info = PngInfo()
    info.add_text("Comment", "secret-text")
    info.add_text("Author", "secret-ztxt " * 20, zip=True)
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>secret-itxt</x:xmpmeta>", lang="en", tkey="XMP")
    info.add(b"tIME", struct.pack(">HBBBBB", 2024, 5, 6, 7, 8, 9))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "ImghostTestCam"
    exif[ExifTags.Base.Orientation] = 3
    params: dict[str, object] = {"pnginfo": info, "exif": exif.tobytes()}
    if icc:
        params["icc_profile"] = icc
    data = encode(img, "PNG", **params)
    # A text chunk after the pixel data too (allowed anywhere between IHDR and IEND).
    assert data.endswith(png_chunk(b"IEND", b""))
    return data[:-12] + png_chunk(b"tEXt", b"After\x00secret-after-idat") + data[-12:]


def _crcs_valid(data: bytes) -> bool:
    return all(zlib.crc32(kind + body) == crc for kind, body, crc in png_chunks(data))


def test_png_text_time_and_exif_are_dropped() -> None:
    data = dirty_png()
    kinds = [k for k, _, _ in png_chunks(data)]
    for kind in (b"tEXt", b"zTXt", b"iTXt", b"tIME", b"eXIf"):
        assert kind in kinds
    assert kinds.index(b"tEXt", kinds.index(b"IDAT")) > kinds.index(b"IDAT")  # one after the pixel data

    out = sanitize.png(data, 1)

    expected = [k for k in kinds if k not in (b"tEXt", b"zTXt", b"iTXt", b"tIME", b"eXIf")]
    assert [k for k, _, _ in png_chunks(out)] == expected
    assert expected[0] == b"IHDR"
    assert expected[-1] == b"IEND"
    assert b"IDAT" in expected
    assert b"secret" not in out
    assert b"ImghostTestCam" not in out
    assert _crcs_valid(out)
    with Image.open(io.BytesIO(out)) as im:
        im.verify()
    im = decode(out)
    assert dict(im.getexif()) == {}
    assert im.tobytes() == decode(data).tobytes()
    # Kept chunks are the original bytes.
    orig = {(k, b) for k, b, _ in png_chunks(data)}
    assert all((k, b) in orig for k, b, _ in png_chunks(out))


def test_png_orientation_is_rebuilt_before_idat() -> None:
    icc = srgb_icc()
    data = dirty_png(icc)
    out = sanitize.png(data, 6)
    chunks = png_chunks(out)
    kinds = [k for k, _, _ in chunks]
    assert kinds[:2] == [b"IHDR", b"eXIf"]
    assert kinds.count(b"eXIf") == 1
    assert kinds.index(b"eXIf") < kinds.index(b"IDAT")
    assert b"iCCP" in kinds  # the colour profile stays
    assert chunks[1][1] == orientation_tiff(6)
    assert _crcs_valid(out)
    with Image.open(io.BytesIO(out)) as im:
        im.verify()
    im = decode(out)
    assert dict(im.getexif()) == {ExifTags.Base.Orientation: 6}
    assert im.info["icc_profile"] == icc
    assert im.tobytes() == decode(data).tobytes()
    assert b"secret" not in out
    assert b"ImghostTestCam" not in out


def test_png_corpus_exif_gps() -> None:
    data = get_case("exif_gps.png").read_bytes()
    out = sanitize.png(data, 1)
    assert [k for k, _, _ in png_chunks(out)] == [b"IHDR", b"IDAT", b"IEND"]
    assert decode(out).tobytes() == decode(data).tobytes()
    im = Image.open(io.BytesIO(out))
    assert im.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert "Comment" not in im.info


@pytest.mark.parametrize("filename", ["png16.png", "alpha.png", "palette.png", "apng.png"])
def test_png_without_metadata_is_unchanged(filename: str) -> None:
    data = get_case(filename).read_bytes()
    out = sanitize.png(data, 1)
    assert out == data


def test_apng_keeps_its_animation_with_orientation() -> None:
    data = get_case("apng.png").read_bytes()
    out = sanitize.png(data, 6)
    kinds = [k for k, _, _ in png_chunks(out)]
    assert kinds[:3] == [b"IHDR", b"eXIf", b"acTL"]
    with Image.open(io.BytesIO(out)) as im:
        assert im.n_frames == 5
        frames = []
        for i in range(5):
            im.seek(i)
            frames.append(im.convert("RGB").tobytes())
    with Image.open(io.BytesIO(data)) as im:
        for i in range(5):
            im.seek(i)
            assert im.convert("RGB").tobytes() == frames[i]


def test_png_truncated_raises() -> None:
    from imghost.errors import UnsupportedMedia

    with pytest.raises(UnsupportedMedia):
        sanitize.png(get_case("truncated.png").read_bytes(), 1)


# ---------------------------------------------------------------------------------------------- WebP


def _exif() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "ImghostTestCam"
    exif[ExifTags.Base.Model] = "ITC-1 Mark II"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 22.0, 12.5)
    return exif.tobytes()


XMP = b"<x:xmpmeta>secret-webp-xmp</x:xmpmeta>"


def _riff_ok(data: bytes) -> bool:
    return data[:4] == b"RIFF" and struct.unpack_from("<I", data, 4)[0] == len(data) - 8


@pytest.mark.parametrize("icc", [True, False], ids=["with-icc", "without-icc"])
def test_webp_exif_and_xmp_are_dropped(icc: bool) -> None:
    img = Image.new("RGB", (50, 40), (0, 120, 255))
    ImageDraw.Draw(img).ellipse((5, 5, 30, 30), fill=(255, 200, 0))
    profile = srgb_icc()
    extra = {"icc_profile": profile} if icc else {}
    data = encode(img, "WEBP", lossless=True, exif=_exif(), xmp=XMP, **extra)
    chunks = [c for c, _ in webp_chunks(data)]
    assert chunks == [b"VP8X", *([b"ICCP"] if icc else []), b"VP8L", b"EXIF", b"XMP "]
    assert data[20] & 0x0C == 0x0C

    out = sanitize.webp(data)

    assert [c for c, _ in webp_chunks(out)] == [b"VP8X", *([b"ICCP"] if icc else []), b"VP8L"]
    assert out[20] == data[20] & ~0x0C
    assert out[20] & 0x20 == (0x20 if icc else 0)  # the ICC flag stays with its chunk
    assert _riff_ok(out)
    assert b"ImghostTestCam" not in out
    assert b"secret" not in out
    # Every kept chunk is byte-identical (VP8X apart from its flags).
    orig = dict(webp_chunks(data))
    for fourcc, body in webp_chunks(out)[1:]:
        assert body == orig[fourcc]
    assert webp_chunks(out)[0][1][1:] == orig[b"VP8X"][1:]
    with Image.open(io.BytesIO(out)) as im:
        im.load()
        assert im.size == (50, 40)
        assert "exif" not in im.info
        assert "xmp" not in im.info
        assert dict(im.getexif()) == {}
        if icc:
            assert im.info["icc_profile"] == profile
        assert im.convert("RGB").tobytes() == decode(data).convert("RGB").tobytes()


def test_animated_webp_with_metadata() -> None:
    frames = [Image.new("RGB", (20, 20), (i * 60, 0, 255 - i * 60)) for i in range(4)]
    buf = io.BytesIO()
    frames[0].save(
        buf,
        "WEBP",
        save_all=True,
        append_images=frames[1:],
        duration=50,
        loop=0,
        lossless=True,
        exif=_exif(),
        xmp=XMP,
    )
    data = buf.getvalue()
    out = sanitize.webp(data)
    assert [c for c, _ in webp_chunks(out)] == [b"VP8X", b"ANIM", b"ANMF", b"ANMF", b"ANMF", b"ANMF"]
    assert out[20] == data[20] & ~0x0C
    assert out[20] & 0x02  # animation flag kept
    assert _riff_ok(out)
    assert b"ImghostTestCam" not in out
    assert b"secret" not in out
    with Image.open(io.BytesIO(out)) as im:
        assert im.n_frames == 4
        im.seek(3)
        assert im.convert("RGB").getpixel((10, 10)) == (180, 0, 75)


@pytest.mark.parametrize("filename", ["static.webp", "anim.webp"])
def test_webp_without_metadata_is_unchanged(filename: str) -> None:
    data = get_case(filename).read_bytes()
    assert sanitize.webp(data) == data


def test_webp_trailing_bytes_after_riff_are_dropped() -> None:
    data = encode(Image.new("RGB", (8, 8), (1, 2, 3)), "WEBP", lossless=True, exif=_exif())
    out = sanitize.webp(data + b"secret-trailer")
    assert _riff_ok(out)
    assert b"secret" not in out
    assert [c for c, _ in webp_chunks(out)] == [b"VP8X", b"VP8L"]


def test_orientation_exif_block() -> None:
    for o in range(1, 9):
        block = sanitize.orientation_exif(o)
        assert block == orientation_tiff(o)
        exif = Image.Exif()
        exif.load(b"Exif\x00\x00" + block)
        assert dict(exif) == {ExifTags.Base.Orientation: o}
