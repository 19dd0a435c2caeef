"""`imghost export` and `imghost import archive`: an account's round trip between two servers.

Server A is the suite's `server` (on the suite's backend). Server B always runs on its own SQLite file
and local disk (empty storage and Redis URLs): when the suite runs on PostgreSQL + S3 + Redis the round
trip crosses backends; on the embedded run it goes from embedded to embedded. Everything is compared
through the API of each server: ids, titles, descriptions, names, times, types, sizes, album order,
privacy and covers, favourites, and the bytes behind every direct link."""

from __future__ import annotations

import hashlib
import io
import json
import random
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.accounts.helpers import User, make_user
from tests.api.helpers import envelope_ok, unique_jpeg, unique_png, upload
from tests.live import UNLIMITED, LiveServer, free_port, start_server


def gif_bytes(frames: int = 4, w: int = 32, h: int = 24) -> bytes:
    """An animated GIF whose colours nothing else shares."""
    rng = random.Random()
    images = [Image.new("RGB", (w, h), tuple(rng.randrange(256) for _ in range(3))) for _ in range(frames)]
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=80, loop=0)
    return out.getvalue()


def start_b(tmp: Path) -> LiveServer:
    """A second server on its own SQLite file and local disk, whatever the suite's backend."""
    data = tmp / "b-data"
    data.mkdir()
    return start_server(
        data,
        port=free_port(),
        extra_env={
            **UNLIMITED,
            "IMGHOST_DATABASE_URL": f"sqlite:///{data / 'b.db'}",
            "IMGHOST_STORAGE_URL": "",
            "IMGHOST_REDIS_URL": "",
        },
    )


@dataclass
class Source:
    user: User
    images: list[str]  # ids, in upload order
    albums: list[str]
    stranger_image: str  # someone else's image the user favourited (not part of the account)


def populate(srv: LiveServer, creds: tuple[str, str], *, extra_pngs: int = 0) -> Source:
    """An account on srv with a JPEG, a PNG, an animated GIF and a second JPEG (titles, descriptions,
    names), albums in each privacy with their own order and covers, and favourites."""
    user = make_user(srv, creds, prefix="src")
    auth = user.bearer
    seed = random.getrandbits(40)
    made = [
        upload(srv, auth, unique_jpeg(seed), title="Sunset", description="over the bay", filename="bay.jpg"),
        upload(srv, auth, unique_png(48, 32), title="Ünïcode ✓ <b>", description="line one\nline two"),
        upload(srv, auth, gif_bytes(), title="Spinner", filename="spin.gif"),
        upload(srv, auth, unique_jpeg(seed + 1, 80, 60), filename="untitled.jpg"),
    ]
    made += [upload(srv, auth, unique_png(600, 400)) for _ in range(extra_pngs)]
    ids = [m["id"] for m in made]
    assert made[2]["animated"] is True

    def album(**fields: Any) -> str:
        r = httpx.post(f"{srv.url}/3/album", headers=auth, data=fields, timeout=60)
        return str(envelope_ok(r)["id"])

    albums = [
        album(
            **{"ids[]": [ids[1], ids[0], ids[2]]},
            title="Trip",
            description="Three days",
            privacy="public",
            cover=ids[2],
        ),
        album(**{"ids[]": [ids[3]]}, title="Drafts", privacy="hidden"),
        album(**{"ids[]": [ids[3], ids[0]] + ids[4:]}, title="Secret", description="", privacy="secret"),
    ]
    stranger = make_user(srv, creds, prefix="oth")
    stranger_image = upload(srv, stranger.bearer, unique_png())["id"]
    for path in (f"image/{ids[0]}", f"image/{stranger_image}", f"album/{albums[0]}"):
        r = httpx.post(f"{srv.url}/3/{path}/favorite", headers=auth, timeout=60)
        assert envelope_ok(r) == "favorited"
    return Source(user, ids, albums, stranger_image)


