"""API applications in a browser: registering one (the secret shown once, and working), revoking it and
the access it was given; the OAuth allow page reached from a third-party application's page, signed out
(signing in, or up, on the way) and signed in; and the ShareX uploader file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest

from tests.accounts.helpers import password_grant
from tests.api.helpers import unique_png
from tests.live import LiveServer, http_thread
from tests.web.conftest import (
    PASSWORD,
    describe,
    new_context,
    serious_violations,
    shot,
    sign_up,
    unique_username,
)


def csrf(page: Any) -> str:
    return str(page.locator('meta[name="csrf-token"]').get_attribute("content"))


def check_axe(page: Any) -> None:
    found = serious_violations(page)
    assert not found, describe(found)


def register(page: Any, name: str, redirect_uri: str = "", *, via: str = "/account/apps") -> tuple[str, str]:
    """Register an application through the form; returns (client id, secret) from the page that shows them."""
    page.goto(via)
    page.get_by_label("Application name").fill(name)
    if redirect_uri:
        page.get_by_label("Redirect URI (optional)").fill(redirect_uri)
    page.get_by_role("button", name="Register application").click()
    page.locator("#client-secret").wait_for()
    return page.locator("#client-id").input_value(), page.locator("#client-secret").input_value()


def me(server: LiveServer, token: str) -> httpx.Response:
    return httpx.get(f"{server.url}/3/account/me", headers={"Authorization": f"Bearer {token}"})


def fragment(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).fragment).items()}


# ---------------------------------------------------------------- a third-party application's pages


class _AppPages(BaseHTTPRequestHandler):
    """The application's front page links to imghost's allow page; /callback is where imghost sends
    people back (the token arrives in the fragment, which the test reads from the address bar)."""

    authorize: ClassVar[dict[str, str]] = {}

    def do_GET(self) -> None:
        if self.path.startswith("/callback"):
            body = "<!doctype html><title>Photo printer</title><h1 id='callback'>Connected</h1>"
        else:
            link = self.authorize.get("url", "")
            body = f"<!doctype html><title>Photo printer</title><a id='connect' href='{link}'>Connect imghost</a>"
        data = body.encode()
        self.send_response(200)
        self.send_header("content-type", "text/html; charset=utf-8")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class ThirdParty:
    url: str
    client_id: str
    secret: str
    owner: str
    owner_state: Any


@pytest.fixture(scope="module")
def third_party(browser: Any, server: LiveServer) -> Iterator[ThirdParty]:
    with http_thread(_AppPages, "third-party-app") as url:
        ctx = new_context(browser, server)
        try:
            page = ctx.new_page()
            owner = sign_up(page)
            cid, secret = register(page, "Photo printer", f"{url}/callback")
            _AppPages.authorize["url"] = (
                f"{server.url}/oauth2/authorize?client_id={cid}&response_type=token&state=xyz"
            )
            yield ThirdParty(url, cid, secret, owner, ctx.storage_state())
        finally:
            ctx.close()


def connect(page: Any, app: ThirdParty) -> None:
    page.goto(app.url)
    page.get_by_role("link", name="Connect imghost").click()
    page.wait_for_url("**/oauth2/authorize?**")


def at_callback(page: Any, app: ThirdParty) -> dict[str, str]:
    page.wait_for_url(f"{app.url}/callback**")
    page.locator("#callback").wait_for()
    return fragment(page.url)


# ---------------------------------------------------------------- registering and revoking


def test_registration_shows_the_secret_once_and_it_works(page: Any, server: LiveServer) -> None:
    name = sign_up(page)
    page.goto("/account/apps")
    assert page.locator("#no-apps").is_visible() and page.locator("#no-grants").is_visible()
    shot(page, "apps-empty")
    check_axe(page)
    cid, secret = register(page, "Uploader bot")
    assert page.locator("#secret-warning").is_visible()
    shot(page, "apps-created")
    check_axe(page)
    # The secret is a real one: the password grant takes it.
    r = password_grant(server, (cid, secret), name, PASSWORD)
    assert r.status_code == 200 and r.json()["account_username"] == name, r.text
    # ...and no page shows it again.
    page.goto("/account/apps")
    row = page.locator(f'tr.app-row[data-client="{cid}"]')
    assert "Uploader bot" in row.inner_text() and cid in row.inner_text()
    assert secret not in page.content()
    # Imgur's path to the form works too; a bad redirect URI is explained, what was typed is kept.
    page.goto("/oauth2/addclient")
    shot(page, "addclient")
    check_axe(page)
    page.get_by_label("Application name").fill("Sloppy")
    page.get_by_label("Redirect URI (optional)").fill("http://example.com/cb")
    page.get_by_role("button", name="Register application").click()
    assert "https://" in page.locator("#register-error").inner_text()
    assert page.get_by_label("Application name").input_value() == "Sloppy"
    cid2, _ = register(page, "Second app", "https://example.com/cb", via="/oauth2/addclient")
    page.goto("/account/apps")
    assert page.locator("tr.app-row").count() == 2 and cid2 in page.locator("#apps").inner_text()


def test_addclient_sends_a_visitor_to_sign_in(page: Any) -> None:
    page.goto("/oauth2/addclient")
    assert "/signin?next=/oauth2/addclient" in page.url
    name = unique_username()
    page.goto("/signup?next=/oauth2/addclient")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Email").fill(f"{name}@example.test")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/oauth2/addclient")
    assert page.get_by_label("Application name").is_visible()


def test_deleting_an_app_and_revoking_access(page: Any, server: LiveServer) -> None:
    name = sign_up(page)
    cid, secret = register(page, "Short-lived")
    token = password_grant(server, (cid, secret), name, PASSWORD).json()["access_token"]
    assert me(server, token).status_code == 200
    page.goto("/account/apps")
    grant = page.locator(f'tr.grant-row[data-client="{cid}"]')
    assert "Short-lived" in grant.inner_text()
    shot(page, "apps-with-grant")
    check_axe(page)
    grant.get_by_role("button", name="Revoke access").click()
    page.locator("#done").wait_for()
    assert me(server, token).status_code == 403
    assert page.locator("#no-grants").is_visible()
    # Deleting asks first (the button is behind a disclosure), then the client id stops working.
    client = {"Authorization": f"Client-ID {cid}"}
    assert httpx.get(f"{server.url}/3/credits", headers=client).status_code == 200
    row = page.locator(f'tr.app-row[data-client="{cid}"]')
    row.locator("summary").click()
    shot(page, "apps-delete-confirm")
    row.get_by_role("button", name="Delete Short-lived for good").click()
    page.locator("#done").wait_for()
    assert page.locator("#no-apps").is_visible()
    assert httpx.get(f"{server.url}/3/credits", headers=client).status_code == 403


def test_another_account_cannot_revoke_an_app(browser: Any, server: LiveServer, page: Any) -> None:
    owner = sign_up(page)
    cid, secret = register(page, "Mine only")
    token = password_grant(server, (cid, secret), owner, PASSWORD).json()["access_token"]
    other = new_context(browser, server)
    try:
        intruder = other.new_page()
        sign_up(intruder)
        intruder.goto("/account/apps")
        form = {"csrf_token": csrf(intruder)}
        for path in (f"/account/apps/{cid}/delete", f"/account/grants/{cid}/revoke"):
            r = other.request.post(path, form=form, headers={"accept": "text/html"}, max_redirects=0)
            assert r.status in (403, 404), (path, r.status)
    finally:
        other.close()
    assert me(server, token).status_code == 200
    page.goto("/account/apps")
    assert page.locator(f'tr.app-row[data-client="{cid}"]').count() == 1


# ---------------------------------------------------------------- the allow page from a third party


def test_signed_out_person_signs_in_on_the_way_and_lands_at_the_app(
    browser: Any, server: LiveServer, third_party: ThirdParty
) -> None:
    ctx = new_context(browser, server)
    try:
        page = ctx.new_page()
        name = sign_up(page)
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{server.url}/")
        connect(page, third_party)
        assert "Photo printer" in page.locator("#authorize-title").inner_text()
        assert page.get_by_label("Password").is_visible()
        shot(page, "authorize-signed-out")
        check_axe(page)
        page.get_by_label("Username").fill(name)
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Allow").click()
        assert page.locator("#error").inner_text() == "Invalid username or password"
        assert page.get_by_label("Username").input_value() == name
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Allow").click()
        got = at_callback(page, third_party)
        assert got["state"] == "xyz" and got["token_type"] == "bearer" and got["account_username"] == name
        r = me(server, got["access_token"])
        assert r.status_code == 200 and r.json()["data"]["url"] == name
        # Signing in there signed in to the site as well.
        page.goto("/")
        assert page.get_by_role("link", name=name).is_visible()
        # Signed in, the page only asks: Allow (or Deny, which the application hears about).
        connect(page, third_party)
        assert name in page.locator("#authorize-account").inner_text()
        assert page.get_by_label("Password").count() == 0
        shot(page, "authorize-signed-in")
        check_axe(page)
        page.get_by_role("button", name="Deny").click()
        assert at_callback(page, third_party) == {"error": "access_denied", "state": "xyz"}
        connect(page, third_party)
        page.get_by_role("button", name="Allow").click()
        again = at_callback(page, third_party)
        assert again["state"] == "xyz" and me(server, again["access_token"]).status_code == 200
        # "Not you?" signs out and comes back to the same request, signed out.
        connect(page, third_party)
        page.get_by_role("button", name="Sign out", exact=True).last.click()
        page.wait_for_url("**/oauth2/authorize?**")
        assert "state=xyz" in page.url and page.get_by_label("Password").is_visible()
    finally:
        ctx.close()


def test_signing_up_on_the_way_keeps_the_request(
    browser: Any, server: LiveServer, third_party: ThirdParty
) -> None:
    ctx = new_context(browser, server, color_scheme="dark")
    try:
        page = ctx.new_page()
        connect(page, third_party)
        shot(page, "authorize-signed-out-dark")
        check_axe(page)
        page.locator("#authorize-signup").get_by_role("link", name="Sign up").click()
        name = unique_username()
        page.get_by_label("Username").fill(name)
        page.get_by_label("Email").fill(f"{name}@example.test")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Password again").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url("**/oauth2/authorize?**")
        assert name in page.locator("#authorize-account").inner_text()
        shot(page, "authorize-signed-in-dark")
        check_axe(page)
        page.get_by_role("button", name="Allow").click()
        got = at_callback(page, third_party)
        assert got["state"] == "xyz" and got["account_username"] == name
    finally:
        ctx.close()


def test_pin_page_and_its_denial(browser: Any, server: LiveServer, third_party: ThirdParty) -> None:
    ctx = new_context(browser, server, storage_state=third_party.owner_state)
    try:
        page = ctx.new_page()
        page.goto(f"/oauth2/authorize?client_id={third_party.client_id}&response_type=pin")
        page.get_by_role("button", name="Allow").click()
        pin = page.locator("#pin").inner_text()
        shot(page, "authorize-pin")
        check_axe(page)
        r = httpx.post(
            f"{server.url}/oauth2/token",
            data={
                "client_id": third_party.client_id,
                "client_secret": third_party.secret,
                "grant_type": "pin",
                "pin": pin,
            },
        )
        assert r.status_code == 200 and r.json()["account_username"] == third_party.owner, r.text
        page.goto(f"/oauth2/authorize?client_id={third_party.client_id}&response_type=pin")
        page.get_by_role("button", name="Deny").click()
        assert page.locator("#denied").inner_text() == "Access denied" and page.locator("#pin").count() == 0
        shot(page, "authorize-denied")
    finally:
        ctx.close()


# ---------------------------------------------------------------- ShareX


def download(page: Any, button: str) -> dict[str, Any]:
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    got = info.value
    assert got.suggested_filename.endswith(".sxcu")
    data: dict[str, Any] = json.loads(Path(got.path()).read_text())
    return data


def sharex_upload(config: dict[str, Any], seed: int) -> dict[str, Any]:
    """Upload as ShareX would with this file: its method, URL, headers and file field."""
    assert config["RequestMethod"] == "POST" and config["Body"] == "MultipartFormData"
    r = httpx.post(
        config["RequestURL"],
        headers=config["Headers"],
        files={config["FileFormName"]: (f"shot{seed}.png", unique_png(), "image/png")},
        timeout=60,
    )
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


def check_config(config: dict[str, Any], server: LiveServer) -> None:
    assert config["DestinationType"] == "ImageUploader"
    assert config["RequestURL"] == f"{server.url}/3/image"
    assert config["URL"] == "{json:data.link}"
    assert config["DeletionURL"] == f"{server.url}/delete/{{json:data.deletehash}}"
    assert config["ErrorMessage"] == "{json:data.error}"


def test_sharex_files_anonymous_and_bound(page: Any, server: LiveServer) -> None:
    name = sign_up(page)
    page.goto("/account/sharex")
    assert page.locator("#no-apps").is_visible()
    page.get_by_role("button", name="Create a ShareX application").click()
    page.locator("#sharex-client").wait_for()
    shot(page, "sharex-signed-in")
    check_axe(page)
    cid = page.locator("#sharex-client").input_value()
    assert f"Client-ID {cid}" in page.locator("#curl-anonymous").input_value()
    anonymous = download(page, "Download anonymous uploader")
    check_config(anonymous, server)
    assert anonymous["Headers"] == {"Authorization": f"Client-ID {cid}"}
    up = sharex_upload(anonymous, 1)
    assert up["account_url"] is None and up["link"].startswith(server.url)
    delete_page = httpx.get(
        anonymous["DeletionURL"].replace("{json:data.deletehash}", up["deletehash"]), timeout=60
    )
    assert delete_page.status_code == 200
    # Bound: a token made on this press only, never on the page itself.
    assert "Bearer" not in page.content().replace("Bearer YOUR_ACCESS_TOKEN", "")
    bound = download(page, f"Download uploader for {name}")
    check_config(bound, server)
    token = bound["Headers"]["Authorization"].removeprefix("Bearer ")
    assert me(server, token).json()["data"]["url"] == name
    assert sharex_upload(bound, 2)["account_url"] == name


def test_sharex_for_a_visitor(page: Any, server: LiveServer, browser: Any) -> None:
    cid = server.create_client("visitor sharex")[0]
    page.goto("/account/sharex")
    shot(page, "sharex-signed-out")
    check_axe(page)
    page.get_by_label("Client id").fill(cid)
    config = download(page, "Download anonymous uploader")
    check_config(config, server)
    assert sharex_upload(config, 3)["account_url"] is None
    dark = new_context(browser, server, color_scheme="dark")
    try:
        p = dark.new_page()
        p.goto(f"/account/sharex?client={quote(cid)}")
        assert cid in p.locator("#curl-anonymous").input_value()
        shot(p, "sharex-dark")
        check_axe(p)
    finally:
        dark.close()
