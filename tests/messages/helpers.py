"""Calls and shapes the message tests share."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts.helpers import User
from tests.api.helpers import envelope_ok

MESSAGE_KEYS = {
    "id",
    "from",
    "account_id",
    "sender_id",
    "body",
    "subject",
    "parent_id",
    "conversation_id",
    "datetime",
}
CONVERSATION_KEYS = {
    "id",
    "last_message_preview",
    "datetime",
    "with_account_id",
    "with_account",
    "message_count",
}
PAGE_KEYS = CONVERSATION_KEYS | {"messages", "done", "page"}
CLOSED = "This user is not accepting messages from you"


def send(http: httpx.Client, who: User, to: User, body: str, **extra: str) -> None:
    """POST /3/conversations/{to}: the later form."""
    got = envelope_ok(
        http.post(f"/3/conversations/{to.name}", headers=who.bearer, data={"body": body, **extra})
    )
    assert got is True


def send_2012(http: httpx.Client, who: User, to: User | None, body: str, **extra: str) -> httpx.Response:
    data = {"body": body, **extra}
    if to is not None:
        data["recipient"] = to.name
    return http.post("/3/message", headers=who.bearer, data=data)


def conversations(http: httpx.Client, who: User) -> list[dict[str, Any]]:
    got = envelope_ok(http.get("/3/conversations", headers=who.bearer))
    for c in got:
        assert set(c) == CONVERSATION_KEYS, c
    return got


def conversation(http: httpx.Client, who: User, cid: int, page: int = 1, offset: int = 0) -> dict[str, Any]:
    got = envelope_ok(http.get(f"/3/conversations/{cid}/{page}/{offset}", headers=who.bearer))
    assert set(got) == PAGE_KEYS, got
    for m in got["messages"]:
        assert set(m) == MESSAGE_KEYS, m
    return got


def only_conversation(http: httpx.Client, who: User) -> dict[str, Any]:
    got = conversations(http, who)
    assert len(got) == 1, got
    return got[0]


def bodies(http: httpx.Client, who: User, cid: int) -> list[str]:
    return [m["body"] for m in conversation(http, who, cid)["messages"]]
