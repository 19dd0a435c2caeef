"""Albums over raw HTTP.

Every album route is driven directly with httpx against the live server: the Album model field by field,
create/update/set/add/remove/delete in every array encoding clients use (`ids[]`, repeated `ids`, comma
string, JSON list, multipart), the 2012 `DELETE /album/{id}?ids=` form (removes images, never the album),
anonymous albums changed only through their deletehash, uploads joining albums (`album` / `album_id`),
covers, privacy and the account album listings, and album favorites.
"""

from __future__ import annotations

import base64
import time
from typing import Any

import httpx
import pytest

from tests.accounts.helpers import unique_png
from tests.albums.helpers import (
    ALBUM_KEYS,
    IMAGE_KEYS,
    User,
    album_image_ids,
    create,
    envelope_error,
    envelope_ok,
    get_album,
    snapshot,
)
from tests.api.helpers import upload
from tests.live import LiveServer, stored_keys


def _ids(items: list[dict[str, Any]]) -> list[str]:
    return [i["id"] for i in items]


# ---------------------------------------------------------------- the Album model


def test_get_album_every_field(
    http: httpx.Client, server: LiveServer, alice: User, bob: User, anon: dict[str, str]
) -> None:
    a = upload(http, alice.bearer, unique_png(30, 20), title="first")
    b = upload(http, alice.bearer, unique_png(50, 40))
    t0 = int(time.time())
    made = create(
        http,
        alice.bearer,
        data={
            "ids[]": [a["id"], b["id"]],
            "title": "Trip ✓",
            "description": "two & more",
            "privacy": "public",
            "layout": "grid",
        },
    )
    t1 = int(time.time())

    data = get_album(http, alice.bearer, made["id"])
    assert set(data) == ALBUM_KEYS | {"deletehash", "images"}
    expected = {
        "id": made["id"],
        "title": "Trip ✓",
        "description": "two & more",
        "cover": a["id"],
        "cover_width": 30,
        "cover_height": 20,
        "cover_edited": None,
        "account_url": alice.name,
        "account_id": alice.id,
        "privacy": "public",
        "layout": "grid",
        "views": 0,
        "link": f"{server.url}/a/{made['id']}",
        "favorite": False,
        "nsfw": None,
        "section": None,
        "order": 0,
        "images_count": 2,
        "in_gallery": False,
        "is_ad": False,
        "include_album_ads": False,
        "is_album": True,
        "deletehash": made["deletehash"],
    }
    assert {k: data[k] for k in expected} == expected
    assert isinstance(data["datetime"], int) and t0 <= data["datetime"] <= t1
    # The images, in order, as full Image objects; the owner sees their deletehashes and names.
    assert _ids(data["images"]) == [a["id"], b["id"]]
    for img, up in zip(data["images"], (a, b), strict=True):
        assert set(img) == IMAGE_KEYS
        assert img["deletehash"] == up["deletehash"] and img["name"] == "pic.png"
        assert img["link"] == up["link"] == f"{server.url}/{up['id']}.png"
        assert (img["width"], img["height"], img["size"]) == (up["width"], up["height"], up["size"])
    assert data["images"][0]["title"] == "first"

    # Anybody else: no album deletehash at all, image deletehashes and names blank.
    for headers in (anon, bob.bearer):
        other = get_album(http, headers, made["id"])
        assert set(other) == ALBUM_KEYS | {"images"}
        assert {k: other[k] for k in ALBUM_KEYS} == {k: data[k] for k in ALBUM_KEYS}
        assert [(i["deletehash"], i["name"]) for i in other["images"]] == [("", ""), ("", "")]


def test_album_link_serves_an_html_page(
    http: httpx.Client, server: LiveServer, alice: User, anon: dict[str, str]
) -> None:
    a = upload(http, alice.bearer, title="a <b>caption</b>")
    made = create(http, alice.bearer, data={"ids[]": [a["id"]], "title": "Page & title"})
    link = get_album(http, anon, made["id"])["link"]
    assert link == f"{server.url}/a/{made['id']}"

    page = http.get(link)  # the absolute link as handed out
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Page &amp; title" in page.text and a["id"] in page.text
    assert "<b>caption</b>" not in page.text  # titles are escaped
    # A page view is an album view.
    assert get_album(http, anon, made["id"])["views"] == 1
    assert http.get("/a/zzzzzzz").status_code == 404


def test_album_images_and_one_image(http: httpx.Client, alice: User, anon: dict[str, str]) -> None:
    a, b, c = (upload(http, alice.bearer) for _ in range(3))
    made = create(http, alice.bearer, data={"ids[]": [b["id"], a["id"]]})
    listed = envelope_ok(http.get(f"/3/album/{made['id']}/images", headers=anon))
    assert _ids(listed) == [b["id"], a["id"]]
    assert all(set(i) == IMAGE_KEYS and i["deletehash"] == "" for i in listed)
    assert listed == get_album(http, anon, made["id"])["images"]
    mine = envelope_ok(http.get(f"/3/album/{made['id']}/images", headers=alice.bearer))
    assert [i["deletehash"] for i in mine] == [b["deletehash"], a["deletehash"]]

    one = envelope_ok(http.get(f"/3/album/{made['id']}/image/{a['id']}", headers=anon))
    assert one == listed[1]
    err = envelope_error(http.get(f"/3/album/{made['id']}/image/{c['id']}", headers=anon), 404)
    assert err["error"] == f"Unable to find an image with the id, {c['id']}"
    err = envelope_error(http.get("/3/album/Zz9Zz9Z", headers=anon), 404)
    assert err == {
        "error": "Unable to find an album with the id, Zz9Zz9Z",
        "request": "/3/album/Zz9Zz9Z",
        "method": "GET",
    }
    envelope_error(http.get("/3/album/Zz9Zz9Z/images", headers=anon), 404)


# ---------------------------------------------------------------- create


@pytest.mark.parametrize("path", ["/3/album", "/3/album/"])
def test_create_returns_exactly_id_and_deletehash(http: httpx.Client, carol: User, path: str) -> None:
    a = upload(http, carol.bearer)
    r = http.post(path, headers=carol.bearer, data={"ids[]": [a["id"]], "title": "t"})
    data = envelope_ok(r)
    assert set(data) == {"id", "deletehash"}
    assert len(data["id"]) == 7 and data["id"].isalnum()
    assert len(data["deletehash"]) == 15 and data["deletehash"].isalnum()
    album = get_album(http, carol.bearer, data["id"])
    assert album["deletehash"] == data["deletehash"] and _ids(album["images"]) == [a["id"]]
    assert album["title"] == "t"


