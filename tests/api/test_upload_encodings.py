"""The eight request encodings real clients use to upload, each asserted end to end."""

from __future__ import annotations

import base64
import io

import httpx
from PIL import Image

from tests.api.helpers import ANIMATED_KEYS, IMAGE_KEYS, envelope_error, envelope_ok, png_bytes, unique_jpeg


def _check_uploaded(api: httpx.Client, data: dict, original: bytes | None = None) -> None:
    assert set(data) == IMAGE_KEYS
    assert len(data["id"]) == 7 and data["id"].isalnum()
    assert len(data["deletehash"]) == 15 and data["deletehash"].isalnum()
    served = api.get(data["link"])
    assert served.status_code == 200
    assert Image.open(io.BytesIO(served.content)).size == (data["width"], data["height"])
    if original is not None:
        assert served.content == original


class TestEncodings:
    def test_1_multipart_file_with_filename_and_type(self, api: httpx.Client) -> None:
        body = unique_jpeg(101)
        r = api.post(
            "/3/upload",
            files={"image": ("cat.jpg", body, "image/jpeg")},
            data={"title": "T", "description": "D"},
        )
        data = envelope_ok(r)
        _check_uploaded(api, data, body)
        assert (data["type"], data["title"], data["description"], data["name"]) == (
            "image/jpeg",
            "T",
            "D",
            "cat.jpg",
        )

    def test_2_multipart_video_field(self, api: httpx.Client) -> None:
        from tests.corpus.cases import get_case

        mp4 = get_case("mp4_h264").read_bytes()
        data = envelope_ok(api.post("/3/upload", files={"video": ("clip.mp4", mp4, "video/mp4")}))
        assert data["type"] == "video/mp4" and data["link"].endswith(".mp4") and data["animated"] is True
        assert data["mp4"] == data["link"]
        assert set(data) == IMAGE_KEYS | ANIMATED_KEYS | {"processing"}
        assert api.get(data["link"]).content == mp4

    def test_3_part_without_filename_octet_stream(self, api: httpx.Client) -> None:
        body = png_bytes(33, 22)
        boundary = "xYzZy"
        raw = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="image"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + body
            + f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="type"\r\n\r\nfile\r\n--{boundary}--\r\n'.encode()
        )
        r = api.post(
            "/3/upload", content=raw, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )
        data = envelope_ok(r)
        assert (data["type"], data["width"], data["height"]) == ("image/png", 33, 22)
        assert api.get(data["link"]).content == body

    def test_4_filename_image_no_part_content_type(self, api: httpx.Client) -> None:
        body = unique_jpeg(102)
        boundary = "b0undary"
        raw = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="image"\r\n\r\n'
            ).encode()
            + body
            + f"\r\n--{boundary}--\r\n".encode()
        )
        r = api.post(
            "/3/image", content=raw, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )
        data = envelope_ok(r)
        assert data["type"] == "image/jpeg"
        _check_uploaded(api, data, body)

    def test_5_multipart_text_base64(self, api: httpx.Client) -> None:
        body = unique_jpeg(103)
        r = api.post(
            "/3/upload", files={"image": (None, base64.b64encode(body).decode())}, data={"type": "base64"}
        )
        _check_uploaded(api, envelope_ok(r), body)

    def test_6_urlencoded_base64_and_data_url_with_newlines(self, api: httpx.Client) -> None:
        body = unique_jpeg(104)
        b64 = base64.encodebytes(body).decode()  # wrapped at 76 columns
        data = envelope_ok(api.post("/3/upload", data={"image": b64, "type": "base64", "title": "t6"}))
        _check_uploaded(api, data, body)
        assert data["title"] == "t6"
        data_url = "data:image/jpeg;base64," + base64.b64encode(unique_jpeg(105)).decode()
        envelope_ok(api.post("/3/upload", data={"image": data_url}))

    def test_7_raw_body_labelled_urlencoded_with_query_params(self, api: httpx.Client) -> None:
        body = png_bytes(21, 12, (1, 2, 3, 255))
        r = api.post(
            "/3/image",
            params={"title": "flame", "description": "shot"},
            content=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        data = envelope_ok(r)
        assert (data["title"], data["description"], data["width"]) == ("flame", "shot", 21)
        assert api.get(data["link"]).content == body

    def test_8_json_base64(self, api: httpx.Client) -> None:
        body = unique_jpeg(106)
        r = api.post(
            "/3/upload", json={"image": base64.b64encode(body).decode(), "type": "base64", "title": "json"}
        )
        data = envelope_ok(r)
        assert data["title"] == "json"
        _check_uploaded(api, data, body)

    def test_raw_body_any_content_type(self, api: httpx.Client) -> None:
        body = unique_jpeg(107)
        data = envelope_ok(api.post("/3/upload", content=body, headers={"Content-Type": "image/png"}))
        assert data["type"] == "image/jpeg"  # magic bytes decide, not the header


class TestRefusals:
    def test_no_image(self, api: httpx.Client) -> None:
        assert envelope_error(api.post("/3/upload", data={"title": "x"}), 400)["error"]

    def test_bad_base64(self, api: httpx.Client) -> None:
        err = envelope_error(api.post("/3/upload", data={"image": "%%%not base64%%%", "type": "base64"}), 400)
        assert err["error"]["type"] == "ImgurException"

    def test_not_an_image(self, api: httpx.Client) -> None:
        err = envelope_error(api.post("/3/upload", files={"image": ("x.jpg", b"hello, I am text" * 10)}), 400)
        assert err["error"] == {
            "code": 1003,
            "message": "File type invalid (1)",
            "type": "ImgurException",
            "exception": [],
        }

    def test_loopback_url_refused_by_default(self, api: httpx.Client, server: object) -> None:
        url = f"{server.url}/healthz"  # type: ignore[attr-defined]
        err = envelope_error(api.post("/3/upload", data={"image": url, "type": "url"}), 400)
        assert "private" in err["error"]

    def test_unknown_album_refused(self, api: httpx.Client) -> None:
        err = envelope_error(
            api.post("/3/upload", files={"image": unique_jpeg(108)}, data={"album": "nope123"}), 404
        )
        assert err["error"] == "Unable to find an album with the id, nope123"
