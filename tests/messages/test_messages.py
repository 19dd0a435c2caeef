"""Every message route over raw HTTP, with the exact shapes: the 2012 routes and the conversation routes
as two views of one store, deletion for the caller only, and bad input as Imgur envelopes."""

from __future__ import annotations

import httpx
import pytest

from tests.accounts.helpers import User
from tests.api.helpers import envelope_error, envelope_ok
from tests.messages.helpers import (
    CONVERSATION_KEYS,
    MESSAGE_KEYS,
    bodies,
    conversation,
    conversations,
    only_conversation,
    send,
    send_2012,
)


def test_one_store_two_views(http: httpx.Client, trio: tuple[User, User, User]) -> None:
    alice, bob, _ = trio
    send(http, alice, bob, "hello bob")
    assert envelope_ok(send_2012(http, bob, alice, "hi alice", subject="re")) is True
    assert envelope_ok(
        http.post(
            f"/3/account/{bob.name}/message", headers=alice.bearer, data={"body": "third", "subject": "s"}
        )
    )

    for who, other in ((alice, bob), (bob, alice)):
        c = only_conversation(http, who)
        assert c["with_account"] == other.name and c["with_account_id"] == other.id
        assert c["message_count"] == 3 and c["last_message_preview"] == "third"
        page = conversation(http, who, c["id"])
        assert page["done"] is True and page["page"] == 1
        assert [m["body"] for m in page["messages"]] == ["hello bob", "hi alice", "third"]
        assert [m["from"] for m in page["messages"]] == [alice.name, bob.name, alice.name]
        assert [m["sender_id"] for m in page["messages"]] == [alice.id, bob.id, alice.id]
        first = page["messages"][0]["id"]
        assert {m["parent_id"] for m in page["messages"]} == {first}
        assert {m["conversation_id"] for m in page["messages"]} == {c["id"]}
        assert [m["subject"] for m in page["messages"]] == ["", "re", "s"]
        assert c["datetime"] == page["messages"][-1]["datetime"]

        # The 2012 view of the same rows.
        threads = envelope_ok(http.get("/3/messages", headers=who.bearer))
        assert [m["body"] for m in threads] == ["third"] and set(threads[0]) == MESSAGE_KEYS
        assert envelope_ok(http.get("/3/messages/count", headers=who.bearer)) == 3
        ids = envelope_ok(http.get("/3/messages/ids/0", headers=who.bearer))
        assert ids == [m["id"] for m in reversed(page["messages"])]
        assert envelope_ok(http.get("/3/messages/ids/1", headers=who.bearer)) == []
        one = envelope_ok(http.get(f"/3/message/{first}", headers=who.bearer))
        assert one == page["messages"][0]
        thread = envelope_ok(http.get(f"/3/message/{first}/thread", headers=who.bearer))
        assert thread == page["messages"]


def test_reply_by_parent_id(http: httpx.Client, trio: tuple[User, User, User]) -> None:
    alice, bob, carol = trio
    envelope_ok(send_2012(http, alice, bob, "first", subject="topic"))
    first = envelope_ok(http.get("/3/messages", headers=bob.bearer))[0]
    # A reply names only the parent: the recipient is the other party of its conversation.
    envelope_ok(send_2012(http, bob, None, "reply", parent_id=str(first["id"])))
    assert bodies(http, alice, first["conversation_id"]) == ["first", "reply"]
    # A parent in a conversation with someone else, or one the caller cannot read, is refused.
    envelope_error(send_2012(http, bob, carol, "wrong", parent_id=str(first["id"])), 400)
    envelope_error(send_2012(http, carol, None, "not mine", parent_id=str(first["id"])), 404)
    envelope_error(send_2012(http, bob, None, "no parent"), 400)


def test_paging(http: httpx.Client, trio: tuple[User, User, User]) -> None:
    alice, bob, _ = trio
    for n in range(30):
        send(http, alice if n % 2 else bob, bob if n % 2 else alice, f"m{n}")
    cid = only_conversation(http, alice)["id"]
    one = conversation(http, alice, cid, 1)
    assert [m["body"] for m in one["messages"]] == [f"m{n}" for n in range(25)] and one["done"] is False
    two = conversation(http, alice, cid, 2)
    assert [m["body"] for m in two["messages"]] == [f"m{n}" for n in range(25, 30)] and two["done"] is True
    assert two["page"] == 2
    shifted = conversation(http, alice, cid, 1, 10)
    assert [m["body"] for m in shifted["messages"]] == [f"m{n}" for n in range(10, 30)] and shifted["done"]
    # /{id} and /{id}/{page} are the same as /{id}/1/0 and /{id}/{page}/0.
    assert envelope_ok(http.get(f"/3/conversations/{cid}", headers=alice.bearer)) == one
    assert envelope_ok(http.get(f"/3/conversations/{cid}/2", headers=alice.bearer)) == two


