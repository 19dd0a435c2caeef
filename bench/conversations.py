"""An account's conversations and notifications at scale, against `GET /3/image/{id}` on the same server.

    python bench/conversations.py --config embedded|scaleout [--conversations 10000]
                                  [--notifications 100000] [--duration 5] [--rounds 3]

Two servers run side by side, each on a deployment seeded by bench/conversations_seed.py: a large
inbox (--conversations conversations, --notifications notifications) and a small one (a hundredth of
each: by default 100 conversations and 1,000 notifications). On each, with the account's bearer token:

- `GET /3/conversations` (the conversation list, its first page),
- `GET /3/conversations/{id}` (the first page of a conversation of --long-messages messages),
- `GET /3/notification` (new=true, the default) and `GET /3/notification?new=false`,

alternate in wrk rounds (the order flipped every round) with `GET /3/image/{id}` of a seeded image on
the same server (Client-ID); the figures are medians. Targets (issue 17), as ratios; the output says
"meets target" or "below target", never a failing exit:

- every route >= 0.5x the requests/s of GET /3/image/{id} on the same server, on both inboxes;
- the large inbox's cost (1 / requests per second) <= 1.5x the small one's, for every route.

A route the server answers 404 (no such route yet) is skipped with a note."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import httpx
from common import OUT_DIR, CpuMeter, install_signal_handlers, log, make_tmp, median, rmtree, stop_all
from common import throughput_result as rate_result
from conversations_seed import Inbox, Shape, load
from gallery import Gallery, _cost_ratio, _create_database, run_wrk, sample_latency, summary

ROUTE_MIN = 0.50
SCALE_MAX = 1.5
TARGET = f">= {ROUTE_MIN:.2f}x GET /3/image/{{id}}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", choices=("embedded", "scaleout"), default="embedded")
    p.add_argument("--conversations", type=int, default=10_000, help="conversations of the large inbox")
    p.add_argument("--notifications", type=int, default=100_000, help="notifications of the large inbox")
    p.add_argument("--small", type=int, default=100, help="the small inbox is this many times smaller")
    p.add_argument("--long-messages", type=int, default=200, help="messages in the conversation measured")
    p.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seed", type=int, default=17)
    p.add_argument("--out", type=Path, help="JSON results (default bench/out/conversations-<time>.json)")
    return p.parse_args(argv)


class InboxServer(Gallery):
    """One seeded deployment (a gallery and one account's inbox) and the `imghost serve` on it."""

    def __init__(self, name: str, shape: Shape, workdir: Path, base_env: dict[str, str]) -> None:
        super().__init__(name, shape.conversations, workdir, base_env)
        self.shape = shape
        self.inbox = Inbox()

    async def seed(self, seed: int, pg_admin: str) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        env = dict(self.base_env)
        database_url = ""
        if pg_admin:
            database_url = await _create_database(pg_admin, f"inbox_{self.name}")
            env["IMGHOST_DATABASE_URL"] = database_url
            env["IMGHOST_STORAGE_URL"] = f"{env['IMGHOST_STORAGE_URL'].rstrip('/')}-{self.name}"
            env["IMGHOST_REDIS_PREFIX"] = f"inbox-{self.name}:"
        self.env = env
        s = self.shape
        log(f"--- seeding {self.name}: {s.conversations:,} conversations, {s.notifications:,} notifications")
        self.inbox = await load(
            s, data_dir=self.workdir / "imghost-data", database_url=database_url, settings=env
        )

    @property
    def auth(self) -> list[str]:
        return [f"Authorization: Client-ID {self.inbox.client_id}"]

    @property
    def bearer(self) -> list[str]:
        return [f"Authorization: Bearer {self.inbox.access_token}"]

    def routes(self) -> dict[str, tuple[str, list[str]]]:
        return {
            "image": (f"{self.url}/3/image/{self.inbox.image_id}", self.auth),
            "conversations": (f"{self.url}/3/conversations", self.bearer),
            "conversation": (f"{self.url}/3/conversations/{self.inbox.long_conversation}", self.bearer),
            "notification": (f"{self.url}/3/notification", self.bearer),
            "notification new=false": (f"{self.url}/3/notification?new=false", self.bearer),
        }


LABELS = {
    "conversations": "GET /3/conversations",
    "conversation": "GET /3/conversations/{id}",
    "notification": "GET /3/notification",
    "notification new=false": "GET /3/notification?new=false",
}


def probe(http: httpx.Client, key: str, url: str, headers: list[str]) -> tuple[int, str]:
    """The route's answer once: its status and a short description of what it held."""
    r = http.get(url, headers=dict(h.split(": ", 1) for h in headers))
    data = r.json().get("data") if r.headers.get("content-type", "").startswith("application/json") else None
    if isinstance(data, list):
        what = f"{len(data)} items"
    elif isinstance(data, dict):
        what = ", ".join(f"{k} {len(v)}" for k, v in data.items() if isinstance(v, list)) or "an object"
    else:
        what = "-"
    return r.status_code, f"{len(r.content):,} B, {what}"


def measure(servers: list[InboxServer], args: argparse.Namespace) -> dict[str, Any]:
    targets: dict[str, tuple[str, list[str]]] = {}
    skipped: dict[str, str] = {}
    conns: dict[str, int] = {}
    alone: dict[str, float] = {}
    with httpx.Client(timeout=120) as http:
        for srv in servers:
            for route, (url, hdr) in srv.routes().items():
                key = f"{srv.name} {route}"
                status, what = probe(http, key, url, hdr)
                if status == 404 and route.startswith("notification"):
                    skipped[key] = f"{LABELS[route]}: HTTP 404 (no such route on this server yet): skipped"
                    log(f"    {key}: {skipped[key]}")
                    continue
                if status != 200:
                    raise RuntimeError(f"{key}: HTTP {status} ({what})")
                headers = dict(h.split(": ", 1) for h in hdr)
                alone[key] = median([sample_latency(http, url, headers) for _ in range(3)])
                # As bench/gallery.py: enough connections to keep the server busy, few enough that a
                # slow route leaves at most about a second of work in flight at the end of a run.
                conns[key] = max(2, min(50, int(1000 / max(alone[key], 1e-3))))
                targets[key] = (url, hdr)
                log(f"    {key}: HTTP {status}, {what}, {alone[key]:.1f} ms alone, {conns[key]} connections")
    for key, (url, hdr) in targets.items():
        run_wrk(url, 1, headers=hdr, connections=conns[key])  # warm-up
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in targets}
    for rnd in range(args.rounds):
        order = list(targets) if rnd % 2 == 0 else list(reversed(targets))
        for key in order:
            url, hdr = targets[key]
            runs[key].append(run_wrk(url, args.duration, headers=hdr, connections=conns[key]))
        log(f"    round {rnd + 1}: " + ", ".join(f"{k} {runs[k][-1]['rps']:,.0f}" for k in targets))
    rps = {k: median([r["rps"] for r in v]) for k, v in runs.items()}
    results: dict[str, Any] = {}
    large, small = servers
    for srv in servers:
        for route, label in LABELS.items():
            key = f"{srv.name} {route}"
            if key in targets:
                results[f"rate {key}"] = rate_result(
                    f"{srv.name}: {label}",
                    runs[key],
                    runs[f"{srv.name} image"],
                    "GET /3/image/{id}",
                    ROUTE_MIN,
                    TARGET,
                )
    for route, label in LABELS.items():
        big, little = f"{large.name} {route}", f"{small.name} {route}"
        if big in targets and little in targets:
            results[f"scale {route}"] = _cost_ratio(
                f"{label}: {large.name} vs {small.name}", rps[big], rps[little], small.name, SCALE_MAX
            )
    return {
        "results": results,
        "runs": runs,
        "alone_ms": alone,
        "connections": conns,
        "skipped_routes": skipped,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    install_signal_handlers()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now()
    shapes = {
        "large": Shape(args.conversations, args.notifications, args.long_messages, seed=args.seed),
        "small": Shape(
            max(1, args.conversations // args.small),
            max(10, args.notifications // args.small),
            args.long_messages,
            seed=args.seed,
        ),
    }
    names = {k: f"{s.conversations:,}c/{s.notifications:,}n" for k, s in shapes.items()}
    report: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "args": {k: str(v) for k, v in vars(args).items()},
        "cpus": os.cpu_count(),
        "seeded": {},
        "phases": {},
    }
    tmp = make_tmp("imghost-conversations-bench.")
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
            servers = [
                InboxServer(f"{k}", shapes[k], tmp / f"inbox-{k}", base_env) for k in ("large", "small")
            ]
            for srv in servers:
                stack.callback(srv.stop)
                asyncio.run(srv.seed(args.seed, pg_admin))
                report["seeded"][srv.name] = {
                    "shape": names[srv.name],
                    **{k: v for k, v in srv.inbox.json().items() if k != "access_token"},
                }
                srv.start()
            log(f"--- [{args.config}] routes (load average {os.getloadavg()[0]:.2f})")
            meter = CpuMeter()
            try:
                with meter:
                    report["phases"]["routes"] = measure(servers, args)
            except Exception as exc:
                traceback.print_exc()
                report["phases"]["routes"] = {"error": f"{type(exc).__name__}: {exc}", "results": {}}
            cpu = getattr(meter, "result", None)
            if cpu is not None:
                report["phases"]["routes"]["cpu"] = cpu
                log(f"    CPU: {cpu['ours']:.0%} this run, {cpu['others']:.0%} other work")
    except KeyboardInterrupt:
        log("\ninterrupted: stopping every server started by this run")
        report["interrupted"] = True
    finally:
        stop_all()
        rmtree(tmp)
        report["seconds"] = round(time.monotonic() - t0, 1)
        path = args.out or OUT_DIR / f"conversations-{started:%Y%m%d-%H%M%S}.json"
        path.write_text(json.dumps(report, indent=1, default=str))
    log(
        f"\n=== conversations, {args.config}: large {names['large']}, small {names['small']}"
        f" (conversations/notifications), {report['seconds']:.0f} s, wrk -d{args.duration:g}s,"
        f" {args.rounds} rounds ==="
    )
    log(summary(report))
    for note in sorted(set(report["phases"].get("routes", {}).get("skipped_routes", {}).values())):
        log(f"note: {note} on both servers; it will be measured once the route exists")
    log(f"\nraw results: {path}")
    return 130 if report.get("interrupted") else 0


if __name__ == "__main__":
    sys.exit(main())
