"""The settings page in a browser: every account setting (checked through the API), the password,
the sessions (one at a time and everywhere, across two browsers) and deleting the account."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts.helpers import password_grant
from tests.live import LiveServer
from tests.web.conftest import (
    PASSWORD,
    describe,
    new_context,
    serious_violations,
    shot,
    sign_in,
    sign_up,
    unique_username,
)

NEW_PASSWORD = "battery staple 77"


def check_axe(page: Any) -> None:
    found = serious_violations(page)
    assert not found, describe(found)


def token(server: LiveServer, creds: tuple[str, str], name: str, password: str = PASSWORD) -> str:
    r = password_grant(server, creds, name, password)
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def signed_out_on_next_load(page: Any) -> bool:
    page.goto("/account/settings")
    return "/signin" in page.url


def second_browser(browser: Any, server: LiveServer, name: str, password: str = PASSWORD) -> Any:
    ctx = new_context(browser, server, user_agent="Second browser 1.0")
    sign_in(ctx.new_page(), name, password)
    return ctx


def test_settings_round_trip(page: Any, server: LiveServer, session_client: tuple[str, str]) -> None:
    name = sign_up(page)
    page.goto("/account/settings")
    shot(page, "settings")
    check_axe(page)
    assert page.get_by_label("Username", exact=True).input_value() == name
    page.get_by_label("Bio").fill("Takes pictures of <b>bridges</b>.")
    page.get_by_label("Show my images on my public profile").check()
    page.get_by_label("Privacy of new albums").select_option("hidden")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_url("**/account/settings?done=settings")
    assert page.locator("#done").inner_text() == "Your settings are saved."
    assert page.get_by_label("Show my images on my public profile").is_checked()
    bearer = {"Authorization": f"Bearer {token(server, session_client, name)}"}
    settings = httpx.get(f"{server.url}/3/account/{name}/settings", headers=bearer).json()["data"]
    # Messaging has a form of its own (tests/web/test_messages_pages.py): this one leaves it on.
    assert settings["public_images"] is True and settings["messaging_enabled"] is True
    assert settings["album_privacy"] == "hidden"
    assert httpx.get(f"{server.url}/3/account/{name}").json()["data"]["bio"] == (
        "Takes pictures of <b>bridges</b>."
    )
    # A refused change says why and keeps what was typed; nothing is saved.
    page.get_by_label("Username", exact=True).fill("me")
    page.get_by_label("Bio").fill("never saved")
    page.get_by_role("button", name="Save settings").click()
    assert "letters and digits" in page.locator("#settings-error").inner_text()
    assert page.get_by_label("Bio").input_value() == "never saved"
    shot(page, "settings-error")
    assert httpx.get(f"{server.url}/3/account/{name}").json()["data"]["bio"].startswith("Takes")
    # The username itself can change; the session follows it.
    renamed = unique_username("renamed")
    page.get_by_label("Username", exact=True).fill(renamed)
    page.get_by_label("Bio").fill("Still bridges.")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_url("**/account/settings?done=settings")
    assert page.get_by_role("link", name=renamed).is_visible()
    assert httpx.get(f"{server.url}/3/account/{renamed}").json()["data"]["bio"] == "Still bridges."


def test_settings_in_the_dark(browser: Any, server: LiveServer) -> None:
    ctx = new_context(browser, server, color_scheme="dark")
    try:
        page = ctx.new_page()
        sign_up(page)
        page.goto("/account/settings")
        shot(page, "settings-dark")
        check_axe(page)
    finally:
        ctx.close()


def test_change_password_signs_out_the_others(
    browser: Any, page: Any, server: LiveServer, session_client: tuple[str, str]
) -> None:
    name = sign_up(page)
    other = second_browser(browser, server, name)
    try:
        page.goto("/account/settings")
        page.get_by_label("Current password").fill("not my password")
        page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("New password again").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Change password").click()
        assert page.locator("#password-error").inner_text() == "That is not your current password."
        page.get_by_label("Current password").fill(PASSWORD)
        page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("New password again").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Change password").click()
        page.wait_for_url("**/account/settings?done=password")
        assert signed_out_on_next_load(other.new_page())
        assert not signed_out_on_next_load(page)  # this browser goes on
    finally:
        other.close()
    assert password_grant(server, session_client, name, PASSWORD).status_code == 401
    assert password_grant(server, session_client, name, NEW_PASSWORD).status_code == 200
    fresh = new_context(browser, server)
    try:
        p = fresh.new_page()
        p.goto("/signin")
        p.get_by_label("Username").fill(name)
        p.get_by_label("Password").fill(PASSWORD)
        p.get_by_role("button", name="Sign in").click()
        assert p.locator("#form-error").is_visible()
        sign_in(p, name, NEW_PASSWORD)
        assert p.get_by_role("link", name=name).is_visible()
    finally:
        fresh.close()


def test_sign_out_everywhere_keeps_application_tokens(
    browser: Any, page: Any, server: LiveServer, session_client: tuple[str, str]
) -> None:
    name = sign_up(page)
    api_token = token(server, session_client, name)
    other = second_browser(browser, server, name)
    try:
        page.goto("/account/settings")
        assert page.locator("tr.session-row").count() == 2
        page.get_by_role("button", name="Sign out everywhere").click()
        page.wait_for_url(f"{server.url}/")
        assert page.get_by_role("link", name="Sign in").is_visible()
        assert signed_out_on_next_load(other.new_page())
        assert signed_out_on_next_load(page)
    finally:
        other.close()
    me = httpx.get(f"{server.url}/3/account/me", headers={"Authorization": f"Bearer {api_token}"})
    assert me.status_code == 200 and me.json()["data"]["url"] == name


def test_one_session_signed_out_from_the_list(browser: Any, page: Any, server: LiveServer) -> None:
    name = sign_up(page)
    other = second_browser(browser, server, name)
    try:
        page.goto("/account/settings")
        rows = page.locator("tr.session-row")
        assert rows.count() == 2
        assert "(this browser)" in page.locator("tr.session-row.current").inner_text()
        theirs = page.locator("tr.session-row", has_text="Second browser 1.0")
        shot(page, "settings-sessions")
        theirs.get_by_role("button").click()
        page.wait_for_url("**/account/settings?done=session")
        assert page.locator("tr.session-row").count() == 1
        assert signed_out_on_next_load(other.new_page())
        assert not signed_out_on_next_load(page)
        # The session ids on the page are the account's own to end: another account's are not found.
        mine = page.locator("tr.session-row").get_attribute("data-session")
        intruder = new_context(browser, server)
        try:
            ip = intruder.new_page()
            sign_up(ip)
            meta = ip.locator('meta[name="csrf-token"]').get_attribute("content")
            r = intruder.request.post(
                "/account/sessions/end",
                form={"csrf_token": meta, "session": mine},
                headers={"accept": "text/html"},
                max_redirects=0,
            )
            assert r.status == 404
        finally:
            intruder.close()
        assert not signed_out_on_next_load(page)
        # Its own session from the list signs this browser out.
        page.locator("tr.session-row.current").get_by_role("button").click()
        page.wait_for_url(f"{server.url}/")
        assert signed_out_on_next_load(page)
    finally:
        other.close()


def test_delete_account(page: Any, server: LiveServer, session_client: tuple[str, str]) -> None:
    name = sign_up(page)
    page.goto(f"/user/{name}")
    assert page.locator("#profile-name").inner_text() == name
    page.goto("/account/settings")
    page.get_by_label("Type your username to confirm").fill(name + "x")
    page.locator("#delete-password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    assert page.locator("#delete-error").is_visible()
    page.get_by_label("Type your username to confirm").fill(name)
    page.locator("#delete-password").fill("wrong password")
    page.get_by_role("button", name="Delete my account").click()
    assert page.locator("#delete-error").inner_text() == "That is not your password."
    shot(page, "settings-delete-error")
    page.get_by_label("Type your username to confirm").fill(name)
    page.locator("#delete-password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_url(f"{server.url}/")
    assert page.get_by_role("link", name="Sign in").is_visible()
    assert page.goto(f"/user/{name}").status == 404
    assert httpx.get(f"{server.url}/3/account/{name}").status_code == 404
    assert password_grant(server, session_client, name, PASSWORD).status_code == 401


def test_settings_need_a_session_and_the_form_token(page: Any, server: LiveServer) -> None:
    page.goto("/account/settings")
    assert "/signin?next=/account/settings" in page.url
    sign_up(page)
    r = page.context.request.post(
        "/account/settings", form={"bio": "forged"}, headers={"accept": "text/html"}, max_redirects=0
    )
    assert r.status == 403
