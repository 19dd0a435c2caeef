"""Messages, conversations and blocks through the real client libraries, unmodified: imgurpython 1.1.7
(conversation_list, get_conversation, create_message, delete_conversation, report_sender,
block_sender, get_account_settings' blocked_users) and PyImgur 0.8.1 (User.send_message,
Imgur.get_message, Message.get_thread, Message.reply, Message.delete). Both libraries read what the
other wrote: one store."""

from __future__ import annotations

import httpx
import pytest
from imgurpython.helpers.error import ImgurClientError
from imgurpython.imgur.models.conversation import Conversation
from pyimgur.exceptions import ResourceNotFoundError

from tests.accounts.helpers import User
from tests.api.helpers import envelope_ok
from tests.client_libs import imgurpython_as, pyimgur_as
from tests.community.moderation_helpers import new_admin, queue
from tests.live import LiveServer
from tests.messages.helpers import bodies, only_conversation


def test_imgurpython(
    http: httpx.Client,
    server: LiveServer,
    session_client: tuple[str, str],
    trio: tuple[User, User, User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice, bob, carol = trio
    a = imgurpython_as(server, session_client, alice, monkeypatch)
    b = imgurpython_as(server, session_client, bob, monkeypatch)

    assert a.conversation_list() == []
    assert a.create_message(bob.name, "hello from imgurpython") is True
    assert b.create_message(alice.name, "hello back") is True
    (listed,) = b.conversation_list()
    assert isinstance(listed, Conversation)
    assert listed.with_account == alice.name and listed.with_account_id == alice.id
    assert listed.message_count == 2 and listed.last_message_preview == "hello back"
    assert listed.messages is None

    got = a.get_conversation(listed.id)
    assert got.id == listed.id and got.done is True and got.page == 1
    assert [(m.from_user, m.body, m.sender_id) for m in got.messages] == [
        (alice.name, "hello from imgurpython", alice.id),
        (bob.name, "hello back", bob.id),
    ]
    assert {m.conversation_id for m in got.messages} == {listed.id}
    assert a.get_conversation(listed.id, 2).messages is None  # an empty page

    # Someone else's conversation is not found, through the library's own error.
    c = imgurpython_as(server, session_client, carol, monkeypatch)
    with pytest.raises(ImgurClientError) as caught:
        c.get_conversation(listed.id)
    assert caught.value.status_code == 404

    assert a.report_sender(bob.name) is True
    admin = new_admin(server, session_client)
    assert [r["reporter"] for r in queue(http, admin, "open") if r["sender_id"] == bob.id] == [alice.name]
    assert a.block_sender(bob.name) is True
    assert a.get_account_settings(alice.name).blocked_users == [
        {"blocked_id": bob.id, "blocked_url": bob.name}
    ]
    with pytest.raises(ImgurClientError) as caught:
        b.create_message(alice.name, "blocked")
    assert caught.value.status_code == 403

    assert a.delete_conversation(listed.id) is True
    assert a.conversation_list() == []
    assert [m.body for m in b.get_conversation(listed.id).messages] == [
        "hello from imgurpython",
        "hello back",
    ]


def test_pyimgur(
    http: httpx.Client,
    server: LiveServer,
    session_client: tuple[str, str],
    trio: tuple[User, User, User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice, bob, _ = trio
    a = pyimgur_as(server, session_client, alice, monkeypatch)
    b = pyimgur_as(server, session_client, bob, monkeypatch)

    a.get_user(bob.name).send_message("from PyImgur", subject="a subject")
    mid = envelope_ok(http.get("/3/messages/ids/0", headers=bob.bearer))[0]
    message = b.get_message(mid)
    assert message.body == "from PyImgur" and message.subject == "a subject"
    assert message.author.name == alice.name and message.first_message.id == mid
    assert not hasattr(message, "account_id")  # PyImgur drops it; the author is what it keeps

    message.reply("a reply from PyImgur")  # to the author, with reply_to = this message
    thread = message.get_thread()
    assert [(m.author.name, m.body) for m in thread] == [
        (alice.name, "from PyImgur"),
        (bob.name, "a reply from PyImgur"),
    ]
    assert {m.first_message.id for m in thread} == {mid}
    # The later route family reads what PyImgur wrote.
    cid = only_conversation(http, alice)["id"]
    assert bodies(http, alice, cid) == ["from PyImgur", "a reply from PyImgur"]

    # A reply to the reply, from alice's side, through a message she fetched.
    mine = a.get_message(thread[1].id)
    mine.reply("and again")
    assert bodies(http, bob, cid)[-1] == "and again"

    # Delete is for the caller only.
    message.delete()
    assert bodies(http, bob, cid) == ["a reply from PyImgur", "and again"]
    assert bodies(http, alice, cid) == ["from PyImgur", "a reply from PyImgur", "and again"]
    with pytest.raises(ResourceNotFoundError):
        b.get_message(mid)
