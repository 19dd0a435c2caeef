"""The gallery at scale: listings, search and votes against `GET /3/image/{id}` on the same server.

    python bench/gallery.py --config embedded|scaleout --posts N [--small 10000] [--duration 5]
                            [--rounds 3] [--samples 40]

Two servers run side by side, one on a gallery of --small posts and one on --posts posts, both seeded
by bench/gallery_seed.py (the rows the service writes). Every wrk run alternates with the others in
rounds (the order flipped every round), and every latency sample is interleaved with its comparison.
Targets (issue 16), as ratios; the output says "meets target" or "below target", never a failing exit:

- listings (hot/viral/day, top/top/week, user/time; page 0 and page 1000) >= 0.5x the requests/s of
  GET /3/image/{id} on the same server; page 1000 costs <= 1.5x page 0; the large gallery costs <= 1.5x
  the small one (cost = 1 / requests per second, the server's time per request under load);
- search (one word, two words with AND, tag:) each <= 3x the latency of a listing page (sequential
  requests), when the server has a search route (it is skipped with a note otherwise);
- votes: 50 voters (50 wrk threads, one connection and one account token each) on random posts sustain
  >= 0.25x the GET /3/image/{id} rate; and with the voters paced at exactly that rate, a listing page's
  latency stays within 1.5x of its idle latency (both sampled alike: one request, then 20 ms of pause)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import re
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from common import (
    OUT_DIR,
    CpuMeter,
    Imghost,
    install_signal_handlers,
    latency_result,
    log,
    make_tmp,
    median,
    rmtree,
    stop_all,
    throughput_result,
    verdict,
)
from gallery_seed import Plan, Seeded, load

LISTINGS = ("hot/viral/day", "top/top/week", "user/time")
DEEP_PAGE = 1000
LISTING_MIN = 0.50
PAGE_MAX = 1.5
SCALE_MAX = 1.5
SEARCH_MAX = 3.0
VOTE_MIN = 0.25
VOTE_LATENCY_MAX = 1.5
VOTERS = 50


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", choices=("embedded", "scaleout"), default="embedded")
    p.add_argument("--posts", type=int, default=1_000_000, help="posts in the large gallery")
    p.add_argument("--small", type=int, default=10_000, help="posts in the small gallery (scale comparison)")
    p.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--samples", type=int, default=40, help="latency samples per side")
    p.add_argument("--seed", type=int, default=16)
    p.add_argument("--only", default="listings,search,votes", help="comma-separated phases to run")
    p.add_argument("--out", type=Path, help="JSON results (default bench/out/gallery-<time>.json)")
    p.add_argument(
        "--keep",
        type=Path,
        help="embedded: seed into this directory and keep it; a later run with the same --keep, --posts"
        " and --seed reuses the galleries (with the votes earlier runs added, and older share times)",
    )
    return p.parse_args(argv)


# ------------------------------------------------------------------------------------------- servers


class Gallery:
    """One seeded database and the `imghost serve` on it."""

    def __init__(self, name: str, posts: int, workdir: Path, base_env: dict[str, str]) -> None:
        self.name, self.posts, self.workdir, self.base_env = name, posts, workdir, base_env
        self.server: Imghost | None = None
        self.seeded = Seeded()
        self.env: dict[str, str] = {}

    async def seed(self, seed: int, pg_admin: str) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        data = self.workdir / "imghost-data"  # where common.Imghost puts its data dir
        kept = self.workdir / "seeded.json"
        if kept.exists() and not pg_admin:
            self.seeded = Seeded.from_json(json.loads(kept.read_text()))
            log(f"--- {self.posts:,} posts seeded before, at {self.seeded.now} (--keep): reused")
            return
        env = dict(self.base_env)
        database_url = ""
        if pg_admin:
            database_url = await _create_database(pg_admin, f"gallery_{self.name}")
            env["IMGHOST_DATABASE_URL"] = database_url
            env["IMGHOST_STORAGE_URL"] = f"{env['IMGHOST_STORAGE_URL'].rstrip('/')}-{self.name}"
            env["IMGHOST_REDIS_PREFIX"] = f"gallery-{self.name}:"
        self.env = env
        log(f"--- seeding {self.posts:,} posts ({self.name})")
        self.seeded = await load(
            Plan(posts=self.posts, seed=seed, voters=VOTERS),
            data_dir=data,
            database_url=database_url,
            settings=env,
        )
        kept.write_text(json.dumps(self.seeded.json()))
        kept.chmod(0o600)

    def start(self) -> None:
        self.server = Imghost(self.workdir, self.env)
        self.server.start()
        log(f"    {self.name}: imghost on {self.server.url}")

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    @property
    def auth(self) -> list[str]:
        return [f"Authorization: Client-ID {self.seeded.client_id}"]

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


async def _create_database(admin_url: str, name: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


# ------------------------------------------------------------------------------------------ wrk + lua


def run_wrk(
    url: str,
    duration: float,
    *,
    headers: Sequence[str] = (),
    script: Path | None = None,
    threads: int = 1,
    connections: int = 50,
) -> dict[str, Any]:
    """One wrk run (as common.wrk, plus a script, and a 30 s request timeout: a slow page's requests
    then count when they finish rather than vanish as timeouts)."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s", "--timeout", "30s"]
    for h in headers:
        cmd += ["-H", h]
    if script is not None:
        cmd += ["-s", str(script)]
    cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 90)
    text = out.stdout
    if out.returncode != 0 or "Requests/sec" not in text:
        raise RuntimeError(f"wrk failed ({out.returncode}): {text[-1000:]} {out.stderr[-1000:]}")
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    s = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    drain(url)
    return {
        "rps": float(rps.group(1)) if rps else float("nan"),
        "connections": connections,
        "non_2xx": int(m.group(1)) if m else 0,
        "socket_errors": sum(int(x) for x in s.groups()) if s else 0,
    }


