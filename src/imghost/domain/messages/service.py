"""Private messages: one store of conversations between two accounts, read through the 2012 message
routes and the later conversation routes alike.

A pair of accounts has at most one conversation; it is also the 2012 "thread", whose id is its first
message's id (every message's parent_id). Deleting is for the caller only: a message it deletes, or a
conversation it clears, stays for the other side. Only the two parties read a conversation or its
messages; anyone else is told there is no such thing.

A send refuses (MessagingClosed, 403, the same wording either way) when the recipient closed its inbox
(messaging_enabled false) or blocked the sender: the sender learns that its message was not
delivered, never which of the two it was. Sending to someone the sender blocked is refused too (lift
the block first), so that a block never leaves a conversation one-sided.

Anti-abuse: an account sends at most per_hour messages an hour and starts at most conversations_per_hour
new conversations an hour, counted from the rows under a lock of both parties' account rows (in id
order), so concurrent sends cannot pass the limits together and two first messages of a pair make
one conversation. A MessageSent event follows each commit (domain/events.py)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from imghost.auth import Subject
from imghost.db.database import Connection, Database, Row
from imghost.domain.accounts import repository as account_repo
from imghost.domain.accounts.model import Account
from imghost.domain.events import Events, MessageSent
from imghost.domain.gallery.service import GalleryService
from imghost.domain.messages import repository as repo
from imghost.domain.messages.model import Conversation, Message, Party
from imghost.domain.text import clean
from imghost.errors import (
    AccountNotFound,
    Banned,
    ConversationNotFound,
    Forbidden,
    InvalidRequest,
    MessageNotFound,
    MessageRateLimited,
    MessagingClosed,
)
from imghost.ids import row_number

HOUR = 3600
PAGE = 25  # messages per conversation page
LIST_PAGE = 50  # conversations, threads and ids per page
MAX_SUBJECT = 255

# Files a report of a sender into the moderation queue: (reporter, sender id, reason).
SenderReporter = Callable[[Account, int, str | None], Awaitable[None]]


def number(value: str | int, missing: type[MessageNotFound] | type[ConversationNotFound]) -> int:
    """An id from a path segment or a parameter; the not-found error when it cannot be one."""
    found = row_number(str(value).strip())
    if found is None:
        raise missing(value)
    return found


class MessageService:
    def __init__(
        self,
        db: Database,
        gallery: GalleryService,
        events: Events,
        *,
        clock: Callable[[], float] = time.time,
        max_length: int = 5_000,
        per_hour: int = 60,
        conversations_per_hour: int = 10,
    ) -> None:
        self.db = db
        self.gallery = gallery
        self.events = events
        self.clock = clock
        self.max_length = max_length
        self.per_hour = per_hour  # 0: no limit
        self.conversations_per_hour = conversations_per_hour  # 0: no limit
        self.reporter: SenderReporter | None = None  # set at start-up (the moderation service)
        # Called with (blocker, blocked) after a block is placed: the notifications service forgets
        # what the blocked account caused.
        self.after_block: list[Callable[[int, int], Awaitable[None]]] = []

    def now(self) -> int:
        return int(self.clock())

    # -------------------------------------------------------------------------------------- who

    async def reader(self, subject: Subject) -> Account:
        """The signed-in account reading its messages (a banned one still reads)."""
        if subject.account_id is None:
            raise Forbidden("This method requires authentication")
        account = await account_repo.by_id(self.db, subject.account_id)
        if account is None:
            raise Forbidden("This method requires authentication")
        return account

    @staticmethod
    def reader_id(subject: Subject) -> int:
        """The signed-in account's id, for the hot reads: the edge resolved the token together with its
        account a moment ago (and an account's deletion takes its tokens and conversations along), so
        reading the account row again would add a query and change no answer."""
        if subject.account_id is None:
            raise Forbidden("This method requires authentication")
        return subject.account_id

    async def _other(self, username: str) -> Account:
        found = await account_repo.by_name(self.db, username)
        if found is None:
            raise AccountNotFound(username)
        return found

    async def _party(self, account: Account, conversation_id: str | int) -> Party:
        found = await repo.party(self.db, number(conversation_id, ConversationNotFound), account.id)
        if found is None:
            raise ConversationNotFound(conversation_id)
        return found

    async def _message(self, account: Account, message_id: str | int) -> tuple[Message, Party]:
        """A message the account sees (a party that did not delete it)."""
        found = await repo.get(self.db, number(message_id, MessageNotFound))
        if found is not None:
            party = await repo.party(self.db, found.conversation_id, account.id)
            if party is not None and await repo.is_visible(self.db, party, found.id):
                return found, party
        raise MessageNotFound(message_id)

    # -------------------------------------------------------------------------------------- reads

    async def conversations(self, subject: Subject, page: int = 0) -> list[Conversation]:
        """The caller's conversations, the latest activity first (LIST_PAGE a page)."""
        account_id = self.reader_id(subject)
        return await repo.summaries(self.db, account_id, limit=LIST_PAGE, offset=max(page, 0) * LIST_PAGE)

    async def listing(self, subject: Subject, page: int = 0) -> list[Row]:
        """The conversation list as rows (repository `listed`): GET /3/conversations, where building a
        Conversation and its Message for each of fifty rows cost more than the query."""
        account_id = self.reader_id(subject)
        return await repo.listed(self.db, account_id, limit=LIST_PAGE, offset=max(page, 0) * LIST_PAGE)

    async def conversation(
        self, subject: Subject, conversation_id: str | int, page: int = 1, offset: int = 0
    ) -> Conversation:
        """One conversation with PAGE of its messages in reading order (page 1 is the first), after
        skipping `offset` of them; done when no message follows the page."""
        account_id = self.reader_id(subject)
        found = await repo.summary(self.db, number(conversation_id, ConversationNotFound), account_id)
        if found is None:
            raise ConversationNotFound(conversation_id)
        summary, party = found
        page, offset = max(page, 1), max(offset, 0)
        start = offset + (page - 1) * PAGE
        rows = await repo.visible(self.db, party, limit=PAGE + 1, offset=start)
        summary.messages = rows[:PAGE]
        summary.done = len(rows) <= PAGE
        summary.page = page
        return summary

    async def everything(self, account_id: int) -> list[Conversation]:
        """Every conversation of the account with every message it sees, oldest message first (the
        data export): what a reader would page through, read to the end."""
        subject = Subject(client_id=None, account_id=account_id)
        out: list[Conversation] = []
        page = 0
        while batch := await self.conversations(subject, page):
            for summary in batch:
                messages: list[Message] = []
                n = 1
                while True:
                    part = await self.conversation(subject, summary.id, n)
                    messages += part.messages
                    if part.done:
                        break
                    n += 1
                summary.messages = messages
                out.append(summary)
            page += 1
        return out

    async def threads(self, subject: Subject, page: int = 0) -> list[Message]:
        """GET /messages: the latest message of every conversation, newest first (LIST_PAGE a page)."""
        return [c.last for c in await self.conversations(subject, page)]

    async def message_ids(self, subject: Subject, page: int = 0) -> list[int]:
        account = await self.reader(subject)
        return await repo.ids_of(self.db, account.id, limit=LIST_PAGE, offset=max(page, 0) * LIST_PAGE)

    async def count(self, subject: Subject) -> int:
        return await repo.count_of(self.db, (await self.reader(subject)).id)

    async def message(self, subject: Subject, message_id: str | int) -> Message:
        found, _ = await self._message(await self.reader(subject), message_id)
        return found

    async def thread(self, subject: Subject, message_id: str | int) -> list[Message]:
        """The whole conversation the message is in (the caller's view of it), oldest first. The id is
        the thread's first message's, as 2012 clients send it, or any other message of it."""
        account = await self.reader(subject)
        found = await repo.get(self.db, number(message_id, MessageNotFound))
        party = None if found is None else await repo.party(self.db, found.conversation_id, account.id)
        rows = [] if party is None else await repo.visible(self.db, party)
        if not rows:
            raise MessageNotFound(message_id)
        return rows

    # ------------------------------------------------------------------------------------- writes

    async def send(
        self,
        subject: Subject,
        recipient: str | None,
        body: str | None,
        *,
        title: str | None = None,
        parent_id: str | int | None = None,
    ) -> Message:
        """A message from the caller to `recipient` (a username); with parent_id, a reply in the
        conversation of that message, whose other party is then the recipient when none is named."""
        sender = await self.gallery.writer(subject)
        text = (clean(body) or "").strip()
        if not text:
            raise InvalidRequest("A message cannot be empty")
        if len(text) > self.max_length:
            raise InvalidRequest(f"Messages are at most {self.max_length} characters")
        heading = (clean(title) or "").strip() or None
        if heading is not None and len(heading) > MAX_SUBJECT:
            raise InvalidRequest(f"Subjects are at most {MAX_SUBJECT} characters")
        name = (recipient or "").strip()
        if parent_id not in (None, "", "0", 0):
            assert parent_id is not None
            _, party = await self._message(sender, parent_id)
            if name and name.lower() != party.with_account.lower():
                raise InvalidRequest("The parent message is in a conversation with someone else")
            name = party.with_account
        if not name:
            raise InvalidRequest("A message needs a recipient")
        to = await self._other(name)
        if to.id == sender.id:
            raise InvalidRequest("You cannot send a message to yourself")
        if await repo.is_blocked(self.db, sender.id, to.id):
            raise InvalidRequest("You blocked this user: unblock them to send a message")
        now = self.now()
        async with self.db.transaction() as tx:
            if await repo.lock_accounts(tx, [sender.id, to.id]) < 2:
                raise AccountNotFound(name)
            if await repo.is_banned(tx, sender.id):
                raise Banned()
            current = await account_repo.by_id(tx, to.id)
            if (
                current is None
                or not current.messaging_enabled
                or await repo.is_blocked(tx, to.id, sender.id)
            ):
                raise MessagingClosed()
            await self._check_rate(tx, sender.id, now)
            conversation_id = await repo.pair(tx, sender.id, to.id)
            if conversation_id is None:
                await self._check_new(tx, sender.id, now)
                conversation_id = await repo.create(tx, sender.id, to.id, now)
            new_id = await repo.insert(tx, conversation_id, sender.id, heading, text, now)
            await repo.touch(tx, conversation_id, new_id)
        await self.events.publish(
            MessageSent(
                message_id=new_id, conversation_id=conversation_id, sender_id=sender.id, recipient_id=to.id
            )
        )
        found = await repo.get(self.db, new_id)
        assert found is not None
        return found

    async def _check_rate(self, tx: Connection, account_id: int, now: int) -> None:
        if self.per_hour > 0:
            sent, oldest = await repo.sent_since(tx, account_id, now - HOUR)
            if sent >= self.per_hour and oldest is not None:
                raise MessageRateLimited("sending messages", max(oldest + HOUR - now, 1))

    async def _check_new(self, tx: Connection, account_id: int, now: int) -> None:
        if self.conversations_per_hour > 0:
            started, oldest = await repo.started_since(tx, account_id, now - HOUR)
            if started >= self.conversations_per_hour and oldest is not None:
                raise MessageRateLimited("starting conversations", max(oldest + HOUR - now, 1))

    async def delete_message(self, subject: Subject, message_id: str | int) -> None:
        """Gone for the caller; the other side keeps it."""
        account = await self.reader(subject)
        found, _ = await self._message(account, message_id)
        async with self.db.transaction() as tx:
            await repo.mark_deleted(tx, found.id, account.id)

    async def delete_conversation(self, subject: Subject, conversation_id: str | int) -> None:
        """Every message so far gone for the caller; a new message brings the conversation back."""
        account = await self.reader(subject)
        party = await self._party(account, conversation_id)
        async with self.db.transaction() as tx:
            await repo.clear(tx, party.conversation_id, account.id)

    async def report(self, subject: Subject, username: str, reason: str | None = None) -> None:
        """Report an account for the messages it sent the caller (into the moderation queue)."""
        account = await self.gallery.writer(subject)
        sender = await self._other(username)
        conversation_id = await repo.pair(self.db, account.id, sender.id) if sender.id != account.id else None
        # Deleting what it sent first does not keep the reporter from reporting it.
        if conversation_id is None or not await repo.has_sent(self.db, conversation_id, sender.id):
            raise InvalidRequest("This user has sent you no messages")
        assert self.reporter is not None
        await self.reporter(account, sender.id, reason)

    # ------------------------------------------------------------------------------------- blocks

    async def block(self, subject: Subject, username: str) -> None:
        account = await self.gallery.writer(subject)
        other = await self._other(username)
        if other.id == account.id:
            raise InvalidRequest("You cannot block yourself")
        async with self.db.transaction() as tx:
            await repo.block(tx, account.id, other.id, self.now())
        for hook in self.after_block:
            await hook(account.id, other.id)

    async def unblock(self, subject: Subject, username: str) -> None:
        account = await self.reader(subject)
        other = await self._other(username)
        async with self.db.transaction() as tx:
            await repo.unblock(tx, account.id, other.id)

    async def is_blocked(self, subject: Subject, username: str) -> bool:
        account = await self.reader(subject)
        return await repo.is_blocked(self.db, account.id, (await self._other(username)).id)

    async def blocked_users(self, account_id: int) -> list[tuple[int, str]]:
        return await repo.blocked_by(self.db, account_id)

    # -------------------------------------------------------------------------------- cascades

    async def forget_account(self, account_id: int) -> None:
        """Before an account is deleted: its conversations (both sides'), blocks and reports of it."""
        async with self.db.transaction() as tx:
            await repo.forget_account(tx, account_id)
