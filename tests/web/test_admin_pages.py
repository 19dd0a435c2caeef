"""The moderation queue /admin/reports: people report a post and a comment through the API, an admin
(given the role by the operator's `imghost user admin`) reviews them in the browser, dismisses one,
bans the author (whose writes through the API are refused from then on), lifts the ban and removes the
post. Visitors are sent to sign in; other accounts get a 403 page.

The servers of one run share a database on the second backend, so the queue may hold other tests'
reports: the items here are found by their ids, page by page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.accounts.helpers import User, make_user
from tests.api.helpers import envelope_error, envelope_ok, unique_jpeg, upload
from tests.community.gallery_helpers import share
from tests.live import LiveServer
from tests.web.conftest import assert_accessible, image_loaded, new_context, shot, sign_in

BANNED = "This account is banned from posting"


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def new_admin(server: LiveServer, creds: tuple[str, str]) -> User:
    who = make_user(server, creds, prefix="admin")
    out = server.cli("user", "admin", who.name)
    assert who.name in out.stdout, out.stdout
    return who


_seed = [41_000]


def post(http: httpx.Client, who: User, title: str) -> str:
    _seed[0] += 1
    image = upload(http, who.bearer, unique_jpeg(_seed[0] * 104_729, 96, 64))
    share(http, who, image["id"], title=title)
    return str(image["id"])


def comment(http: httpx.Client, who: User, post_id: str, text: str) -> httpx.Response:
    return http.post("/3/comment", headers=who.bearer, data={"image_id": post_id, "comment": text})


def report(http: httpx.Client, who: User, path: str, reason: int) -> None:
    assert envelope_ok(http.post(path, headers=who.bearer, data={"reason": str(reason)})) is True


def find(page: Any, selector: str) -> Any:
    """The queue's entry matching selector, walking its pages from the first."""
    page.goto("/admin/reports")
    for _ in range(200):
        entry = page.locator(selector)
        if entry.count():
            return entry
        older = page.locator(".pager [rel=next]")
        if not older.count():
            break
        older.click()
        page.wait_for_load_state()
    raise AssertionError(f"{selector} is not in the queue")


def absent(page: Any, selector: str) -> bool:
    try:
        find(page, selector)
    except AssertionError:
        return True
    return False


@pytest.fixture
def admin_page(
    browser: Any, server: LiveServer, session_client: tuple[str, str]
) -> Iterator[tuple[Any, User]]:
    admin = new_admin(server, session_client)
    ctx = new_context(browser, server)
    try:
        page = ctx.new_page()
        sign_in(page, admin.name, admin.password)
        yield page, admin
    finally:
        ctx.close()


