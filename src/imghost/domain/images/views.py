from __future__ import annotations

import logging

from imghost.db.database import Database
from imghost.domain.images import repository as repo

log = logging.getLogger(__name__)


class ViewCounter:
    """Views and bandwidth are summed in memory and written in one batch every few seconds.

    A delivery request costs a dict update, never a database write."""

    def __init__(self) -> None:
        self._pending: dict[str, list[int]] = {}
        # The batch being written: still counted by pending() until it is committed, so a reader never
        # sees the counts dip while a flush is in flight.
        self._inflight: dict[str, list[int]] = {}

    def add(self, image_id: str, nbytes: int) -> None:
        entry = self._pending.get(image_id)
        if entry is None:
            self._pending[image_id] = [1, nbytes]
        else:
            entry[0] += 1
            entry[1] += nbytes

    def add_bandwidth(self, image_id: str, nbytes: int) -> None:
        entry = self._pending.setdefault(image_id, [0, 0])
        entry[1] += nbytes

    def pending(self, image_id: str) -> tuple[int, int]:
        entry = self._pending.get(image_id)
        views, nbytes = (entry[0], entry[1]) if entry else (0, 0)
        flying = self._inflight.get(image_id)
        if flying:
            views, nbytes = views + flying[0], nbytes + flying[1]
        return views, nbytes

    async def flush(self, db: Database) -> None:
        if not self._pending or self._inflight:
            return
        batch, self._pending = self._pending, {}
        self._inflight = batch
        rows = [{"id": k, "views": v[0], "bandwidth": v[1]} for k, v in batch.items()]
        written = False
        try:
            async with db.transaction() as tx:
                await repo.add_views(tx, rows)
            written = True
        except Exception:
            log.warning("view counts not written; will retry")
        finally:
            self._inflight = {}
            if not written:
                # Keep the counts for the next flush rather than lose them while the database is away
                # (or when shutdown cancels this write).
                for k, v in batch.items():
                    cur = self._pending.setdefault(k, [0, 0])
                    cur[0] += v[0]
                    cur[1] += v[1]
