"""An account's deletion takes its conversations (both sides' copies), its blocks both ways and the
reports of it as a sender, and leaves everyone else's conversations as they were."""

from __future__ import annotations

import httpx

from tests.accounts.helpers import User, new_token, register
from tests.api.helpers import envelope_error, envelope_ok
from tests.community.moderation_helpers import new_admin, queue
from tests.live import LiveServer
from tests.messages.helpers import bodies, conversations, only_conversation, send


def test_account_deletion(
    http: httpx.Client, server: LiveServer, session_client: tuple[str, str], trio: tuple[User, User, User]
) -> None:
    alice, bob, carol = trio
    admin = new_admin(server, session_client)
    send(http, alice, bob, "to bob")
    send(http, bob, alice, "to alice")
    send(http, bob, carol, "bob and carol")
    envelope_ok(http.post(f"/3/conversations/report/{alice.name}", headers=bob.bearer))
    (report,) = [r for r in queue(http, admin) if r["kind"] == "sender" and r["sender_id"] == alice.id]
    envelope_ok(http.post(f"/account/v1/{carol.name}/block", headers=alice.bearer))
    envelope_ok(http.post(f"/account/v1/{alice.name}/block", headers=carol.bearer))
    gone = only_conversation(http, alice)
    mid = envelope_ok(http.get("/3/messages/ids/0", headers=alice.bearer))[0]

    assert envelope_ok(http.delete(f"/3/account/{alice.name}", headers=alice.bearer)) is True

    assert [c["with_account"] for c in conversations(http, bob)] == [carol.name]
    envelope_error(http.get(f"/3/conversations/{gone['id']}", headers=bob.bearer), 404)
    envelope_error(http.get(f"/3/message/{mid}", headers=bob.bearer), 404)
    assert envelope_ok(http.get("/3/messages/count", headers=bob.bearer)) == 1
    assert bodies(http, carol, only_conversation(http, carol)["id"]) == ["bob and carol"]
    settings = envelope_ok(http.get(f"/3/account/{carol.name}/settings", headers=carol.bearer))
    assert settings["blocked_users"] == []
    envelope_error(http.get(f"/3/admin/reports/{report['id']}", headers=admin.bearer), 404)
    assert not [r for r in queue(http, admin) if r["sender_id"] == alice.id]
    envelope_error(http.post(f"/3/conversations/{alice.name}", headers=bob.bearer, data={"body": "x"}), 404)

    # Someone new under the same name starts with nothing.
    envelope_ok(register(server, session_client[0], alice.name, "pw-new-one-1", f"new{alice.email}"))
    again = User(name=alice.name, password="pw-new-one-1", email=f"new{alice.email}", id=0)
    again.access_token = new_token(server, session_client, again)["access_token"]
    assert conversations(http, again) == []
    assert envelope_ok(http.get("/3/messages/count", headers=again.bearer)) == 0
    assert envelope_ok(http.get(f"/account/v1/{carol.name}/block", headers=again.bearer)) == {
        "blocked": False
    }
