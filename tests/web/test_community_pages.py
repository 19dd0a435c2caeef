"""The community's pages beside the gallery: a tag (/t/{tag}: its posts in each sort, paged, following
and unfollowing), a community (/r/{name}), search (/search: the API's query syntax and the advanced
form) and the gallery rows of a profile (posts, favourites, comments, reputation). Posts are made through
the API; the pages are read in Chromium, signed in and out, with axe on each.

The servers of one run share a database on the second backend, so every tag and community here is new
to the run (other tests' posts are there too)."""

from __future__ import annotations

import random
import string
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from imghost.web.community_pages import PER_PAGE
from tests.accounts.helpers import User, make_user
from tests.api.helpers import envelope_ok, unique_jpeg, upload
from tests.community.gallery_helpers import share
from tests.live import LiveServer
from tests.web.conftest import assert_accessible, image_loaded, new_context, shot, sign_in


def fresh(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def poster(server: LiveServer, session_client: tuple[str, str]) -> User:
    return make_user(server, session_client, prefix="poster")


@pytest.fixture(scope="module")
def voters(server: LiveServer, session_client: tuple[str, str]) -> list[User]:
    return [make_user(server, session_client, prefix="voter") for _ in range(2)]


_seed = [20_000]


def post(http: httpx.Client, who: User, title: str, **fields: str) -> str:
    """A new upload of who's, shared to the gallery with this title (and tags, community...)."""
    _seed[0] += 1
    image = upload(http, who.bearer, unique_jpeg(_seed[0] * 7919, 96, 64))
    share(http, who, image["id"], title=title, **fields)
    return str(image["id"])


def vote(http: httpx.Client, who: User, post_id: str, value: str = "up") -> None:
    assert envelope_ok(http.post(f"/3/gallery/{post_id}/vote/{value}", headers=who.bearer)) is True


def shown(page: Any) -> list[str]:
    """The posts of the page's listing, in order."""
    cards = page.locator("#posts > li")
    return [cards.nth(i).get_attribute("id").removeprefix("post-") for i in range(cards.count())]


@pytest.fixture
def signed_in(
    browser: Any, server: LiveServer, session_client: tuple[str, str]
) -> Iterator[tuple[Any, User]]:
    """A browser page signed in as a new account (made through the API)."""
    who = make_user(server, session_client, prefix="reader")
    ctx = new_context(browser, server)
    try:
        page = ctx.new_page()
        sign_in(page, who.name, who.password)
        yield page, who
    finally:
        ctx.close()


# ------------------------------------------------------------------------------------------- tags


@pytest.fixture(scope="module")
def tagged(http: httpx.Client, poster: User, voters: list[User]) -> tuple[str, list[str]]:
    """A new tag on three posts shared a second apart: the oldest with 2 points, the next with 1, the
    newest with none."""
    tag = fresh("cats")
    ids = []
    for n, title in enumerate(("Oldest cat", "Middle cat", "Newest cat")):
        if n:
            time.sleep(1.1)  # distinct share times: "time" and "viral" order by them
        ids.append(post(http, poster, title, tags=f"{tag},pets"))
    for v in voters:
        vote(http, v, ids[0])
    vote(http, voters[0], ids[1])
    return tag, ids


def test_tag_page_in_each_sort(page: Any, tagged: tuple[str, list[str]]) -> None:
    tag, (oldest, middle, newest) = tagged
    response = page.goto(f"/t/{tag}")
    assert response.status == 200
    assert page.locator("#tag-name").inner_text() == f"#{tag}"
    assert page.locator("#tag-total").inner_text() == "3 posts"
    assert page.locator("#tag-followers").inner_text() == "0 followers"
    # Popular (viral) is the default: points first; among equal points the newer post.
    assert shown(page) == [oldest, newest, middle]
    assert page.locator("#sort-links [aria-current]").inner_text() == "Popular"
    assert page.locator("#window-links").count() == 0
    card = page.locator(f"#post-{oldest}")
    assert "Oldest cat" in card.inner_text() and "2 points" in card.inner_text()
    assert card.locator("a.post-link").get_attribute("href") == f"/gallery/{oldest}"
    assert card.locator("img").get_attribute("src") == f"/{oldest}m.jpg"
    assert image_loaded(card.locator("img"))
    # Visitors are offered sign-in instead of the follow button.
    assert page.locator("#follow-form").count() == 0
    assert page.locator("#follow-sign-in").is_visible()
    shot(page, "tag-popular-signed-out")
    assert_accessible(page)

    page.locator("#sort-links").get_by_role("link", name="Newest").click()
    page.wait_for_url(f"**/t/{tag}?sort=time")
    assert shown(page) == [newest, middle, oldest]

    page.locator("#sort-links").get_by_role("link", name="Top").click()
    page.wait_for_url(f"**/t/{tag}?sort=top")
    assert shown(page) == [oldest, middle, newest]
    windows = page.locator("#window-links a")
    assert [windows.nth(i).inner_text() for i in range(windows.count())] == [
        "Day",
        "Week",
        "Month",
        "Year",
        "All time",
    ]
    assert page.locator("#window-links [aria-current]").inner_text() == "Week"  # the API's default
    page.locator("#window-links").get_by_role("link", name="Day").click()
    page.wait_for_url(f"**/t/{tag}?sort=top&window=day")
    assert shown(page) == [oldest, middle, newest]  # all three were shared within the day
    shot(page, "tag-top-day")
    assert_accessible(page)

    # Odd values fall back to the defaults, as the API's listings do.
    page.goto(f"/t/{tag.upper()}?sort=sideways&window=decade&page=x")
    assert shown(page) == [oldest, newest, middle]


def test_follow_and_unfollow_a_tag(
    signed_in: tuple[Any, User], tagged: tuple[str, list[str]], http: httpx.Client
) -> None:
    page, who = signed_in
    tag, _ = tagged
    page.goto(f"/t/{tag}")
    assert page.locator("#follow-sign-in").count() == 0
    assert_accessible(page)
    page.locator("#follow-tag").click()
    page.wait_for_url(f"**/t/{tag}")
    assert page.locator("#tag-followers").inner_text() == "1 follower"
    assert page.locator("#unfollow-tag").is_visible() and page.locator("#follow-tag").count() == 0
    info = envelope_ok(http.get(f"/3/gallery/tag_info/{tag}", headers=who.bearer))
    assert info["following"] is True and info["followers"] == 1
    shot(page, "tag-following")
    assert_accessible(page)

    page.locator("#unfollow-tag").click()
    page.wait_for_url(f"**/t/{tag}")
    assert page.locator("#tag-followers").inner_text() == "0 followers"
    assert page.locator("#follow-tag").is_visible()
    info = envelope_ok(http.get(f"/3/gallery/tag_info/{tag}", headers=who.bearer))
    assert info["following"] is False and info["followers"] == 0


def test_follow_needs_the_form_token(
    server: LiveServer, signed_in: tuple[Any, User], tagged: tuple[str, list[str]], http: httpx.Client
) -> None:
    page, who = signed_in
    tag, _ = tagged
    # The browser's own cookies, but no CSRF field: refused, and nothing followed.
    r = page.request.post(f"/t/{tag}/follow", form={"csrf_token": "not-the-token-at-all"})
    assert r.status == 403
    assert envelope_ok(http.get(f"/3/gallery/tag_info/{tag}", headers=who.bearer))["following"] is False
    # Signed out: no session to follow with.
    anon = httpx.post(f"{server.url}/t/{tag}/follow", data={"csrf_token": "x" * 20})
    assert anon.status_code == 403


def test_tag_pages_are_paged(page: Any, http: httpx.Client, poster: User) -> None:
    tag = fresh("paged")
    made = [post(http, poster, f"Paged {n}", tags=tag) for n in range(PER_PAGE + 1)]
    page.goto(f"/t/{tag}?sort=time")
    first = shown(page)
    assert len(first) == PER_PAGE
    assert page.locator(".pager [rel=prev]").count() == 0
    page.locator(".pager [rel=next]").click()
    page.wait_for_url(f"**/t/{tag}?sort=time&window=week&page=1")
    second = shown(page)
    assert len(second) == 1
    assert sorted(first + second) == sorted(made)
    assert page.locator(".pager [rel=next]").count() == 0  # nothing past the last post
    assert page.locator(".pager [rel=prev]").is_visible()
    assert_accessible(page)
    page.goto(f"/t/{tag}?sort=time&page=5")
    assert shown(page) == [] and page.locator("#no-posts").inner_text() == "No more posts."


def test_an_unknown_tag_is_not_found(page: Any) -> None:
    response = page.goto(f"/t/{fresh('nobody')}")
    assert response.status == 404
    assert page.locator("#error-title").inner_text() == "Nothing here"
    response = page.goto("/t/not%20a%20tag")
    assert response.status == 404


# ------------------------------------------------------------------------------------ communities


def test_community_page(
    page: Any,
    browser: Any,
    server: LiveServer,
    session_client: tuple[str, str],
    http: httpx.Client,
    poster: User,
    voters: list[User],
) -> None:
    name = fresh("aww")
    first = post(http, poster, "First in the community", community=name)
    time.sleep(1.1)
    second = post(http, poster, "Second in the community", community=f"r/{name.upper()}")
    elsewhere = post(http, poster, "In another community", community=fresh("other"))
    vote(http, voters[0], first)

    response = page.goto(f"/r/{name}")
    assert response.status == 200
    assert page.locator("#community-name").inner_text() == f"r/{name}"
    assert shown(page) == [second, first]  # newest first by default
    assert elsewhere not in shown(page)
    assert page.locator("#sort-links [aria-current]").inner_text() == "Newest"
    shot(page, "community-signed-out")
    assert_accessible(page)
    page.locator("#sort-links").get_by_role("link", name="Top").click()
    page.wait_for_url(f"**/r/{name}?sort=top")
    assert shown(page) == [first, second]
    assert page.locator("#window-links [aria-current]").inner_text() == "Week"

    page.goto(f"/r/{fresh('empty')}")
    assert shown(page) == [] and page.locator("#no-posts").inner_text() == "No posts yet."
    response = page.goto("/r/%21%21")  # cannot be a community's name: an empty one, as the API answers
    assert response.status == 200 and shown(page) == []

    ctx = new_context(browser, server)
    try:
        signed = ctx.new_page()
        reader = make_user(server, session_client, prefix="comm")
        sign_in(signed, reader.name, reader.password)
        signed.goto(f"/r/{name}")
        assert shown(signed) == [second, first]
        shot(signed, "community-signed-in")
        assert_accessible(signed)
    finally:
        ctx.close()


# --------------------------------------------------------------------------------------- profile


def test_profile_shows_gallery_rows_and_reputation(
    browser: Any, server: LiveServer, session_client: tuple[str, str], http: httpx.Client, voters: list[User]
) -> None:
    who = make_user(server, session_client, prefix="prof")
    other = make_user(server, session_client, prefix="profo")
    posted = post(http, who, "My gallery post")
    theirs = post(http, other, "Their post I like")
    assert envelope_ok(http.post(f"/3/gallery/{theirs}/favorite", headers=who.bearer)) == "favorited"
    comment = envelope_ok(
        http.post(
            "/3/comment", headers=who.bearer, data={"image_id": theirs, "comment": "What a view.\nWow."}
        )
    )["id"]
    vote(http, voters[0], posted, "down")

    page_ctx = new_context(browser, server)
    try:
        page = page_ctx.new_page()
        page.goto(f"/user/{who.name}")
        # One point down on the account's post: below zero is Imgur's lowest tier.
        assert page.locator("#reputation-points").inner_text() == "-1 point"
        assert page.locator("#reputation-name").inner_text() == "Forever Alone"
        posts = page.locator("#gallery-posts > li")
        assert posts.count() == 1 and "My gallery post" in posts.inner_text()
        assert posts.locator("a.post-link").get_attribute("href") == f"/gallery/{posted}"
        favourites = page.locator("#gallery-favorites > li")
        assert favourites.count() == 1 and "Their post I like" in favourites.inner_text()
        comments = page.locator("#comments > li")
        assert comments.count() == 1
        assert comments.locator(".comment-body").inner_text() == "What a view.\nWow."
        link = comments.locator("a.comment-post")
        assert link.inner_text() == "Their post I like"
        assert link.get_attribute("href") == f"/gallery/{theirs}#c{comment}"
        assert "(1)" in page.locator("#posts-title").inner_text()
        assert "(1)" in page.locator("#comments-title").inner_text()
        shot(page, "profile-gallery-rows")
        assert_accessible(page)

        # Two points up on the comment: 1 in all, Neutral.
        for v in voters:
            assert envelope_ok(http.post(f"/3/comment/{comment}/vote/up", headers=v.bearer)) is True
        page.goto(f"/user/{who.name}")
        assert page.locator("#reputation-points").inner_text() == "1 point"
        assert page.locator("#reputation-name").inner_text() == "Neutral"

        # An account with nothing in the gallery says so.
        page.goto(f"/user/{voters[1].name}")
        assert page.locator("#reputation-points").inner_text() == "0 points"
        assert page.locator("#no-posts").is_visible()
        assert page.locator("#no-favorites").is_visible() and page.locator("#no-comments").is_visible()
        assert_accessible(page)
    finally:
        page_ctx.close()

    ctx = new_context(browser, server)
    try:
        page = ctx.new_page()
        sign_in(page, who.name, who.password)
        page.goto(f"/user/{who.name}")
        assert page.locator("#gallery-posts > li").count() == 1
        assert page.locator("#comments > li").count() == 1
        shot(page, "profile-gallery-rows-owner")
        assert_accessible(page)
    finally:
        ctx.close()


# ----------------------------------------------------------------------------------------- search


def word() -> str:
    """A word no other post has: letters only, one token for both databases' text search."""
    return "".join(random.choice(string.ascii_lowercase) for _ in range(14))


@pytest.fixture(scope="module")
def searchable(http: httpx.Client, poster: User, voters: list[User]) -> tuple[str, str, str, str]:
    """(word, tag, striped, spotted): two posts with the word in their titles, a second apart; the older
    one upvoted, the newer one tagged."""
    w, tag = word(), fresh("spots")
    striped = post(http, poster, f"{w} striped horse")
    time.sleep(1.1)
    spotted = post(http, poster, f"{w} spotted cat", tags=tag)
    vote(http, voters[0], striped)
    return w, tag, striped, spotted


def test_search_with_the_query_syntax(page: Any, searchable: tuple[str, str, str, str]) -> None:
    w, tag, striped, spotted = searchable
    response = page.goto("/search")
    assert response.status == 200
    assert page.locator("#posts").count() == 0 and page.locator("#results-heading").count() == 0
    assert not page.locator("#advanced").evaluate("d => d.open")
    assert_accessible(page)
    page.get_by_label("Search for").fill(w)
    page.get_by_label("Search for").press("Enter")
    page.wait_for_url(f"**/search?q={w}")
    assert shown(page) == [spotted, striped]  # newest first, as the API's search sorts by default
    assert page.locator("#sort-links [aria-current]").inner_text() == "Newest"
    shot(page, "search-simple")
    assert_accessible(page)
    page.locator("#sort-links").get_by_role("link", name="Top").click()
    page.wait_for_url(f"**/search?q={w}&sort=top")
    assert shown(page) == [striped, spotted]
    assert page.locator("#window-links [aria-current]").inner_text() == "All time"
    # A new search from a sorted page keeps the sort.
    page.get_by_label("Search for").fill(f"{w} NOT striped")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/search?q=*")
    assert shown(page) == [spotted]
    assert page.locator("#sort-links [aria-current]").inner_text() == "Top"

    for q, expected in (
        (f'"{w} striped"', [striped]),
        (f"{w} OR nosuchword{w}", [spotted, striped]),
        (f"tag:{tag}", [spotted]),
        (f"title:{w} tag:{tag}", [spotted]),
        (f"{w} album:true", []),
    ):
        page.goto("/search?" + urlencode({"q": q}))
        assert shown(page) == expected, q
        assert page.get_by_label("Search for").input_value() == q
    assert page.locator("#no-posts").inner_text() == "Nothing matches this search."


def test_advanced_search_form(page: Any, searchable: tuple[str, str, str, str]) -> None:
    w, _, striped, spotted = searchable
    page.goto("/search?" + urlencode({"q": w}))
    assert shown(page) == [spotted, striped]
    page.locator("#advanced summary").click()
    page.get_by_label("All of these words").fill(w)
    page.get_by_label("None of these words").fill("spotted")
    shot(page, "search-advanced-form")
    assert_accessible(page)
    page.get_by_role("button", name="Search with these fields").click()
    page.wait_for_url("**/search?q_all=*")
    assert shown(page) == [striped]
    assert page.locator("#advanced").evaluate("d => d.open")
    assert page.get_by_label("None of these words").input_value() == "spotted"
    # The advanced fields win over the box, as in the API.
    page.goto("/search?" + urlencode({"q": "nosuchword", "q_all": w, "q_not": "spotted"}))
    assert shown(page) == [striped]

    page.goto("/search?" + urlencode({"q_exactly": "spotted cat", "q_all": w}))
    assert shown(page) == [spotted]
    page.goto("/search?" + urlencode({"q_all": w, "q_type": "album"}))
    assert shown(page) == []
    assert page.get_by_label("Type").input_value() == "album"
    page.goto("/search?" + urlencode({"q_all": w, "q_type": "jpg", "q_size_px": "small"}))
    assert shown(page) == [spotted, striped]  # 96 x 64 JPEGs
    page.goto("/search?" + urlencode({"q_all": w, "q_size_px": "huge"}))
    assert shown(page) == []

    # What cannot be searched says why, on the page, with the form to try again.
    response = page.goto("/search?" + urlencode({"q_type": "bogus"}))
    assert response.status == 400
    assert "q_type" in page.locator("#search-error").inner_text()
    assert page.locator("#search-form").is_visible() and page.locator("#posts").count() == 0
    assert_accessible(page)


def test_search_signed_in(signed_in: tuple[Any, User], searchable: tuple[str, str, str, str]) -> None:
    page, _ = signed_in
    w, tag, _, spotted = searchable
    page.goto("/search?" + urlencode({"q": f"{w} tag:{tag}"}))
    assert shown(page) == [spotted]
    shot(page, "search-signed-in")
    assert_accessible(page)