def _pages(srv: LiveServer, user: User, path: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for page in range(100):
        rows = envelope_ok(
            httpx.get(f"{srv.url}/3/account/me/{path}/{page}", headers=user.bearer, timeout=60)
        )
        if not rows:
            return out
        out.extend(rows)
    raise AssertionError("more pages than any test makes")


def snapshot(srv: LiveServer, user: User, *, skip_favorites: set[str] = frozenset()) -> dict[str, Any]:
    """The account as its API shows it, with the sha256 of the bytes behind each direct link; nothing
    that names the server or the account (links, account_url, deletehashes, view counts)."""
    images = _pages(srv, user, "images")
    keep = ("id", "title", "description", "name", "datetime", "type", "animated", "width", "height", "size")
    albums = []
    for summary in _pages(srv, user, "albums"):
        a = envelope_ok(httpx.get(f"{srv.url}/3/album/{summary['id']}", headers=user.bearer, timeout=60))
        albums.append(
            {
                **{k: a[k] for k in ("id", "title", "description", "privacy", "layout", "cover", "datetime")},
                "images": [i["id"] for i in a["images"]],
            }
        )
    with httpx.Client(timeout=60, follow_redirects=True) as http:
        data = {
            i["id"]: hashlib.sha256(http.get(i["link"]).raise_for_status().content).hexdigest()
            for i in images
        }
    favorites = [
        ("album" if f.get("is_album") else "image", f["id"])
        for f in _pages(srv, user, "favorites")
        if f["id"] not in skip_favorites
    ]
    return {
        "images": [{k: i[k] for k in keep} for i in images],  # in the account's own listing order
        "bytes": data,
        "albums": sorted(albums, key=lambda a: a["id"]),
        "favorites": sorted(favorites),
    }


def image_count(srv: LiveServer, user: User) -> int:
    r = httpx.get(f"{srv.url}/3/account/me/images/count", headers=user.bearer, timeout=60)
    return int(envelope_ok(r))


def run_json(srv: LiveServer, *args: str) -> tuple[int, dict[str, Any]]:
    out = srv.cli(*args, "--json", check=False)
    try:
        return out.returncode, json.loads(out.stdout)
    except ValueError:
        raise AssertionError(f"no JSON report (exit {out.returncode}):\n{out.stdout}\n{out.stderr}") from None


# ---------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def b_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    srv = start_b(tmp_path_factory.mktemp("archive-b"))
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def b_creds(b_server: LiveServer) -> tuple[str, str]:
    return b_server.create_client("archive-b")


@pytest.fixture(scope="module")
def source(server: LiveServer, session_client: tuple[str, str]) -> Source:
    return populate(server, session_client)


@pytest.fixture(scope="module")
def exported(server: LiveServer, source: Source, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("export") / "archive"
    code, report = run_json(server, "export", "--user", source.user.name, str(target))
    assert code == 0, report
    assert report["images"] == len(source.images) and report["albums"] == 3 and not report["failed"]
    return target


@pytest.fixture(scope="module")
def round_trip(
    exported: Path, b_server: LiveServer, b_creds: tuple[str, str]
) -> tuple[User, tuple[int, dict[str, Any]]]:
    """The archive imported into B under another name: (that account, (exit code, report))."""
    other = make_user(b_server, b_creds, prefix="dst")
    return other, run_json(b_server, "import", "archive", str(exported), "--user", other.name)


# ---------------------------------------------------------------------------------------- tests


def test_the_archive_holds_a_documented_manifest_and_the_original_files(
    server: LiveServer, source: Source, exported: Path
) -> None:
    manifest = json.loads((exported / "manifest.json").read_text())
    assert manifest["format"] == "imghost-archive" and manifest["version"] == 1
    assert manifest["account"]["username"] == source.user.name
    assert set(manifest["account"]["settings"]) >= {"public_images", "album_privacy"}
    assert sorted(i["id"] for i in manifest["images"]) == sorted(source.images)
    with httpx.Client(timeout=60, follow_redirects=True) as http:
        for entry in manifest["images"]:
            body = (exported / entry["file"]).read_bytes()
            assert hashlib.sha256(body).hexdigest() == entry["sha256"]
            assert len(body) == entry["size"]
            assert http.get(f"{server.url}/{entry['id']}.{entry['file'].rsplit('.', 1)[1]}").content == body
    by_id = {a["id"]: a for a in manifest["albums"]}
    trip = by_id[source.albums[0]]
    assert trip["images"] == [source.images[1], source.images[0], source.images[2]]
    assert (trip["privacy"], trip["cover"], trip["title"]) == ("public", source.images[2], "Trip")
    assert by_id[source.albums[1]]["privacy"] == "hidden"
    assert by_id[source.albums[2]]["privacy"] == "secret"
    # Favourites (made within one second here, so in no particular order), someone else's image too:
    # an importer sets it where that id exists.
    favorites = manifest["favorites"]
    assert sorted(favorites["images"]) == sorted([source.images[0], source.stranger_image])
    assert favorites["albums"] == [source.albums[0]]
    assert not list(exported.rglob("*.part"))


def test_round_trip_into_another_server_keeps_every_id_field_order_and_byte(
    server: LiveServer,
    source: Source,
    exported: Path,
    b_server: LiveServer,
    round_trip: tuple[User, tuple[int, dict[str, Any]]],
) -> None:
    """Export from A, import into B under another name: B's API shows the same account."""
    other, (code, report) = round_trip
    assert code == 0, report
    assert report["counts"]["imported"] == len(source.images) + 3, report
    assert report["counts"]["failed"] == 0 and report["renamed"] == {}
    # The stranger's image is not on B: that favourite cannot be set there.
    assert report["favorites"] == {"set": 2, "already_set": 0, "not_here": 1}
    before = snapshot(server, source.user, skip_favorites={source.stranger_image})
    after = snapshot(b_server, other)
    assert after == before
    assert len(after["images"]) == len(source.images) and len(after["albums"]) == 3

    # A rerun brings nothing new: every item is already here, B holds what it held.
    code, again = run_json(b_server, "import", "archive", str(exported), "--user", other.name)
    assert code == 0, again
    counts = again["counts"]
    assert counts["already here"] == len(source.images) + 3 and counts["imported"] == 0, again
    assert again["favorites"] == {"set": 0, "already_set": 2, "not_here": 1}
    assert image_count(b_server, other) == len(source.images)
    assert snapshot(b_server, other) == before


def test_a_file_that_does_not_match_its_sha256_is_refused(
    server: LiveServer,
    session_client: tuple[str, str],
    b_server: LiveServer,
    b_creds: tuple[str, str],
    tmp_path: Path,
) -> None:
    owner = make_user(server, session_client, prefix="tam")
    good = upload(server, owner.bearer, unique_png(), title="fine")
    bad = upload(server, owner.bearer, unique_png(), title="tampered")
    target = tmp_path / "archive"
    code, _ = run_json(server, "export", "--user", owner.name, str(target))
    assert code == 0
    broken = target / "images" / f"{bad['id']}.png"
    body = bytearray(broken.read_bytes())
    body[-20] ^= 0xFF
    broken.write_bytes(bytes(body))
    other = make_user(b_server, b_creds, prefix="tdst")
    code, report = run_json(b_server, "import", "archive", str(target), "--user", other.name)
    assert code == 1
    items = {i["source_id"]: i for i in report["items"]}
    assert items[good["id"]]["outcome"] == "imported"
    assert items[bad["id"]]["outcome"] == "failed" and "sha256" in items[bad["id"]]["reason"]
    assert (
        httpx.get(f"{b_server.url}/3/image/{bad['id']}", headers=other.bearer, timeout=60).status_code == 404
    )
    assert image_count(b_server, other) == 1


def test_a_zip_archive_reads_back_and_a_rerun_makes_no_second_copy_of_what_was_renamed(
    server: LiveServer,
    source: Source,
    exported: Path,
    b_server: LiveServer,
    b_creds: tuple[str, str],
    round_trip: tuple[User, tuple[int, dict[str, Any]]],
    tmp_path: Path,
) -> None:
    """The zip form (what "download my data" hands out) holds the same tree. Imported into a third
    account on B, whose ids the round trip already took: the images are the same bytes under the same
    ids (already here), the albums belong to someone else there and take new ids; a rerun finds those
    in its state file instead of making them again."""
    zipped = tmp_path / "archive.zip"
    code, report = run_json(server, "export", "--user", source.user.name, str(zipped))
    assert code == 0, report
    with zipfile.ZipFile(zipped) as z:
        assert z.testzip() is None
        names = set(z.namelist())
        on_disk = {str(p.relative_to(exported)) for p in exported.rglob("*") if p.is_file()}
        assert names == on_disk
        for name in names - {"manifest.json"}:
            assert z.read(name) == (exported / name).read_bytes()
        inside, outside = (
            json.loads(z.read("manifest.json")),
            json.loads((exported / "manifest.json").read_text()),
        )
        inside.pop("exported_at"), outside.pop("exported_at")
        assert inside == outside
    third = make_user(b_server, b_creds, prefix="zip")
    code, first = run_json(b_server, "import", "archive", str(zipped), "--user", third.name)
    assert code == 0, first
    assert first["counts"]["already here"] == len(source.images), first
    assert sorted(first["renamed"]) == sorted(f"album:{a}" for a in source.albums), first
    code, second = run_json(b_server, "import", "archive", str(zipped), "--user", third.name)
    assert code == 0 and second["counts"]["already here"] == len(source.images) + 3, second
    assert second["counts"]["renamed"] == 0 and second["counts"]["imported"] == 0
    albums = _pages(b_server, third, "albums")
    assert len(albums) == 3
    names = {a["title"] for a in albums}
    assert names == {"Trip", "Drafts", "Secret"}


def test_an_unfinished_or_foreign_directory_is_not_an_archive(b_server: LiveServer, tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    out = b_server.cli("import", "archive", str(tmp_path), "--user", "nobody1", check=False)
    assert out.returncode == 1 and "manifest.json" in out.stderr
    shutil.rmtree(tmp_path / "images")
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "imghost-archive", "version": 99}))
    out = b_server.cli("import", "archive", str(tmp_path), "--user", "nobody1", check=False)
    assert out.returncode == 1 and "version 99" in out.stderr


