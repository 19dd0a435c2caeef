"""OAuth rules, asked of the services directly: codes and PINs are spent by their first use and expire, an
access token lives for token_lifetime and is replaced by the refresh grant, and a new password ends every
token of the account. The services read the real clock, so expiry is tested with lifetimes of a second."""

from __future__ import annotations

import asyncio

import pytest

from imghost.auth import Subject
from imghost.errors import InvalidRequest, Unauthorized
from imghost.services import Services
from tests.inproc.conftest import InProc
from tests.inproc.helpers import PASSWORD, app, count, user

# A lifetime of 1 s ends somewhere between 0 and 1 s after issue (expiry times are whole seconds): waiting this
# long is past it in every case.
EXPIRED = 2.1


async def _caller(svc: Services) -> tuple[str, Subject]:
    anon = await app(svc)
    assert anon.client_id is not None
    return anon.client_id, await user(svc, anon)


@pytest.mark.parametrize("kind", ["code", "pin"])
def test_a_code_is_spent_by_its_first_use(inproc: InProc, kind: str) -> None:
    async def body(svc: Services) -> None:
        cid, who = await _caller(svc)
        assert who.account_id is not None
        code = await svc.oauth.new_code(kind, cid, who.account_id)
        assert await svc.oauth.redeem(kind, cid, code) == (who.account_id, who.username)
        with pytest.raises(InvalidRequest):
            await svc.oauth.redeem(kind, cid, code)
        assert await count(svc, "SELECT COUNT(*) FROM auth_codes") == 0

    inproc.run(body)


def test_a_code_is_spent_by_a_wrong_use_too(inproc: InProc) -> None:
    """Presented by another application, or as the other kind, a code is refused and gone: whoever intercepted
    it cannot keep trying, and its owner learns by the refusal that something is wrong."""

    async def body(svc: Services) -> None:
        cid, who = await _caller(svc)
        other = (await app(svc)).client_id
        assert who.account_id is not None and other is not None
        for attempt in ((other, "code"), (cid, "pin")):
            code = await svc.oauth.new_code("code", cid, who.account_id)
            with pytest.raises(InvalidRequest):
                await svc.oauth.redeem(attempt[1], attempt[0], code)
            with pytest.raises(InvalidRequest):
                await svc.oauth.redeem("code", cid, code)
        for bad in ("", "0" * 40, "nonsense"):
            with pytest.raises(InvalidRequest):
                await svc.oauth.redeem("code", cid, bad)

    inproc.run(body)


@pytest.mark.parametrize("kind", ["code", "pin"])
def test_a_code_expires(inproc: InProc, kind: str) -> None:
    async def body(svc: Services) -> None:
        cid, who = await _caller(svc)
        assert who.account_id is not None
        code = await svc.oauth.new_code(kind, cid, who.account_id)
        await asyncio.sleep(EXPIRED)
        with pytest.raises(InvalidRequest):
            await svc.oauth.redeem(kind, cid, code)
        assert await count(svc, "SELECT COUNT(*) FROM auth_codes") == 0  # spent, not left lying about

    inproc.run(body, oauth_code_lifetime=1)


def test_an_access_token_expires_and_the_refresh_grant_replaces_it(inproc: InProc) -> None:
    async def body(svc: Services) -> None:
        cid, who = await _caller(svc)
        assert who.account_id is not None and who.username is not None
        pair = await svc.oauth.issue(cid, who.account_id, who.username)
        assert pair.expires_in == 1
        assert await svc.oauth.resolve(pair.access_token, cid) == who
        await asyncio.sleep(EXPIRED)
        assert await svc.oauth.resolve(pair.access_token, cid) is None

        fresh = await svc.oauth.refresh(cid, pair.refresh_token)
        assert fresh.access_token != pair.access_token and fresh.refresh_token == pair.refresh_token
        assert (fresh.account_id, fresh.username) == (who.account_id, who.username)
        assert await svc.oauth.resolve(fresh.access_token, cid) == who
        # One token row, its access token replaced: the old one stays dead, the refresh token stays good.
        assert await count(svc, "SELECT COUNT(*) FROM tokens") == 1
        assert await svc.oauth.resolve(pair.access_token, cid) is None
        again = await svc.oauth.refresh(cid, pair.refresh_token)
        assert await svc.oauth.resolve(again.access_token, cid) == who
        assert await svc.oauth.resolve(fresh.access_token, cid) is None

    inproc.run(body, token_lifetime=1)


def test_the_refresh_grant_belongs_to_its_application(inproc: InProc) -> None:
    async def body(svc: Services) -> None:
        cid, who = await _caller(svc)
        other = (await app(svc)).client_id
        assert who.account_id is not None and who.username is not None and other is not None
        pair = await svc.oauth.issue(cid, who.account_id, who.username)
        for client, token in (
            (other, pair.refresh_token),
            (cid, pair.access_token),
            (cid, ""),
            (cid, "0" * 40),
        ):
            with pytest.raises(InvalidRequest):
                await svc.oauth.refresh(client, token)
        # Refused attempts changed nothing: the token still works, and refreshes for its own application.
        assert await svc.oauth.resolve(pair.access_token, cid) == who
        assert (
            await svc.oauth.resolve((await svc.oauth.refresh(cid, pair.refresh_token)).access_token, cid)
            == who
        )

    inproc.run(body)


def test_a_new_password_ends_every_token_of_the_account(inproc: InProc) -> None:
    async def body(svc: Services) -> None:
        cid, who = await _caller(svc)
        bystander = await user(svc, Subject(client_id=cid))
        assert who.account_id is not None and who.username is not None
        assert bystander.account_id is not None and bystander.username is not None
        pairs = [await svc.oauth.issue(cid, who.account_id, who.username) for _ in range(3)]
        kept = await svc.oauth.issue(cid, bystander.account_id, bystander.username)

        await svc.accounts.set_password(who.account_id, "a-new-password-1")
        for pair in pairs:
            assert await svc.oauth.resolve(pair.access_token, cid) is None
            with pytest.raises(InvalidRequest):
                await svc.oauth.refresh(cid, pair.refresh_token)
        assert (
            await count(svc, "SELECT COUNT(*) FROM tokens WHERE account_id = :a", {"a": who.account_id}) == 0
        )
        assert await svc.oauth.resolve(kept.access_token, cid) == bystander  # other accounts keep theirs

        with pytest.raises(Unauthorized):
            await svc.accounts.authenticate(who.username, PASSWORD, "192.0.2.1")
        row = await svc.accounts.authenticate(who.username, "a-new-password-1", "192.0.2.1")
        assert row.id == who.account_id

    inproc.run(body)


def test_revoking_one_token_leaves_the_others(inproc: InProc) -> None:
    async def body(svc: Services) -> None:
        cid, who = await _caller(svc)
        assert who.account_id is not None and who.username is not None
        a, b = [await svc.oauth.issue(cid, who.account_id, who.username) for _ in range(2)]
        assert await svc.oauth.revoke_token(a.refresh_token)  # either half of a pair ends the pair
        assert await svc.oauth.resolve(a.access_token, cid) is None
        assert not await svc.oauth.revoke_token(a.access_token)
        assert await svc.oauth.resolve(b.access_token, cid) == who
        assert await svc.oauth.revoke_account(who.account_id) == 1
        assert await svc.oauth.resolve(b.access_token, cid) is None

    inproc.run(body)
