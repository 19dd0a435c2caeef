"""Reports of senders, from both route families, in the community's moderation queue: filed only about
someone who wrote to the reporter, once per reporter while open, and resolved by an admin (dismiss
closes them; remove bans the sender, who then sends nothing more)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.accounts.helpers import User
from tests.api.helpers import envelope_error, envelope_ok
from tests.community.moderation_helpers import ITEM_KEYS, REPORT_KEYS, new_admin, queue
from tests.live import LiveServer
from tests.messages.helpers import send


@pytest.fixture
def admin(server: LiveServer, session_client: tuple[str, str]) -> User:
    return new_admin(server, session_client)


def of_sender(http: httpx.Client, admin: User, sender: User, status: str = "all") -> list[dict[str, Any]]:
    return [r for r in queue(http, admin, status) if r["sender_id"] == sender.id]


@pytest.mark.parametrize("path", ["/3/message/report/{u}", "/3/conversations/report/{u}"])
def test_report_goes_into_the_queue(
    http: httpx.Client, trio: tuple[User, User, User], admin: User, path: str
) -> None:
    alice, bob, carol = trio
    send(http, alice, bob, "spam spam spam")
    # Only someone alice wrote to reports her; she cannot report bob, who never wrote to her.
    envelope_error(http.post(path.format(u=alice.name), headers=carol.bearer), 400)
    envelope_error(http.post(path.format(u=bob.name), headers=alice.bearer), 400)
    envelope_error(http.post(path.format(u="nosuchuser0"), headers=bob.bearer), 404)
    envelope_error(http.post(path.format(u=alice.name), headers=bob.bearer, data={"reason": "9"}), 400)
    assert of_sender(http, admin, alice) == []

    assert envelope_ok(http.post(path.format(u=alice.name), headers=bob.bearer, data={"reason": "2"})) is True
    assert envelope_ok(http.post(path.format(u=alice.name), headers=bob.bearer)) is True  # once while open
    (report,) = of_sender(http, admin, alice, "open")
    assert set(report) == REPORT_KEYS and set(report["item"]) == ITEM_KEYS
    assert report["kind"] == "sender" and report["reason"] == 2 and report["reason_name"] == "spam"
    assert report["reporter"] == bob.name and report["reporter_id"] == bob.id
    assert report["post_id"] is None and report["comment_id"] is None and report["link"] is None
    assert report["item"]["author"] == alice.name and report["status"] == "open"
    assert report["item"]["text"] == alice.name and report["item"]["reports_open"] == 1
    one = envelope_ok(http.get(f"/3/admin/reports/{report['id']}", headers=admin.bearer))
    assert one == report

    got = envelope_ok(
        http.post(
            f"/3/admin/reports/{report['id']}/resolve", headers=admin.bearer, data={"resolution": "dismiss"}
        )
    )
    assert got == 1
    (closed,) = of_sender(http, admin, alice)
    assert closed["status"] == "resolved" and closed["resolution"] == "dismiss"
    send(http, alice, bob, "still allowed to write")


def test_a_deleted_conversation_can_still_be_reported(
    http: httpx.Client, trio: tuple[User, User, User], admin: User
) -> None:
    alice, bob, _ = trio
    send(http, alice, bob, "something nasty")
    cid = envelope_ok(http.get("/3/conversations", headers=bob.bearer))[0]["id"]
    envelope_ok(http.delete(f"/3/conversations/{cid}", headers=bob.bearer))
    assert envelope_ok(http.post(f"/3/message/report/{alice.name}", headers=bob.bearer)) is True
    assert [r["reporter"] for r in of_sender(http, admin, alice, "open")] == [bob.name]


def test_remove_bans_the_sender(http: httpx.Client, trio: tuple[User, User, User], admin: User) -> None:
    alice, bob, carol = trio
    send(http, alice, bob, "abuse")
    send(http, alice, carol, "more abuse")
    for who in (bob, carol):
        envelope_ok(http.post(f"/3/conversations/report/{alice.name}", headers=who.bearer))
    reports = of_sender(http, admin, alice, "open")
    assert sorted(r["reporter"] for r in reports) == sorted([bob.name, carol.name])
    assert {r["item"]["reports_open"] for r in reports} == {2}
    got = envelope_ok(
        http.post(
            f"/3/admin/reports/{reports[0]['id']}/resolve",
            headers=admin.bearer,
            data={"resolution": "remove"},
        )
    )
    assert got == 2
    assert {r["resolution"] for r in of_sender(http, admin, alice)} == {"remove"}
    envelope_error(http.post(f"/3/conversations/{bob.name}", headers=alice.bearer, data={"body": "x"}), 403)
    envelope_error(
        http.post(
            f"/3/admin/reports/{reports[0]['id']}/resolve",
            headers=admin.bearer,
            data={"resolution": "dismiss"},
        ),
        409,
    )