def test_visitors_sign_in_first_and_others_are_refused(
    browser: Any, server: LiveServer, session_client: tuple[str, str]
) -> None:
    ctx = new_context(browser, server)
    try:
        page = ctx.new_page()
        page.goto("/admin/reports")
        page.wait_for_url("**/signin?next=/admin/reports")
        assert_accessible(page)
        someone = make_user(server, session_client, prefix="plain")
        page.get_by_label("Username").fill(someone.name)
        page.get_by_label("Password").fill(someone.password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/admin/reports")
        response = page.goto("/admin/reports")
        assert response.status == 403
        assert page.locator("#error-message").inner_text() == "This method requires an admin account"
        assert page.locator("#reports").count() == 0
        shot(page, "admin-reports-not-admin")
        assert_accessible(page)
        # Nor may such an account use the queue's forms.
        csrf = page.locator("meta[name=csrf-token]").get_attribute("content")
        r = page.request.post(f"/admin/accounts/{someone.name}/ban", form={"csrf_token": csrf})
        assert r.status == 403
    finally:
        ctx.close()
    anon = httpx.post(f"{server.url}/admin/reports/1/resolve", data={"resolution": "dismiss"})
    assert anon.status_code == 403


def test_an_admin_reviews_reports_and_bans_the_author(
    admin_page: tuple[Any, User], server: LiveServer, session_client: tuple[str, str], http: httpx.Client
) -> None:
    page, _ = admin_page
    author, reporter, second = (
        make_user(server, session_client, prefix=p) for p in ("author", "rep", "reptwo")
    )
    post_id = post(http, author, "A post people report")
    comment_id = envelope_ok(comment(http, author, post_id, "A comment people report"))["id"]
    report(http, reporter, f"/3/gallery/{post_id}/report", 2)
    report(http, second, f"/3/gallery/image/{post_id}/report", 3)
    report(http, reporter, f"/3/comment/{comment_id}/report", 1)

    entry = find(page, f"li[data-kind=post][data-post='{post_id}']")
    text = entry.inner_text()
    assert "A post people report" in text
    assert "2 open reports" in entry.locator(".report-count").inner_text()
    reasons = entry.locator(".report-reasons").inner_text()
    assert "spam" in reasons and "abusive" in reasons
    reporters = entry.locator(".report-reporters a")
    assert sorted(reporters.nth(i).inner_text() for i in range(reporters.count())) == sorted(
        [reporter.name, second.name]
    )
    assert entry.locator(".report-author").inner_text() == author.name
    assert entry.locator("a.report-link").get_attribute("href") == f"/gallery/{post_id}"
    thumb = entry.locator(".report-thumb img")
    assert thumb.get_attribute("src") == f"/{post_id}b.jpg"
    assert image_loaded(thumb)
    shot(page, "admin-reports")
    assert_accessible(page)

    # The author is banned from the queue: the account reads, but its writes are refused.
    entry.get_by_role("button", name=f"Ban {author.name}").click()
    page.wait_for_url("**/admin/reports?done=banned**")
    assert "Banned" in page.locator("#admin-notice").inner_text()
    assert envelope_error(comment(http, author, post_id, "after the ban"), 403)["error"] == BANNED
    refused = http.post("/3/upload", headers=author.bearer, files={"image": ("p.jpg", unique_jpeg(41_999))})
    assert refused.status_code == 403, refused.text
    assert envelope_ok(http.get(f"/3/account/{author.name}", headers=author.bearer))["url"] == author.name
    entry = find(page, f"li[data-kind=post][data-post='{post_id}']")
    assert entry.locator(".badge.banned").is_visible()
    shot(page, "admin-reports-banned")
    assert_accessible(page)

    # The comment's report is dismissed: it leaves the queue, the comment stays.
    entry = find(page, f"li[data-comment='{comment_id}']")
    assert "A comment people report" in entry.inner_text() and "doesn't belong" in entry.inner_text()
    entry.get_by_role("button", name="Dismiss").click()
    page.wait_for_url("**/admin/reports?done=dismissed**")
    assert absent(page, f"li[data-comment='{comment_id}']")
    assert envelope_ok(http.get(f"/3/comment/{comment_id}", headers=reporter.bearer))["deleted"] is False

    # The ban is lifted, then the post is removed from the gallery (the image stays).
    entry = find(page, f"li[data-kind=post][data-post='{post_id}']")
    entry.get_by_role("button", name=f"Unban {author.name}").click()
    page.wait_for_url("**/admin/reports?done=unbanned**")
    assert envelope_ok(comment(http, author, post_id, "after the ban was lifted"))["id"] > 0
    entry = find(page, f"li[data-kind=post][data-post='{post_id}']")
    entry.get_by_role("button", name="Remove post").click()
    page.wait_for_url("**/admin/reports?done=removed**")
    assert "Removed" in page.locator("#admin-notice").inner_text()
    assert absent(page, f"li[data-kind=post][data-post='{post_id}']")
    envelope_error(http.get(f"/3/gallery/{post_id}", headers=reporter.bearer), 404)
    assert envelope_ok(http.get(f"/3/image/{post_id}", headers=author.bearer))["id"] == post_id


def test_an_admin_removes_a_reported_comment(
    admin_page: tuple[Any, User], server: LiveServer, session_client: tuple[str, str], http: httpx.Client
) -> None:
    page, _ = admin_page
    author, reporter = (make_user(server, session_client, prefix=p) for p in ("cauthor", "crep"))
    post_id = post(http, author, "A post with a bad comment")
    comment_id = envelope_ok(comment(http, reporter, post_id, "spam spam spam"))["id"]
    report(http, author, f"/3/comment/{comment_id}/report", 2)
    entry = find(page, f"li[data-comment='{comment_id}']")
    assert "On A post with a bad comment" in entry.inner_text()
    entry.get_by_role("button", name="Remove comment").click()
    page.wait_for_url("**/admin/reports?done=removed**")
    assert absent(page, f"li[data-comment='{comment_id}']")
    envelope_error(http.get(f"/3/comment/{comment_id}", headers=author.bearer), 404)
    assert envelope_ok(http.get(f"/3/gallery/{post_id}", headers=author.bearer))["comment_count"] == 0
