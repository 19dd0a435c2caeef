"""The official `imgurpython` 1.1.7 client, unmodified, against a live imghost.

Redirected with `imgurpython.client.API_URL = server.url + "/"`. Everything the library offers for images
without a user account is driven here: construction (GET /3/credits), upload_from_path (urlencoded base64),
upload_from_url (urlencoded type=url), get_image, delete_image (by deletehash), `client.credits`, its
errors (ImgurClientError with the HTTP status, ImgurClientRateLimitError on 429) and the upload corpus.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from imgurpython import ImgurClient
from imgurpython.helpers.error import ImgurClientError, ImgurClientRateLimitError
from imgurpython.imgur.models.image import Image as ImgurImage

from tests.clients.helpers import (
    DELETEHASH_RE,
    ID_RE,
    RATELIMIT_KEYS,
    MediaHost,
    RequestLog,
    away_from_window_edge,
    budgets,
    check_animated_variants,
    check_case_metadata,
    check_served_media,
    get,
    make_png,
    pixels,
)
from tests.corpus.cases import ACCEPTED, REJECTED, Case, Reject
from tests.live import LiveServer

TITLE = "Grüße aus imghost ✓ & more=stuff"
DESCRIPTION = "line one\nline two + 100% <b>not html</b>"


def _form(body: bytes) -> dict[str, list[str]]:
    return parse_qs(body.decode("ascii"), keep_blank_values=True)


# ---------------------------------------------------------------- construction and credits


def test_constructor_reads_credits(
    server: LiveServer,
    client_creds: tuple[str, str],
    imgurpython_at: Callable[[str], None],
    sent_requests: RequestLog,
) -> None:
    away_from_window_edge()
    imgurpython_at(server.url)
    before = int(time.time())
    client = ImgurClient(*client_creds)

    calls = sent_requests.to("GET", "/3/credits")
    assert len(calls) == 1 and len(sent_requests.sent) == 1
    assert calls[0].url.startswith(server.url + "/3/credits")
    assert calls[0].headers["authorization"] == f"Client-ID {client_creds[0]}"

    # The constructor stores the `data` of GET /3/credits: the five PascalCase integers.
    user, app = budgets(server)
    credits = client.credits
    assert set(credits) == set(RATELIMIT_KEYS)
    assert all(type(v) is int for v in credits.values()), credits
    assert credits["UserLimit"] == user and credits["ClientLimit"] == app
    # /3/credits costs nothing and this application is brand new.
    assert credits["UserRemaining"] == user and credits["ClientRemaining"] == app
    # UserReset is the epoch second at which the hourly user window ends.
    assert before < credits["UserReset"] <= before + 3600 + 5


def test_constructor_with_unknown_client_id_raises(
    server: LiveServer, imgurpython_at: Callable[[str], None]
) -> None:
    imgurpython_at(server.url)
    with pytest.raises(ImgurClientError) as exc:
        ImgurClient("0123456789abcde", "0" * 40)
    assert exc.value.status_code == 403


def test_credits_follow_rate_limit_headers(
    imgurpython_fresh: ImgurClient, server: LiveServer, tmp_path: Path
) -> None:
    away_from_window_edge()
    client = imgurpython_fresh
    user, app = budgets(server)
    png = make_png(tmp_path / "a.png", seed=101)
    uploaded = client.upload_from_path(str(png))
    # After any request the library copies the X-RateLimit-* response headers (strings) into credits.
    credits = client.credits
    assert set(credits) == set(RATELIMIT_KEYS)
    assert all(isinstance(v, str) and v.isdigit() for v in credits.values()), credits
    assert credits["UserLimit"] == str(user) and credits["ClientLimit"] == str(app)
    # An upload costs 10 credits.
    assert credits["UserRemaining"] == str(user - 10) and credits["ClientRemaining"] == str(app - 10)
    assert time.time() < int(credits["UserReset"]) <= time.time() + 3600 + 5

    # GET /3/credits is free, and answers with the same numbers as the headers.
    body = client.get_credits()
    assert body["UserRemaining"] == user - 10 and body["ClientRemaining"] == app - 10
    assert client.credits["UserRemaining"] == str(user - 10)
    assert str(body["UserReset"]) == client.credits["UserReset"]

    client.get_image(uploaded["id"])  # 1 credit
    assert client.credits["UserRemaining"] == str(user - 11)
    assert client.credits["ClientRemaining"] == str(app - 11)


# ---------------------------------------------------------------- upload, get, delete


def test_upload_from_path_with_config(
    imgurpython_client: ImgurClient, server: LiveServer, tmp_path: Path, sent_requests: RequestLog
) -> None:
    png = make_png(tmp_path / "source.png", 120, 90, seed=1)
    sent_requests.clear()
    config = {
        "title": TITLE,
        "description": DESCRIPTION,
        "name": "holiday.png",
        "privacy": "hidden",
    }  # not an image field: the library drops it
    data = imgurpython_client.upload_from_path(str(png), config=config)

    # What the library sent: one urlencoded POST /3/upload with the file as base64.
    (req,) = sent_requests.sent
    assert req.method == "POST" and req.path == "/3/upload"
    assert req.content_type == "application/x-www-form-urlencoded"
    form = _form(req.body)
    assert form["type"] == ["base64"]
    assert base64.b64decode(form["image"][0]) == png.read_bytes()
    assert form["title"] == [TITLE] and form["description"] == [DESCRIPTION]
    assert form["name"] == ["holiday.png"]
    assert "privacy" not in form

    # What came back: the upload response is the full Image model, for the owner.
    assert isinstance(data, dict)
    assert "error" not in data
    assert ID_RE.match(data["id"]), data["id"]
    assert DELETEHASH_RE.match(data["deletehash"]), data["deletehash"]
    assert data["title"] == TITLE and data["description"] == DESCRIPTION
    assert data["name"] == "holiday.png"
    assert data["type"] == "image/png" and (data["width"], data["height"]) == (120, 90)
    assert data["animated"] is False
    assert data["views"] == 0 and data["bandwidth"] == 0
    assert abs(data["datetime"] - time.time()) < 120
    assert data["link"] == f"{server.url}/{data['id']}.png"
    assert data["account_id"] in (None, 0) and data["account_url"] is None
    assert "gifv" not in data

    served = check_served_media(data, tmp_path)
    assert pixels(served) == pixels(png.read_bytes())


def test_upload_without_config_and_name(imgurpython_client: ImgurClient, tmp_path: Path) -> None:
    png = make_png(tmp_path / "plain.png", 33, 44, seed=2)
    data = imgurpython_client.upload_from_path(str(png))
    assert data["title"] is None and data["description"] is None
    assert data["name"] == ""  # base64 has no filename and none was given
    assert (data["width"], data["height"]) == (33, 44)
    check_served_media(data, tmp_path)


def test_get_image(
    imgurpython_client: ImgurClient, server: LiveServer, tmp_path: Path, sent_requests: RequestLog
) -> None:
    png = make_png(tmp_path / "g.png", 64, 40, seed=3)
    up = imgurpython_client.upload_from_path(
        str(png), config={"title": TITLE, "description": DESCRIPTION, "name": "secret-name.png"}
    )
    sent_requests.clear()
    image = imgurpython_client.get_image(up["id"])

    (req,) = sent_requests.sent
    assert req.method == "GET" and req.path == f"/3/image/{up['id']}"
    assert isinstance(image, ImgurImage)
    assert image.id == up["id"]
    assert image.title == TITLE and image.description == DESCRIPTION
    assert image.type == "image/png" and (image.width, image.height) == (64, 40)
    assert image.size == up["size"] and image.link == up["link"]
    assert image.datetime == up["datetime"]
    assert image.animated is False and image.favorite is False
    assert isinstance(image.views, int) and isinstance(image.bandwidth, int)
    # Looked up by id with only a Client-ID: the caller is not the owner, so no deletehash and no name.
    assert image.deletehash == ""
    assert image.name == ""
    check_served_media(image, tmp_path)


def test_views_count_served_originals(imgurpython_client: ImgurClient, tmp_path: Path) -> None:
    up = imgurpython_client.upload_from_path(str(make_png(tmp_path / "v.png", seed=4)))
    assert imgurpython_client.get_image(up["id"]).views == 0
    for _ in range(2):
        assert get(up["link"]).status_code == 200
    image = imgurpython_client.get_image(up["id"])
    assert image.views == 2
    assert image.bandwidth == 2 * up["size"]


def test_get_missing_image_is_404(imgurpython_client: ImgurClient) -> None:
    with pytest.raises(ImgurClientError) as exc:
        imgurpython_client.get_image("zZzZzZ9")
    assert exc.value.status_code == 404
    assert "zZzZzZ9" in str(exc.value.error_message)


def test_delete_image_by_deletehash(
    imgurpython_client: ImgurClient, tmp_path: Path, sent_requests: RequestLog
) -> None:
    up = imgurpython_client.upload_from_path(str(make_png(tmp_path / "d.png", seed=5)))
    assert get(up["link"]).status_code == 200
    sent_requests.clear()

    assert imgurpython_client.delete_image(up["deletehash"]) is True
    (req,) = sent_requests.sent
    assert req.method == "DELETE" and req.path == f"/3/image/{up['deletehash']}"

    with pytest.raises(ImgurClientError) as exc:
        imgurpython_client.get_image(up["id"])
    assert exc.value.status_code == 404
    assert get(up["link"]).status_code == 404
    base, _, ext = up["link"].rpartition(".")
    assert get(f"{base}t.{ext}").status_code == 404
    with pytest.raises(ImgurClientError) as exc:
        imgurpython_client.delete_image(up["deletehash"])
    assert exc.value.status_code == 404


def test_delete_image_by_id_needs_owner(imgurpython_client: ImgurClient, tmp_path: Path) -> None:
    up = imgurpython_client.upload_from_path(str(make_png(tmp_path / "o.png", seed=6)))
    with pytest.raises(ImgurClientError) as exc:
        imgurpython_client.delete_image(up["id"])  # anonymous callers delete by deletehash only
    assert exc.value.status_code == 403
    assert imgurpython_client.get_image(up["id"]).id == up["id"]
    assert get(up["link"]).status_code == 200


def test_other_application_can_delete_with_deletehash(
    server: LiveServer, imgurpython_client: ImgurClient, tmp_path: Path
) -> None:
    up = imgurpython_client.upload_from_path(str(make_png(tmp_path / "x.png", seed=7)))
    other = ImgurClient(*server.create_client("other app"))
    assert other.get_image(up["id"]).deletehash == ""
    assert other.delete_image(up["deletehash"]) is True
    with pytest.raises(ImgurClientError) as exc:
        imgurpython_client.get_image(up["id"])
    assert exc.value.status_code == 404


# ---------------------------------------------------------------- URL uploads


def test_upload_from_url(
    url_server: LiveServer,
    imgurpython_at: Callable[[str], None],
    media_host: MediaHost,
    tmp_path: Path,
    sent_requests: RequestLog,
) -> None:
    png = make_png(tmp_path / "remote.png", 150, 100, seed=8)
    url = media_host.add_file(png, "ip-remote.png", "image/png")
    imgurpython_at(url_server.url)
    client = ImgurClient(*url_server.create_client())
    sent_requests.clear()

    data = client.upload_from_url(url, config={"title": "from a URL", "description": "remote"})

    (req,) = sent_requests.sent
    assert req.path == "/3/upload" and req.content_type == "application/x-www-form-urlencoded"
    form = _form(req.body)
    assert form["type"] == ["url"] and form["image"] == [url]
    assert media_host.hits_for("ip-remote.png") == 1

    assert data["title"] == "from a URL" and data["description"] == "remote"
    assert data["type"] == "image/png" and (data["width"], data["height"]) == (150, 100)
    assert data["link"].startswith(url_server.url + "/")
    served = check_served_media(data, tmp_path)
    assert pixels(served) == pixels(png.read_bytes())

    fetched = client.get_image(data["id"])
    assert fetched.title == "from a URL" and fetched.size == data["size"]
    assert client.delete_image(data["deletehash"]) is True


def test_upload_from_url_that_is_404(
    url_server: LiveServer, imgurpython_at: Callable[[str], None], media_host: MediaHost
) -> None:
    imgurpython_at(url_server.url)
    client = ImgurClient(*url_server.create_client())
    with pytest.raises(ImgurClientError) as exc:
        client.upload_from_url(f"{media_host.url}/ip-does-not-exist.png")
    assert exc.value.status_code == 400
    assert media_host.hits_for("ip-does-not-exist.png") >= 1


def test_upload_from_url_that_is_not_an_image(
    url_server: LiveServer, imgurpython_at: Callable[[str], None], media_host: MediaHost
) -> None:
    url = media_host.add("ip-page.html", b"<html><body>hello</body></html>", "text/html")
    imgurpython_at(url_server.url)
    client = ImgurClient(*url_server.create_client())
    with pytest.raises(ImgurClientError) as exc:
        client.upload_from_url(url)
    assert exc.value.status_code == 400


def test_default_server_refuses_loopback_url(
    imgurpython_client: ImgurClient, media_host: MediaHost, tmp_path: Path
) -> None:
    url = media_host.add_file(make_png(tmp_path / "lo.png", seed=9), "ip-loopback.png", "image/png")
    with pytest.raises(ImgurClientError) as exc:
        imgurpython_client.upload_from_url(url)
    assert exc.value.status_code == 400
    assert media_host.hits_for("ip-loopback.png") == 0  # refused before connecting
    localhost = url.replace("127.0.0.1", "localhost")
    with pytest.raises(ImgurClientError) as exc:
        imgurpython_client.upload_from_url(localhost)
    assert exc.value.status_code == 400
    assert media_host.hits_for("ip-loopback.png") == 0


# ---------------------------------------------------------------- rate limit


def test_rate_limit_raises_rate_limit_error(
    ratelimited_server: LiveServer, imgurpython_at: Callable[[str], None], tmp_path: Path
) -> None:
    away_from_window_edge(margin=60)
    imgurpython_at(ratelimited_server.url)
    client = ImgurClient(*ratelimited_server.create_client())
    assert client.credits["UserLimit"] == 30 and client.credits["UserRemaining"] == 30

    uploads = [client.upload_from_path(str(make_png(tmp_path / f"r{i}.png", seed=20 + i))) for i in range(3)]
    assert client.credits["UserRemaining"] == "0" and client.credits["UserLimit"] == "30"

    with pytest.raises(ImgurClientRateLimitError):
        client.upload_from_path(str(make_png(tmp_path / "r3.png", seed=23)))
    # The 429 carries the headers too.
    assert client.credits["UserRemaining"] == "0" and client.credits["UserLimit"] == "30"
    with pytest.raises(ImgurClientRateLimitError):
        client.get_image(uploads[0]["id"])
    # Refused requests are not charged to the application.
    assert client.credits["ClientRemaining"] == str(budgets(ratelimited_server)[1] - 30)

    # GET /3/credits stays free and reports the exhausted budget.
    body = client.get_credits()
    assert body["UserRemaining"] == 0 and body["UserLimit"] == 30

    # The 429 is a proper Imgur envelope (imgurpython raises before parsing it; other clients read it).
    cid = client.client_id
    resp = httpx.get(
        f"{ratelimited_server.url}/3/image/{uploads[0]['id']}",
        headers={"Authorization": f"Client-ID {cid}"},
        timeout=30,
    )
    assert resp.status_code == 429
    body = resp.json()
    assert body["success"] is False and body["status"] == 429 and "error" in body["data"]

    # The uploads that got through are intact, and another application has its own budget.
    for up in uploads:
        assert get(up["link"]).status_code == 200
    other = ImgurClient(*ratelimited_server.create_client("other"))
    assert other.get_image(uploads[0]["id"]).id == uploads[0]["id"]


# ---------------------------------------------------------------- the upload corpus


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda c: c.name)
def test_corpus_accepted(case: Case, imgurpython_client: ImgurClient, tmp_path: Path) -> None:
    data = imgurpython_client.upload_from_path(str(case.path), config={"title": case.name})
    check_case_metadata(data, case)
    check_served_media(data, tmp_path)
    check_animated_variants(data)
    image = imgurpython_client.get_image(data["id"])
    assert (image.type, image.width, image.height, image.animated, image.size, image.title) == (
        data["type"],
        data["width"],
        data["height"],
        data["animated"],
        data["size"],
        case.name,
    )


@pytest.mark.parametrize("case", REJECTED, ids=lambda c: c.name)
def test_corpus_rejected(case: Case, imgurpython_client: ImgurClient) -> None:
    assert isinstance(case.outcome, Reject)
    with pytest.raises(ImgurClientError) as exc:
        imgurpython_client.upload_from_path(str(case.path))
    assert exc.value.status_code == case.outcome.status == 400