def test_list_newest_first(http: httpx.Client, trio: tuple[User, User, User]) -> None:
    alice, bob, carol = trio
    send(http, bob, alice, "from bob")
    send(http, carol, alice, "from carol")
    assert [c["with_account"] for c in conversations(http, alice)] == [carol.name, bob.name]
    send(http, alice, bob, "back to bob")
    listed = conversations(http, alice)
    assert [c["with_account"] for c in listed] == [bob.name, carol.name]
    assert all(set(c) == CONVERSATION_KEYS for c in listed)
    assert [m["body"] for m in envelope_ok(http.get("/3/messages", headers=alice.bearer))] == [
        "back to bob",
        "from carol",
    ]


def test_delete_is_for_the_caller_only(http: httpx.Client, trio: tuple[User, User, User]) -> None:
    alice, bob, _ = trio
    send(http, alice, bob, "one")
    send(http, bob, alice, "two")
    cid = only_conversation(http, alice)["id"]
    first, second = (m["id"] for m in conversation(http, alice, cid)["messages"])

    assert envelope_ok(http.delete(f"/3/message/{first}", headers=bob.bearer)) is True
    assert bodies(http, bob, cid) == ["two"]
    assert bodies(http, alice, cid) == ["one", "two"]
    envelope_error(http.get(f"/3/message/{first}", headers=bob.bearer), 404)
    envelope_error(http.delete(f"/3/message/{first}", headers=bob.bearer), 404)
    assert envelope_ok(http.get("/3/messages/count", headers=bob.bearer)) == 1
    # The thread is still asked for by its first message's id.
    assert [m["id"] for m in envelope_ok(http.get(f"/3/message/{first}/thread", headers=bob.bearer))] == [
        second
    ]

    assert envelope_ok(http.delete(f"/3/conversations/{cid}", headers=alice.bearer)) is True
    assert conversations(http, alice) == []
    envelope_error(http.get(f"/3/conversations/{cid}", headers=alice.bearer), 404)
    assert envelope_ok(http.get("/3/messages/count", headers=alice.bearer)) == 0
    assert bodies(http, bob, cid) == ["two"]
    # A new message brings the conversation back, with only what came after.
    send(http, bob, alice, "three")
    assert only_conversation(http, alice)["message_count"] == 1
    assert bodies(http, alice, cid) == ["three"]
    assert bodies(http, bob, cid) == ["two", "three"]


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"body": ""}, 400),
        ({"body": "   "}, 400),
        ({"body": "x" * 5001}, 400),
        ({"body": "ok", "subject": "s" * 256}, 400),
    ],
)
def test_bad_bodies(
    http: httpx.Client, trio: tuple[User, User, User], data: dict[str, str], status: int
) -> None:
    alice, bob, _ = trio
    envelope_error(http.post(f"/3/conversations/{bob.name}", headers=alice.bearer, data=data), status)
    envelope_error(
        http.post("/3/message", headers=alice.bearer, data={**data, "recipient": bob.name}), status
    )
    assert conversations(http, bob) == []


def test_longest_body_passes(http: httpx.Client, trio: tuple[User, User, User]) -> None:
    alice, bob, _ = trio
    send(http, alice, bob, "x" * 5000)
    assert only_conversation(http, bob)["last_message_preview"] == "x" * 100


def test_bad_targets(http: httpx.Client, trio: tuple[User, User, User]) -> None:
    alice, bob, _ = trio
    envelope_error(http.post("/3/conversations/nosuchuser0", headers=alice.bearer, data={"body": "x"}), 404)
    envelope_error(http.post("/3/conversations/no-such", headers=alice.bearer, data={"body": "x"}), 404)
    envelope_error(http.post(f"/3/conversations/{alice.name}", headers=alice.bearer, data={"body": "x"}), 400)
    envelope_error(send_2012(http, alice, None, "to nobody"), 400)
    for bad in ("0", "-1", "abc", "9" * 30, "1.5", "%00"):
        envelope_error(http.get(f"/3/message/{bad}", headers=alice.bearer), 404)
        envelope_error(http.get(f"/3/message/{bad}/thread", headers=alice.bearer), 404)
        envelope_error(http.delete(f"/3/message/{bad}", headers=alice.bearer), 404)
        envelope_error(http.get(f"/3/conversations/{bad}", headers=alice.bearer), 404)
        envelope_error(http.delete(f"/3/conversations/{bad}", headers=alice.bearer), 404)
    for page in ("x", "-1", "99999999999"):
        send(http, alice, bob, "paged")
        cid = only_conversation(http, alice)["id"]
        got = envelope_ok(http.get(f"/3/conversations/{cid}/{page}", headers=alice.bearer))
        assert got["page"] == 1
        assert isinstance(envelope_ok(http.get(f"/3/messages/ids/{page}", headers=alice.bearer)), list)
