"""`imghost export --user NAME DIR` and `imghost import archive DIR [--user NAME]`."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from imghost.cli_import.progress import Progress
from imghost.domain.imports import archive
from imghost.domain.imports.state import StateFile
from imghost.errors import AccountNotFound, ImghostError
from imghost.services import Services


async def run_export(svc: Services, args: argparse.Namespace) -> int:
    account = await svc.accounts.get(args.user)
    target = Path(args.dir)
    bar: list[Progress] = []

    def progress(done: int, total: int, outcome: str) -> None:
        if not bar:
            bar.append(Progress(total, f"export {account.username}"))
        bar[0].step(outcome)

    if target.suffix.lower() == ".zip":
        report = await archive.write_zip(
            svc, account, target, lambda done, total: progress(done, total, "ok")
        )
    else:
        report = await archive.write_archive(svc, account, archive.DirectorySink(target), progress=progress)
    if bar:
        bar[0].close()
    _print(report.as_json() if getattr(args, "json", False) else report.text(), args)
    return 1 if report.failed else 0


async def run_import(svc: Services, args: argparse.Namespace) -> int:
    reader = archive.ArchiveReader(Path(args.dir))
    try:
        manifest = reader.manifest()
        source = _account(manifest)
        name = args.user or str(source.get("username") or "")
        try:
            account = await svc.accounts.get(name)
        except AccountNotFound:
            raise ImghostError(
                f"no local account {name!r}: create it first (imghost user create {name} ...)"
            ) from None
        state_path = Path(args.state) if getattr(args, "state", None) else _state_path(svc, manifest, name)
        try:
            state = StateFile.open(state_path, kind="archive")
        except ValueError as exc:
            raise ImghostError(str(exc)) from None
        total = sum(len(manifest.get(k) or ()) for k in ("images", "albums"))
        bar = Progress(total, f"import archive into {account.username}")
        try:
            report = await archive.read_archive(
                svc,
                reader,
                account,
                state=state,
                parallel=max(1, getattr(args, "parallel", 4) or 4),
                step=bar.step,
                manifest=manifest,
            )
        finally:
            bar.close()
            state.close()
    finally:
        reader.close()
    report.notes.append(f"state file: {state_path}")
    _print(report.as_json() if args.json else report.text(), args)
    return 1 if report.failed else 0


def _state_path(svc: Services, manifest: dict[str, Any], local: str) -> Path:
    """One state file per (source server, source account, local account): a new export of the same
    account reuses it, so what took a new id on the first run is still found on the next."""
    source = _account(manifest)
    key = f"{manifest.get('source')}|{source.get('username')}|{local.lower()}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return svc.settings.data_dir / "imports" / f"archive-{local.lower()}-{digest}.state"


def _account(manifest: dict[str, Any]) -> dict[str, Any]:
    source = manifest.get("account")
    return source if isinstance(source, dict) else {}


def _print(out: str | dict[str, Any], args: argparse.Namespace) -> None:
    text = json.dumps(out, indent=2) if isinstance(out, dict) else out
    sys.stdout.write(text + "\n")
