"""Reports of posts and comments (§3.4, §3.5) and their review, on a server that hides an item at two
open reports from distinct accounts (IMGHOST_REPORT_HIDE_THRESHOLD=2), so that a report counted twice
would show at once.

Every route is driven over raw HTTP (and through imgurpython's report calls); the queue is read back
through the admin API and the operator's CLI, and the counts straight from the database."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import imgurpython
import pytest

from tests.accounts.helpers import INVALID_TOKEN, User, db_rows, make_user
from tests.clients.conftest import imgurpython_at, sent_requests  # noqa: F401  (fixtures)
from tests.community.moderation_helpers import (
    NEEDS_USER,
    REASONS,
    comment_on,
    envelope_error,
    envelope_ok,
    in_listing,
    new_admin,
    queue,
    report,
    reported,
    reports_of,
    shared_album,
    shared_image,
    upload,
)
from tests.live import UNLIMITED, LiveServer, free_port, start_server

BAD_REASON = (
    "A report's reason is 1 (doesn't belong), 2 (spam), 3 (abusive), 4 (mature not marked) or 5 (pornography)"
)
LISTINGS = ("/3/gallery/hot/viral/day", "/3/gallery/user/time")


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    s = start_server(
        tmp_path_factory.mktemp("imghost-reports"),
        port=free_port(),
        extra_env={**UNLIMITED, "IMGHOST_REPORT_HIDE_THRESHOLD": "2"},
    )
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def app(srv: LiveServer) -> tuple[str, str]:
    return srv.create_client("reports")


@pytest.fixture
def http(srv: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=srv.url, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def admin(srv: LiveServer, app: tuple[str, str]) -> User:
    return new_admin(srv, app)


@pytest.fixture
def person(srv: LiveServer, app: tuple[str, str]) -> Callable[[str], User]:
    return lambda prefix="u": make_user(srv, app, prefix=prefix)


@pytest.fixture
def owner(person: Callable[[str], User]) -> User:
    return person("own")


@pytest.fixture
def reporter(person: Callable[[str], User]) -> User:
    return person("rep")


def client_id(app: tuple[str, str]) -> dict[str, str]:
    return {"Authorization": f"Client-ID {app[0]}"}


def counts(srv: LiveServer, *, post: str | None = None, comment: int | None = None) -> tuple[int, bool]:
    """(reports_open, hidden) of a post or a comment, from the database."""
    if comment is not None:
        rows = db_rows(srv, "SELECT reports_open, hidden FROM comments WHERE id = ?", (comment,))
    else:
        rows = db_rows(srv, "SELECT reports_open, hidden FROM gallery_posts WHERE id = ?", (post,))
    assert len(rows) == 1, rows
    return int(rows[0][0]), bool(rows[0][1])


def listed(http: httpx.Client, app: tuple[str, str], post_id: str) -> list[bool]:
    return [in_listing(http, client_id(app), path, post_id) for path in LISTINGS]


def comment_ids(http: httpx.Client, app: tuple[str, str], post_id: str) -> set[int]:
    """Every comment id in a post's comment trees, as anyone reads them."""
    found: set[int] = set()
    todo = list(envelope_ok(http.get(f"/3/gallery/{post_id}/comments", headers=client_id(app))))
    while todo:
        c = todo.pop()
        found.add(c["id"])
        todo.extend(c["children"])
    return found


# ---------------------------------------------------------------------------------------- filing


