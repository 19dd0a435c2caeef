"""`imghost import links`: the Imgur links in text brought over under their ids, from a stand-in Imgur.

The media host is tests/imports/standin.py on loopback (which the URL-upload rules refuse unless
--allow-private says otherwise); the API source for albums is a real imghost (the suite's `server`)
and the destination of those is a second server B on its own SQLite file and local disk."""

from __future__ import annotations

import io
import json
import os
import secrets
import signal
import string
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.accounts.helpers import make_user
from tests.api.helpers import envelope_ok, unique_jpeg, unique_png, upload
from tests.imports.standin import StandIn, media_host
from tests.imports.test_archive import gif_bytes, run_json, start_b
from tests.live import LiveServer, imghost_cmd, stored_keys, tmp_leftovers

ALNUM = string.ascii_letters + string.digits


def new_id(length: int = 7) -> str:
    return "".join(secrets.choice(ALNUM) for _ in range(length))


def jpeg(w: int, h: int) -> bytes:
    return unique_jpeg(secrets.randbits(40), w, h)


def png(w: int, h: int) -> bytes:
    return unique_png(w, h)


@pytest.fixture
def standin() -> Iterator[StandIn]:
    with media_host() as s:
        yield s


def import_links(
    srv: LiveServer, standin: StandIn, *args: str, private: bool = True
) -> tuple[int, dict[str, Any]]:
    extra = ["--allow-private"] if private else []
    return run_json(srv, "import", "links", "--media-url", standin.url, *extra, *args)


def image(srv: LiveServer, creds: tuple[str, str], ident: str) -> httpx.Response:
    return httpx.get(
        f"{srv.url}/3/image/{ident}", headers={"Authorization": f"Client-ID {creds[0]}"}, timeout=60
    )


