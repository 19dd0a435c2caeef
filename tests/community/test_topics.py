"""Topics: the operator defines them (`imghost topic add|list|remove`), a share names one (`topic=`, by
id or by name), and /3/topics/defaults and /3/topics/{topic}/... show them, over raw HTTP.

Topics are the server's, shared by every test of the session: each test makes topics of its own
(unique names) and looks only at those."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from tests.accounts.helpers import User, make_user
from tests.community.gallery_helpers import (
    GALLERY_IMAGE_KEYS,
    envelope_error,
    envelope_ok,
    get_post,
    ids,
    share,
    shared_image,
    vote,
)
from tests.live import LiveServer

TOPIC_KEYS = {"id", "name", "description", "css", "ephemeral", "topPost", "heroImage", "isHero"}


@pytest.fixture(scope="module")
def owner(server: LiveServer, session_client: tuple[str, str]) -> User:
    return make_user(server, session_client, prefix="town")


@pytest.fixture(scope="module")
def voters(server: LiveServer, session_client: tuple[str, str]) -> list[User]:
    # Two: one point weighs nothing in the viral order (log10 of 1).
    return [make_user(server, session_client, prefix=f"tvot{n}") for n in range(2)]


def topic_name() -> str:
    return f"Topic {uuid.uuid4().hex[:10]}"


def add_topic(server: LiveServer, name: str, description: str = "") -> dict[str, Any]:
    out = server.cli("topic", "add", name, "--description", description, "--json")
    row = json.loads(out.stdout)
    assert set(row) == {"id", "name", "description", "css", "ephemeral"}
    assert row["name"] == name and row["description"] == description
    assert row["css"] is None and row["ephemeral"] is False
    return row


def listed(server: LiveServer) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in json.loads(server.cli("topic", "list", "--json").stdout)}


def defaults(http: httpx.Client, anon: dict[str, str]) -> dict[str, dict[str, Any]]:
    found = envelope_ok(http.get("/3/topics/defaults", headers=anon))
    assert isinstance(found, list)
    for t in found:
        assert set(t) == TOPIC_KEYS
    return {t["name"]: t for t in found}


def listing(http: httpx.Client, headers: dict[str, str], path: str) -> list[str]:
    items = envelope_ok(http.get(path, headers=headers))
    assert isinstance(items, list)
    for item in items:
        assert set(item) >= GALLERY_IMAGE_KEYS
    return ids(items)


def test_cli_add_list_remove_and_the_routes(
    server: LiveServer, http: httpx.Client, anon: dict[str, str], owner: User
) -> None:
    name = topic_name()
    row = add_topic(server, name, "Pictures of things")
    assert listed(server)[name] == row
    # Plain output too.
    plain = server.cli("topic", "list").stdout
    assert f"{row['id']}  {name}  Pictures of things" in plain.splitlines()

    # An empty topic: no top post.
    assert defaults(http, anon)[name] == {
        "id": row["id"],
        "name": name,
        "description": "Pictures of things",
        "css": "",
        "ephemeral": False,
        "topPost": None,
        "heroImage": None,
        "isHero": False,
    }
    assert listing(http, anon, f"/3/topics/{row['id']}/viral/0") == []

    post = shared_image(http, owner, topic=name)
    assert post["topic"] == name and post["topic_id"] == row["id"]
    shown = defaults(http, anon)[name]
    assert shown["topPost"] == get_post(http, anon, post["id"])
    assert shown["heroImage"] == shown["topPost"]

    out = server.cli("topic", "remove", name)
    assert name in out.stdout
    assert name not in listed(server)
    assert name not in defaults(http, anon)
    err = envelope_error(http.get(f"/3/topics/{row['id']}/viral/0", headers=anon), 404)
    assert err["error"] == f"Unable to find a topic with the id, {row['id']}"
    # The post stays in the gallery, without a topic.
    after = get_post(http, anon, post["id"])
    assert after["topic"] is None and after["topic_id"] is None


def test_cli_refusals(server: LiveServer) -> None:
    name = topic_name()
    add_topic(server, name)
    for bad in (name, name.upper(), name.replace(" ", "_"), "12345", "a/b", "", " " * 3, "x" * 65):
        out = server.cli("topic", "add", bad, check=False)
        assert out.returncode == 1, bad
        assert out.stderr.startswith("imghost: "), out.stderr
    assert [n for n in listed(server) if n.casefold() == name.casefold()] == [name]
    missing = server.cli("topic", "remove", topic_name(), check=False)
    assert missing.returncode == 1 and "Unable to find a topic" in missing.stderr
    server.cli("topic", "remove", name)


def test_topic_listings_every_form_and_sort(
    server: LiveServer, http: httpx.Client, anon: dict[str, str], owner: User, voters: list[User]
) -> None:
    name = topic_name()
    row = add_topic(server, name)
    by_name = share(http, owner, shared_image(http, owner)["id"], topic=name)["id"]
    by_id = shared_image(http, owner, topic=str(row["id"]))["id"]
    by_url_name = shared_image(http, owner, topic=name.replace(" ", "_").lower())["id"]
    outside = shared_image(http, owner)["id"]
    for v in voters:
        vote(http, v, by_id, "up")
    mine = {by_name, by_id, by_url_name}

    refs = (str(row["id"]), name.replace(" ", "_"), name.lower().replace(" ", "_"), name.replace(" ", "%20"))
    viral = listing(http, anon, f"/3/topics/{row['id']}/viral/0")
    assert set(viral) == mine and viral[0] == by_id
    top = listing(http, anon, f"/3/topics/{row['id']}/top/week/0")
    assert top[0] == by_id and set(top) == mine
    for ref in refs:
        for path in (
            f"/3/topics/{ref}",
            f"/3/topics/{ref}/viral",
            f"/3/topics/{ref}/0",
            f"/3/topics/{ref}/viral/0",
            f"/3/topics/{ref}/viral/week/0",
            f"/3/topics/{ref}/viral/week",
        ):
            assert listing(http, anon, path) == viral, path
        assert listing(http, anon, f"/3/topics/{ref}/top/day/0") == top
        assert set(listing(http, anon, f"/3/topics/{ref}/time/0")) == mine
        assert set(listing(http, anon, f"/3/topics/{ref}/rising/all/0")) == mine
        assert listing(http, anon, f"/3/topics/{ref}/viral/week/1") == []
        assert listing(http, anon, f"/3/topics/{ref}/time/1") == []
    assert outside not in viral

    item = envelope_ok(http.get(f"/3/topics/{name.replace(' ', '_')}/{by_id}", headers=anon))
    assert item == get_post(http, anon, by_id)
    assert item["topic"] == name and item["topic_id"] == row["id"]
    envelope_error(http.get(f"/3/topics/{row['id']}/{outside}", headers=anon), 404)
    envelope_error(http.get(f"/3/topics/{row['id']}/zzzzzzz", headers=anon), 404)
    for unknown in (topic_name().replace(" ", "_"), "999999999"):
        err = envelope_error(http.get(f"/3/topics/{unknown}/viral/0", headers=anon), 404)
        assert err["error"] == f"Unable to find a topic with the id, {unknown}"
        envelope_error(http.get(f"/3/topics/{unknown}/{by_id}", headers=anon), 404)
    server.cli("topic", "remove", str(row["id"]))


def test_an_unknown_topic_on_a_share_is_no_topic(http: httpx.Client, owner: User) -> None:
    post = shared_image(http, owner, topic=topic_name())
    assert post["topic"] is None and post["topic_id"] is None


def test_defaults_need_an_application(http: httpx.Client) -> None:
    envelope_error(http.get("/3/topics/defaults"), 401)
