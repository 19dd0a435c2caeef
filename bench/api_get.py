"""api_get: `GET /3/image/{id}` requests per second vs a FastAPI hello-world on the same ASGI server.

imghost's route does the real work of an API call: Client-ID authentication, rate-limit accounting
(on, with budgets too large to run out), the image lookup and the Imgur JSON envelope. The reference is
`@app.get("/")` returning a dict, under granian with the same flags (1 worker, uvloop, no websockets).
Both get `wrk -t1 -c50 -d{duration}s`. Target: imghost >= 40 % of the hello-world rate."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from common import Context, RefServer, log, small_jpeg, throughput_result, upload, vary_jpeg, wrk

NAME = "api_get"
MIN_RATIO = 0.40
TARGET = ">= 0.40x hello-world"


def run(ctx: Context) -> dict[str, Any]:
    im = ctx.imghost
    with httpx.Client(timeout=60) as http:
        info = upload(http, im.url, ctx.client_id, vary_jpeg(small_jpeg(), uuid.uuid4().hex), "api.jpg")
        path = f"/3/image/{info['id']}"
        r = http.get(im.url + path, headers=ctx.auth)
        if r.status_code != 200 or r.json()["data"]["id"] != info["id"]:
            raise RuntimeError(f"GET {path}: HTTP {r.status_code} {r.text[:200]}")
        log(
            f"    imghost response {len(r.content)} B; rate-limit headers: "
            f"{r.headers.get('x-ratelimit-userremaining', '?')} user credits left"
        )
    header = [f"Authorization: Client-ID {ctx.client_id}"]

    ref = RefServer("ref_hello:app", ctx.tmp).start()
    try:
        targets = {"imghost": (im.url + path, header), "hello-world": (ref.url + "/", [])}
        for url, hdr in targets.values():
            wrk(url, 1, headers=hdr)  # warm-up
        runs: dict[str, list[dict[str, Any]]] = {k: [] for k in targets}
        for rnd in range(ctx.rounds):
            order = list(targets) if rnd % 2 == 0 else list(reversed(targets))
            for side in order:
                url, hdr = targets[side]
                runs[side].append(wrk(url, ctx.duration, headers=hdr))
    finally:
        ref.stop()
    res = throughput_result(
        "GET /3/image/{id}", runs["imghost"], runs["hello-world"], "FastAPI hello-world", MIN_RATIO, TARGET
    )
    return {"name": NAME, "results": {"image_info": res}}
