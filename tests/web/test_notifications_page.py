"""The notification badge in the header and the /notifications page, in Chromium against a real
server: two browser contexts as two accounts, the messages and replies sent through the API."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.accounts.helpers import User, make_user
from tests.api.helpers import envelope_ok, unique_jpeg, upload
from tests.live import LiveServer
from tests.web.conftest import assert_accessible, new_context, shot, sign_in


@dataclass
class Person:
    user: User
    context: Any
    page: Any

    @property
    def badge(self) -> Any:
        return self.page.locator("#notify-badge")


def _person(browser: Any, server: LiveServer, creds: tuple[str, str], prefix: str) -> Person:
    user = make_user(server, creds, prefix=prefix)
    ctx = new_context(browser, server)
    page = ctx.new_page()
    sign_in(page, user.name, user.password)
    return Person(user, ctx, page)


@pytest.fixture
def two(browser: Any, server: LiveServer, session_client: tuple[str, str]) -> Iterator[tuple[Person, Person]]:
    a = _person(browser, server, session_client, "nreader")
    b = _person(browser, server, session_client, "nwriter")
    try:
        yield a, b
    finally:
        a.context.close()
        b.context.close()


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


_seed = [81_000]


def new_post(http: httpx.Client, who: User) -> str:
    _seed[0] += 1
    image = upload(http, who.bearer, unique_jpeg(_seed[0], 400, 300))
    data = {"title": "A post", "terms": "1"}
    assert envelope_ok(http.post(f"/3/gallery/image/{image['id']}", headers=who.bearer, data=data)) is True
    return str(image["id"])


def comment(http: httpx.Client, who: User, post_id: str, text: str, parent: int | None = None) -> int:
    data = {"image_id": post_id, "comment": text, **({"parent_id": str(parent)} if parent else {})}
    return int(envelope_ok(http.post("/3/comment", headers=who.bearer, data=data))["id"])


def message(http: httpx.Client, who: User, to: User, body: str) -> httpx.Response:
    return http.post(f"/3/conversations/{to.name}", headers=who.bearer, data={"body": body})


def live_page(p: Person, path: str = "/gallery") -> None:
    """A page whose badge script has its stream open, marked so that a reload would show."""
    p.page.goto(path)
    p.page.locator("#notify-badge[data-live=on]").wait_for(state="attached")
    p.page.evaluate("() => { window.notStale = 1; }")


def same_page(p: Person) -> bool:
    return bool(p.page.evaluate("() => window.notStale === 1"))


def test_a_message_from_one_account_appears_live_on_the_others_badge(
    two: tuple[Person, Person], http: httpx.Client, browser: Any, server: LiveServer
) -> None:
    reader, writer = two
    live_page(reader)
    expect(reader.badge).to_be_hidden()
    assert message(http, writer.user, reader.user, "hello there").status_code == 200
    expect(reader.badge).to_have_text("1 unread")
    expect(reader.page.get_by_role("link", name="Notifications 1 unread")).to_be_visible()
    assert same_page(reader), "the page was reloaded: the badge is not live"
    shot(reader.page, "notifications-badge-live")
    # Correct without the stream too: a page made now says it, to a browser that runs no script.
    quiet = new_context(
        browser, server, java_script_enabled=False, storage_state=reader.context.storage_state()
    )
    try:
        still = quiet.new_page()
        still.goto("/account/images")
        expect(still.locator("#notify-badge")).to_have_text("1 unread")
    finally:
        quiet.close()
    # The writer's own badge saw nothing.
    live_page(writer)
    expect(writer.badge).to_be_hidden()
    # The page lists it with a link to the conversation, and marking all read empties the badge.
    reader.page.goto("/notifications")
    entry = reader.page.locator("#messages li.notification")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(f"{writer.user.name} sent you a message")
    expect(entry).to_contain_text("hello there")
    href = entry.get_by_role("link").get_attribute("href")
    assert href and re.fullmatch(r"/notifications/\d+", href), href
    reader.page.get_by_role("button", name="Mark all as read").click()
    expect(reader.page.locator("#done")).to_have_text("Every notification is marked as read.")
    expect(reader.badge).to_be_hidden()
    expect(reader.page.locator("#messages li.notification.unread")).to_have_count(0)


def test_a_reply_to_a_comment_appears_as_a_notification(
    two: tuple[Person, Person], http: httpx.Client
) -> None:
    reader, writer = two
    # The writer's post, the reader's comment on it, the writer's reply: one reply notification.
    post = new_post(http, writer.user)
    mine = comment(http, reader.user, post, "my first thought")
    live_page(reader)
    reply = comment(http, writer.user, post, "a <b>reply</b> to you", parent=mine)
    expect(reader.badge).to_have_text("1 unread")
    assert same_page(reader)
    reader.page.goto("/notifications")
    entry = reader.page.locator("#replies li.notification")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(f"{writer.user.name} replied to your comment")
    expect(entry.locator("blockquote")).to_have_text("a <b>reply</b> to you")
    expect(reader.page.locator("#no-messages")).to_be_visible()
    assert_accessible(reader.page)
    shot(reader.page, "notifications-page")
    # Its link marks it read and goes to the reply on the post.
    entry.get_by_role("link").click()
    reader.page.wait_for_url(re.compile(rf"/gallery/{post}#c{reply}$"))
    expect(reader.page.locator(f"#c{reply}")).to_be_visible()
    expect(reader.badge).to_be_hidden()
    reader.page.goto("/notifications")
    expect(reader.page.locator("#replies li.notification.unread")).to_have_count(0)
    expect(reader.page.locator("#replies li.notification")).to_have_count(1)


def test_mark_one_read(two: tuple[Person, Person], http: httpx.Client) -> None:
    reader, writer = two
    post = new_post(http, writer.user)
    first = comment(http, reader.user, post, "one")
    second = comment(http, reader.user, post, "two")
    comment(http, writer.user, post, "to one", parent=first)
    comment(http, writer.user, post, "to two", parent=second)
    reader.page.goto("/notifications")
    expect(reader.badge).to_have_text("2 unread")
    unread = reader.page.locator("#replies li.notification.unread")
    expect(unread).to_have_count(2)
    unread.first.get_by_role("button", name=re.compile("^Mark as read")).click()
    expect(reader.page.locator("#done")).to_have_text("Marked as read.")
    expect(reader.page.locator("#replies li.notification.unread")).to_have_count(1)
    expect(reader.badge).to_have_text("1 unread")
    assert_accessible(reader.page)


def test_a_block_stops_both(two: tuple[Person, Person], http: httpx.Client) -> None:
    reader, writer = two
    post = new_post(http, writer.user)
    mine = comment(http, reader.user, post, "before the block")
    live_page(reader)
    assert message(http, writer.user, reader.user, "you will block me").status_code == 200
    expect(reader.badge).to_have_text("1 unread")
    # The block takes away what the blocked account caused, live.
    r = http.post(f"/account/v1/{writer.user.name}/block", headers=reader.user.bearer)
    assert r.status_code == 200, r.text
    expect(reader.badge).to_be_hidden()
    # After it, neither a reply nor a message makes a notification or moves the badge.
    comment(http, writer.user, post, "a reply from a blocked account", parent=mine)
    message(http, writer.user, reader.user, "still here")
    time.sleep(2.5)
    expect(reader.badge).to_be_hidden()
    assert same_page(reader)
    reader.page.goto("/notifications")
    expect(reader.page.locator("#no-replies")).to_be_visible()
    expect(reader.page.locator("#no-messages")).to_be_visible()
    expect(reader.badge).to_be_hidden()


def test_the_page_and_its_stream_need_a_session(page: Any, server: LiveServer) -> None:
    page.goto("/notifications")
    page.wait_for_url(re.compile(r"/signin"))
    r = httpx.get(f"{server.url}/notifications/stream", follow_redirects=False)
    assert r.status_code in (302, 303) and "/signin" in r.headers["location"], r.status_code
