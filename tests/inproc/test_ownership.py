"""Who may change what, asked of the services directly: an account owns what it uploaded and made, a
deletehash stands for its owner whoever holds it, and anonymous things belong to nobody (only their deletehash
changes them). The HTTP tests check how a refusal is answered; these check the rule itself, on every path."""

from __future__ import annotations

import pytest

from imghost.auth import Subject
from imghost.domain.albums.service import AlbumFields
from imghost.errors import AlbumNotFound, DeletehashNotFound, Forbidden, ImageNotFound
from imghost.services import Services
from tests.inproc.conftest import InProc
from tests.inproc.helpers import app, put, stored_keys, user


def test_subject_owns_only_its_own_account() -> None:
    alice = Subject(client_id="c", account_id=7, username="alice")
    assert alice.owns(7)
    assert not alice.owns(8)
    assert not alice.owns(None)  # anonymous things are nobody's, not everybody's
    anonymous = Subject(client_id="c")
    assert not anonymous.owns(None)
    assert not anonymous.owns(7)


# ---------------------------------------------------------------- images


def test_image_update_and_delete_by_id_only_for_the_owner(inproc: InProc) -> None:
    async def body(svc: Services) -> None:
        anon = await app(svc)
        owner, other = await user(svc, anon), await user(svc, anon)
        row = await put(svc, owner, title="mine")
        files = await stored_keys(svc)

        for stranger in (other, anon):
            with pytest.raises(Forbidden):
                await svc.images.update(stranger, row.id, {"title": "taken"})
            with pytest.raises(Forbidden):
                await svc.images.delete(stranger, row.id)
        kept = await svc.images.get(row.id)
        assert kept.title == "mine"
        assert await stored_keys(svc) == files  # a refused delete removed nothing

        await svc.images.update(owner, row.id, {"title": "still mine", "description": "by id"})
        changed = await svc.images.get(row.id)
        assert (changed.title, changed.description) == ("still mine", "by id")
        assert await svc.images.delete(owner, row.id) == row.id
        with pytest.raises(ImageNotFound):
            await svc.images.get(row.id)
        assert await stored_keys(svc) == set()

    inproc.run(body)


def test_the_deletehash_stands_for_the_owner(inproc: InProc) -> None:
    """Anyone holding an image's deletehash may change and delete it, an account's image or an anonymous one."""

    async def body(svc: Services) -> None:
        anon = await app(svc)
        owner, other = await user(svc, anon), await user(svc, anon)
        owned, anonymous = await put(svc, owner), await put(svc, anon)

        resolved = await svc.images.resolve(owned.deletehash)
        assert resolved.by_deletehash and resolved.item.id == owned.id
        assert resolved.owned_by(other) and resolved.owned_by(anon)
        assert not (await svc.images.resolve(owned.id)).owned_by(other)
        assert (await svc.images.resolve(owned.id)).owned_by(owner)

        await svc.images.update(other, owned.deletehash, {"title": "by hash"})
        assert (await svc.images.get(owned.id)).title == "by hash"
        assert await svc.images.delete(anon, owned.deletehash) == owned.id

        # An anonymous image has no owner to prove by id: not even the application that uploaded it.
        with pytest.raises(Forbidden):
            await svc.images.update(anon, anonymous.id, {"title": "x"})
        await svc.images.update(other, anonymous.deletehash, {"title": "by hash"})
        assert await svc.images.delete(anon, anonymous.deletehash) == anonymous.id
        assert await stored_keys(svc) == set()

    inproc.run(body)


def test_unknown_and_malformed_references_are_not_found(inproc: InProc) -> None:
    async def body(svc: Services) -> None:
        anon = await app(svc)
        owner = await user(svc, anon)
        row = await put(svc, owner)
        for ref in ("abcdefg", "x" * 15, "a/b", "", "ab cd", "é" * 7, "a" * 40):
            with pytest.raises(ImageNotFound):
                await svc.images.delete(owner, ref)
        # The deletehash must be whole: a prefix of it, or the id with characters added, finds nothing.
        for ref in (row.deletehash[:-1], row.id + "x"):
            with pytest.raises(ImageNotFound):
                await svc.images.delete(owner, ref)
        assert (await svc.images.get(row.id)).id == row.id

    inproc.run(body)


# ---------------------------------------------------------------- albums


async def _album_ids(svc: Services, album_id: str) -> list[str]:
    return [r.id for r in await svc.albums.images(album_id)]


