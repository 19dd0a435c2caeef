from __future__ import annotations

import io

from PIL import Image

IMAGE_KEYS = {
    "id", "title", "description", "datetime", "type", "animated", "width", "height", "size", "views", "bandwidth",
    "vote", "favorite", "nsfw", "section", "account_url", "account_id", "is_ad", "in_most_viral", "has_sound",
    "tags", "ad_type", "ad_url", "edited", "in_gallery", "deletehash", "name", "link", "mp4", "hls",
}
ANIMATED_KEYS = {"gifv", "mp4_size", "looping"}


def jpeg_bytes(w: int = 64, h: int = 48, color: tuple[int, int, int] = (200, 30, 30), **save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (w, h), color).save(out, "JPEG", **save)
    return out.getvalue()


def png_bytes(w: int = 40, h: int = 30, color: tuple[int, ...] = (10, 120, 200, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (w, h), color).save(out, "PNG")
    return out.getvalue()


def unique_jpeg(seed: int, w: int = 64, h: int = 48) -> bytes:
    """Different content each call: deduplication must not hide what a test looks for."""
    return jpeg_bytes(w, h, ((seed * 37) % 256, (seed * 91) % 256, (seed * 53) % 256))


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
