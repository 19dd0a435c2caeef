"""The upload page `/` and POST /upload: chooser, drop, paste, URLs, many files with progress, albums,
anonymous and signed-in uploads, the plain form without a script, and the answers behind them."""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.helpers import png_bytes, unique_jpeg
from tests.live import UNLIMITED, LiveServer, db_rows, free_port, http_thread, start_server, tmp_leftovers
from tests.web.conftest import describe, new_context, serious_violations, shot, sign_up

_seed = [int(time.time() * 1000) % 10**9 * 100]


def jpeg() -> bytes:
    """A JPEG no other upload of any run has sent (deduplication must not hide a missing upload)."""
    _seed[0] += 1
    return unique_jpeg(_seed[0])


def rows(page: Any) -> Any:
    return page.locator("#upload-list > li")


_page_errors: dict[int, list[str]] = {}


def wait_settled(page: Any, count: int) -> None:
    """Until `count` rows exist and each is done or failed (and the page's script never threw)."""
    page.wait_for_function(
        """n => {
            const items = document.querySelectorAll('#upload-list > li');
            return items.length === n && [...items].every(li => ['done', 'error'].includes(li.dataset.state));
        }""",
        arg=count,
    )
    assert not _page_errors.get(id(page)), _page_errors[id(page)]


def direct_links(page: Any) -> list[str]:
    return [
        v
        for v in page.locator("#upload-list > li[data-state=done] .direct-link").evaluate_all(
            "els => els.map(e => e.value)"
        )
    ]


def assert_served(link: str, kind: str = "image/jpeg") -> None:
    r = httpx.get(link)
    assert r.status_code == 200, link
    assert r.headers["content-type"] == kind


def image_id(link: str) -> str:
    m = re.search(r"/([A-Za-z0-9]+)\.[a-z0-9]+$", link)
    assert m, link
    return m.group(1)


def no_leftovers(server: LiveServer) -> None:
    """Temporary files are removed once each answer is out: wait for it rather than guess."""
    deadline = time.monotonic() + 10
    while tmp_leftovers(server) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert tmp_leftovers(server) == []


def dispatch_with_files(page: Any, event: str, files: list[tuple[str, str, bytes]]) -> None:
    """A synthetic drop or paste carrying Files built in the page from these bytes."""
    payload = [[name, kind, base64.b64encode(data).decode()] for name, kind, data in files]
    transfer = page.evaluate_handle(
        """files => {
            const dt = new DataTransfer();
            for (const [name, type, b64] of files) {
                const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
                dt.items.add(new File([bytes], name, { type }));
            }
            return dt;
        }""",
        payload,
    )
    if event == "drop":
        page.evaluate(
            """dt => {
                document.body.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
                document.querySelector('main').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
            }""",
            transfer,
        )
    else:
        page.evaluate(
            "dt => document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }))",
            transfer,
        )


def open_home(page: Any) -> None:
    if id(page) not in _page_errors:
        errors = _page_errors[id(page)] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/")
    # The script has run once the no-script button is hidden.
    page.locator("#upload-submit").wait_for(state="hidden")


# ------------------------------------------------------------------------------------------- signed out


