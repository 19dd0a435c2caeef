"""Notifications through the real client libraries, unmodified: imgurpython 1.1.7 (get_notifications,
get_notification, mark_notifications_as_read with its raw `id1,id2` body) and PyImgur 0.8.1
(User.get_notifications, get_replies, get_messages, Imgur.get_notification, Notification.mark_as_viewed,
and the content it turns into a Comment or a Message by key)."""

from __future__ import annotations

import httpx
import pyimgur
import pytest
from imgurpython.imgur.models.comment import Comment as ImgurpythonComment
from imgurpython.imgur.models.notification import Notification as ImgurpythonNotification

from tests.accounts.helpers import User
from tests.client_libs import imgurpython_as, pyimgur_as
from tests.live import LiveServer
from tests.messages.helpers import send
from tests.notifications.helpers import comment, notifications, post_of


def test_imgurpython(
    http: httpx.Client,
    server: LiveServer,
    session_client: tuple[str, str],
    trio: tuple[User, User, User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice, bob, carol = trio
    client = imgurpython_as(server, session_client, alice, monkeypatch)
    assert client.get_notifications() == {"replies": [], "messages": []}

    post = post_of(http, alice)
    mine = comment(http, alice, post, "alice's comment")
    comment(http, bob, post, "bob on alice's post")
    comment(http, carol, post, "carol's reply", parent=mine)
    send(http, bob, alice, "a message for alice")

    got = client.get_notifications()
    assert [n.content.comment for n in got["replies"]] == ["carol's reply", "bob on alice's post"]
    for n in got["replies"]:
        assert isinstance(n, ImgurpythonNotification) and isinstance(n.content, ImgurpythonComment)
        assert n.account_id == alice.id and n.viewed is False and n.content.children == []
    (message,) = got["messages"]
    assert message.content["from"] == bob.name and message.content["body"] == "a message for alice"

    one = client.get_notification(got["replies"][0].id)
    assert isinstance(one.content, ImgurpythonComment) and one.content.author == carol.name
    assert client.get_notification(message.id).content["with_account"] == bob.name

    ids = [str(got["replies"][1].id), str(message.id)]
    assert client.mark_notifications_as_read(ids) is True
    left = client.get_notifications()
    assert [n.id for n in left["replies"]] == [got["replies"][0].id] and left["messages"] == []
    everything = client.get_notifications(new=False)
    assert {n.id: n.viewed for n in everything["replies"]} == {
        got["replies"][0].id: False,
        got["replies"][1].id: True,
    }
    assert [n.viewed for n in everything["messages"]] == [True]


def test_pyimgur(
    http: httpx.Client,
    server: LiveServer,
    session_client: tuple[str, str],
    trio: tuple[User, User, User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice, bob, _ = trio
    im = pyimgur_as(server, session_client, alice, monkeypatch)
    me = im.get_user(alice.name)
    assert me.get_notifications() == {"messages": [], "replies": []}

    post = post_of(http, alice)
    comment(http, bob, post, "bob's words on the post")
    send(http, bob, alice, "bob writes", subject="hello")

    got = me.get_notifications()
    (reply,) = got["replies"]
    (message,) = got["messages"]
    assert isinstance(reply, pyimgur.Comment) and isinstance(message, pyimgur.Message)

    (reply_note,) = me.get_replies()
    assert reply_note["content"]["comment"] == "bob's words on the post"
    (message_note,) = me.get_messages()
    assert isinstance(message_note, pyimgur.Notification) and message_note.is_viewed is False
    # PyImgur turns content into a Message by its `subject`.
    assert isinstance(message_note.content, pyimgur.Message)
    assert message_note.content.body == "bob writes" and message_note.content.author.name == bob.name
    thread = message_note.content.get_thread()
    assert [m.body for m in thread] == ["bob writes"]

    fetched = im.get_notification(reply_note["id"])
    assert isinstance(fetched, pyimgur.Notification) and fetched.is_viewed is False
    # ... and into a Comment by its `caption`.
    assert isinstance(fetched.content, pyimgur.Comment) and fetched.content.text == "bob's words on the post"
    fetched.mark_as_viewed()
    message_note.mark_as_viewed()
    assert notifications(http, alice) == {"replies": [], "messages": []}
    assert me.get_replies(new=False)[0]["viewed"] is True
    assert [n.is_viewed for n in me.get_messages(new=False)] == [True]