def test_the_archive_holds_the_conversations_as_the_account_sees_them(
    server: LiveServer, session_client: tuple[str, str], tmp_path: Path
) -> None:
    """Every conversation, every message the account sees (past a conversation page: 30 of them),
    oldest first; what it deleted is not there, and the other side's archive still has it."""
    me, friend, other = (make_user(server, session_client, prefix=p) for p in ("talker", "friend", "other"))
    with httpx.Client(base_url=server.url, timeout=60) as http:
        for n in range(30):
            who, to = (me, friend) if n % 2 == 0 else (friend, me)
            r = http.post(f"/3/conversations/{to.name}", headers=who.bearer, data={"body": f"line {n}"})
            assert envelope_ok(r) is True
        r = http.post(
            "/3/message", headers=other.bearer, data={"recipient": me.name, "body": "hi", "subject": "s"}
        )
        assert envelope_ok(r) is True
        first = envelope_ok(http.get("/3/messages", headers=me.bearer))
        gone = next(m["id"] for m in first if m["body"] == "hi")
        assert envelope_ok(http.delete(f"/3/message/{gone}", headers=me.bearer)) is True

    def export(who: User) -> list[dict[str, Any]]:
        target = tmp_path / who.name
        code, report = run_json(server, "export", "--user", who.name, str(target))
        assert code == 0, report
        manifest = json.loads((target / "manifest.json").read_text())
        assert report["conversations"] == len(manifest["conversations"])
        return manifest["conversations"]

    mine = {c["with"]: c["messages"] for c in export(me)}
    assert set(mine) == {friend.name}  # the one message from `other` was deleted: nothing left of it here
    assert [m["body"] for m in mine[friend.name]] == [f"line {n}" for n in range(30)]
    assert [m["from"] for m in mine[friend.name][:2]] == [me.name, friend.name]
    assert all(isinstance(m["datetime"], int) for m in mine[friend.name])
    (theirs,) = export(other)
    assert theirs["with"] == me.name
    assert [(m["from"], m["subject"], m["body"]) for m in theirs["messages"]] == [(other.name, "s", "hi")]
