"""GET/POST /3/notification and the account's notification rows over raw HTTP: what makes one (a reply
to one's comment, a comment on one's post, a message; never one's own action), the exact shapes, new
and viewed, marking one, several (the raw `id1,id2` body imgurpython sends, and the keyed forms), and
what a deleted comment or a block takes away."""

from __future__ import annotations

import httpx
import pytest

from tests.accounts.helpers import User
from tests.api.helpers import envelope_error, envelope_ok
from tests.messages.helpers import send
from tests.notifications.helpers import comment, notifications, post_of


def test_a_comment_and_a_reply_notify_their_owners_and_nobody_else(
    http: httpx.Client, trio: tuple[User, User, User]
) -> None:
    alice, bob, carol = trio
    post = post_of(http, alice)
    mine = comment(http, alice, post, "my own comment on my own post")
    assert notifications(http, alice) == {"replies": [], "messages": []}

    on_post = comment(http, bob, post, "bob comments on alice's post")
    reply = comment(http, carol, post, "carol replies to alice", parent=mine)
    comment(http, alice, post, "alice replies to herself", parent=mine)

    got = notifications(http, alice)
    assert [n["content"]["id"] for n in got["replies"]] == [reply, on_post]  # newest first
    assert got["messages"] == []
    first = got["replies"][0]
    assert first["viewed"] is False and first["account_id"] == alice.id
    content = first["content"]
    assert content["comment"] == content["caption"] == "carol replies to alice"
    assert content["author"] == carol.name and content["author_id"] == carol.id
    assert content["parent_id"] == mine and content["image_id"] == post and content["children"] == []
    assert content["deleted"] is False and content["on_album"] is False
    # Nobody else heard of it.
    for who in (bob, carol):
        assert notifications(http, who) == {"replies": [], "messages": []}


def test_a_message_notifies_once_per_conversation_and_moves_to_the_latest(
    http: httpx.Client, trio: tuple[User, User, User]
) -> None:
    alice, bob, carol = trio
    send(http, bob, alice, "first words")
    send(http, bob, alice, "second words", subject="about the thing")
    send(http, carol, alice, "from carol")
    send(http, alice, bob, "alice answers")  # notifies bob only
    got = notifications(http, alice)
    assert got["replies"] == []
    assert [n["content"]["from"] for n in got["messages"]] == [carol.name, bob.name]
    bobs = got["messages"][1]["content"]
    assert bobs["body"] == "second words" and bobs["last_message"] == "second words"
    assert bobs["with_account"] == bob.name and bobs["with_account_id"] == bob.id
    assert bobs["sender_id"] == bob.id and bobs["account_id"] == bob.id
    assert bobs["message_num"] == 3  # the conversation holds alice's answer too
    thread = envelope_ok(http.get(f"/3/message/{bobs['id']}/thread", headers=alice.bearer))
    assert bobs["parent_id"] == thread[0]["id"] and bobs["conversation_id"] == thread[0]["conversation_id"]
    assert [n["content"]["body"] for n in notifications(http, bob)["messages"]] == ["alice answers"]


def test_viewed_stays_viewed_and_new_false_lists_everything(
    http: httpx.Client, trio: tuple[User, User, User]
) -> None:
    alice, bob, _ = trio
    post = post_of(http, alice)
    one, two = (comment(http, bob, post, f"comment {n}") for n in (1, 2))
    send(http, bob, alice, "a message")
    got = notifications(http, alice)
    by_comment = {n["content"]["id"]: n["id"] for n in got["replies"]}
    message_id = got["messages"][0]["id"]

    assert envelope_ok(http.post(f"/3/notification/{by_comment[one]}", headers=alice.bearer)) is True
    assert envelope_ok(http.put(f"/3/notification/{message_id}", headers=alice.bearer)) is True
    # Marking again changes nothing and is not an error.
    assert envelope_ok(http.post(f"/3/notification/{by_comment[one]}", headers=alice.bearer)) is True

    fresh = notifications(http, alice)
    assert [n["content"]["id"] for n in fresh["replies"]] == [two] and fresh["messages"] == []
    for new in ("false", "False", "0"):
        everything = notifications(http, alice, new=new)
        assert {n["content"]["id"]: n["viewed"] for n in everything["replies"]} == {one: True, two: False}
        assert [n["viewed"] for n in everything["messages"]] == [True]
    for new in ("true", "True", "1"):
        assert notifications(http, alice, new=new) == fresh
    single = envelope_ok(http.get(f"/3/notification/{by_comment[one]}", headers=alice.bearer))
    assert single["viewed"] is True and single["content"]["comment"] == "comment 1"

    # A new message in the viewed conversation is news again.
    send(http, bob, alice, "one more")
    assert [n["content"]["body"] for n in notifications(http, alice)["messages"]] == ["one more"]


