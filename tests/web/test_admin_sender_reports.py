"""Reports of a message sender in the admin's queue (/admin/reports): two people report the account
that wrote to them (through both route families), the admin sees one entry for the sender with both
reporters and their reasons, dismisses it once, and, when it is reported again, bans the sender from
the entry, after which its messages are refused through the API."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts.helpers import User, make_user
from tests.api.helpers import envelope_error, envelope_ok
from tests.live import LiveServer
from tests.web.conftest import assert_accessible, shot
from tests.web.test_admin_pages import BANNED, absent, admin_page, find, http  # noqa: F401 (fixtures)


def send(client: httpx.Client, sender: User, to: User, body: str) -> httpx.Response:
    return client.post(f"/3/conversations/{to.name}", headers=sender.bearer, data={"body": body})


def entry_of(sender: User) -> str:
    return f'li[data-kind=sender]:has(.report-author:text-is("{sender.name}"))'


def test_an_admin_reviews_a_reported_sender_and_bans_it(
    admin_page: tuple[Any, User],  # noqa: F811
    server: LiveServer,
    session_client: tuple[str, str],
    http: httpx.Client,  # noqa: F811
) -> None:
    page, _ = admin_page
    sender, first, second = (
        make_user(server, session_client, prefix=p) for p in ("pest", "inbox", "inboxtwo")
    )
    for to in (first, second):
        assert envelope_ok(send(http, sender, to, f"unwanted words for {to.name}")) is True
    reason = {"reason": "1"}
    assert envelope_ok(http.post(f"/3/conversations/report/{sender.name}", headers=first.bearer, data=reason))
    assert envelope_ok(
        http.post(f"/3/message/report/{sender.name}", headers=second.bearer, data={"reason": "3"})
    )

    entry = find(page, entry_of(sender))
    assert "Messages from" in entry.locator(".report-title").inner_text()
    assert "2 open reports" in entry.locator(".report-count").inner_text()
    reporters = entry.locator(".report-reporters a")
    assert sorted(reporters.nth(i).inner_text() for i in range(reporters.count())) == sorted(
        [first.name, second.name]
    )
    reasons = entry.locator(".report-reasons").inner_text()
    assert "doesn't belong" in reasons and "abusive" in reasons, reasons
    shot(page, "admin-reports-sender")
    assert_accessible(page)

    # Dismissed: the entry leaves the queue and the sender still writes.
    entry.get_by_role("button", name="Dismiss").click()
    page.wait_for_url("**/admin/reports?done=dismissed**")
    assert absent(page, entry_of(sender))
    assert envelope_ok(send(http, sender, first, "still allowed")) is True

    # Reported again, then banned from the entry: its sends are refused, it still reads.
    assert envelope_ok(http.post(f"/3/conversations/report/{sender.name}", headers=first.bearer, data=reason))
    entry = find(page, entry_of(sender))
    entry.get_by_role("button", name="Ban sender").click()
    page.wait_for_url("**/admin/reports?done=removed**")
    assert absent(page, entry_of(sender))
    assert envelope_error(send(http, sender, second, "after the ban"), 403)["error"] == BANNED
    assert isinstance(envelope_ok(http.get("/3/conversations", headers=sender.bearer)), list)
