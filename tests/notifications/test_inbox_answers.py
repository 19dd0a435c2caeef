"""Inbox answers are kept, and never outlive a change (api/inbox_answers.py, migration 0014).

The suite's server keeps an account's notification lists, conversation list and conversation pages under
its inbox version. Each test reads an answer twice (so that the second comes from what the server keeps),
makes one kind of change, and the very next answer must show it: a notification made, marked viewed or
deleted; a message sent or deleted for one side; a vote on a notified comment, by someone else or by the
recipient; an album cover; an account's role (its badge) and name, changed in the database itself as
an operator's command would. One change that no trigger watches (a message's body edited behind the
server's back: nothing in imghost edits one) proves that answers are kept at all, and that they are
kept per account: the other party, whose answer was never made, sees the edit at once."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts.helpers import User
from tests.api.helpers import envelope_ok, upload
from tests.community.gallery_helpers import change_one_row, share
from tests.live import LiveServer
from tests.messages.helpers import conversation, conversations, send
from tests.notifications.helpers import comment, notifications, post_of


def twice(read: Any, *args: Any, **kwargs: Any) -> Any:
    first = read(*args, **kwargs)
    second = read(*args, **kwargs)
    assert first == second
    return second


def reply_content(http: httpx.Client, who: User) -> dict[str, Any]:
    got = notifications(http, who, new="false")["replies"]
    assert len(got) == 1, got
    return got[0]["content"]


def test_notifications_made_viewed_and_deleted_show_at_once(
    http: httpx.Client, trio: tuple[User, User, User]
) -> None:
    alice, bob, _ = trio
    post = post_of(http, alice)
    assert twice(notifications, http, alice) == {"replies": [], "messages": []}
    first = comment(http, bob, post, "one")
    got = twice(notifications, http, alice)
    assert [n["content"]["id"] for n in got["replies"]] == [first]

    envelope_ok(http.post(f"/3/notification/{got['replies'][0]['id']}", headers=alice.bearer))
    assert notifications(http, alice)["replies"] == []
    assert [n["viewed"] for n in twice(notifications, http, alice, new="false")["replies"]] == [True]

    assert envelope_ok(http.delete(f"/3/comment/{first}", headers=bob.bearer)) is True
    assert notifications(http, alice, new="false")["replies"] == []
    # The account's own rows are kept apart from /3/notification's, and moved by the same changes.
    path = f"/3/account/{alice.name}/notifications/replies"
    assert twice(lambda: envelope_ok(http.get(path, headers=alice.bearer, params={"new": "false"}))) == []
    second = comment(http, bob, post, "two")
    got_rows = envelope_ok(http.get(path, headers=alice.bearer, params={"new": "false"}))
    assert [n["content"]["id"] for n in got_rows] == [second]


def test_votes_on_a_notified_comment_show_at_once(http: httpx.Client, trio: tuple[User, User, User]) -> None:
    alice, bob, carol = trio
    post = post_of(http, alice)
    said = comment(http, bob, post, "vote on me")
    assert twice(reply_content, http, alice)["points"] == 0

    envelope_ok(http.post(f"/3/comment/{said}/vote/up", headers=carol.bearer))
    content = twice(reply_content, http, alice)
    assert (content["ups"], content["points"], content["vote"]) == (1, 1, None)

    envelope_ok(http.post(f"/3/comment/{said}/vote/down", headers=alice.bearer))
    content = twice(reply_content, http, alice)
    assert (content["ups"], content["downs"], content["vote"]) == (1, 1, "down")


def test_an_album_cover_shows_at_once(http: httpx.Client, trio: tuple[User, User, User]) -> None:
    alice, bob, _ = trio
    one, two = (upload(http, alice.bearer)["id"] for _ in range(2))
    album = envelope_ok(
        http.post("/3/album", headers=alice.bearer, data={"ids[]": [one, two], "cover": one, "title": "two"})
    )["id"]
    share(http, alice, album, kind="album")
    comment(http, bob, album, "on the album")
    content = twice(reply_content, http, alice)
    assert content["on_album"] is True and content["album_cover"] == one

    envelope_ok(http.post(f"/3/album/{album}", headers=alice.bearer, data={"cover": two}))
    assert reply_content(http, alice)["album_cover"] == two


def test_messages_sent_and_deleted_show_in_every_view(
    http: httpx.Client, trio: tuple[User, User, User]
) -> None:
    alice, bob, _ = trio
    send(http, bob, alice, "hello")
    cid = twice(conversations, http, alice)[0]["id"]
    assert [m["body"] for m in twice(conversation, http, alice, cid)["messages"]] == ["hello"]
    assert twice(notifications, http, bob, new="false")["messages"] == []

    send(http, alice, bob, "hi back")  # touches both parties' views
    assert [(c["message_count"], c["last_message_preview"]) for c in conversations(http, alice)] == [
        (2, "hi back")
    ]
    assert [m["body"] for m in conversation(http, alice, cid)["messages"]] == ["hello", "hi back"]
    assert [n["content"]["message_num"] for n in notifications(http, bob, new="false")["messages"]] == [2]
    shown = notifications(http, alice, new="false")["messages"]
    assert [n["content"]["message_num"] for n in shown] == [2]  # alice's own notification counts it too

    first = conversation(http, alice, cid)["messages"][0]["id"]
    assert envelope_ok(http.delete(f"/3/message/{first}", headers=alice.bearer)) is True
    assert [m["body"] for m in conversation(http, alice, cid)["messages"]] == ["hi back"]
    assert [m["body"] for m in conversation(http, bob, cid)["messages"]] == ["hello", "hi back"]

    assert envelope_ok(http.delete(f"/3/conversations/{cid}", headers=alice.bearer)) is True
    assert conversations(http, alice) == []
    assert [c["message_count"] for c in conversations(http, bob)] == [2]


def test_a_role_and_a_name_changed_by_an_operator_show_at_once(
    server: LiveServer, http: httpx.Client, trio: tuple[User, User, User]
) -> None:
    alice, bob, _ = trio
    post = post_of(http, alice)
    comment(http, bob, post, "badge me")
    send(http, bob, alice, "and a message")
    assert twice(reply_content, http, alice)["has_admin_badge"] is False
    assert twice(conversations, http, alice)[0]["with_account"] == bob.name

    change_one_row(server, "UPDATE accounts SET role = 'admin' WHERE id = ?", (bob.id,))
    assert reply_content(http, alice)["has_admin_badge"] is True
    renamed = f"{bob.name}x"
    change_one_row(server, "UPDATE accounts SET username = ? WHERE id = ?", (renamed, bob.id))
    assert reply_content(http, alice)["author"] == renamed
    assert conversations(http, alice)[0]["with_account"] == renamed
    assert notifications(http, alice)["messages"][0]["content"]["from"] == renamed
    change_one_row(server, "UPDATE accounts SET username = ?, role = 'user' WHERE id = ?", (bob.name, bob.id))


def test_answers_are_kept_per_account(
    server: LiveServer, http: httpx.Client, trio: tuple[User, User, User]
) -> None:
    """A body edited behind the server's back (no trigger sees it) stays out of the answer alice's
    server keeps until something that moves her version happens; bob's answer, never made before,
    has it at once, and carol (no party to it) is refused as before."""
    alice, bob, carol = trio
    send(http, bob, alice, "as sent")
    cid = twice(conversations, http, alice)[0]["id"]
    assert [m["body"] for m in twice(conversation, http, alice, cid)["messages"]] == ["as sent"]
    message = conversation(http, alice, cid)["messages"][0]["id"]

    change_one_row(server, "UPDATE messages SET body = ? WHERE id = ?", ("edited", message))
    assert [m["body"] for m in conversation(http, alice, cid)["messages"]] == ["as sent"]
    assert conversations(http, alice)[0]["last_message_preview"] == "as sent"
    assert [m["body"] for m in conversation(http, bob, cid)["messages"]] == ["edited"]
    assert http.get(f"/3/conversations/{cid}", headers=carol.bearer).status_code == 404

    send(http, bob, alice, "then more")
    assert [m["body"] for m in conversation(http, alice, cid)["messages"]] == ["edited", "then more"]


def test_concurrent_messages_moving_two_inboxes_all_land(
    server: LiveServer, trio: tuple[User, User, User]
) -> None:
    """A message moves both parties' inboxes (their member rows, and the recipient's notification). Many
    at once from both sides must all land, and every view count all of them (on PostgreSQL the versions
    are moved at commit in account order, so no two of these transactions wait on each other in a
    circle)."""
    from concurrent.futures import ThreadPoolExecutor

    alice, bob, _ = trio
    rounds = 24
    with httpx.Client(base_url=server.url, timeout=120) as http:
        send(http, alice, bob, "to start")
        cid = twice(conversations, http, alice)[0]["id"]
        twice(conversations, http, bob)
        twice(notifications, http, alice, new="false")

    def message(n: int) -> int:
        who, to = (alice, bob) if n % 2 else (bob, alice)
        with httpx.Client(base_url=server.url, timeout=120) as own:
            r = own.post(f"/3/conversations/{to.name}", headers=who.bearer, data={"body": f"m{n}"})
            return r.status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(message, range(2 * rounds)))
    assert statuses == [200] * (2 * rounds)
    total = 1 + 2 * rounds
    with httpx.Client(base_url=server.url, timeout=120) as http:
        for who in (alice, bob):
            assert [c["message_count"] for c in conversations(http, who)] == [total], who.name
            pages = [conversation(http, who, cid, page=n)["messages"] for n in (1, 2)]
            assert sum(len(p) for p in pages) == total  # two pages of 25 hold them all
            (shown,) = notifications(http, who, new="false")["messages"]
            assert shown["content"]["message_num"] == total


def test_an_id_given_again_never_meets_the_old_accounts_answer(
    server: LiveServer, http: httpx.Client, session_client: tuple[str, str]
) -> None:
    """The inbox version outlives its account (no row is deleted with it), and making an account moves
    the version of its id: an account that gets a deleted account's id again starts past every number
    the old one had. Shown here with the version itself, on whichever id the new account gets."""
    from tests.accounts.helpers import make_user

    left = make_user(server, session_client, prefix="left")
    old = make_user(server, session_client, prefix="gone")  # the newest account: its id may come back
    send(http, left, old, "for the old account")
    assert [n["content"]["body"] for n in twice(notifications, http, old)["messages"]] == [
        "for the old account"
    ]
    before = _version(server, old.id)
    assert before > 0
    assert http.delete(f"/3/account/{old.name}", headers=old.bearer).status_code == 200
    assert _version(server, old.id) >= before  # kept
    new = make_user(server, session_client, prefix="new")
    assert notifications(http, new) == {"replies": [], "messages": []}
    # SQLite gives the newest row's id again; PostgreSQL never does.
    assert new.id != old.id or _version(server, new.id) > before


def _version(server: LiveServer, account_id: int) -> int:
    import sqlite3

    from tests.live import sqlite_db

    path = sqlite_db(server)
    sql = "SELECT n FROM inbox_versions WHERE account_id = ?"
    if path is None:
        import os

        import psycopg

        url = server.env.get("IMGHOST_DATABASE_URL") or os.environ["IMGHOST_TEST_DATABASE_URL"]
        with psycopg.connect(url) as pg:
            row = pg.execute(sql.replace("?", "%s"), (account_id,)).fetchone()
    else:
        con = sqlite3.connect(path, timeout=30)
        try:
            row = con.execute(sql, (account_id,)).fetchone()
        finally:
            con.close()
    return int(row[0]) if row else 0
