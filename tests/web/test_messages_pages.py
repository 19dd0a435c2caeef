"""The /messages pages and the Messaging section of the settings, in two browser contexts signed in as
two accounts: a message composed by one is in the other's list and thread, a reply comes back, deleting
is for one side only, a block stops both sides, a closed inbox refuses, a report reaches the moderation
queue; anyone else is told the conversation does not exist and visitors sign in first. axe finds no
serious or critical violation on the list, a thread, compose and the settings."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.accounts.helpers import User, make_user
from tests.api.helpers import envelope_ok
from tests.community.moderation_helpers import queue
from tests.live import LiveServer, db_rows
from tests.messages.helpers import CLOSED, send
from tests.web.conftest import assert_accessible, new_context, shot, sign_in


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


class Person:
    """An account signed in in a browser context of its own."""

    def __init__(self, browser: Any, server: LiveServer, creds: tuple[str, str], prefix: str) -> None:
        self.user: User = make_user(server, creds, prefix=prefix)
        self.context = new_context(browser, server)
        self.page = self.context.new_page()
        sign_in(self.page, self.user.name, self.user.password)

    @property
    def name(self) -> str:
        return self.user.name


@pytest.fixture
def people(
    browser: Any, server: LiveServer, session_client: tuple[str, str]
) -> Iterator[tuple[Person, Person]]:
    a, b = Person(browser, server, session_client, "msga"), Person(browser, server, session_client, "msgb")
    try:
        yield a, b
    finally:
        a.context.close()
        b.context.close()


def compose(page: Any, to: str, body: str) -> None:
    page.goto(f"/messages/new?to={to}")
    page.get_by_label("Message").fill(body)
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()


def conversation_id(page: Any) -> int:
    found = re.search(r"/messages/(\d+)", page.url)
    assert found, page.url
    return int(found.group(1))


def bodies(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("#thread .message .body").all_inner_texts()]


def notified(server: LiveServer, who: Person, cid: int) -> list[bool]:
    """Whether each of the account's notifications of the conversation is viewed."""
    rows = db_rows(
        server,
        "SELECT viewed FROM notifications WHERE account_id = ? AND conversation_id = ?",
        (who.user.id, cid),
    )
    return [bool(r[0]) for r in rows]


def reply(page: Any, body: str) -> None:
    page.locator("#reply-body").fill(body)
    page.locator("#send").click()
    page.wait_for_load_state()


def test_two_accounts_write_to_each_other(people: tuple[Person, Person], server: LiveServer) -> None:
    a, b = people
    # Only someone else signed in is offered to send a message from a profile.
    a.page.goto(f"/user/{a.name}")
    assert a.page.locator("#send-message").count() == 0
    assert "send-message" not in httpx.get(f"{server.url}/user/{b.name}").text
    a.page.goto(f"/user/{b.name}")
    a.page.locator("#send-message").click()
    a.page.wait_for_url(f"**/messages/new?to={b.name}")
    assert a.page.get_by_label("To").input_value() == b.name
    shot(a.page, "messages-compose")
    assert_accessible(a.page)
    a.page.get_by_label("Message").fill("Hello <b>there</b>,\nsecond line")
    a.page.get_by_role("button", name="Send").click()
    a.page.wait_for_url(re.compile(r"/messages/\d+\?done=sent"))
    cid = conversation_id(a.page)
    assert a.page.locator("#done").inner_text() == "Your message is sent."
    assert bodies(a.page) == ["Hello <b>there</b>,\nsecond line"]

    deadline = time.monotonic() + 10
    while notified(server, b, cid) != [False] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert notified(server, b, cid) == [False]
    b.page.goto("/messages")
    item = b.page.locator(f"#conversation-{cid}")
    assert item.get_attribute("data-with") == a.name
    assert "Hello <b>there</b>" in item.locator(".preview").inner_text()
    shot(b.page, "messages-list")
    assert_accessible(b.page)
    item.locator("a.conversation-link").click()
    b.page.wait_for_url(f"**/messages/{cid}")
    assert b.page.locator("#with-account").inner_text() == a.name
    assert bodies(b.page) == ["Hello <b>there</b>,\nsecond line"]
    # Opening the conversation is reading its message: the notification of it is viewed.
    assert notified(server, b, cid) == [True]
    reply(b.page, "Hi back")
    assert b.page.locator("#done").inner_text() == "Your message is sent."
    assert bodies(b.page) == ["Hello <b>there</b>,\nsecond line", "Hi back"]
    shot(b.page, "messages-thread")
    assert_accessible(b.page)

    a.page.goto("/messages")
    assert "Hi back" in a.page.locator(f"#conversation-{cid} .preview").inner_text()
    a.page.goto(f"/messages/{cid}")
    assert [s.strip() for s in a.page.locator("#thread .sender").all_inner_texts()] == ["You", b.name]
    assert bodies(a.page)[-1] == "Hi back"
    # Nobody writes to themselves; the notice says so on the form, with the text kept.
    compose(a.page, a.name, "to me")
    assert "yourself" in a.page.locator("#send-error").inner_text()
    assert a.page.get_by_label("Message").input_value() == "to me"
    compose(a.page, "nosuchaccount4242", "anyone?")
    assert "nosuchaccount4242" in a.page.locator("#send-error").inner_text()


