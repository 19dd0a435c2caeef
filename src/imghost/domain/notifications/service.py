"""Notifications: made from the community's and the messages' events (domain/events.py), stored per
recipient with `viewed`, read and marked only by their recipient.

What deserves one: a reply to an account's comment (kind reply), a comment on its post (kind comment)
and a message to it (kind message, one unviewed row per conversation that moves to the latest
message). Never for an account's own actions, never from an account the recipient blocks (checked in
the insert itself, and a new block removes what the blocked account caused). Viewed stays viewed.

Whoever wants to hear that an account's notifications changed (the live event stream of the web
front end) appends a listener: it is called with the account id after each commit that made or
marked one, in the process that did it; a listener's failure is logged and forgotten."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from imghost.auth import Subject
from imghost.db.database import Database, Row
from imghost.domain.comments.service import CommentService
from imghost.domain.events import CommentPosted, Events, MessageSent, ReplyPosted
from imghost.domain.notifications import repository as repo
from imghost.domain.notifications.model import COMMENT, REPLY, Notification
from imghost.errors import Forbidden, NotificationNotFound

log = logging.getLogger(__name__)

PAGE = 50  # notifications per kind and page
UNREAD_CAP = 100  # the count stops here ("99+")

Listener = Callable[[int], Awaitable[None]]


class NotificationService:
    def __init__(
        self,
        db: Database,
        events: Events,
        comments: CommentService,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.comments = comments
        self.clock = clock
        self.listeners: list[Listener] = []
        comments.after_remove.append(self.forget_comment)
        events.subscribe(CommentPosted, self._on_comment)
        events.subscribe(ReplyPosted, self._on_reply)
        events.subscribe(MessageSent, self._on_message)

    def now(self) -> int:
        return int(self.clock())

    async def _changed(self, account_id: int) -> None:
        for listener in self.listeners:
            try:
                await listener(account_id)
            except Exception:
                log.exception("notification listener failed")

    # ------------------------------------------------------------------------------- the events

    async def _on_comment(self, event: CommentPosted) -> None:
        if event.post_owner_id == event.author_id:
            return
        async with self.db.transaction() as tx:
            made = await repo.add_comment(
                tx, event.post_owner_id, COMMENT, event.author_id, event.comment_id, self.now()
            )
        if made is not None:
            await self._changed(event.post_owner_id)

    async def _on_reply(self, event: ReplyPosted) -> None:
        if event.parent_author_id is None or event.parent_author_id == event.author_id:
            return
        async with self.db.transaction() as tx:
            made = await repo.add_comment(
                tx, event.parent_author_id, REPLY, event.author_id, event.comment_id, self.now()
            )
        if made is not None:
            await self._changed(event.parent_author_id)

    async def _on_message(self, event: MessageSent) -> None:
        if event.recipient_id == event.sender_id:
            return
        async with self.db.transaction() as tx:
            made = await repo.add_message(
                tx, event.recipient_id, event.sender_id, event.conversation_id, event.message_id, self.now()
            )
        if made is not None:
            await self._changed(event.recipient_id)

    # ---------------------------------------------------------------------------------- reading

    @staticmethod
    def recipient(subject: Subject) -> int:
        """The signed-in account whose notifications these are (a banned account still reads)."""
        if subject.account_id is None:
            raise Forbidden("This method requires authentication")
        return subject.account_id

    async def inbox_version(self, account_id: int) -> int:
        """A number that moves with every committed change to what the account's notification lists,
        conversation list and conversations show (the key of their kept answers)."""
        return await repo.inbox_version(self.db, account_id)

    async def listing(
        self, subject: Subject, *, replies: bool, new_only: bool = True, page: int = 0
    ) -> list[Row]:
        """One page of one kind (replies, or messages), newest first, as the rows of one query: each
        carries its notification (n_id, n_account_id, n_kind, n_viewed, n_created_at) and its
        content's columns (the comment's, with the recipient's vote and the album cover; or the
        message's, with the conversation's other party and size). Rows, not records: on the lists'
        hot path building the records cost more than the query."""
        account_id = self.recipient(subject)
        read = repo.reply_listing if replies else repo.message_listing
        return await read(self.db, account_id, new_only=new_only, limit=PAGE, offset=max(page, 0) * PAGE)

    async def entry(self, subject: Subject, notification_id: int) -> Row:
        """One notification as the lists give it (its row with its content's columns)."""
        account_id = self.recipient(subject)
        found = await self.get(account_id, notification_id)
        read = repo.reply_listing if found.is_reply else repo.message_listing
        rows = await read(self.db, account_id, new_only=False, limit=1, offset=0, only=found.id)
        if not rows:
            raise NotificationNotFound(notification_id)
        return rows[0]

    async def get(self, account_id: int, notification_id: int) -> Notification:
        found = await repo.get(self.db, account_id, notification_id)
        if found is None:
            raise NotificationNotFound(notification_id)
        return found

    async def unread(self, account_id: int) -> int:
        """Unviewed notifications, up to UNREAD_CAP."""
        return await repo.unread(self.db, account_id, UNREAD_CAP)

    # ---------------------------------------------------------------------------------- marking

    async def mark_viewed(self, account_id: int, ids: Sequence[int]) -> int:
        """Marks the recipient's own among ids; returns how many rows were its own (others' ids and
        unknown ones change nothing and say nothing)."""
        async with self.db.transaction() as tx:
            changed = await repo.mark_viewed(tx, account_id, sorted(set(ids)))
        if changed:
            await self._changed(account_id)
        return changed

    async def mark_all_viewed(self, account_id: int) -> int:
        async with self.db.transaction() as tx:
            changed = await repo.mark_all_viewed(tx, account_id)
        if changed:
            await self._changed(account_id)
        return changed

    async def mark_conversation_viewed(self, account_id: int, conversation_id: int) -> None:
        """The recipient read the conversation: its message notification is viewed."""
        async with self.db.transaction() as tx:
            changed = await repo.mark_conversation_viewed(tx, account_id, conversation_id)
        if changed:
            await self._changed(account_id)

    async def forget_comment(self, comment_id: int) -> None:
        async with self.db.transaction() as tx:
            whose = await repo.forget_comment(tx, comment_id)
        for account_id in whose:
            await self._changed(account_id)

    async def forget_from(self, account_id: int, blocked_id: int) -> None:
        """account_id blocked blocked_id: what the blocked account caused leaves its notifications."""
        async with self.db.transaction() as tx:
            changed = await repo.forget_from(tx, account_id, blocked_id)
        if changed:
            await self._changed(account_id)
