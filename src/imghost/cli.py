"""The operator's command line: `imghost serve`, `imghost db upgrade`, `imghost client …`."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from imghost import cli_moderation
from imghost.errors import ImghostError
from imghost.settings import WORKER_SETTINGS, Settings


def _settings() -> Settings:
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        # Only the messages: pydantic's own text repeats the input values, secrets included.
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        sys.exit(f"imghost: bad configuration: {problems}")


def _with_services(fn: Callable[[Any], Awaitable[int]]) -> int:
    from imghost.services import Services, ensure_database

    settings = _settings()
    ensure_database(settings)

    async def run() -> int:
        svc = await Services.start(settings)
        try:
            return await fn(svc)
        finally:
            await svc.close()

    try:
        return asyncio.run(run())
    except ImghostError as exc:
        print(f"imghost: {exc.public}", file=sys.stderr)
        return 1


def cmd_serve(args: argparse.Namespace) -> int:
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces, Loops
    from granian.http import HTTP1Settings

    from imghost.services import upgrade_database

    settings = _settings().model_copy(update={"host": args.host, "port": args.port})
    # Granian's workers import imghost.rsgi and build the app there: they get these very settings.
    os.environ[WORKER_SETTINGS] = settings.for_workers()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_database(settings)
    _hint_first_client(settings)
    print(f"imghost: serving {settings.base_url} (API at {settings.base_url}/3/, docs at /docs)", flush=True)
    # HTTP/1.1 only: browsers speak HTTP/2 only over TLS, which a proxy in front terminates; skipping the
    # protocol detection makes small media responses about 10% faster.
    # The native interface (see imghost/rsgi.py); imghost.asgi:app serves the same application to any
    # ASGI server.
    Granian(
        "imghost.rsgi:app",
        address=args.host,
        port=args.port,
        interface=Interfaces.RSGI,
        workers=args.workers,
        loop=Loops.uvloop,
        websockets=False,
        log_access=False,
        backlog=2048,
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(header_read_timeout=int(settings.header_timeout_seconds * 1000)),
    ).serve()
    return 0


def _hint_first_client(settings: Settings) -> None:
    from imghost.services import count_clients

    if asyncio.run(count_clients(settings)) == 0:
        print(
            "imghost: no API client registered yet. Create one with:\n"
            "  imghost client create myapp --redirect-uri http://localhost/callback\n"
            "then send `Authorization: Client-ID <client_id>` with each /3 request.",
            flush=True,
        )


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from imghost.services import upgrade_database

    upgrade_database(_settings())
    print("imghost: database is up to date")
    return 0


def _print_rows(rows: list[dict[str, Any]], as_json: bool, columns: tuple[str, ...]) -> None:
    if as_json:
        print(json.dumps(rows))
        return
    for r in rows:
        print("  ".join(str(r[c]) for c in columns))


def cmd_client_create(args: argparse.Namespace) -> int:
    async def run(svc: Any) -> int:
        client, secret = await svc.clients.create(args.name, args.redirect_uri)
        if args.json:
            print(json.dumps({"client_id": client.id, "client_secret": secret}))
        else:
            print(f"client_id:     {client.id}\nclient_secret: {secret}\n(the secret is shown only once)")
        return 0

    return _with_services(run)


def cmd_client_list(args: argparse.Namespace) -> int:
    async def run(svc: Any) -> int:
        _print_rows(await svc.clients.all(), args.json, ("id", "name", "redirect_uri"))
        return 0

    return _with_services(run)


def cmd_client_delete(args: argparse.Namespace) -> int:
    async def run(svc: Any) -> int:
        await svc.clients.delete(args.client_id)
        print(f"imghost: deleted client {args.client_id}")
        return 0

    return _with_services(run)


def cmd_user_create(args: argparse.Namespace) -> int:
    async def run(svc: Any) -> int:
        row = await svc.accounts.create(args.username, email=args.email, password=args.password)
        print(
            json.dumps({"id": row.id, "username": row.username})
            if args.json
            else f"imghost: created account {row.username} (id {row.id})"
        )
        return 0

    return _with_services(run)


def cmd_user_list(args: argparse.Namespace) -> int:
    async def run(svc: Any) -> int:
        _print_rows(await svc.accounts.all(), args.json, ("id", "username", "email"))
        return 0

    return _with_services(run)


def cmd_user_delete(args: argparse.Namespace) -> int:
    async def run(svc: Any) -> int:
        row = await svc.accounts.get(args.username)
        await svc.accounts.delete(row)
        print(f"imghost: deleted account {row.username} and everything it owned")
        return 0

    return _with_services(run)


def cmd_user_set_password(args: argparse.Namespace) -> int:
    async def run(svc: Any) -> int:
        row = await svc.accounts.get(args.username)
        await svc.accounts.set_password(row.id, args.password)
        print(f"imghost: password changed for {row.username}; its tokens are revoked")
        return 0

    return _with_services(run)


def cmd_user_invite(args: argparse.Namespace) -> int:
    async def run(svc: Any) -> int:
        print(await svc.accounts.create_invite())
        return 0

    return _with_services(run)


def cmd_token_revoke(args: argparse.Namespace) -> int:
    async def run(svc: Any) -> int:
        if args.user:
            row = await svc.accounts.get(args.user)
            n = await svc.oauth.revoke_account(row.id)
            print(f"imghost: revoked {n} token(s) of {row.username}")
            return 0
        if not args.token:
            print("imghost: give a token or --user USERNAME", file=sys.stderr)
            return 2
        if not await svc.oauth.revoke_token(args.token):
            print("imghost: no such token", file=sys.stderr)
            return 1
        print("imghost: token revoked")
        return 0

    return _with_services(run)


def cmd_gc(args: argparse.Namespace) -> int:
    async def run(svc: Any) -> int:
        report = await svc.images.sweep(grace=args.grace, dry_run=args.dry_run)
        verb = "would remove" if args.dry_run else "removed"
        print(
            f"imghost: checked {report.checked} stored objects; {verb} {report.removed} that no image uses "
            f"({report.bytes} bytes)"
        )
        if not args.dry_run:
            # Expired sign-in sessions are refused when presented; this forgets those never presented again.
            print(f"imghost: forgot {await svc.sessions.sweep()} expired web sessions")
            print(f"imghost: removed {await svc.exports.sweep()} stored archives that no export claims")
        return 0

    return _with_services(run)


def cmd_import_links(args: argparse.Namespace) -> int:
    from imghost.cli_import import links

    return _with_services(lambda svc: links.run(svc, args))


def cmd_import_account(args: argparse.Namespace) -> int:
    from imghost.cli_import import account

    return _with_services(lambda svc: account.run(svc, args))


def cmd_import_archive(args: argparse.Namespace) -> int:
    from imghost.cli_import import archive

    return _with_services(lambda svc: archive.run_import(svc, args))


def cmd_export(args: argparse.Namespace) -> int:
    from imghost.cli_import import archive

    return _with_services(lambda svc: archive.run_export(svc, args))


def _topic_row(topic: Any) -> dict[str, Any]:
    return {
        "id": topic.id,
        "name": topic.name,
        "description": topic.description,
        "css": topic.css,
        "ephemeral": topic.ephemeral,
    }


def cmd_topic_add(args: argparse.Namespace) -> int:
    async def run(svc: Any) -> int:
        topic = await svc.topics.add(args.name, description=args.description or "")
        print(
            json.dumps(_topic_row(topic))
            if args.json
            else f"imghost: added topic {topic.name} (id {topic.id})"
        )
        return 0

    return _with_services(run)


def cmd_topic_list(args: argparse.Namespace) -> int:
    async def run(svc: Any) -> int:
        _print_rows([_topic_row(t) for t in await svc.topics.all()], args.json, ("id", "name", "description"))
        return 0

    return _with_services(run)


def cmd_topic_remove(args: argparse.Namespace) -> int:
    async def run(svc: Any) -> int:
        topic = await svc.topics.remove(args.topic)
        print(f"imghost: removed topic {topic.name} (its posts stay in the gallery, without a topic)")
        return 0

    return _with_services(run)


def cmd_tags_recount(args: argparse.Namespace) -> int:
    async def run(svc: Any) -> int:
        names = await svc.tags.recount()
        print(f"imghost: {len(names)} tag(s) recounted" + (f": {', '.join(names)}" if names else ""))
        return 0

    return _with_services(run)


def _tags_parsers(sub: Any) -> None:
    tags = sub.add_parser("tags", help="the gallery's tags")
    tagsub = tags.add_subparsers(dest="tags_command", required=True)
    recount = tagsub.add_parser(
        "recount", help="set every tag's stored post and follower counts from its rows"
    )
    recount.set_defaults(func=cmd_tags_recount)


def _topic_parsers(sub: Any) -> None:
    topic = sub.add_parser("topic", help="the gallery's topics, which shares may name")
    tsub = topic.add_subparsers(dest="topic_command", required=True)
    add = tsub.add_parser("add", help="define a topic")
    add.add_argument("name", help="letters, digits and spaces; no underscores (URLs write spaces as _)")
    add.add_argument("--description", default="")
    add.add_argument("--json", action="store_true")
    add.set_defaults(func=cmd_topic_add)
    lst = tsub.add_parser("list", help="list the topics")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_topic_list)
    remove = tsub.add_parser("remove", help="remove a topic (by name or id)")
    remove.add_argument("topic", metavar="NAME")
    remove.set_defaults(func=cmd_topic_remove)


def _import_parsers(sub: Any) -> None:
    imp = sub.add_parser("import", help="bring images over from Imgur, another server or an archive")
    kinds = imp.add_subparsers(dest="source", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="print the final report as JSON")
        p.add_argument("--state", help="state file that makes a rerun skip what is done")
        p.add_argument("--parallel", type=int, default=4, help="fetches at once (default 4)")
        p.add_argument(
            "--allow-private",
            action="store_true",
            help="let fetches reach private and loopback addresses (a mirror on this network)",
        )

    links = kinds.add_parser("links", help="import every Imgur link found in text files, under the same ids")
    links.add_argument(
        "files", nargs="+", metavar="FILE", help="text, Markdown, HTML or BBCode; - reads stdin"
    )
    links.add_argument("--user", help="owner of the imported images (default: anonymous)")
    links.add_argument("--rewrite", metavar="OUT", help="write the text with imported links pointing here")
    links.add_argument("--client-id", help="an Imgur API client id: album and gallery links need it")
    links.add_argument("--media-url", default="https://i.imgur.com", help="media host (default %(default)s)")
    links.add_argument("--api-url", default="https://api.imgur.com", help="API host (default %(default)s)")
    links.add_argument(
        "--workers",
        type=int,
        default=0,
        help="processes sharing the work (default: one per core, at most 4; --parallel is divided among them)",
    )
    common(links)
    links.set_defaults(func=cmd_import_links)

    account = kinds.add_parser("account", help="an account's images and albums, through any Imgur API")
    account.add_argument(
        "--from", dest="source_url", required=True, help="API base, e.g. https://api.imgur.com"
    )
    account.add_argument("--client-id", required=True)
    account.add_argument("--token", help="access token of the account (private albums, favourites)")
    account.add_argument("--account", help="account name there (default: the token's, or --user)")
    account.add_argument("--user", required=True, help="the local account that receives them")
    common(account)
    account.set_defaults(func=cmd_import_account)

    archive = kinds.add_parser("archive", help="read an archive written by `imghost export`")
    archive.add_argument("dir", metavar="DIR")
    archive.add_argument("--user", help="the local account that receives it (default: the archive's)")
    archive.add_argument("--json", action="store_true", help="print the final report as JSON")
    archive.add_argument("--state", help="state file that makes a rerun skip what is done")
    archive.add_argument("--parallel", type=int, default=4, help="images at once (default 4)")
    archive.set_defaults(func=cmd_import_archive)

    export = sub.add_parser("export", help="write an account's images and albums as a portable archive")
    export.add_argument("--user", required=True)
    export.add_argument("dir", metavar="DIR", help="a directory, or a file name ending in .zip")
    export.add_argument("--json", action="store_true", help="print the final report as JSON")
    export.set_defaults(func=cmd_export)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="imghost", description="Self-hosted, Imgur-API-compatible image host")
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the server")
    serve.add_argument("--host", default=os.environ.get("IMGHOST_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("IMGHOST_PORT", "8080")))
    serve.add_argument("--workers", type=int, default=1, help="server processes on this host")
    serve.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="database maintenance").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply schema migrations").set_defaults(func=cmd_db_upgrade)

    client = sub.add_parser("client", help="registered API applications")
    csub = client.add_subparsers(dest="client_command", required=True)
    create = csub.add_parser("create", help="register an application")
    create.add_argument("name")
    create.add_argument("--redirect-uri", required=True)
    create.add_argument("--json", action="store_true")
    create.set_defaults(func=cmd_client_create)
    lst = csub.add_parser("list", help="list applications")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_client_list)
    delete = csub.add_parser("delete", help="remove an application")
    delete.add_argument("client_id")
    delete.set_defaults(func=cmd_client_delete)

    gc = sub.add_parser("gc", help="remove stored files that no image uses (safe while serving)")
    gc.add_argument("--dry-run", action="store_true", help="only count what would be removed")
    gc.add_argument(
        "--grace",
        type=float,
        default=3600.0,
        metavar="SECONDS",
        help="spare files younger than this (default 3600): uploads store before they commit",
    )
    gc.set_defaults(func=cmd_gc)
    _import_parsers(sub)
    _tags_parsers(sub)
    _topic_parsers(sub)
    user = sub.add_parser("user", help="accounts")
    usub = user.add_subparsers(dest="user_command", required=True)
    ucreate = usub.add_parser("create", help="create an account")
    ucreate.add_argument("username")
    ucreate.add_argument("--password", required=True)
    ucreate.add_argument("--email", required=True)
    ucreate.add_argument("--json", action="store_true")
    ucreate.set_defaults(func=cmd_user_create)
    ulist = usub.add_parser("list", help="list accounts")
    ulist.add_argument("--json", action="store_true")
    ulist.set_defaults(func=cmd_user_list)
    udelete = usub.add_parser("delete", help="delete an account and everything it owns")
    udelete.add_argument("username")
    udelete.set_defaults(func=cmd_user_delete)
    upw = usub.add_parser("set-password", help="change a password (revokes the account's tokens)")
    upw.add_argument("username")
    upw.add_argument("--password", required=True)
    upw.set_defaults(func=cmd_user_set_password)
    usub.add_parser("invite", help="make an invite code (IMGHOST_REGISTRATION=invite)").set_defaults(
        func=cmd_user_invite
    )
    cli_moderation.add_parsers(sub, usub, _with_services)

    token = sub.add_parser("token", help="OAuth tokens")
    tsub = token.add_subparsers(dest="token_command", required=True)
    revoke = tsub.add_parser("revoke", help="revoke one token, or every token of an account")
    revoke.add_argument("token", nargs="?")
    revoke.add_argument("--user")
    revoke.set_defaults(func=cmd_token_revoke)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)
