"""Blocks and a closed inbox, on both route families: the blocked sender is refused with the same
envelope as a closed inbox (it cannot tell which), the blocker cannot write to whom it blocked, and
the three block routes, the 2012 and conversation block calls and the settings' blocked_users agree."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.accounts.helpers import User
from tests.api.helpers import envelope_error, envelope_ok
from tests.messages.helpers import CLOSED, bodies, conversations, only_conversation, send, send_2012

Sender = Callable[[httpx.Client, User, User, str], httpx.Response]


def _later(http: httpx.Client, who: User, to: User, body: str) -> httpx.Response:
    return http.post(f"/3/conversations/{to.name}", headers=who.bearer, data={"body": body})


def _old(http: httpx.Client, who: User, to: User, body: str) -> httpx.Response:
    return send_2012(http, who, to, body)


def _account(http: httpx.Client, who: User, to: User, body: str) -> httpx.Response:
    return http.post(f"/3/account/{to.name}/message", headers=who.bearer, data={"body": body})


SENDERS = [_later, _old, _account]


def blocked(http: httpx.Client, who: User, other: User) -> bool:
    got = envelope_ok(http.get(f"/account/v1/{other.name}/block", headers=who.bearer))
    assert set(got) == {"blocked"}
    return bool(got["blocked"])


def blocked_users(http: httpx.Client, who: User) -> list[dict[str, object]]:
    return envelope_ok(http.get(f"/3/account/{who.name}/settings", headers=who.bearer))["blocked_users"]


@pytest.mark.parametrize(
    "block_path", ["/3/message/block/{u}", "/3/conversations/block/{u}", "/account/v1/{u}/block"]
)
@pytest.mark.parametrize("sender", SENDERS)
def test_block_stops_the_blocked(
    http: httpx.Client, trio: tuple[User, User, User], block_path: str, sender: Sender
) -> None:
    alice, bob, carol = trio
    send(http, bob, alice, "before the block")
    assert blocked(http, alice, bob) is False
    got = envelope_ok(http.post(block_path.format(u=bob.name), headers=alice.bearer))
    assert got is True or got == {"blocked": True}
    assert blocked(http, alice, bob) is True
    assert blocked(http, bob, alice) is False
    assert blocked_users(http, alice) == [{"blocked_id": bob.id, "blocked_url": bob.name}]
    assert blocked_users(http, bob) == []

    err = envelope_error(sender(http, bob, alice, "after the block"), 403)
    assert err["error"] == CLOSED
    # Nothing arrived; the earlier message is still there, and others still write to alice.
    cid = only_conversation(http, alice)["id"]
    assert bodies(http, alice, cid) == ["before the block"]
    # The blocker does not write to whom it blocked (the block would make it one-sided).
    envelope_error(sender(http, alice, bob, "from the blocker"), 400)
    assert envelope_ok(sender(http, carol, alice, "from carol")) is True
    # Blocking again changes nothing; unblocking opens the inbox again.
    envelope_ok(http.post(f"/account/v1/{bob.name}/block", headers=alice.bearer))
    assert len(blocked_users(http, alice)) == 1
    assert envelope_ok(http.delete(f"/account/v1/{bob.name}/block", headers=alice.bearer)) == {
        "blocked": False
    }
    assert blocked(http, alice, bob) is False and blocked_users(http, alice) == []
    assert envelope_ok(sender(http, bob, alice, "after unblocking")) is True
    assert bodies(http, alice, cid)[-1] == "after unblocking"


@pytest.mark.parametrize("sender", SENDERS)
def test_closed_inbox(http: httpx.Client, trio: tuple[User, User, User], sender: Sender) -> None:
    alice, bob, _ = trio
    envelope_ok(
        http.post(
            f"/3/account/{alice.name}/settings", headers=alice.bearer, data={"messaging_enabled": "false"}
        )
    )
    settings = envelope_ok(http.get(f"/3/account/{alice.name}/settings", headers=alice.bearer))
    assert settings["messaging_enabled"] is False
    err = envelope_error(sender(http, bob, alice, "knock knock"), 403)
    assert err["error"] == CLOSED
    assert conversations(http, alice) == [] and conversations(http, bob) == []
    # alice still writes out, and bob's answers stay refused while her inbox is closed.
    assert envelope_ok(sender(http, alice, bob, "I write, you don't")) is True
    envelope_error(sender(http, bob, alice, "answer"), 403)
    envelope_ok(
        http.post(
            f"/3/account/{alice.name}/settings", headers=alice.bearer, data={"messaging_enabled": "true"}
        )
    )
    assert envelope_ok(sender(http, bob, alice, "answer")) is True
    assert bodies(http, alice, only_conversation(http, alice)["id"]) == ["I write, you don't", "answer"]


def test_block_targets(http: httpx.Client, trio: tuple[User, User, User]) -> None:
    alice, _, _ = trio
    for path in ("/3/message/block/{u}", "/3/conversations/block/{u}", "/account/v1/{u}/block"):
        envelope_error(http.post(path.format(u=alice.name), headers=alice.bearer), 400)
        envelope_error(http.post(path.format(u="nosuchuser0"), headers=alice.bearer), 404)
        envelope_error(http.post(path.format(u="bad-name"), headers=alice.bearer), 404)
    envelope_error(http.get("/account/v1/nosuchuser0/block", headers=alice.bearer), 404)
    envelope_error(http.delete("/account/v1/nosuchuser0/block", headers=alice.bearer), 404)
    assert blocked_users(http, alice) == []


def test_the_block_list(http: httpx.Client, trio: tuple[User, User, User]) -> None:
    """GET /3/account/me/block (docs-new: {items: [{url}], next: null}), for the owner only."""
    alice, bob, carol = trio
    for name in ("me", alice.name):
        assert envelope_ok(http.get(f"/3/account/{name}/block", headers=alice.bearer)) == {
            "items": [],
            "next": None,
        }
    envelope_ok(http.post(f"/account/v1/{bob.name}/block", headers=alice.bearer))
    envelope_ok(http.post(f"/3/conversations/block/{carol.name}", headers=alice.bearer))
    got = envelope_ok(http.get("/3/account/me/block", headers=alice.bearer))
    assert sorted(i["url"] for i in got["items"]) == sorted([bob.name, carol.name]) and got["next"] is None
    assert {i["url"]: i["id"] for i in got["items"]} == {bob.name: bob.id, carol.name: carol.id}
    envelope_ok(http.delete(f"/account/v1/{bob.name}/block", headers=alice.bearer))
    assert [
        i["url"] for i in envelope_ok(http.get("/3/account/me/block", headers=alice.bearer))["items"]
    ] == [carol.name]
    envelope_error(http.get(f"/3/account/{alice.name}/block", headers=bob.bearer), 403)
    envelope_error(http.get("/3/account/me/block"), 401)