def test_album_add_and_remove_by_owner_other_and_deletehash(inproc: InProc) -> None:
    async def body(svc: Services) -> None:
        anon = await app(svc)
        owner, other = await user(svc, anon), await user(svc, anon)
        a, b = await put(svc, owner), await put(svc, owner)
        theirs = await put(svc, other)
        album = await svc.albums.create(owner, AlbumFields(ids=[a.id]))
        aid = album.id
        assert album.account_id == owner.account_id

        # The owner adds their own images by id; somebody else's only by that image's deletehash.
        await svc.albums.add(owner, aid, AlbumFields(ids=[b.id]))
        with pytest.raises(Forbidden):
            await svc.albums.add(owner, aid, AlbumFields(ids=[theirs.id]))
        await svc.albums.add(owner, aid, AlbumFields(deletehashes=[theirs.deletehash]))
        assert await _album_ids(svc, aid) == [a.id, b.id, theirs.id]

        # Another account, by the album's id: every change refused, nothing changed.
        for change in (
            svc.albums.add(other, aid, AlbumFields(ids=[theirs.id])),
            svc.albums.remove_images(other, aid, [a.id]),
            svc.albums.update(other, aid, AlbumFields(title="taken", present=frozenset({"title"}))),
            svc.albums.delete(other, aid),
        ):
            with pytest.raises(Forbidden):
                await change
        assert await _album_ids(svc, aid) == [a.id, b.id, theirs.id]
        assert (await svc.albums.get(aid)).title is None

        # The album's deletehash stands for its owner, whoever holds it.
        await svc.albums.remove_images(other, album.deletehash, [a.id])
        assert await _album_ids(svc, aid) == [b.id, theirs.id]
        await svc.albums.remove_images(owner, aid, [theirs.id])
        assert await _album_ids(svc, aid) == [b.id]
        # Removing an image from an album leaves the image alone.
        assert (await svc.images.get(theirs.id)).id == theirs.id

        await svc.albums.delete(anon, album.deletehash)
        with pytest.raises(AlbumNotFound):
            await svc.albums.get(aid)
        assert {r.id for r in (await svc.images.get(a.id), await svc.images.get(b.id))} == {
            a.id,
            b.id,
        }

    inproc.run(body)


def test_an_anonymous_album_is_changed_only_through_its_deletehash(inproc: InProc) -> None:
    async def body(svc: Services) -> None:
        anon = await app(svc)
        someone = await user(svc, anon)
        x, y = await put(svc, anon), await put(svc, anon)
        # Anonymous images go into albums by deletehash: by id they belong to nobody the caller can prove.
        with pytest.raises(Forbidden):
            await svc.albums.create(anon, AlbumFields(ids=[x.id]))
        album = await svc.albums.create(anon, AlbumFields(deletehashes=[x.deletehash]))
        assert album.account_id is None

        for caller in (anon, someone):
            with pytest.raises(Forbidden, match="anonymous"):
                await svc.albums.add(caller, album.id, AlbumFields(deletehashes=[y.deletehash]))
            with pytest.raises(Forbidden):
                await svc.albums.remove_images(caller, album.id, [x.id])
        assert await _album_ids(svc, album.id) == [x.id]

        await svc.albums.add(someone, album.deletehash, AlbumFields(deletehashes=[y.deletehash]))
        assert await _album_ids(svc, album.id) == [x.id, y.id]
        await svc.albums.remove_images(anon, album.deletehash, [x.id])
        assert await _album_ids(svc, album.id) == [y.id]

        with pytest.raises(DeletehashNotFound):
            await svc.albums.add(anon, album.deletehash, AlbumFields(deletehashes=["z" * 15]))
        with pytest.raises(ImageNotFound):
            await svc.albums.add(someone, album.deletehash, AlbumFields(ids=["zzzzzzz"]))
        assert await _album_ids(svc, album.id) == [y.id]

    inproc.run(body)


def test_an_upload_joins_only_an_album_its_uploader_controls(inproc: InProc) -> None:
    async def body(svc: Services) -> None:
        anon = await app(svc)
        owner, other = await user(svc, anon), await user(svc, anon)
        album = await svc.albums.create(owner, AlbumFields())
        with pytest.raises(Forbidden):
            await svc.albums.check_upload_target(other, album.id)
        with pytest.raises(Forbidden):
            await svc.albums.check_upload_target(anon, album.id)
        await svc.albums.check_upload_target(owner, album.id)
        await svc.albums.check_upload_target(anon, album.deletehash)

        row = await put(svc, anon)
        await svc.albums.add_uploaded(anon, album.deletehash, row.id)
        with pytest.raises(Forbidden):
            await svc.albums.add_uploaded(other, album.id, (await put(svc, other)).id)
        assert await _album_ids(svc, album.id) == [row.id]

    inproc.run(body)