def test_create_with_every_field(http: httpx.Client, carol: User) -> None:
    a = upload(http, carol.bearer, unique_png(20, 10))
    b = upload(http, carol.bearer, unique_png(31, 17))
    made = create(
        http,
        carol.bearer,
        data={
            "ids[]": [a["id"], b["id"]],
            "title": "T",
            "description": "D",
            "privacy": "hidden",
            "layout": "horizontal",
            "cover": b["id"],
        },
    )
    album = get_album(http, carol.bearer, made["id"])
    assert (album["title"], album["description"], album["privacy"], album["layout"]) == (
        "T",
        "D",
        "hidden",
        "horizontal",
    )
    assert (album["cover"], album["cover_width"], album["cover_height"]) == (b["id"], 31, 17)
    assert _ids(album["images"]) == [a["id"], b["id"]]


def test_create_empty_album(http: httpx.Client, carol: User) -> None:
    made = create(http, carol.bearer)
    album = get_album(http, carol.bearer, made["id"])
    assert album["images"] == [] and album["images_count"] == 0
    assert (album["cover"], album["cover_width"], album["cover_height"]) == (None, 0, 0)
    assert (album["title"], album["description"], album["privacy"], album["layout"]) == (
        None,
        None,
        "public",
        "blog",
    )


# ---------------------------------------------------------------- array encodings × operations


def _encode(encoding: str, key: str, values: list[str]) -> dict[str, Any]:
    """httpx keyword arguments sending `key` = values in one of the forms real clients use."""
    if encoding == "brackets":
        return {"data": {f"{key}[]": values}}
    if encoding == "repeated":  # imgurpython / requests with a list value
        return {"data": {key: values}}
    if encoding == "comma":
        return {"data": {key: ",".join(values)}}
    if encoding == "json_list":
        return {"json": {key: values}}
    if encoding == "json_comma":  # PyImgur add_images
        return {"json": {key: ",".join(values)}}
    if encoding == "multipart":  # PyImgur create_album / remove_images
        return {"files": [(key, (None, v)) for v in values]}
    if encoding == "multipart_brackets":
        return {"files": [(f"{key}[]", (None, v)) for v in values]}
    if encoding == "query_brackets":
        return {"params": [(f"{key}[]", v) for v in values]}
    raise AssertionError(encoding)


ENCODINGS = [
    "brackets",
    "repeated",
    "comma",
    "json_list",
    "json_comma",
    "multipart",
    "multipart_brackets",
    "query_brackets",
]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("op", ["create", "set", "add", "remove"])
def test_ids_in_every_encoding(http: httpx.Client, carol: User, op: str, encoding: str) -> None:
    i1, i2, i3 = (upload(http, carol.bearer)["id"] for _ in range(3))
    if op == "create":
        made = envelope_ok(
            http.post("/3/album", headers=carol.bearer, **_encode(encoding, "ids", [i3, i1, i2]))
        )
        assert album_image_ids(http, carol.bearer, made["id"]) == [i3, i1, i2]
        return
    start = {"set": [i1, i2], "add": [i1], "remove": [i1, i2, i3]}[op]
    album = create(http, carol.bearer, data={"ids[]": start})["id"]
    path, values, expected = {
        "set": (f"/3/album/{album}", [i3, i1], [i3, i1]),
        "add": (f"/3/album/{album}/add", [i3, i2], [i1, i3, i2]),
        "remove": (f"/3/album/{album}/remove_images", [i1, i3], [i2]),
    }[op]
    assert envelope_ok(http.post(path, headers=carol.bearer, **_encode(encoding, "ids", values))) is True
    assert album_image_ids(http, carol.bearer, album) == expected


@pytest.mark.parametrize("encoding", ["brackets", "repeated", "comma", "json_list", "multipart"])
@pytest.mark.parametrize("op", ["create", "set", "add"])
def test_deletehashes_in_every_encoding(
    http: httpx.Client, anon: dict[str, str], op: str, encoding: str
) -> None:
    """Anonymous albums are filled with image deletehashes; the album itself is addressed by its own."""
    ups = [upload(http, anon) for _ in range(3)]
    (d1, d2, d3), (i1, i2, i3) = [u["deletehash"] for u in ups], [u["id"] for u in ups]
    if op == "create":
        made = envelope_ok(
            http.post("/3/album", headers=anon, **_encode(encoding, "deletehashes", [d2, d3, d1]))
        )
        assert album_image_ids(http, anon, made["id"]) == [i2, i3, i1]
        return
    made = create(http, anon, data={"deletehashes[]": [d1, d2] if op == "set" else [d1]})
    path, values, expected = {
        "set": (f"/3/album/{made['deletehash']}", [d3, d1], [i3, i1]),
        "add": (f"/3/album/{made['deletehash']}/add", [d3, d2], [i1, i3, i2]),
    }[op]
    assert envelope_ok(http.post(path, headers=anon, **_encode(encoding, "deletehashes", values))) is True
    assert album_image_ids(http, anon, made["id"]) == expected


# ---------------------------------------------------------------- update


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_update_fields_keeps_images(http: httpx.Client, carol: User, method: str) -> None:
    a, b = upload(http, carol.bearer, unique_png(11, 12)), upload(http, carol.bearer, unique_png(13, 14))
    made = create(
        http, carol.bearer, data={"ids[]": [a["id"], b["id"]], "title": "old", "description": "keep"}
    )
    r = http.request(
        method,
        f"/3/album/{made['id']}",
        headers=carol.bearer,
        data={"title": "new", "privacy": "secret", "layout": "vertical", "cover": b["id"]},
    )
    assert envelope_ok(r) is True
    album = get_album(http, carol.bearer, made["id"])
    assert (album["title"], album["description"], album["privacy"], album["layout"]) == (
        "new",
        "keep",
        "secret",
        "vertical",
    )
    assert (album["cover"], album["cover_width"], album["cover_height"]) == (b["id"], 13, 14)
    assert _ids(album["images"]) == [a["id"], b["id"]]  # no ids sent: the list stays
    # JSON bodies work the same way (PyImgur Album.update).
    assert (
        envelope_ok(
            http.request(method, f"/3/album/{made['id']}", headers=carol.bearer, json={"description": "json"})
        )
        is True
    )
    album = get_album(http, carol.bearer, made["id"])
    assert (album["title"], album["description"]) == ("new", "json")


