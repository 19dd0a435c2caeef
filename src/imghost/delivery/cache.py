from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from imghost.domain.images.model import Image


class DeliveryCache:
    """Two small in-process caches in front of the database and the store.

    rows: image id → row, for a few seconds (deletes and updates in this process forget at once).
    bodies: storage key → bytes, LRU by total size. Keys are content hashes, so a cached body is never stale."""

    def __init__(self, *, row_ttl: float, max_bytes: int, max_object: int) -> None:
        self.row_ttl = row_ttl
        self.max_bytes = max_bytes
        self.max_object = max_object
        self._rows: dict[str, tuple[float, Image | None]] = {}
        self._bodies: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        # Called before a cached row is trusted; may clear rows that other processes invalidated.
        self.validator: Callable[[], None] | None = None

    def row(self, image_id: str) -> tuple[bool, Image | None]:
        if not self.row_ttl:
            return False, None
        if self.validator is not None:
            self.validator()
        hit = self._rows.get(image_id)
        if hit is None or hit[0] < time.monotonic():
            return False, None
        return True, hit[1]

    def put_row(self, image_id: str, row: Image | None) -> None:
        if not self.row_ttl:
            return
        if len(self._rows) > 100_000:
            self._rows.clear()
        self._rows[image_id] = (time.monotonic() + self.row_ttl, row)

    def clear_rows(self) -> None:
        self._rows.clear()

    def disable_rows(self) -> None:
        self.row_ttl = 0.0
        self._rows.clear()

    def enable_rows(self, ttl: float) -> None:
        self._rows.clear()
        self.row_ttl = ttl

    def forget(self, image_id: str) -> None:
        self._rows.pop(image_id, None)

    def body(self, key: str) -> bytes | None:
        data = self._bodies.get(key)
        if data is not None:
            self._bodies.move_to_end(key)
        return data

    def put_body(self, key: str, data: bytes) -> None:
        if len(data) > self.max_object or key in self._bodies:
            return
        self._bodies[key] = data
        self._bytes += len(data)
        while self._bytes > self.max_bytes and self._bodies:
            _, old = self._bodies.popitem(last=False)
            self._bytes -= len(old)

    def stats(self) -> dict[str, Any]:
        return {"rows": len(self._rows), "bodies": len(self._bodies), "bytes": self._bytes}
