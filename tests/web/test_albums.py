"""The album page /a/{id}: what everyone sees, the zip download, and the owner's changes (with the
mouse, the keyboard, and without JavaScript), which another account cannot make."""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import AsyncGenerator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from imghost.domain.albums import archive
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
KEPT = ("title", "description", "privacy", "cover", "images_count")


@pytest.fixture(scope="module")
def owner(browser: Any, server: LiveServer, session_client: tuple[str, str]) -> Iterator[Person]:
    who = person(browser, server, session_client)
    try:
        yield who
    finally:
        who.context.close()


@pytest.fixture(scope="module")
def other(browser: Any, server: LiveServer, session_client: tuple[str, str]) -> Iterator[Person]:
    who = person(browser, server, session_client)
    try:
        yield who
    finally:
        who.context.close()


def saved_order(page: Any) -> Any:
    return page.expect_response(lambda r: r.url.endswith("/order") and r.request.method == "POST")


def test_create_an_album_and_add_images(
    owner: Person, server: LiveServer, session_client: tuple[str, str]
) -> None:
    ups = uploads(server, owner, 3, title="holiday")
    page = owner.page
    page.goto("/account/albums")
    shot(page, "account-albums-before")
    page.locator("#new-title").fill("Trip to the sea")
    page.locator("#new-description").fill("Three days\nof rain")
    page.locator("#new-privacy-hidden").check()
    page.locator("#create-album").click()
    page.wait_for_url("**/a/*")
    album_id = page.url.rsplit("/", 1)[1]
    assert page.locator("#album-title").inner_text() == "Trip to the sea"
    assert page.locator("#album-empty").is_visible()

    # Two ticked in the picker of recent uploads, one typed as a link.
    page.locator(f"#pick-{ups[0]['id']}").check()
    page.locator(f"#pick-{ups[1]['id']}").check()
    page.locator("#add-more").fill(f"{server.url}/{ups[2]['id']}")
    page.locator("#add-submit").click()
    page.wait_for_url("**done=added")
    assert sorted(shown_ids(page)) == sorted(u["id"] for u in ups)
    assert shown_ids(page) == album_ids(server, session_client, album_id)
    data = album_of(server, session_client, album_id)
    assert (data["title"], data["description"], data["privacy"]) == (
        "Trip to the sea",
        "Three days\nof rain",
        "hidden",
    )
    assert page.locator("#album-description").inner_text() == "Three days\nof rain"
    shot(page, "album-owner")
    assert_accessible(page)

    page.goto("/account/albums")
    card = page.locator("#album-list li", has=page.locator(f'a[href="/a/{album_id}"]'))
    assert "Hidden" in card.inner_text() and "3 images" in card.inner_text()
    shot(page, "account-albums")
    assert_accessible(page)


def test_reorder_by_dragging_and_by_keyboard(
    owner: Person, server: LiveServer, session_client: tuple[str, str]
) -> None:
    ups = uploads(server, owner, 4)
    album_id = new_album(server, owner, ups)
    a, b, c, d = (u["id"] for u in ups)
    page = owner.page
    page.goto(f"/a/{album_id}")
    assert shown_ids(page) == [a, b, c, d]

    # Drag the first image onto the lower half of the third: it lands after it. (A tall window, so that
    # both are on screen: a drag that scrolls the page on its way is another test.)
    page.set_viewport_size({"width": 1280, "height": 1600})
    third = page.locator(f"#item-{c}")
    box = third.bounding_box()
    assert box is not None
    with saved_order(page) as answer:
        page.locator(f"#item-{a}").drag_to(
            third, target_position={"x": box["width"] / 2, "y": box["height"] * 0.9}
        )
    assert answer.value.status == 200
    assert shown_ids(page) == [b, c, a, d]
    assert album_ids(server, session_client, album_id) == [b, c, a, d]
    # And with the mouse by hand: the last one up onto the upper half of the first.
    first = page.locator(f"#item-{b}").bounding_box()
    last = page.locator(f"#item-{d}").bounding_box()
    assert first is not None and last is not None
    with saved_order(page):
        page.mouse.move(last["x"] + last["width"] / 2, last["y"] + 40)
        page.mouse.down()
        page.mouse.move(first["x"] + first["width"] / 2, first["y"] + 60, steps=8)
        page.mouse.move(first["x"] + first["width"] / 2, first["y"] + 20, steps=4)
        page.mouse.up()
    assert shown_ids(page) == [d, b, c, a]
    assert album_ids(server, session_client, album_id) == [d, b, c, a]
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "album-reordered")

    # The keyboard: Tab reaches the buttons; Enter and Space press them, and the focus stays on the button.
    button = page.locator(f"#item-{b} button[name=move_down]")
    button.focus()
    with saved_order(page):
        page.keyboard.press("Enter")
    assert shown_ids(page) == [d, c, b, a]
    assert page.evaluate("document.activeElement.value") == b
    with saved_order(page):
        page.keyboard.press("Space")
    assert shown_ids(page) == [d, c, a, b]
    page.locator(f"#item-{c} button[name=move_up]").focus()
    page.keyboard.press("Shift+Tab")  # back to the previous item's last button, forward again
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "move_up"
    with saved_order(page):
        page.keyboard.press("Enter")
    expected = [c, d, a, b]
    assert shown_ids(page) == expected
    expect(page.locator("#live")).to_have_text("Moved to position 1 of 4. The new order is saved.")

    page.reload()
    assert shown_ids(page) == expected
    assert album_ids(server, session_client, album_id) == expected
    assert [p.strip() for p in page.locator("#album-images .position").all_inner_texts()] == [
        "1",
        "2",
        "3",
        "4",
    ]