def drain(url: str, limit: float = 120.0) -> None:
    """Wait for the server to finish what wrk left in flight (its one event loop answers requests in
    turn, those of closed connections included), so that no run pays for the one before."""
    base = str(httpx.URL(url).copy_with(path="/healthz", query=None))
    end = time.monotonic() + limit
    with httpx.Client(timeout=limit) as http:
        while time.monotonic() < end:
            t0 = time.perf_counter()
            http.get(base)
            if time.perf_counter() - t0 < 0.02:
                return
            time.sleep(0.1)


# Paced voters keep a timetable: each thread sends at start + k * pace (plus a random phase), so that
# slow answers do not lower the rate asked for (a thread that fell behind sends at once until it has
# caught up). The wall clock comes from clock_gettime through LuaJIT's ffi: wrk's Lua has none.
PACED = """
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } bench_ts; int clock_gettime(int, bench_ts *); ]]
local ts = ffi.new("bench_ts")
local function now_ms()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local next_at
function delay()
  local t = now_ms()
  if next_at == nil then next_at = t + math.random() * PACE end
  local wait = next_at - t
  next_at = next_at + PACE
  if wait < 1 then return 0 end
  return math.floor(wait)
end
"""


def vote_script(path: Path, seeded: Seeded, pace_ms: float | None) -> Path:
    """One account per wrk thread (setup numbers the threads), votes up or down on random posts."""
    tokens = ", ".join(json.dumps(t["access_token"]) for t in seeded.tokens[:VOTERS])
    posts = ", ".join(json.dumps(p) for p in seeded.post_sample)
    paced = f"local PACE = {pace_ms:.3f}\n{PACED}" if pace_ms else ""
    path.write_text(
        f"local tokens = {{{tokens}}}\n"
        f"local posts = {{{posts}}}\n"
        "local counter = 0\n"
        "function setup(thread)\n  thread:set('slot', counter)\n  counter = counter + 1\nend\n"
        "local auth\n"
        "function init(args)\n  auth = 'Bearer ' .. tokens[(slot % #tokens) + 1]\n"
        "  math.randomseed(7919 * (slot + 1))\nend\n"
        f"{paced}"
        "function request()\n"
        "  local dir = 'up'\n  if math.random() < 0.2 then dir = 'down' end\n"
        "  local path = '/3/gallery/' .. posts[math.random(#posts)] .. '/vote/' .. dir\n"
        "  return wrk.format('POST', path, {['Authorization'] = auth, ['Content-Length'] = '0'}, '')\n"
        "end\n"
    )
    return path


# ------------------------------------------------------------------------------------------ latency


def sample_latency(client: httpx.Client, url: str, headers: dict[str, str]) -> float:
    t0 = time.perf_counter()
    r = client.get(url, headers=headers)
    ms = (time.perf_counter() - t0) * 1000
    if r.status_code != 200:
        raise RuntimeError(f"GET {url}: HTTP {r.status_code} {r.text[:200]}")
    return ms


