"""Public profiles: /user/{name} shows the avatar, bio, public albums only, and the account's images
only when it says so; an unknown name is a 404 page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.accounts.helpers import password_grant
from tests.api.helpers import envelope_ok, unique_jpeg, upload
from tests.live import LiveServer
from tests.web.conftest import (
    PASSWORD,
    describe,
    new_context,
    serious_violations,
    shot,
    sign_up,
)


def check_axe(page: Any) -> None:
    found = serious_violations(page)
    assert not found, describe(found)


@dataclass
class Profile:
    name: str
    images: list[str]
    public_album: str
    state: Any
    bearer: dict[str, str]


def album(server: LiveServer, bearer: dict[str, str], title: str, privacy: str, ids: list[str]) -> str:
    r = httpx.post(
        f"{server.url}/3/album", headers=bearer, data={"title": title, "privacy": privacy, "ids[]": ids}
    )
    return str(envelope_ok(r)["id"])


def settings(server: LiveServer, p: Profile, **values: str) -> None:
    r = httpx.post(f"{server.url}/3/account/{p.name}/settings", headers=p.bearer, data=values)
    assert envelope_ok(r) is True


@pytest.fixture(scope="module")
def profile(browser: Any, server: LiveServer, session_client: tuple[str, str]) -> Iterator[Profile]:
    ctx = new_context(browser, server)
    try:
        name = sign_up(ctx.new_page())
        r = password_grant(server, session_client, name, PASSWORD)
        bearer = {"Authorization": f"Bearer {r.json()['access_token']}"}
        images = [
            upload(server, bearer, unique_jpeg(8100 + i, 320, 240), title=f"Bridge {i}")["id"]
            for i in range(3)
        ]
        public = album(server, bearer, "Bridges at dusk", "public", images[:2])
        album(server, bearer, "Hidden album", "hidden", images[1:])
        album(server, bearer, "Secret album", "secret", images[2:])
        p = Profile(name, images, public, ctx.storage_state(), bearer)
        settings(server, p, bio="I photograph bridges.\nMostly at dusk.", avatar=images[0])
        yield p
    finally:
        ctx.close()


def test_visitor_sees_public_albums_only(page: Any, profile: Profile) -> None:
    response = page.goto(f"/user/{profile.name}")
    assert response.status == 200
    assert page.locator("#profile-name").inner_text() == profile.name
    assert page.locator("#bio").inner_text() == "I photograph bridges.\nMostly at dusk."
    assert page.locator("#member-since time").get_attribute("datetime")
    avatar = page.locator("img#avatar")
    assert avatar.get_attribute("src") == f"/{profile.images[0]}b.jpg"
    albums = page.locator("#albums li")
    assert albums.count() == 1
    assert "Bridges at dusk" in albums.inner_text() and "2 images" in albums.inner_text()
    cover = albums.locator("img")
    assert cover.get_attribute("src") == f"/{profile.images[0]}b.jpg"
    assert cover.get_attribute("width") == cover.get_attribute("height") == "160"
    assert cover.get_attribute("loading") == "lazy"
    assert cover.evaluate("img => img.complete && img.naturalWidth > 0")
    body = page.locator("main").inner_text()
    assert "Hidden album" not in body and "Secret album" not in body
    assert page.locator("#images").count() == 0  # public_images is off by default
    assert page.locator("#edit-profile").count() == 0
    albums.get_by_role("link").click()
    page.wait_for_url(f"**/a/{profile.public_album}")
    page.go_back()
    shot(page, "profile-signed-out")
    check_axe(page)


def test_images_show_when_the_account_says_so(browser: Any, server: LiveServer, profile: Profile) -> None:
    settings(server, profile, public_images="true")
    try:
        ctx = new_context(browser, server, storage_state=profile.state)
        try:
            page = ctx.new_page()
            page.goto(f"/user/{profile.name}")
            images = page.locator("#images img")
            assert images.count() == 3
            srcs = {images.nth(i).get_attribute("src") for i in range(3)}
            assert srcs == {f"/{i}b.jpg" for i in profile.images}
            assert {images.nth(i).get_attribute("alt") for i in range(3)} == {f"Bridge {i}" for i in range(3)}
            assert images.first.get_attribute("loading") == "lazy"
            assert page.locator("#edit-profile").is_visible()  # the owner's own profile
            shot(page, "profile-owner")
            check_axe(page)
        finally:
            ctx.close()
        dark = new_context(browser, server, color_scheme="dark")
        try:
            page = dark.new_page()
            page.goto(f"/user/{profile.name}")
            assert page.locator("#images img").count() == 3
            shot(page, "profile-dark")
            check_axe(page)
        finally:
            dark.close()
    finally:
        settings(server, profile, public_images="false")


def test_no_avatar_means_an_initial(page: Any, server: LiveServer) -> None:
    name = sign_up(page)
    page.goto(f"/user/{name}")
    assert page.locator("span#avatar").inner_text() == name[0].upper()
    assert page.locator("#no-albums").is_visible()
    shot(page, "profile-empty")


def set_avatar(page: Any, value: str) -> None:
    page.goto("/account/settings")
    page.get_by_label("Avatar").fill(value)
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_url("**/account/settings?done=settings")


def test_avatar_is_one_of_the_accounts_own_images(
    page: Any, server: LiveServer, profile: Profile, session_client: tuple[str, str]
) -> None:
    name = sign_up(page)
    set_avatar(page, f"{server.url}/{profile.images[1]}.jpg")
    page.goto(f"/user/{name}")
    assert page.locator("img#avatar").count() == 0 and page.locator("span#avatar").is_visible()
    token = password_grant(server, session_client, name, PASSWORD).json()["access_token"]
    own = upload(server, {"Authorization": f"Bearer {token}"}, unique_jpeg(8200, 200, 200))["id"]
    set_avatar(page, f"{server.url}/{own}m.jpg")  # a link to one of its thumbnails names it too
    page.goto(f"/user/{name}")
    assert page.locator("img#avatar").get_attribute("src") == f"/{own}b.jpg"


def test_unknown_user_is_a_404_page(page: Any) -> None:
    response = page.goto("/user/nosuchperson12345")
    assert response.status == 404
    assert page.locator("#error-title").is_visible()
    assert page.goto("/user/not%20a%20name").status == 404
