"""The gallery in a real browser: sharing an image or album from its page (title, tags, community,
mature, and the terms asked for once), the post on /gallery's tabs, the mature toggle, pages with plain
links and the infinite scroll that enhances them, taking a post out again, and axe on all of it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from tests.accounts.helpers import User, make_user
from tests.api.helpers import envelope_ok, unique_jpeg, upload
from tests.live import LiveServer
from tests.web.conftest import assert_accessible, new_context, shot, sign_in

HOSTILE = "<script>alert(1)</script>"
PER_PAGE = 60


@dataclass
class Person:
    user: User
    context: Any
    page: Any


@pytest.fixture(scope="module")
def http(server: LiveServer, session_client: tuple[str, str]) -> Iterator[httpx.Client]:
    """The API as an application calls it (a request's own Authorization header says who else)."""
    anon = {"Authorization": f"Client-ID {session_client[0]}"}
    with httpx.Client(base_url=server.url, timeout=60, headers=anon) as c:
        yield c


def _person(browser: Any, server: LiveServer, creds: tuple[str, str], **options: Any) -> Person:
    user = make_user(server, creds, prefix="gal")
    ctx = new_context(browser, server, **options)
    page = ctx.new_page()
    sign_in(page, user.name, user.password)
    return Person(user, ctx, page)


@pytest.fixture
def person(browser: Any, server: LiveServer, session_client: tuple[str, str]) -> Iterator[Person]:
    """A new account (one that has not accepted the gallery's terms yet), signed in."""
    p = _person(browser, server, session_client)
    yield p
    p.context.close()


@pytest.fixture(scope="module")
def poster(server: LiveServer, session_client: tuple[str, str]) -> User:
    """An account that shares through the API (terms accepted with its first share)."""
    return make_user(server, session_client, prefix="galapi")


_seed = [70_000]


def _upload(http: httpx.Client, who: User, w: int = 640, h: int = 480, **fields: str) -> str:
    _seed[0] += 1
    return str(upload(http, who.bearer, unique_jpeg(_seed[0], w, h), **fields)["id"])


def _share(http: httpx.Client, who: User, item_id: str, kind: str = "image", **fields: str) -> None:
    body = {"title": f"post {item_id}", "terms": "1", **fields}
    assert envelope_ok(http.post(f"/3/gallery/{kind}/{item_id}", headers=who.bearer, data=body)) is True


def card_ids(page: Any) -> list[str]:
    ids: list[str] = page.locator("#posts > li").evaluate_all("els => els.map(e => e.id.slice(5))")
    return ids


# --------------------------------------------------------------------------------------- sharing


def test_share_an_image_from_its_page(person: Person, http: httpx.Client) -> None:
    image_id = _upload(http, person.user, 800, 600, title="Image title")
    page = person.page
    page.goto(f"/{image_id}")
    page.get_by_role("link", name="Share to the gallery…").click()
    page.wait_for_url(f"**/share/{image_id}")
    expect(page.get_by_label("Title")).to_have_value("Image title")  # the image's, to start from
    page.get_by_label("Title").fill(f"Shared {HOSTILE}")
    page.get_by_label("Tags").fill("Cats, web_test, cats")
    page.get_by_label("Community").fill("r/WebPics")
    terms = page.get_by_label("I accept the gallery's terms")
    expect(terms).to_have_attribute("required", "")
    assert_accessible(page)
    shot(page, "share-first-time")
    # The browser will not send the form unticked; the server refuses it too, keeping what was typed.
    assert page.evaluate("() => document.getElementById('share-form').checkValidity()") is False
    page.evaluate("() => document.getElementById('share-accept').removeAttribute('required')")
    page.get_by_role("button", name="Share to the gallery").click()
    expect(page.locator("#share-error")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value(f"Shared {HOSTILE}")
    assert http.get(f"/3/gallery/{image_id}").status_code == 404
    page.get_by_label("I accept the gallery's terms").check()
    page.get_by_role("button", name="Share to the gallery").click()
    expect(page.locator("#post-notice")).to_have_text("Shared to the gallery.")
    assert urlsplit(page.url).path == f"/gallery/{image_id}"
    expect(page.locator("#post-title")).to_have_text(f"Shared {HOSTILE}")
    expect(page.locator("#post-tags a")).to_have_text(["#Cats", "#web_test"])
    expect(page.locator("#post-community")).to_have_attribute("href", "/r/webpics")
    post = envelope_ok(http.get(f"/3/gallery/{image_id}"))
    assert (post["title"], post["nsfw"], post["section"], post["in_gallery"]) == (
        f"Shared {HOSTILE}",
        False,
        "webpics",
        True,
    )
    assert sorted(t["name"] for t in post["tags"]) == ["cats", "web_test"]
    shot(page, "share-done")

    # In the gallery's new tab, newest first.
    page.goto("/gallery")
    page.locator("#tab-new").click()
    page.wait_for_url("**/gallery/new")
    expect(page.locator("#tab-new")).to_have_attribute("aria-current", "page")
    card = page.locator(f"#post-{image_id}")
    expect(card.locator(".post-title")).to_have_text(f"Shared {HOSTILE}")
    expect(card.locator(".post-points")).to_have_text("0 points")
    img = card.locator("img")
    assert (img.get_attribute("src"), img.get_attribute("width"), img.get_attribute("height")) == (
        f"/{image_id}m.jpg",
        "320",
        "240",
    )

    # The image page says so; the second share asks nothing about the terms.
    page.goto(f"/{image_id}")
    expect(page.locator("#in-gallery")).to_have_attribute("href", f"/gallery/{image_id}")
    second = _upload(http, person.user)
    page.goto(f"/share/{second}")
    expect(page.locator("#share-accept")).to_have_count(0)
    page.get_by_label("Title").fill("The second share")
    page.get_by_label("Mature").check()
    page.get_by_role("button", name="Share to the gallery").click()
    expect(page.locator("#post-notice")).to_have_text("Shared to the gallery.")
    assert urlsplit(page.url).path == f"/gallery/{second}"
    expect(page.locator("#post-mature")).to_have_text("Mature")


def test_edit_and_take_a_post_out_of_the_gallery(person: Person, http: httpx.Client) -> None:
    image_id = _upload(http, person.user)
    _share(http, person.user, image_id, title="Before", tags="one")
    page = person.page
    page.goto(f"/{image_id}")
    page.get_by_role("link", name="Edit the gallery post").click()
    expect(page.get_by_label("Title")).to_have_value("Before")
    expect(page.get_by_label("Tags")).to_have_value("one")
    page.get_by_label("Title").fill("After")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#post-notice")).to_have_text("Shared to the gallery.")
    assert urlsplit(page.url).path == f"/gallery/{image_id}"
    expect(page.locator("#post-title")).to_have_text("After")
    page.get_by_role("button", name="Remove from the gallery").click()
    page.wait_for_url(f"**/{image_id}")
    expect(page.get_by_role("link", name="Share to the gallery…")).to_be_visible()
    expect(page.locator("#in-gallery")).to_have_count(0)
    assert http.get(f"/gallery/{image_id}").status_code == 404
    assert http.get(f"/{image_id}.jpg").status_code in (200, 302, 307)  # the image stays


def test_share_an_album_from_its_page(person: Person, http: httpx.Client) -> None:
    images = [_upload(http, person.user) for _ in range(2)]
    album = envelope_ok(
        http.post(
            "/3/album",
            headers=person.user.bearer,
            data={"ids[]": images, "privacy": "secret", "title": "Trip"},
        )
    )
    page = person.page
    page.goto(f"/a/{album['id']}")
    page.get_by_role("link", name="Share to the gallery…").click()
    page.get_by_label("I accept the gallery's terms").check()
    page.get_by_role("button", name="Share to the gallery").click()
    expect(page.locator("#post-notice")).to_have_text("Shared to the gallery.")
    assert urlsplit(page.url).path == f"/gallery/{album['id']}"
    expect(page.locator("#post-title")).to_have_text("Trip")
    expect(page.locator("#post-album > li")).to_have_count(2)
    # Shared, a secret album is public (the gallery is).
    assert envelope_ok(http.get(f"/3/album/{album['id']}", headers=person.user.bearer))["privacy"] == "public"
    page.goto(f"/a/{album['id']}")
    expect(page.locator("#in-gallery")).to_have_attribute("href", f"/gallery/{album['id']}")
    page.goto("/gallery/new")
    expect(page.locator(f"#post-{album['id']} .badge")).to_have_text("2 images")


def test_only_the_owner_can_share(person: Person, poster: User, http: httpx.Client) -> None:
    theirs = _upload(http, poster)
    r = person.page.goto(f"/share/{theirs}")
    assert r.status == 403
    cookies = {c["name"]: c["value"] for c in person.context.cookies()}
    with httpx.Client(base_url=http.base_url, cookies=cookies, timeout=30) as c:
        page = c.get(f"/{theirs}").text
        token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
        r2 = c.post(f"/share/{theirs}", data={"csrf_token": token, "title": "mine now", "terms": "1"})
        assert r2.status_code == 403
    assert http.get(f"/3/gallery/{theirs}").status_code == 404
    with httpx.Client(base_url=http.base_url, timeout=30) as visitor:
        r3 = visitor.get(f"/share/{theirs}")
        assert r3.status_code == 303 and r3.headers["location"].startswith("/signin?next=")


# --------------------------------------------------------------------------------------- listing


def test_tabs_windows_and_the_mature_toggle(page: Any, poster: User, http: httpx.Client) -> None:
    plain = _upload(http, poster)
    _share(http, poster, plain, title="Safe for work")
    mature = _upload(http, poster)
    _share(http, poster, mature, title="Not for everyone", mature="1")
    page.goto("/gallery/new")
    ids = card_ids(page)
    assert plain in ids and mature not in ids
    page.locator("#mature-toggle").click()
    page.wait_for_url("**/gallery/new?mature=1")
    expect(page.locator(f"#post-{mature} .badge.mature")).to_have_text("Mature")
    assert plain in card_ids(page)
    expect(page.locator("#mature-toggle")).to_have_text("Hide mature posts")
    page.goto("/gallery")
    expect(page.locator("#tab-hot")).to_have_attribute("aria-current", "page")
    page.locator("#tab-top").click()
    page.wait_for_url("**/gallery/top")
    expect(page.locator("#window-day")).to_have_attribute("aria-current", "page")
    page.locator("#window-week").click()
    page.wait_for_url("**/gallery/top/week")
    expect(page.locator("#window-week")).to_have_attribute("aria-current", "page")
    for path in (
        "/gallery/hot",
        "/gallery/top/top/month",
        "/gallery/user/time",
        "/gallery/new/all",
        "/gallery/hot/viral/day",
    ):
        assert http.get(path).status_code == 200, path
    assert http.get("/gallery/sideways").status_code == 404


@pytest.fixture(scope="module")
def full_page(poster: User, http: httpx.Client) -> list[str]:
    """More posts than one page holds, the newest in the gallery."""
    made = []
    for n in range(PER_PAGE + 2):
        image_id = _upload(http, poster, 200, 150)
        _share(http, poster, image_id, title=f"Filler {n}")
        made.append(image_id)
    return made


def test_pages_and_the_infinite_scroll(page: Any, full_page: list[str]) -> None:
    page.goto("/gallery/new")
    expect(page.locator("#posts > li")).to_have_count(PER_PAGE)
    first = card_ids(page)
    # Newest first: the page is made of these posts (shared in the same second, ties go by id).
    assert set(first) <= set(full_page)
    # Eager thumbnails first, lazy ones after; every one with its size.
    assert page.locator("#posts img:not([loading])").count() <= 4
    assert page.locator("#posts img[width][height]").count() == PER_PAGE
    expect(page.locator("#next-page")).to_have_attribute("href", "/gallery/new?page=1")
    page.locator("#next-page").scroll_into_view_if_needed()
    page.wait_for_function(f"() => document.querySelectorAll('#posts > li').length > {PER_PAGE}")
    more = card_ids(page)
    assert more[:PER_PAGE] == first and not set(more[PER_PAGE:]) & set(first)
    assert set(full_page) <= set(more)
    assert len(more) == len(set(more))
    shot(page, "gallery-scrolled")


def test_pages_without_javascript(browser: Any, server: LiveServer, full_page: list[str]) -> None:
    ctx = new_context(browser, server, java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto("/gallery/new")
        first = card_ids(page)
        assert len(first) == PER_PAGE
        page.locator("#next-page").scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        assert card_ids(page) == first  # nothing loads by itself
        page.locator("#next-page").click()
        page.wait_for_url("**/gallery/new?page=1")
        second = card_ids(page)
        assert second and not set(second) & set(first)
        expect(page.locator("#prev-page")).to_have_attribute("href", "/gallery/new")
        page.locator("#prev-page").click()
        page.wait_for_url("**/gallery/new")
        assert card_ids(page)[:10] == first[:10]
    finally:
        ctx.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_gallery_passes_axe(
    browser: Any, server: LiveServer, person: Person, poster: User, http: httpx.Client, scheme: str
) -> None:
    shared = _upload(http, poster)
    _share(http, poster, shared, title=f"Axe {HOSTILE}", mature="1")
    dialogs: list[str] = []
    for state in (None, person.context.storage_state()):
        ctx = new_context(browser, server, color_scheme=scheme, storage_state=state)
        try:
            page = ctx.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for path in ("/gallery", "/gallery/top/week", "/gallery/new?mature=1"):
                page.goto(path, wait_until="load")
                assert_accessible(page)
            shot(page, f"gallery-{scheme}-{'visitor' if state is None else 'signed-in'}")
            assert not dialogs
        finally:
            ctx.close()
