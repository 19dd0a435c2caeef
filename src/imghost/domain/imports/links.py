"""Imgur links in text (Markdown, HTML, BBCode, plain text): finding them and pointing them elsewhere.

The shapes: `i.imgur.com/{id}.{ext}`, size-suffixed thumbnails (`{id}m.jpg`), `{id}.gifv`,
`imgur.com/{id}`, `imgur.com/a/{id}`, `imgur.com/gallery/{id}` (also the newer `/a/` and `/gallery/`
links that put a title before the id, `/gallery/some-title-{id}`), on imgur.com, i.imgur.com,
m.imgur.com or www.imgur.com, with a scheme, protocol-relative or bare. A link's span covers the
scheme, host and path only: a query or fragment after it (`?1`, `#comment`) stays as written.

Imgur ids are 5 or 7 letters and digits, so a 5- or 7-character name is an id even when it ends in a
thumbnail letter (s b t m l h), and a 6- or 8-character name ending in one is a thumbnail of the
5- or 7-character id before it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

IMAGE, ALBUM, GALLERY = "image", "album", "gallery"
ID_LENGTHS = (5, 7)
THUMB_SUFFIXES = frozenset("sbtmlh")
MEDIA_EXTS = frozenset(
    {"jpg", "jpeg", "png", "gif", "gifv", "mp4", "webm", "webp", "apng", "avif", "bmp", "tif", "tiff", "jfif"}
)
# Pages of imgur.com itself with the length of an id: never images.
_SITE_PAGES = frozenset(
    {"about", "rules", "legal", "terms", "store", "apps", "privacy", "emerald", "memegen"}
)

# Not preceded by something that makes it part of another name (notimgur.com, i.stack.imgur.com is
# another service's namespace) or of a longer URL path (example.com/imgur.com/...).
_LINK = re.compile(
    r"(?<![\w.@/-])(?:https?:)?(?://)?((?:[im]\.|www\.)?imgur\.com)(/[A-Za-z0-9._/-]*)?",
    re.IGNORECASE,
)
_NAME = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True)
class Link:
    start: int  # span in the text: scheme, host and path
    end: int
    kind: str  # IMAGE, ALBUM or GALLERY
    id: str
    ext: str = ""  # as written, lower case ("jpg", "gifv"); "" for imgur.com/{id}
    suffix: str = ""  # thumbnail size letter, "" for the original
    text: str = ""  # the span as written

    @property
    def key(self) -> str:
        """What the link names: one import serves every link with the same key."""
        return f"{self.kind}:{self.id}"


def split_name(name: str) -> tuple[str, str] | None:
    """(id, thumbnail suffix) of a media file name's stem, or None when it is not an Imgur name."""
    if not _NAME.fullmatch(name):
        return None
    if len(name) in ID_LENGTHS:
        return name, ""
    if len(name) - 1 in ID_LENGTHS and name[-1] in THUMB_SUFFIXES:
        return name[:-1], name[-1]
    return None


def _slug_id(segment: str) -> str | None:
    """The id at the end of an album or gallery segment: `abc1234` or `some-title-abc1234`."""
    candidate = segment.rsplit("-", 1)[-1]
    return candidate if _NAME.fullmatch(candidate) and len(candidate) in ID_LENGTHS else None


def _parse_path(host: str, path: str) -> tuple[str, str, str, str, int] | None:
    """(kind, id, ext, suffix, length of the path that names it) of a path on an Imgur host."""
    parts = path.split("/")
    # parts[0] is "" (the path starts with "/")
    if len(parts) >= 3 and parts[1].lower() in ("a", "gallery") and parts[2]:
        ident = _slug_id(parts[2])
        if ident is None:
            return None
        kind = ALBUM if parts[1].lower() == "a" else GALLERY
        return kind, ident, "", "", len(parts[1]) + len(parts[2]) + 2
    if len(parts) < 2 or not parts[1]:
        return None
    name = parts[1]
    if len(parts) > 2 and parts[2]:
        return None  # /user/name, /t/tag/id, /r/sub/id: not a link to one image or album
    stem, dot, ext = name.partition(".")
    if dot:
        ext = ext.lower()
        if ext not in MEDIA_EXTS:
            return None
        got = split_name(stem)
        if got is None:
            return None
        return IMAGE, got[0], ext, got[1], len(name) + 1
    if stem.lower() in _SITE_PAGES or len(stem) not in ID_LENGTHS or not _NAME.fullmatch(stem):
        return None
    return IMAGE, stem, "", "", len(stem) + 1


def find_links(text: str) -> Iterator[Link]:
    """Every Imgur link to an image, album or gallery post in text, in order."""
    for m in _LINK.finditer(text):
        host = m.group(1)
        path = (m.group(2) or "").rstrip(".")
        if not path:
            continue
        got = _parse_path(host, path)
        if got is None:
            continue
        kind, ident, ext, suffix, length = got
        start = m.start()
        end = m.start(2) + length
        yield Link(start, end, kind, ident, ext, suffix, text[start:end])


def unrecognised(text: str) -> Iterator[str]:
    """Links on an Imgur host that name no image or album (a profile, a tag page): for the report."""
    for m in _LINK.finditer(text):
        path = (m.group(2) or "").rstrip("./")
        if path and _parse_path(m.group(1), path) is None:
            yield m.group(0).rstrip(".")


def rewrite(text: str, target: Callable[[Link], str | None]) -> str:
    """text with every link for which target(link) gives a URL replaced by it; the rest unchanged."""
    out: list[str] = []
    pos = 0
    for link in find_links(text):
        new = target(link)
        if new is None:
            continue
        out.append(text[pos : link.start])
        out.append(new)
        pos = link.end
    out.append(text[pos:])
    return "".join(out)


def local_path(link: Link, local_id: str, local_ext: str, *, album: bool) -> str:
    """The path here of what link pointed at, in the same shape: `{id}{suffix}.{ext}`, `{id}`, `a/{id}`.
    A gallery post becomes `a/{id}` or `{id}`, whichever it turned out to be."""
    if album:
        return f"a/{local_id}"
    if not link.ext:
        return local_id
    ext = link.ext
    # WebM is one more encoding Imgur offered of its MP4s; here the MP4 is the one there is.
    if ext == "webm" and local_ext != "webm":
        ext = "mp4"
    return f"{local_id}{link.suffix}.{ext}"
