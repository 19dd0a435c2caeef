"""Media delivery: link scheme, thumbnails, caching headers, ranges, MP4/gifv."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from tests.api.helpers import envelope_ok, unique_jpeg
from tests.corpus.cases import get_case

SIZES = {"s": (90, 90), "b": (160, 160), "t": (160, 120), "m": (320, 240), "l": (640, 480), "h": (1024, 768)}


@pytest.fixture(scope="module")
def big(server: object) -> dict:
    cid, _ = server.create_client()  # type: ignore[attr-defined]
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Client-ID {cid}"}) as c:  # type: ignore[attr-defined]
        return envelope_ok(c.post("/3/upload", files={"image": unique_jpeg(300, 1600, 1200)}))


class TestThumbnails:
    @pytest.mark.parametrize("suffix", list(SIZES))
    def test_sizes(self, raw: httpx.Client, big: dict, suffix: str) -> None:
        r = raw.get(f"/{big['id']}{suffix}.jpg")
        assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
        im = Image.open(io.BytesIO(r.content))
        assert im.format == "JPEG" and im.size == SIZES[suffix]

    def test_never_upscaled(self, api: httpx.Client) -> None:
        small = envelope_ok(api.post("/3/upload", files={"image": unique_jpeg(301, 50, 30)}))
        for suffix, size in (("h", (50, 30)), ("s", (30, 30))):
            im = Image.open(io.BytesIO(api.get(f"/{small['id']}{suffix}.jpg").content))
            assert im.size == size

    def test_any_extension_and_png_source(self, api: httpx.Client) -> None:
        up = envelope_ok(api.post("/3/upload", files={"image": get_case("png_alpha").read_bytes()}))
        for ext in ("jpg", "png", "gif"):
            r = api.get(f"/{up['id']}t.{ext}")
            assert r.headers["content-type"] == "image/jpeg"
        assert api.get(f"/{up['id']}.jpeg").headers["content-type"] == "image/png"

    def test_exif_orientation_applied(self, api: httpx.Client) -> None:
        up = envelope_ok(api.post("/3/upload", files={"image": get_case("exif_rotated_jpeg").read_bytes()}))
        im = Image.open(io.BytesIO(api.get(f"/{up['id']}h.jpg").content))
        assert im.size == (48, 64)  # stored 64x48 with orientation 6: displayed portrait

    @pytest.mark.parametrize(
        "case",
        [
            "cmyk_jpeg",
            "png_16bit_rgb",
            "gif_animated",
            "webp_animated",
            "avif",
            "apng",
            "mp4_h264",
            "webm_vp9",
        ],
    )
    def test_every_format_thumbnails(self, api: httpx.Client, case: str) -> None:
        up = envelope_ok(api.post("/3/upload", files={"image": get_case(case).read_bytes()}))
        r = api.get(f"/{up['id']}m.jpg")
        assert r.status_code == 200
        im = Image.open(io.BytesIO(r.content))
        assert im.format == "JPEG" and im.mode == "RGB"


class TestCachingHeaders:
    def test_etag_304(self, raw: httpx.Client, big: dict) -> None:
        for path in (big["link"], f"/{big['id']}m.jpg"):
            r = raw.get(path)
            etag = r.headers["etag"]
            assert "max-age=31536000" in r.headers["cache-control"]
            again = raw.get(path, headers={"If-None-Match": etag})
            assert again.status_code == 304 and again.content == b""

    def test_range(self, raw: httpx.Client, big: dict) -> None:
        full = raw.get(big["link"]).content
        r = raw.get(big["link"], headers={"Range": "bytes=10-99"})
        assert r.status_code == 206 and r.content == full[10:100]
        assert r.headers["content-range"] == f"bytes 10-99/{len(full)}"
        tail = raw.get(big["link"], headers={"Range": "bytes=-5"})
        assert tail.content == full[-5:]
        assert raw.get(big["link"], headers={"Range": f"bytes={len(full) + 5}-"}).status_code == 416

    def test_head(self, raw: httpx.Client, big: dict) -> None:
        r = raw.head(big["link"])
        assert r.status_code == 200 and int(r.headers["content-length"]) == big["size"] and r.content == b""

    def test_nosniff_and_unknown(self, raw: httpx.Client, big: dict) -> None:
        assert raw.get(big["link"]).headers["x-content-type-options"] == "nosniff"
        assert raw.get("/zzzzzzz.jpg").status_code == 404
        assert raw.get("/zzzzzzzm.jpg").status_code == 404
        assert raw.get(f"/{big['id']}.exe").status_code == 404
        assert raw.post(big["link"]).status_code == 405


class TestAnimated:
    def test_gif_gets_mp4_and_gifv(self, api: httpx.Client) -> None:
        up = envelope_ok(api.post("/3/upload", files={"image": get_case("gif_animated").read_bytes()}))
        assert up["animated"] is True and up["looping"] is True
        assert up["gifv"].endswith(f"/{up['id']}.gifv") and up["mp4"].endswith(f"/{up['id']}.mp4")
        mp4 = api.get(up["mp4"])
        assert mp4.status_code == 200 and mp4.headers["content-type"] == "video/mp4"
        assert mp4.content[4:8] == b"ftyp" and len(mp4.content) == up["mp4_size"] > 0
        # The .gifv link is the image page, playing the MP4 and announcing it to link previews.
        page = api.get(up["gifv"])
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert f'<video id="video" src="/{up["id"]}.mp4"' in page.text
        assert f'<meta property="og:video" content="{up["mp4"]}">' in page.text
        assert api.get(up["link"]).headers["content-type"] == "image/gif"

    def test_static_has_no_gifv(self, api: httpx.Client) -> None:
        up = envelope_ok(api.post("/3/upload", files={"image": unique_jpeg(310)}))
        assert "gifv" not in up and up["mp4"] == ""
        assert api.get(f"/{up['id']}.gifv").status_code == 404
        assert api.get(f"/{up['id']}.mp4").status_code == 404


class TestLargeFiles:
    """Files above the in-memory cache threshold take the streaming / pathsend path."""

    def test_full_range_and_head(self, api: httpx.Client) -> None:
        body = get_case("photo_12mp_jpeg").read_bytes()
        up = envelope_ok(api.post("/3/upload", files={"image": ("p.jpg", body)}))
        assert up["size"] > 2 * 1024 * 1024
        full = api.get(up["link"])
        assert full.status_code == 200 and len(full.content) == up["size"]
        assert full.content[-2:] == b"\xff\xd9"
        part = api.get(up["link"], headers={"Range": "bytes=1000000-1000099"})
        assert part.status_code == 206 and part.content == full.content[1000000:1000100]
        head = api.head(up["link"])
        assert int(head.headers["content-length"]) == up["size"] and head.content == b""
        assert api.get(up["link"], headers={"If-None-Match": full.headers["etag"]}).status_code == 304
