"""thumbnail: cold `m` (320 px box) thumbnail of a 12-megapixel JPEG.

imghost: upload a never-seen variant of the photo (untimed), then time the first `GET /{id}m.jpg`, which
renders the thumbnail, stores it and returns it. The reference is the fastest single library call doing that
resize in the benchmark process, from a file of the same bytes:
  Pillow  Image.open(path); im.draft("RGB", (320, 320)); im.thumbnail((320, 320)); save JPEG q85
  pyvips  Image.thumbnail(path, 320).write_to_buffer(".jpg", Q=85)   (libvips operation cache off)
whichever has the lower median. Target: imghost median <= 1.3x the reference median."""

from __future__ import annotations

import time
import uuid
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
from common import Context, latency_result, log, median, upload, vary_jpeg

NAME = "thumbnail"
MAX_RATIO = 1.3
TARGET = "<= 1.3x fastest library call"
WARMUP = 1
BOX = 320


def pillow_thumb(path: Path) -> bytes:
    from PIL import Image

    with Image.open(path) as im:
        im.draft("RGB", (BOX, BOX))
        im.thumbnail((BOX, BOX))
        out = BytesIO()
        im.save(out, "JPEG", quality=85)
        return out.getvalue()


def vips_thumb(path: Path) -> bytes:
    import pyvips

    return bytes(pyvips.Image.thumbnail(str(path), BOX).write_to_buffer(".jpg", Q=85))


def _time(fn: Any, *args: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn(*args)
    return (time.perf_counter() - t0) * 1000, out


def run(ctx: Context) -> dict[str, Any]:
    import pyvips

    pyvips.cache_set_max(0)  # each call must decode the file, as a cold render does
    im = ctx.imghost
    base = ctx.photo12mp.read_bytes()
    work = ctx.tmp / f"thumb-{ctx.config}"
    work.mkdir(parents=True, exist_ok=True)
    times: dict[str, list[float]] = {"imghost": [], "pillow": [], "pyvips": []}
    sizes: dict[str, int] = {}
    with httpx.Client(timeout=120) as http:
        for i in range(WARMUP + ctx.samples):
            data = vary_jpeg(base, uuid.uuid4().hex)
            src = work / f"src-{i}.jpg"
            src.write_bytes(data)
            iid = upload(http, im.url, ctx.client_id, data, "photo12mp.jpg")["id"]

            def imghost_get(image_id: str = iid) -> bytes:
                r = http.get(f"{im.url}/{image_id}m.jpg")
                if r.status_code != 200 or r.headers.get("content-type") != "image/jpeg":
                    raise RuntimeError(f"GET /{image_id}m.jpg: HTTP {r.status_code}")
                return r.content

            steps = [
                ("imghost", imghost_get, ()),
                ("pillow", pillow_thumb, (src,)),
                ("pyvips", vips_thumb, (src,)),
            ]
            if i % 2:
                steps.reverse()
            for side, fn, args in steps:
                dt, out = _time(fn, *args)
                sizes[side] = len(out)
                if i >= WARMUP:
                    times[side].append(dt)
            src.unlink()
    ref_name = min(("pillow", "pyvips"), key=lambda k: median(times[k]))
    log(
        f"    thumbnail bytes: imghost {sizes['imghost']:,}, pillow {sizes['pillow']:,}, "
        f"pyvips {sizes['pyvips']:,}; medians: pillow {median(times['pillow']):.1f} ms, "
        f"pyvips {median(times['pyvips']):.1f} ms"
    )
    res = latency_result(
        "cold GET /{id}m.jpg of 12 MP JPEG",
        times["imghost"],
        times[ref_name],
        f"{ref_name} in-process",
        MAX_RATIO,
        TARGET,
        {
            "pillow_ms": times["pillow"],
            "pyvips_ms": times["pyvips"],
            "pillow_median": median(times["pillow"]),
            "pyvips_median": median(times["pyvips"]),
        },
    )
    return {"name": NAME, "results": {"cold_thumb_m": res}}
