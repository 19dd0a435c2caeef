"""In process: a MessageSent event follows each stored message (after its commit, with both parties),
none follows a refused one, and two first messages of a pair sent at once make one conversation."""

from __future__ import annotations

import asyncio

import pytest

from imghost.domain.events import DomainEvent, MessageSent
from imghost.errors import InvalidRequest, MessagingClosed
from imghost.services import Services
from tests.inproc.conftest import InProc, inproc, postgres_template
from tests.inproc.helpers import app, user

__all__ = ["inproc", "postgres_template"]  # the in-process fixtures, used here


def test_message_sent_events(inproc: InProc) -> None:
    async def body(svc: Services) -> None:
        anon = await app(svc)
        alice, bob = [await user(svc, anon, p) for p in ("alice", "bob")]
        assert alice.account_id and bob.account_id and alice.username and bob.username
        seen: list[DomainEvent] = []
        stored: list[int] = []

        async def record(event: DomainEvent) -> None:
            assert isinstance(event, MessageSent)

            async def read() -> int:
                async with svc.db.transaction() as tx:
                    n = await tx.fetch_value(
                        "SELECT COUNT(*) FROM messages WHERE id = :id", {"id": event.message_id}
                    )
                    return int(n)

            stored.append(await asyncio.wait_for(read(), 10))
            seen.append(event)

        svc.events.subscribe(MessageSent, record)
        first = await svc.messages.send(alice, bob.username, "hello")
        second = await svc.messages.send(bob, None, "hi", parent_id=first.id)
        with pytest.raises(InvalidRequest):
            await svc.messages.send(bob, alice.username, "  ")
        await svc.messages.block(alice, bob.username)
        with pytest.raises(MessagingClosed):
            await svc.messages.send(bob, alice.username, "blocked")
        assert seen == [
            MessageSent(
                message_id=first.id,
                conversation_id=first.conversation_id,
                sender_id=alice.account_id,
                recipient_id=bob.account_id,
            ),
            MessageSent(
                message_id=second.id,
                conversation_id=first.conversation_id,
                sender_id=bob.account_id,
                recipient_id=alice.account_id,
            ),
        ]
        assert stored == [1, 1]

    inproc.run(body)


def test_two_first_messages_at_once_make_one_conversation(inproc: InProc) -> None:
    async def body(svc: Services) -> None:
        anon = await app(svc)
        for _ in range(5):
            alice, bob = [await user(svc, anon, p) for p in ("alice", "bob")]
            assert alice.username and bob.username
            sent = await asyncio.gather(
                *(svc.messages.send(alice, bob.username, f"a{n}") for n in range(3)),
                *(svc.messages.send(bob, alice.username, f"b{n}") for n in range(3)),
            )
            assert len({m.conversation_id for m in sent}) == 1
            (listed,) = await svc.messages.conversations(alice)
            assert listed.message_count == 6

    inproc.run(body)


def test_lists_page_by_fifty(inproc: InProc) -> None:
    async def body(svc: Services) -> None:
        anon = await app(svc)
        me = await user(svc, anon, "me")
        assert me.username
        senders = [await user(svc, anon, "s") for _ in range(51)]
        for n, who in enumerate(senders):
            await svc.messages.send(who, me.username, f"m{n}")
        first, second, third = [await svc.messages.conversations(me, page) for page in (0, 1, 2)]
        assert [c.last.body for c in first + second] == [f"m{n}" for n in reversed(range(51))]
        assert (len(first), len(second), third) == (50, 1, [])
        assert [m.body for m in await svc.messages.threads(me, 1)] == ["m0"]
        assert len(await svc.messages.message_ids(me, 0)) == 50
        assert await svc.messages.message_ids(me, 1) == [second[0].last.id]
        assert await svc.messages.count(me) == 51

    inproc.run(body)
