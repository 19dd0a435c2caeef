"""Test data of the image page and link preview tests."""

from __future__ import annotations

import io

from PIL import Image

HOSTILE = "<script>alert(1)</script>"


def gif_bytes(seed: int, w: int = 160, h: int = 120, frames: int = 4) -> bytes:
    """An animated GIF of its own (the seed colours every frame), which the server turns into an MP4."""
    images = [
        Image.new("RGB", (w, h), ((seed * 37 + i * 60) % 256, (seed * 11) % 256, (i * 50) % 256))
        for i in range(frames)
    ]
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=120, loop=0)
    return out.getvalue()