def test_every_kind_of_item_with_every_reason(
    srv: LiveServer, http: httpx.Client, owner: User, reporter: User, admin: User
) -> None:
    before = int(time.time()) - 1
    filed: list[tuple[str, str, int | None, int]] = []  # (kind, post id, comment id, reason)
    for code in REASONS:
        old_form = shared_image(http, owner)["id"]
        image = shared_image(http, owner)["id"]
        album = shared_album(http, owner)["id"]
        cid = comment_on(http, owner, image, f"comment for reason {code}")
        reported(http, reporter, f"/3/gallery/{old_form}/report", code)
        reported(http, reporter, f"/3/gallery/image/{image}/report", code)
        reported(http, reporter, f"/3/gallery/album/{album}/report", code)
        reported(http, reporter, f"/3/comment/{cid}/report", code)
        filed += [("post", old_form, None, code), ("post", image, None, code), ("post", album, None, code)]
        filed.append(("comment", image, cid, code))
    every = list(queue(http, admin, "open"))
    after = int(time.time()) + 1
    for kind, post_id, cid, code in filed:
        mine = [r for r in every if r["post_id"] == post_id and r["comment_id"] == cid]
        assert len(mine) == 1, (kind, post_id, cid, mine)
        r = mine[0]
        assert r["kind"] == kind and r["reason"] == code and r["reason_name"] == REASONS[code], r
        assert (r["reporter"], r["reporter_id"]) == (reporter.name, reporter.id), r
        assert (r["status"], r["resolution"], r["resolved_by"], r["resolved_at"]) == (
            "open",
            None,
            None,
            None,
        )
        assert r["link"] == f"{srv.url}/gallery/{post_id}"
        assert before <= r["datetime"] <= after
        text = f"comment for reason {code}" if cid else f"post {post_id}"
        assert r["item"] == {"text": text, "author": owner.name, "reports_open": 1, "hidden": False}, r
        assert counts(srv, post=None if cid else post_id, comment=cid) == (1, False)
    # The open queue comes oldest first.
    ids = [r["id"] for r in every]
    assert ids == sorted(ids)


def test_a_report_without_a_reason_is_filed_as_doesnt_belong(
    srv: LiveServer,
    app: tuple[str, str],
    http: httpx.Client,
    owner: User,
    reporter: User,
    admin: User,
    imgurpython_at: Callable[[str], None],  # noqa: F811
) -> None:
    post = shared_image(http, owner)["id"]
    reported(http, reporter, f"/3/gallery/{post}/report")
    assert [r["reason"] for r in reports_of(http, admin, post=post)] == [1]
    # imgurpython's report calls send no reason at all.
    imgurpython_at(srv.url)
    client = imgurpython.ImgurClient(app[0], app[1], reporter.access_token, reporter.refresh_token)
    post2 = shared_image(http, owner)["id"]
    cid = comment_on(http, owner, post2)
    assert client.report_gallery_item(post2) is True
    assert client.comment_report(cid) is True
    assert [(r["reason"], r["reporter"]) for r in reports_of(http, admin, post=post2)] == [(1, reporter.name)]
    assert [(r["reason"], r["kind"]) for r in reports_of(http, admin, comment=cid)] == [(1, "comment")]


@pytest.mark.parametrize("reason", ["0", "6", "-1", "2.5", "spam", "１", "99999999999999999999999", "1,2"])
def test_other_reasons_are_refused(
    srv: LiveServer, http: httpx.Client, owner: User, reporter: User, admin: User, reason: str
) -> None:
    post = shared_image(http, owner)["id"]
    album = shared_album(http, owner)["id"]
    cid = comment_on(http, owner, post)
    for path in (
        f"/3/gallery/{post}/report",
        f"/3/gallery/image/{post}/report",
        f"/3/gallery/album/{album}/report",
        f"/3/comment/{cid}/report",
    ):
        err = envelope_error(report(http, reporter.bearer, path, reason), 400)
        assert err == {"error": BAD_REASON, "request": path, "method": "POST"}
    # Also as JSON (PyImgur's encoding), where a number stays a number.
    r = http.post(f"/3/gallery/{post}/report", headers=reporter.bearer, json={"reason": 7})
    assert envelope_error(r, 400)["error"] == BAD_REASON
    assert reports_of(http, admin, post=post) == reports_of(http, admin, post=album) == []
    assert reports_of(http, admin, comment=cid) == []
    assert counts(srv, post=post) == counts(srv, post=album) == counts(srv, comment=cid) == (0, False)


def test_a_json_reason_is_accepted(http: httpx.Client, owner: User, reporter: User, admin: User) -> None:
    post = shared_image(http, owner)["id"]
    assert (
        envelope_ok(http.post(f"/3/gallery/{post}/report", headers=reporter.bearer, json={"reason": 4}))
        is True
    )
    assert [r["reason"] for r in reports_of(http, admin, post=post)] == [4]


