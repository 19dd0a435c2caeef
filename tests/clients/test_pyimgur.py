"""PyImgur 0.8.1, unmodified, against a live imghost.

Redirected with `pyimgur.IMGUR_BASE = server.url` before `pyimgur.Imgur(client_id)` (which copies it into
`Imgur.base_url`). Everything PyImgur offers for images without a user account is driven here:
upload_image(path=...) (multipart, file part "image" named "image"), upload_image(url=...) (urlencoded, no
`type`), get_image and the Image attributes, Image.update / Image.delete (by deletehash when anonymous),
Image.download (hard-coded to imgur.com) and the thumbnail links Image builds from `link`, the
`ratelimit_*` attributes, its exceptions and the upload corpus.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pyimgur
import pytest
from PIL import Image as PILImage
from pyimgur.exceptions import ResourceNotFoundError, UnexpectedImgurException

from tests.clients.helpers import (
    DELETEHASH_RE,
    ID_RE,
    MediaHost,
    OffHostRequest,
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

TITLE = "Ein Titel ✓ & more"
DESCRIPTION = "first line\nsecond line, 50% off"

# PyImgur's Image attribute -> thumbnail suffix and the box it must fit for a 400x300 source.
THUMBNAILS = {
    "link_small_square": ("s", (90, 90)),
    "link_big_square": ("b", (160, 160)),
    "link_small_thumbnail": ("t", (160, 120)),
    "link_medium_thumbnail": ("m", (320, 240)),
    "link_large_thumbnail": ("l", (400, 300)),  # never upscaled
    "link_huge_thumbnail": ("h", (400, 300)),
}


def _multipart_parts(req_body: bytes, content_type: str) -> dict[str, tuple[str | None, bytes]]:
    """name -> (filename, value) of a multipart/form-data body."""
    head = b"Content-Type: " + content_type.encode() + b"\r\n\r\n"
    msg = BytesParser(policy=HTTP).parsebytes(head + req_body)
    parts: dict[str, tuple[str | None, bytes]] = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        parts[name] = (part.get_filename(), part.get_payload(decode=True) or b"")
    return parts


def _mean_rgb(data: bytes) -> tuple[float, float, float]:
    with PILImage.open(io.BytesIO(data)) as im:
        rgb = im.convert("RGB").resize((1, 1), PILImage.Resampling.BOX)
        return rgb.getpixel((0, 0))  # type: ignore[return-value]


# ---------------------------------------------------------------- upload


def test_upload_image_from_path(
    pyimgur_client: pyimgur.Imgur, server: LiveServer, tmp_path: Path, sent_requests: RequestLog
) -> None:
    png = make_png(tmp_path / "up.png", 120, 90, seed=201)
    sent_requests.clear()
    image = pyimgur_client.upload_image(path=str(png), title=TITLE, description=DESCRIPTION)

    # What the library sent: multipart, a file part "image" with filename "image" and no Content-Type.
    (req,) = sent_requests.sent
    assert req.method == "POST" and req.path == "/3/image"
    assert req.content_type.startswith("multipart/form-data")
    parts = _multipart_parts(req.body, req.content_type)
    assert parts["image"] == ("image", png.read_bytes())
    assert parts["title"][1].decode() == TITLE and parts["description"][1].decode() == DESCRIPTION
    assert b"Content-Type: image" not in req.body

    assert isinstance(image, pyimgur.Image)
    assert ID_RE.match(image.id) and DELETEHASH_RE.match(image.deletehash)
    assert image.link == f"{server.url}/{image.id}.png"
    assert image.type == "image/png" and (image.width, image.height) == (120, 90)
    assert image.is_animated is False and image.is_favorited is False
    assert image.views == 0 and image.size > 0
    served = check_served_media(image, tmp_path, animated_field="is_animated")
    assert pixels(served) == pixels(png.read_bytes())

    # PyImgur writes title/description into the object itself: check what the server stored.
    fetched = pyimgur_client.get_image(image.id)
    assert fetched.title == TITLE and fetched.description == DESCRIPTION
    assert fetched.size == image.size


def test_upload_image_from_url(
    url_server: LiveServer,
    pyimgur_at: Callable[[str], None],
    media_host: MediaHost,
    tmp_path: Path,
    sent_requests: RequestLog,
) -> None:
    png = make_png(tmp_path / "remote.png", 140, 70, seed=202)
    url = media_host.add_file(png, "pi-remote.png", "image/png")
    pyimgur_at(url_server.url)
    im = pyimgur.Imgur(url_server.create_client()[0])
    sent_requests.clear()

    image = im.upload_image(url=url, title="remote title")

    (req,) = sent_requests.sent
    assert req.path == "/3/image" and req.content_type == "application/x-www-form-urlencoded"
    form = parse_qs(req.body.decode())
    assert form == {"image": [url], "title": ["remote title"]}  # no `type`: the server must detect the URL
    assert media_host.hits_for("pi-remote.png") == 1

    assert image.type == "image/png" and (image.width, image.height) == (140, 70)
    assert image.link.startswith(url_server.url + "/")
    served = check_served_media(image, tmp_path, animated_field="is_animated")
    assert pixels(served) == pixels(png.read_bytes())
    assert im.get_image(image.id).title == "remote title"
    assert image.delete() is True


def test_default_server_refuses_loopback_url(
    pyimgur_client: pyimgur.Imgur, media_host: MediaHost, tmp_path: Path
) -> None:
    url = media_host.add_file(make_png(tmp_path / "lo.png", seed=203), "pi-loopback.png", "image/png")
    with pytest.raises(UnexpectedImgurException) as exc:
        pyimgur_client.upload_image(url=url)
    assert exc.value.response is not None and exc.value.response.status_code == 400
    body = exc.value.response.json()
    assert body["success"] is False and body["status"] == 400
    assert media_host.hits_for("pi-loopback.png") == 0


# ---------------------------------------------------------------- get_image and attributes


def test_get_image_attributes(
    pyimgur_client: pyimgur.Imgur, server: LiveServer, tmp_path: Path, sent_requests: RequestLog
) -> None:
    up = pyimgur_client.upload_image(
        path=str(make_png(tmp_path / "a.png", 80, 60, seed=204)), title=TITLE, description=DESCRIPTION
    )
    sent_requests.clear()
    image = pyimgur_client.get_image(up.id)

    (req,) = sent_requests.sent
    assert req.method == "GET" and req.url == f"{server.url}/3/image/{up.id}"
    assert req.headers["authorization"] == f"Client-ID {pyimgur_client.client_id}"
    assert image.id == up.id
    assert image.title == TITLE and image.description == DESCRIPTION
    assert image.link == up.link == f"{server.url}/{up.id}.png"
    assert (image.width, image.height) == (80, 60)
    assert image.size == up.size and image.type == "image/png"
    assert image.is_animated is False and image.is_favorited is False
    assert image.is_nsfw in (None, False)
    assert image.views == 0 and image.bandwidth == 0
    assert isinstance(image.datetime, int) and abs(image.datetime - time.time()) < 120
    # Not the owner (looked up by id with a Client-ID): the server hides the deletehash.
    assert image.deletehash == ""
    assert image.link_small_square == f"{server.url}/{up.id}s.png"
    assert repr(image) == f"<Image {up.id}>"

    assert get(image.link).status_code == 200
    assert pyimgur_client.get_image(up.id).views == 1


def test_get_missing_image(pyimgur_client: pyimgur.Imgur) -> None:
    with pytest.raises(ResourceNotFoundError):
        pyimgur_client.get_image("nOtHeRe")


# ---------------------------------------------------------------- update and delete (anonymous: deletehash)


def test_update_anonymous_image_by_deletehash(
    pyimgur_client: pyimgur.Imgur, tmp_path: Path, sent_requests: RequestLog
) -> None:
    image = pyimgur_client.upload_image(
        path=str(make_png(tmp_path / "u.png", seed=205)), title="old title", description="old description"
    )
    sent_requests.clear()
    assert image.update(title="new title ✓", description="new description") is True

    # Anonymous: PyImgur posts JSON to /3/image/{deletehash}, including an extra "url" key from locals().
    (req,) = sent_requests.sent
    assert req.method == "POST" and req.path == f"/3/image/{image.deletehash}"
    assert req.content_type == "application/json"
    sent = json.loads(req.body)
    assert sent["title"] == "new title ✓" and sent["description"] == "new description" and "url" in sent

    fetched = pyimgur_client.get_image(image.id)
    assert fetched.title == "new title ✓" and fetched.description == "new description"

    # Only a title: PyImgur drops the None description, so the stored description must stay.
    assert image.update(title="third title") is True
    fetched = pyimgur_client.get_image(image.id)
    assert fetched.title == "third title" and fetched.description == "new description"
    assert image.title == "third title"


def test_update_by_id_is_refused_without_owner(pyimgur_client: pyimgur.Imgur, tmp_path: Path) -> None:
    image = pyimgur_client.upload_image(path=str(make_png(tmp_path / "n.png", seed=206)), title="keep")
    # An Image fetched by id carries no deletehash; with it swapped for the id PyImgur posts to /3/image/{id}.
    fetched = pyimgur_client.get_image(image.id)
    fetched.deletehash = fetched.id
    with pytest.raises(UnexpectedImgurException) as exc:
        fetched.update(title="hijacked")
    assert exc.value.response.status_code == 403
    assert pyimgur_client.get_image(image.id).title == "keep"


def test_delete_anonymous_image(
    pyimgur_client: pyimgur.Imgur, tmp_path: Path, sent_requests: RequestLog
) -> None:
    image = pyimgur_client.upload_image(path=str(make_png(tmp_path / "d.png", seed=207)))
    assert get(image.link).status_code == 200
    sent_requests.clear()

    assert image.delete() is True
    (req,) = sent_requests.sent
    assert req.method == "DELETE" and req.path == f"/3/image/{image.deletehash}"

    with pytest.raises(ResourceNotFoundError):
        pyimgur_client.get_image(image.id)
    assert get(image.link).status_code == 404
    assert get(image.link_medium_thumbnail).status_code == 404
    with pytest.raises(ResourceNotFoundError):
        image.delete()


def test_delete_by_id_is_refused_without_owner(pyimgur_client: pyimgur.Imgur, tmp_path: Path) -> None:
    image = pyimgur_client.upload_image(path=str(make_png(tmp_path / "k.png", seed=208)))
    fetched = pyimgur_client.get_image(image.id)
    fetched.deletehash = fetched.id
    with pytest.raises(UnexpectedImgurException) as exc:
        fetched.delete()
    assert exc.value.response.status_code == 403
    assert pyimgur_client.get_image(image.id).id == image.id
    assert get(image.link).status_code == 200


# ---------------------------------------------------------------- download and thumbnail links


def test_download_is_hardcoded_to_imgur(
    pyimgur_client: pyimgur.Imgur, tmp_path: Path, sent_requests: RequestLog
) -> None:
    image = pyimgur_client.upload_image(path=str(make_png(tmp_path / "dl.png", seed=209)))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(OffHostRequest) as exc:
        image.download(path=str(out))
    # PyImgur ignores base_url and `link` here; nothing imghost can serve.
    assert exc.value.url == f"https://imgur.com/download/{image.id}/undefined"
    assert list(out.iterdir()) == []


def test_thumbnail_links_built_from_link(
    pyimgur_client: pyimgur.Imgur, server: LiveServer, tmp_path: Path
) -> None:
    png = make_png(tmp_path / "big.png", 400, 300, seed=210)
    image = pyimgur_client.upload_image(path=str(png))
    source_mean = _mean_rgb(png.read_bytes())
    for attr, (suffix, size) in THUMBNAILS.items():
        link = getattr(image, attr)
        assert link == f"{server.url}/{image.id}{suffix}.png"
        resp = get(link)
        assert resp.status_code == 200, f"{attr}: GET {link} -> {resp.status_code}"
        assert resp.headers["content-type"].split(";")[0] == "image/jpeg"  # thumbnails are JPEG
        with PILImage.open(io.BytesIO(resp.content)) as thumb:
            assert thumb.format == "JPEG"
            assert thumb.size == size, f"{attr}: {thumb.size} != {size}"
        if suffix in "tmlh":  # whole picture, only scaled: same average colour
            got = _mean_rgb(resp.content)
            assert all(abs(a - b) <= 10 for a, b in zip(got, source_mean, strict=True)), (
                attr,
                got,
                source_mean,
            )


# ---------------------------------------------------------------- rate-limit attributes


def test_ratelimit_attributes_are_ints(
    pyimgur_fresh: pyimgur.Imgur, server: LiveServer, tmp_path: Path
) -> None:
    away_from_window_edge()
    im = pyimgur_fresh
    user, app = budgets(server)
    assert im.ratelimit_userremaining is None  # nothing sent yet
    image = im.upload_image(path=str(make_png(tmp_path / "rl.png", seed=211)))
    values = {
        name: getattr(im, name)
        for name in (
            "ratelimit_userlimit",
            "ratelimit_userremaining",
            "ratelimit_userreset",
            "ratelimit_clientlimit",
            "ratelimit_clientremaining",
            "ratelimit_clientreset",
        )
    }
    assert all(type(v) is int for v in values.values()), values
    assert values["ratelimit_userlimit"] == user and values["ratelimit_clientlimit"] == app
    assert values["ratelimit_userremaining"] == user - 10 and values["ratelimit_clientremaining"] == app - 10
    assert time.time() < values["ratelimit_userreset"] <= time.time() + 3600 + 5
    assert 0 < values["ratelimit_clientreset"] <= 86400

    im.get_image(image.id)
    assert im.ratelimit_userremaining == user - 11 and im.ratelimit_clientremaining == app - 11


def test_rate_limit_exceeded(
    ratelimited_server: LiveServer, pyimgur_at: Callable[[str], None], tmp_path: Path
) -> None:
    away_from_window_edge(margin=60)
    pyimgur_at(ratelimited_server.url)
    im = pyimgur.Imgur(ratelimited_server.create_client()[0])
    images = [im.upload_image(path=str(make_png(tmp_path / f"r{i}.png", seed=220 + i))) for i in range(3)]
    assert im.ratelimit_userlimit == 30 and im.ratelimit_userremaining == 0
    with pytest.raises(UnexpectedImgurException) as exc:
        im.upload_image(path=str(make_png(tmp_path / "r3.png", seed=223)))
    assert exc.value.response.status_code == 429
    body = exc.value.response.json()
    assert body["status"] == 429 and body["success"] is False
    assert exc.value.response.headers["x-ratelimit-userremaining"] == "0"
    with pytest.raises(UnexpectedImgurException) as exc:
        im.get_image(images[0].id)
    assert exc.value.response.status_code == 429
    # Anonymous deletes by deletehash are metered like any call, so they are refused too.
    with pytest.raises(UnexpectedImgurException):
        images[0].delete()
    assert httpx.get(images[0].link, timeout=30).status_code == 200  # delivery is not metered


# ---------------------------------------------------------------- the upload corpus


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda c: c.name)
def test_corpus_accepted(case: Case, pyimgur_client: pyimgur.Imgur, tmp_path: Path) -> None:
    image = pyimgur_client.upload_image(path=str(case.path), title=case.name)
    check_case_metadata(image, case, animated_field="is_animated")
    check_served_media(image, tmp_path, animated_field="is_animated")
    check_animated_variants(image)
    fetched = pyimgur_client.get_image(image.id)
    got = (fetched.type, fetched.width, fetched.height, fetched.is_animated, fetched.size, fetched.title)
    assert got == (image.type, image.width, image.height, image.is_animated, image.size, case.name)


@pytest.mark.parametrize("case", REJECTED, ids=lambda c: c.name)
def test_corpus_rejected(case: Case, pyimgur_client: pyimgur.Imgur) -> None:
    assert isinstance(case.outcome, Reject)
    with pytest.raises(UnexpectedImgurException) as exc:
        pyimgur_client.upload_image(path=str(case.path))
    assert exc.value.response.status_code == case.outcome.status == 400
    body = exc.value.response.json()
    assert body["success"] is False and body["status"] == 400 and body["data"]["error"]
