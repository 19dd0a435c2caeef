"""The gallery's web pages against `GET /3/image/{id}` on the same server, for a signed-out visitor.

    python bench/gallery_pages.py [--posts 2000] [--comments 200] [--duration 5] [--rounds 3] [--keep DIR]

One server on a gallery of --posts posts seeded by bench/gallery_seed.py; one post is given --comments
comments through the API (a third of them replies). Then `/gallery` (the hot tab's first page) and that
post's page `/gallery/{id}` each get `wrk -t1 -c50` as a browser asks (gzip, text/html, the visitor's
CSRF cookie from a first visit), alternating in rounds with `GET /3/image/{id}` of a seeded image (the
order flipped every round); the figure is the median of each. Target (issue 16): each page >= 0.5x
the API call's requests per second. The output says "meets target" or "below target", never a
failing exit."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from common import (
    OUT_DIR,
    install_signal_handlers,
    log,
    make_tmp,
    median,
    rmtree,
    stop_all,
    throughput_result,
)
from gallery import Gallery, run_wrk

MIN_RATIO = 0.50
TARGET = ">= 0.50x GET /3/image/{id}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--posts", type=int, default=2000, help="posts in the gallery")
    p.add_argument("--comments", type=int, default=200, help="comments on the measured post")
    p.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seed", type=int, default=16)
    p.add_argument("--out", type=Path, help="JSON results (default bench/out/gallery-pages-<time>.json)")
    p.add_argument(
        "--keep",
        type=Path,
        help="seed into this directory and keep it (the same as bench/gallery.py --keep: a gallery seeded"
        " there by either, with the same --posts and --seed, is reused; the comments are added once)",
    )
    return p.parse_args(argv)


def comment_on(g: Gallery, post_id: str, count: int) -> None:
    """count comments on the post from the seeded accounts, a third of them replies."""
    made: list[int] = []
    with httpx.Client(timeout=60) as http:
        for n in range(count):
            token = g.seeded.tokens[n % len(g.seeded.tokens)]["access_token"]
            form = {"image_id": post_id, "comment": f"Comment number {n} on this post, a few words long."}
            if made and n % 3 == 2:
                form["parent_id"] = str(made[n // 2])
            r = http.post(f"{g.url}/3/comment", data=form, headers={"Authorization": f"Bearer {token}"})
            if r.status_code != 200:
                raise RuntimeError(f"POST /3/comment: HTTP {r.status_code} {r.text[:300]}")
            made.append(int(r.json()["data"]["id"]))


def browser_headers(url: str, must_show: str) -> list[str]:
    """What a browser sends on its second page: gzip, HTML, and the visitor cookie the first one set."""
    with httpx.Client(timeout=60) as http:
        first = http.get(url, headers={"Accept-Encoding": "gzip", "Accept": "text/html"})
        if first.status_code != 200 or must_show not in first.text:
            raise RuntimeError(f"GET {url}: HTTP {first.status_code}, without {must_show!r}")
        log(f"    {url}: {len(first.content):,} B, {first.num_bytes_downloaded:,} B on the wire")
    cookie = "; ".join(f"{k}={v}" for k, v in first.cookies.items())
    return ["Accept-Encoding: gzip", "Accept: text/html"] + ([f"Cookie: {cookie}"] if cookie else [])


def measure(g: Gallery, post_id: str, args: argparse.Namespace) -> dict[str, Any]:
    image = g.seeded.image_sample[0]
    targets = {
        "api": (f"{g.url}/3/image/{image}", g.auth),
        "gallery": (f"{g.url}/gallery", browser_headers(f"{g.url}/gallery", 'class="post-card"')),
        "post": (
            f"{g.url}/gallery/{post_id}",
            browser_headers(
                f"{g.url}/gallery/{post_id}", f'<span id="comment-count">{args.comments:,}</span>'
            ),
        ),
    }
    for url, hdr in targets.values():
        run_wrk(url, 1, headers=hdr)  # warm-up
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in targets}
    for rnd in range(args.rounds):
        order = list(targets) if rnd % 2 == 0 else list(reversed(targets))
        for key in order:
            url, hdr = targets[key]
            runs[key].append(run_wrk(url, args.duration, headers=hdr))
        log(f"    round {rnd + 1}: " + ", ".join(f"{k} {runs[k][-1]['rps']:,.0f}" for k in targets))
    return {
        "gallery": throughput_result(
            "GET /gallery", runs["gallery"], runs["api"], "GET /3/image/{id}", MIN_RATIO, TARGET
        ),
        "post": throughput_result(
            f"GET /gallery/{{id}} ({args.comments} comments)",
            runs["post"],
            runs["api"],
            "GET /3/image/{id}",
            MIN_RATIO,
            TARGET,
        ),
        "medians": {k: median([r["rps"] for r in v]) for k, v in runs.items()},
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    install_signal_handlers()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    tmp = make_tmp("imghost-gallery-pages.")
    os.chmod(tmp, 0o755)
    t0 = time.monotonic()
    started = dt.datetime.now()
    out: dict[str, Any] = {}
    try:
        with contextlib.ExitStack() as stack:
            home = args.keep / f"gallery-{args.posts}-seed{args.seed}" if args.keep else tmp / "gallery"
            g = Gallery(f"{args.posts}", args.posts, home, {})
            stack.callback(g.stop)
            asyncio.run(g.seed(args.seed, ""))
            g.start()
            post_id = g.seeded.image_sample[0]
            done = home / f"comments-{post_id}-{args.comments}.done"
            if done.exists():
                log(f"--- {args.comments} comments on /gallery/{post_id} added before (--keep)")
            else:
                log(f"--- {args.comments} comments on /gallery/{post_id}")
                comment_on(g, post_id, args.comments)
                if args.keep:
                    done.touch()
            out = measure(g, post_id, args)
    finally:
        stop_all()
        rmtree(tmp)
        path = args.out or OUT_DIR / f"gallery-pages-{started:%Y%m%d-%H%M%S}.json"
        report = {"args": {k: str(v) for k, v in vars(args).items()}, "cpus": os.cpu_count(), **out}
        path.write_text(json.dumps(report, indent=1, default=str))
    log(
        f"\n=== gallery pages: {args.posts:,} posts, a post of {args.comments} comments, "
        f"{time.monotonic() - t0:.0f} s, wrk -c50 -d{args.duration:g}s, {args.rounds} rounds ==="
    )
    for key in ("gallery", "post"):
        res = out[key]
        log(
            f"{res['metric']}: {res['imghost']:,.0f} req/s vs {res['reference']:,.0f} req/s "
            f"({res['reference_name']}): ratio {res['ratio']:.2f} (target {res['target']})"
        )
    log(f"\nraw results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
