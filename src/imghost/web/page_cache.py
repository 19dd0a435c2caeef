"""Pages as signed-out visitors see them, kept by the exact record they were made from.

Image pages are the pages an image host serves most, mostly to visitors who followed a shared link, and
what a visitor sees depends on nothing but the image's record: no session, no form (so no CSRF token),
views as last counted. The key is that record itself (read afresh on every request), so an edit, a
delete or the next views count is a different key: nothing here can go stale, in one process or many.
Bounded by entries; the least recently used go first."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable


class PageCache:
    def __init__(self, max_entries: int = 2048) -> None:
        self.max_entries = max_entries
        self._pages: OrderedDict[Hashable, bytes] = OrderedDict()

    def get(self, key: Hashable) -> bytes | None:
        body = self._pages.get(key)
        if body is not None:
            self._pages.move_to_end(key)
        return body

    def put(self, key: Hashable, body: bytes) -> None:
        self._pages[key] = body
        self._pages.move_to_end(key)
        while len(self._pages) > self.max_entries:
            self._pages.popitem(last=False)


visitor_pages = PageCache()
