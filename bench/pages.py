"""pages: the image page `/{id}` requests per second vs `GET /3/image/{id}` on the same server, same run.

Both answer from the same services: the page renders the layout and the Jinja2 template (and compresses
it, as a browser asks), the API call authenticates, charges credits and builds the JSON envelope. Both
get `wrk -t1 -c50 -d{duration}s`, alternating. Target: the page >= 50 % of the API call's rate."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from common import Context, log, small_jpeg, throughput_result, upload, vary_jpeg, wrk

NAME = "pages"
MIN_RATIO = 0.50
TARGET = ">= 0.50x GET /3/image/{id}"


def run(ctx: Context) -> dict[str, Any]:
    im = ctx.imghost
    with httpx.Client(timeout=60) as http:
        info = upload(http, im.url, ctx.client_id, vary_jpeg(small_jpeg(), uuid.uuid4().hex), "page.jpg")
        page = http.get(f"{im.url}/{info['id']}", headers={"Accept-Encoding": "gzip"})
        if page.status_code != 200 or info["id"] not in page.text:
            raise RuntimeError(f"GET /{info['id']}: HTTP {page.status_code}")
        log(f"    image page {len(page.content)} B decoded, {page.num_bytes_downloaded} B on the wire")
    api = [f"Authorization: Client-ID {ctx.client_id}"]
    # What a browser sends: the visitor cookie comes back after the first page, and gzip is accepted.
    cookie = "; ".join(f"{k}={v}" for k, v in page.cookies.items())
    browser = ["Accept-Encoding: gzip", "Accept: text/html"] + ([f"Cookie: {cookie}"] if cookie else [])
    targets = {
        "image page": (f"{im.url}/{info['id']}", browser),
        "api": (f"{im.url}/3/image/{info['id']}", api),
    }
    for url, hdr in targets.values():
        wrk(url, 1, headers=hdr)  # warm-up
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in targets}
    for rnd in range(ctx.rounds):
        order = list(targets) if rnd % 2 == 0 else list(reversed(targets))
        for side in order:
            url, hdr = targets[side]
            runs[side].append(wrk(url, ctx.duration, headers=hdr))
    res = throughput_result(
        "GET /{id} (image page)", runs["image page"], runs["api"], "GET /3/image/{id}", MIN_RATIO, TARGET
    )
    return {"name": NAME, "results": {"image_page": res}}