def test_owner_changes_privacy_cover_and_removes_an_image(
    owner: Person, server: LiveServer, session_client: tuple[str, str]
) -> None:
    ups = uploads(server, owner, 3)
    album_id = new_album(server, owner, ups, title="Before", privacy="public")
    page = owner.page
    page.goto(f"/a/{album_id}")
    page.locator("#edit-title").fill("After")
    page.locator("#edit-privacy-secret").check()
    page.locator("#edit-save").click()
    page.wait_for_url("**done=saved")
    assert page.locator("#album-notice").is_visible()
    data = album_of(server, session_client, album_id)
    assert (data["title"], data["privacy"]) == ("After", "secret")

    page.get_by_role("button", name="Make cover Image 3").click()
    page.wait_for_url("**done=cover")
    assert album_of(server, session_client, album_id)["cover"] == ups[2]["id"]
    assert page.locator("#album-cover").get_attribute("src") == f"/{ups[2]['id']}b.jpg"

    page.get_by_role("button", name="Remove Image 2").click()
    page.wait_for_url("**done=removed")
    assert album_ids(server, session_client, album_id) == [ups[0]["id"], ups[2]["id"]]
    assert image_exists(server, session_client, ups[1]["id"])  # out of the album, not deleted
    shot(page, "album-after-edits")


def test_delete_album_asks_first_and_keeps_the_images(
    owner: Person, server: LiveServer, session_client: tuple[str, str]
) -> None:
    ups = uploads(server, owner, 2)
    album_id = new_album(server, owner, ups, title="Doomed")
    page = owner.page
    page.goto(f"/a/{album_id}")
    page.locator("#delete-album").click()
    page.wait_for_url(f"**/a/{album_id}/delete")
    assert "Doomed" in page.locator("#delete-heading").inner_text()
    assert album_ids(server, session_client, album_id) == [u["id"] for u in ups]  # asking deleted nothing
    shot(page, "album-delete-confirm")
    assert_accessible(page)
    page.locator("#confirm-delete").click()
    page.wait_for_url("**/account/albums?done=deleted")
    assert page.locator("#albums-notice").is_visible()
    assert httpx.get(f"{server.url}/a/{album_id}").status_code == 404
    assert all(image_exists(server, session_client, u["id"]) for u in ups)


def test_zip_download_holds_the_originals_in_order(owner: Person, server: LiveServer) -> None:
    ups = uploads(server, owner, 3)
    album_id = new_album(server, owner, [ups[2], ups[0], ups[1]])
    page = owner.page
    page.goto(f"/a/{album_id}")
    with page.expect_download() as info:
        page.locator("#download-zip").click()
    download = info.value
    assert download.suggested_filename == f"album-{album_id}.zip"
    with zipfile.ZipFile(download.path()) as z:
        assert z.testzip() is None
        names = z.namelist()
        assert names == [f"{n:02d}-{u['id']}.jpg" for n, u in enumerate([ups[2], ups[0], ups[1]], 1)]
        for name in names:
            original = httpx.get(f"{server.url}/{name[3:]}")
            assert original.status_code == 200 and z.read(name) == original.content
            assert z.getinfo(name).compress_type == zipfile.ZIP_STORED