def test_only_signed_in_accounts_report(
    srv: LiveServer, app: tuple[str, str], http: httpx.Client, owner: User, admin: User
) -> None:
    post = shared_image(http, owner)["id"]
    album = shared_album(http, owner)["id"]
    cid = comment_on(http, owner, post)
    paths = [
        f"/3/gallery/{post}/report",
        f"/3/gallery/image/{post}/report",
        f"/3/gallery/album/{album}/report",
        f"/3/comment/{cid}/report",
    ]
    bogus = {"Authorization": "Bearer 0123456789abcdef0123456789abcdef01234567"}
    for path in paths:
        assert envelope_error(report(http, {}, path, 2), 401)["error"] == "Authentication required"
        assert envelope_error(report(http, client_id(app), path, 2), 403)["error"] == NEEDS_USER
        assert envelope_error(report(http, bogus, path, 2), 403)["error"] == INVALID_TOKEN
    assert reports_of(http, admin, post=post) == reports_of(http, admin, post=album) == []
    assert reports_of(http, admin, comment=cid) == []


def test_what_is_not_in_the_gallery_cannot_be_reported(
    http: httpx.Client, owner: User, reporter: User
) -> None:
    post = shared_image(http, owner)["id"]
    album = shared_album(http, owner)["id"]
    unshared = upload(http, owner.bearer)["id"]
    cases = {
        f"/3/gallery/{unshared}/report": f"Unable to find a gallery item with the id, {unshared}",
        f"/3/gallery/image/{unshared}/report": f"Unable to find a gallery item with the id, {unshared}",
        f"/3/gallery/image/{album}/report": f"Unable to find a gallery item with the id, {album}",
        f"/3/gallery/album/{post}/report": f"Unable to find a gallery item with the id, {post}",
        "/3/gallery/nosuch1/report": "Unable to find a gallery item with the id, nosuch1",
        "/3/comment/987654321987/report": "Unable to find a comment with the id, 987654321987",
        "/3/comment/abc/report": "Unable to find a comment with the id, abc",
        "/3/comment/99999999999999999999999999/report": (
            "Unable to find a comment with the id, 99999999999999999999999999"
        ),
    }
    for path, message in cases.items():
        assert envelope_error(report(http, reporter.bearer, path, 1), 404)["error"] == message, path


def test_a_deleted_comment_cannot_be_reported(http: httpx.Client, owner: User, reporter: User) -> None:
    post = shared_image(http, owner)["id"]
    parent = comment_on(http, owner, post, "parent")
    envelope_ok(
        http.post(f"/3/comment/{parent}", headers=owner.bearer, data={"image_id": post, "comment": "reply"})
    )
    # Deleted with a reply, it stays in the tree as deleted: still nothing to report.
    assert envelope_ok(http.delete(f"/3/comment/{parent}", headers=owner.bearer)) is True
    err = envelope_error(report(http, reporter.bearer, f"/3/comment/{parent}/report", 2), 404)
    assert err["error"] == f"Unable to find a comment with the id, {parent}"


def test_a_second_report_is_accepted_and_counted_once(
    srv: LiveServer, app: tuple[str, str], http: httpx.Client, owner: User, reporter: User, admin: User
) -> None:
    post = shared_image(http, owner)["id"]
    cid = comment_on(http, owner, post)
    for reason in (2, 3, 2):
        reported(http, reporter, f"/3/gallery/{post}/report", reason)
        reported(http, reporter, f"/3/gallery/image/{post}/report", reason)
        reported(http, reporter, f"/3/comment/{cid}/report", reason)
    # One report each, the first one; at a threshold of two, counting twice would have hidden them.
    assert [(r["reason"], r["status"]) for r in reports_of(http, admin, post=post)] == [(2, "open")]
    assert [(r["reason"], r["status"]) for r in reports_of(http, admin, comment=cid)] == [(2, "open")]
    assert counts(srv, post=post) == counts(srv, comment=cid) == (1, False)
    assert listed(http, app, post) == [True, True]
    assert cid in comment_ids(http, app, post)


# ----------------------------------------------------------------------------- hiding, review


