"""The image page /{id} (and /{id}.gifv) and the delete link's confirmation page, in a real browser: what
everyone sees, the copy buttons, the owner's edits, and what another account cannot do."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.accounts.helpers import User, make_user
from tests.albums.helpers import album_image_ids, create
from tests.api.helpers import envelope_ok, unique_jpeg, upload
from tests.live import LiveServer
from tests.web.conftest import assert_accessible, new_context, shot, sign_in
from tests.web.helpers_image import HOSTILE, gif_bytes


@dataclass
class Person:
    user: User
    context: Any
    page: Any


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    # Media may answer with a redirect to the object store (IMGHOST_S3_REDIRECT): what counts is what it ends at.
    with httpx.Client(base_url=server.url, timeout=60, follow_redirects=True) as c:
        yield c


def _person(browser: Any, server: LiveServer, creds: tuple[str, str]) -> Person:
    user = make_user(server, creds, prefix="img")
    ctx = new_context(browser, server)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"])
    page = ctx.new_page()
    sign_in(page, user.name, user.password)
    return Person(user, ctx, page)


@pytest.fixture(scope="module")
def owner(browser: Any, server: LiveServer, session_client: tuple[str, str]) -> Iterator[Person]:
    p = _person(browser, server, session_client)
    yield p
    p.context.close()


@pytest.fixture(scope="module")
def stranger(browser: Any, server: LiveServer, session_client: tuple[str, str]) -> Iterator[Person]:
    p = _person(browser, server, session_client)
    yield p
    p.context.close()


def _image_loaded(page: Any, selector: str) -> tuple[int, int]:
    page.wait_for_function(
        "s => { const i = document.querySelector(s); return i && i.complete && i.naturalWidth > 0; }",
        arg=selector,
    )
    size: list[int] = page.locator(selector).evaluate("i => [i.naturalWidth, i.naturalHeight]")
    return size[0], size[1]


def test_page_shows_the_image_and_escapes_its_text(
    server: LiveServer, page: Any, session_client: tuple[str, str]
) -> None:
    anon = {"Authorization": f"Client-ID {session_client[0]}"}
    description = "First line\nsecond <b>line</b>"
    up = upload(server, anon, unique_jpeg(9201, 800, 600), title=HOSTILE, description=description)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    response = page.goto(f"/{up['id']}")
    assert response.status == 200
    image = page.locator("img#image")
    # The 640 px thumbnail, with its size in the markup before it loads.
    assert image.get_attribute("src") == f"/{up['id']}l.jpg"
    assert (image.get_attribute("width"), image.get_attribute("height")) == ("640", "480")
    assert _image_loaded(page, "img#image") == (640, 480)
    assert image.get_attribute("alt") == HOSTILE
    assert page.locator("#image-title").inner_text() == HOSTILE
    assert page.locator("#image-description").inner_text() == description
    assert page.locator("#image-description b, #image-title script").count() == 0
    assert page.locator("#fact-dimensions").inner_text() == "800 × 600 pixels"
    assert page.locator("#fact-type").inner_text() == "image/jpeg"
    # Visitors see views as last written (every few seconds); the API counts this visit at once.
    assert int(page.locator("#fact-views").inner_text().replace(",", "")) >= 0
    counted = httpx.get(f"{server.url}/3/image/{up['id']}", headers=anon).json()["data"]["views"]
    assert counted >= 1
    assert page.get_by_role("link", name="View original").get_attribute("href") == f"/{up['id']}.jpg"
    # A visitor gets the links, never the controls or the delete link.
    assert page.locator("#manage, #edit-form, #delete-form, #copy-delete").count() == 0
    assert up["deletehash"] not in page.content()
    shot(page, "image-page-visitor")
    assert_accessible(page)

    # A small image is shown as itself.
    small = upload(server, anon, unique_jpeg(9202, 200, 150))
    page.goto(f"/{small['id']}")
    assert page.locator("img#image").get_attribute("src") == f"/{small['id']}.jpg"
    assert _image_loaded(page, "img#image") == (200, 150)
    assert (
        page.locator("img#image").get_attribute("width"),
        page.locator("img#image").get_attribute("height"),
    ) == (
        "200",
        "150",
    )
    assert page.goto("/zzzzzzz").status == 404 and page.locator("#error-title").is_visible()
    assert page.goto("/not%20an%20id").status == 404
    assert not dialogs, dialogs


def test_copy_buttons_copy_each_text(server: LiveServer, owner: Person) -> None:
    title = "Harbour [at] dusk"
    up = upload(server, owner.user.bearer, unique_jpeg(9203, 300, 200), title=title)
    page = owner.page
    page.goto(f"/{up['id']}")
    expected = {
        "copy-direct": up["link"],
        "copy-markdown": f"![Harbour \\[at\\] dusk]({up['link']})",
        "copy-bbcode": f"[img]{up['link']}[/img]",
        "copy-html": f'<img src="{up["link"]}" alt="{title}" width="300" height="200">',
        "copy-page": f"{server.url}/{up['id']}",
        "copy-delete": f"{server.url}/delete/{up['deletehash']}",
    }
    assert page.locator(".share input").evaluate_all("els => els.map(e => e.id)") == list(expected)
    for field_id, text in expected.items():
        page.evaluate("navigator.clipboard.writeText('')")
        button = page.locator(f'button[data-copy="{field_id}"]')
        button.click()
        page.wait_for_function(
            "async t => (await navigator.clipboard.readText()) === t", arg=text, polling=100, timeout=5000
        )
        assert page.evaluate("navigator.clipboard.readText()") == text, field_id
    shot(page, "image-page-copied")


def test_owner_edits_adds_to_an_album_and_deletes(
    server: LiveServer, owner: Person, http: httpx.Client
) -> None:
    up = upload(server, owner.user.bearer, unique_jpeg(9204, 400, 300), title="Before")
    album = create(http, owner.user.bearer, data={"title": "Trips " + HOSTILE})
    page = owner.page
    page.goto(f"/{up['id']}")
    assert page.locator("#copy-delete").input_value() == f"{server.url}/delete/{up['deletehash']}"
    assert_accessible(page)
    shot(page, "image-page-owner")

    page.get_by_label("Title", exact=True).fill("After " + HOSTILE)
    page.get_by_label("Description", exact=True).fill("Two\nlines")
    page.get_by_role("button", name="Save").click()
    page.locator("#saved").wait_for()
    assert page.url == f"{server.url}/{up['id']}"  # the notice is not kept in the address
    assert page.locator("#image-title").inner_text() == "After " + HOSTILE
    assert page.locator("#image-description").inner_text() == "Two\nlines"
    got = envelope_ok(http.get(f"/3/image/{up['id']}", headers=owner.user.bearer))
    assert (got["title"], got["description"]) == ("After " + HOSTILE, "Two\nlines")

    page.get_by_label("Album", exact=True).select_option(album["id"])
    page.get_by_role("button", name="Add to album").click()
    page.locator("#added").wait_for()
    assert album_image_ids(http, owner.user.bearer, album["id"]) == [up["id"]]
    assert_accessible(page)
    shot(page, "image-page-owner-saved")

    page.locator("#delete-zone summary").click()
    page.get_by_role("button", name="Delete image").click()
    page.wait_for_url("**/account/images")
    assert http.get(up["link"]).status_code == 404
    assert http.get(f"/{up['id']}").status_code == 404


def test_another_account_can_change_nothing(
    server: LiveServer, browser: Any, owner: Person, stranger: Person, http: httpx.Client
) -> None:
    up = upload(server, owner.user.bearer, unique_jpeg(9205, 400, 300), title="Mine", description="Keep")
    owners_album = create(http, owner.user.bearer, data={"title": "Owner's"})
    strangers_album = create(http, stranger.user.bearer, data={"title": "Stranger's"})
    page = stranger.page
    page.goto(f"/{up['id']}")
    assert page.locator("#image-title").inner_text() == "Mine"
    assert page.locator("#manage, #edit-form, #album-form, #delete-form, #copy-delete").count() == 0
    assert up["deletehash"] not in page.content()
    shot(page, "image-page-other-account")
    assert_accessible(page)

    visitor = new_context(browser, server)
    try:
        visitor_page = visitor.new_page()
        visitor_page.goto(f"/{up['id']}")
        for who in (page, visitor_page):
            # Each with its own valid CSRF token: only the ownership check stands in the way. A visitor's
            # image page has no form and so no token; the sign-in page hands out the same one.
            if who is visitor_page:
                who.goto("/signin")
            token = who.locator('meta[name="csrf-token"]').get_attribute("content")
            forged = [
                (f"/{up['id']}/edit", {"title": "Taken", "description": ""}),
                (f"/{up['id']}/delete", {}),
                (f"/{up['id']}/album", {"album": strangers_album["id"]}),
                (f"/{up['id']}/album", {"album": owners_album["id"]}),
            ]
            for path, form in forged:
                r = who.request.post(path, form={"csrf_token": token, **form}, max_redirects=0)
                assert r.status in (403, 404), (path, r.status)
    finally:
        visitor.close()
    got = envelope_ok(http.get(f"/3/image/{up['id']}", headers=owner.user.bearer))
    assert (got["title"], got["description"]) == ("Mine", "Keep")
    assert http.get(up["link"]).status_code == 200
    assert album_image_ids(http, owner.user.bearer, owners_album["id"]) == []
    assert album_image_ids(http, stranger.user.bearer, strangers_album["id"]) == []


def test_anonymous_upload_deleted_through_its_delete_link(
    server: LiveServer, page: Any, session_client: tuple[str, str], http: httpx.Client
) -> None:
    up = upload(server, {"Authorization": f"Client-ID {session_client[0]}"}, unique_jpeg(9206, 400, 300))
    link = f"/delete/{up['deletehash']}"
    # Link previews and prefetchers fetch the link: that alone deletes nothing.
    assert http.get(link).status_code == 200
    page.goto(link)
    assert http.get(up["link"]).status_code == 200
    assert page.locator('meta[name="robots"]').get_attribute("content").startswith("noindex")
    thumb = page.locator("#delete-thumb")
    assert thumb.get_attribute("src") == f"/{up['id']}m.jpg"
    assert (thumb.get_attribute("width"), thumb.get_attribute("height")) == ("320", "240")
    assert _image_loaded(page, "#delete-thumb") == (320, 240)
    shot(page, "delete-confirm")
    assert_accessible(page)
    page.get_by_role("button", name="Delete image").click()
    page.locator("#deleted").wait_for()
    assert http.get(up["link"]).status_code == 404
    shot(page, "delete-done")
    assert_accessible(page)
    assert page.goto(link).status == 404


def test_animated_gif_page_plays_the_mp4(
    server: LiveServer, browser: Any, session_client: tuple[str, str]
) -> None:
    up = upload(
        server, {"Authorization": f"Client-ID {session_client[0]}"}, gif_bytes(9207), filename="a.gif"
    )
    ctx = new_context(browser, server, color_scheme="dark")
    try:
        page = ctx.new_page()
        for path in (f"/{up['id']}", f"/{up['id']}.gifv"):
            assert page.goto(path).status == 200
            video = page.locator("video#video")
            assert video.get_attribute("src") == f"/{up['id']}.mp4"
            assert (video.get_attribute("width"), video.get_attribute("height")) == ("160", "120")
            for attr in ("autoplay", "muted", "loop", "playsinline", "controls"):
                assert video.get_attribute(attr) is not None, attr
            assert page.locator("img#image").count() == 0
        # The browser really plays it: frames decoded, time moving.
        page.wait_for_function(
            "() => { const v = document.getElementById('video'); return v.readyState >= 2 && v.currentTime > 0; }"
        )
        shot(page, "image-page-gif-dark")
        assert_accessible(page)
        still = upload(server, {"Authorization": f"Client-ID {session_client[0]}"})
        assert page.goto(f"/{still['id']}.gifv").status == 404
    finally:
        ctx.close()


def test_phone_viewport(server: LiveServer, browser: Any, session_client: tuple[str, str]) -> None:
    up = upload(
        server,
        {"Authorization": f"Client-ID {session_client[0]}"},
        unique_jpeg(9208, 1200, 900),
        title="A long title that has to wrap on a narrow phone screen without overflowing",
    )
    ctx = new_context(browser, server, viewport={"width": 360, "height": 740})
    try:
        page = ctx.new_page()
        page.goto(f"/{up['id']}")
        _image_loaded(page, "img#image")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert page.locator("img#image").bounding_box()["width"] <= 360
        shot(page, "image-page-phone")
        assert_accessible(page)
    finally:
        ctx.close()
