"""bench/gallery_seed.py, short: 2,000 posts into a new deployment's database on the suite's backend,
then a server on it; the rows are checked against what the service itself writes and reads (no speed
is asserted; the figures are for the closing note)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from imghost.domain.gallery import ranking
from tests.live import (
    UNLIMITED,
    LiveServer,
    backend_env,
    db_rows,
    free_port,
    isolation,
    sqlite_db,
    start_server,
)

ROOT = Path(__file__).resolve().parents[2]
POSTS = 2000
FILES = 6

Deployment = Callable[[str], LiveServer]


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    """New deployments on the suite's backend: a data dir, and on PostgreSQL a database of its own (so
    that every count is exact) and an S3 prefix of its own. Handed out not started (`proc` None)."""
    admin = os.environ.get("IMGHOST_TEST_DATABASE_URL", "")
    made: list[str] = []

    def make(name: str) -> LiveServer:
        data = tmp_path / name
        data.mkdir()
        env = {**os.environ, **backend_env(), "IMGHOST_DATA_DIR": str(data), **isolation(data), **UNLIMITED}
        if admin:
            import psycopg

            db = f"gallery_seed_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(admin, autocommit=True) as pg:
                pg.execute(f'CREATE DATABASE "{db}"')
            made.append(db)
            env["IMGHOST_DATABASE_URL"] = admin.rsplit("/", 1)[0] + f"/{db}"
        return LiveServer(url="", port=0, data_dir=data, env=env)

    yield make
    if made:
        import psycopg

        with psycopg.connect(admin, autocommit=True) as pg:
            for db in made:
                pg.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def schema(srv: LiveServer) -> list[tuple[Any, ...]]:
    """Every table, index, trigger and constraint as the database describes it."""
    if sqlite_db(srv) is not None:
        return db_rows(srv, "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
    return db_rows(
        srv,
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
        " UNION ALL SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) || ' ' || convalidated"
        " FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
        " UNION ALL SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) || ' ' || tgenabled::text"
        " FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2, 3",
    )


def seed(target: LiveServer, tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / "seeded.json"
    config = "embedded" if sqlite_db(target) is not None else "scaleout"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "gallery_seed.py"),
            "--posts",
            str(POSTS),
            "--config",
            config,
            "--data-dir",
            str(target.data_dir),
            "--files",
            str(FILES),
            "--json",
            str(out),
        ],
        cwd=ROOT,
        env=target.env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "rows/s" in proc.stdout
    return dict(json.loads(out.read_text()))


def one(srv: LiveServer, sql: str, params: tuple[Any, ...] = ()) -> Any:
    return db_rows(srv, sql, params)[0][0]


def serve(target: LiveServer) -> LiveServer:
    """`imghost serve` on that deployment, with its settings (its own S3 prefix included)."""
    keep = {k: v for k, v in target.env.items() if k.startswith("IMGHOST_")}
    return start_server(target.data_dir, port=free_port(), extra_env=keep)


def test_seeded_rows_are_the_services_rows(deployment: Deployment, tmp_path: Path) -> None:
    reference = deployment("reference")
    reference.cli("db", "upgrade")
    target = deployment("seeded")
    report = seed(target, tmp_path)
    srv = serve(target)
    try:
        check(srv, report, schema(reference))
    finally:
        srv.stop()


def check(srv: LiveServer, report: dict[str, Any], migrated: list[tuple[Any, ...]]) -> None:
    rows = report["rows"]

    # Counts: what the loader says it wrote is in the database, and nothing else besides the real
    # files it uploaded first.
    assert rows["gallery_posts"] == POSTS
    for table, n in rows.items():
        extra = FILES if table == "images" else 0
        assert one(srv, f"SELECT COUNT(*) FROM {table}") == n + extra, table
    assert one(srv, "SELECT COUNT(*) FROM blobs") == FILES
    assert rows["albums"] > 0 and rows["gallery_votes"] > POSTS and rows["comments"] > POSTS / 2
    assert rows["post_tags"] > POSTS / 2 and len(report["tokens"]) == 50
    assert schema(srv) == migrated, "the loader must leave the schema exactly as the migrations make it"
    if sqlite_db(srv) is not None:
        assert db_rows(srv, "PRAGMA foreign_key_check") == []

    # Every post: one image or one album of the same id; counts and scores from its stored votes.
    posts = db_rows(
        srv,
        "SELECT p.id, p.image_id, p.album_id, p.ups, p.downs, p.points, p.hot, p.rising, p.shared_at,"
        " p.comment_count,"
        " (SELECT COUNT(*) FROM gallery_votes v WHERE v.post_id = p.id AND v.vote = 1),"
        " (SELECT COUNT(*) FROM gallery_votes v WHERE v.post_id = p.id AND v.vote = -1),"
        " (SELECT COUNT(*) FROM comments c WHERE c.post_id = p.id),"
        " (SELECT COUNT(*) FROM album_images ai WHERE ai.album_id = p.album_id)"
        " FROM gallery_posts p",
    )
    albums = 0
    for pid, image_id, album_id, ups, downs, points, hot, rising, shared_at, cc, vu, vd, nc, members in posts:
        assert (image_id, album_id) in ((pid, None), (None, pid))
        assert (ups, downs, points, cc) == (vu, vd, vu - vd, nc), pid
        assert hot == ranking.hot(ups, downs, shared_at) and rising == ranking.rising(ups, downs, shared_at)
        if album_id is not None:
            albums += 1
            assert 2 <= members <= 4
        assert shared_at <= report["now"]
    assert albums == rows["albums"]
    assert max(p[5] for p in posts) >= 10 > min(p[5] for p in posts)  # viral posts and others

    # Album images belong to the album's owner; albums are public, as sharing leaves them.
    assert (
        one(
            srv,
            "SELECT COUNT(*) FROM album_images ai JOIN albums al ON al.id = ai.album_id"
            " JOIN images i ON i.id = ai.image_id WHERE i.account_id <> al.account_id OR al.privacy <> 'public'",
        )
        == 0
    )
    # Replies hang under an earlier comment of the same post.
    assert one(srv, "SELECT COUNT(*) FROM comments WHERE parent_id IS NOT NULL") > 0
    assert (
        one(
            srv,
            "SELECT COUNT(*) FROM comments c LEFT JOIN comments p ON p.id = c.parent_id"
            " WHERE c.parent_id IS NOT NULL AND (p.id IS NULL OR p.post_id <> c.post_id OR p.id >= c.id)",
        )
        == 0
    )
    # Tag counts and blob reference counts are right.
    for name, total, counted in db_rows(
        srv,
        "SELECT t.name, t.total_items, (SELECT COUNT(*) FROM post_tags pt WHERE pt.tag = t.name) FROM tags t",
    ):
        assert total == counted, name
    for blob, refcount, counted in db_rows(
        srv, "SELECT b.id, b.refcount, (SELECT COUNT(*) FROM images i WHERE i.blob_id = b.id) FROM blobs b"
    ):
        assert refcount == counted, blob
    # The search index (its rows are the schema's triggers' work) holds every post with all its tags.
    searched = {r[0]: set(r[1].split()) for r in db_rows(srv, "SELECT post_id, tags FROM gallery_search")}
    tagged: dict[str, set[str]] = {p[0]: set() for p in posts}
    for pid, tag in db_rows(srv, "SELECT post_id, tag FROM post_tags"):
        tagged[pid].add(tag)
    assert searched == tagged
    # One vote per account per post.
    assert (
        one(srv, "SELECT COUNT(*) FROM (SELECT DISTINCT post_id, account_id FROM gallery_votes) x")
        == rows["gallery_votes"]
    )

    client_id, _ = srv.create_client("seedcheck")
    api = {"Authorization": f"Client-ID {client_id}"}
    with httpx.Client(base_url=srv.url, timeout=60) as http:
        # A listing through the live API returns the seeded posts, in the stored order, as stored.
        listed = http.get("/3/gallery/hot/viral/0", headers=api).json()["data"]
        expected = [
            r[0]
            for r in db_rows(
                srv,
                "SELECT id FROM gallery_posts WHERE hidden = ? AND mature = ? ORDER BY hot DESC, id DESC LIMIT 60",
                (False, False),
            )
        ]
        assert [i["id"] for i in listed] == expected
        stored = {
            r[0]: r[1:]
            for r in db_rows(srv, "SELECT id, ups, downs, points, comment_count FROM gallery_posts")
        }
        tags = Counter(r[0] for r in db_rows(srv, "SELECT post_id FROM post_tags"))
        for item in listed:
            assert (item["ups"], item["downs"], item["points"], item["comment_count"]) == stored[item["id"]]
            assert len(item["tags"]) == tags[item["id"]]
        # Links work: a seeded image serves the bytes of the real file it shares.
        image = next(i for i in listed if not i["is_album"])
        source = one(
            srv,
            "SELECT s.id FROM images s JOIN images i ON i.blob_id = s.blob_id"
            " WHERE i.id = ? AND s.id NOT IN (SELECT id FROM gallery_posts)"
            " AND s.id NOT IN (SELECT image_id FROM album_images)",
            (image["id"],),
        )
        got = http.get(image["link"])
        assert got.status_code == 200 and got.content
        assert (
            got.content
            == http.get(http.get(f"/3/image/{source}", headers=api).json()["data"]["link"]).content
        )
        album = next(i for i in listed if i["is_album"])
        cover = http.get(f"/3/gallery/album/{album['id']}", headers=api).json()["data"]
        assert len(cover["images"]) == cover["images_count"] >= 2
        assert http.get(cover["images"][0]["link"]).status_code == 200

        # The seeded tokens are accepted, and the service's own vote on seeded rows keeps them right.
        voter = report["tokens"][0]
        bearer = {"Authorization": f"Bearer {voter['access_token']}"}
        me = http.get("/3/account/me/settings", headers=bearer)
        assert me.status_code == 200 and me.json()["data"]["account_url"] == voter["username"]
        post = listed[1]["id"]
        for vote in ("veto", "up", "down"):
            assert http.post(f"/3/gallery/{post}/vote/{vote}", headers=bearer).status_code == 200
        ups, downs, hot, rising, shared_at = db_rows(
            srv, "SELECT ups, downs, hot, rising, shared_at FROM gallery_posts WHERE id = ?", (post,)
        )[0]
        counted = db_rows(
            srv,
            "SELECT SUM(CASE WHEN vote = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN vote = -1 THEN 1 ELSE 0 END)"
            " FROM gallery_votes WHERE post_id = ?",
            (post,),
        )[0]
        assert (ups, downs) == counted
        assert (hot, rising) == (ranking.hot(ups, downs, shared_at), ranking.rising(ups, downs, shared_at))
        assert (
            one(
                srv,
                "SELECT vote FROM gallery_votes WHERE post_id = ? AND account_id = ?",
                (post, voter["account_id"]),
            )
            == -1
        )


def test_rows_are_a_function_of_the_seed() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import gallery_seed as gs
    finally:
        sys.path.remove(str(ROOT / "bench"))
    source = gs.SourceImage("src0001", "b" * 32, "image/jpeg", "jpg", 800, 600, 30_000, False, False, 0)

    def rows(seed: int) -> list[dict[str, Any]]:
        plan = gs.Plan(posts=300, seed=seed, now=1_800_000_000, voters=5)
        out = gs.generate(
            plan, [source], "client", set(), {"accounts": 1, "comments": 1}, "hash", gs.Seeded()
        )
        # Tokens are secrets, made at random each time; everything else follows from the seed.
        return [{k: v for k, v in batch.items() if k != "tokens"} for batch in out]

    first = rows(16)
    assert first == rows(16)
    assert first != rows(17)
    posts = [r for batch in first for r in batch.get("gallery_posts", [])]
    assert len(posts) == 300 and len({p[0] for p in posts}) == 300
