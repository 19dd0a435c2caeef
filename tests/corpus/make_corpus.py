"""Generate the corpus of tricky upload files used by the tests.

Every file is produced by a generator function returning the file's bytes. All randomness comes from
`random.Random` instances with fixed seeds, so the output is byte-for-byte reproducible for a given
Pillow / codec build. `build()` is idempotent: a file whose bytes are already right is left untouched.

Usage:  python tests/corpus/make_corpus.py DEST_DIR
"""

from __future__ import annotations

import io
import os
import random
import struct
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from PIL import ExifTags, Image, ImageCms, ImageDraw
from PIL.PngImagePlugin import PngInfo

# --------------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Dimensions declared by the decompression-bomb PNG header.
BOMB_SIDE = 30_000
# Number of frames in the frame-count bomb GIF (the server's limit is 1000).
BOMB_FRAMES = 3000
# Logical screen size of the GIF/JS polyglot: the width bytes are the two characters "/*".
POLYGLOT_SIZE = (0x2A2F, 256)  # (10799, 256)
POLYGLOT_SCRIPT = b"<script>alert(1)</script>"


def _rng(name: str) -> random.Random:
    """A generator-specific, fixed-seed random source (independent of generation order)."""
    return random.Random(f"imghost-corpus:{name}")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _save(img: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **params)
    return buf.getvalue()