def test_moving_and_removing_work_without_javascript(
    browser: Any, owner: Person, server: LiveServer, session_client: tuple[str, str]
) -> None:
    ups = uploads(server, owner, 3)
    a, b, c = (u["id"] for u in ups)
    album_id = new_album(server, owner, ups)
    context = new_context(browser, server, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, owner.name)
        page.goto(f"/a/{album_id}")
        page.locator(f"#item-{a} button[name=move_down]").click()
        page.wait_for_url(f"**done=order#item-{a}")
        assert shown_ids(page) == [b, a, c] == album_ids(server, session_client, album_id)
        page.locator(f"#item-{c} button[name=move_up]").click()
        page.wait_for_url(f"**done=order#item-{c}")
        assert album_ids(server, session_client, album_id) == [b, c, a]
        page.locator(f"#item-{b} button[name=move_up]").click()  # already first: stays
        page.wait_for_url(f"**#item-{b}")
        assert album_ids(server, session_client, album_id) == [b, c, a]
        page.locator(f"#item-{c} button[name=remove]").click()
        page.wait_for_url("**done=removed")
        assert shown_ids(page) == [b, a]
        shot(page, "album-no-javascript")
    finally:
        context.close()


def test_another_account_cannot_change_the_album(
    owner: Person, other: Person, server: LiveServer, session_client: tuple[str, str]
) -> None:
    mine = uploads(server, owner, 2)
    theirs = uploads(server, other, 1)
    album_id = new_album(server, owner, mine, title="Mine", privacy="public")
    before = album_of(server, session_client, album_id)
    page = other.page
    page.goto(f"/a/{album_id}")
    assert page.locator("#album-title").inner_text() == "Mine"
    assert page.locator("#manage-heading").count() == 0
    assert page.locator("#album-images button").count() == 0
    shot(page, "album-other-account")
    assert_accessible(page)

    token = other.csrf()
    forged: list[tuple[str, dict[str, str]]] = [
        ("order", {"ids": f"{mine[1]['id']},{mine[0]['id']}"}),
        ("order", {"move_down": mine[0]["id"]}),
        ("edit", {"title": "Stolen", "privacy": "secret"}),
        ("remove", {"remove": mine[0]["id"]}),
        ("add", {"ids": theirs[0]["id"]}),
        ("cover", {"cover": mine[1]["id"]}),
        ("delete", {}),
    ]
    for action, form in forged:
        r = page.request.post(f"/a/{album_id}/{action}", form={"csrf_token": token, **form})
        assert r.status in (403, 404), (action, r.status)
        assert "text/html" in r.headers["content-type"]
    assert page.request.get(f"/a/{album_id}/delete").status in (403, 404)
    # Through a script's JSON call, the same.
    r = page.request.post(
        f"/a/{album_id}/order",
        data={"ids": [mine[1]["id"], mine[0]["id"]]},
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    )
    assert r.status == 403 and "error" in r.json()
    after = album_of(server, session_client, album_id)
    assert {k: after[k] for k in KEPT} == {k: before[k] for k in KEPT}
    assert album_ids(server, session_client, album_id) == [m["id"] for m in mine]

    # Signed out, a change is sent to sign in; without the token it is refused outright.
    with httpx.Client(base_url=server.url) as anon:
        anon.get(f"/a/{album_id}")
        visitor_token = anon.cookies.get("imghost_csrf")
        r = anon.post(f"/a/{album_id}/delete", data={"csrf_token": visitor_token})
        assert r.status_code == 303 and r.headers["location"].startswith("/signin")
        assert anon.post(f"/a/{album_id}/delete").status_code == 403
    assert album_ids(server, session_client, album_id) == [m["id"] for m in mine]