@pytest.mark.parametrize("method", ["PUT", "POST"])
@pytest.mark.parametrize("path", ["/3/album/{id}", "/3/album/{id}/"])
def test_update_with_ids_replaces_the_list(http: httpx.Client, carol: User, method: str, path: str) -> None:
    a, b, c = (upload(http, carol.bearer)["id"] for _ in range(3))
    made = create(http, carol.bearer, data={"ids[]": [a, b], "title": "stays"})
    r = http.request(method, path.format(id=made["id"]), headers=carol.bearer, data={"ids": f"{c},{a}"})
    assert envelope_ok(r) is True
    assert album_image_ids(http, carol.bearer, made["id"]) == [c, a]
    assert get_album(http, carol.bearer, made["id"])["title"] == "stays"


def test_update_with_pyimgur_images_key(http: httpx.Client, carol: User) -> None:
    """PyImgur's Album.update sends the list as `images` (comma string) in a JSON PUT, plus a stray `url`."""
    a, b = (upload(http, carol.bearer)["id"] for _ in range(2))
    made = create(http, carol.bearer, data={"ids[]": [a]})
    r = http.put(
        f"/3/album/{made['id']}",
        headers=carol.bearer,
        json={"title": "py", "images": f"{b},{a}", "url": "https://api.imgur.com/3/album/x"},
    )
    assert envelope_ok(r) is True
    assert album_image_ids(http, carol.bearer, made["id"]) == [b, a]
    assert get_album(http, carol.bearer, made["id"])["title"] == "py"


# ---------------------------------------------------------------- add / remove / delete


def test_add_appends_without_duplicates(http: httpx.Client, carol: User) -> None:
    a, b, c = (upload(http, carol.bearer) for _ in range(3))
    made = create(http, carol.bearer, data={"ids[]": [a["id"]]})
    assert (
        envelope_ok(
            http.post(f"/3/album/{made['id']}/add", headers=carol.bearer, data={"ids[]": [b["id"], a["id"]]})
        )
        is True
    )
    assert album_image_ids(http, carol.bearer, made["id"]) == [a["id"], b["id"]]
    # The owner may also name their images by deletehash, mixed with ids.
    assert (
        envelope_ok(
            http.post(
                f"/3/album/{made['id']}/add",
                headers=carol.bearer,
                data={"deletehashes[]": [c["deletehash"]], "ids[]": [b["id"]]},
            )
        )
        is True
    )
    assert album_image_ids(http, carol.bearer, made["id"]) == [a["id"], b["id"], c["id"]]


def test_delete_album_keeps_its_images(http: httpx.Client, alice: User, anon: dict[str, str]) -> None:
    a, b = upload(http, alice.bearer), upload(http, alice.bearer)
    made = create(http, alice.bearer, data={"ids[]": [a["id"], b["id"]]})
    count = envelope_ok(http.get("/3/account/me/albums/count", headers=alice.bearer))
    assert envelope_ok(http.delete(f"/3/album/{made['id']}", headers=alice.bearer)) is True
    err = envelope_error(http.get(f"/3/album/{made['id']}", headers=anon), 404)
    assert err["error"] == f"Unable to find an album with the id, {made['id']}"
    envelope_error(http.get(f"/3/album/{made['id']}/images", headers=anon), 404)
    for up in (a, b):
        assert envelope_ok(http.get(f"/3/image/{up['id']}", headers=anon))["id"] == up["id"]
        assert http.get(f"/{up['id']}.png").status_code == 200
    assert envelope_ok(http.get("/3/account/me/albums/count", headers=alice.bearer)) == count - 1
    assert made["id"] not in envelope_ok(http.get("/3/account/me/albums/ids", headers=alice.bearer))
    assert http.get(f"/a/{made['id']}").status_code == 404
    # Deleting it again: it is gone.
    envelope_error(http.delete(f"/3/album/{made['id']}", headers=alice.bearer), 404)


@pytest.mark.parametrize(
    ("where", "form"),
    [
        ("query", "ids={a}"),
        ("query", "ids={a},{c}"),
        ("query", "ids[]={a}&ids[]={c}"),
        ("query+body", "ids={a},{c}"),  # imgurpython sends DELETE parameters as query string and body
        ("body", "ids={a},{c}"),
        ("query", "ids="),  # `ids` present but empty: still not a delete of the album
    ],
)
def test_delete_with_ids_removes_images_not_the_album(
    http: httpx.Client, carol: User, where: str, form: str
) -> None:
    a, b, c = (upload(http, carol.bearer)["id"] for _ in range(3))
    made = create(http, carol.bearer, data={"ids[]": [a, b, c], "title": "survivor"})
    encoded = form.format(a=a, c=c)
    url = f"/3/album/{made['id']}" + (f"?{encoded}" if "query" in where else "")
    headers = dict(carol.bearer)
    content = None
    if "body" in where:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        content = encoded.encode()
    assert envelope_ok(http.request("DELETE", url, headers=headers, content=content)) is True
    album = get_album(http, carol.bearer, made["id"])
    assert album["title"] == "survivor" and album["deletehash"] == made["deletehash"]
    removed = {"ids={a}": [a], "ids=": []}.get(form, [a, c])
    assert _ids(album["images"]) == [i for i in (a, b, c) if i not in removed]
    for i in (a, b, c):
        envelope_ok(http.get(f"/3/image/{i}", headers=carol.bearer))  # removing never deletes images


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_remove_images_route(http: httpx.Client, carol: User, method: str) -> None:
    a, b, c = (upload(http, carol.bearer)["id"] for _ in range(3))
    made = create(http, carol.bearer, data={"ids[]": [a, b, c]})
    r = http.request(
        method,
        f"/3/album/{made['id']}/remove_images",
        headers=carol.bearer,
        params={"ids": f"{b},{c}"} if method == "DELETE" else None,
        data={"ids[]": [b, c]} if method == "POST" else None,
    )
    assert envelope_ok(r) is True
    assert album_image_ids(http, carol.bearer, made["id"]) == [a]
    # Removing the rest, and removing what is not there, leaves an empty album.
    assert (
        envelope_ok(
            http.post(f"/3/album/{made['id']}/remove_images", headers=carol.bearer, data={"ids": f"{a},{b}"})
        )
        is True
    )
    album = get_album(http, carol.bearer, made["id"])
    assert album["images"] == [] and album["images_count"] == 0 and album["cover"] is None
    for i in (a, b, c):
        envelope_ok(http.get(f"/3/image/{i}", headers=carol.bearer))


