"""Deleting an account, asked of the account service directly: nothing of it stays in any table or in the store,
and nothing of anybody else goes with it (a file it shared with another account, their albums, their tokens).

"Any table" is read from the schema (db/schema.py): every column that refers to an account, an image or an
album is searched for what the deleted account had, so a table added later is checked without changing
this test."""

from __future__ import annotations

import pytest

from imghost.db.schema import metadata
from imghost.domain.albums.service import AlbumFields
from imghost.domain.images import keys
from imghost.errors import AccountIdNotFound
from imghost.services import Services
from tests.api.helpers import unique_jpeg
from tests.inproc.conftest import InProc
from tests.inproc.helpers import app, blobs, count, put, stored_keys, user

# What outlives an account on purpose: its inbox version, a bare counter (no foreign key, nothing of the
# person), kept so that an account given the same id later (SQLite may hand out a deleted row's id again)
# continues past the old account's numbers and never meets an inbox answer kept for the old one
# (migration 0014).
OUTLIVES = {"inbox_versions"}


def _references(target: str) -> list[tuple[str, str]]:
    """(table, column) of every column holding the id of a row of `target`: the target's own id, its foreign
    keys, and columns named for it without one (images.account_id keeps no foreign key)."""
    found = [(target, "id")]
    for table in metadata.tables.values():
        if table.name in OUTLIVES:
            continue
        for column in table.columns:
            if column.name == f"{target.removesuffix('s')}_id" or any(
                fk.column.table.name == target and fk.column.name == "id" for fk in column.foreign_keys
            ):
                found.append((table.name, column.name))
    return found


async def _left(svc: Services, target: str, ids: list[str] | list[int]) -> dict[str, int]:
    """How many rows, per table.column, still name one of these ids."""
    out = {}
    for table, column in _references(target):
        for value in ids:
            n = await count(svc, f"SELECT COUNT(*) FROM {table} WHERE {column} = :v", {"v": value})
            if n:
                out[f"{table}.{column}"] = out.get(f"{table}.{column}", 0) + n
    return out


def test_deleting_an_account_leaves_nothing_of_it(inproc: InProc) -> None:
    async def body(svc: Services) -> None:
        anon = await app(svc)
        cid = anon.client_id
        assert cid is not None
        owner, other = await user(svc, anon, "gone"), await user(svc, anon, "kept")
        assert owner.account_id is not None and owner.username is not None
        assert other.account_id is not None and other.username is not None

        shared = unique_jpeg(21)
        theirs, their_own = await put(svc, other, shared), await put(svc, other)
        mine = [await put(svc, owner), await put(svc, owner), await put(svc, owner, shared)]
        assert mine[2].blob_id == theirs.blob_id
        await svc.images.thumbnail(await svc.images.get(mine[0].id), "m")

        # Everything an account can have, and everything others can have that points at it.
        album = await svc.albums.create(
            owner, AlbumFields(ids=[mine[0].id, mine[1].id], deletehashes=[theirs.deletehash])
        )
        their_album = await svc.albums.create(
            other, AlbumFields(ids=[their_own.id], deletehashes=[mine[1].deletehash])
        )
        assert await svc.accounts.toggle_favorite(owner, theirs.id) == "favorited"
        assert await svc.albums.toggle_favorite(owner, their_album.id) == "favorited"
        assert await svc.accounts.toggle_favorite(other, mine[0].id) == "favorited"
        assert await svc.albums.toggle_favorite(other, album.id) == "favorited"
        tokens = [await svc.oauth.issue(cid, owner.account_id, owner.username) for _ in range(2)]
        await svc.oauth.new_code("code", cid, owner.account_id)
        await svc.oauth.new_code("pin", cid, owner.account_id)
        their_token = await svc.oauth.issue(cid, other.account_id, other.username)
        image_ids = [m.id for m in mine]
        before = await _left(svc, "accounts", [owner.account_id])
        assert {
            "accounts.id",
            "images.account_id",
            "albums.account_id",
            "tokens.account_id",
            "auth_codes.account_id",
            "favorites.account_id",
            "album_favorites.account_id",
        } <= set(before)

        await svc.accounts.delete(await svc.accounts.get_by_id(owner.account_id))

        assert await _left(svc, "accounts", [owner.account_id]) == {}
        assert await _left(svc, "images", image_ids) == {}
        assert await _left(svc, "albums", [album.id]) == {}
        with pytest.raises(AccountIdNotFound):
            await svc.accounts.get_by_id(owner.account_id)
        for pair in tokens:
            assert await svc.oauth.resolve(pair.access_token, cid) is None

        # Files: the owner's own went (originals and the thumbnail); the one shared with `other` stayed,
        # counted once now.
        assert await blobs(svc) == {theirs.blob_id: 1, their_own.blob_id: 1}
        assert await stored_keys(svc) == {
            keys.original(theirs.blob_id),
            keys.original(their_own.blob_id),
        }

        # The other account lost only what pointed at the deleted one.
        assert [r.id for r in await svc.albums.images(their_album.id)] == [their_own.id]
        assert not await svc.accounts.is_favorite(other, mine[0].id)
        assert await svc.oauth.resolve(their_token.access_token, cid) == other
        assert {(await svc.images.get(i.id)).id for i in (theirs, their_own)} == {
            theirs.id,
            their_own.id,
        }
        assert await count(svc, "SELECT COUNT(*) FROM accounts") == 1

    inproc.run(body)


def test_an_account_with_nothing_is_deleted_too(inproc: InProc) -> None:
    async def body(svc: Services) -> None:
        anon = await app(svc)
        who = await user(svc, anon)
        assert who.account_id is not None
        await svc.accounts.delete(await svc.accounts.get_by_id(who.account_id))
        assert await _left(svc, "accounts", [who.account_id]) == {}

    inproc.run(body)
