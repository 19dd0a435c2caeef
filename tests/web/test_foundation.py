"""The layout, session and CSRF conventions every page builds on, in a real browser."""

from __future__ import annotations

from typing import Any

import httpx

from tests.live import LiveServer
from tests.web.conftest import describe, serious_violations, shot, sign_in, sign_up


def test_sign_up_sign_out_and_back_in(page: Any) -> None:
    name = sign_up(page)
    assert page.get_by_role("link", name=name).is_visible()
    shot(page, "home-signed-in")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/")
    assert page.get_by_role("link", name="Sign in").is_visible()
    assert page.get_by_role("link", name=name).count() == 0
    sign_in(page, name)
    assert page.get_by_role("link", name=name).is_visible()


def test_wrong_password_shows_the_form_again(page: Any) -> None:
    name = sign_up(page)
    page.get_by_role("button", name="Sign out").click()
    page.goto("/signin")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("#form-error").is_visible()
    assert page.get_by_label("Username").input_value() == name
    shot(page, "signin-error")


def test_signin_returns_to_next_and_never_leaves_the_site(page: Any) -> None:
    name = sign_up(page)
    page.get_by_role("button", name="Sign out").click()
    page.goto("/signin?next=//elsewhere.test/x")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill("correct horse 42")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.url.rstrip("/").endswith(page.url.split("/")[2])  # stayed on this host, at /


def test_session_cookie_flags(page: Any, context: Any) -> None:
    sign_up(page)
    cookie = next(c for c in context.cookies() if c["name"] == "imghost_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"


def test_post_without_csrf_token_is_refused(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as c:
        c.get("/signin")
        r = c.post("/signin", data={"username": "nobody1", "password": "x" * 10})
        assert r.status_code == 403
        assert "text/html" in r.headers["content-type"]
        r = c.post("/signin", data={"username": "nobody1", "password": "x" * 10, "csrf_token": "A" * 32})
        assert r.status_code == 403


def test_cross_site_origin_is_refused_even_with_the_token(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as c:
        page = c.get("/signin").text
        token = page.split('name="csrf-token" content="')[1].split('"')[0]
        r = c.post(
            "/signin",
            data={"username": "nobody1", "password": "x" * 10, "csrf_token": token},
            headers={"Origin": "https://evil.test"},
        )
        assert r.status_code == 403


def test_unknown_page_is_a_page_in_the_layout(page: Any) -> None:
    response = page.goto("/no/such/page")
    assert response.status == 404
    assert page.locator("#error-title").is_visible()
    assert page.get_by_role("navigation", name="Main").is_visible()
    shot(page, "error-404")
    assert not serious_violations(page), describe(serious_violations(page))


def test_static_assets_are_hashed_and_cached_for_a_year(server: LiveServer) -> None:
    html = httpx.get(server.url + "/").text
    href = html.split('rel="stylesheet" href="')[1].split('"')[0]
    assert href.startswith("/static/app.") and href.endswith(".css")
    r = httpx.get(server.url + href, headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and "immutable" in r.headers["cache-control"]
    assert r.headers["content-encoding"] == "gzip"
    assert httpx.get(server.url + "/static/app.0000000000.css").status_code == 404
