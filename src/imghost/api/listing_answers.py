"""Visitors' gallery listings, kept as the bytes they were answered with.

A listing asked with a Client-ID and no token shows nothing of the caller's (no `vote`, no `favorite`, no
owner's fields), so every such caller of one URL gets the same answer, and it costs ten times more to
compute (seven queries, a page of models, JSON) than to send. Each server process keeps that answer under
the gallery's listing version (migration 0012: a number that every committed write changing a listing
moves, in the write's own transaction, by database triggers), and reads the version afresh on every
request: one tiny row. So a share, an unshare, a deletion (cascades included), a comment, a favourite, a
tag, an edit, a rename, a report hiding a post, committed by any process against the same database (or
by the command line), is in the very next listing anyone gets, from every process. The web's visitor
pages can be a moment old (web/gallery_pages.py: they are for people); API clients script sequences like
"share, then list", so this is exact rather than time-bound.

Two things are bounded by time instead, Settings.gallery_listing_seconds (1 s by default; 0 computes
every listing afresh): vote counts, with the order they make, and views counts. Votes come hundreds a
second on a busy gallery, and an answer invalidated by each would never be answered twice: under a vote
storm every listing would be computed again, and the votes' own traffic would make that slower still.
Views are counted in memory and written every few seconds (Settings.views_flush_seconds), so a listing's
views were never fresher than that across processes. A kept answer is used for at most that many seconds
from the moment its version was read; the vote a caller just cast shows on the post itself (GET
/3/gallery/{id}, and /votes) at once, and in listings within that bound.

Signed-in callers (a bearer token) get their own `vote` and `favorite` in every item: computed per
request as before, never kept. Kept answers are bounded in bytes, the least recently used going first;
an answer made under an older version than the one kept for the same listing never replaces it."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from imghost.api.deps import services
from imghost.api.envelope import JSON

MAX_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Kept:
    version: int
    made: float  # time.monotonic() when the version it was made at was read
    body: bytes


class ListingAnswers:
    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._kept: OrderedDict[Hashable, Kept] = OrderedDict()
        self._bytes = 0
        self._flying: dict[Hashable, tuple[int, asyncio.Future[bytes]]] = {}

    def get(self, key: Hashable, version: int, *, now: float, seconds: float) -> bytes | None:
        kept = self._kept.get(key)
        if kept is None or kept.version != version or now - kept.made >= seconds:
            return None
        self._kept.move_to_end(key)
        return kept.body

    async def made_once(
        self, key: Hashable, version: int, started: float, make: Callable[[], Awaitable[bytes]]
    ) -> bytes:
        """make() for this listing at this version, once however many ask at the same moment (when a kept
        answer runs out under load, fifty requests would otherwise all compute the same page)."""
        flying = self._flying.get(key)
        if flying is not None and flying[0] == version:
            try:
                return await asyncio.shield(flying[1])
            except asyncio.CancelledError:
                if not flying[1].cancelled():
                    raise  # this request itself was cancelled
                # the request making it was: make it here
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_retrieved)
        self._flying[key] = (version, future)
        try:
            body = await make()
        except Exception as exc:
            future.set_exception(exc)
            raise
        except BaseException:
            future.cancel()
            raise
        else:
            future.set_result(body)
            self.put(key, Kept(version, started, body))
            return body
        finally:
            if self._flying.get(key, (0, None))[1] is future:
                del self._flying[key]

    def put(self, key: Hashable, kept: Kept) -> None:
        old = self._kept.get(key)
        if old is not None:
            if old.version > kept.version:
                return
            self._bytes -= len(old.body)
        self._kept[key] = kept
        self._kept.move_to_end(key)
        self._bytes += len(kept.body)
        while self._bytes > self.max_bytes and self._kept:
            _, gone = self._kept.popitem(last=False)
            self._bytes -= len(gone.body)


def _retrieved(future: asyncio.Future[bytes]) -> None:
    """The requests waiting on a failed make() each get its error; none waiting is no warning either."""
    if not future.cancelled():
        future.exception()


def store(request: Request, name: str) -> ListingAnswers:
    """The app's store called `name` (one per app: two apps in one process never share answers)."""
    state = request.app.state
    answers: ListingAnswers | None = getattr(state, name, None)
    if answers is None:
        answers = ListingAnswers()
        setattr(state, name, answers)
    return answers


async def answered(
    answers: ListingAnswers,
    key: Hashable,
    version: Callable[[], Awaitable[int]],
    seconds: float,
    make: Callable[[], Awaitable[bytes]],
) -> Response:
    """The answer for `key`: kept under the version read now, at most `seconds` old, or made now (and
    kept). seconds <= 0 makes every answer afresh. The version is read before anything is made, so a
    kept answer is never older than the version it is kept under."""
    if seconds <= 0:
        return Response(await make(), media_type=JSON)
    started = time.monotonic()
    current = await version()
    body = answers.get(key, current, now=started, seconds=seconds)
    if body is None:
        body = await answers.made_once(key, current, started, make)
    return Response(body, media_type=JSON)


async def kept_answer(request: Request, key: Hashable, make: Callable[[], Awaitable[bytes]]) -> Response:
    """The visitor's answer for `key` (everything the listing's URL says), kept or made now."""
    svc = services(request)
    return await answered(
        store(request, "listing_answers"),
        key,
        svc.gallery.listing_version,
        svc.settings.gallery_listing_seconds,
        make,
    )
