"""What the image pages and link previews show of one image: its links, the picture drawn on the page, the
still and the video that Open Graph and oEmbed announce, and the texts people paste elsewhere.

Thumbnail sizes follow the link scheme (/{id}t.jpg ... /{id}h.jpg fit inside a box, never upscaled), so a
page can give every picture its width and height without fetching it."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import NamedTuple

from imghost.domain.images.model import Image
from imghost.web import templating

BOXES = {"t": 160, "m": 320, "l": 640, "h": 1024}
# Originals a preview may point at: formats every link unfurler draws, and small enough for all of
# them (some refuse images over 5 MB). Anything else is previewed by its `h` thumbnail, a JPEG.
_PREVIEW_TYPES = {"image/jpeg", "image/png", "image/gif"}
_PREVIEW_MAX_BYTES = 5 * 1024 * 1024


class Picture(NamedTuple):
    url: str
    width: int
    height: int


def fitted(width: int, height: int, box: int) -> tuple[int, int]:
    scale = min(1.0, box / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _one_line(text: str | None, limit: int) -> str:
    return " ".join((text or "").split())[:limit]


@dataclass(frozen=True, slots=True)
class Shown:
    image: Image
    base: str  # the public URL: links meant to leave the page are absolute

    @property
    def video(self) -> bool:
        """Shown as a video: MP4 and other videos, and animations (served as MP4 too)."""
        return self.image.has_mp4 or self.image.is_video

    @property
    def title(self) -> str:
        return self.image.title or f"Image {self.image.id}"

    @property
    def alt(self) -> str:
        return _one_line(self.image.title or self.image.description, 300) or f"Image {self.image.id}"

    @property
    def summary(self) -> str:
        return _one_line(self.image.description, 300)

    @property
    def page(self) -> str:
        return f"{self.base}/{self.image.id}"

    @property
    def direct(self) -> str:
        return f"{self.base}/{self.image.id}.{self.image.ext}"

    @property
    def mp4(self) -> str:
        return f"{self.base}/{self.image.id}.mp4" if self.image.has_mp4 else self.direct

    @property
    def video_src(self) -> str:
        """The video as the page loads it: a path on this site, which its policy allows."""
        return self.mp4.removeprefix(self.base)

    @property
    def video_type(self) -> str:
        return "video/mp4" if self.image.has_mp4 else self.image.mime

    @property
    def secure(self) -> bool:
        return self.base.startswith("https:")

    def thumb(self, suffix: str, *, absolute: bool = False) -> Picture:
        w, h = fitted(self.image.width, self.image.height, BOXES[suffix])
        return Picture(f"{self.base if absolute else ''}/{self.image.id}{suffix}.jpg", w, h)

    @property
    def on_page(self) -> Picture:
        """What the page draws (or a video's poster): the original when it fits the `l` box, else `l`."""
        i = self.image
        if not self.video and max(i.width, i.height) <= BOXES["l"]:
            return Picture(f"/{i.id}.{i.ext}", i.width, i.height)
        return self.thumb("l")

    @property
    def preview(self) -> Picture:
        """The still link previews show: the original itself where every unfurler can take it."""
        i = self.image
        if not self.video and i.mime in _PREVIEW_TYPES and i.size <= _PREVIEW_MAX_BYTES:
            return Picture(self.direct, i.width, i.height)
        return self.thumb("h", absolute=True)

    def fitting(self, max_width: int | None, max_height: int | None) -> Picture:
        """The largest picture of this image within the bounds an oEmbed consumer asked for (the smallest
        thumbnail when none fits)."""
        options = [] if self.video else [Picture(self.direct, self.image.width, self.image.height)]
        options += [self.thumb(s, absolute=True) for s in ("h", "l", "m", "t")]
        for p in options:
            if (max_width is None or p.width <= max_width) and (max_height is None or p.height <= max_height):
                return p
        return options[-1]

    def copies(self, *, owner: bool) -> list[tuple[str, str, str]]:
        """(field id, label, text) of the copy fields: the ways people paste an image elsewhere."""
        i = self.image
        size = f'width="{i.width}" height="{i.height}"'
        if self.video:
            embed = f'<video src="{html.escape(self.mp4)}" {size} autoplay muted loop playsinline></video>'
        else:
            embed = f'<img src="{html.escape(self.direct)}" alt="{html.escape(self.alt)}" {size}>'
        markdown_alt = self.alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        out = [("copy-direct", "Direct link", self.direct)]
        if i.has_mp4 and self.mp4 != self.direct:
            out.append(("copy-mp4", "MP4 link", self.mp4))
        out += [
            ("copy-markdown", "Markdown", f"![{markdown_alt}]({self.direct})"),
            ("copy-bbcode", "BBCode", f"[img]{self.direct}[/img]"),
            ("copy-html", "HTML embed", embed),
            ("copy-page", "Page link", self.page),
        ]
        if owner:
            out.append(("copy-delete", "Delete link", f"{self.base}/delete/{i.deletehash}"))
        return out


def media_preview(image: Image, base: str) -> Picture:
    """The preview still of an image (an album's cover) for templates: _preview.html's album_preview."""
    return Shown(image, base).preview


# A template global rather than a value handed in: album pages call album_preview with only the cover.
templating.env.globals["media_preview"] = media_preview
