"""Who may call each message, conversation and block route: no Authorization header, an application's
Client-ID, a party, a third account, an invalid token and a banned account. A third account learns
nothing: a conversation or message it is not in answers exactly like one that does not exist."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.accounts.helpers import User, make_user
from tests.api.helpers import envelope_error, envelope_ok
from tests.community.moderation_helpers import ban_via_cli
from tests.live import LiveServer
from tests.messages.helpers import bodies, conversation, only_conversation, send


@pytest.fixture
def setup(
    http: httpx.Client, server: LiveServer, session_client: tuple[str, str], trio: tuple[User, User, User]
) -> dict[str, Any]:
    alice, bob, carol = trio
    send(http, alice, bob, "private")
    c = only_conversation(http, alice)
    first = conversation(http, alice, c["id"])["messages"][0]["id"]
    return {"alice": alice, "bob": bob, "carol": carol, "cid": c["id"], "mid": first}


def _routes(s: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    a, b, cid, mid = s["alice"].name, s["bob"].name, s["cid"], s["mid"]
    return [
        ("GET", "/3/messages", {}),
        ("GET", "/3/messages/ids/0", {}),
        ("GET", "/3/messages/count", {}),
        ("GET", f"/3/message/{mid}", {}),
        ("GET", f"/3/message/{mid}/thread", {}),
        ("POST", "/3/message", {"recipient": b, "body": "x"}),
        ("DELETE", f"/3/message/{mid}", {}),
        ("POST", f"/3/message/report/{a}", {}),
        ("POST", f"/3/message/block/{a}", {}),
        ("POST", f"/3/account/{b}/message", {"body": "x"}),
        ("GET", "/3/conversations", {}),
        ("GET", f"/3/conversations/{cid}", {}),
        ("GET", f"/3/conversations/{cid}/1/0", {}),
        ("POST", f"/3/conversations/{b}", {"body": "x"}),
        ("DELETE", f"/3/conversations/{cid}", {}),
        ("POST", f"/3/conversations/report/{a}", {}),
        ("POST", f"/3/conversations/block/{a}", {}),
        ("GET", f"/account/v1/{a}/block", {}),
        ("POST", f"/account/v1/{a}/block", {}),
        ("DELETE", f"/account/v1/{a}/block", {}),
    ]


def _call(
    http: httpx.Client, method: str, path: str, data: dict[str, str], headers: dict[str, str]
) -> httpx.Response:
    if method == "POST":
        return http.post(path, headers=headers, data=data)
    return http.request(method, path, headers=headers)


def test_no_header_and_client_id_and_bad_token(
    http: httpx.Client, setup: dict[str, Any], session_client: tuple[str, str]
) -> None:
    for method, path, data in _routes(setup):
        envelope_error(_call(http, method, path, data, {}), 401)
        envelope_error(
            _call(http, method, path, data, {"Authorization": f"Client-ID {session_client[0]}"}), 403
        )
        envelope_error(_call(http, method, path, data, {"Authorization": "Bearer not-a-token"}), 403)
    # Nothing changed.
    assert bodies(http, setup["bob"], setup["cid"]) == ["private"]


def test_third_account_learns_nothing(http: httpx.Client, setup: dict[str, Any]) -> None:
    carol: User = setup["carol"]
    cid, mid = setup["cid"], setup["mid"]
    missing_c, missing_m = cid + 10**9, mid + 10**9
    for path in (f"/3/conversations/{cid}", f"/3/conversations/{cid}/1/0"):
        got = envelope_error(http.get(path, headers=carol.bearer), 404)
        twin = envelope_error(http.get(path.replace(str(cid), str(missing_c), 1), headers=carol.bearer), 404)
        assert got["error"].replace(str(cid), "#") == twin["error"].replace(str(missing_c), "#")
    for method, path in (
        ("GET", f"/3/message/{mid}"),
        ("GET", f"/3/message/{mid}/thread"),
        ("DELETE", f"/3/message/{mid}"),
    ):
        got = envelope_error(http.request(method, path, headers=carol.bearer), 404)
        twin = envelope_error(
            http.request(method, path.replace(str(mid), str(missing_m)), headers=carol.bearer), 404
        )
        assert got["error"].replace(str(mid), "#") == twin["error"].replace(str(missing_m), "#")
    envelope_error(http.delete(f"/3/conversations/{cid}", headers=carol.bearer), 404)
    envelope_error(
        http.post("/3/message", headers=carol.bearer, data={"body": "x", "parent_id": str(mid)}), 404
    )
    # Carol reports alice: alice never wrote to her.
    envelope_error(http.post(f"/3/message/report/{setup['alice'].name}", headers=carol.bearer), 400)
    assert envelope_ok(http.get("/3/conversations", headers=carol.bearer)) == []
    assert envelope_ok(http.get("/3/messages", headers=carol.bearer)) == []
    assert envelope_ok(http.get("/3/messages/count", headers=carol.bearer)) == 0
    assert envelope_ok(http.get("/3/messages/ids/0", headers=carol.bearer)) == []
    # Both parties still see it whole.
    for who in (setup["alice"], setup["bob"]):
        assert bodies(http, who, cid) == ["private"]


def test_banned_account_reads_but_does_not_write(
    http: httpx.Client, server: LiveServer, setup: dict[str, Any]
) -> None:
    bob: User = setup["bob"]
    ban_via_cli(server, bob.name)
    cid, mid = setup["cid"], setup["mid"]
    assert bodies(http, bob, cid) == ["private"]
    assert envelope_ok(http.get(f"/3/message/{mid}", headers=bob.bearer))["body"] == "private"
    assert envelope_ok(http.get(f"/account/v1/{setup['alice'].name}/block", headers=bob.bearer)) == {
        "blocked": False
    }
    for method, path, data in _routes(setup):
        if method != "GET":
            envelope_error(_call(http, method, path, data, bob.bearer), 403)
    assert bodies(http, setup["alice"], cid) == ["private"]


def test_a_party(
    http: httpx.Client, server: LiveServer, session_client: tuple[str, str], setup: dict[str, Any]
) -> None:
    """Every route answers the party with success (the writes last, in an order that keeps them valid)."""
    bob: User = setup["bob"]
    # bob has alice's message: he may report and block her.
    for method, path, data in _routes(setup):
        if "/block" in path and method != "GET":
            continue
        who = bob if "report" in path or path.startswith("/account/v1") else setup["alice"]
        if method == "DELETE" and "/message/" in path:
            who = bob
        r = _call(http, method, path, data, who.bearer)
        assert r.status_code == 200, (method, path, r.text)
    other = make_user(server, session_client, prefix="dave")
    assert envelope_ok(http.post(f"/account/v1/{other.name}/block", headers=bob.bearer)) == {"blocked": True}
    assert envelope_ok(http.post(f"/3/message/block/{setup['alice'].name}", headers=bob.bearer)) is True
