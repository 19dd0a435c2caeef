"""Every tricky file of the corpus through the real upload endpoint, with its expected outcome."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from tests.api.helpers import envelope_error, envelope_ok
from tests.corpus.cases import ACCEPTED, REJECTED, Case, get_case
from tests.live import LiveServer, stored_keys, tmp_leftovers


def _files(server: LiveServer) -> set[str]:
    return stored_keys(server)


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda c: c.name)
def test_accepted(api: httpx.Client, case: Case) -> None:
    up = envelope_ok(api.post("/3/upload", files={"image": (case.filename, case.read_bytes())}))
    want = case.outcome
    assert (up["type"], up["width"], up["height"], up["animated"]) == (
        want.mime,
        want.width,
        want.height,
        want.animated,
    )
    assert up["link"].endswith(f"/{up['id']}.{want.ext}")
    served = api.get(up["link"])
    assert served.status_code == 200 and served.headers["content-type"] == want.mime
    assert len(served.content) == up["size"]


@pytest.mark.parametrize("case", REJECTED, ids=lambda c: c.name)
def test_rejected_leaves_nothing(api: httpx.Client, server: LiveServer, case: Case) -> None:
    before = _files(server)
    r = api.post("/3/upload", files={"image": (case.filename, case.read_bytes())})
    envelope_error(r, case.outcome.status)
    assert _files(server) == before
    assert tmp_leftovers(server) == []


class TestPrivacy:
    def test_jpeg_gps_and_camera_removed_orientation_and_icc_kept(self, api: httpx.Client) -> None:
        src = get_case("exif_rotated_jpeg").read_bytes()
        before = Image.open(io.BytesIO(src))
        assert before.getexif().get_ifd(0x8825)  # the corpus file really has GPS
        up = envelope_ok(api.post("/3/upload", files={"image": src}))
        stored = api.get(up["link"]).content
        im = Image.open(io.BytesIO(stored))
        exif = im.getexif()
        assert not exif.get_ifd(0x8825) and 0x010F not in exif and 0x0110 not in exif  # GPS, Make, Model
        assert exif.get(0x0112) == 6
        assert im.info.get("icc_profile") == before.info.get("icc_profile")
        # pixels untouched: the entropy-coded data is byte-identical
        assert (
            stored[stored.index(b"\xff\xda") :] == src[src.index(b"\xff\xda") : src.rindex(b"\xff\xd9") + 2]
        )

    def test_png_text_and_exif_removed(self, api: httpx.Client) -> None:
        src = get_case("png_exif_gps").read_bytes()
        up = envelope_ok(api.post("/3/upload", files={"image": src}))
        stored = api.get(up["link"]).content
        assert b"eXIf" not in stored and b"tEXt" not in stored
        assert Image.open(io.BytesIO(stored)).tobytes() == Image.open(io.BytesIO(src)).tobytes()

    def test_heic_served_as_jpeg(self, api: httpx.Client) -> None:
        up = envelope_ok(api.post("/3/upload", files={"image": get_case("heic_to_jpeg").read_bytes()}))
        assert Image.open(io.BytesIO(api.get(up["link"]).content)).format == "JPEG"

    def test_polyglot_served_as_gif_with_nosniff(self, api: httpx.Client) -> None:
        up = envelope_ok(
            api.post("/3/upload", files={"image": get_case("gif_js_html_polyglot").read_bytes()})
        )
        r = api.get(up["link"])
        assert r.headers["content-type"] == "image/gif" and r.headers["x-content-type-options"] == "nosniff"


class TestLimits:
    def test_over_size_refused_from_header_before_reading(self, api: httpx.Client) -> None:
        big = b"\xff\xd8\xff" + b"\0" * (21 * 1024 * 1024)
        err = envelope_error(api.post("/3/upload", files={"image": ("big.jpg", big)}), 400)
        assert err["error"]["code"] == 1003

    def test_video_sound_and_disable_audio(self, api: httpx.Client) -> None:
        body = get_case("mp4_h264_aac").read_bytes()
        with_sound = envelope_ok(api.post("/3/upload", files={"video": ("a.mp4", body)}))
        assert with_sound["has_sound"] is True
        muted = envelope_ok(
            api.post("/3/upload", files={"video": ("a.mp4", body)}, data={"disable_audio": "1"})
        )
        assert muted["has_sound"] is False and muted["id"] != with_sound["id"]
