"""/account/images and /account/albums: one's own uploads and albums, paged, selected many at a time,
deleted (after a confirmation) or put into an album; with and without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.api.helpers import envelope_ok
from tests.live import LiveServer
from tests.web.conftest import assert_accessible, new_context, shot, sign_in
from tests.web.helpers_albums import (
    Person,
    album_ids,
    album_of,
    image_exists,
    new_album,
    person,
    shown_ids,
    uploads,
)

XSS = "<script>alert(1)</script>"
GRID = "#media-grid input[name=ids]"


@pytest.fixture
def someone(browser: Any, server: LiveServer, session_client: tuple[str, str]) -> Iterator[Person]:
    """A fresh account for each test: the grid's order and counts are all its own."""
    who = person(browser, server, session_client)
    try:
        yield who
    finally:
        who.context.close()


def grid_ids(page: Any) -> list[str]:
    return list(page.locator(GRID).evaluate_all("els => els.map(e => e.value)"))


def newest_first(server: LiveServer, who: Person) -> list[str]:
    with httpx.Client(base_url=server.url, headers=who.bearer, timeout=60) as c:
        return list(envelope_ok(c.get("/3/account/me/images/ids")))


def test_the_pages_need_a_session(browser: Any, server: LiveServer) -> None:
    context = new_context(browser, server)
    try:
        page = context.new_page()
        for path in ("/account/images?page=1", "/account/albums"):
            page.goto(path)
            assert page.url.endswith("/signin?next=" + path.replace("?", "%3F").replace("=", "%3D")), page.url
    finally:
        context.close()


def test_bulk_delete_on_the_second_page(
    someone: Person, server: LiveServer, session_client: tuple[str, str]
) -> None:
    uploads(server, someone, 5)
    order = newest_first(server, someone)
    page = someone.page
    page.goto("/account/images")
    assert grid_ids(page) == order  # newest first
    assert page.locator("#images-total").inner_text().startswith("5 images")
    shot(page, "account-images")
    assert_accessible(page)

    page.goto("/account/images?per_page=2&page=1")
    assert grid_ids(page) == order[2:4]
    assert page.locator(".pager").inner_text().count("Page 2 of 3") == 1
    assert page.locator("#pager-next").get_attribute("href") == "/account/images?page=2&per_page=2"
    assert page.locator("#pager-prev").get_attribute("href") == "/account/images?per_page=2"
    page.locator("#select-all").click()
    expect(page.locator("#selected-count")).to_have_text("2 selected")
    page.locator("#bulk-delete").click()
    page.wait_for_url("**/account/images")
    assert page.locator("#confirm-heading").inner_text() == "Delete 2 images?"
    assert all(image_exists(server, session_client, i) for i in order)  # asking deleted nothing
    shot(page, "account-images-confirm")
    assert_accessible(page)
    page.locator("#confirm-delete").click()
    page.wait_for_url("**/account/images?page=1&per_page=2&done=deleted&n=2")
    assert page.locator("#media-notice").inner_text() == "Deleted 2 images."
    assert grid_ids(page) == order[4:]
    assert [image_exists(server, session_client, i) for i in order] == [True, True, False, False, True]
    assert newest_first(server, someone) == [order[0], order[1], order[4]]


def test_range_selection_and_moving_into_new_and_existing_albums(
    someone: Person, server: LiveServer, session_client: tuple[str, str]
) -> None:
    uploads(server, someone, 5, title=XSS)
    order = newest_first(server, someone)
    page = someone.page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto("/account/images")
    boxes = page.locator(GRID)
    boxes.nth(0).click()
    boxes.nth(3).click(modifiers=["Shift"])  # ticks everything between
    expect(page.locator("#selected-count")).to_have_text("4 selected")
    boxes.nth(2).click()
    expect(page.locator("#selected-count")).to_have_text("3 selected")
    page.locator("#bulk-album").select_option("new")
    page.locator("#bulk-new-title").fill("Picked")
    page.locator("#bulk-move").click()
    page.wait_for_url("**done=moved**")
    assert page.locator("#media-notice").inner_text().startswith("Moved 3 images into the album.")
    album_id = page.locator("#media-notice a").get_attribute("href").rsplit("/", 1)[1]
    picked = [order[0], order[1], order[3]]
    assert album_ids(server, session_client, album_id) == picked
    assert album_of(server, session_client, album_id)["title"] == "Picked"
    assert page.locator("#media-grid .caption").first.inner_text().startswith(XSS)

    # Into the album just made: the one left out joins at the end; one already in it stays once.
    page.locator(f"#sel-{order[2]}").check()
    page.locator(f"#sel-{order[3]}").check()
    page.locator("#bulk-album").select_option(album_id)
    page.locator("#bulk-move").click()
    page.wait_for_url("**done=moved**")
    assert album_ids(server, session_client, album_id) == [*picked, order[2]]
    page.locator("#media-notice a").click()
    page.wait_for_url(f"**/a/{album_id}")
    assert shown_ids(page) == [*picked, order[2]]
    assert dialogs == []