def interleaved(urls: dict[str, str], headers: dict[str, str], samples: int) -> dict[str, list[float]]:
    """Sequential samples, one per URL in turn, the order flipped every time."""
    out: dict[str, list[float]] = {k: [] for k in urls}
    with httpx.Client(timeout=60) as client:
        for url in urls.values():
            for _ in range(3):
                sample_latency(client, url, headers)
        for n in range(samples):
            order = list(urls) if n % 2 == 0 else list(reversed(urls))
            for k in order:
                out[k].append(sample_latency(client, urls[k], headers))
    return out


# ------------------------------------------------------------------------------------------ phases


def listings(large: Gallery, small: Gallery | None, args: argparse.Namespace) -> dict[str, Any]:
    """Throughput of every listing page and of GET /3/image/{id}, on both servers, in alternating rounds."""
    targets: dict[str, tuple[str, list[str]]] = {}
    for g in (large, small):
        if g is None:
            continue
        image = g.seeded.image_sample[0]
        targets[f"{g.name} image"] = (f"{g.url}/3/image/{image}", g.auth)
        for path in LISTINGS:
            for page in (0, DEEP_PAGE) if g is large else (0,):
                targets[f"{g.name} {path}/{page}"] = (f"{g.url}/3/gallery/{path}/{page}", g.auth)
    # A request taking L ms alone gets min(50, 1 s / L) connections: enough to keep the server busy all
    # the time (requests per second at saturation do not depend on the number waiting), few enough
    # that what is left in flight at the end of a run is at most about a second of work.
    conns: dict[str, int] = {}
    alone: dict[str, float] = {}
    with httpx.Client(timeout=120) as http:
        for key, (url, hdr) in targets.items():
            headers = dict(h.split(": ", 1) for h in hdr)
            r = http.get(url, headers=headers)
            body = r.json()
            n = len(body["data"]) if isinstance(body.get("data"), list) else "-"
            if r.status_code != 200:
                raise RuntimeError(f"{key}: HTTP {r.status_code}")
            alone[key] = median([sample_latency(http, url, headers) for _ in range(3)])
            conns[key] = max(2, min(50, int(1000 / max(alone[key], 1e-3))))
            log(
                f"    {key}: HTTP {r.status_code}, {len(r.content):,} B, {n} items, {alone[key]:.1f} ms alone,"
                f" {conns[key]} connections"
            )
    for key, (url, hdr) in targets.items():
        run_wrk(url, 1, headers=hdr, connections=conns[key])
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in targets}
    for rnd in range(args.rounds):
        order = list(targets) if rnd % 2 == 0 else list(reversed(targets))
        for key in order:
            url, hdr = targets[key]
            runs[key].append(run_wrk(url, args.duration, headers=hdr, connections=conns[key]))
        log(f"    round {rnd + 1}: " + ", ".join(f"{k} {runs[k][-1]['rps']:,.0f}" for k in targets))
    results: dict[str, Any] = {}
    rps = {k: median([r["rps"] for r in v]) for k, v in runs.items()}
    for g in (large, small):
        if g is None:
            continue
        ref = f"{g.name} image"
        for path in LISTINGS:
            for page in (0, DEEP_PAGE) if g is large else (0,):
                key = f"{g.name} {path}/{page}"
                results[f"rate {key}"] = throughput_result(
                    f"{g.name}: GET /3/gallery/{path}/{page}",
                    runs[key],
                    runs[ref],
                    "GET /3/image/{id}",
                    LISTING_MIN,
                    f">= {LISTING_MIN:.2f}x GET /3/image/{{id}}",
                )
    for path in LISTINGS:
        p0, p1 = rps[f"{large.name} {path}/0"], rps[f"{large.name} {path}/{DEEP_PAGE}"]
        results[f"deep {path}"] = _cost_ratio(
            f"{large.name}: {path} page {DEEP_PAGE} vs page 0", p1, p0, "page 0", PAGE_MAX
        )
        if small is not None:
            big, little = rps[f"{large.name} {path}/0"], rps[f"{small.name} {path}/0"]
            results[f"scale {path}"] = _cost_ratio(
                f"{path} page 0: {large.posts:,} vs {small.posts:,} posts",
                big,
                little,
                f"{small.name}",
                SCALE_MAX,
            )
    return {"results": results, "runs": runs, "alone_ms": alone}


