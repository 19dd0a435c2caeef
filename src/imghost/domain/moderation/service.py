"""Moderation: reports of posts and comments in one queue, their review by admins (or the operator at
the command line), bans and the admin role.

A report is one transaction: the reported row is locked, the reporter's open report looked for (a
second one is accepted and changes nothing), the report written and the item's reports_open counted
again from the open reports of distinct accounts. At hide_threshold the item is hidden (out of the
listings, still readable by its id) until someone reviews it: dismissing closes its reports and shows
it again; removing takes a post out of the gallery, or deletes a comment the way its author would
(through the comments service: `comment_remover`).

`actor` is the admin account doing it, or None for the operator's command line (which answers to
nobody here)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from imghost.auth import Subject
from imghost.db.database import Database
from imghost.domain.accounts import repository as account_repo
from imghost.domain.accounts.model import Account
from imghost.domain.gallery.service import GalleryService
from imghost.domain.moderation import repository as repo
from imghost.domain.moderation.repository import REASONS, Item, Report
from imghost.errors import (
    AccountNotFound,
    AdminRequired,
    CommentNotFound,
    Conflict,
    Forbidden,
    GalleryItemNotFound,
    ImghostError,
    InvalidRequest,
    ReportNotFound,
)

# Imgur documented the reason as optional and imgurpython sends none: a report without one is filed
# as "doesn't belong".
DEFAULT_REASON = 1
RESOLUTIONS = ("dismiss", "remove")
STATUSES = {"open": "open", "resolved": "resolved", "all": None}
PER_PAGE = 50

# Deletes a comment as its author's delete would, without asking who (CommentService.remove).
CommentRemover = Callable[[int], Awaitable[None]]


def reason_code(value: str | None) -> int:
    if value is None or not value.strip():
        return DEFAULT_REASON
    code = value.strip()
    if not code.isascii() or not code.isdigit() or int(code) not in REASONS:
        raise InvalidRequest(
            "A report's reason is 1 (doesn't belong), 2 (spam), 3 (abusive), 4 (mature not marked)"
            " or 5 (pornography)"
        )
    return int(code)


def comment_key(value: str | int) -> int:
    text = str(value)
    # Ids are positive integers that fit the column: anything else names no comment.
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise CommentNotFound(text)
    return int(text)


class ModerationService:
    def __init__(
        self,
        db: Database,
        gallery: GalleryService,
        *,
        hide_threshold: int = 5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.gallery = gallery
        self.hide_threshold = hide_threshold  # 0 or less: nothing is hidden by reports alone
        self.clock = clock
        self.comment_remover: CommentRemover | None = None

    def now(self) -> int:
        return int(self.clock())

    # ------------------------------------------------------------------------------------ reports

    async def report_post(
        self, subject: Subject, post_id: str, reason: str | None, *, kind: str | None = None
    ) -> None:
        """File the subject's report of a post (kind "image" or "album" asks for that kind only)."""
        account = await self.gallery.writer(subject)
        code = reason_code(reason)
        post = await self.gallery.get(post_id)
        if kind is not None and post.is_album != (kind == "album"):
            raise GalleryItemNotFound(post_id)
        await self._file(account, "post", post.id, code)

    async def report_comment(self, subject: Subject, comment_id: str, reason: str | None) -> None:
        account = await self.gallery.writer(subject)
        code = reason_code(reason)
        await self._file(account, "comment", comment_key(comment_id), code)

    async def _file(self, account: Account, kind: str, item: Item, code: int) -> None:
        async with self.db.transaction() as tx:
            found = await repo.lock_item(tx, kind, item)
            if found is None or found["deleted"]:
                raise GalleryItemNotFound(item) if kind == "post" else CommentNotFound(item)
            if await repo.has_open(tx, kind, item, account.id):
                return
            await repo.insert(tx, kind, item, account.id, code, self.now())
            n = await repo.recount(tx, kind, item)
            if 0 < self.hide_threshold <= n and not found["hidden"]:
                await repo.set_hidden(tx, kind, item, True)

    # -------------------------------------------------------------------------------- the queue

    async def admin(self, subject: Subject) -> Account:
        """The admin account behind a call to the moderation API, or why it is not one."""
        if subject.account_id is None:
            raise Forbidden("This method requires authentication")
        account = await account_repo.by_id(self.db, subject.account_id)
        if account is None:
            raise Forbidden("This method requires authentication")
        if not account.is_admin:
            raise AdminRequired()
        return account

    async def queue(self, *, status: str | None = "open", page: int = 0) -> list[Report]:
        """A page of reports: status "open" (the default), "resolved" or "all" (unknown: open)."""
        which = STATUSES.get((status or "open").lower(), "open")
        return await repo.queue(self.db, which, limit=PER_PAGE, offset=min(max(0, page), 100_000) * PER_PAGE)

    async def report(self, report_id: int | str) -> Report:
        text = str(report_id)
        found = await repo.get(self.db, int(text)) if text.isdigit() and len(text) <= 18 else None
        if found is None:
            raise ReportNotFound(text)
        return found

    async def resolve(self, actor: Account | None, report_id: int | str, resolution: str | None) -> int:
        """Review the item a report is about, closing every open report of it; returns how many were
        closed. dismiss: the item stays (and is shown again); remove: it is taken down."""
        choice = (resolution or "").strip().lower()
        if choice not in RESOLUTIONS:
            raise InvalidRequest("A resolution is dismiss or remove")
        found = await self.report(report_id)
        if found.status != "open":
            raise Conflict("This report is already resolved")
        if found.kind == "sender":
            return await self._resolve_sender(actor, found, choice)
        if choice == "remove":
            if found.kind == "post":
                return await self.remove_post(actor, found.item)
            return await self.remove_comment(actor, found.item)
        async with self.db.transaction() as tx:
            await repo.lock_item(tx, found.kind, found.item)
            closed = await repo.close(
                tx, found.kind, found.item, resolution="dismiss", resolved_by=_id(actor), now=self.now()
            )
            await repo.recount(tx, found.kind, found.item)
            await repo.set_hidden(tx, found.kind, found.item, False)
        return closed

    async def report_sender(self, reporter: Account, sender_id: int, reason: str | None) -> None:
        """File the reporter's report of an account for its messages (the messages service checked
        that it sent the reporter some). A second open one is accepted and changes nothing."""
        code = reason_code(reason)
        async with self.db.transaction() as tx:
            if not await repo.has_open_sender(tx, sender_id, reporter.id):
                await repo.insert_sender(tx, sender_id, reporter.id, code, self.now())

    async def _resolve_sender(self, actor: Account | None, found: Report, choice: str) -> int:
        """dismiss: the sender's reports close; remove: the sender is banned (it sends nothing more)."""
        sender = await account_repo.by_id(self.db, int(found.item))
        if choice == "remove" and sender is not None and not sender.banned:
            await self.ban(actor, sender.username)
        async with self.db.transaction() as tx:
            return await repo.close_sender(
                tx, int(found.item), resolution=choice, resolved_by=_id(actor), now=self.now()
            )

    async def remove_post(self, actor: Account | None, post_id: Item) -> int:
        """Take a post out of the gallery (the image or album stays); its reports go with it. Returns how
        many of them were open."""
        post = await self.gallery.get(str(post_id))
        n = await repo.open_count(self.db, "post", post.id)
        await self.gallery.remove(post.id)
        return n

    async def remove_comment(self, actor: Account | None, comment_id: Item) -> int:
        """Delete a comment as its author would (a comment with replies stays as deleted, its reports
        closed; one without goes, its reports with it). Returns how many reports were open. One its
        author deleted already only has its reports closed."""
        key = comment_key(comment_id)
        deleted = await repo.comment_deleted(self.db, key)
        if deleted is None:
            raise CommentNotFound(key)
        n = await repo.open_count(self.db, "comment", key)
        if not deleted:
            if self.comment_remover is None:
                raise ImghostError("Comments cannot be removed: no comment service")
            await self.comment_remover(key)
        async with self.db.transaction() as tx:
            await repo.close(tx, "comment", key, resolution="remove", resolved_by=_id(actor), now=self.now())
            await repo.recount(tx, "comment", key)
            await repo.set_hidden(tx, "comment", key, False)
        return n

    # ------------------------------------------------------------------------------ accounts

    async def ban(self, actor: Account | None, username: str) -> Account:
        """The account may read but not write (its tokens and sessions stay valid for reading)."""
        account = await self._account(username)
        if actor is not None:
            # An admin cannot lock out an admin (or themselves): the operator revokes the role first.
            if account.id == actor.id:
                raise InvalidRequest("You cannot ban yourself")
            if account.is_admin:
                raise Forbidden("Admins cannot be banned; the operator revokes the role first")
        await account_repo.update(self.db, account.id, {"banned": True})
        return account

    async def unban(self, actor: Account | None, username: str) -> Account:
        account = await self._account(username)
        await account_repo.update(self.db, account.id, {"banned": False})
        return account

    async def set_admin(self, username: str, admin: bool) -> Account:
        """The operator's grant (or revocation) of the admin role."""
        account = await self._account(username)
        await account_repo.update(self.db, account.id, {"role": "admin" if admin else "user"})
        return account

    async def _account(self, username: str) -> Account:
        account = await account_repo.by_name(self.db, username)
        if account is None:
            raise AccountNotFound(username)
        return account

    async def forget_account(self, account_id: int) -> None:
        """Before an account is deleted: its reports go (by cascade, and here first) and the counts of
        what it reported follow. An item no open report is left on is shown again: nothing is left to
        review."""
        async with self.db.transaction() as tx:
            items = await repo.reported_by(tx, account_id)
            await repo.delete_of_account(tx, account_id)
            # Posts before comments, each in one order: the order other changes take these locks in.
            for kind, item in sorted(items, key=lambda k: (k[0] != "post", str(k[1]))):
                if await repo.lock_item(tx, kind, item) is not None and not await repo.recount(
                    tx, kind, item
                ):
                    await repo.set_hidden(tx, kind, item, False)


def _id(actor: Account | None) -> int | None:
    return None if actor is None else actor.id
