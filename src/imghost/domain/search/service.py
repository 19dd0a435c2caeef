"""Gallery search: the posts a query matches (query.py, index.py), as gallery items a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from imghost.auth import Subject
from imghost.db.database import Database, PostgresDatabase
from imghost.domain.gallery import ranking
from imghost.domain.gallery.items import GalleryItem
from imghost.domain.gallery.service import GalleryService
from imghost.domain.search import index, query

SORTS = ("time", "viral", "top")


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """Everything a search URL can say; odd sort, window or page values fall back to the defaults."""

    q: str | None = None
    q_all: str | None = None
    q_any: str | None = None
    q_exactly: str | None = None
    q_not: str | None = None
    q_type: str | None = None
    q_size_px: str | None = None
    sort: str = "time"
    window: str = "all"  # day | week | month | year | all, for top only
    page: int = 0
    mature: bool = False
    album_previews: bool = False


class SearchService:
    def __init__(self, db: Database, gallery: GalleryService, *, per_page: int = 60) -> None:
        self.db = db
        self.gallery = gallery
        self.per_page = per_page
        self.dialect = "postgresql" if isinstance(db, PostgresDatabase) else "sqlite"

    def parse(self, r: SearchRequest) -> query.Search:
        """The search the request asks for; InvalidSearch (a 400) when there is none to run."""
        return query.parse(
            r.q,
            q_all=r.q_all,
            q_any=r.q_any,
            q_exactly=r.q_exactly,
            q_not=r.q_not,
            q_type=r.q_type,
            q_size_px=r.q_size_px,
        )

    async def search(self, subject: Subject, r: SearchRequest) -> list[GalleryItem]:
        """One page of the posts the search matches, hidden ones never and mature ones only when asked."""
        search = self.parse(r)
        sort = r.sort if r.sort in SORTS else "time"
        since = ranking.window_start(r.window, self.gallery.now()) if sort == "top" else 0
        page = index.Page(sort=sort, since=since, mature=r.mature, number=max(0, r.page), size=self.per_page)
        ids = await index.find(self.db, self.dialect, search, page)
        found = await self.gallery.many(ids)
        posts = [found[i] for i in ids if i in found]
        return await self.gallery.items(
            subject, posts, album_images="preview" if r.album_previews else "none"
        )