# ---------------------------------------------------------------- favorites


def test_album_favorite_toggle_and_account_favorites(
    http: httpx.Client, alice: User, bob: User, anon: dict[str, str]
) -> None:
    img = upload(http, alice.bearer)
    made = create(http, alice.bearer, data={"ids[]": [img["id"]], "title": "fav"})
    path = f"/3/album/{made['id']}/favorite"

    err = envelope_error(http.post(path, headers=anon), 403)
    assert err["error"] == "This method requires authentication"
    assert envelope_ok(http.get("/3/account/me/favorites", headers=bob.bearer)) == []

    assert envelope_ok(http.post(path, headers=bob.bearer)) == "favorited"
    assert get_album(http, bob.bearer, made["id"])["favorite"] is True
    assert get_album(http, alice.bearer, made["id"])["favorite"] is False
    assert get_album(http, anon, made["id"])["favorite"] is False

    favs = envelope_ok(http.get("/3/account/me/favorites", headers=bob.bearer))
    assert _ids(favs) == [made["id"]]
    (item,) = favs
    assert set(item) == ALBUM_KEYS  # a list item: no images, and bob is not the owner
    assert item["is_album"] is True and item["favorite"] is True and item["title"] == "fav"
    assert item["images_count"] == 1 and item["cover"] == img["id"]
    assert envelope_ok(http.get(f"/3/account/{bob.name}/favorites", headers=bob.bearer)) == favs

    # Images and albums are listed together; every item says which it is.
    assert envelope_ok(http.post(f"/3/image/{img['id']}/favorite", headers=bob.bearer)) == "favorited"
    favs = envelope_ok(http.get("/3/account/me/favorites", headers=bob.bearer))
    assert sorted((f["id"], f["is_album"]) for f in favs) == sorted([(made["id"], True), (img["id"], False)])

    assert envelope_ok(http.post(path, headers=bob.bearer)) == "unfavorited"
    assert get_album(http, bob.bearer, made["id"])["favorite"] is False
    assert _ids(envelope_ok(http.get("/3/account/me/favorites", headers=bob.bearer))) == [img["id"]]
    envelope_error(http.post("/3/album/Zz9Zz9Z/favorite", headers=bob.bearer), 404)


# ---------------------------------------------------------------- anonymous albums


def _anon_album(
    http: httpx.Client, anon: dict[str, str], n: int = 2
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    ups = [upload(http, anon) for _ in range(n)]
    made = create(http, anon, data={"deletehashes[]": [u["deletehash"] for u in ups], "title": "anon"})
    return made, ups


def test_anonymous_album_shape(http: httpx.Client, anon: dict[str, str]) -> None:
    made, ups = _anon_album(http, anon)
    album = get_album(http, anon, made["id"])
    assert set(album) == ALBUM_KEYS | {"images"}  # nobody owns it by id: no deletehash
    assert album["account_url"] is None and album["account_id"] is None
    assert album["privacy"] == "public" and album["title"] == "anon"
    assert _ids(album["images"]) == [u["id"] for u in ups]
    assert album["cover"] == ups[0]["id"]


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PUT", "", {"title": "hacked"}),
        ("POST", "", {"title": "hacked"}),
        ("POST", "", {"deletehashes[]": ["{dh}"]}),
        ("POST", "/add", {"deletehashes[]": ["{dh}"]}),
        ("POST", "/remove_images", {"ids[]": ["{first}"]}),
        ("DELETE", "/remove_images", {"ids[]": ["{first}"]}),
        ("DELETE", "", {"ids": "{first}"}),
        ("DELETE", "", None),
    ],
)
@pytest.mark.parametrize("who", ["client", "user"])
def test_anonymous_album_by_id_is_refused(
    http: httpx.Client,
    anon: dict[str, str],
    alice: User,
    method: str,
    suffix: str,
    body: dict[str, Any] | None,
    who: str,
) -> None:
    made, ups = _anon_album(http, anon)
    extra = upload(http, anon)
    before = snapshot(http, anon, made["id"])
    fill = {"dh": extra["deletehash"], "first": ups[0]["id"]}
    data = (
        None
        if body is None
        else {
            k: ([x.format(**fill) for x in v] if isinstance(v, list) else v.format(**fill))
            for k, v in body.items()
        }
    )
    headers = anon if who == "client" else alice.bearer
    r = http.request(method, f"/3/album/{made['id']}{suffix}", headers=headers, data=data)
    envelope_error(r, 403)
    assert snapshot(http, anon, made["id"]) == before


def test_anonymous_album_changed_through_its_deletehash(
    http: httpx.Client, anon: dict[str, str], session_client: tuple[str, str]
) -> None:
    made, (u1, u2) = _anon_album(http, anon)
    u3, u4 = upload(http, anon), upload(http, anon)
    dh = made["deletehash"]

    assert (
        envelope_ok(http.put(f"/3/album/{dh}", headers=anon, data={"title": "renamed", "description": "d"}))
        is True
    )
    assert (
        envelope_ok(
            http.post(
                f"/3/album/{dh}/add",
                headers=anon,
                data={"deletehashes": f"{u3['deletehash']},{u4['deletehash']}"},
            )
        )
        is True
    )
    assert album_image_ids(http, anon, made["id"]) == [u1["id"], u2["id"], u3["id"], u4["id"]]
    assert (
        envelope_ok(http.post(f"/3/album/{dh}/remove_images", headers=anon, data={"ids[]": [u2["id"]]}))
        is True
    )
    assert (
        envelope_ok(http.delete(f"/3/album/{dh}/remove_images", headers=anon, params={"ids": u3["id"]}))
        is True
    )
    assert album_image_ids(http, anon, made["id"]) == [u1["id"], u4["id"]]
    assert (
        envelope_ok(
            http.post(
                f"/3/album/{dh}", headers=anon, data={"deletehashes[]": [u3["deletehash"], u1["deletehash"]]}
            )
        )
        is True
    )
    album = get_album(http, anon, made["id"])
    assert (album["title"], album["description"]) == ("renamed", "d")
    assert _ids(album["images"]) == [u3["id"], u1["id"]]
    # 2012 form through the deletehash too: removes images, the album stays.
    assert envelope_ok(http.request("DELETE", f"/3/album/{dh}?ids={u1['id']}", headers=anon)) is True
    assert album_image_ids(http, anon, made["id"]) == [u3["id"]]

    assert envelope_ok(http.delete(f"/3/album/{dh}", headers=anon)) is True
    envelope_error(http.get(f"/3/album/{made['id']}", headers=anon), 404)
    for u in (u1, u2, u3, u4):
        envelope_ok(http.get(f"/3/image/{u['id']}", headers=anon))