def test_two_reporters_hide_a_post_until_an_admin_dismisses(
    srv: LiveServer,
    app: tuple[str, str],
    http: httpx.Client,
    owner: User,
    person: Callable[[str], User],
    admin: User,
) -> None:
    first, second, third = person("ra"), person("rb"), person("rc")
    post = shared_image(http, owner)["id"]
    assert listed(http, app, post) == [True, True]
    reported(http, first, f"/3/gallery/{post}/report", 2)
    assert listed(http, app, post) == [True, True]
    assert counts(srv, post=post) == (1, False)
    reported(http, second, f"/3/gallery/image/{post}/report", 3)
    assert counts(srv, post=post) == (2, True)
    assert listed(http, app, post) == [False, False]
    # Out of the listings, still there for whoever has its link.
    for path in (f"/3/gallery/{post}", f"/3/gallery/image/{post}"):
        assert envelope_ok(http.get(path, headers=client_id(app)))["id"] == post
    queued = reports_of(http, admin, post=post, status="open")
    assert [r["reporter"] for r in queued] == [first.name, second.name]
    assert all(r["item"]["hidden"] is True and r["item"]["reports_open"] == 2 for r in queued)

    before = int(time.time()) - 1
    r = http.post(
        f"/3/admin/reports/{queued[1]['id']}/resolve", headers=admin.bearer, data={"resolution": "dismiss"}
    )
    assert envelope_ok(r) == 2
    assert counts(srv, post=post) == (0, False)
    assert listed(http, app, post) == [True, True]
    done = reports_of(http, admin, post=post)
    assert {(d["status"], d["resolution"], d["resolved_by"]) for d in done} == {
        ("resolved", "dismiss", admin.name)
    }
    assert all(before <= d["resolved_at"] <= time.time() + 1 for d in done)
    assert reports_of(http, admin, post=post, status="open") == []
    assert {d["id"] for d in reports_of(http, admin, post=post, status="resolved")} == {d["id"] for d in done}
    again = http.post(
        f"/3/admin/reports/{queued[0]['id']}/resolve", headers=admin.bearer, data={"resolution": "dismiss"}
    )
    assert envelope_error(again, 409)["error"] == "This report is already resolved"

    # Reviewed, it can be reported again; the count starts from zero.
    reported(http, third, f"/3/gallery/{post}/report", 1)
    reported(http, first, f"/3/gallery/{post}/report", 1)
    assert counts(srv, post=post) == (2, True)
    assert listed(http, app, post) == [False, False]


def test_an_admin_removes_a_reported_post(
    srv: LiveServer, app: tuple[str, str], http: httpx.Client, owner: User, reporter: User, admin: User
) -> None:
    image = shared_image(http, owner)["id"]
    album = shared_album(http, owner)["id"]
    for post in (image, album):
        reported(http, reporter, f"/3/gallery/{post}/report", 5)
        rid = reports_of(http, admin, post=post)[0]["id"]
        r = http.post(f"/3/admin/reports/{rid}/resolve", headers=admin.bearer, data={"resolution": "remove"})
        assert envelope_ok(r) == 1
        err = envelope_error(http.get(f"/3/gallery/{post}", headers=client_id(app)), 404)
        assert err["error"] == f"Unable to find a gallery item with the id, {post}"
        # The post goes, with its reports; the image or album stays, out of the gallery.
        assert reports_of(http, admin, post=post) == []
        assert listed(http, app, post) == [False, False]
    assert envelope_ok(http.get(f"/3/image/{image}", headers=client_id(app)))["in_gallery"] is False
    assert envelope_ok(http.get(f"/3/album/{album}", headers=client_id(app)))["in_gallery"] is False


def test_resolutions_other_than_dismiss_or_remove_are_refused(
    srv: LiveServer, http: httpx.Client, owner: User, reporter: User, admin: User
) -> None:
    post = shared_image(http, owner)["id"]
    reported(http, reporter, f"/3/gallery/{post}/report", 2)
    rid = reports_of(http, admin, post=post)[0]["id"]
    for data in ({}, {"resolution": "delete"}, {"resolution": ""}):
        r = http.post(f"/3/admin/reports/{rid}/resolve", headers=admin.bearer, data=data)
        assert envelope_error(r, 400)["error"] == "A resolution is dismiss or remove"
    for missing in ("999999999", "abc"):
        r = http.post(
            f"/3/admin/reports/{missing}/resolve", headers=admin.bearer, data={"resolution": "dismiss"}
        )
        assert envelope_error(r, 404)["error"] == f"Unable to find a report with the id, {missing}"
    assert [r["status"] for r in reports_of(http, admin, post=post)] == ["open"]
    one = envelope_ok(http.get(f"/3/admin/reports/{rid}", headers=admin.bearer))
    assert one == reports_of(http, admin, post=post)[0]


