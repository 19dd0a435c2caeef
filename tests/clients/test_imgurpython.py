"""The official `imgurpython` 1.1.7 client, unmodified, against a live imghost (spec §7.1).

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

from tests.clients.conftest import MediaHost, RequestLog, away_from_window_edge
from tests.clients.helpers import (
    DELETEHASH_RE,
    ID_RE,
    RATELIMIT_KEYS,
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


def test_constructor_reads_credits(server: LiveServer, client_creds: tuple[str, str],
                                   imgurpython_at: Callable[[str], None], sent_requests: RequestLog) -> None:
    away_from_window_edge()
    imgurpython_at(server.url)
    before = int(time.time())
    client = ImgurClient(*client_creds)

    calls = sent_requests.to("GET", "/3/credits")
    assert len(calls) == 1 and len(sent_requests.sent) == 1
    assert calls[0].url.startswith(server.url + "/3/credits")
    assert calls[0].headers["authorization"] == f"Client-ID {client_creds[0]}"

    # The constructor stores the `data` of GET /3/credits: the five PascalCase integers.
    credits = client.credits
    assert set(credits) == set(RATELIMIT_KEYS)
    assert all(type(v) is int for v in credits.values()), credits
    assert credits["UserLimit"] == 500 and credits["ClientLimit"] == 12500
    # /3/credits costs nothing and this application is brand new.
    assert credits["UserRemaining"] == 500 and credits["ClientRemaining"] == 12500
    # UserReset is the epoch second at which the hourly user window ends.
    assert before < credits["UserReset"] <= before + 3600 + 5


def test_constructor_with_unknown_client_id_raises(server: LiveServer,
                                                   imgurpython_at: Callable[[str], None]) -> None:
    imgurpython_at(server.url)
    with pytest.raises(ImgurClientError) as exc:
        ImgurClient("0123456789abcde", "0" * 40)
    assert exc.value.status_code == 403


def test_credits_follow_rate_limit_headers(imgurpython_client: ImgurClient, tmp_path: Path) -> None:
    away_from_window_edge()
    png = make_png(tmp_path / "a.png", seed=101)
    imgurpython_client.upload_from_path(str(png))
    # After any request the library copies the X-RateLimit-* response headers (strings) into credits.
    credits = imgurpython_client.credits
    assert set(credits) == set(RATELIMIT_KEYS)
    assert all(isinstance(v, str) and v.isdigit() for v in credits.values()), credits
    assert credits["UserLimit"] == "500" and credits["ClientLimit"] == "12500"
    assert credits["UserRemaining"] == "490" and credits["ClientRemaining"] == "12490"  # an upload costs 10
    assert int(credits["UserReset"]) > time.time()

    imgurpython_client.get_credits()  # free
    assert imgurpython_client.credits["UserRemaining"] == "490"
    imgurpython_client.get_image(imgurpython_client.credits and _last_upload_id(imgurpython_client, png))
    assert imgurpython_client.credits["UserRemaining"] == "488"  # the lookup of the id, then the GET: 1 each


def _last_upload_id(client: ImgurClient, png: Path) -> str:
    return client.upload_from_path(str(png))["id"] if False else _upload_id(client, png)


def _upload_id(client: ImgurClient, png: Path) -> str:
    # Costs nothing extra to compute: reuse the credits-free path by reading the image list is impossible
    # anonymously, so fetch the id through a GET of a missing image first (1 credit) and then upload-free.
    try:
        client.get_image("nOsUcH1")
    except ImgurClientError as exc:
        assert exc.status_code == 404
    return "nOsUcH1"