def test_anonymous_caller_cannot_use_image_ids(http: httpx.Client, anon: dict[str, str]) -> None:
    """Without an account nobody owns an image by id: only image deletehashes fill an anonymous album."""
    made, ups = _anon_album(http, anon)
    extra = upload(http, anon)
    before = snapshot(http, anon, made["id"])
    envelope_error(
        http.post(f"/3/album/{made['deletehash']}/add", headers=anon, data={"ids[]": [extra["id"]]}), 403
    )
    envelope_error(
        http.post(f"/3/album/{made['deletehash']}", headers=anon, data={"ids[]": [extra["id"]]}), 403
    )
    assert snapshot(http, anon, made["id"]) == before
    envelope_error(http.post("/3/album", headers=anon, data={"ids[]": [extra["id"]]}), 403)


def test_user_cannot_add_others_images_by_id(http: httpx.Client, carol: User, bob: User) -> None:
    mine = upload(http, carol.bearer)
    theirs = upload(http, bob.bearer)
    made = create(http, carol.bearer, data={"ids[]": [mine["id"]]})
    before = snapshot(http, carol.bearer, made["id"])
    envelope_error(
        http.post(f"/3/album/{made['id']}/add", headers=carol.bearer, data={"ids[]": [theirs["id"]]}), 403
    )
    envelope_error(
        http.post(f"/3/album/{made['id']}/add", headers=carol.bearer, data={"ids[]": ["Zz9Zz9Z"]}), 404
    )
    assert snapshot(http, carol.bearer, made["id"]) == before


# ---------------------------------------------------------------- uploads into albums


@pytest.mark.parametrize("field", ["album", "album_id"])
def test_upload_into_owned_album(http: httpx.Client, carol: User, field: str) -> None:
    first = upload(http, carol.bearer)
    made = create(http, carol.bearer, data={"ids[]": [first["id"]]})
    up = upload(http, carol.bearer, **{field: made["id"]})
    assert set(IMAGE_KEYS) <= set(up) and up["deletehash"]
    assert album_image_ids(http, carol.bearer, made["id"]) == [first["id"], up["id"]]
    # PyImgur's multipart upload: text field album_id before the file.
    r = http.post(
        "/3/image",
        headers=carol.bearer,
        files=[(field, (None, made["id"])), ("image", ("image", unique_png()))],
    )
    third = envelope_ok(r)
    assert album_image_ids(http, carol.bearer, made["id"]) == [first["id"], up["id"], third["id"]]


@pytest.mark.parametrize("encoding", ["query", "json_base64", "urlencoded_base64", "raw_body"])
def test_upload_album_field_in_every_upload_encoding(http: httpx.Client, carol: User, encoding: str) -> None:
    """`album` reaches the upload however the client sends its fields."""
    made = create(http, carol.bearer)
    png = unique_png()
    b64 = base64.b64encode(png).decode()
    if encoding == "query":  # multipart file, album in the query string
        r = http.post(
            "/3/upload", headers=carol.bearer, params={"album": made["id"]}, files={"image": ("q.png", png)}
        )
    elif encoding == "json_base64":
        r = http.post(
            "/3/image", headers=carol.bearer, json={"image": b64, "type": "base64", "album": made["id"]}
        )
    elif encoding == "urlencoded_base64":  # imgurpython upload_from_path(config={"album": …}, anon=False)
        r = http.post(
            "/3/upload", headers=carol.bearer, data={"image": b64, "type": "base64", "album": made["id"]}
        )
    else:  # Flameshot style: the file is the body, fields in the query string
        r = http.post(
            "/3/image",
            headers={**carol.bearer, "Content-Type": "application/x-www-form-urlencoded"},
            params={"album": made["id"], "title": "raw"},
            content=png,
        )
    up = envelope_ok(r)
    assert album_image_ids(http, carol.bearer, made["id"]) == [up["id"]]


@pytest.mark.parametrize("field", ["album", "album_id"])
def test_anonymous_upload_into_anonymous_album_by_deletehash(
    http: httpx.Client, anon: dict[str, str], field: str
) -> None:
    made = create(http, anon, data={"title": "drop box"})
    ups = [upload(http, anon, **{field: made["deletehash"]}) for _ in range(2)]
    album = get_album(http, anon, made["id"])
    assert _ids(album["images"]) == [u["id"] for u in ups]
    assert album["cover"] == ups[0]["id"] and album["account_id"] is None


@pytest.mark.parametrize("field", ["album", "album_id"])
@pytest.mark.parametrize("who", ["client", "other_user", "owner_of_other_kind"])
def test_upload_into_unowned_album_is_refused_and_leaves_nothing(
    http: httpx.Client, server: LiveServer, alice: User, bob: User, anon: dict[str, str], field: str, who: str
) -> None:
    owned = create(http, alice.bearer, data={"title": "alice's"})
    anon_album = create(http, anon)
    target, headers = {
        "client": (owned["id"], anon),  # somebody else's album, no token
        "other_user": (owned["id"], bob.bearer),  # somebody else's album, another token
        "owner_of_other_kind": (anon_album["id"], alice.bearer),  # an anonymous album by id, not deletehash
    }[who]
    keys = stored_keys(server)
    bob_count = envelope_ok(http.get("/3/account/me/images/count", headers=bob.bearer))
    alice_count = envelope_ok(http.get("/3/account/me/images/count", headers=alice.bearer))
    before = snapshot(http, anon, target)

    r = http.post(
        "/3/upload", headers=headers, files={"image": ("x.png", unique_png())}, data={field: target}
    )
    err = envelope_error(r, 403)
    assert err["request"] == "/3/upload" and err["method"] == "POST"

    assert stored_keys(server) == keys, "a refused upload left a file behind"
    assert envelope_ok(http.get("/3/account/me/images/count", headers=bob.bearer)) == bob_count
    assert envelope_ok(http.get("/3/account/me/images/count", headers=alice.bearer)) == alice_count
    assert snapshot(http, anon, target) == before


