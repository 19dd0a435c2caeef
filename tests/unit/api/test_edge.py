"""The API edge's path normalisation and log redaction."""

from __future__ import annotations

import pytest

from imghost import ids
from imghost.api.edge import _normalise, _redact


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/3/image/abc1234", "/3/image/abc1234"),
        ("/3/image/abc1234.json", "/3/image/abc1234"),
        ("/3/image/abc1234/", "/3/image/abc1234"),
        ("/3/image/abc1234.json/", "/3/image/abc1234"),
        ("/3/image/abc1234//", "/3/image/abc1234"),
        ("/3/upload.json", "/3/upload"),
        ("/3/upload/", "/3/upload"),
        ("/3/image.json", "/3/image"),
        ("/3/credits.json", "/3/credits"),
        ("/3/credits", "/3/credits"),
        ("/3/account/me/images.json", "/3/account/me/images"),
        ("/3/image/abc1234/favorite/", "/3/image/abc1234/favorite"),
        ("/3/image/abc.json.json", "/3/image/abc.json"),  # one suffix only
        ("/3", "/3"),
        ("/", "/"),
        ("/healthz", "/healthz"),
    ],
)
def test_normalise(path: str, expected: str) -> None:
    assert _normalise(path) == expected


def test_normalise_is_idempotent_on_normal_paths() -> None:
    for p in ("/3/image/abc1234", "/3/upload", "/3/credits", "/3/image/abc1234/favorite"):
        assert _normalise(_normalise(p)) == _normalise(p) == p


TEMPLATES = [
    "/3/image/{h}",
    "/3/image/{h}/",
    "/3/image/{h}.json",
    "/3/image/{h}/favorite",
    "/3/album/{h}",
    "/3/album/{h}/add",
    "/delete/{h}",
    "/3/image/{h}/{h}",
    "/{h}",
]


@pytest.mark.parametrize("template", TEMPLATES)
def test_deletehash_never_survives_redaction(template: str) -> None:
    for _ in range(300):
        h = ids.deletehash()
        assert len(h) == 15
        for path in (template.format(h=h), _normalise(template.format(h=h))):
            redacted = _redact(path)
            assert h not in redacted, path
            assert redacted.count("…") == path.count(h)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/3/image/AbCdEfGhIjKlMnO", "/3/image/…"),
        ("/3/image/AbCdEfGhIjKlMnO/favorite", "/3/image/…/favorite"),
        ("/3/image/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "/3/image/…"),  # longer secrets too
        ("/3/image/abc1234", "/3/image/abc1234"),  # image ids are public
        ("/3/image/abcdefghijklmn", "/3/image/abcdefghijklmn"),  # 14 characters
        ("/3/credits", "/3/credits"),
        ("/3/account/me/images", "/3/account/me/images"),
        ("/3/image/012345678901234", "/3/image/…"),
    ],
)
def test_redact(path: str, expected: str) -> None:
    assert _redact(path) == expected


def test_client_ids_in_paths_are_redacted_too() -> None:
    cid = ids.client_id()
    assert len(cid) == 15
    assert cid not in _redact(f"/3/account/me/{cid}")