def test_selecting_and_acting_without_javascript(
    browser: Any, someone: Person, server: LiveServer, session_client: tuple[str, str]
) -> None:
    ups = uploads(server, someone, 3)
    album_id = new_album(server, someone, ups[:1], title="Existing")
    context = new_context(browser, server, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, someone.name)
        page.goto("/account/images")
        page.locator("#select-all").click()  # a link that shows the page with every box ticked
        page.wait_for_url("**select=all")
        assert page.locator(f"{GRID}:checked").count() == 3
        page.locator("#bulk-album").select_option(album_id)
        page.locator("#bulk-move").click()
        page.wait_for_url("**done=moved**")
        assert sorted(album_ids(server, session_client, album_id)) == sorted(u["id"] for u in ups)
        # Nothing selected: said so, nothing done.
        page.locator("#bulk-delete").click()
        assert page.locator("#error-title").is_visible()
        assert "Select at least one image" in page.content()
        shot(page, "account-images-nothing-selected")
        assert all(image_exists(server, session_client, u["id"]) for u in ups)
    finally:
        context.close()


def test_another_account_cannot_delete_or_take_the_images(
    someone: Person, browser: Any, server: LiveServer, session_client: tuple[str, str]
) -> None:
    mine = uploads(server, someone, 2)
    intruder = person(browser, server, session_client)
    try:
        page = intruder.page
        page.goto("/account/images")
        assert page.locator("#images-empty").is_visible()
        token = intruder.csrf()
        ids = ",".join(u["id"] for u in mine)
        r = page.request.post("/account/images/delete", form={"csrf_token": token, "ids": ids})
        assert r.status == 403
        r = page.request.post(
            "/account/images", form={"csrf_token": token, "ids": ids, "action": "move", "album": "new"}
        )
        assert r.status == 403
        theirs = new_album(server, intruder, [])
        r = page.request.post(
            "/account/images", form={"csrf_token": token, "ids": ids, "action": "move", "album": theirs}
        )
        assert r.status == 403
        assert album_ids(server, session_client, theirs) == []
        # Without the token, refused before anything else is looked at.
        assert page.request.post("/account/images/delete", form={"ids": ids}).status == 403
    finally:
        intruder.context.close()
    assert all(image_exists(server, session_client, u["id"]) for u in mine)


def test_account_albums_lists_every_privacy(
    someone: Person, browser: Any, server: LiveServer, session_client: tuple[str, str]
) -> None:
    ups = uploads(server, someone, 2)
    made = {
        p: new_album(server, someone, ups, title=f"The {p} one", privacy=p)
        for p in ("public", "hidden", "secret")
    }
    new_album(server, someone, [], title=XSS)
    page = someone.page
    page.goto("/account/albums")
    assert page.locator("#list-heading").inner_text() == "4 albums"
    for privacy, album_id in made.items():
        card = page.locator("#album-list li", has=page.locator(f'a[href="/a/{album_id}"]'))
        assert card.locator(f".privacy-{privacy}").inner_text() == privacy.capitalize()
        assert f"The {privacy} one" in card.inner_text() and "2 images" in card.inner_text()
    assert XSS in page.locator("#album-list").inner_text()
    page.goto("/account/albums?per_page=3&page=1")
    assert page.locator("#album-list li").count() == 1
    assert page.locator(".pager").inner_text().count("Page 2 of 2") == 1
    dark = new_context(browser, server, color_scheme="dark")
    try:
        dpage = dark.new_page()
        sign_in(dpage, someone.name)
        dpage.goto("/account/images")
        shot(dpage, "account-images-dark")
        assert_accessible(dpage)
        dpage.goto("/account/albums")
        shot(dpage, "account-albums-dark")
        assert_accessible(dpage)
    finally:
        dark.close()
