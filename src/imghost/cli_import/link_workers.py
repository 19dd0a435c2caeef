"""Running a link import in this process, or split over worker processes.

One process fetching and running the upload pipeline keeps one core busy (about 3 ms of CPU per small
image, mostly the pipeline); an upload loop against a server spreads the same work over the server and
its clients. So on a machine with more cores the distinct items are dealt round-robin to `workers`
processes, each with its own services, fetcher and shard of the state file (`STATE.w0`, `STATE.w1`...),
and `parallel` is divided among them so the source sees no more requests at once than asked for. The
parent draws the progress bar from their messages, merges their reports and takes their shards into the
state file, also at the start of a run after a kill (a shard survives any way a worker ends)."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import queue
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from imghost.auth import Subject
from imghost.cli_import.progress import Progress
from imghost.domain.imports.fetcher import Fetcher, FetchStats
from imghost.domain.imports.link_import import LinkImport
from imghost.domain.imports.links import Link
from imghost.domain.imports.report import Entry, Report
from imghost.domain.imports.state import StateFile
from imghost.errors import ImghostError
from imghost.services import Services
from imghost.settings import Settings

KIND = "links"
MIN_PER_WORKER = 50  # fewer items than this each: not worth starting another process


@dataclass(frozen=True)
class Options:
    media_url: str
    api_url: str
    client_id: str | None
    parallel: int
    allow_private: bool


def workers_for(requested: int, distinct: int, parallel: int) -> int:
    """requested > 0 is taken as it is (capped by the work); 0 means one per core, at most 4."""
    if requested > 0:
        wanted = requested
    else:
        wanted = min(os.cpu_count() or 1, 4)
    return max(1, min(wanted, parallel, distinct // MIN_PER_WORKER or 1))


def shards_of(state_path: Path) -> list[Path]:
    return sorted(state_path.parent.glob(state_path.name + ".w*"))


async def import_here(
    svc: Services,
    subject: Subject,
    links: list[Link],
    state: StateFile,
    opts: Options,
    report: Report,
    bar: Progress,
) -> tuple[dict[str, Entry], FetchStats]:
    def grow(n: int) -> None:
        bar.total += n

    async with _fetcher(svc.settings, opts, opts.parallel) as fetcher:
        job = LinkImport(
            images=svc.images,
            albums=svc.albums,
            subject=subject,
            fetcher=fetcher,
            state=state,
            tmp_dir=svc.tmp_dir,
            report=report,
            step=bar.step,
            grow=grow,
        )
        return await job.run(links), fetcher.stats


async def in_processes(
    svc: Services,
    owner: str | None,
    links: list[Link],
    state: StateFile,
    opts: Options,
    report: Report,
    bar: Progress,
    workers: int,
) -> tuple[dict[str, Entry], FetchStats]:
    keys = list(dict.fromkeys(link.key for link in links))
    share = {key: n % workers for n, key in enumerate(keys)}
    groups: list[list[Link]] = [[] for _ in range(workers)]
    for link in links:
        groups[share[link.key]].append(link)
    ctx = multiprocessing.get_context("spawn")
    messages: Any = ctx.Queue()
    parallel = max(1, opts.parallel // workers)
    procs = []
    for n, group in enumerate(groups):
        done = {k: v for k, v in state.records.items() if share.get(k) == n}
        shard = state.path.with_name(f"{state.path.name}.w{n}")
        proc = ctx.Process(
            target=_worker,
            args=(svc.settings.for_workers(), owner, group, str(shard), done, opts, parallel, messages),
            name=f"imghost-import-{n}",
        )
        proc.start()
        procs.append(proc)
    results: dict[str, Entry] = {}
    stats = FetchStats()
    finished: set[int] = set()
    problems: list[str] = []
    loop = asyncio.get_running_loop()
    while len(finished) < workers:
        try:
            msg = await loop.run_in_executor(None, messages.get, True, 0.5)
        except queue.Empty:
            for n, proc in enumerate(procs):
                if n not in finished and not proc.is_alive():
                    finished.add(n)
                    problems.append(f"import worker {n} stopped (exit code {proc.exitcode})")
            continue
        kind, n, body = msg
        if kind == "step":
            bar.step(body)
        elif kind == "grow":
            bar.total += body
        elif kind == "done":
            finished.add(n)
            report.extend(Entry(**e) for e in body["entries"])
            results.update({k: Entry(**e) for k, e in body["results"].items()})
            stats.requests += body["stats"]["requests"]
            stats.retries += body["stats"]["retries"]
            stats.waited += body["stats"]["waited"]
        elif kind == "error":
            finished.add(n)
            problems.append(body)
    for proc in procs:
        await loop.run_in_executor(None, proc.join, 30)
    for shard in shards_of(state.path):
        state.absorb(shard)
    if problems:
        raise ImghostError("; ".join(problems) + " (run the same command again: what is done is kept)")
    return results, stats


def _fetcher(settings: Settings, opts: Options, parallel: int) -> Fetcher:
    return Fetcher(
        settings,
        media_url=opts.media_url,
        api_url=opts.api_url,
        client_id=opts.client_id,
        parallel=parallel,
        allow_private=opts.allow_private,
    )


def _worker(
    settings_blob: str,
    owner: str | None,
    links: list[Link],
    shard: str,
    done: dict[str, dict[str, Any]],
    opts: Options,
    parallel: int,
    messages: Any,
) -> None:
    n = int(shard.rsplit(".w", 1)[1])
    try:
        asyncio.run(
            _work(
                n,
                Settings(**json.loads(settings_blob)),
                owner,
                links,
                Path(shard),
                done,
                opts,
                parallel,
                messages,
            )
        )
    except BaseException as exc:  # told to the parent, which reports it; the shard keeps what was done
        messages.put(("error", n, f"import worker {n} failed: {exc}"))


async def _work(
    n: int,
    settings: Settings,
    owner: str | None,
    links: list[Link],
    shard: Path,
    done: dict[str, dict[str, Any]],
    opts: Options,
    parallel: int,
    messages: Any,
) -> None:
    svc = await Services.start(settings)
    state = StateFile.fresh(shard, kind=KIND, done=done)
    try:
        subject = Subject(client_id=None)
        if owner:
            account = await svc.accounts.get(owner)
            subject = Subject(client_id=None, account_id=account.id, username=account.username)
        report = Report("")
        async with _fetcher(settings, opts, parallel) as fetcher:
            job = LinkImport(
                images=svc.images,
                albums=svc.albums,
                subject=subject,
                fetcher=fetcher,
                state=state,
                tmp_dir=svc.tmp_dir,
                report=report,
                step=lambda outcome: messages.put(("step", n, outcome)),
                grow=lambda more: messages.put(("grow", n, more)),
            )
            results = await job.run(links)
            body = {
                "entries": [asdict(e) for e in report.entries],
                "results": {k: asdict(e) for k, e in results.items()},
                "stats": {
                    "requests": fetcher.stats.requests,
                    "retries": fetcher.stats.retries,
                    "waited": fetcher.stats.waited,
                },
            }
        messages.put(("done", n, body))
    finally:
        state.close()
        await svc.close()
