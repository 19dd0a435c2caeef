"""Every page of the web front end, swept as three people: the owner of everything on show, another
signed-in account, and a visitor; in light and dark. On each page:
- the security headers: a Content-Security-Policy without 'unsafe-inline', no framing, a Referrer-Policy;
- user text is text: every title and description here is `<script>alert(1)</script>`-style markup, no
  dialog may open, and the markup shows as characters wherever titles show;
- axe-core finds no serious or critical violation;
- a screenshot is kept.
A new GET page route that this sweep does not visit fails test_every_page_route_is_swept."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from imghost.web import WEB_ROUTERS
from tests.accounts.helpers import password_grant
from tests.api.helpers import unique_jpeg, upload
from tests.live import LiveServer
from tests.web.conftest import PASSWORD, describe, new_context, serious_violations, shot, sign_up

HOSTILE = "<script>alert(1)</script>"
# Machine answers and downloads, not pages a person reads.
NOT_PAGES = {
    "/healthz",
    "/metrics",
    "/static/{name:path}",
    "/robots.txt",
    "/oembed",
    "/a/{album_id}/zip",
    "/account/export/{export_id}.zip",
    "/notifications/stream",
}


@dataclass
class World:
    owner: str
    other: str
    image: str
    deletehash: str
    album: str
    client_id: str
    owner_state: Any
    other_state: Any
    # A post of the owner's with a tag and a community of its own (the tag and community pages).
    tag: str = ""
    community: str = ""
    # The owner's conversation with the other account (its first message is markup).
    conversation: int = 0


def _api_token(server: LiveServer, creds: tuple[str, str], name: str) -> str:
    r = password_grant(server, creds, name, PASSWORD)
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


@pytest.fixture(scope="module")
def world(browser: Any, server: LiveServer) -> World:
    creds = server.create_client("sweep")
    states = []
    names = []
    for _ in range(2):
        ctx = new_context(browser, server)
        names.append(sign_up(ctx.new_page()))
        states.append(ctx.storage_state())
        ctx.close()
    bearer = {"Authorization": "Bearer " + _api_token(server, creds, names[0])}
    image = upload(server, bearer, unique_jpeg(7001, 320, 240), title=HOSTILE + " title", description=HOSTILE)
    r = httpx.post(
        f"{server.url}/3/album",
        headers=bearer,
        data={"title": HOSTILE + " album", "description": HOSTILE, "ids[]": [image["id"]]},
    )
    assert r.status_code == 200, r.text
    httpx.post(
        f"{server.url}/3/account/{names[0]}/settings", headers=bearer, data={"bio": HOSTILE + " bio"}
    ).raise_for_status()
    # The image is a gallery post too, with a comment.
    httpx.post(
        f"{server.url}/3/gallery/image/{image['id']}",
        headers=bearer,
        data={"title": HOSTILE + " post", "terms": "1", "tags": "sweep", "community": "sweep"},
    ).raise_for_status()
    httpx.post(
        f"{server.url}/3/comment", headers=bearer, data={"image_id": image["id"], "comment": HOSTILE}
    ).raise_for_status()
    tag, community = f"sweep{os.urandom(4).hex()}", f"sweep{os.urandom(4).hex()}"
    posted = upload(server, bearer, unique_jpeg(7002, 320, 240))
    httpx.post(
        f"{server.url}/3/gallery/image/{posted['id']}",
        headers=bearer,
        data={"title": HOSTILE + " post", "terms": "1", "tags": tag, "community": community},
    ).raise_for_status()
    httpx.post(
        f"{server.url}/3/conversations/{names[1]}", headers=bearer, data={"body": HOSTILE + " message"}
    ).raise_for_status()
    talks = httpx.get(f"{server.url}/3/conversations", headers=bearer).json()["data"]
    return World(
        owner=names[0],
        other=names[1],
        image=image["id"],
        deletehash=image["deletehash"],
        album=r.json()["data"]["id"],
        client_id=creds[0],
        owner_state=states[0],
        other_state=states[1],
        tag=tag,
        community=community,
        conversation=talks[0]["id"],
    )


def pages(w: World) -> dict[str, str]:
    """Route template -> a URL of it with real ids."""
    return {
        "/": "/",
        "/signin": "/signin",
        "/signup": "/signup",
        "/{image_id}": f"/{w.image}",
        "/a/{album_id}": f"/a/{w.album}",
        "/a/{album_id}/delete": f"/a/{w.album}/delete",
        "/delete/{deletehash}": f"/delete/{w.deletehash}",
        "/user/{name}": f"/user/{w.owner}",
        "/gallery": "/gallery",
        "/gallery/{first}": f"/gallery/{w.image}",
        "/gallery/{section}/{sort}": "/gallery/top/week",
        "/gallery/{section}/{sort}/{window}": "/gallery/hot/time/day",
        "/share/{item_id}": f"/share/{w.image}",
        "/account/images": "/account/images",
        "/account/albums": "/account/albums",
        "/account/settings": "/account/settings",
        "/account/export": "/account/export",
        "/account/apps": "/account/apps",
        "/account/sharex": "/account/sharex",
        "/notifications": "/notifications",
        # A notification's link (marks it read, then redirects); one that is not there is the 404 page.
        "/notifications/{notification_id}": "/notifications/0",
        "/oauth2/addclient": "/oauth2/addclient",
        "/oauth2/authorize": f"/oauth2/authorize?client_id={w.client_id}&response_type=token&state={HOSTILE}",
        "/t/{tag}": f"/t/{w.tag}",
        "/r/{community}": f"/r/{w.community}",
        "/search": f"/search?q=tag:{w.tag}",
        "/admin/reports": "/admin/reports",
        "/messages": "/messages",
        "/messages/new": f"/messages/new?to={w.other}",
        "/messages/{conversation_id}": f"/messages/{w.conversation}",
        "404": "/no/such/page",
    }


def _routes() -> set[str]:
    found = set()
    for router in WEB_ROUTERS:
        for route in router.routes:
            if "GET" in getattr(route, "methods", ()) and route.path not in NOT_PAGES:  # type: ignore[attr-defined]
                found.add(route.path)  # type: ignore[attr-defined]
    return found


def test_every_page_route_is_swept(world: World) -> None:
    missing = _routes() - set(pages(world))
    assert not missing, f"GET pages the sweep does not visit: {sorted(missing)}"


def test_security_headers_on_every_page(server: LiveServer, world: World) -> None:
    # As a browser asks: the pages under /oauth2 answer scripts with the Imgur envelope instead.
    with httpx.Client(base_url=server.url, headers={"Accept": "text/html"}) as c:
        for template, url in pages(world).items():
            r = c.get(url, follow_redirects=True)
            csp = r.headers.get("content-security-policy", "")
            assert "text/html" in r.headers["content-type"], template
            assert "unsafe-inline" not in csp and "script-src 'self'" in csp, (template, csp)
            assert "frame-ancestors 'none'" in csp and r.headers["x-frame-options"] == "DENY", template
            assert r.headers.get("referrer-policy"), template
            assert r.headers.get("x-content-type-options") == "nosniff", template


WHO = ("owner", "other", "visitor")
# Pages that show the sweep's post, whose title is markup.
COMMUNITY_TITLED = ("/t/{tag}", "/r/{community}", "/search")
# Pages that show the owner's message (markup) to the two parties of the conversation.
MESSAGE_SHOWN = ("/messages", "/messages/{conversation_id}")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("who", WHO)
def test_every_page_escapes_user_text_and_passes_axe(
    browser: Any, server: LiveServer, world: World, who: str, scheme: str
) -> None:
    state = {"owner": world.owner_state, "other": world.other_state}.get(who)
    ctx = new_context(browser, server, color_scheme=scheme, storage_state=state)
    dialogs: list[str] = []
    problems: list[str] = []
    try:
        page = ctx.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for template, url in pages(world).items():
            # "load" has every image and stylesheet in; the pages fetch nothing after it by themselves.
            page.goto(url, wait_until="load")
            body = page.locator("body").inner_text()
            if template in ("/{image_id}", "/a/{album_id}", "/gallery/{first}", "/user/{name}"):
                if HOSTILE not in body:
                    problems.append(f"{template}: the title markup is not shown as text")
            if template in COMMUNITY_TITLED and HOSTILE not in body:
                problems.append(f"{template}: the post's title markup is not shown as text")
            if template in MESSAGE_SHOWN and who != "visitor" and HOSTILE not in body:
                problems.append(f"{template} ({who}): the message's markup is not shown as text")
            found = serious_violations(page)
            if found:
                problems.append(f"{template} ({who}, {scheme}):\n{describe(found)}")
            if scheme == "light" or who == "owner":
                shot(page, f"sweep-{who}-{scheme}-{template.strip('/').replace('/', '_') or 'home'}")
    finally:
        ctx.close()
    assert not dialogs, f"script ran: {dialogs}"
    assert not problems, "\n".join(problems)


def test_pages_are_compressed_and_not_cached_by_shared_caches(server: LiveServer, world: World) -> None:
    r = httpx.get(f"{server.url}/{world.image}", headers={"Accept-Encoding": "gzip"})
    assert r.headers.get("content-encoding") == "gzip"
    assert "no-cache" in r.headers["cache-control"] or "private" in r.headers["cache-control"]
    assert world.image in r.text  # httpx decoded the gzip body: it is the page
    raw = httpx.get(f"{server.url}/{world.image}", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers and world.image in raw.text