def test_upload_into_missing_album_is_refused_and_leaves_nothing(
    http: httpx.Client, server: LiveServer, alice: User
) -> None:
    keys = stored_keys(server)
    r = http.post(
        "/3/upload", headers=alice.bearer, files={"image": ("x.png", unique_png())}, data={"album": "Zz9Zz9Z"}
    )
    assert envelope_error(r, 404)["error"] == "Unable to find an album with the id, Zz9Zz9Z"
    assert stored_keys(server) == keys
    assert envelope_ok(http.get("/3/account/me/images/count", headers=alice.bearer)) == 0


def test_upload_with_owned_albums_deletehash(http: httpx.Client, alice: User, anon: dict[str, str]) -> None:
    """The album deletehash is a credential of its own: whoever holds it may upload into the album."""
    made = create(http, alice.bearer)
    up = upload(http, anon, album=made["deletehash"])
    assert album_image_ids(http, alice.bearer, made["id"]) == [up["id"]]
    assert up["account_id"] is None


# ---------------------------------------------------------------- covers and image deletion


def test_cover_defaults_to_first_and_follows_deletions(
    http: httpx.Client, carol: User, anon: dict[str, str]
) -> None:
    a, b, c = (upload(http, carol.bearer, unique_png(10 + k, 20 + k)) for k in range(3))
    made = create(http, carol.bearer, data={"ids[]": [a["id"], b["id"], c["id"]]})

    def cover() -> tuple[Any, int, int]:
        al = get_album(http, anon, made["id"])
        return al["cover"], al["cover_width"], al["cover_height"]

    assert cover() == (a["id"], 10, 20)
    # Choose b; delete b: the cover follows to the first image again.
    envelope_ok(http.put(f"/3/album/{made['id']}", headers=carol.bearer, data={"cover": b["id"]}))
    assert cover() == (b["id"], 11, 21)
    assert envelope_ok(http.delete(f"/3/image/{b['id']}", headers=carol.bearer)) is True
    assert cover() == (a["id"], 10, 20)
    # The default cover (first image) deleted: the next one takes over.
    assert envelope_ok(http.delete(f"/3/image/{a['deletehash']}", headers=anon)) is True
    assert cover() == (c["id"], 12, 22)
    assert envelope_ok(http.delete(f"/3/image/{c['id']}", headers=carol.bearer)) is True
    assert cover() == (None, 0, 0)
    album = get_album(http, anon, made["id"])
    assert album["images"] == [] and album["images_count"] == 0


def test_cover_follows_when_removed_from_album(http: httpx.Client, carol: User) -> None:
    a, b = upload(http, carol.bearer), upload(http, carol.bearer)
    made = create(http, carol.bearer, data={"ids[]": [a["id"], b["id"]], "cover": b["id"]})
    assert get_album(http, carol.bearer, made["id"])["cover"] == b["id"]
    envelope_ok(
        http.post(f"/3/album/{made['id']}/remove_images", headers=carol.bearer, data={"ids": b["id"]})
    )
    assert get_album(http, carol.bearer, made["id"])["cover"] == a["id"]


def test_deleting_an_image_removes_it_from_every_album(
    http: httpx.Client, carol: User, anon: dict[str, str]
) -> None:
    a, b = upload(http, carol.bearer), upload(http, carol.bearer)
    one = create(http, carol.bearer, data={"ids[]": [a["id"], b["id"]]})
    two = create(http, carol.bearer, data={"ids[]": [b["id"], a["id"]]})
    assert envelope_ok(http.delete(f"/3/image/{a['id']}", headers=carol.bearer)) is True
    for made in (one, two):
        assert album_image_ids(http, anon, made["id"]) == [b["id"]]
        envelope_error(http.get(f"/3/album/{made['id']}/image/{a['id']}", headers=anon), 404)
    assert get_album(http, anon, two["id"])["cover"] == b["id"]
    # Through the account route (by deletehash) as well.
    envelope_ok(http.delete(f"/3/account/me/image/{b['deletehash']}", headers=carol.bearer))
    assert album_image_ids(http, anon, one["id"]) == []


# ---------------------------------------------------------------- privacy and account listings


def _three_albums(http: httpx.Client, user: User) -> dict[str, str]:
    img = upload(http, user.bearer)
    out = {}
    for privacy in ("public", "hidden", "secret"):
        out[privacy] = create(
            http, user.bearer, data={"privacy": privacy, "ids[]": [img["id"]], "title": privacy}
        )["id"]
    return out


def test_account_albums_hidden_and_secret_only_to_owner(
    http: httpx.Client, alice: User, bob: User, anon: dict[str, str]
) -> None:
    albums = _three_albums(http, alice)
    everything = set(albums.values())

    for path in (
        f"/3/account/{alice.name}/albums",
        "/3/account/me/albums",
        f"/3/account/{alice.name}/albums/0",
    ):
        mine = envelope_ok(http.get(path, headers=alice.bearer))
        assert set(_ids(mine)) == everything and len(mine) == 3
        for item in mine:
            assert set(item) == ALBUM_KEYS | {"deletehash"}  # lists carry no images
            assert item["title"] == item["privacy"] and item["images_count"] == 1
            assert item["account_url"] == alice.name and item["account_id"] == alice.id
    for headers in (bob.bearer, anon):
        theirs = envelope_ok(http.get(f"/3/account/{alice.name}/albums", headers=headers))
        assert _ids(theirs) == [albums["public"]]
        assert set(theirs[0]) == ALBUM_KEYS
        assert envelope_ok(http.get(f"/3/account/{alice.name}/albums/ids", headers=headers)) == [
            albums["public"]
        ]
        assert envelope_ok(http.get(f"/3/account/{alice.name}/albums/count", headers=headers)) == 1

    ids = envelope_ok(http.get(f"/3/account/{alice.name}/albums/ids", headers=alice.bearer))
    assert ids == envelope_ok(http.get("/3/account/me/albums/ids/0", headers=alice.bearer))
    assert ids == _ids(envelope_ok(http.get("/3/account/me/albums", headers=alice.bearer)))
    assert set(ids) == everything
    assert envelope_ok(http.get("/3/account/me/albums/count", headers=alice.bearer)) == 3

    # Hidden and secret albums stay reachable by direct link, by anybody.
    for privacy in ("hidden", "secret"):
        album = get_album(http, bob.bearer, albums[privacy])
        assert album["privacy"] == privacy and "deletehash" not in album
        assert http.get(f"/a/{albums[privacy]}").status_code == 200
        one = envelope_ok(http.get(f"/3/account/{alice.name}/album/{albums[privacy]}", headers=anon))
        assert one == get_album(http, anon, albums[privacy])


