"""The corpus of tricky upload files and what the server must do with each.

    from tests.corpus.cases import CASES, Accept, Reject, corpus_dir

    @pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
    def test_upload(case): data = case.path.read_bytes(); ...

`corpus_dir()` builds the corpus once into a cache directory under the system temp dir (keyed by a hash of
the generator source, so editing `make_corpus.py` produces a fresh directory) and returns it. Set
`IMGHOST_TEST_CORPUS_DIR` to build into / use another directory.

Server decisions encoded in the outcomes:
- HEIC is converted to JPEG on upload (image/jpeg, ext "jpg"); TIFF and BMP are converted to PNG.
- APNG stays image/png with animated=True; animated WebP is image/webp animated=True; GIF is image/gif.
- JPEG's ext is "jpg". Videos: mp4 -> video/mp4 "mp4", webm -> video/webm "webm", mov -> video/mp4 "mp4"
  (remuxed). Videos report animated=True (as Imgur does).
- The GIF/JS/HTML polyglot is ACCEPTED as image/gif: it is a valid GIF, and safety comes from serving it
  with `Content-Type: image/gif` and `X-Content-Type-Options: nosniff`.
- Truncated JPEG/PNG, empty, text, HTML, random bytes, SVG, PDF and both bombs are rejected with 400.

Width/height are the STORED pixel dimensions as Pillow reports them, without applying EXIF orientation:
exif_rotated.jpg is 64x48 even though it displays as 48x64.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from tests.corpus import make_corpus

# Bump to force a rebuild even if make_corpus.py is unchanged (e.g. after a Pillow/codec upgrade).
CORPUS_VERSION = "1"


@dataclass(frozen=True)
class Accept:
    """The upload succeeds and the server reports these values for the stored file."""

    mime: str
    width: int
    height: int
    animated: bool
    ext: str  # without the dot, e.g. "jpg"


@dataclass(frozen=True)
class Reject:
    """The upload is refused with this HTTP status."""

    status: int = 400


Outcome = Accept | Reject


@dataclass(frozen=True)
class Case:
    name: str  # stable identifier, usable as a pytest id
    filename: str  # file name inside the corpus directory (the name to upload it under)
    outcome: Outcome

    @property
    def path(self) -> Path:
        """The file's path in the (built on first use) corpus directory."""
        return corpus_dir() / self.filename

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()

    @property
    def accepted(self) -> bool:
        return isinstance(self.outcome, Accept)


def _cache_key() -> str:
    h = hashlib.sha256(CORPUS_VERSION.encode())
    h.update(Path(make_corpus.__file__).read_bytes())
    return h.hexdigest()[:16]


# Where the corpus lives; it is only guaranteed to exist after `corpus_dir()` has been called.
CORPUS_DIR: Path = (
    Path(os.environ["IMGHOST_TEST_CORPUS_DIR"])
    if os.environ.get("IMGHOST_TEST_CORPUS_DIR")
    else Path(tempfile.gettempdir()) / f"imghost-test-corpus-{_cache_key()}"
)

_lock = threading.Lock()
_ready = False


def corpus_dir() -> Path:
    """Build the corpus into CORPUS_DIR if needed (once per process) and return CORPUS_DIR.

    Safe across concurrent processes: a fresh build goes into a private sibling directory which is then
    renamed into place; the loser of a race discards its copy.
    """
    global _ready
    with _lock:
        if _ready:
            return CORPUS_DIR
        if not CORPUS_DIR.is_dir():
            CORPUS_DIR.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{CORPUS_DIR.name}.", dir=CORPUS_DIR.parent))
            try:
                make_corpus.build(staging)
                try:
                    staging.rename(CORPUS_DIR)
                except OSError:  # another process finished first
                    pass
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        missing = [name for name in make_corpus.GENERATORS if not (CORPUS_DIR / name).is_file()]
        if missing:  # an explicit directory, or files deleted from the cache: (re)build what's missing
            make_corpus.build(CORPUS_DIR, only=missing)
        _ready = True
        return CORPUS_DIR


def _jpeg(w: int, h: int) -> Accept:
    return Accept("image/jpeg", w, h, False, "jpg")