def test_chooser_upload_shows_the_delete_link_once_and_keeps_it_in_my_uploads(
    page: Any, server: LiveServer
) -> None:
    open_home(page)
    assert page.locator("#my-uploads").is_hidden()
    page.locator("#upload-options summary").click()
    page.get_by_label("Title", exact=True).fill("A red square")
    page.set_input_files(
        "#upload-file", files=[{"name": "red.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
    )
    wait_settled(page, 1)
    row = rows(page).first
    assert row.get_attribute("data-state") == "done", row.inner_text()
    link = row.locator(".direct-link").input_value()
    assert_served(link)
    iid = image_id(link)
    delete_link = row.locator(".delete-link").input_value()
    assert re.fullmatch(re.escape(server.url) + r"/delete/[A-Za-z0-9]+", delete_link)
    assert row.locator(".page-link").get_attribute("href") == f"{server.url}/{iid}"
    assert row.locator(".thumb").get_attribute("src") == f"/{iid}b.jpg"
    shot(page, "upload-anonymous-done")
    # The title went with the file.
    rows_db = db_rows(server, "SELECT title, account_id, deletehash FROM images WHERE id = ?", (iid,))
    assert rows_db == [("A red square", None, delete_link.rsplit("/", 1)[1])]

    page.reload()
    page.locator("#upload-submit").wait_for(state="hidden")
    assert rows(page).count() == 0  # the upload's row (and its delete link) is gone with the visit
    mine = page.locator(f"#my-uploads-list li[data-id='{iid}']")
    mine.wait_for()
    assert mine.locator(".mine-delete").get_attribute("href") == delete_link.removeprefix(server.url)
    assert page.locator("#my-uploads").is_visible()
    shot(page, "upload-my-uploads")
    assert not serious_violations(page), describe(serious_violations(page))
    # The delete link leads to the confirmation page of this very image.
    mine.locator(".mine-delete").click()
    page.wait_for_url(f"**/delete/{delete_link.rsplit('/', 1)[1]}")
    assert page.locator("#confirm").is_visible()
    page.go_back()
    mine = page.locator(f"#my-uploads-list li[data-id='{iid}']")
    mine.get_by_role("button", name="Forget this upload").click()
    assert mine.count() == 0
    page.reload()
    page.locator("#upload-submit").wait_for(state="hidden")
    assert page.locator(f"#my-uploads-list li[data-id='{iid}']").count() == 0


def test_drag_and_drop_anywhere_on_the_page(page: Any) -> None:
    open_home(page)
    dispatch_with_files(page, "drop", [("dropped.png", "image/png", png_bytes(37, 23, (1, 2, 3, 255)))])
    wait_settled(page, 1)
    row = rows(page).first
    assert row.get_attribute("data-state") == "done", row.inner_text()
    assert row.locator(".upload-name").inner_text() == "dropped.png"
    assert_served(row.locator(".direct-link").input_value(), "image/png")
    shot(page, "upload-dropped")


def test_paste_an_image_from_the_clipboard(page: Any) -> None:
    open_home(page)
    dispatch_with_files(page, "paste", [("image.png", "image/png", png_bytes(29, 31, (9, 200, 9, 255)))])
    wait_settled(page, 1)
    row = rows(page).first
    assert row.get_attribute("data-state") == "done", row.inner_text()
    assert_served(row.locator(".direct-link").input_value(), "image/png")


def test_many_files_each_with_its_progress_and_one_refused_on_its_own_row(
    page: Any, server: LiveServer
) -> None:
    open_home(page)
    files = [{"name": f"photo{i}.jpg", "mimeType": "image/jpeg", "buffer": jpeg()} for i in range(3)]
    files.insert(2, {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a picture at all\n" * 20})
    page.set_input_files("#upload-file", files=files)
    wait_settled(page, 4)
    names = rows(page).locator(".upload-name").all_inner_texts()
    assert names == ["photo0.jpg", "photo1.jpg", "notes.txt", "photo2.jpg"]
    states = [li.get_attribute("data-state") for li in rows(page).all()]
    assert states == ["done", "done", "error", "done"]
    for li in rows(page).all():
        if li.get_attribute("data-state") == "done":
            bar = li.locator("progress")
            assert bar.evaluate("p => p.value === p.max && p.max > 0")
            assert bar.get_attribute("aria-labelledby") == li.locator(".upload-name").get_attribute("id")
    refused = rows(page).nth(2)
    # The server's own message, on that file's row.
    expected = httpx.post(
        server.url + "/upload",
        files={"image": ("notes.txt", b"not a picture at all\n" * 20, "text/plain")},
        headers={
            "Accept": "application/json",
            "X-CSRF-Token": page.locator("meta[name=csrf-token]").get_attribute("content") or "",
        },
        cookies={c["name"]: c["value"] for c in page.context.cookies()},
    ).json()["error"]
    assert refused.locator(".upload-status").inner_text() == expected
    assert refused.locator("progress").is_hidden()
    links = direct_links(page)
    assert len(set(links)) == 3
    for link in links:
        assert_served(link)
    shot(page, "upload-many")
    no_leftovers(server)


def test_new_album_from_two_files_keeps_their_order(page: Any, server: LiveServer) -> None:
    open_home(page)
    page.locator("#upload-options summary").click()
    page.get_by_label("Album", exact=True).select_option("new")
    page.get_by_label("Title of the new album").fill("Holiday")
    first, second = jpeg(), jpeg()
    page.set_input_files(
        "#upload-file",
        files=[
            {"name": "first.jpg", "mimeType": "image/jpeg", "buffer": first},
            {"name": "second.jpg", "mimeType": "image/jpeg", "buffer": second},
        ],
    )
    wait_settled(page, 2)
    ids = [image_id(link) for link in direct_links(page)]
    assert len(ids) == 2
    album_href = page.locator("#album-link").get_attribute("href") or ""
    assert page.locator("#album-link").inner_text() == "Holiday"
    # Later files go into the same album: it is now the chosen one.
    assert page.get_by_label("Album", exact=True).input_value() not in ("", "new")
    shot(page, "upload-album")
    page.goto(album_href)
    assert page.locator("#album-title").inner_text() == "Holiday"
    listed = page.locator("#album-images a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert listed == [f"/{i}" for i in ids]


def test_url_upload(browser: Any, tmp_path: Path) -> None:
    picture = jpeg()

    class Remote(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(picture)))
            self.end_headers()
            self.wfile.write(picture)

        def log_message(self, *args: Any) -> None:
            pass

    data = tmp_path / "data"
    data.mkdir()
    srv = start_server(
        data, port=free_port(), extra_env={**UNLIMITED, "IMGHOST_URL_UPLOAD_ALLOW_PRIVATE": "true"}
    )
    try:
        with http_thread(Remote, "remote-host") as remote:
            ctx = new_context(browser, srv)
            try:
                page = ctx.new_page()
                open_home(page)
                page.get_by_label("Or upload from a web address").fill(f"{remote}/cat.jpg")
                page.locator("#url-submit").click()
                wait_settled(page, 1)
                row = rows(page).first
                assert row.get_attribute("data-state") == "done", row.inner_text()
                assert row.locator(".upload-name").inner_text() == f"{remote}/cat.jpg"
                link = row.locator(".direct-link").input_value()
                got = httpx.get(link)
                assert got.headers["content-type"] == "image/jpeg" and len(got.content) > 0
                shot(page, "upload-url")
            finally:
                ctx.close()
    finally:
        srv.stop()


# ------------------------------------------------------------------------------------------- signed in


@pytest.fixture(scope="module")
def member(browser: Any, server: LiveServer) -> Iterator[tuple[Any, str]]:
    """One signed-in person for the signed-in tests: (page, username)."""
    ctx = new_context(browser, server)
    page = ctx.new_page()
    name = sign_up(page)
    try:
        yield page, name
    finally:
        ctx.close()


def test_signed_in_uploads_belong_to_the_account(member: tuple[Any, str], server: LiveServer) -> None:
    page, name = member
    open_home(page)
    assert page.locator("#upload-owner a[href='/account/images']").is_visible()
    assert page.locator("#my-uploads").count() == 0
    page.set_input_files(
        "#upload-file", files=[{"name": "mine.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
    )
    wait_settled(page, 1)
    row = rows(page).first
    assert row.get_attribute("data-state") == "done", row.inner_text()
    assert row.locator(".delete-box").is_hidden()  # the account manages it: no delete link to keep
    iid = image_id(row.locator(".direct-link").input_value())
    owner = db_rows(
        server,
        "SELECT a.username FROM images i JOIN accounts a ON a.id = i.account_id WHERE i.id = ?",
        (iid,),
    )
    assert owner == [(name,)]
    shot(page, "upload-signed-in")
    assert not serious_violations(page), describe(serious_violations(page))


def test_signed_in_upload_into_a_new_then_an_existing_album(
    member: tuple[Any, str], server: LiveServer
) -> None:
    page, name = member
    open_home(page)
    page.locator("#upload-options summary").click()
    page.get_by_label("Album", exact=True).select_option("new")
    page.get_by_label("Title of the new album").fill("Garden")
    page.set_input_files(
        "#upload-file",
        files=[{"name": f"g{i}.jpg", "mimeType": "image/jpeg", "buffer": jpeg()} for i in range(2)],
    )
    wait_settled(page, 2)
    album_id = (page.locator("#album-link").get_attribute("href") or "").rsplit("/", 1)[1]
    # On the next visit the album is one of theirs to choose.
    open_home(page)
    page.locator("#upload-options summary").click()
    page.get_by_label("Album", exact=True).select_option(album_id)
    page.set_input_files(
        "#upload-file", files=[{"name": "g2.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
    )
    wait_settled(page, 1)
    third = image_id(direct_links(page)[0])
    in_album = db_rows(
        server,
        "SELECT ai.image_id FROM album_images ai JOIN albums al ON al.id = ai.album_id"
        " JOIN accounts a ON a.id = al.account_id WHERE al.id = ? AND a.username = ? ORDER BY ai.position",
        (album_id, name),
    )
    assert len(in_album) == 3 and in_album[-1] == (third,)


def test_someone_elses_album_is_refused(member: tuple[Any, str], server: LiveServer) -> None:
    page, _ = member
    with httpx.Client(base_url=server.url) as c:
        token = c.get("/").text.split('name="csrf-token" content="')[1].split('"')[0]
        other = c.post(
            "/upload/album",
            data={"title": "theirs"},
            headers={"X-CSRF-Token": token, "Accept": "application/json"},
        ).json()
    open_home(page)
    token = page.locator("meta[name=csrf-token]").get_attribute("content")
    answer = page.evaluate(
        """async ([token, album, b64]) => {
            const body = new FormData();
            body.append('album', album);
            body.append('image', new Blob([Uint8Array.from(atob(b64), c => c.charCodeAt(0))], {type: 'image/jpeg'}), 'x.jpg');
            const r = await fetch('/upload', {method: 'POST', body, headers: {'X-CSRF-Token': token, Accept: 'application/json'}});
            return [r.status, await r.json()];
        }""",
        [token, other["id"], base64.b64encode(jpeg()).decode()],
    )
    assert answer[0] == 403 and answer[1]["error"]


# ------------------------------------------------------------------------------------------- no script


def test_plain_form_without_javascript_ends_on_the_image_page(browser: Any, server: LiveServer) -> None:
    ctx = new_context(browser, server, java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto("/")
        assert page.locator("#upload-submit").is_visible()
        # Nothing chosen: the browser still sends an (empty) file part.
        page.locator("#upload-submit").click()
        page.wait_for_url("**/upload")
        assert "Choose a file" in page.locator("#error-message").inner_text()
        shot(page, "upload-plain-form-nothing-chosen")
        page.go_back()
        page.set_input_files(
            "#upload-file", files=[{"name": "plain.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
        )
        page.locator("#upload-submit").click()
        page.wait_for_url(re.compile(r"/[A-Za-z0-9]{7}$"))
        iid = page.url.rsplit("/", 1)[1]
        assert_served(f"{server.url}/{iid}.jpg")
        shot(page, "upload-plain-form-result")
    finally:
        ctx.close()


def test_plain_form_into_a_new_album_ends_on_the_album_page(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as c:
        token = c.get("/").text.split('name="csrf-token" content="')[1].split('"')[0]
        r = c.post(
            "/upload",
            data={"csrf_token": token, "album": "new", "album_title": "Plain"},
            files={"image": ("p.jpg", jpeg(), "image/jpeg")},
        )
        assert r.status_code == 303
        album = r.headers["location"]
        assert re.fullmatch(r"/a/[A-Za-z0-9]+", album)
        assert "Plain" in c.get(album).text


def test_upload_without_the_csrf_token_is_refused_and_stores_nothing(server: LiveServer) -> None:
    before = db_rows(server, "SELECT COUNT(*) FROM images")[0][0]
    with httpx.Client(base_url=server.url) as c:
        c.get("/")
        for headers in (
            {"Accept": "application/json"},
            {"Accept": "application/json", "X-CSRF-Token": "A" * 32},
        ):
            r = c.post("/upload", files={"image": ("x.jpg", jpeg(), "image/jpeg")}, headers=headers)
            assert r.status_code == 403 and "error" in r.json()
        r = c.post("/upload/album", data={"title": "x"}, headers={"Accept": "application/json"})
        assert r.status_code == 403
    assert db_rows(server, "SELECT COUNT(*) FROM images")[0][0] == before
    no_leftovers(server)


def test_rate_limited_uploads_say_when_to_retry(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    # Two uploads an hour per address: the third is refused before its body is read.
    srv = start_server(data, port=free_port(), extra_env={**UNLIMITED, "IMGHOST_RATE_LIMIT_USER": "20"})
    try:
        with httpx.Client(base_url=srv.url) as c:
            token = c.get("/").text.split('name="csrf-token" content="')[1].split('"')[0]
            json_headers = {"Accept": "application/json", "X-CSRF-Token": token}
            for _ in range(2):
                ok = c.post("/upload", files={"image": ("x.jpg", jpeg(), "image/jpeg")}, headers=json_headers)
                assert ok.status_code == 200, ok.text
            r = c.post("/upload", files={"image": ("x.jpg", jpeg(), "image/jpeg")}, headers=json_headers)
            assert r.status_code == 429 and r.json()["error"]
            assert 0 < int(r.headers["retry-after"]) <= 3600
            page = c.post(
                "/upload", data={"csrf_token": token}, files={"image": ("x.jpg", jpeg(), "image/jpeg")}
            )
            assert page.status_code == 429 and "text/html" in page.headers["content-type"]
            assert int(page.headers["retry-after"]) > 0
    finally:
        srv.stop()


# ------------------------------------------------------------------------------------------- look


def test_phone_viewport_dark_mode_and_accessibility(browser: Any, server: LiveServer) -> None:
    ctx = new_context(browser, server, viewport={"width": 360, "height": 740})
    try:
        page = ctx.new_page()
        open_home(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, "the page scrolls sideways on a phone"
        shot(page, "upload-phone")
        assert not serious_violations(page), describe(serious_violations(page))
    finally:
        ctx.close()
    dark = new_context(browser, server, color_scheme="dark")
    try:
        page = dark.new_page()
        open_home(page)
        page.locator("#upload-options summary").click()
        dispatch_with_files(page, "paste", [("dark.png", "image/png", png_bytes(33, 17, (250, 5, 5, 255)))])
        wait_settled(page, 1)
        shot(page, "upload-dark")
        assert not serious_violations(page), describe(serious_violations(page))
    finally:
        dark.close()


def test_first_visit_weight_is_within_budget(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, headers={"Accept-Encoding": "gzip"}) as c:
        r = c.get("/")
        assert r.headers["content-encoding"] == "gzip"
        total = int(r.headers["content-length"])  # as sent: compressed
        refs = re.findall(r'(?:href|src|data-common|data-mine)="(/static/[^"]+\.(?:css|js))"', r.text)
        assert any("/js/upload." in ref for ref in refs) and any("/js/upload_mine." in ref for ref in refs)
        for ref in set(refs):
            total += int(c.get(ref).headers["content-length"])
    assert total <= 100 * 1024, total
