"""The header on a phone (360 px, signed in: the most links it ever has) stays one row above the page,
every link in it is reachable by touch scrolling and by keyboard, and nothing scrolls the page sideways."""

from __future__ import annotations

from typing import Any

from tests.accounts.helpers import make_user
from tests.live import LiveServer
from tests.web.conftest import assert_accessible, new_context, shot, sign_in


def test_signed_in_header_is_one_row_on_a_phone(
    browser: Any, server: LiveServer, session_client: tuple[str, str]
) -> None:
    user = make_user(server, session_client, prefix="phone")
    ctx = new_context(browser, server, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    try:
        page = ctx.new_page()
        sign_in(page, user.name, user.password)
        page.goto("/gallery")
        header = page.locator("header.top").bounding_box()
        link = page.locator(".nav a").first.bounding_box()
        assert header is not None and link is not None
        assert header["height"] < 2 * link["height"] + 24, header  # one row of links, and its padding
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, "the page scrolls sideways"
        # The links past the edge are there: the row scrolls, and Tab brings each into view.
        nav = page.locator(".nav")
        assert nav.evaluate("n => n.scrollWidth > n.clientWidth")
        last = page.get_by_role("button", name="Sign out")
        last.focus()
        box = last.bounding_box()
        assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= 360, box
        page.locator("#notify-link").focus()
        box = page.locator("#notify-link").bounding_box()
        assert box is not None and box["x"] + box["width"] <= 360, box
        shot(page, "phone-header")
        assert_accessible(page)
    finally:
        ctx.close()