def test_comments_hide_at_the_threshold_and_come_back_when_dismissed(
    srv: LiveServer,
    app: tuple[str, str],
    http: httpx.Client,
    owner: User,
    person: Callable[[str], User],
    admin: User,
) -> None:
    first, second = person("ca"), person("cb")
    post = shared_image(http, owner)["id"]
    cid = comment_on(http, owner, post, "reported comment")
    kept = comment_on(http, owner, post, "another comment")
    reported(http, first, f"/3/comment/{cid}/report", 3)
    assert comment_ids(http, app, post) == {cid, kept}
    reported(http, second, f"/3/comment/{cid}/report", 3)
    assert counts(srv, comment=cid) == (2, True)
    assert comment_ids(http, app, post) == {kept}
    # Asked for by its id, it is still there.
    assert envelope_ok(http.get(f"/3/comment/{cid}", headers=client_id(app)))["id"] == cid
    rid = reports_of(http, admin, comment=cid)[0]["id"]
    out = srv.cli("reports", "resolve", str(rid))
    assert f"comment {cid} dismissed" in out.stdout and "2 open report(s) closed" in out.stdout, out.stdout
    assert counts(srv, comment=cid) == (0, False)
    assert comment_ids(http, app, post) == {cid, kept}
    # The operator names no admin.
    assert {(r["resolution"], r["resolved_by"]) for r in reports_of(http, admin, comment=cid)} == {
        ("dismiss", None)
    }


def test_removing_a_comment_through_the_cli_and_the_api(
    srv: LiveServer, app: tuple[str, str], http: httpx.Client, owner: User, reporter: User, admin: User
) -> None:
    post = shared_image(http, owner)["id"]
    alone = comment_on(http, owner, post, "alone")
    parent = comment_on(http, owner, post, "parent")
    reply = envelope_ok(
        http.post(f"/3/comment/{parent}", headers=owner.bearer, data={"image_id": post, "comment": "reply"})
    )["id"]
    assert envelope_ok(http.get(f"/3/gallery/{post}", headers=client_id(app)))["comment_count"] == 3
    for cid in (alone, parent):
        reported(http, reporter, f"/3/comment/{cid}/report", 2)
    rid = reports_of(http, admin, comment=alone)[0]["id"]
    out = srv.cli("reports", "resolve", str(rid), "--remove")
    assert f"comment {alone} removed" in out.stdout, out.stdout
    # Without replies it goes, its reports with it.
    assert envelope_error(http.get(f"/3/comment/{alone}", headers=client_id(app)), 404)
    assert reports_of(http, admin, comment=alone) == []
    # With a reply, it stays in the tree as deleted; its report is closed as removed.
    rid = reports_of(http, admin, comment=parent)[0]["id"]
    r = http.post(f"/3/admin/reports/{rid}/resolve", headers=admin.bearer, data={"resolution": "remove"})
    assert envelope_ok(r) == 1
    got = envelope_ok(http.get(f"/3/comment/{parent}", headers=client_id(app)))
    assert got["deleted"] is True and [c["id"] for c in got["children"]] == [reply]
    assert [
        (r["status"], r["resolution"], r["resolved_by"]) for r in reports_of(http, admin, comment=parent)
    ] == [("resolved", "remove", admin.name)]
    assert envelope_ok(http.get(f"/3/gallery/{post}", headers=client_id(app)))["comment_count"] == 1
    assert comment_ids(http, app, post) == {parent, reply}


# ------------------------------------------------------------------------------------ the CLI


