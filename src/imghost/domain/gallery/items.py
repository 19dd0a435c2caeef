"""Gallery items: each post with everything its Gallery Image / Gallery Album object shows, loaded for a
whole page at once (a fixed number of queries per page, whatever its length)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from imghost.auth import Subject
from imghost.db.database import Connection
from imghost.domain.albums import repository as album_repo
from imghost.domain.albums.model import Album
from imghost.domain.gallery import repository as repo
from imghost.domain.gallery.model import Post
from imghost.domain.images import repository as image_repo
from imghost.domain.images.model import Image

PREVIEWS = 3  # album images shown in listings with album_previews


@dataclass(frozen=True)
class TagRef:
    name: str
    display_name: str
    followers: int
    total_items: int
    ups: int = 0
    downs: int = 0
    description: str = ""


@dataclass
class GalleryItem:
    post: Post
    image: Image | None = None  # the post's image, or an album's cover
    album: Album | None = None
    images: list[Image] = field(default_factory=list)  # an album's images: all, the first few, or none
    # Whether `images` was asked for (all or previews): a listing without previews does not show them, so
    # that a client wanting them fetches the post instead of reading an empty list.
    images_listed: bool = False
    favorite_count: int = 0
    vote: int = 0  # the viewer's: 1, -1 or 0
    favorite: bool = False  # the viewer's
    tags: list[TagRef] = field(default_factory=list)


def _in(prefix: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    names = {f"{prefix}{n}": v for n, v in enumerate(values)}
    return ", ".join(":" + k for k in names), names


async def load(
    db: Connection, subject: Subject, posts: Sequence[Post], *, album_images: str = "none"
) -> list[GalleryItem]:
    """album_images: "all" (a post's own page), "preview" (the first PREVIEWS) or "none"."""
    if not posts:
        return []
    image_ids = [p.id for p in posts if not p.is_album]
    album_ids = [p.id for p in posts if p.is_album]
    images = {i.id: i for i in await image_repo.many(db, image_ids)}
    albums = {a.id: a for a in await album_repo.many(db, album_ids)}
    listed: dict[str, list[Image]] = {a: [] for a in album_ids}
    if album_ids and album_images == "all":
        for a in album_ids:
            listed[a] = await album_repo.images(db, a)
    elif album_ids and album_images == "preview":
        listed.update(await _previews(db, album_ids))
    covers_wanted = [a.cover for a in albums.values() if a.cover]
    covers = {i.id: i for i in await image_repo.many(db, covers_wanted)}
    favorite_counts = await repo.favorite_counts(db, posts)
    votes: dict[str, int] = {}
    favorites: set[str] = set()
    if subject.account_id is not None:
        votes = await repo.votes_of(db, [p.id for p in posts], subject.account_id)
        favorites = await _favorites_of(db, subject.account_id, image_ids, album_ids)
    tags = await tags_of(db, [p.id for p in posts])
    out: list[GalleryItem] = []
    for p in posts:
        album = albums.get(p.id) if p.is_album else None
        image = images.get(p.id) if not p.is_album else (covers.get(album.cover or "") if album else None)
        if (p.is_album and album is None) or (not p.is_album and image is None):
            continue  # deleted between the listing and this read
        out.append(
            GalleryItem(
                post=p,
                image=image,
                album=album,
                images=listed.get(p.id, []),
                images_listed=album_images != "none",
                favorite_count=favorite_counts.get(p.id, 0),
                vote=votes.get(p.id, 0),
                favorite=p.id in favorites,
                tags=tags.get(p.id, []),
            )
        )
    return out


async def _previews(db: Connection, album_ids: Sequence[str]) -> dict[str, list[Image]]:
    marks, params = _in("a", album_ids)
    rows = await db.fetch_all(
        "SELECT album_id, image_id FROM (SELECT album_id, image_id, ROW_NUMBER() OVER"
        " (PARTITION BY album_id ORDER BY position) AS n FROM album_images"
        f" WHERE album_id IN ({marks})) x WHERE n <= :k",
        {**params, "k": PREVIEWS},
    )
    found = {i.id: i for i in await image_repo.many(db, [r["image_id"] for r in rows])}
    out: dict[str, list[Image]] = {}
    for r in rows:
        if r["image_id"] in found:
            out.setdefault(r["album_id"], []).append(found[r["image_id"]])
    return out


async def _favorites_of(
    db: Connection, account_id: int, image_ids: Sequence[str], album_ids: Sequence[str]
) -> set[str]:
    out: set[str] = set()
    for table, col, ids in (("favorites", "image_id", image_ids), ("album_favorites", "album_id", album_ids)):
        if not ids:
            continue
        marks, params = _in("f", ids)
        rows = await db.fetch_all(
            f"SELECT {col} AS id FROM {table} WHERE account_id = :a AND {col} IN ({marks})",
            {**params, "a": account_id},
        )
        out.update(r["id"] for r in rows)
    return out


async def tags_of(db: Connection, post_ids: Sequence[str]) -> dict[str, list[TagRef]]:
    if not post_ids:
        return {}
    marks, params = _in("t", post_ids)
    rows = await db.fetch_all(
        # The stored counts: counting a popular tag's rows for every card of every page would cost
        # more than the page. They are recounted on every tag write and when a post is unshared; a
        # post that goes by cascade (its image deleted) is out of them at the tag's next write.
        "SELECT pt.post_id, pt.ups, pt.downs, t.name, t.display_name, t.description, t.followers,"
        " t.total_items"
        f" FROM post_tags pt JOIN tags t ON t.name = pt.tag WHERE pt.post_id IN ({marks})"
        " ORDER BY pt.post_id, pt.ups - pt.downs DESC, t.name",
        params,
    )
    out: dict[str, list[TagRef]] = {}
    for r in rows:
        out.setdefault(r["post_id"], []).append(
            TagRef(
                name=r["name"],
                display_name=r["display_name"],
                followers=int(r["followers"]),
                total_items=int(r["total_items"]),
                ups=int(r["ups"]),
                downs=int(r["downs"]),
                description=r["description"] or "",
            )
        )
    return out
