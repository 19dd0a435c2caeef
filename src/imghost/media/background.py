"""The work of an UploadWriter, fed from the event loop and run off it, in two lanes.

Hashing a 4 MB photo costs about 2.7 ms of CPU and writing it about 1.5 ms. Both release the GIL, so the
hash runs in one lane and the write in another, side by side on worker threads, while the event loop
goes on receiving and parsing. Each lane keeps its pieces in order; the loop waits (drain) only when more
than MAX_PENDING bytes are queued on either, so a slow disk cannot make a fast client fill the memory."""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO

from imghost.media.digest import HeaderRewriter, Piece, StreamDigest

MAX_PENDING = 8 * 1024 * 1024


# Shared by every upload of the process: starting two threads per upload costs more than the hand-over.
# A lane never waits for another lane, so a busy pool only delays work, it cannot deadlock.
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="upload-io")


class _Lane:
    """Applies `work` to pieces in the order they were queued, on the shared pool, one at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop, work: Callable[[Piece], object],
                 last: Callable[[], object]) -> None:
        self._loop = loop
        self._work = work
        self._last = last
        self._items: deque[Piece | None] = deque()
        self._lock = threading.Lock()
        self._running = False
        self.pending = 0
        self.waiter: asyncio.Future[None] | None = None
        self.error: BaseException | None = None
        self.done: Future[None] = Future()

    def put(self, piece: Piece | None) -> None:
        with self._lock:
            if piece is not None:
                self.pending += len(piece)
            self._items.append(piece)
            if self._running:
                return
            self._running = True
        _POOL.submit(self._drain)

    def wait_below(self, limit: int) -> asyncio.Future[None] | None:
        """None when at most `limit` bytes are queued (or the lane is done), else a future for that."""
        with self._lock:
            if self.pending <= limit or self.done.done():
                return None
            self.waiter = self._loop.create_future()
            return self.waiter

    def join(self) -> None:
        try:
            self.done.result()
        except BaseException:
            pass  # the caller is already handling a failure of its own

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._items:
                    self._running = False
                    return
                piece = self._items.popleft()
            if piece is None:
                self._close()
                return
            if self.error is None:
                try:
                    self._work(piece)
                except BaseException as exc:  # reported through wait() and the next write()
                    self.error = exc
            with self._lock:
                self.pending -= len(piece)
                waiter = self.waiter if self.pending <= MAX_PENDING else None
                if waiter is not None:
                    self.waiter = None
            if waiter is not None:
                self._wake(waiter)

    def _close(self) -> None:
        try:
            self._last()
        except BaseException as exc:
            self.error = self.error or exc
        if self.error is not None:
            self.done.set_exception(self.error)
        else:
            self.done.set_result(None)
        with self._lock:
            waiter, self.waiter = self.waiter, None
        if waiter is not None:
            self._wake(waiter)

    def _wake(self, waiter: asyncio.Future[None]) -> None:
        try:
            self._loop.call_soon_threadsafe(_resolve, waiter)
        except RuntimeError:
            pass  # the loop has closed: nobody is waiting any more


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class PendingDigest:
    """The digest of a hash lane that may still be at work: reading it waits for the lane, so read it on a
    worker thread (prepare() does), never on the event loop."""

    def __init__(self, digest: StreamDigest, done: Future[None]) -> None:
        self._digest = digest
        self._done = done

    @property
    def size(self) -> int:
        self._done.result()
        return self._digest.size

    def hexdigest(self) -> str:
        self._done.result()
        return self._digest.hexdigest()


class BackgroundWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.rewriter = HeaderRewriter()
        self._digest = StreamDigest()
        # The file is created on the write lane: a creation on a busy disk can take longer than parsing the
        # body does, and the loop has better things to do than wait for it.
        self._f: IO[bytes] | None = None
        loop = asyncio.get_running_loop()
        self._hash = _Lane(loop, self._digest.update, lambda: None)
        self._write = _Lane(loop, self._write_piece, self._close)
        self._lanes = (self._hash, self._write)
        self.digest = PendingDigest(self._digest, self._hash.done)
        self._finished = False

    def _write_piece(self, piece: Piece) -> None:
        if self._f is None:
            self._f = open(self.path, "wb")
        self._f.write(piece)

    def _close(self) -> None:
        if self._f is None:  # nothing was written: the upload is an empty file
            self._f = open(self.path, "wb")
        self._f.close()

    def write(self, chunk: Piece) -> None:
        """Queue a chunk (on the loop, also from synchronous parser callbacks)."""
        for lane in self._lanes:
            if lane.error is not None:
                raise lane.error  # a thread failed: say so now rather than queue the rest of the body
        for piece in self.rewriter.feed(chunk):
            for lane in self._lanes:
                lane.put(piece)

    def finish(self) -> None:
        """No more chunks. Synchronous, so a parser callback can call it; wait() collects the result."""
        if self._finished:
            return
        self._finished = True
        for piece in self.rewriter.end():
            for lane in self._lanes:
                lane.put(piece)
        for lane in self._lanes:
            lane.put(None)

    async def drain(self) -> None:
        for lane in self._lanes:
            while (waiter := lane.wait_below(MAX_PENDING)) is not None:
                await waiter

    async def written(self) -> None:
        """The file is complete (the hash may still be running: see PendingDigest)."""
        self.finish()
        await asyncio.wrap_future(self._write.done)

    async def wait(self) -> None:
        """The file is complete and the digest final; raises what went wrong on either thread."""
        self.finish()
        for lane in self._lanes:
            await asyncio.wrap_future(lane.done)

    def abort(self) -> None:
        """Stop after an error elsewhere: both threads end, and the file is closed, before this returns."""
        self.finish()
        for lane in self._lanes:
            lane.join()
