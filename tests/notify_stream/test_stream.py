"""GET /3/notification/stream against real `imghost serve` processes: the count at connect and on each
change, no buffering on the way, the limits, and a change made in another process."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.accounts.helpers import User, make_user
from tests.live import UNLIMITED, LiveServer, free_port, start_server
from tests.notify_stream.events import open_status, stream


def send(url: str, who: User, to: User, body: str) -> None:
    r = httpx.post(f"{url}/3/conversations/{to.name}", headers=who.bearer, data={"body": body}, timeout=30)
    assert r.status_code == 200, r.text


def test_the_count_arrives_at_connect_and_on_each_change(
    server: LiveServer, session_client: tuple[str, str]
) -> None:
    alice = make_user(server, session_client, prefix="alice")
    bob = make_user(server, session_client, prefix="bob")
    with stream(server.url, alice.bearer) as events:
        assert events.next_unread() == 0
        send(server.url, bob, alice, "hello")
        assert events.next_unread() == 1
        # A second message in the same conversation moves its notification: still one.
        send(server.url, bob, alice, "again")
        assert events.nothing_within(1.5)
    # A new stream starts from the stored count.
    with stream(server.url, alice.bearer) as events:
        assert events.next_unread() == 1


def test_callers_without_an_account_are_refused_with_the_envelope(
    server: LiveServer, session_client: tuple[str, str]
) -> None:
    status, body = open_status(server.url, {"Authorization": f"Client-ID {session_client[0]}"})
    assert status == 401 and body["success"] is False and body["status"] == 401, body
    status, body = open_status(server.url, {})
    assert status == 401 and body["success"] is False, body
    status, body = open_status(server.url, {"Authorization": "Bearer nonsense"})
    assert status == 403 and body["success"] is False, body


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two server processes on one database (and, in the scale-out run, one Redis): one data directory,
    one Redis prefix, short streams and heartbeats, and a cap of two streams per account."""
    data: Path = tmp_path_factory.mktemp("notify-pair")
    env = {
        **UNLIMITED,
        "IMGHOST_REDIS_PREFIX": f"t-notify-{data.name}:",
        "IMGHOST_NOTIFY_STREAMS_PER_ACCOUNT": "2",
        "IMGHOST_NOTIFY_STREAM_SECONDS": "4",
        "IMGHOST_NOTIFY_HEARTBEAT_SECONDS": "0.5",
    }
    first = start_server(data, port=free_port(), extra_env=env)
    try:
        env["IMGHOST_STORAGE_URL"] = first.env.get("IMGHOST_STORAGE_URL", "")
        second = start_server(data, port=free_port(), extra_env={k: v for k, v in env.items() if v})
        try:
            yield first, second
        finally:
            second.stop()
    finally:
        first.stop()


def test_the_stream_delivers_a_change_made_by_another_process(pair: tuple[LiveServer, LiveServer]) -> None:
    one, two = pair
    creds = one.create_client("pair")
    alice = make_user(one, creds, prefix="alice")
    bob = make_user(one, creds, prefix="bob")
    with stream(one.url, alice.bearer) as events:
        assert events.next_unread() == 0
        send(two.url, bob, alice, "from the other process")
        assert events.next_unread(timeout=5) == 1


def test_a_message_sent_on_one_process_is_read_and_notified_on_the_other(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    one, two = pair
    creds = one.create_client("across")
    alice = make_user(one, creds, prefix="alice")
    bob = make_user(one, creds, prefix="bob")
    send(two.url, bob, alice, "written on the second process")
    with (
        httpx.Client(base_url=one.url, timeout=30) as first,
        httpx.Client(base_url=two.url, timeout=30) as second,
    ):
        (conversation,) = first.get("/3/conversations", headers=alice.bearer).json()["data"]
        assert conversation["with_account"] == bob.name
        assert conversation["last_message_preview"] == "written on the second process"
        (note,) = first.get("/3/notification", headers=alice.bearer).json()["data"]["messages"]
        assert note["content"]["body"] == "written on the second process"
        # Marked on the first process, viewed on the second.
        assert first.post(f"/3/notification/{note['id']}", headers=alice.bearer).status_code == 200
        assert second.get("/3/notification", headers=alice.bearer).json()["data"] == {
            "replies": [],
            "messages": [],
        }
        (seen,) = second.get("/3/notification", headers=alice.bearer, params={"new": "false"}).json()["data"][
            "messages"
        ]
        assert seen["id"] == note["id"] and seen["viewed"] is True


def test_streams_are_capped_beat_and_end(pair: tuple[LiveServer, LiveServer]) -> None:
    one, _ = pair
    creds = one.create_client("cap")
    carol = make_user(one, creds, prefix="carol")
    with stream(one.url, carol.bearer) as a, stream(one.url, carol.bearer) as b:
        assert a.next_unread() == 0 and b.next_unread() == 0
        status, body = open_status(one.url, carol.bearer)
        assert status == 429 and body["success"] is False, body
        # Heartbeats while nothing happens, then the end (the client reconnects).
        assert a.ended.wait(10), a.lines
        assert ": heartbeat" in a.lines
        assert a.lines[0] == "retry: 2000"
    # Both streams ended: the account may open new ones.
    with stream(one.url, carol.bearer) as c:
        assert c.next_unread() == 0


def test_a_client_that_leaves_frees_its_slot_at_once(
    server: LiveServer, session_client: tuple[str, str]
) -> None:
    """The suite's server beats every 15 s: a slot freed only by a failed heartbeat would take that long.
    Ten streams opened and dropped one after another, past the cap of five: each opens within a second
    of the last one's client leaving."""
    dave = make_user(server, session_client, prefix="dave")
    for _ in range(10):
        deadline = time.monotonic() + 1
        while open_status(server.url, dave.bearer)[0] == 429:
            assert time.monotonic() < deadline, "a stream whose client left still holds its slot"
            time.sleep(0.02)


@pytest.fixture(scope="module")
def asgi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """imghost.asgi:app under Granian's ASGI interface: the entry point any ASGI server runs."""
    port = free_port()
    command = [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "1", "--no-ws", "imghost.asgi:app"]
    srv = start_server(
        tmp_path_factory.mktemp("notify-asgi"),
        port=port,
        extra_env={**UNLIMITED, "IMGHOST_NOTIFY_HEARTBEAT_SECONDS": "0.5"},
        command=command,
    )
    try:
        yield srv
    finally:
        srv.stop()


def test_the_asgi_entry_point_streams_too(asgi: LiveServer) -> None:
    creds = asgi.create_client("asgi")
    erin = make_user(asgi, creds, prefix="erin")
    frank = make_user(asgi, creds, prefix="frank")
    for body in ("first", "second"):
        with stream(asgi.url, erin.bearer) as events:
            before = events.next_unread()
            send(asgi.url, frank, erin, body)
            if before == 0:
                assert events.next_unread() == 1
            else:
                assert before == 1 and events.nothing_within(1)
                assert ": heartbeat" in events.lines
