"""The post page /gallery/{id} in a real browser: votes (with the pressed state, by mouse and keyboard),
the favourite, threaded comments (comment, reply, vote, delete, the three orders), reports reaching the
moderation queue, what visitors see, link previews, and every form working without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from tests.accounts.helpers import User, make_user
from tests.api.helpers import envelope_ok, unique_jpeg, upload
from tests.community.moderation_helpers import new_admin, reports_of
from tests.live import LiveServer
from tests.web.conftest import assert_accessible, new_context, shot, sign_in

HOSTILE = "<script>alert(1)</script>"


@dataclass
class Person:
    user: User
    context: Any
    page: Any


def _person(browser: Any, server: LiveServer, creds: tuple[str, str], prefix: str, **options: Any) -> Person:
    user = make_user(server, creds, prefix=prefix)
    ctx = new_context(browser, server, **options)
    page = ctx.new_page()
    sign_in(page, user.name, user.password)
    return Person(user, ctx, page)


@pytest.fixture(scope="module")
def http(server: LiveServer, session_client: tuple[str, str]) -> Iterator[httpx.Client]:
    """The API as an application calls it (a request's own Authorization header says who else)."""
    anon = {"Authorization": f"Client-ID {session_client[0]}"}
    with httpx.Client(base_url=server.url, timeout=60, headers=anon) as c:
        yield c


@pytest.fixture(scope="module")
def owner(browser: Any, server: LiveServer, session_client: tuple[str, str]) -> Iterator[Person]:
    p = _person(browser, server, session_client, "powner")
    yield p
    p.context.close()


@pytest.fixture(scope="module")
def reader(browser: Any, server: LiveServer, session_client: tuple[str, str]) -> Iterator[Person]:
    p = _person(browser, server, session_client, "preader")
    yield p
    p.context.close()


_seed = [60_000]


def new_post(http: httpx.Client, who: User, title: str = "A post", **fields: str) -> str:
    """A new upload of who's, shared to the gallery through the API; its id."""
    _seed[0] += 1
    image = upload(http, who.bearer, unique_jpeg(_seed[0], 800, 600), title="the image's own title")
    body = {"title": title, "terms": "1", **fields}
    assert envelope_ok(http.post(f"/3/gallery/image/{image['id']}", headers=who.bearer, data=body)) is True
    return str(image["id"])


def comment(http: httpx.Client, who: User, post_id: str, text: str, parent: int | None = None) -> int:
    data = {"image_id": post_id, "comment": text, **({"parent_id": str(parent)} if parent else {})}
    return int(envelope_ok(http.post("/3/comment", headers=who.bearer, data=data))["id"])


def gallery_item(http: httpx.Client, who: User, post_id: str) -> dict[str, Any]:
    return envelope_ok(http.get(f"/3/gallery/{post_id}", headers=who.bearer))


def top_level_ids(page: Any) -> list[int]:
    ids: list[str] = page.locator("#comment-list > li.comment").evaluate_all(
        "els => els.map(e => e.dataset.id)"
    )
    return [int(i) for i in ids]


def api_order(http: httpx.Client, who: User, post_id: str, sort: str) -> list[int]:
    got = envelope_ok(http.get(f"/3/gallery/{post_id}/comments/{sort}", headers=who.bearer))
    return [int(c["id"]) for c in got]


# ---------------------------------------------------------------------------------------- votes


def test_votes_move_the_points_and_press_the_button(
    owner: Person, reader: Person, http: httpx.Client
) -> None:
    post_id = new_post(http, owner.user, "Vote on me")
    page = reader.page
    page.goto(f"/gallery/{post_id}")
    up = page.get_by_role("button", name="Upvote", exact=True)
    down = page.get_by_role("button", name="Downvote", exact=True)
    points = page.locator("#post-points")
    expect(up).to_have_attribute("aria-pressed", "false")
    expect(points).to_have_text("0")
    up.click()
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(points).to_have_text("1")
    assert gallery_item(http, reader.user, post_id)["vote"] == "up"
    page.reload()
    expect(up).to_have_attribute("aria-pressed", "true")  # the server's state, not the script's
    expect(points).to_have_text("1")
    down.click()
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(up).to_have_attribute("aria-pressed", "false")
    expect(points).to_have_text("-1")
    assert envelope_ok(http.get(f"/3/gallery/{post_id}/votes")) == {"ups": 0, "downs": 1}
    shot(page, "post-voted-down")
    down.click()  # pressing the pressed button takes the vote back
    expect(down).to_have_attribute("aria-pressed", "false")
    expect(points).to_have_text("0")
    assert envelope_ok(http.get(f"/3/gallery/{post_id}/votes")) == {"ups": 0, "downs": 0}
    assert gallery_item(http, reader.user, post_id)["vote"] is None


def test_vote_buttons_are_reachable_and_labelled_for_the_keyboard(
    owner: Person, reader: Person, http: httpx.Client
) -> None:
    post_id = new_post(http, owner.user, "Keyboard votes")
    comment(http, owner.user, post_id, "a comment to vote on by keyboard")
    page = reader.page
    page.goto(f"/gallery/{post_id}")
    reached: list[str] = []
    for _ in range(80):
        page.keyboard.press("Tab")
        name = page.evaluate(
            "() => { const e = document.activeElement; return e && e.tagName === 'BUTTON' ? e.textContent.trim() : '' }"
        )
        if name:
            reached.append(name)
        if page.evaluate("() => document.activeElement && document.activeElement.id") == "vote-up":
            break
    else:
        pytest.fail(f"Tab never reached the upvote button; buttons on the way: {reached}")
    page.keyboard.press("Space")
    expect(page.locator("#vote-up")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#post-points")).to_have_text("1")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "vote-down"
    page.keyboard.press("Enter")
    expect(page.locator("#vote-down")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#post-points")).to_have_text("-1")
    # The comment's buttons have names that say whose comment they vote on.
    upc = page.get_by_role("button", name=f"Upvote the comment by {owner.user.name}")
    expect(upc).to_have_count(1)
    upc.focus()
    page.keyboard.press("Enter")
    expect(upc).to_have_attribute("aria-pressed", "true")


def test_favourite_toggles(owner: Person, reader: Person, http: httpx.Client) -> None:
    post_id = new_post(http, owner.user, "Favourite me")
    page = reader.page
    page.goto(f"/gallery/{post_id}")
    fav = page.get_by_role("button", name="Favourite")
    expect(fav).to_have_attribute("aria-pressed", "false")
    fav.click()
    expect(fav).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#favorite-count")).to_have_text("1")
    item = gallery_item(http, reader.user, post_id)
    assert item["favorite"] is True and item["favorite_count"] == 1
    page.reload()
    expect(fav).to_have_attribute("aria-pressed", "true")
    fav.click()
    expect(fav).to_have_attribute("aria-pressed", "false")
    assert gallery_item(http, reader.user, post_id)["favorite"] is False


# ------------------------------------------------------------------------------------- comments


def test_comment_reply_vote_and_delete(owner: Person, reader: Person, http: httpx.Client) -> None:
    post_id = new_post(http, owner.user, "Discuss")
    page = reader.page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"/gallery/{post_id}")
    expect(page.locator("#comment-count")).to_have_text("0")
    page.get_by_label("Add a comment").fill(f"First {HOSTILE}\nsecond line")
    page.get_by_role("button", name="Post comment").click()
    first = page.locator("#comment-list > li.comment").first
    expect(first.locator(".comment-body")).to_have_text(f"First {HOSTILE}\nsecond line")
    expect(page.locator("#comment-count")).to_have_text("1")
    first_id = int(first.get_attribute("data-id") or 0)
    assert api_order(http, reader.user, post_id, "new") == [first_id]
    expect(page.get_by_label("Add a comment")).to_have_value("")

    # The owner replies (their own page), then the reader replies to the reply.
    owner.page.goto(f"/gallery/{post_id}")
    owner.page.locator(f"#c{first_id} .reply-link").click()
    owner.page.get_by_label("Your reply").fill("A reply from the owner")
    owner.page.get_by_role("button", name="Post reply").click()
    reply = owner.page.locator(f"#c{first_id} > ol.replies > li.comment")
    expect(reply).to_have_count(1)
    expect(reply.locator(".comment-body")).to_have_text("A reply from the owner")
    expect(owner.page.locator("#comment-count")).to_have_text("2")
    reply_id = int(reply.get_attribute("data-id") or 0)
    got = envelope_ok(http.get(f"/3/comment/{reply_id}"))
    assert got["parent_id"] == first_id and got["author"] == owner.user.name

    # The owner votes the reader's comment up.
    up = owner.page.get_by_role("button", name=f"Upvote the comment by {reader.user.name}")
    up.click()
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(owner.page.locator(f"#c{first_id} > .comment-meta .c-points")).to_have_text("1 point")
    assert envelope_ok(http.get(f"/3/comment/{first_id}"))["points"] == 1
    shot(owner.page, "post-comment-thread")

    # The reader deletes their comment: it has a reply, so it stays as deleted and the reply stays.
    page.reload()
    expect(page.locator(f"#c{first_id} > .comment-meta .c-points")).to_have_text("1 point")
    page.locator(f"#c{first_id} > .comment-tools .comment-delete summary").click()
    page.locator(f"#c{first_id} > .comment-tools").get_by_role("button", name="Delete this comment").click()
    expect(page.locator(f"#c{first_id} > .comment-body")).to_have_text("[deleted]")
    expect(page.locator(f"#c{reply_id} > .comment-body")).to_have_text("A reply from the owner")
    expect(page.locator("#comment-count")).to_have_text("1")
    page.reload()
    expect(page.locator(f"#c{first_id}")).to_have_class(re.compile(r"\bdeleted\b"))
    expect(page.locator(f"#c{first_id} > .comment-meta .comment-author")).to_have_text("[deleted]")
    expect(page.locator(f"#c{first_id} > .comment-tools")).to_have_count(0)  # nothing to do on it

    # Nobody may delete someone else's comment: the reader has no delete for the owner's reply.
    expect(page.locator(f"#c{reply_id} .comment-delete")).to_have_count(0)

    # The owner deletes the reply: with no replies of its own it goes, and takes its deleted parent.
    owner.page.reload()
    owner.page.locator(f"#c{reply_id} .comment-delete summary").click()
    owner.page.locator(f"#c{reply_id}").get_by_role("button", name="Delete this comment").click()
    expect(owner.page.locator(f"#c{reply_id}")).to_have_count(0)
    expect(owner.page.locator(f"#c{first_id}")).to_have_count(0)
    expect(owner.page.locator("#comment-count")).to_have_text("0")
    owner.page.reload()
    expect(owner.page.locator("li.comment")).to_have_count(0)
    assert envelope_ok(http.get(f"/3/gallery/{post_id}/comments")) == []
    assert not dialogs


def test_comment_orders(
    owner: Person, reader: Person, http: httpx.Client, server: LiveServer, session_client: tuple[str, str]
) -> None:
    post_id = new_post(http, owner.user, "Orders")
    voters = [make_user(server, session_client, prefix="pvote") for _ in range(3)]
    oldest = comment(http, owner.user, post_id, "oldest, two up")
    middle = comment(http, owner.user, post_id, "middle, one up")
    newest = comment(http, owner.user, post_id, "newest, one down")
    for who, cid, value in [
        (voters[0], oldest, "up"),
        (voters[1], oldest, "up"),
        (voters[2], middle, "up"),
        (voters[0], newest, "down"),
    ]:
        assert envelope_ok(http.post(f"/3/comment/{cid}/vote/{value}", headers=who.bearer)) is True
    page = reader.page
    page.goto(f"/gallery/{post_id}")
    expect(page.locator("#sort-best")).to_have_attribute("aria-current", "true")
    assert top_level_ids(page) == api_order(http, reader.user, post_id, "best") == [oldest, middle, newest]
    page.locator("#sort-new").click()
    page.wait_for_url("**sort=new**")
    expect(page.locator("#sort-new")).to_have_attribute("aria-current", "true")
    assert top_level_ids(page) == api_order(http, reader.user, post_id, "new") == [newest, middle, oldest]
    page.locator("#sort-top").click()
    page.wait_for_url("**sort=top**")
    assert top_level_ids(page) == api_order(http, reader.user, post_id, "top") == [oldest, middle, newest]
    shot(page, "post-comments-top")


def test_two_hundred_comments_render_as_trees(
    owner: Person, reader: Person, http: httpx.Client, server: LiveServer, session_client: tuple[str, str]
) -> None:
    post_id = new_post(http, owner.user, "Busy thread")
    second = make_user(server, session_client, prefix="pbusy")
    made: list[int] = []
    replies = 0
    for n in range(200):
        who = owner.user if n < 100 else second  # under the per-account hourly limit
        # Of every four, the third replies to the second and the fourth to the third: threads three
        # levels deep.
        parent = made[-1] if n % 4 in (2, 3) else None
        replies += parent is not None
        made.append(comment(http, who, post_id, f"comment number {n}", parent))
    r = http.get(f"/gallery/{post_id}")
    assert r.status_code == 200
    assert r.text.count('class="comment"') == 200
    page = reader.page
    page.goto(f"/gallery/{post_id}")
    expect(page.locator("li.comment")).to_have_count(200)
    expect(page.locator("#comment-list > li.comment")).to_have_count(200 - replies)
    expect(page.locator("#comment-count")).to_have_text("200")
    assert_accessible(page)


# -------------------------------------------------------------------------------------- reports


def test_a_report_reaches_the_moderation_queue(
    owner: Person, reader: Person, http: httpx.Client, server: LiveServer, session_client: tuple[str, str]
) -> None:
    post_id = new_post(http, owner.user, "Report me")
    page = reader.page
    page.goto(f"/gallery/{post_id}")
    page.get_by_text("Report this post").click()
    page.get_by_label("Spam").check()
    page.get_by_role("button", name="Send report").click()
    # The script takes ?done= off the address once the page is shown: wait for what it says instead.
    expect(page.locator("#post-notice")).to_contain_text("moderators' queue")
    admin = new_admin(server, session_client, prefix="padm")
    found = reports_of(http, admin, post=post_id, status="open")
    assert [(r["reporter"], r["reason"], r["status"]) for r in found] == [(reader.user.name, 2, "open")]
    # The owner is not offered a report of their own post, and a visitor is offered none at all.
    owner.page.goto(f"/gallery/{post_id}")
    expect(owner.page.locator("#report")).to_have_count(0)


def test_a_comment_report_reaches_the_moderation_queue(
    browser: Any,
    owner: Person,
    reader: Person,
    http: httpx.Client,
    server: LiveServer,
    session_client: tuple[str, str],
) -> None:
    post_id = new_post(http, owner.user, "Comments to report")
    theirs = comment(http, owner.user, post_id, "report this comment")
    mine = comment(http, reader.user, post_id, "my own comment")
    page = reader.page
    page.goto(f"/gallery/{post_id}")
    expect(page.locator(f"#c{mine} .comment-report")).to_have_count(0)  # nobody reports their own
    page.locator(f"#c{theirs} .comment-report summary").click()
    page.locator(f"#c{theirs}").get_by_role("button", name="Abusive or harassing").click()
    expect(page.locator("#post-notice")).to_contain_text("moderators' queue")
    admin = new_admin(server, session_client, prefix="cadm")
    found = reports_of(http, admin, comment=theirs, status="open")
    assert [(r["reporter"], r["reason"], r["post_id"]) for r in found] == [(reader.user.name, 3, post_id)]
    # The admin sees it in the queue's page, with its reason and who reported it.
    ctx = new_context(browser, server)
    try:
        queue = ctx.new_page()
        sign_in(queue, admin.name, admin.password)
        queue.goto("/admin/reports")
        entry = queue.locator(f"li.report[data-comment='{theirs}']")
        for _ in range(200):
            if entry.count() or not queue.locator(".pager [rel=next]").count():
                break
            queue.locator(".pager [rel=next]").click()
            queue.wait_for_load_state()
        expect(entry.locator(".report-link")).to_have_text("report this comment")
        expect(entry.locator(".report-reasons")).to_have_text("Reasons: abusive")
        expect(entry.locator(".report-reporters")).to_contain_text(reader.user.name)
    finally:
        ctx.close()
    cookies = {c["name"]: c["value"] for c in reader.context.cookies()}
    with httpx.Client(base_url=server.url, timeout=30, cookies=cookies) as c:
        m = re.search(r'<meta name="csrf-token" content="([^"]+)">', c.get(f"/gallery/{post_id}").text)
        assert m
        token = m.group(1)
        # Without the token nothing is filed; a comment of another post is not found on this one.
        assert c.post(f"/gallery/{post_id}/comment/{mine}/report", data={"reason": "2"}).status_code == 403
        other = new_post(http, owner.user, "Another post")
        r = c.post(f"/gallery/{other}/comment/{mine}/report", data={"csrf_token": token, "reason": "2"})
        assert r.status_code == 404
        r = c.post(f"/gallery/{post_id}/comment/{mine}/report", data={"csrf_token": token, "reason": "9"})
        assert r.status_code == 400
    assert reports_of(http, admin, comment=mine) == []
    # A visitor's report goes to sign in first, and back to the post afterwards.
    with httpx.Client(base_url=server.url, timeout=30) as c:
        c.get("/gallery")
        token = c.cookies.get("imghost_csrf")
        r = c.post(f"/gallery/{post_id}/comment/{theirs}/report", data={"csrf_token": token, "reason": "2"})
        assert r.status_code == 303
        assert unquote(r.headers["location"]) == f"/signin?next=/gallery/{post_id}"
    assert len(reports_of(http, admin, comment=theirs)) == 1


# ------------------------------------------------------------------------------------ visitors


def test_visitors_read_everything_and_are_sent_to_sign_in(
    browser: Any, server: LiveServer, owner: Person, reader: Person, http: httpx.Client
) -> None:
    post_id = new_post(http, owner.user, f"For everyone {HOSTILE}", tags="visible,alpha")
    cid = comment(http, reader.user, post_id, "a comment visitors read")
    ctx = new_context(browser, server)
    try:
        page = ctx.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        assert page.goto(f"/gallery/{post_id}").status == 200
        expect(page.locator("#post-title")).to_have_text(f"For everyone {HOSTILE}")
        expect(page.locator(f"#c{cid} .comment-body")).to_have_text("a comment visitors read")
        expect(page.locator("#post-tags a")).to_have_text(
            ["#alpha", "#visible"]
        )  # the better voted first, then by name
        expect(page.locator("#post-tags a").last).to_have_attribute("href", "/t/visible")
        expect(page.locator("#post-author")).to_have_attribute("href", f"/user/{owner.user.name}")
        for absent in ("form", "#vote-up", "#favorite", "#comment-form", "#report", ".comment-tools"):
            expect(page.locator(f"main {absent}")).to_have_count(0)
        link = page.locator("#signin-to-comment a")
        expect(link).to_have_attribute("href", f"/signin?next=/gallery/{post_id}")
        assert_accessible(page)
        shot(page, "post-visitor")
        link.click()
        page.get_by_label("Username").fill(reader.user.name)
        page.get_by_label("Password").fill(reader.user.password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"**/gallery/{post_id}")
        expect(page.locator("#comment-form")).to_have_count(1)
        assert not dialogs
    finally:
        ctx.close()
    # A write without a session goes to sign in, and back to the post afterwards.
    with httpx.Client(base_url=server.url, timeout=30) as c:
        c.get("/gallery")
        token = c.cookies.get("imghost_csrf")
        r = c.post(f"/gallery/{post_id}/vote", data={"csrf_token": token, "vote": "up"})
        assert r.status_code == 303
        assert unquote(r.headers["location"]) == f"/signin?next=/gallery/{post_id}"
    assert envelope_ok(http.get(f"/3/gallery/{post_id}/votes")) == {"ups": 0, "downs": 0}


def test_a_post_that_does_not_exist_is_the_not_found_page(reader: Person, http: httpx.Client) -> None:
    for path in ("/gallery/NoSuchPost", "/gallery/no.such", "/gallery/hot/nonsense"):
        r = http.get(path)
        assert r.status_code == 404 and "text/html" in r.headers["content-type"], path
    response = reader.page.goto("/gallery/zzzzzzz")
    assert response.status == 404
    expect(reader.page.locator("#error-title")).to_have_text("Nothing here")


# ------------------------------------------------------------------------------ link previews


def _meta(html: str, key: str) -> str:
    m = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    assert m, key
    return m.group(1).replace("&amp;", "&")


def test_open_graph_and_oembed(server: LiveServer, owner: Person, http: httpx.Client) -> None:
    post_id = new_post(http, owner.user, "Preview title")
    html = http.get(f"/gallery/{post_id}").text
    page_url = f"{server.url}/gallery/{post_id}"
    assert _meta(html, "og:title") == "Preview title" == _meta(html, "twitter:title")
    assert _meta(html, "og:url") == page_url
    assert _meta(html, "og:image") == f"{server.url}/{post_id}.jpg"  # a JPEG original every unfurler draws
    assert _meta(html, "twitter:card") == "summary_large_image"
    assert f'<link rel="canonical" href="{page_url}">' in html
    m = re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', html)
    assert m
    discovered = m.group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(discovered).query)["url"] == [page_url]
    got = httpx.get(discovered, timeout=30).json()
    assert got["type"] == "photo" and got["title"] == "Preview title"
    assert got["url"] == f"{server.url}/{post_id}.jpg" and got["author_name"] == owner.user.name
    # An album post: the album's preview, under the post's title.
    images = [upload(http, owner.user.bearer, unique_jpeg(61_000 + n, 320, 240))["id"] for n in range(2)]
    album = envelope_ok(
        http.post("/3/album", headers=owner.user.bearer, data={"ids[]": images, "cover": images[1]})
    )
    assert (
        envelope_ok(
            http.post(
                f"/3/gallery/album/{album['id']}",
                headers=owner.user.bearer,
                data={"title": "Album post", "terms": "1"},
            )
        )
        is True
    )
    html = http.get(f"/gallery/{album['id']}").text
    assert _meta(html, "og:title") == "Album post"
    assert _meta(html, "og:image") == f"{server.url}/{images[1]}.jpg"
    got = httpx.get(
        f"{server.url}/oembed", params={"url": f"{server.url}/gallery/{album['id']}"}, timeout=30
    ).json()
    assert got["title"] == "Album post" and got["url"] == f"{server.url}/{images[1]}.jpg"
    assert (
        httpx.get(f"{server.url}/oembed", params={"url": f"{server.url}/gallery/NoSuchPost"}).status_code
        == 404
    )


def test_album_post_shows_its_images_in_order(owner: Person, reader: Person, http: httpx.Client) -> None:
    images = [
        upload(http, owner.user.bearer, unique_jpeg(62_000 + n, 900, 600), title=f"picture {n}")["id"]
        for n in range(3)
    ]
    album = envelope_ok(http.post("/3/album", headers=owner.user.bearer, data={"ids[]": images}))
    envelope_ok(
        http.post(
            f"/3/album/{album['id']}",
            headers=owner.user.bearer,
            data={"ids[]": [images[2], images[0], images[1]]},
        )
    )
    assert (
        envelope_ok(
            http.post(
                f"/3/gallery/album/{album['id']}",
                headers=owner.user.bearer,
                data={"title": "Three", "terms": "1"},
            )
        )
        is True
    )
    page = reader.page
    page.goto(f"/gallery/{album['id']}")
    shown = page.locator("#post-album > li").evaluate_all("els => els.map(e => e.id.slice(5))")
    assert shown == [images[2], images[0], images[1]]
    first = page.locator("#post-album img").first
    assert (first.get_attribute("src"), first.get_attribute("width"), first.get_attribute("height")) == (
        f"/{images[2]}l.jpg",
        "640",
        "427",
    )
    shot(page, "post-album")


# ----------------------------------------------------------------------------- without scripts


def test_every_form_works_without_javascript(
    browser: Any, server: LiveServer, owner: Person, http: httpx.Client, session_client: tuple[str, str]
) -> None:
    post_id = new_post(http, owner.user, "No scripts")
    target = comment(http, owner.user, post_id, "reply to me")
    user = make_user(server, session_client, prefix="pnojs")
    ctx = new_context(browser, server, java_script_enabled=False)
    try:
        page = ctx.new_page()
        sign_in(page, user.name, user.password)
        page.goto(f"/gallery/{post_id}")
        page.locator("#vote-up").click()
        page.wait_for_url(f"**/gallery/{post_id}#votes")
        expect(page.locator("#vote-up")).to_have_attribute("aria-pressed", "true")
        expect(page.locator("#post-points")).to_have_text("1")
        page.locator("#favorite").click()
        page.wait_for_url(f"**/gallery/{post_id}#votes")
        expect(page.locator("#favorite")).to_have_attribute("aria-pressed", "true")
        page.get_by_label("Add a comment").fill("said without a script")
        page.get_by_role("button", name="Post comment").click()
        page.wait_for_url("**done=commented**")
        mine = page.locator("li.comment", has_text="said without a script")
        expect(mine).to_have_count(1)
        mine_id = int(mine.get_attribute("data-id") or 0)
        # Reply: the link asks the server for the page with the form under the comment.
        page.locator(f"#c{target} .reply-link").click()
        page.wait_for_url(f"**reply={target}**")
        page.locator(f"#reply-form-{target} textarea").fill("a reply without a script")
        page.locator(f"#reply-form-{target}").get_by_role("button", name="Post reply").click()
        page.wait_for_url("**done=commented**")
        expect(page.locator(f"#c{target} > ol.replies > li .comment-body")).to_have_text(
            "a reply without a script"
        )
        page.locator(f"#c{target} > .comment-tools button[data-vote=up]").click()
        page.wait_for_url(f"**#c{target}")
        expect(page.locator(f"#c{target} > .comment-meta .c-points")).to_have_text("1 point")
        page.locator(f"#c{mine_id} .comment-delete summary").click()
        page.locator(f"#c{mine_id}").get_by_role("button", name="Delete this comment").click()
        page.wait_for_url("**done=deleted**")
        expect(page.locator(f"#c{mine_id}")).to_have_count(0)
        page.locator(f"#c{target} > .comment-tools .comment-report summary").click()
        page.locator(f"#c{target} > .comment-tools").get_by_role("button", name="Spam").click()
        page.wait_for_url(f"**done=reported#c{target}")
        page.locator("#report summary").click()
        page.get_by_label("Abusive or harassing").check()
        page.get_by_role("button", name="Send report").click()
        page.wait_for_url("**done=reported**")
        shot(page, "post-no-javascript")
    finally:
        ctx.close()
    item = gallery_item(http, user, post_id)
    assert (item["vote"], item["favorite"], item["comment_count"]) == ("up", True, 2)
    assert envelope_ok(http.get(f"/3/comment/{target}"))["points"] == 1


def test_forms_need_the_csrf_token(
    server: LiveServer, owner: Person, reader: Person, http: httpx.Client
) -> None:
    """A raw post with the session cookie but without the token changes nothing; with it, it works."""
    post_id = new_post(http, owner.user, "Tokens")
    cookies = {c["name"]: c["value"] for c in reader.context.cookies()}
    with httpx.Client(base_url=server.url, timeout=30, cookies=cookies) as c:
        r = c.post(f"/gallery/{post_id}/vote", data={"vote": "up"})
        assert r.status_code == 403 and "text/html" in r.headers["content-type"]
        assert envelope_ok(http.get(f"/3/gallery/{post_id}/votes")) == {"ups": 0, "downs": 0}
        html = c.get(f"/gallery/{post_id}").text
        m = re.search(r'<meta name="csrf-token" content="([^"]+)">', html)
        assert m
        r = c.post(
            f"/gallery/{post_id}/vote",
            data={"vote": "up"},
            headers={"X-CSRF-Token": m.group(1), "Accept": "application/json"},
        )
        assert r.status_code == 200 and r.json() == {"ups": 1, "downs": 0, "points": 1, "vote": 1}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_post_page_passes_axe(
    browser: Any, server: LiveServer, owner: Person, reader: Person, http: httpx.Client, scheme: str
) -> None:
    post_id = new_post(http, owner.user, f"Axe {scheme}", tags="axe", community="axetest")
    first = comment(http, reader.user, post_id, "top comment")
    reply = comment(http, owner.user, post_id, "a reply", first)
    for state in (reader.context.storage_state(), owner.context.storage_state(), None):
        ctx = new_context(browser, server, color_scheme=scheme, storage_state=state)
        try:
            page = ctx.new_page()
            page.goto(f"/gallery/{post_id}")
            if (
                state is not None and page.locator("#report").count()
            ):  # the reader: the owner's reply to report
                page.locator("#report summary").click()
                page.locator(f"#c{first} > .comment-tools .reply-link").click()
                page.locator(f"#c{reply} > .comment-tools .comment-report summary").click()
                expect(page.locator(f"#reply-form-{first}")).to_have_count(1)
            assert_accessible(page)
            shot(page, f"post-axe-{scheme}-{'visitor' if state is None else 'signed-in'}")
        finally:
            ctx.close()


def test_a_visitor_sees_every_change_at_once(
    server: LiveServer, owner: Person, reader: Person, http: httpx.Client
) -> None:
    """Visitors' pages are kept by what they show (web.gallery_pages._for_visitors): a post vote, a
    new comment, a comment's vote and its deletion each show on the very next request, with no wait."""
    post_id = new_post(http, owner.user, "Kept, and never stale")
    cid = comment(http, reader.user, post_id, "the first comment")
    with httpx.Client(base_url=server.url, timeout=30, headers={"Accept-Encoding": "gzip"}) as visitor:

        def seen() -> str:
            r = visitor.get(f"/gallery/{post_id}")
            assert r.status_code == 200
            return r.text

        def points(text: str, comment_id: int) -> str:
            m = re.search(rf'id="c{comment_id}".*?<span class="c-points">([^<]*)</span>', text, re.S)
            assert m is not None
            return m.group(1)

        first = seen()
        assert seen() == first  # the same page twice
        assert points(first, cid) == "0 points"
        envelope_ok(http.post(f"/3/comment/{cid}/vote/up", headers=owner.user.bearer))
        assert points(seen(), cid) == "1 point"
        envelope_ok(http.post(f"/3/comment/{cid}/vote/down", headers=owner.user.bearer))
        assert points(seen(), cid) == "-1 point"
        envelope_ok(http.post(f"/3/gallery/{post_id}/vote/up", headers=reader.user.bearer))
        assert '<span id="post-points">1</span>' in seen()
        comment(http, owner.user, post_id, "a reply", parent=cid)
        text = seen()
        assert 'id="comment-count">2<' in text and "a reply" in text
        # A comment with replies stays in the tree as deleted: the post's counts need not move.
        envelope_ok(http.delete(f"/3/comment/{cid}", headers=reader.user.bearer))
        text = seen()
        assert "the first comment" not in text and "a reply" in text
