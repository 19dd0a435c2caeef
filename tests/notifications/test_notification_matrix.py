"""Who may call each notification route: no Authorization header, an application's Client-ID, an
invalid token, the recipient, a third account, an admin and a banned recipient (who reads, and may
not mark: the edge refuses a banned account's every write). Notifications are
private: nobody but the recipient reads or marks one, an admin included, and someone else's id answers
exactly like an id that does not exist."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.accounts.helpers import User
from tests.api.helpers import envelope_error, envelope_ok
from tests.community.moderation_helpers import ban_via_cli, new_admin
from tests.live import LiveServer
from tests.messages.helpers import send
from tests.notifications.helpers import comment, notifications, post_of


@pytest.fixture
def setup(http: httpx.Client, trio: tuple[User, User, User]) -> dict[str, Any]:
    alice, bob, carol = trio
    comment(http, bob, post_of(http, alice), "a comment for alice")
    send(http, bob, alice, "a message for alice")
    got = notifications(http, alice)
    return {
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "reply": got["replies"][0],
        "message": got["messages"][0],
    }


def _routes(s: dict[str, Any]) -> list[tuple[str, str]]:
    a, rid, mid = s["alice"].name, s["reply"]["id"], s["message"]["id"]
    return [
        ("GET", "/3/notification"),
        ("GET", f"/3/notification/{rid}"),
        ("GET", f"/3/notification/{mid}"),
        ("POST", f"/3/notification/{rid}"),
        ("PUT", f"/3/notification/{mid}"),
        ("POST", "/3/notification"),
        ("GET", f"/3/account/{a}/notifications"),
        ("GET", f"/3/account/{a}/notifications/replies"),
        ("GET", f"/3/account/{a}/notifications/messages"),
    ]


def _call(
    http: httpx.Client, s: dict[str, Any], method: str, path: str, headers: dict[str, str]
) -> httpx.Response:
    if path == "/3/notification" and method == "POST":
        return http.post(path, headers=headers, data={"ids": f"{s['reply']['id']},{s['message']['id']}"})
    return http.request(method, path, headers=headers)


def _untouched(http: httpx.Client, s: dict[str, Any]) -> None:
    got = notifications(http, s["alice"])
    assert [n["id"] for n in got["replies"]] == [s["reply"]["id"]]
    assert [n["id"] for n in got["messages"]] == [s["message"]["id"]]


def test_no_header_client_id_and_bad_token(
    http: httpx.Client, setup: dict[str, Any], session_client: tuple[str, str]
) -> None:
    for method, path in _routes(setup):
        envelope_error(_call(http, setup, method, path, {}), 401)
        envelope_error(
            _call(http, setup, method, path, {"Authorization": f"Client-ID {session_client[0]}"}), 403
        )
        envelope_error(_call(http, setup, method, path, {"Authorization": "Bearer not-a-token"}), 403)
    _untouched(http, setup)


@pytest.mark.parametrize("who", ["carol", "admin"])
def test_anyone_else_learns_nothing(
    http: httpx.Client, server: LiveServer, session_client: tuple[str, str], setup: dict[str, Any], who: str
) -> None:
    other: User = setup["carol"] if who == "carol" else new_admin(server, session_client)
    missing = setup["message"]["id"] + 10**9
    for method, path in _routes(setup):
        r = _call(http, setup, method, path, other.bearer)
        if "/account/" in path:
            envelope_error(r, 403)
        elif path == "/3/notification":
            # Its own (empty) lists, and marking someone else's ids changes nothing.
            assert r.status_code == 200, r.text
            if method == "GET":
                assert envelope_ok(r) == {"replies": [], "messages": []}
        else:
            got = envelope_error(r, 404)
            nid = int(path.rsplit("/", 1)[1])
            twin = envelope_error(
                http.request(method, f"/3/notification/{missing}", headers=other.bearer), 404
            )
            assert got["error"].replace(str(nid), "#") == twin["error"].replace(str(missing), "#")
    _untouched(http, setup)


def test_the_recipient_and_a_banned_recipient(
    http: httpx.Client, server: LiveServer, setup: dict[str, Any]
) -> None:
    alice: User = setup["alice"]
    for method, path in _routes(setup):
        if method == "GET":
            assert _call(http, setup, method, path, alice.bearer).status_code == 200, path
    # Banned: still reads its notifications; marking them is a write, refused like every write.
    ban_via_cli(server, alice.name)
    for method, path in _routes(setup):
        r = _call(http, setup, method, path, alice.bearer)
        if method == "GET":
            assert r.status_code == 200, (method, path, r.text)
        else:
            assert envelope_error(r, 403)["error"] == "This account is banned from posting"
    _untouched(http, setup)