def test_hidden_and_secret_albums_open_by_link_for_visitors(
    browser: Any, owner: Person, server: LiveServer
) -> None:
    ups = uploads(server, owner, 5, title="A title", description="A description\nover two lines")
    hidden = new_album(server, owner, ups, title="Hidden one", privacy="hidden", description="About it")
    secret = new_album(server, owner, ups[:1], title="Secret one", privacy="secret")
    context = new_context(browser, server)
    try:
        page = context.new_page()
        page.goto(f"/a/{hidden}")
        assert page.locator("#album-title").inner_text() == "Hidden one"
        assert page.locator("#album-description").inner_text() == "About it"
        assert page.locator("#manage-heading").count() == 0 and page.locator("#order-form").count() == 0
        imgs = page.locator("#album-images img")
        assert imgs.count() == 5
        for n in range(5):
            img = imgs.nth(n)
            assert img.get_attribute("src") == f"/{ups[n]['id']}l.jpg"
            assert (img.get_attribute("width"), img.get_attribute("height")) == ("240", "180")
            assert img.get_attribute("loading") == (None if n < 3 else "lazy")
            assert img.get_attribute("alt") == "A title"
        links = page.locator("#album-images figure > a").evaluate_all(
            "els => els.map(e => e.getAttribute('href'))"
        )
        assert links == [f"/{u['id']}" for u in ups]
        assert page.locator(".item-description").first.inner_text() == "A description\nover two lines"
        assert page.locator("#copy-link").input_value() == f"{server.url}/a/{hidden}"
        markdown = page.locator("#copy-markdown").input_value().splitlines()
        assert markdown == [f"![A title]({server.url}/{u['id']}.jpg)" for u in ups]
        bbcode = page.locator("#copy-bbcode").input_value().splitlines()
        assert bbcode == [f"[img]{server.url}/{u['id']}.jpg[/img]" for u in ups]
        assert page.locator('meta[property="og:title"]').get_attribute("content") == "Hidden one"
        assert (
            page.locator('meta[property="og:image"]').get_attribute("content")
            == f"{server.url}/{ups[0]['id']}.jpg"
        )
        shot(page, "album-visitor")
        assert_accessible(page)
        page.goto(f"/a/{secret}")
        assert page.locator("#album-title").inner_text() == "Secret one"
        assert page.request.get(f"/a/{secret}/zip").status == 200
    finally:
        context.close()


def test_user_text_is_shown_as_text(owner: Person, server: LiveServer) -> None:
    ups = uploads(server, owner, 1, title=XSS, description=XSS)
    album_id = new_album(server, owner, ups, title=XSS, description=XSS)
    page = owner.page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"/a/{album_id}")
    assert page.locator("#album-title").inner_text() == XSS
    assert page.locator("#album-description").inner_text() == XSS
    assert page.locator(".item-title").inner_text() == XSS
    assert page.locator("#edit-title").input_value() == XSS
    page.goto("/account/albums")
    assert XSS in page.locator("#album-list").inner_text()
    page.goto(f"/a/{album_id}/delete")
    assert XSS in page.locator("#delete-heading").inner_text()
    assert dialogs == []
    shot(page, "album-escaped")


def test_dark_mode_and_a_phone(browser: Any, owner: Person, server: LiveServer) -> None:
    ups = uploads(server, owner, 3, title="On a small screen with a rather long title that must wrap")
    album_id = new_album(
        server, owner, ups, title="Seen on a phone", description="Wide images, narrow screen"
    )
    dark = new_context(browser, server, color_scheme="dark")
    try:
        page = dark.new_page()
        page.goto(f"/a/{album_id}")
        shot(page, "album-dark")
        assert_accessible(page)
    finally:
        dark.close()
    phone = new_context(
        browser, server, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    try:
        page = phone.new_page()
        sign_in(page, owner.name)
        page.goto(f"/a/{album_id}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        first = page.locator("#album-images img").first.bounding_box()
        assert first is not None and first["width"] <= 360
        shot(page, "album-phone")
        assert_accessible(page)
    finally:
        phone.close()


def test_missing_album_pages_are_not_found(owner: Person) -> None:
    page = owner.page
    for path in ("/a/zzzzzzz", "/a/zzzzzzz/zip", "/a/zzzzzzz/delete"):
        r = page.goto(path)
        assert r is not None and r.status == 404, path
    assert page.locator("#error-title").is_visible()


# ---------------------------------------------------------------- the streaming zip writer


def _chunks(data: bytes) -> Any:
    async def gen() -> AsyncGenerator[bytes, None]:
        for n in range(0, len(data), 700):
            yield data[n : n + 700]

    return gen


@pytest.mark.parametrize("limit", [archive._MAX32, 1000], ids=["zip32", "zip64"])
def test_zip_writer_output_reads_back(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    """Both record forms, the zip64 one by lowering the size at which it starts."""
    monkeypatch.setattr(archive, "_LIMIT", limit)
    files = {f"{n:02d}-x.jpg": bytes([n]) * (1500 + n) for n in range(1, 4)}
    members = [archive.Member(k, 1_700_000_000, len(v), _chunks(v)) for k, v in files.items()]

    async def run() -> bytes:
        return b"".join([chunk async for chunk in archive.stream(members)])

    # A thread of its own: the browser fixtures keep an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        data = pool.submit(asyncio.run, run()).result()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        assert z.namelist() == list(files)
        assert all(z.read(k) == v for k, v in files.items())
        assert z.getinfo("01-x.jpg").date_time == (2023, 11, 14, 22, 13, 20)