def test_deleting_is_for_one_side_only(people: tuple[Person, Person]) -> None:
    a, b = people
    compose(a.page, b.name, "Keep this for me")
    cid = conversation_id(a.page)
    b.page.goto(f"/messages/{cid}")
    b.page.locator("#delete summary").click()
    b.page.locator("#delete-conversation").click()
    b.page.wait_for_url("**/messages?done=deleted")
    assert "The other person still has it" in b.page.locator("#done").inner_text()
    assert b.page.locator(f"#conversation-{cid}").count() == 0
    assert b.page.goto(f"/messages/{cid}").status == 404
    a.page.goto(f"/messages/{cid}")
    assert bodies(a.page) == ["Keep this for me"]
    # A new message brings it back to the side that deleted it, with only what came after.
    reply(a.page, "Another one")
    b.page.goto("/messages")
    assert b.page.locator(f"#conversation-{cid}").count() == 1
    b.page.goto(f"/messages/{cid}")
    assert bodies(b.page) == ["Another one"]


def test_a_block_stops_both_sides(people: tuple[Person, Person]) -> None:
    a, b = people
    compose(a.page, b.name, "First")
    cid = conversation_id(a.page)
    b.page.goto(f"/messages/{cid}")
    b.page.locator("#block").click()
    b.page.wait_for_url(f"**/messages/{cid}?done=blocked")
    assert b.page.locator("#unblock").is_visible()
    # The blocked side is told its message did not go, not why; what it typed stays.
    a.page.goto(f"/messages/{cid}")
    reply(a.page, "Are you there?")
    assert a.page.locator("#send-error").inner_text() == CLOSED
    assert a.page.locator("#reply-body").input_value() == "Are you there?"
    shot(a.page, "messages-refused")
    assert_accessible(a.page)
    compose(a.page, b.name, "Again")
    assert a.page.locator("#send-error").inner_text() == CLOSED
    # The blocking side cannot write either, until it lifts the block.
    reply(b.page, "One-sided")
    assert "unblock" in b.page.locator("#send-error").inner_text()
    b.page.goto("/account/settings")
    assert b.page.locator(f"#blocked-{a.name}").count() == 1
    b.page.locator(f"#blocked-{a.name} button").click()
    b.page.wait_for_url("**/account/settings?done=unblocked*")
    assert b.page.locator(f"#blocked-{a.name}").count() == 0
    b.page.goto(f"/messages/{cid}")
    reply(b.page, "Unblocked now")
    assert b.page.locator("#done").inner_text() == "Your message is sent."
    a.page.goto(f"/messages/{cid}")
    assert bodies(a.page) == ["First", "Unblocked now"]


def test_settings_close_the_inbox_and_keep_a_block_list(
    people: tuple[Person, Person], http: httpx.Client
) -> None:
    a, b = people
    b.page.goto("/account/settings")
    shot(b.page, "settings-messaging")
    assert_accessible(b.page)
    box = b.page.get_by_label("Let other people send me messages")
    assert box.is_checked()
    box.uncheck()
    b.page.locator("#save-messaging").click()
    b.page.wait_for_url("**/account/settings?done=messaging*")
    assert not b.page.get_by_label("Let other people send me messages").is_checked()
    got = envelope_ok(http.get(f"/3/account/{b.name}/settings", headers=b.user.bearer))
    assert got["messaging_enabled"] is False
    compose(a.page, b.name, "Knock knock")
    assert a.page.locator("#send-error").inner_text() == CLOSED
    # Saving the other settings leaves it as it is.
    b.page.get_by_label("Bio").fill("quiet")
    b.page.get_by_role("button", name="Save settings").click()
    b.page.wait_for_url("**/account/settings?done=settings")
    assert (
        envelope_ok(http.get(f"/3/account/{b.name}/settings", headers=b.user.bearer))["messaging_enabled"]
        is False
    )
    b.page.get_by_label("Let other people send me messages").check()
    b.page.locator("#save-messaging").click()
    b.page.wait_for_url("**/account/settings?done=messaging*")
    compose(a.page, b.name, "Knock knock")
    assert a.page.locator("#done").inner_text() == "Your message is sent."

    # The block list: a username blocked from the settings is listed and refused; an unknown one is a notice.
    b.page.get_by_label("Block a username").fill("nosuchaccount4242")
    b.page.locator("#block-user").click()
    assert "nosuchaccount4242" in b.page.locator("#messaging-error").inner_text()
    b.page.get_by_label("Block a username").fill(a.name)
    b.page.locator("#block-user").click()
    b.page.wait_for_url("**/account/settings?done=blocked*")
    assert b.page.locator(f"#blocked-{a.name}").count() == 1
    assert_accessible(b.page)
    assert envelope_ok(http.get(f"/account/v1/{a.name}/block", headers=b.user.bearer)) == {"blocked": True}
    compose(a.page, b.name, "Still there?")
    assert a.page.locator("#send-error").inner_text() == CLOSED


