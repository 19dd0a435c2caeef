from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx
from PIL import Image, ImageDraw

if TYPE_CHECKING:
    from tests.live import LiveServer

IMAGE_KEYS = {
    "id",
    "title",
    "description",
    "datetime",
    "type",
    "animated",
    "width",
    "height",
    "size",
    "views",
    "bandwidth",
    "vote",
    "favorite",
    "nsfw",
    "section",
    "account_url",
    "account_id",
    "is_ad",
    "in_most_viral",
    "has_sound",
    "tags",
    "ad_type",
    "ad_url",
    "edited",
    "in_gallery",
    "deletehash",
    "name",
    "link",
    "mp4",
    "hls",
}
ANIMATED_KEYS = {"gifv", "mp4_size", "looping"}


def jpeg_bytes(
    w: int = 64, h: int = 48, color: tuple[int, int, int] = (200, 30, 30), **save: object
) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (w, h), color).save(out, "JPEG", **save)
    return out.getvalue()


def png_bytes(w: int = 40, h: int = 30, color: tuple[int, ...] = (10, 120, 200, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (w, h), color).save(out, "PNG")
    return out.getvalue()


def unique_jpeg(seed: int, w: int = 64, h: int = 48) -> bytes:
    """Different pixels for every seed, the same bytes for the same seed: deduplication must not hide what a
    test looks for. Each bit of the seed (at least 32 of them) is a black or white block, row by row from the
    top left, over a background coloured from the seed; blocks are 8x8 (a JPEG's own blocks) where they fit
    and smaller on small images. The difference is in the pixels, so stripping metadata cannot erase it."""
    if seed < 0:
        raise ValueError("seeds are non-negative")
    bits = max(32, seed.bit_length())
    block = next((b for b in (8, 4, 2, 1) if (w // b) * (h // b) >= bits), 0)
    if not block:
        raise ValueError(f"{w}x{h} has too few pixels for {bits} bits")
    background = hashlib.sha256(seed.to_bytes((bits + 7) // 8, "big")).digest()[:3]
    im = Image.new("RGB", (w, h), tuple(background))
    draw = ImageDraw.Draw(im)
    cols = w // block
    for bit in range(bits):
        x, y = bit % cols * block, bit // cols * block
        colour = (255, 255, 255) if seed >> bit & 1 else (0, 0, 0)
        draw.rectangle((x, y, x + block - 1, y + block - 1), fill=colour)
    out = io.BytesIO()
    im.save(out, "JPEG")
    return out.getvalue()


def unique_png(w: int = 24, h: int = 16) -> bytes:
    """Random pixels: no two calls share stored bytes, so deduplication never hides a file."""
    out = io.BytesIO()
    Image.frombytes("RGB", (w, h), secrets.token_bytes(w * h * 3)).save(out, "PNG")
    return out.getvalue()


def upload(
    via: httpx.Client | LiveServer,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    *,
    filename: str | None = None,
    **fields: str,
) -> dict[str, Any]:
    """POST /3/upload as a multipart form and return the upload's data, checked to be a success.

    `via` is a client (its base URL and default headers apply) or a server (one request of its own);
    `headers` are added to this request (who is uploading). Without a body, random pixels that nothing
    else shares. The file is named pic.jpg or pic.png after what the body is, unless `filename` says
    otherwise; `fields` are the other form fields (title, album, name, ...)."""
    data = body if body is not None else unique_png()
    kind = "jpg" if data[:2] == b"\xff\xd8" else "png" if data[:4] == b"\x89PNG" else "bin"
    name = filename or f"pic.{kind}"
    files = {"image": (name, data)}
    if isinstance(via, httpx.Client):
        r = via.post("/3/upload", headers=headers, files=files, data=fields)
    else:
        r = httpx.post(f"{via.url}/3/upload", headers=headers, files=files, data=fields, timeout=60)
    return envelope_ok(r)


def envelope_ok(r: object) -> dict:
    body = r.json()  # type: ignore[attr-defined]
    assert r.status_code == 200, body  # type: ignore[attr-defined]
    assert body["success"] is True and body["status"] == 200
    assert set(body) == {"data", "success", "status"}
    return body["data"]


def envelope_error(r: object, status: int) -> dict:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    assert r.headers["content-type"].startswith("application/json")  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    assert body["success"] is False and body["status"] == status
    assert set(body["data"]) == {"error", "request", "method"}
    return body["data"]