def test_account_album_pages(http: httpx.Client, alice: User, anon: dict[str, str]) -> None:
    made = [create(http, alice.bearer, data={"title": str(k)})["id"] for k in range(3)]
    full = _ids(envelope_ok(http.get(f"/3/account/{alice.name}/albums", headers=anon)))
    assert sorted(full) == sorted(made)

    def page(path: str, **params: Any) -> list[str]:
        got = envelope_ok(http.get(path, headers=anon, params=params))
        return got if got and isinstance(got[0], str) else _ids(got)

    base = f"/3/account/{alice.name}/albums"
    assert page(f"{base}/0", perPage=2) == full[:2]
    assert page(f"{base}/1", perPage=2) == full[2:]
    assert page(f"{base}/2", perPage=2) == []
    assert page(f"{base}/1") == []  # past the end: an empty list, never 404
    assert page(f"{base}/99") == []
    # ShareX: page and perPage in the query string.
    assert page(base, page=0, perPage=100) == full
    assert page(base, page=1, perPage=2) == full[2:]
    assert page(base, page=1, perPage=100) == []
    assert page(f"{base}/ids/0", perPage=2) == full[:2]
    assert page(f"{base}/ids/1", perPage=2) == full[2:]
    assert page(f"{base}/ids/1") == []
    err = envelope_error(http.get("/3/account/nosuchuser0000/albums", headers=anon), 404)
    assert "nosuchuser0000" in err["error"]


def test_account_album_route(http: httpx.Client, alice: User, bob: User, anon: dict[str, str]) -> None:
    img = upload(http, alice.bearer)
    made = create(http, alice.bearer, data={"ids[]": [img["id"]], "title": "via account"})
    for headers in (alice.bearer, bob.bearer, anon):
        via_account = envelope_ok(http.get(f"/3/account/{alice.name}/album/{made['id']}", headers=headers))
        assert via_account == get_album(http, headers, made["id"])
    mine = envelope_ok(http.get(f"/3/account/me/album/{made['id']}", headers=alice.bearer))
    assert mine["deletehash"] == made["deletehash"] and _ids(mine["images"]) == [img["id"]]
    # Another account's album under this name is not found.
    err = envelope_error(http.get(f"/3/account/{bob.name}/album/{made['id']}", headers=anon), 404)
    assert err["error"] == f"Unable to find an album with the id, {made['id']}"


def test_delete_through_account_route(
    http: httpx.Client, alice: User, bob: User, anon: dict[str, str]
) -> None:
    img = upload(http, alice.bearer)
    made = create(http, alice.bearer, data={"ids[]": [img["id"]]})
    before = snapshot(http, alice.bearer, made["id"])
    envelope_error(http.delete(f"/3/account/{alice.name}/album/{made['id']}", headers=bob.bearer), 403)
    envelope_error(http.delete(f"/3/account/{alice.name}/album/{made['id']}", headers=anon), 403)
    # bob's own account route does not reach alice's album.
    envelope_error(http.delete(f"/3/account/{bob.name}/album/{made['id']}", headers=bob.bearer), 404)
    assert snapshot(http, alice.bearer, made["id"]) == before

    assert (
        envelope_ok(http.delete(f"/3/account/{alice.name}/album/{made['id']}", headers=alice.bearer)) is True
    )
    envelope_error(http.get(f"/3/album/{made['id']}", headers=anon), 404)
    envelope_ok(http.get(f"/3/image/{img['id']}", headers=anon))
    other = create(http, alice.bearer)
    assert envelope_ok(http.delete(f"/3/account/me/album/{other['id']}", headers=alice.bearer)) is True
    assert envelope_ok(http.get("/3/account/me/albums/count", headers=alice.bearer)) == 0


def test_default_privacy_follows_account_setting(
    http: httpx.Client, alice: User, bob: User, anon: dict[str, str]
) -> None:
    def settings(value: str) -> None:
        assert (
            envelope_ok(
                http.put("/3/account/me/settings", headers=alice.bearer, data={"album_privacy": value})
            )
            is True
        )
        assert envelope_ok(http.get("/3/account/me/settings", headers=alice.bearer))["album_privacy"] == value

    assert get_album(http, alice.bearer, create(http, alice.bearer)["id"])["privacy"] == "public"
    settings("secret")
    secret = create(http, alice.bearer)["id"]
    assert get_album(http, alice.bearer, secret)["privacy"] == "secret"
    settings("hidden")
    hidden = create(http, alice.bearer)["id"]
    assert get_album(http, alice.bearer, hidden)["privacy"] == "hidden"
    explicit = create(http, alice.bearer, data={"privacy": "public"})["id"]
    assert get_album(http, alice.bearer, explicit)["privacy"] == "public"
    listed = envelope_ok(http.get(f"/3/account/{alice.name}/albums/ids", headers=bob.bearer))
    assert secret not in listed and hidden not in listed and explicit in listed
    # Anonymous albums have no account setting: public.
    assert get_album(http, anon, create(http, anon)["id"])["privacy"] == "public"


def test_privacy_change_moves_album_out_of_public_lists(http: httpx.Client, alice: User, bob: User) -> None:
    made = create(http, alice.bearer, data={"privacy": "public"})
    assert made["id"] in envelope_ok(http.get(f"/3/account/{alice.name}/albums/ids", headers=bob.bearer))
    envelope_ok(http.post(f"/3/album/{made['id']}", headers=alice.bearer, data={"privacy": "secret"}))
    assert made["id"] not in envelope_ok(http.get(f"/3/account/{alice.name}/albums/ids", headers=bob.bearer))
    assert envelope_ok(http.get(f"/3/account/{alice.name}/albums/count", headers=bob.bearer)) == 0
    assert get_album(http, bob.bearer, made["id"])["privacy"] == "secret"


def test_account_without_albums(http: httpx.Client, alice: User, anon: dict[str, str]) -> None:
    assert envelope_ok(http.get(f"/3/account/{alice.name}/albums", headers=anon)) == []
    assert envelope_ok(http.get(f"/3/account/{alice.name}/albums/ids", headers=anon)) == []
    assert envelope_ok(http.get(f"/3/account/{alice.name}/albums/count", headers=anon)) == 0


# ---------------------------------------------------------------- refusals change nothing; lifecycles


