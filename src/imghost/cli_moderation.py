"""The operator's moderation commands (docs/moderation.md):

    imghost reports list [--all] [--page N] [--json]   the open queue (--all: resolved ones too)
    imghost reports resolve ID [--remove]              dismiss (the default) or take the item down
    imghost post remove ID                             take a post out of the gallery
    imghost comment remove ID                          delete a comment
    imghost user ban NAME | unban NAME                 a banned account reads but cannot write
    imghost user admin NAME [--revoke]                 grant (or take back) the admin role

The operator acts as nobody: a resolution made here names no admin (resolved_by is null)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

Runner = Callable[[Callable[[Any], Awaitable[int]]], int]
Command = Callable[[Any, argparse.Namespace], Awaitable[int]]


async def reports_list(svc: Any, args: argparse.Namespace) -> int:
    found = await svc.moderation.queue(status="all" if args.all else "open", page=args.page)
    if args.json:
        _out(json.dumps([r.as_dict() for r in found]))
        return 0
    for r in found:
        status = f"{r.status}/{r.resolution}" if r.resolution else r.status
        hidden = ", hidden" if r.item_hidden else ""
        _out(
            f"{r.id}  {status}  {r.kind} {r.item}  {r.as_dict()['reason_name']}  by {r.reporter}"
            f"  ({r.item_reports} open reports{hidden})"
        )
    return 0


async def reports_resolve(svc: Any, args: argparse.Namespace) -> int:
    report = await svc.moderation.report(args.id)
    resolution = "remove" if args.remove else "dismiss"
    closed = await svc.moderation.resolve(None, args.id, resolution)
    done = "removed" if args.remove else "dismissed; it is visible again"
    _out(f"imghost: {report.kind} {report.item} {done} ({closed} open report(s) closed)")
    return 0


async def post_remove(svc: Any, args: argparse.Namespace) -> int:
    closed = await svc.moderation.remove_post(None, args.id)
    _out(f"imghost: post {args.id} is out of the gallery ({closed} open report(s) closed)")
    return 0


async def comment_remove(svc: Any, args: argparse.Namespace) -> int:
    closed = await svc.moderation.remove_comment(None, args.id)
    _out(f"imghost: comment {args.id} removed ({closed} open report(s) closed)")
    return 0


async def user_ban(svc: Any, args: argparse.Namespace) -> int:
    account = await svc.moderation.ban(None, args.username)
    _out(f"imghost: {account.username} is banned: it can read, not write")
    return 0


async def user_unban(svc: Any, args: argparse.Namespace) -> int:
    account = await svc.moderation.unban(None, args.username)
    _out(f"imghost: {account.username} may write again")
    return 0


async def user_admin(svc: Any, args: argparse.Namespace) -> int:
    account = await svc.moderation.set_admin(args.username, not args.revoke)
    _out(f"imghost: {account.username} is {'no longer' if args.revoke else 'now'} an admin")
    return 0


def add_parsers(sub: Any, user_sub: Any, run: Runner) -> None:
    """The commands above, on the top-level subparsers and those of `imghost user`; `run` starts the
    services around each one (cli._with_services)."""

    def bind(parser: argparse.ArgumentParser, command: Command) -> None:
        parser.set_defaults(func=lambda args: run(lambda svc: command(svc, args)))

    reports = sub.add_parser("reports", help="the moderation queue").add_subparsers(
        dest="reports_command", required=True
    )
    rlist = reports.add_parser("list", help="open reports, oldest first")
    rlist.add_argument("--all", action="store_true", help="resolved reports too, newest first")
    rlist.add_argument("--page", type=int, default=0, help="50 reports a page, from 0")
    rlist.add_argument("--json", action="store_true")
    bind(rlist, reports_list)
    resolve = reports.add_parser("resolve", help="close a report and every open report of its item")
    resolve.add_argument("id")
    resolve.add_argument("--remove", action="store_true", help="take the item down (default: dismiss)")
    bind(resolve, reports_resolve)

    post = sub.add_parser("post", help="gallery posts").add_subparsers(dest="post_command", required=True)
    bind(_with_id(post.add_parser("remove", help="take a post out of the gallery")), post_remove)
    comment = sub.add_parser("comment", help="comments").add_subparsers(dest="comment_command", required=True)
    bind(_with_id(comment.add_parser("remove", help="delete a comment")), comment_remove)

    ban = user_sub.add_parser("ban", help="the account may read but not write")
    ban.add_argument("username")
    bind(ban, user_ban)
    unban = user_sub.add_parser("unban", help="lift a ban")
    unban.add_argument("username")
    bind(unban, user_unban)
    admin = user_sub.add_parser("admin", help="make an account an admin (moderates the community)")
    admin.add_argument("username")
    admin.add_argument("--revoke", action="store_true", help="take the role back")
    bind(admin, user_admin)


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _with_id(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("id")
    return parser