def items(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{i['kind']}:{i['source_id']}": i for i in report["items"]}


def test_every_link_shape_in_markdown_html_bbcode_and_plain_text_comes_over_and_is_rewritten(
    server: LiveServer, session_client: tuple[str, str], standin: StandIn, tmp_path: Path
) -> None:
    ids = {name: new_id() for name in "ABCDEFGHJ"}
    ids["five"] = new_id(5)
    sizes: dict[str, tuple[int, int]] = {}
    for n, (name, ident) in enumerate(ids.items()):
        w, h = 40 + n * 4, 30 + n * 2
        sizes[name] = (w, h)
        if name in ("D", "J"):
            standin.add(ident, png(w, h), "image/png")
        elif name == "G":
            standin.add(ident, gif_bytes(w=w, h=h), "image/gif")
        else:
            standin.add(ident, jpeg(w, h), "image/jpeg")
    album, gallery = new_id(), new_id()
    i = ids
    text = (
        f"# Notes\n\nMarkdown: ![a](https://i.imgur.com/{i['A']}.jpg) and [thumb](https://i.imgur.com/{i['B']}m.jpg "
        f'"a thumbnail") and <https://imgur.com/{i["C"]}>.\n'
        f'HTML: <img src="//i.imgur.com/{i["D"]}.png" alt=""> <a href="http://m.imgur.com/{i["E"]}">x</a> '
        f'<video src="https://i.imgur.com/{i["G"]}.gifv"></video>\n'
        f"BBCode: [img]i.imgur.com/{i['F']}.jpeg[/img] [url=https://www.imgur.com/{i['five']}]five[/url]\n"
        f"Plain: imgur.com/{i['H']}.jpg?1 and https://i.imgur.com/{i['J']}h.png#frag, "
        f"album imgur.com/a/{album} and https://imgur.com/gallery/some-title-{gallery}\n"
        f"Not ours: https://imgur.com/user/someone notimgur.com/{i['A']}.jpg https://i.stack.imgur.com/{i['A']}.png\n"
    )
    src = tmp_path / "notes.md"
    src.write_text(text)
    out = tmp_path / "notes.rewritten.md"
    code, report = import_links(
        server, standin, str(src), "--rewrite", str(out), "--state", str(tmp_path / "s")
    )
    got = items(report)
    assert code == 0, report
    assert report["counts"]["imported"] == len(ids), report
    assert report["counts"]["failed"] == 0
    for name, ident in ids.items():
        entry = got[f"image:{ident}"]
        assert (entry["outcome"], entry["local_id"]) == ("imported", ident), entry
        data = envelope_ok(image(server, session_client, ident))
        assert (data["width"], data["height"]) == sizes[name], (name, data)
    assert envelope_ok(image(server, session_client, ids["G"]))["animated"] is True
    # Album and gallery links need the API: reported, not guessed.
    for key in (f"album:{album}", f"gallery:{gallery}"):
        assert got[key]["outcome"] == "skipped" and "--client-id" in got[key]["reason"], got[key]
    assert any("imgur.com/user/someone" in note for note in report["notes"])
    # Only originals were fetched: a thumbnail link brings its original, never the small file.
    fetched = standin.paths()
    assert f"/{i['B']}.jpg" in fetched and f"/{i['B']}m.jpg" not in fetched
    assert f"/{i['J']}.png" in fetched and f"/{i['J']}h.png" not in fetched
    assert f"/{i['G']}.mp4" in fetched and f"/{i['G']}.gif" in fetched  # no MP4 there: the GIF itself

    base = server.url
    expected = (
        text.replace(f"https://i.imgur.com/{i['A']}.jpg", f"{base}/{i['A']}.jpg")
        .replace(f"https://i.imgur.com/{i['B']}m.jpg", f"{base}/{i['B']}m.jpg")
        .replace(f"<https://imgur.com/{i['C']}>", f"<{base}/{i['C']}>")
        .replace(f"//i.imgur.com/{i['D']}.png", f"{base}/{i['D']}.png")
        .replace(f"http://m.imgur.com/{i['E']}", f"{base}/{i['E']}")
        .replace(f"https://i.imgur.com/{i['G']}.gifv", f"{base}/{i['G']}.gifv")
        .replace(f"[img]i.imgur.com/{i['F']}.jpeg", f"[img]{base}/{i['F']}.jpeg")
        .replace(f"https://www.imgur.com/{i['five']}", f"{base}/{i['five']}")
        .replace(f"imgur.com/{i['H']}.jpg?1", f"{base}/{i['H']}.jpg?1")
        .replace(f"https://i.imgur.com/{i['J']}h.png", f"{base}/{i['J']}h.png")
    )
    assert out.read_text() == expected
    # Every rewritten link answers here, thumbnails and pages included.
    for path in (
        f"{i['A']}.jpg",
        f"{i['B']}m.jpg",
        i["C"],
        f"{i['G']}.gifv",
        f"{i['J']}h.png",
        f"{i['F']}.jpeg",
    ):
        r = httpx.get(f"{base}/{path}", timeout=60)
        assert r.status_code == 200, (path, r.status_code)
    with Image.open(io.BytesIO(httpx.get(f"{base}/{i['B']}m.jpg", timeout=60).content)) as thumb:
        assert max(thumb.size) <= 320


def test_removed_missing_and_rate_limited_images_are_reported_and_retried_politely(
    server: LiveServer, session_client: tuple[str, str], standin: StandIn, tmp_path: Path
) -> None:
    good = [new_id() for _ in range(6)]
    for ident in good:
        standin.add(ident, jpeg(48, 32), "image/jpeg")
    removed, missing = new_id(), new_id()
    standin.removed.add(removed)
    standin.rate_limit_every = 3
    standin.retry_after = "1"
    src = tmp_path / "links.txt"
    src.write_text("\n".join(f"https://i.imgur.com/{x}.jpg" for x in [*good, removed, missing]) + "\n")
    code, report = import_links(server, standin, str(src), "--state", str(tmp_path / "s"), "--parallel", "2")
    got = items(report)
    assert code == 1, report  # something failed: the exit code says so
    assert all(got[f"image:{x}"]["outcome"] == "imported" for x in good), report
    assert got[f"image:{removed}"]["outcome"] == "removed"
    assert got[f"image:{missing}"]["outcome"] == "failed" and "404" in got[f"image:{missing}"]["reason"]
    assert report["counts"] == {
        "imported": 6,
        "already here": 0,
        "renamed": 0,
        "removed": 1,
        "failed": 1,
        "skipped": 0,
    }
    # The placeholder was never fetched, let alone stored.
    assert "/removed.png" not in standin.paths()
    assert image(server, session_client, removed).status_code == 404
    assert image(server, session_client, missing).status_code == 404
    # Every 429 was followed by a pause of at least its Retry-After before that file was asked for again.
    hits = list(standin.hits)
    limited = [h for h in hits if h.status == 429]
    assert limited and report["retries"] >= len(limited)
    for h in limited:
        again = [x.at for x in hits if x.path == h.path and x.at > h.at]
        assert again and min(again) - h.at >= 0.9, f"{h.path} asked again before Retry-After had passed"
    # A rerun on the same state file skips what is final (imported, removed) and tries the failure again.
    standin.rate_limit_every = 0
    before = len(standin.hits)
    rerun = server.cli(
        "import",
        "links",
        str(src),
        "--media-url",
        standin.url,
        "--allow-private",
        "--state",
        str(tmp_path / "s"),
        check=False,
    )
    assert rerun.returncode == 1
    assert "7 done by an earlier run" in rerun.stdout, rerun.stdout
    assert "removed at the source" in rerun.stdout and f"image {missing}" in rerun.stdout, rerun.stdout
    assert [h.path for h in standin.hits[before:]] == [f"/{missing}.jpg"]


def test_an_id_taken_here_by_other_content_takes_a_new_id_and_the_same_content_is_stored_once(
    server: LiveServer, session_client: tuple[str, str], standin: StandIn, tmp_path: Path
) -> None:
    local = upload(server, {"Authorization": f"Client-ID {session_client[0]}"}, jpeg(64, 48))
    taken = local["id"]
    standin.add(taken, png(30, 20), "image/png")  # the same id there, other content
    fresh = new_id()
    standin.add(fresh, jpeg(50, 40), "image/jpeg")
    src = tmp_path / "t.html"
    src.write_text(
        f'<img src="https://i.imgur.com/{taken}.png"><img src="https://i.imgur.com/{fresh}.jpg">'
        f'<a href="https://imgur.com/{fresh}">same one again</a>'
    )
    out = tmp_path / "out.html"
    code, report = import_links(
        server, standin, str(src), "--rewrite", str(out), "--state", str(tmp_path / "s")
    )
    assert code == 0, report
    got = items(report)
    renamed = got[f"image:{taken}"]
    assert renamed["outcome"] == "renamed" and renamed["local_id"] not in ("", taken)
    assert report["renamed"] == {f"image:{taken}": renamed["local_id"]}
    # The local image keeps its id and content; the import lives under its new id.
    kept = envelope_ok(image(server, session_client, taken))
    assert (kept["width"], kept["height"], kept["type"]) == (64, 48, "image/jpeg")
    moved = envelope_ok(image(server, session_client, renamed["local_id"]))
    assert (moved["width"], moved["height"], moved["type"]) == (30, 20, "image/png")
    assert out.read_text() == (
        f'<img src="{server.url}/{renamed["local_id"]}.png"><img src="{server.url}/{fresh}.jpg">'
        f'<a href="{server.url}/{fresh}">same one again</a>'
    )
    # Two links to one image: one fetch.
    assert standin.paths().count(f"/{fresh}.jpg") == 1
    # A second run without the state file finds everything already here and stores nothing new.
    code, again = import_links(server, standin, str(src), "--state", str(tmp_path / "other"))
    assert code == 0, again
    got = items(again)
    assert got[f"image:{fresh}"]["outcome"] == "already here"
    assert got[f"image:{fresh}"]["local_id"] == fresh
    # The renamed one is found under its new id through its content (not imported a third time).
    assert got[f"image:{taken}"]["outcome"] in ("renamed", "already here")


def test_owned_by_a_user_and_read_from_standard_input_with_the_rewrite_on_standard_output(
    server: LiveServer, session_client: tuple[str, str], standin: StandIn, tmp_path: Path
) -> None:
    user = make_user(server, session_client, prefix="imp")
    ident = new_id()
    standin.add(ident, jpeg(44, 33), "image/jpeg")
    text = f"look: https://i.imgur.com/{ident}.jpg\n"
    proc = subprocess.run(
        imghost_cmd()
        + ["import", "links", "-", "--user", user.name, "--rewrite", "-", "--media-url", standin.url]
        + ["--allow-private", "--json", "--state", str(tmp_path / "s")],
        env=server.env,
        input=text.encode(),
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == f"look: {server.url}/{ident}.jpg\n"
    report = json.loads(proc.stderr.decode()[proc.stderr.decode().index("{") :])
    assert report["counts"]["imported"] == 1
    mine = envelope_ok(httpx.get(f"{server.url}/3/account/me/images", headers=user.bearer, timeout=60))
    assert ident in [m["id"] for m in mine]


def test_album_and_gallery_links_come_over_through_the_api_of_another_server(
    server: LiveServer, session_client: tuple[str, str], standin: StandIn, tmp_path: Path
) -> None:
    """The source is a real imghost (its API and its media links); the destination B another one."""
    owner = make_user(server, session_client, prefix="alb")
    made = [
        upload(server, owner.bearer, jpeg(60, 40), title="First", description="one"),
        upload(server, owner.bearer, png(30, 30), title="Second"),
        upload(server, owner.bearer, jpeg(20, 50), description="third, untitled"),
    ]
    order = [made[2]["id"], made[0]["id"], made[1]["id"]]
    r = httpx.post(
        f"{server.url}/3/album",
        headers=owner.bearer,
        data={"ids[]": order, "title": "Holiday", "description": "Two weeks", "cover": made[1]["id"]},
        timeout=60,
    )
    album = envelope_ok(r)["id"]
    single = upload(server, owner.bearer, jpeg(36, 24), title="On its own", description="by itself")["id"]
    plain = new_id()
    standin.add(plain, jpeg(26, 26), "image/jpeg")
    src = tmp_path / "post.txt"
    src.write_text(
        f"Album: https://imgur.com/a/{album}\nAgain as a post: https://imgur.com/gallery/{album}\n"
        f"An image page: https://imgur.com/{single}\nA file: https://i.imgur.com/{plain}.jpg\n"
    )
    b = start_b(tmp_path)
    try:
        creds = b.create_client("dest")
        dest = make_user(b, creds, prefix="dst")
        code, report = import_links(
            b,
            standin,
            str(src),
            "--client-id",
            session_client[0],
            "--api-url",
            server.url,
            "--user",
            dest.name,
            "--rewrite",
            str(tmp_path / "post.out.txt"),
            "--state",
            str(tmp_path / "s"),
        )
        assert code == 0, report
        got = items(report)
        # Linked twice (as an album and as a post): imported once, found already here the second time.
        twice = sorted(e["outcome"] for e in report["items"] if e["source_id"] == album)
        assert twice == ["already here", "imported"], report
        assert got[f"image:{single}"]["outcome"] == "imported"
        there = envelope_ok(
            httpx.get(
                f"{b.url}/3/album/{album}", headers={"Authorization": f"Client-ID {creds[0]}"}, timeout=60
            )
        )
        assert (there["title"], there["description"], there["cover"]) == (
            "Holiday",
            "Two weeks",
            made[1]["id"],
        )
        assert there["account_url"] == dest.name
        assert [img["id"] for img in there["images"]] == order
        by_id = {img["id"]: img for img in there["images"]}
        assert (by_id[made[0]["id"]]["title"], by_id[made[0]["id"]]["description"]) == ("First", "one")
        assert by_id[made[2]["id"]]["description"] == "third, untitled"
        alone = envelope_ok(image(b, creds, single))
        assert (alone["title"], alone["description"]) == ("On its own", "by itself")
        assert envelope_ok(image(b, creds, plain))["width"] == 26
        assert (tmp_path / "post.out.txt").read_text() == (
            f"Album: {b.url}/a/{album}\nAgain as a post: {b.url}/a/{album}\n"
            f"An image page: {b.url}/{single}\nA file: {b.url}/{plain}.jpg\n"
        )
        # The application's credentials went to the API only, never to the media host.
        assert standin.hits and not any("authorization" in h.headers for h in standin.hits)
    finally:
        b.stop()


def test_a_loopback_media_host_is_refused_without_allow_private(
    server: LiveServer, session_client: tuple[str, str], standin: StandIn, tmp_path: Path
) -> None:
    ident = new_id()
    standin.add(ident, jpeg(20, 20), "image/jpeg")
    src = tmp_path / "x.txt"
    src.write_text(f"https://i.imgur.com/{ident}.jpg")
    code, report = import_links(server, standin, str(src), "--state", str(tmp_path / "s"), private=False)
    assert code == 1, report
    entry = items(report)[f"image:{ident}"]
    assert entry["outcome"] == "failed" and entry["reason"], entry
    assert standin.hits == []
    assert image(server, session_client, ident).status_code == 404


def test_a_rerun_after_a_kill_mid_import_imports_nothing_twice_and_finishes_the_rest(
    server: LiveServer, session_client: tuple[str, str], standin: StandIn, tmp_path: Path
) -> None:
    ids = [new_id() for _ in range(30)]
    for ident in ids:
        standin.add(ident, jpeg(40, 30), "image/jpeg")
    standin.delay = 0.15
    src = tmp_path / "many.txt"
    src.write_text(" ".join(f"i.imgur.com/{x}.jpg" for x in ids))
    state = tmp_path / "kill.state"
    args = ["import", "links", str(src), "--media-url", standin.url, "--allow-private", "--parallel", "2"]
    proc = subprocess.Popen(
        imghost_cmd() + args + ["--state", str(state)],
        env=server.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if state.exists() and state.read_text().count('"imported"') >= 6:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    done_before = [x for x in ids if f'"{x}"' in state.read_text()]
    assert 6 <= len(done_before) < len(ids), "the kill came too late to test anything"
    standin.delay = 0.0
    before = len(standin.hits)
    code, report = run_json(server, *args, "--state", str(state))
    assert code == 0, report
    got = items(report)
    for ident in ids:
        assert got[f"image:{ident}"]["local_id"] == ident
        assert got[f"image:{ident}"]["outcome"] in ("imported", "already here"), got[f"image:{ident}"]
    earlier = {x for x in ids if got[f"image:{x}"]["earlier"]}
    assert earlier == set(done_before)
    # What the first run finished was not fetched again.
    refetched = {h.path for h in standin.hits[before:]}
    assert not any(f"/{x}.jpg" in refetched for x in done_before)
    for ident in ids:
        assert envelope_ok(image(server, session_client, ident))["id"] == ident


def test_size_limits_hold_while_streaming_and_a_failure_leaves_nothing_behind(
    server: LiveServer, session_client: tuple[str, str], standin: StandIn, tmp_path: Path
) -> None:
    big, bad, small = new_id(), new_id(), new_id()
    standin.add(big, png(400, 300), "image/png")  # random pixels: ~360 KB, over the limit below
    standin.add(bad, b"<html>not an image</html>" * 10, "image/jpeg")
    standin.add(small, jpeg(20, 20), "image/jpeg")
    assert len(standin.files[big][0]) > 200_000
    src = tmp_path / "x.txt"
    src.write_text(" ".join(f"https://i.imgur.com/{x}.jpg" for x in (big, bad, small)))
    keys_before = stored_keys(server)
    env = {**server.env, "IMGHOST_MAX_IMAGE_BYTES": "100000", "IMGHOST_MAX_VIDEO_BYTES": "100000"}
    proc = subprocess.run(
        imghost_cmd()
        + ["import", "links", str(src), "--media-url", standin.url, "--allow-private", "--json"]
        + ["--state", str(tmp_path / "s")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    got = items(json.loads(proc.stdout))
    assert got[f"image:{big}"]["outcome"] == "failed" and got[f"image:{big}"]["reason"]
    assert got[f"image:{bad}"]["outcome"] == "failed" and got[f"image:{bad}"]["reason"]
    assert got[f"image:{small}"]["outcome"] == "imported"
    for ident in (big, bad):
        assert image(server, session_client, ident).status_code == 404
    # One new image, so its original and nothing else (thumbnails are made on demand).
    added = stored_keys(server) - keys_before
    assert len(added) == 1, added
    assert tmp_leftovers(server) == []
    assert "Traceback" not in proc.stderr


def test_worker_processes_share_the_work_and_a_killed_run_is_finished_by_the_next(
    server: LiveServer, session_client: tuple[str, str], standin: StandIn, tmp_path: Path
) -> None:
    ids = [new_id() for _ in range(120)]
    for ident in ids:
        standin.add(ident, jpeg(24, 24), "image/jpeg")
    src = tmp_path / "many.txt"
    src.write_text("\n".join(f"![](https://i.imgur.com/{x}.jpg)" for x in ids))
    state = tmp_path / "w.state"
    args = ["import", "links", str(src), "--media-url", standin.url, "--allow-private"]
    args += ["--workers", "2", "--parallel", "4", "--state", str(state)]
    standin.delay = 0.05
    proc = subprocess.Popen(
        imghost_cmd() + args, env=server.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            shards = list(tmp_path.glob("w.state.w*"))
            if sum(p.read_text().count('"imported"') for p in shards) >= 10:
                break
            time.sleep(0.05)
        # The whole process group: the parent and both workers, as a terminal's Ctrl-\\ or an OOM kill.
        for child in _children(proc.pid):
            os.kill(child, signal.SIGKILL)
        proc.kill()
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    left = list(tmp_path.glob("w.state.w*"))
    assert left, "the workers' shards are what a rerun resumes from"
    done_before = {x for x in ids if any(f'"image:{x}"' in p.read_text() for p in left)}
    assert 10 <= len(done_before) < len(ids)
    standin.delay = 0.0
    before = len(standin.hits)
    code, report = run_json(server, *args, "--json")
    assert code == 0, report
    assert report["workers"] == 2
    got = items(report)
    assert set(got) == {f"image:{x}" for x in ids}
    assert {x for x in ids if got[f"image:{x}"]["earlier"]} == done_before
    assert not any(f"/{x}.jpg" == h.path for h in standin.hits[before:] for x in done_before)
    assert list(tmp_path.glob("w.state.w*")) == []  # taken into the state file
    text = state.read_text()
    assert all(f'"image:{x}"' in text for x in ids)
    for ident in ids:
        assert envelope_ok(image(server, session_client, ident))["id"] == ident


def _children(pid: int) -> list[int]:
    """Every descendant of pid (the import's worker processes), from /proc."""
    out: list[int] = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            child = int(stat.parent.name)
            out += [child, *_children(child)]
    return out


def test_a_used_up_quota_in_x_ratelimit_headers_pauses_until_its_reset(
    server: LiveServer, standin: StandIn, tmp_path: Path
) -> None:
    ids = [new_id() for _ in range(4)]
    for ident in ids:
        standin.add(ident, jpeg(20, 20), "image/jpeg")
    standin.exhausted_at = 2
    src = tmp_path / "q.txt"
    src.write_text(" ".join(f"https://i.imgur.com/{x}.jpg" for x in ids))
    code, report = import_links(
        server, standin, str(src), "--parallel", "1", "--workers", "1", "--state", str(tmp_path / "s")
    )
    assert code == 0 and report["counts"]["imported"] == 4, report
    hits = list(standin.hits)
    # The second answer said the quota is used up until a reset 1-2 s away: the third request waited.
    assert hits[2].at - hits[1].at >= 0.9, [h.at for h in hits]
    assert report["seconds_paused_by_rate_limits"] >= 0.9
