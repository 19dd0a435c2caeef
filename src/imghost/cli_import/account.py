"""`imghost import account --from URL --client-id ID [--token T] --user NAME`."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

from imghost.cli_import.progress import Progress
from imghost.domain.imports.account_import import AccountImport
from imghost.domain.imports.fetcher import Fetcher
from imghost.domain.imports.report import Report
from imghost.domain.imports.state import StateFile
from imghost.errors import AccountNotFound, ImghostError
from imghost.services import Services


async def run(svc: Services, args: argparse.Namespace) -> int:
    try:
        account = await svc.accounts.get(args.user)
    except AccountNotFound:
        raise ImghostError(
            f"no local account {args.user!r}: create it first (imghost user create {args.user} ...)"
        ) from None
    who = args.account or ("me" if args.token else args.user)
    state_path = Path(args.state) if args.state else _state_path(svc, args.source_url, who, account.username)
    try:
        state = StateFile.open(state_path, kind="account")
    except ValueError as exc:
        raise ImghostError(str(exc)) from None
    report = Report(f"import of account {who} from {args.source_url} into {account.username}")
    try:
        async with Fetcher(
            svc.settings,
            api_url=args.source_url,
            media_url=args.source_url,
            client_id=args.client_id,
            token=args.token,
            parallel=args.parallel,
            allow_private=args.allow_private,
        ) as fetcher:
            job = AccountImport(svc, account, fetcher, who=who, state=state, report=report)
            plan = await job.plan()
            if plan is not None:
                bar = Progress(plan.total, f"import account {who}")
                try:
                    await job.run(plan, parallel=args.parallel, step=bar.step)
                finally:
                    bar.close()
    finally:
        state.close()
    report.notes.append(f"state file: {state_path}")
    sys.stdout.write((report.json() if args.json else report.text()) + "\n")
    return 1 if report.failed else 0


def _state_path(svc: Services, source_url: str, who: str, local: str) -> Path:
    host = re.sub(r"[^A-Za-z0-9.-]+", "_", urlsplit(source_url).netloc or source_url)
    name = f"account-{host}-{who}-{local}".lower()
    return svc.settings.data_dir / "imports" / f"{name}.state"
