"""An account's inbox answers (its notification lists, its conversation list, its conversations' pages),
kept as the bytes they were answered with.

Fifty replies with their comments and fifty messages with their conversations cost five times more to
compute (queries over four tables, a hundred objects, JSON) than a kept answer costs to send, and an inbox
is read far more often than it changes: clients poll it. Each server process keeps the caller's answer
under the account's inbox version (migration 0014: a number that every committed write changing what these
routes show moves, in the write's own transaction, by database triggers, cascades included) and reads the
version afresh on every request: one tiny row. So a notification made, marked viewed or deleted, a message
sent or deleted, a vote on a notified comment, a rename, committed by any process against the same
database, is in the very next answer the account gets from every process. Nothing here is bounded by time
but the life of a kept answer (Settings.inbox_answer_seconds; 0 computes every answer afresh).

Answers are kept per account (the key starts with the account id, which the edge resolved from the
caller's token): one account's answer is never another's. An error is never kept. The store is the
gallery's (api/listing_answers.py: bounded in bytes, least recently used first, one computation however
many ask at once), a second one, so that visitors' listings and inboxes never push each other out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from functools import partial

from starlette.requests import Request
from starlette.responses import Response

from imghost.api.deps import services, subject
from imghost.api.envelope import JSON
from imghost.api.listing_answers import answered, store


async def kept_inbox_answer(
    request: Request, key: tuple[Hashable, ...], make: Callable[[], Awaitable[bytes]]
) -> Response:
    """The signed-in caller's answer for `key` (the route and everything its URL says), kept or made now.
    Without a signed-in account make() answers (and refuses) as it would."""
    svc = services(request)
    account_id = subject(request).account_id
    if account_id is None:
        return Response(await make(), media_type=JSON)
    return await answered(
        store(request, "inbox_answers"),
        (account_id, *key),
        partial(svc.notifications.inbox_version, account_id),
        svc.settings.inbox_answer_seconds,
        make,
    )