def _cost_ratio(label: str, rps: float, ref_rps: float, ref_name: str, max_ratio: float) -> dict[str, Any]:
    """Cost = server time per request under load = 1 / (requests per second)."""
    cost = 1000 / rps if rps else float("inf")
    ref_cost = 1000 / ref_rps if ref_rps else float("inf")
    ratio = cost / ref_cost if ref_rps else float("nan")
    log(
        f"    {label}: {cost:.2f} ms vs {ref_cost:.2f} ms per request ({rps:,.0f} vs {ref_rps:,.0f} req/s), "
        f"ratio {ratio:.2f} (target <= {max_ratio:.1f}x) -> {verdict(ratio <= max_ratio)}"
    )
    return {
        "metric": label,
        "unit": "ms",
        "imghost": cost,
        "reference": ref_cost,
        "reference_name": ref_name,
        "ratio": ratio,
        "target": f"<= {max_ratio:.1f}x",
        "target_ratio": max_ratio,
        "higher_is_better": False,
        "meets_target": ratio <= max_ratio,
        "errors": 0,
    }


def search(large: Gallery, args: argparse.Namespace) -> dict[str, Any]:
    with httpx.Client(timeout=60) as http:
        spec = http.get(f"{large.url}/openapi.json").json()
    paths = [p for p in spec.get("paths", {}) if p.startswith("/3/gallery/search")]
    if not paths:
        log("    no /3/gallery/search route on this server yet: search skipped")
        return {"skipped": "no /3/gallery/search route", "results": {}}
    words = sorted(large.seeded.words.items(), key=lambda kv: abs(kv[1] - 0.01))
    one = words[0][0]
    pair = sorted(large.seeded.words.items(), key=lambda kv: abs(kv[1] - 0.05))[:2]
    tag = sorted(large.seeded.tags.items(), key=lambda kv: abs(kv[1] - 0.01))[0][0]
    queries = {"one word": one, "two words with AND": f"{pair[0][0]} AND {pair[1][0]}", "tag:": f"tag:{tag}"}
    log(
        f"    queries: {queries} (expected shares of posts: {one} {large.seeded.words[one]:.1%}, "
        f"{pair[0][0]} {pair[0][1]:.1%} and {pair[1][0]} {pair[1][1]:.1%}, tag {tag} {large.seeded.tags[tag]:.1%})"
    )
    hdr = {"Authorization": f"Client-ID {large.seeded.client_id}"}
    listing = f"{large.url}/3/gallery/hot/viral/day/0"
    results: dict[str, Any] = {}
    with httpx.Client(timeout=60) as http:
        for q in queries.values():
            r = http.get(f"{large.url}/3/gallery/search", params={"q": q}, headers=hdr)
            n = len(r.json().get("data") or []) if r.status_code == 200 else "-"
            log(f"    search {q!r}: HTTP {r.status_code}, {len(r.content):,} B, {n} items")
    for name, q in queries.items():
        url = str(httpx.URL(f"{large.url}/3/gallery/search", params={"q": q}))
        got = interleaved({"search": url, "listing": listing}, hdr, args.samples)
        results[name] = latency_result(
            f"search {name} (q={q})",
            got["search"],
            got["listing"],
            "GET /3/gallery/hot/viral/day/0",
            SEARCH_MAX,
            f"<= {SEARCH_MAX:.0f}x a listing page",
        )
    results.update(first_time(large, queries, hdr, listing, max(5, args.samples // 4)))
    return {"results": results, "queries": queries}


def first_time(
    large: Gallery, queries: dict[str, str], hdr: dict[str, str], listing: str, samples: int
) -> dict[str, Any]:
    """Each search the first time since the last write, against the listing the first time since the
    last write: before every sample a favourite is toggled (untimed), which moves the listing version,
    so neither answer can come from what the server keeps. What a search costs when it is new."""
    token = large.seeded.tokens[0]["access_token"]
    post = large.seeded.post_sample[0]
    voter = {"Authorization": f"Bearer {token}"}
    urls = {
        name: str(httpx.URL(f"{large.url}/3/gallery/search", params={"q": q})) for name, q in queries.items()
    }
    got: dict[str, list[float]] = {name: [] for name in urls} | {"listing": []}
    with httpx.Client(timeout=60) as http:
        for n in range(samples):
            order = [*urls, "listing"] if n % 2 == 0 else ["listing", *reversed(urls)]
            for key in order:
                r = http.post(f"{large.url}/3/gallery/{post}/favorite", headers=voter)
                if r.status_code != 200:
                    raise RuntimeError(f"favourite toggle: HTTP {r.status_code} {r.text[:200]}")
                got[key].append(sample_latency(http, urls.get(key, listing), hdr))
    return {
        f"first {name}": latency_result(
            f"search {name} (q={queries[name]}), first time since a write",
            got[name],
            got["listing"],
            "the listing, first time since a write",
            SEARCH_MAX,
            f"<= {SEARCH_MAX:.0f}x a listing page",
        )
        for name in urls
    }


def votes(large: Gallery, args: argparse.Namespace) -> dict[str, Any]:
    g = large
    if len(g.seeded.tokens) < VOTERS:
        raise RuntimeError(f"{len(g.seeded.tokens)} tokens seeded, {VOTERS} needed")
    free = vote_script(g.workdir / "votes.lua", g.seeded, None)
    image = f"{g.url}/3/image/{g.seeded.image_sample[0]}"
    # wrk's URL only names the server: the script makes every path.
    run_wrk(g.url, 1, script=free, threads=VOTERS, connections=VOTERS)
    run_wrk(image, 1, headers=g.auth)
    runs: dict[str, list[dict[str, Any]]] = {"votes": [], "image": []}
    for rnd in range(args.rounds):
        for side in ("votes", "image") if rnd % 2 == 0 else ("image", "votes"):
            if side == "votes":
                runs[side].append(
                    run_wrk(g.url, args.duration, script=free, threads=VOTERS, connections=VOTERS)
                )
            else:
                runs[side].append(run_wrk(image, args.duration, headers=g.auth))
    results = {
        "rate": throughput_result(
            f"{VOTERS} voters: POST /3/gallery/{{id}}/vote/up|down",
            runs["votes"],
            runs["image"],
            "GET /3/image/{id}",
            VOTE_MIN,
            f">= {VOTE_MIN:.2f}x GET /3/image/{{id}}",
        )
    }
    # Listing latency with the voters held at the target rate, against the same listing idle.
    target_rate = VOTE_MIN * median([r["rps"] for r in runs["image"]])
    pace_ms = VOTERS / target_rate * 1000
    paced = vote_script(g.workdir / "votes-paced.lua", g.seeded, pace_ms)
    listing = f"{g.url}/3/gallery/hot/viral/day/0"
    hdr = {"Authorization": f"Client-ID {g.seeded.client_id}"}
    idle: list[float] = []
    busy: list[float] = []
    loaded: list[dict[str, Any]] = []
    with httpx.Client(timeout=60) as http:
        for _ in range(3):
            sample_latency(http, listing, hdr)
        for _ in range(args.rounds):
            # Spaced as the samples under the storm are: a request after a 20 ms pause finds the server's
            # and the client's threads asleep and pays their wake-up (on this machine about 1.5 ms, more
            # than the listing itself), which back-to-back samples never do. Compared with back-to-back
            # idle samples, the storm's figure would mostly measure that difference.
            for _ in range(max(5, args.samples // args.rounds)):
                idle.append(sample_latency(http, listing, hdr))
                time.sleep(SPACING)
            box: dict[str, Any] = {}
            seconds = max(3.0, args.duration)
            th = threading.Thread(target=_paced_run, args=(box, g.url, seconds, paced))
            th.start()
            time.sleep(1.0)  # the voters ramp up
            end = time.monotonic() + seconds - 1.5
            while time.monotonic() < end:
                busy.append(sample_latency(http, listing, hdr))
                time.sleep(SPACING)
            th.join()
            loaded.append(box)
    vote_rate = median([r["rps"] for r in loaded])
    log(
        f"    paced voters: {vote_rate:,.0f} votes/s sustained (asked {target_rate:,.0f}/s = "
        f"{VOTE_MIN:.2f}x GET /3/image/{{id}}), {sum(r['non_2xx'] for r in loaded)} non-2xx"
    )
    results["listing under votes"] = latency_result(
        f"GET /3/gallery/hot/viral/day/0 with {vote_rate:,.0f} votes/s",
        busy,
        idle,
        "the same, idle",
        VOTE_LATENCY_MAX,
        f"<= {VOTE_LATENCY_MAX:.1f}x idle",
        extra={"votes_per_second": vote_rate, "asked_rate": target_rate, "paced_runs": loaded},
    )
    return {"results": results, "runs": runs}


SPACING = 0.02  # seconds between two latency samples of the vote phase, idle and under the storm alike


def _paced_run(box: dict[str, Any], url: str, seconds: float, script: Path) -> None:
    box.update(run_wrk(url, seconds, script=script, threads=VOTERS, connections=VOTERS))


# ------------------------------------------------------------------------------------------ main


def summary(report: dict[str, Any]) -> str:
    rows = [("phase", "metric", "measured", "reference", "ratio", "target", "result")]
    for phase, out in report["phases"].items():
        if out.get("error"):
            rows.append((phase, "ERROR", "", "", "", "", out["error"][:60]))
            continue
        if out.get("skipped"):
            rows.append((phase, out["skipped"], "", "", "", "", "skipped"))
        for res in out.get("results", {}).values():
            unit = res["unit"]
            fmt = (lambda x: f"{x:,.0f} rps") if unit == "req/s" else (lambda x: f"{x:,.2f} ms")
            rows.append(
                (
                    phase,
                    res["metric"],
                    fmt(res["imghost"]),
                    f"{fmt(res['reference'])} ({res['reference_name']})",
                    f"{res['ratio']:.2f}",
                    res["target"],
                    verdict(res["meets_target"]),
                )
            )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    install_signal_handlers()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now()
    report: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "args": {k: str(v) for k, v in vars(args).items()},
        "cpus": os.cpu_count(),
        "seeded": {},
        "phases": {},
    }
    tmp = make_tmp("imghost-gallery-bench.")
    os.chmod(tmp, 0o755)
    t0 = time.monotonic()
    try:
        with contextlib.ExitStack() as stack:
            base_env: dict[str, str] = {}
            pg_admin = ""
            if args.config == "scaleout":
                from backends import scaleout_stack

                base_env = stack.enter_context(scaleout_stack())
                pg_admin = base_env.pop("IMGHOST_DATABASE_URL")
            home = tmp if args.keep is None or args.config == "scaleout" else args.keep
            large = Gallery(
                f"{args.posts}", args.posts, home / f"gallery-{args.posts}-seed{args.seed}", base_env
            )
            small = None
            if args.small < args.posts:
                small = Gallery(
                    f"{args.small}", args.small, home / f"gallery-{args.small}-seed{args.seed}", base_env
                )
            for g in (small, large):
                if g is None:
                    continue
                stack.callback(g.stop)
                asyncio.run(g.seed(args.seed, pg_admin))
                report["seeded"][g.name] = {k: v for k, v in g.seeded.json().items() if k != "tokens"}
                g.start()
            phases = {
                "listings": lambda: listings(large, small, args),
                "search": lambda: search(large, args),
                "votes": lambda: votes(large, args),
            }
            for name, fn in phases.items():
                if name not in args.only.split(","):
                    continue
                log(f"--- [{args.config}] {name} (load average {os.getloadavg()[0]:.2f})")
                meter = CpuMeter()
                try:
                    with meter:
                        report["phases"][name] = fn()
                except Exception as exc:
                    traceback.print_exc()
                    report["phases"][name] = {"error": f"{type(exc).__name__}: {exc}", "results": {}}
                cpu = getattr(meter, "result", None)
                if cpu is not None:
                    report["phases"][name]["cpu"] = cpu
                    log(f"    CPU during {name}: {cpu['ours']:.0%} this run, {cpu['others']:.0%} other work")
    except KeyboardInterrupt:
        log("\ninterrupted: stopping every server started by this run")
        report["interrupted"] = True
    finally:
        stop_all()
        rmtree(tmp)
        report["seconds"] = round(time.monotonic() - t0, 1)
        path = args.out or OUT_DIR / f"gallery-{started:%Y%m%d-%H%M%S}.json"
        path.write_text(json.dumps(report, indent=1, default=str))
    log(
        f"\n=== gallery, {args.config}: {args.posts:,} posts (and {args.small:,}), {report['seconds']:.0f} s, "
        f"wrk -c50 -d{args.duration:g}s, {args.rounds} rounds, {args.samples} samples ==="
    )
    log(summary(report))
    log(f"\nraw results: {path}")
    return 130 if report.get("interrupted") else 0


if __name__ == "__main__":
    sys.exit(main())
