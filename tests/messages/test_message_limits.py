"""The per-account send rate and the cap on new conversations an hour, on a server of their own with
small limits (settings messages_per_hour, conversations_per_hour, message_max_length)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.accounts.helpers import make_user
from tests.api.helpers import envelope_error, envelope_ok
from tests.live import UNLIMITED, LiveServer, free_port, start_server


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    srv = start_server(
        tmp_path_factory.mktemp("messages-limited"),
        port=free_port(),
        extra_env={
            **UNLIMITED,
            "IMGHOST_MESSAGES_PER_HOUR": "4",
            "IMGHOST_CONVERSATIONS_PER_HOUR": "2",
            "IMGHOST_MESSAGE_MAX_LENGTH": "10",
        },
    )
    try:
        yield srv
    finally:
        srv.stop()


def test_limits(limited: LiveServer) -> None:
    creds = limited.create_client()
    alice, bob, carol, dave = (make_user(limited, creds) for _ in range(4))
    with httpx.Client(base_url=limited.url, timeout=60) as http:

        def send(who: object, to: str, body: str = "hi") -> httpx.Response:
            return http.post(f"/3/conversations/{to}", headers=who.bearer, data={"body": body})  # type: ignore[attr-defined]

        envelope_error(send(alice, bob.name, "x" * 11), 400)
        assert envelope_ok(send(alice, bob.name, "x" * 10)) is True
        assert envelope_ok(send(alice, carol.name)) is True
        # A third new conversation within the hour is refused; writing in the two she has is not.
        err = envelope_error(send(alice, dave.name), 429)
        assert "starting conversations too fast" in err["error"]
        assert envelope_ok(send(alice, bob.name)) is True
        assert envelope_ok(send(alice, carol.name)) is True
        # Four messages in the hour: the fifth is refused, on the 2012 route too, with Retry-After.
        r = send(alice, bob.name)
        assert "sending messages too fast" in envelope_error(r, 429)["error"]
        assert 0 < int(r.headers["retry-after"]) <= 3600
        envelope_error(
            http.post("/3/message", headers=alice.bearer, data={"recipient": bob.name, "body": "x"}), 429
        )
        # The limits are per account: the others still write (and answering is not a new conversation).
        assert envelope_ok(send(bob, alice.name)) is True
        assert envelope_ok(send(dave, alice.name)) is True
        assert len(envelope_ok(http.get("/3/conversations", headers=alice.bearer))) == 3