def test_a_report_reaches_the_moderation_queue(
    people: tuple[Person, Person], server: LiveServer, session_client: tuple[str, str], http: httpx.Client
) -> None:
    a, b = people
    compose(a.page, b.name, "Buy cheap things")
    cid = conversation_id(a.page)
    b.page.goto(f"/messages/{cid}")
    b.page.locator("#report summary").click()
    b.page.get_by_label("Spam").check()
    b.page.locator("#report-send").click()
    b.page.wait_for_url(f"**/messages/{cid}?done=reported")
    assert "moderators" in b.page.locator("#done").inner_text()
    admin = make_user(server, session_client, prefix="admin")
    server.cli("user", "admin", admin.name)
    (found,) = [r for r in queue(http, admin, "open") if r["sender_id"] == a.user.id]
    assert found["kind"] == "sender" and found["reporter"] == b.name and found["reason"] == 2
    # The sender itself has nothing to report: the notice says so on the page.
    a.page.goto(f"/messages/{cid}")
    a.page.locator("#report summary").click()
    a.page.get_by_label("Spam").check()
    a.page.locator("#report-send").click()
    assert "sent you no messages" in a.page.locator("#send-error").inner_text()


def test_others_get_nothing_and_visitors_sign_in(
    browser: Any, server: LiveServer, session_client: tuple[str, str], people: tuple[Person, Person]
) -> None:
    a, b = people
    compose(a.page, b.name, "Between us")
    cid = conversation_id(a.page)
    third = Person(browser, server, session_client, "msgc")
    try:
        for path in (f"/messages/{cid}", "/messages/x1", "/messages/99999999999"):
            response = third.page.goto(path)
            assert response.status == 404, path
        assert "Between us" not in third.page.content()
        assert_accessible(third.page)
        third.page.goto("/messages")
        assert third.page.locator(f"#conversation-{cid}").count() == 0
        # Nor may it post into the conversation, delete or block through it.
        csrf = third.page.locator("meta[name=csrf-token]").get_attribute("content")
        for suffix in ("", "/delete", "/block", "/report"):
            r = third.page.request.post(f"/messages/{cid}{suffix}", form={"csrf_token": csrf, "body": "hi"})
            assert r.status == 404, suffix
    finally:
        third.context.close()
    a.page.goto(f"/messages/{cid}")
    assert bodies(a.page) == ["Between us"]
    visitor = new_context(browser, server)
    try:
        page = visitor.new_page()
        for path in ("/messages", f"/messages/{cid}", f"/messages/new?to={b.name}"):
            page.goto(path)
            page.wait_for_url(re.compile(r"/signin\?next="))
            assert "/signin?next=/messages" in page.url, page.url
        r = httpx.post(f"{server.url}/messages/new", data={"to": b.name, "body": "x"})
        assert r.status_code == 403
    finally:
        visitor.close()


def test_a_long_conversation_opens_on_its_newest_page(
    people: tuple[Person, Person], http: httpx.Client
) -> None:
    a, b = people
    for n in range(30):
        send(http, a.user if n % 2 == 0 else b.user, b.user if n % 2 == 0 else a.user, f"message {n}")
    b.page.goto("/messages")
    b.page.locator(f"[data-with='{a.name}'] a.conversation-link").click()
    b.page.wait_for_load_state()
    assert bodies(b.page) == [f"message {n}" for n in range(25, 30)]
    assert b.page.locator("#thread-pager").inner_text().count("Page 2 of 2") == 1
    assert b.page.locator("#newer").count() == 0
    b.page.locator("#older").click()
    b.page.wait_for_load_state()
    assert bodies(b.page) == [f"message {n}" for n in range(25)]
    assert b.page.locator("#older").count() == 0 and b.page.locator("#newer").count() == 1
    b.page.goto(b.page.url.split("?")[0] + "?page=99")
    assert bodies(b.page) == [f"message {n}" for n in range(25, 30)]
    assert_accessible(b.page)
