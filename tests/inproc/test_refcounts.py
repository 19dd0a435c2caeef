"""Deduplicated storage, asked of the image service directly: identical uploads share one blob whose reference
count says how many images use it; its files go with the last of them, and an upload that fails leaves
neither a blob row nor a file behind, nor a reference on a blob it meant to share."""

from __future__ import annotations

import asyncio

import pytest

from imghost.domain.images import keys
from imghost.errors import UnsupportedMedia
from imghost.services import Services
from tests.api.helpers import unique_jpeg, unique_png
from tests.inproc.conftest import InProc
from tests.inproc.helpers import app, blobs, count, put, stored_keys, user


async def _refuse_image_rows(svc: Services) -> None:
    """The database refuses every new image row from now on, as a full disk or a lost connection would at
    the commit: the upload's file is stored by then, and must be taken back."""
    if svc.settings.database_url.startswith("postgres"):
        await svc.db.execute(
            "CREATE FUNCTION refuse_image() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
        )
        await svc.db.execute(
            "CREATE TRIGGER refuse_image BEFORE INSERT ON images FOR EACH ROW EXECUTE FUNCTION refuse_image()"
        )
    else:
        await svc.db.execute(
            "CREATE TRIGGER refuse_image BEFORE INSERT ON images"
            " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )


def test_identical_uploads_share_one_blob_until_the_last_goes(inproc: InProc) -> None:
    async def body(svc: Services) -> None:
        anon = await app(svc)
        owner, other = await user(svc, anon), await user(svc, anon)
        data = unique_jpeg(11)
        first = await put(svc, owner, data)
        second = await put(svc, other, data)
        blob = first.blob_id
        assert second.blob_id == blob and second.id != first.id
        assert await blobs(svc) == {blob: 2}
        assert await stored_keys(svc) == {keys.original(blob)}
        stored = await svc.store.get_bytes(keys.original(blob))

        # A thumbnail belongs to the blob too: made through one image, served for both, kept while either lives.
        thumb = await svc.images.thumbnail(await svc.images.get(first.id), "m")
        assert thumb[:2] == b"\xff\xd8"
        assert await stored_keys(svc) == {keys.original(blob), keys.thumb(blob, "m")}

        await svc.images.delete(owner, first.id)
        assert await blobs(svc) == {blob: 1}
        assert await stored_keys(svc) == {keys.original(blob), keys.thumb(blob, "m")}
        assert await svc.store.get_bytes(keys.original(blob)) == stored
        assert await svc.images.thumbnail(await svc.images.get(second.id), "m") == thumb

        await svc.images.delete(other, second.deletehash)
        assert await blobs(svc) == {}
        assert await stored_keys(svc) == set()

    inproc.run(body)


def test_different_bytes_are_stored_apart(inproc: InProc) -> None:
    async def body(svc: Services) -> None:
        anon = await app(svc)
        a, b = await put(svc, anon, unique_jpeg(12)), await put(svc, anon, unique_jpeg(13))
        assert a.blob_id != b.blob_id
        assert await blobs(svc) == {a.blob_id: 1, b.blob_id: 1}
        await svc.images.delete(anon, a.deletehash)
        assert await stored_keys(svc) == {keys.original(b.blob_id)}

    inproc.run(body)


def test_simultaneous_identical_uploads_count_every_reference(inproc: InProc) -> None:
    """Four uploads of one file at once: the blob lock makes them one blob with four references, not four
    blobs, and not one blob that counts fewer images than use it."""

    async def body(svc: Services) -> None:
        anon = await app(svc)
        data = unique_png(40, 30)
        rows = await asyncio.gather(*(put(svc, anon, data) for _ in range(4)))
        blob = rows[0].blob_id
        assert {r.blob_id for r in rows} == {blob} and len({r.id for r in rows}) == 4
        assert await blobs(svc) == {blob: 4}
        await asyncio.gather(*(svc.images.delete(anon, r.deletehash) for r in rows[:3]))
        assert await blobs(svc) == {blob: 1}
        assert await stored_keys(svc) == {keys.original(blob)}
        await svc.images.delete(anon, rows[3].deletehash)
        assert (await blobs(svc), await stored_keys(svc)) == ({}, set())

    inproc.run(body)


def test_a_refused_file_leaves_nothing(inproc: InProc) -> None:
    async def body(svc: Services) -> None:
        anon = await app(svc)
        for data in (b"this is not an image at all\n" * 40, unique_jpeg(14)[:120]):
            with pytest.raises(UnsupportedMedia):
                await put(svc, anon, data)
        assert await blobs(svc) == {}
        assert await stored_keys(svc) == set()
        assert await count(svc, "SELECT COUNT(*) FROM images") == 0

    inproc.run(body)


def test_an_image_over_the_limits_leaves_nothing(inproc: InProc) -> None:
    async def body(svc: Services) -> None:
        anon = await app(svc)
        with pytest.raises(UnsupportedMedia, match="too large"):
            await put(svc, anon, unique_jpeg(15, 640, 480))
        assert (await blobs(svc), await stored_keys(svc)) == ({}, set())
        assert await count(svc, "SELECT COUNT(*) FROM images") == 0

    inproc.run(body, max_pixels=100_000)  # 640 x 480 is 307,200 pixels


def test_a_failed_commit_takes_the_stored_file_back(inproc: InProc) -> None:
    async def body(svc: Services) -> None:
        anon = await app(svc)
        await _refuse_image_rows(svc)
        with pytest.raises(Exception, match="refused by the test"):
            await put(svc, anon, unique_jpeg(16))
        assert await blobs(svc) == {}
        assert await stored_keys(svc) == set()
        assert await count(svc, "SELECT COUNT(*) FROM images") == 0

    inproc.run(body)


def test_a_failed_commit_leaves_a_shared_blob_as_it_was(inproc: InProc) -> None:
    """The second upload of stored bytes fails at its commit: the blob keeps its one reference and its file,
    which the first image still needs."""

    async def body(svc: Services) -> None:
        anon = await app(svc)
        data = unique_jpeg(17)
        first = await put(svc, anon, data)
        blob = first.blob_id
        await _refuse_image_rows(svc)
        with pytest.raises(Exception, match="refused by the test"):
            await put(svc, anon, data)
        assert await blobs(svc) == {blob: 1}
        assert await stored_keys(svc) == {keys.original(blob)}
        assert (await svc.images.get(first.id)).blob_id == blob
        await svc.images.delete(anon, first.deletehash)
        assert (await blobs(svc), await stored_keys(svc)) == ({}, set())

    inproc.run(body)