def _pattern(size: tuple[int, int], name: str) -> Image.Image:
    """A deterministic, non-trivial RGB picture: a gradient background with a few coloured shapes."""
    w, h = size
    rng = _rng(name)
    grad = Image.linear_gradient("L").resize(size, Image.Resampling.BILINEAR)
    img = Image.merge("RGB", (grad, grad.transpose(Image.Transpose.FLIP_LEFT_RIGHT), grad.rotate(90)))
    draw = ImageDraw.Draw(img)
    for _ in range(6):
        x0, y0 = rng.randrange(w), rng.randrange(h)
        x1, y1 = x0 + rng.randrange(4, max(5, w // 2)), y0 + rng.randrange(4, max(5, h // 2))
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        if rng.random() < 0.5:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        else:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
    return img


def _noisy(size: tuple[int, int], name: str) -> Image.Image:
    """A picture with lots of high-frequency detail (compresses poorly, so cuts land in entropy data)."""
    noise = Image.frombytes("RGB", size, _rng(name).randbytes(size[0] * size[1] * 3))
    return Image.blend(_pattern(size, name), noise, 0.35)


def _gps_exif() -> Image.Exif:
    """EXIF with camera Make/Model and a GPS IFD (latitude, longitude, altitude)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "ImghostTestCam"
    exif[ExifTags.Base.Model] = "ITC-1 Mark II"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSVersionID] = b"\x02\x03\x00\x00"
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 22.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (4.0, 53.0, 30.25)
    gps[ExifTags.GPS.GPSAltitudeRef] = b"\x00"
    gps[ExifTags.GPS.GPSAltitude] = 12.5
    return exif


def _srgb_icc() -> bytes:
    """An sRGB ICC profile built by LittleCMS, with its creation date pinned (header bytes 24-35)."""
    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    icc[24:36] = struct.pack(">6H", 2024, 1, 1, 0, 0, 0)
    return bytes(icc)


def _lzw_uncompressed(indices: Sequence[int], min_code_size: int = 2) -> bytes:
    """GIF LZW data that encodes each pixel as a literal code.

    A clear code is emitted before every `2**min_code_size - 2` literals, so the decoder's code table never
    grows far enough to widen the code size: every code is `min_code_size + 1` bits. Returns the data
    already split into sub-blocks, including the block terminator, preceded by the min-code-size byte.
    """
    clear = 1 << min_code_size
    end = clear + 1
    width = min_code_size + 1
    per_clear = clear - 2
    codes: list[int] = []
    for i, idx in enumerate(indices):
        if not 0 <= idx < clear:
            raise ValueError(f"palette index {idx} does not fit min code size {min_code_size}")
        if i % per_clear == 0:
            codes.append(clear)
        codes.append(idx)
    codes.append(end)
    acc = nbits = 0
    out = bytearray()
    for code in codes:
        acc |= code << nbits
        nbits += width
        while nbits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            nbits -= 8
    if nbits:
        out.append(acc & 0xFF)
    blocks = bytearray([min_code_size])
    for off in range(0, len(out), 255):
        chunk = out[off : off + 255]
        blocks.append(len(chunk))
        blocks += chunk
    blocks.append(0)
    return bytes(blocks)


def _gif_header(width: int, height: int, palette: Sequence[tuple[int, int, int]]) -> bytes:
    """`GIF89a` + logical screen descriptor + global colour table (palette padded to a power of two)."""
    bits = max(1, (len(palette) - 1).bit_length())
    table = list(palette) + [(0, 0, 0)] * ((1 << bits) - len(palette))
    flags = 0x80 | (bits - 1)  # global colour table present, 2**bits entries
    gct = b"".join(bytes(c) for c in table)
    return b"GIF89a" + struct.pack("<HHBBB", width, height, flags, 0, 0) + gct


def _gif_frame(left: int, top: int, width: int, height: int, indices: Sequence[int], delay_cs: int) -> bytes:
    gce = b"\x21\xf9\x04" + struct.pack("<BHB", 0x04, delay_cs, 0) + b"\x00"  # disposal 1 (keep), no transp.
    descriptor = b"\x2c" + struct.pack("<HHHHB", left, top, width, height, 0)
    return gce + descriptor + _lzw_uncompressed(indices)


_NETSCAPE_LOOP_FOREVER = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"


def _ffmpeg(args: Sequence[str], container: str) -> bytes:
    """Run the bundled ffmpeg and return the produced file's bytes."""
    import imageio_ffmpeg

    exe = imageio_ffmpeg.get_ffmpeg_exe()
    with tempfile.TemporaryDirectory(prefix="imghost-corpus-ff-") as tmp:
        out = Path(tmp) / f"out.{container}"
        cmd = [exe, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]
        cmd += ["-map_metadata", "-1", "-fflags", "+bitexact", "-threads", "1", str(out)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
        return out.read_bytes()


_TESTSRC = ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10"]
_H264 = ["-t", "1", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "veryfast", "-flags:v", "+bitexact"]


# --------------------------------------------------------------------------------------------------------
# Generators: one per corpus file, each returning the file's bytes
# --------------------------------------------------------------------------------------------------------

# --- JPEG ------------------------------------------------------------------------------------------------


def exif_rotated_jpg() -> bytes:
    """64x48 stored pixels, left half red / right half blue, green marker in the top-left corner.

    EXIF Orientation=6 (display rotated 90 degrees clockwise, i.e. 48x64 on screen), GPS IFD, Make/Model,
    and an embedded sRGB ICC profile.
    """
    img = Image.new("RGB", (64, 48), (220, 20, 20))
    draw = ImageDraw.Draw(img)
    draw.rectangle((32, 0, 63, 47), fill=(20, 20, 220))
    draw.rectangle((0, 0, 11, 11), fill=(20, 200, 20))
    exif = _gps_exif()
    exif[ExifTags.Base.Orientation] = 6
    return _save(img, "JPEG", quality=95, exif=exif.tobytes(), icc_profile=_srgb_icc())


def cmyk_jpg() -> bytes:
    img = Image.new("CMYK", (80, 60), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 39, 29), fill=(255, 0, 0, 0))
    draw.rectangle((40, 0, 79, 29), fill=(0, 255, 0, 0))
    draw.rectangle((0, 30, 39, 59), fill=(0, 0, 255, 0))
    draw.rectangle((40, 30, 79, 59), fill=(0, 0, 0, 200))
    return _save(img, "JPEG", quality=90)


def progressive_jpg() -> bytes:
    return _save(_pattern((120, 90), "progressive"), "JPEG", quality=90, progressive=True)


def gray_jpg() -> bytes:
    return _save(_pattern((48, 32), "gray").convert("L"), "JPEG", quality=90)


def truncated_jpg() -> bytes:
    """A valid 200x150 JPEG cut to 40% of its bytes (header intact, scan data cut, no EOI)."""
    data = _save(_noisy((200, 150), "truncated-jpg"), "JPEG", quality=90)
    return data[: len(data) * 40 // 100]


def fake_ext_png() -> bytes:
    """JPEG bytes (50x40) stored under a .png name: the type must come from the magic bytes."""
    return _save(_pattern((50, 40), "fake-ext"), "JPEG", quality=90)


def photo12mp_jpg() -> bytes:
    """A 4000x3000 photo-like JPEG of roughly 3-5 MB: smooth colour fields plus fine grain."""
    size = w, h = 4000, 3000
    rng = _rng("photo12mp")

    def noise(nw: int, nh: int) -> Image.Image:
        return Image.frombytes("RGB", (nw, nh), rng.randbytes(nw * nh * 3))

    lin = Image.linear_gradient("L").resize(size, Image.Resampling.BILINEAR)
    rad = Image.radial_gradient("L").resize(size, Image.Resampling.BILINEAR)
    img = Image.merge("RGB", (lin, rad, lin.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    img = Image.blend(img, noise(40, 30).resize(size, Image.Resampling.BICUBIC), 0.5)  # large blobs
    img = Image.blend(img, noise(400, 300).resize(size, Image.Resampling.BICUBIC), 0.25)  # texture
    tile_side = 509  # not a multiple of the 8/16-pixel JPEG block size
    tile = noise(tile_side, tile_side)
    grain = Image.new("RGB", size)
    for y in range(0, h, tile_side):
        for x in range(0, w, tile_side):
            grain.paste(tile, (x, y))
    img = Image.blend(img, grain, 0.08)
    return _save(img, "JPEG", quality=92)


# --- PNG -------------------------------------------------------------------------------------------------


def png16_png() -> bytes:
    """A true 16-bit-per-channel RGB PNG (IHDR bit depth 16, colour type 2), 70x50, written by hand."""
    w, h = 70, 50
    raw = bytearray()
    for y in range(h):
        raw.append(0)  # filter type: None
        for x in range(w):
            r = x * 65535 // (w - 1)
            g = y * 65535 // (h - 1)
            b = (x * 977 + y * 1531) * 37 & 0xFFFF
            raw += struct.pack(">HHH", r, g, b)
    ihdr = struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + _png_chunk(b"IEND", b"")
    )


def alpha_png() -> bytes:
    """100x80 RGBA: fully transparent border and hole, half-transparent band, opaque rest."""
    img = _pattern((100, 80), "alpha").convert("RGBA")
    mask = Image.new("L", img.size, 0)
    draw = ImageDraw.Draw(mask)
    draw.rectangle((10, 10, 89, 69), fill=255)
    draw.rectangle((10, 35, 89, 44), fill=128)
    draw.ellipse((40, 15, 60, 30), fill=0)
    img.putalpha(mask)
    return _save(img, "PNG")


def palette_png() -> bytes:
    img = _pattern((48, 32), "palette").quantize(colors=16, method=Image.Quantize.MEDIANCUT, dither=0)
    return _save(img, "PNG")


def exif_gps_png() -> bytes:
    """40x40 PNG with an eXIf chunk (Make/Model + GPS IFD) and a tEXt "Comment" chunk."""
    info = PngInfo()
    info.add_text("Comment", "shot at the secret base; GPS inside")
    return _save(_pattern((40, 40), "exif-gps-png"), "PNG", exif=_gps_exif().tobytes(), pnginfo=info)


def big_dims_bomb_png() -> bytes:
    """A few-KB PNG whose IHDR declares 30000x30000 RGB (900 megapixels): a decompression bomb.

    Only a few rows of (zero) image data are present; the point is the header dimensions.
    """
    ihdr = struct.pack(">IIBBBBB", BOMB_SIDE, BOMB_SIDE, 8, 2, 0, 0, 0)
    rows = (b"\x00" + b"\x00" * (BOMB_SIDE * 3)) * 8
    return (
        PNG_SIGNATURE
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(rows, 9))
        + _png_chunk(b"IEND", b"")
    )


def truncated_png() -> bytes:
    """A valid 200x150 PNG cut to 40% of its bytes (inside the IDAT data, no IEND)."""
    data = _save(_noisy((200, 150), "truncated-png"), "PNG")
    return data[: len(data) * 40 // 100]


def apng_png() -> bytes:
    """Animated PNG, 5 different 64x64 frames, looping."""
    frames = []
    for i in range(5):
        img = Image.new("RGB", (64, 64), (40 * i, 80, 200 - 30 * i))
        ImageDraw.Draw(img).rectangle((i * 10, i * 10, i * 10 + 20, i * 10 + 20), fill=(255, 255, 0))
        frames.append(img)
    return _save(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=100, loop=0)


# --- GIF -------------------------------------------------------------------------------------------------


def _gif_frames(n: int, size: tuple[int, int]) -> list[Image.Image]:
    w, h = size
    frames = []
    for i in range(n):
        img = Image.new("RGB", size, (20 * i % 256, 100, 255 - 20 * i % 256))
        draw = ImageDraw.Draw(img)
        x = i * (w - 16) // max(1, n - 1)
        draw.ellipse((x, h // 2 - 8, x + 16, h // 2 + 8), fill=(255, 255, 255))
        frames.append(img)
    return frames


def anim_gif() -> bytes:
    """10 distinct 64x64 frames, 100 ms each, looping forever."""
    frames = _gif_frames(10, (64, 64))
    return _save(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def static_gif() -> bytes:
    return _save(_pattern((32, 24), "static-gif").quantize(colors=32, dither=0), "GIF")


def frames_bomb_gif() -> bytes:
    """3000 frames of 2x2 pixels (each different from the previous one), crafted byte by byte."""
    palette = [(0, 0, 0), (255, 0, 0), (0, 255, 0), (0, 0, 255)]
    out = bytearray(_gif_header(2, 2, palette))
    out += _NETSCAPE_LOOP_FOREVER
    for i in range(BOMB_FRAMES):
        out += _gif_frame(0, 0, 2, 2, [(i + k) % 4 for k in range(4)], delay_cs=2)
    out += b"\x3b"
    return bytes(out)


def polyglot_gif() -> bytes:
    """A decodable GIF that is also valid JavaScript and contains an HTML <script> tag.

    Layout (the classic GIF/JS polyglot):
      GIF89a/*   -- "GIF89a" is a JS identifier, "/*" (the logical screen width bytes, 10799) opens a comment
      ...        -- screen height (256), colour table, one 32x32 frame: binary, never containing "*/"
      comment extension: "*/=1;alert(1);//<script>alert(1)</script>"
                 -- closes the JS comment, so the file as JS is `GIF89a=1;alert(1);` + a line comment
                 -- which swallows the rest of the file (sub-block terminator and the ";" trailer)
    So the image is 10799x256 (logical screen) with a 32x32 frame at the top-left.
    """
    palette = [(0, 0, 0), (255, 255, 255), (200, 30, 30), (30, 30, 200)]
    width, height = POLYGLOT_SIZE
    header = _gif_header(width, height, palette)
    assert header.startswith(b"GIF89a/*")
    indices = [((x // 4) + (y // 4)) % 4 for y in range(32) for x in range(32)]
    frame = _gif_frame(0, 0, 32, 32, indices, delay_cs=0)
    binary = header + frame
    if b"*/" in binary:  # would close the JS comment early
        raise AssertionError("polyglot image data contains */")
    text = b"*/=1;alert(1);//" + POLYGLOT_SCRIPT
    comment = b"\x21\xfe" + bytes([len(text)]) + text + b"\x00"
    return binary + comment + b"\x3b"


# --- WebP / AVIF / HEIC / TIFF / BMP ---------------------------------------------------------------------


def anim_webp() -> bytes:
    """6 distinct 64x64 frames, looping."""
    frames = _gif_frames(6, (64, 64))
    return _save(
        frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=120, loop=0, quality=80, method=4
    )


def static_webp() -> bytes:
    return _save(_pattern((50, 40), "static-webp"), "WEBP", quality=80, method=4)


def avif_avif() -> bytes:
    return _save(_pattern((64, 64), "avif"), "AVIF", quality=70, speed=8, max_threads=1)


def heic_heic() -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    return _save(_pattern((64, 48), "heic"), "HEIF", quality=80)


def tiff_tif() -> bytes:
    return _save(_pattern((90, 60), "tiff"), "TIFF")


def bmp_bmp() -> bytes:
    return _save(_pattern((60, 40), "bmp"), "BMP")


# --- Not images ------------------------------------------------------------------------------------------


def zero_bin() -> bytes:
    return b""


def text_txt() -> bytes:
    return b"hello world\nThis is a plain text file, not an image.\n"


def html_html() -> bytes:
    return (
        b'<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8"><title>not an image</title></head>\n'
        b"<body>\n<h1>hello</h1>\n<img src=x onerror=alert(1)>\n<script>alert(document.cookie)</script>\n"
        b"</body>\n</html>\n"
    )


def random_bin() -> bytes:
    return _rng("random").randbytes(4096)


def svg_svg() -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48" viewBox="0 0 64 48">\n'
        b'  <rect width="64" height="48" fill="#c33"/>\n'
        b"  <script>alert(1)</script>\n"
        b"</svg>\n"
    )


def pdf_pdf() -> bytes:
    return (
        b"%PDF-1.4\n"
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n"
        b"%%EOF\n"
    )


# --- Video -----------------------------------------------------------------------------------------------


def mp4_mp4() -> bytes:
    """1 s, 10 fps, 64x48 H.264 in MP4, no audio."""
    return _ffmpeg([*_TESTSRC, *_H264, "-an", "-f", "mp4"], "mp4")


def audio_mp4() -> bytes:
    """As mp4.mp4 plus a 440 Hz AAC audio track."""
    sine = ["-f", "lavfi", "-i", "sine=frequency=440:duration=1"]
    audio = ["-c:a", "aac", "-flags:a", "+bitexact", "-shortest"]
    return _ffmpeg([*_TESTSRC, *sine, *_H264, *audio, "-f", "mp4"], "mp4")


def webm_webm() -> bytes:
    """1 s, 10 fps, 64x48 VP9 in WebM."""
    vp9 = ["-t", "1", "-pix_fmt", "yuv420p", "-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "40"]
    vp9 += ["-deadline", "realtime", "-cpu-used", "8", "-flags:v", "+bitexact"]
    return _ffmpeg([*_TESTSRC, *vp9, "-an", "-f", "webm"], "webm")


def mov_mov() -> bytes:
    """1 s, 10 fps, 64x48 H.264 in a QuickTime (MOV) container."""
    return _ffmpeg([*_TESTSRC, *_H264, "-an", "-f", "mov"], "mov")


# --------------------------------------------------------------------------------------------------------
# Registry and build
# --------------------------------------------------------------------------------------------------------

GENERATORS: dict[str, Callable[[], bytes]] = {
    "exif_rotated.jpg": exif_rotated_jpg,
    "cmyk.jpg": cmyk_jpg,
    "progressive.jpg": progressive_jpg,
    "gray.jpg": gray_jpg,
    "png16.png": png16_png,
    "alpha.png": alpha_png,
    "palette.png": palette_png,
    "exif_gps.png": exif_gps_png,
    "big_dims_bomb.png": big_dims_bomb_png,
    "anim.gif": anim_gif,
    "static.gif": static_gif,
    "anim.webp": anim_webp,
    "static.webp": static_webp,
    "apng.png": apng_png,
    "frames_bomb.gif": frames_bomb_gif,
    "tiff.tif": tiff_tif,
    "bmp.bmp": bmp_bmp,
    "avif.avif": avif_avif,
    "heic.heic": heic_heic,
    "truncated.jpg": truncated_jpg,
    "truncated.png": truncated_png,
    "zero.bin": zero_bin,
    "text.txt": text_txt,
    "html.html": html_html,
    "random.bin": random_bin,
    "polyglot.gif": polyglot_gif,
    "fake_ext.png": fake_ext_png,
    "svg.svg": svg_svg,
    "pdf.pdf": pdf_pdf,
    "mp4.mp4": mp4_mp4,
    "audio.mp4": audio_mp4,
    "webm.webm": webm_webm,
    "mov.mov": mov_mov,
    "photo12mp.jpg": photo12mp_jpg,
}


def _write_if_changed(path: Path, data: bytes) -> None:
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return
    except FileNotFoundError:
        pass
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def build(dest: Path, only: Iterable[str] | None = None) -> None:
    """Write the corpus (or just the files named in `only`) into `dest`, creating it if needed."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    names = list(GENERATORS) if only is None else list(only)
    for name in names:
        _write_if_changed(dest / name, GENERATORS[name]())


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print(f"usage: {Path(sys.argv[0]).name} DEST_DIR", file=sys.stderr)
        return 2
    build(Path(args[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
