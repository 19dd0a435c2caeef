"""`imghost import links FILE... [--user NAME] [--rewrite OUT] [--client-id ID]`.

Reads every input first (a dash is standard input), finds the Imgur links in all of them, imports each
distinct image or album once, then writes the rewrites. Text is read and written with surrogate escapes,
so bytes that are not UTF-8 (an old Latin-1 forum dump) come out exactly as they went in."""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from imghost.auth import Subject
from imghost.cli_import import link_workers
from imghost.cli_import.progress import Progress
from imghost.domain.imports import links as found
from imghost.domain.imports.link_import import rewrite_target
from imghost.domain.imports.report import Report
from imghost.domain.imports.state import StateFile
from imghost.errors import AccountNotFound, ImghostError
from imghost.services import Services

STDIN = "-"


@dataclass
class Input:
    name: str  # as given: a path, or "-"
    text: str


async def run(svc: Services, args: argparse.Namespace) -> int:
    inputs = [_read(name) for name in args.files]
    outputs = _outputs(inputs, args.rewrite) if args.rewrite else {}
    subject = Subject(client_id=None)
    owner = "anonymous"
    if args.user:
        try:
            account = await svc.accounts.get(args.user)
        except AccountNotFound:
            raise ImghostError(
                f"no local account {args.user!r}: create it first (imghost user create {args.user} ...)"
            ) from None
        subject = Subject(client_id=None, account_id=account.id, username=account.username)
        owner = account.username
    all_links = [link for i in inputs for link in found.find_links(i.text)]
    report = Report(f"import of {len(all_links)} Imgur links from {len(inputs)} input(s), owned by {owner}")
    for i in inputs:
        for other in found.unrecognised(i.text):
            report.notes.append(f"not an image or album link, left alone: {other} ({i.name})")
    state_path = Path(args.state) if args.state else _state_path(svc, args.media_url, owner)
    try:
        state = StateFile.open(state_path, kind="links")
    except ValueError as exc:
        raise ImghostError(str(exc)) from None
    # A run killed while its worker processes were going left their shards: take them in first.
    for shard in link_workers.shards_of(state_path):
        state.absorb(shard)
    distinct = len({link.key for link in all_links})
    workers = link_workers.workers_for(args.workers, distinct, args.parallel)
    bar = Progress(distinct, "import links")
    opts = link_workers.Options(
        args.media_url, args.api_url, args.client_id, args.parallel, args.allow_private
    )
    try:
        if workers <= 1:
            results, stats = await link_workers.import_here(svc, subject, all_links, state, opts, report, bar)
        else:
            owner_name = subject.username
            results, stats = await link_workers.in_processes(
                svc, owner_name, all_links, state, opts, report, bar, workers
            )
    finally:
        bar.close()
        state.close()
    report.extra.update(
        workers=workers,
        links_found=len(all_links),
        distinct_items=distinct,
        requests=stats.requests,
        retries=stats.retries,
        seconds_paused_by_rate_limits=round(stats.waited, 1),
    )
    if outputs:
        target = rewrite_target(results, svc.settings.base_url)
        for i in inputs:
            _write(outputs[i.name], found.rewrite(i.text, target))
            if outputs[i.name] != STDIN:
                report.notes.append(f"rewritten: {i.name} -> {outputs[i.name]}")
    report.notes.append(f"state file: {state_path}")
    # With the rewrite on standard output, the report goes to standard error.
    out = sys.stderr if STDIN in outputs.values() else sys.stdout
    out.write((report.json() if args.json else report.text()) + "\n")
    return 1 if report.failed else 0


def _read(name: str) -> Input:
    try:
        if name == STDIN:
            data = sys.stdin.buffer.read()
        else:
            data = Path(name).read_bytes()
    except OSError as exc:
        raise ImghostError(f"cannot read {name}: {exc.strerror or exc}") from None
    return Input(name, data.decode("utf-8", errors="surrogateescape"))


def _outputs(inputs: list[Input], out: str) -> dict[str, str]:
    """Where each input's rewrite goes: OUT itself for one input (a dash: standard output), else a
    file of the same name in the directory OUT."""
    if len(inputs) == 1:
        return {inputs[0].name: out}
    if out == STDIN:
        raise ImghostError("--rewrite - takes one input; for several, give a directory")
    names: dict[str, str] = {}
    for i in inputs:
        if i.name == STDIN:
            raise ImghostError("standard input among several inputs cannot be rewritten into a directory")
        dest = str(Path(out) / Path(i.name).name)
        if dest in names.values():
            raise ImghostError(f"two inputs are named {Path(i.name).name}: rewrite them one at a time")
        names[i.name] = dest
    Path(out).mkdir(parents=True, exist_ok=True)
    return names


def _write(dest: str, text: str) -> None:
    data = text.encode("utf-8", errors="surrogateescape")
    if dest == STDIN:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    path = Path(dest)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)  # a reader never sees half a file


def _state_path(svc: Services, media_url: str, owner: str) -> Path:
    """One state file per (media host, local owner): what came over for this owner is skipped by any
    later run, whatever files it reads."""
    host = re.sub(r"[^A-Za-z0-9.-]+", "_", urlsplit(media_url).netloc or media_url)
    return svc.settings.data_dir / "imports" / f"links-{host}-{owner}.state".lower()
