"""The domain-event seam, in process: a comment on a post and a reply to a comment are published with the
right fields, once the comment is committed, and a failing handler neither fails the comment nor keeps
the other handlers from hearing of it."""

from __future__ import annotations

import asyncio

import pytest

from imghost.domain.events import CommentPosted, DomainEvent, ReplyPosted
from imghost.domain.gallery.service import ShareFields
from imghost.errors import InvalidRequest
from imghost.services import Services
from tests.inproc.conftest import InProc, inproc, postgres_template
from tests.inproc.helpers import app, put, user

__all__ = ["inproc", "postgres_template"]  # the in-process fixtures, used here


def test_comment_and_reply_events(inproc: InProc) -> None:
    async def body(svc: Services) -> None:
        anon = await app(svc)
        owner, alice, bob = [await user(svc, anon, p) for p in ("owner", "alice", "bob")]
        assert owner.account_id and alice.account_id and bob.account_id
        image = await put(svc, owner)
        await svc.gallery.share(owner, image.id, "image", ShareFields(title="a post", terms=True))

        seen: list[DomainEvent] = []
        committed: list[tuple[int, int]] = []

        async def broken(event: DomainEvent) -> None:
            raise RuntimeError("a handler that fails")

        async def record(event: DomainEvent) -> None:
            # A transaction of its own sees the comment and the post's count: the write has committed
            # (on SQLite, where one connection serves all, a handler inside it would wait forever).
            async def read() -> tuple[int, int]:
                async with svc.db.transaction() as tx:
                    assert isinstance(event, CommentPosted | ReplyPosted)
                    cid = event.comment_id
                    n = await tx.fetch_value("SELECT COUNT(*) FROM comments WHERE id = :id", {"id": cid})
                    total = await tx.fetch_value(
                        "SELECT comment_count FROM gallery_posts WHERE id = :p", {"p": image.id}
                    )
                    return int(n), int(total)

            committed.append(await asyncio.wait_for(read(), 10))
            seen.append(event)

        svc.events.subscribe(CommentPosted, broken)
        svc.events.subscribe(CommentPosted, record)
        svc.events.subscribe(ReplyPosted, record)

        top = await svc.comments.create(alice, image.id, "first")
        reply = await svc.comments.create(bob, image.id, "a reply", top.id)
        own = await svc.comments.create(alice, image.id, "answering myself", reply.id)
        with pytest.raises(InvalidRequest):
            await svc.comments.create(bob, image.id, "   ")
        await svc.comments.vote(bob, top.id, "up")
        await svc.comments.delete(alice, own.id)

        assert seen == [
            CommentPosted(
                comment_id=top.id,
                post_id=image.id,
                post_owner_id=owner.account_id,
                author_id=alice.account_id,
            ),
            ReplyPosted(
                comment_id=reply.id,
                parent_id=top.id,
                parent_author_id=alice.account_id,
                author_id=bob.account_id,
                post_id=image.id,
            ),
            ReplyPosted(
                comment_id=own.id,
                parent_id=reply.id,
                parent_author_id=bob.account_id,
                author_id=alice.account_id,
                post_id=image.id,
            ),
        ]
        assert committed == [(1, 1), (1, 2), (1, 3)]

    inproc.run(body)