def test_a_partly_invalid_change_changes_nothing(http: httpx.Client, carol: User, bob: User) -> None:
    a, b = upload(http, carol.bearer), upload(http, carol.bearer)
    theirs = upload(http, bob.bearer)
    made = create(http, carol.bearer, data={"ids[]": [a["id"]], "title": "t0"})
    before = snapshot(http, carol.bearer, made["id"])
    path = f"/3/album/{made['id']}"
    envelope_error(http.post(f"{path}/add", headers=carol.bearer, data={"ids[]": [b["id"], "Zz9Zz9Z"]}), 404)
    envelope_error(
        http.post(f"{path}/add", headers=carol.bearer, data={"ids[]": [b["id"], theirs["id"]]}), 403
    )
    envelope_error(
        http.put(path, headers=carol.bearer, data={"title": "t1", "ids[]": [b["id"], "Zz9Zz9Z"]}), 404
    )
    envelope_error(http.put(path, headers=carol.bearer, data={"title": "t1", "cover": "Zz9Zz9Z"}), 404)
    envelope_error(http.post("/3/album", headers=carol.bearer, data={"ids[]": [a["id"], theirs["id"]]}), 403)
    assert snapshot(http, carol.bearer, made["id"]) == before


def test_deleted_album_leaves_favorites(http: httpx.Client, alice: User, bob: User) -> None:
    made = create(http, alice.bearer, data={"title": "short-lived"})
    assert envelope_ok(http.post(f"/3/album/{made['id']}/favorite", headers=bob.bearer)) == "favorited"
    assert _ids(envelope_ok(http.get("/3/account/me/favorites", headers=bob.bearer))) == [made["id"]]
    envelope_ok(http.delete(f"/3/album/{made['id']}", headers=alice.bearer))
    assert envelope_ok(http.get("/3/account/me/favorites", headers=bob.bearer)) == []


def test_deleting_the_account_deletes_its_albums(
    http: httpx.Client, alice: User, bob: User, anon: dict[str, str]
) -> None:
    own = upload(http, alice.bearer)
    made = create(http, alice.bearer, data={"ids[]": [own["id"]]})
    # bob's album holding bob's image is not touched by alice leaving.
    kept_img = upload(http, bob.bearer)
    kept = create(http, bob.bearer, data={"ids[]": [kept_img["id"]]})
    envelope_ok(http.post(f"/3/album/{made['id']}/favorite", headers=bob.bearer))
    assert envelope_ok(http.delete("/3/account/me", headers=alice.bearer)) is True
    envelope_error(http.get(f"/3/album/{made['id']}", headers=anon), 404)
    assert http.get(f"/a/{made['id']}").status_code == 404
    assert envelope_ok(http.get("/3/account/me/favorites", headers=bob.bearer)) == []
    assert album_image_ids(http, anon, kept["id"]) == [kept_img["id"]]


def test_renamed_account_shows_in_its_albums(http: httpx.Client, alice: User, anon: dict[str, str]) -> None:
    made = create(http, alice.bearer)
    new_name = "r" + alice.name[-12:]
    assert (
        envelope_ok(http.put("/3/account/me/settings", headers=alice.bearer, data={"username": new_name}))
        is True
    )
    assert get_album(http, anon, made["id"])["account_url"] == new_name
    assert _ids(envelope_ok(http.get(f"/3/account/{new_name}/albums", headers=anon))) == [made["id"]]


def test_odd_privacy_values_fall_back_to_the_accounts_default(
    http: httpx.Client, alice: User, bob: User, anon: dict[str, str]
) -> None:
    """Unknown enum values fall back to the default instead of failing, and the default privacy
    of a new album is the account's `album_privacy`: an odd value must not publish an album its owner
    wants secret. Imgur's newer "private" means secret."""
    envelope_ok(http.put("/3/account/me/settings", headers=alice.bearer, data={"album_privacy": "secret"}))
    private = create(http, alice.bearer, data={"privacy": "private"})["id"]
    assert get_album(http, alice.bearer, private)["privacy"] == "secret"
    odd = create(http, alice.bearer, data={"privacy": "Friends-Only"})["id"]
    assert get_album(http, alice.bearer, odd)["privacy"] == "secret"
    assert envelope_ok(http.get(f"/3/account/{alice.name}/albums/ids", headers=bob.bearer)) == []
    # Nor may an odd value on update turn a secret album public.
    envelope_ok(http.put(f"/3/album/{private}", headers=alice.bearer, data={"privacy": "Friends-Only"}))
    assert get_album(http, alice.bearer, private)["privacy"] == "secret"
    # Without an account the default is public.
    assert get_album(http, anon, create(http, anon, data={"privacy": "bogus"})["id"])["privacy"] == "public"


def test_album_owner_does_not_see_secrets_of_images_added_by_deletehash(
    http: httpx.Client, carol: User, bob: User
) -> None:
    theirs = upload(http, bob.bearer)
    made = create(http, carol.bearer, data={"deletehashes[]": [theirs["deletehash"]]})
    (img,) = get_album(http, carol.bearer, made["id"])["images"]
    assert img["id"] == theirs["id"] and img["account_id"] == bob.id
    assert (img["deletehash"], img["name"]) == ("", "")  # the image is still bob's
    (img,) = get_album(http, bob.bearer, made["id"])["images"]
    assert img["deletehash"] == theirs["deletehash"]


def test_a_failed_upload_does_not_join_the_album(http: httpx.Client, server: LiveServer, carol: User) -> None:
    made = create(http, carol.bearer)
    keys = stored_keys(server)
    r = http.post(
        "/3/upload",
        headers=carol.bearer,
        files={"image": ("x.png", b"not an image at all")},
        data={"album": made["id"]},
    )
    assert r.status_code == 400 and r.json()["success"] is False
    assert album_image_ids(http, carol.bearer, made["id"]) == []
    assert stored_keys(server) == keys


def test_json_suffix_and_me_without_a_user(http: httpx.Client, carol: User, anon: dict[str, str]) -> None:
    made = create(http, carol.bearer)
    assert envelope_ok(http.get(f"/3/album/{made['id']}.json", headers=anon)) == get_album(
        http, anon, made["id"]
    )
    for path in ("/3/account/me/albums", "/3/account/me/albums/ids", "/3/account/me/albums/count"):
        assert (
            envelope_error(http.get(path, headers=anon), 403)["error"]
            == "This method requires authentication"
        )