def _png(w: int, h: int, animated: bool = False) -> Accept:
    return Accept("image/png", w, h, animated, "png")


_BAD = Reject(400)

CASES: list[Case] = [
    # --- JPEG ---
    # Stored pixels are 64x48; EXIF Orientation=6 makes it display as 48x64. Reported: 64x48 (no transpose).
    Case("exif_rotated_jpeg", "exif_rotated.jpg", _jpeg(64, 48)),
    Case("cmyk_jpeg", "cmyk.jpg", _jpeg(80, 60)),
    Case("progressive_jpeg", "progressive.jpg", _jpeg(120, 90)),
    Case("gray_jpeg", "gray.jpg", _jpeg(48, 32)),
    Case("photo_12mp_jpeg", "photo12mp.jpg", _jpeg(4000, 3000)),
    # JPEG bytes under a .png name: the type comes from the magic bytes.
    Case("jpeg_with_png_extension", "fake_ext.png", _jpeg(50, 40)),
    # --- PNG ---
    Case("png_16bit_rgb", "png16.png", _png(70, 50)),
    Case("png_alpha", "alpha.png", _png(100, 80)),
    Case("png_palette", "palette.png", _png(48, 32)),
    Case("png_exif_gps", "exif_gps.png", _png(40, 40)),
    Case("apng", "apng.png", _png(64, 64, animated=True)),
    # --- GIF ---
    Case("gif_animated", "anim.gif", Accept("image/gif", 64, 64, True, "gif")),
    Case("gif_static", "static.gif", Accept("image/gif", 32, 24, False, "gif")),
    # Valid GIF that is also JS and contains <script>; its logical screen is 10799x256 (width bytes "/*").
    Case("gif_js_html_polyglot", "polyglot.gif", Accept("image/gif", 10799, 256, False, "gif")),
    # --- WebP / AVIF ---
    Case("webp_animated", "anim.webp", Accept("image/webp", 64, 64, True, "webp")),
    Case("webp_static", "static.webp", Accept("image/webp", 50, 40, False, "webp")),
    Case("avif", "avif.avif", Accept("image/avif", 64, 64, False, "avif")),
    # --- converted on upload ---
    Case("heic_to_jpeg", "heic.heic", _jpeg(64, 48)),
    Case("tiff_to_png", "tiff.tif", _png(90, 60)),
    Case("bmp_to_png", "bmp.bmp", _png(60, 40)),
    # --- video ---
    Case("mp4_h264", "mp4.mp4", Accept("video/mp4", 64, 48, True, "mp4")),
    Case("mp4_h264_aac", "audio.mp4", Accept("video/mp4", 64, 48, True, "mp4")),
    Case("webm_vp9", "webm.webm", Accept("video/webm", 64, 48, True, "webm")),
    Case("mov_h264_remuxed", "mov.mov", Accept("video/mp4", 64, 48, True, "mp4")),
    # --- rejected ---
    Case("png_dimension_bomb", "big_dims_bomb.png", _BAD),  # IHDR says 30000x30000
    Case("gif_frame_bomb", "frames_bomb.gif", _BAD),  # 3000 frames > limit of 1000
    Case("jpeg_truncated", "truncated.jpg", _BAD),
    Case("png_truncated", "truncated.png", _BAD),
    Case("empty_file", "zero.bin", _BAD),
    Case("plain_text", "text.txt", _BAD),
    Case("html_page", "html.html", _BAD),
    Case("random_bytes", "random.bin", _BAD),
    Case("svg", "svg.svg", _BAD),
    Case("pdf", "pdf.pdf", _BAD),
]

CASES_BY_NAME: dict[str, Case] = {c.name: c for c in CASES}
ACCEPTED: list[Case] = [c for c in CASES if isinstance(c.outcome, Accept)]
REJECTED: list[Case] = [c for c in CASES if isinstance(c.outcome, Reject)]


def get_case(name_or_filename: str) -> Case:
    """Look a case up by its name or its file name."""
    if name_or_filename in CASES_BY_NAME:
        return CASES_BY_NAME[name_or_filename]
    for c in CASES:
        if c.filename == name_or_filename:
            return c
    raise KeyError(name_or_filename)