def test_the_queue_from_the_cli(
    srv: LiveServer, app: tuple[str, str], http: httpx.Client, owner: User, person: Callable[[str], User]
) -> None:
    first, second = person("qa"), person("qb")
    dismissed = shared_image(http, owner)["id"]
    removed = shared_image(http, owner)["id"]
    for who in (first, second):
        reported(http, who, f"/3/gallery/{dismissed}/report", 4)
    reported(http, first, f"/3/gallery/{removed}/report", 5)

    def listing(*flags: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        page = 0
        while True:
            got = json.loads(srv.cli("reports", "list", "--json", "--page", str(page), *flags).stdout)
            rows += got
            if not got:
                return rows
            page += 1

    open_rows = [r for r in listing() if r["post_id"] in (dismissed, removed)]
    assert [(r["post_id"], r["reporter"], r["reason"], r["reason_name"]) for r in open_rows] == [
        (dismissed, first.name, 4, "mature not marked"),
        (dismissed, second.name, 4, "mature not marked"),
        (removed, first.name, 5, "pornography"),
    ]
    assert all(r["item"]["hidden"] is (r["post_id"] == dismissed) for r in open_rows)
    line = f"{open_rows[0]['id']}  open  post {dismissed}  mature not marked  by {first.name}  (2 open reports, hidden)"
    page, text = 0, "start"
    while text and line not in text:
        text = srv.cli("reports", "list", "--page", str(page)).stdout
        page += 1
    assert line in text

    out = srv.cli("reports", "resolve", str(open_rows[0]["id"]))
    assert f"post {dismissed} dismissed; it is visible again (2 open report(s) closed)" in out.stdout
    assert listed(http, app, dismissed) == [True, True]
    out = srv.cli("reports", "resolve", str(open_rows[2]["id"]), "--remove")
    assert f"post {removed} removed (1 open report(s) closed)" in out.stdout
    assert envelope_error(http.get(f"/3/gallery/{removed}", headers=client_id(app)), 404)

    assert not [r for r in listing() if r["post_id"] in (dismissed, removed)]
    everything = [r for r in listing("--all") if r["post_id"] in (dismissed, removed)]
    assert [(r["status"], r["resolution"], r["resolved_by"]) for r in everything] == [
        ("resolved", "dismiss", None)
    ] * 2

    again = srv.cli("reports", "resolve", str(open_rows[0]["id"]), check=False)
    assert again.returncode == 1 and "This report is already resolved" in again.stderr
    missing = srv.cli("reports", "resolve", "987654321", check=False)
    assert missing.returncode == 1 and "Unable to find a report with the id, 987654321" in missing.stderr


def test_post_remove_and_comment_remove(
    srv: LiveServer, app: tuple[str, str], http: httpx.Client, owner: User, reporter: User
) -> None:
    post = shared_image(http, owner)["id"]
    other = shared_image(http, owner)["id"]
    cid = comment_on(http, owner, other)
    reported(http, reporter, f"/3/gallery/{post}/report", 2)
    out = srv.cli("post", "remove", post)
    assert f"post {post} is out of the gallery (1 open report(s) closed)" in out.stdout
    assert envelope_error(http.get(f"/3/gallery/{post}", headers=client_id(app)), 404)
    assert envelope_ok(http.get(f"/3/image/{post}", headers=client_id(app)))["in_gallery"] is False
    out = srv.cli("comment", "remove", str(cid))
    assert f"comment {cid} removed (0 open report(s) closed)" in out.stdout
    assert envelope_error(http.get(f"/3/comment/{cid}", headers=client_id(app)), 404)
    for args, message in (
        (("post", "remove", post), f"Unable to find a gallery item with the id, {post}"),
        (("comment", "remove", str(cid)), f"Unable to find a comment with the id, {cid}"),
        (("comment", "remove", "x1"), "Unable to find a comment with the id, x1"),
    ):
        got = srv.cli(*args, check=False)
        assert got.returncode == 1 and message in got.stderr, got


def test_a_deleted_reporter_leaves_the_counts_right(
    srv: LiveServer, app: tuple[str, str], http: httpx.Client, owner: User, person: Callable[[str], User]
) -> None:
    first, second = person("da"), person("db")
    post = shared_image(http, owner)["id"]
    for who in (first, second):
        reported(http, who, f"/3/gallery/{post}/report", 2)
    assert counts(srv, post=post) == (2, True)
    srv.cli("user", "delete", second.name)
    # One open report left: still hidden until someone reviews it.
    assert counts(srv, post=post) == (1, True)
    srv.cli("user", "delete", first.name)
    # Nothing left to review: shown again.
    assert counts(srv, post=post) == (0, False)
    assert listed(http, app, post) == [True, True]
