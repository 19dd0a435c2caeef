"""Calls and shapes the notification tests share."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts.helpers import User
from tests.api.helpers import envelope_ok
from tests.community.gallery_helpers import shared_image
from tests.messages.helpers import MESSAGE_KEYS

NOTIFICATION_KEYS = {"id", "account_id", "viewed", "content"}
COMMENT_KEYS = {
    "id",
    "image_id",
    "comment",
    "caption",
    "author",
    "author_id",
    "on_album",
    "album_cover",
    "ups",
    "downs",
    "points",
    "datetime",
    "parent_id",
    "deleted",
    "vote",
    "children",
    "platform",
    "has_admin_badge",
}
MESSAGE_CONTENT_KEYS = MESSAGE_KEYS | {"with_account", "with_account_id", "last_message", "message_num"}


def post_of(http: httpx.Client, who: User) -> str:
    return str(shared_image(http, who)["id"])


def comment(http: httpx.Client, who: User, post_id: str, text: str, parent: int | None = None) -> int:
    data = {"image_id": post_id, "comment": text}
    if parent is not None:
        data["parent_id"] = str(parent)
    return int(envelope_ok(http.post("/3/comment", headers=who.bearer, data=data))["id"])


def notifications(
    http: httpx.Client, who: User, new: str | None = None, path: str = "/3/notification"
) -> dict[str, Any]:
    params = {} if new is None else {"new": new}
    got = envelope_ok(http.get(path, headers=who.bearer, params=params))
    assert set(got) == {"replies", "messages"}, got
    for n in got["replies"]:
        assert set(n) == NOTIFICATION_KEYS and set(n["content"]) == COMMENT_KEYS, n
        assert n["account_id"] == who.id
    for n in got["messages"]:
        assert set(n) == NOTIFICATION_KEYS and set(n["content"]) == MESSAGE_CONTENT_KEYS, n
        assert n["account_id"] == who.id
    return got