@pytest.mark.parametrize("form", ["raw", "urlencoded", "json", "query", "repeated"])
def test_several_marked_at_once(http: httpx.Client, trio: tuple[User, User, User], form: str) -> None:
    alice, bob, carol = trio
    post = post_of(http, alice)
    for n in range(3):
        comment(http, bob, post, f"comment {n}")
    ids = [n["id"] for n in notifications(http, alice)["replies"]]
    assert len(ids) == 3
    marked, kept = ids[:2], ids[2]
    joined = ",".join(str(i) for i in marked)
    if form == "raw":  # imgurpython: the ids as the whole body, no key, no content type
        r = http.post("/3/notification", headers=alice.bearer, content=joined.encode())
    elif form == "urlencoded":
        r = http.post("/3/notification", headers=alice.bearer, data={"ids": joined})
    elif form == "json":
        r = http.post("/3/notification", headers=alice.bearer, json={"ids": marked})
    elif form == "query":
        r = http.post("/3/notification", headers=alice.bearer, params={"ids": joined})
    else:
        r = http.post("/3/notification", headers=alice.bearer, data={"ids[]": [str(i) for i in marked]})
    assert envelope_ok(r) is True
    assert [n["id"] for n in notifications(http, alice)["replies"]] == [kept]
    # Someone else's ids in the list change nothing of theirs.
    comment(http, alice, post_of(http, carol), "alice on carol's post")
    (carols,) = notifications(http, carol)["replies"]
    assert envelope_ok(
        http.post("/3/notification", headers=alice.bearer, data={"ids": f"{kept},{carols['id']}"})
    )
    assert notifications(http, alice)["replies"] == []
    assert [n["id"] for n in notifications(http, carol)["replies"]] == [carols["id"]]


def test_account_rows_are_the_owners_only(http: httpx.Client, trio: tuple[User, User, User]) -> None:
    alice, bob, _ = trio
    post = post_of(http, alice)
    comment(http, bob, post, "a comment")
    send(http, bob, alice, "a message")
    whole = notifications(http, alice)
    for name in (alice.name, "me"):
        assert notifications(http, alice, path=f"/3/account/{name}/notifications") == whole
        replies = envelope_ok(http.get(f"/3/account/{name}/notifications/replies", headers=alice.bearer))
        assert replies == whole["replies"]
        messages = envelope_ok(http.get(f"/3/account/{name}/notifications/messages", headers=alice.bearer))
        assert messages == whole["messages"]
    for suffix in ("", "/replies", "/messages"):
        envelope_error(http.get(f"/3/account/{alice.name}/notifications{suffix}", headers=bob.bearer), 403)


def test_others_learn_nothing_and_bad_ids_are_not_found(
    http: httpx.Client, trio: tuple[User, User, User]
) -> None:
    alice, bob, carol = trio
    comment(http, bob, post_of(http, alice), "a comment")
    (theirs,) = notifications(http, alice)["replies"]
    unknown = theirs["id"] + 10_000_000
    for nid in (theirs["id"], unknown):
        for r in (
            http.get(f"/3/notification/{nid}", headers=carol.bearer),
            http.post(f"/3/notification/{nid}", headers=carol.bearer),
            http.put(f"/3/notification/{nid}", headers=carol.bearer),
        ):
            assert envelope_error(r, 404)["error"] == f"Unable to find a notification with the id, {nid}"
    for bad in ("abc", "0", "-1", "99999999999999999999999"):
        envelope_error(http.get(f"/3/notification/{bad}", headers=alice.bearer), 404)
    assert notifications(http, alice)["replies"][0]["viewed"] is False


def test_a_deleted_comment_takes_its_notification(http: httpx.Client, trio: tuple[User, User, User]) -> None:
    alice, bob, carol = trio
    post = post_of(http, alice)
    parent = comment(http, bob, post, "bob's comment")
    comment(http, carol, post, "carol's reply to bob", parent=parent)  # keeps bob's as [deleted]
    assert len(notifications(http, alice)["replies"]) == 1
    assert envelope_ok(http.delete(f"/3/comment/{parent}", headers=bob.bearer)) is True
    assert notifications(http, alice, new="false")["replies"] == []
    # Carol's reply stands, and so does bob's notification of it.
    assert [n["content"]["comment"] for n in notifications(http, bob)["replies"]] == ["carol's reply to bob"]
