"""Transport rules every /3 route follows: envelope, errors, CORS, suffixes, headers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.api.helpers import envelope_error, envelope_ok

RATE_HEADERS = (
    "x-ratelimit-userlimit",
    "x-ratelimit-userremaining",
    "x-ratelimit-userreset",
    "x-ratelimit-clientlimit",
    "x-ratelimit-clientremaining",
)


class TestErrors:
    def test_missing_auth_is_401_envelope(self, raw: httpx.Client) -> None:
        data = envelope_error(raw.get("/3/image/abcdefg"), 401)
        assert data == {"error": "Authentication required", "request": "/3/image/abcdefg", "method": "GET"}

    def test_unknown_client_is_403(self, raw: httpx.Client) -> None:
        r = raw.get("/3/credits", headers={"Authorization": "Client-ID 000000000000000"})
        assert envelope_error(r, 403)["error"] == "Invalid client_id"

    def test_malformed_header_is_403(self, raw: httpx.Client, client_creds: tuple[str, str]) -> None:
        r = raw.get("/3/credits", headers={"Authorization": f"Client-ID{client_creds[0]}"})
        assert envelope_error(r, 403)["error"] == "Malformed auth header"

    def test_invalid_bearer_is_the_text_clients_refresh_on(self, raw: httpx.Client) -> None:
        r = raw.get("/3/image/abcdefg", headers={"Authorization": "Bearer 0123456789abcdef"})
        assert envelope_error(r, 403)["error"] == "The access token provided is invalid."

    def test_unknown_route_is_404_envelope(self, api: httpx.Client) -> None:
        data = envelope_error(api.get("/3/no/such/route"), 404)
        assert data["request"] == "/3/no/such/route" and data["method"] == "GET"

    def test_wrong_method_is_405_envelope(self, api: httpx.Client) -> None:
        envelope_error(api.patch("/3/credits"), 405)

    def test_missing_image_message(self, api: httpx.Client) -> None:
        data = envelope_error(api.get("/3/image/zzzzzzz"), 404)
        assert data["error"] == "Unable to find an image with the id, zzzzzzz"

    def test_errors_carry_rate_headers_and_cors(self, raw: httpx.Client) -> None:
        r = raw.get("/3/image/abcdefg")
        for h in RATE_HEADERS:
            assert r.headers[h].isdigit()
        assert r.headers["access-control-allow-origin"] == "*"

    def test_fake_status_keeps_body_status(self, api: httpx.Client) -> None:
        r = api.get("/3/image/zzzzzzz", params={"_fake_status": "200"})
        assert r.status_code == 200
        assert r.json()["status"] == 404 and r.json()["success"] is False

    def test_garbage_json_body_is_400(self, api: httpx.Client) -> None:
        r = api.post("/3/image/zzzzzzz", content=b"{not json", headers={"Content-Type": "application/json"})
        assert r.status_code in (400, 404)
        assert r.json()["success"] is False


class TestTransport:
    def test_json_suffix_and_trailing_slash(self, api: httpx.Client) -> None:
        assert envelope_ok(api.get("/3/credits.json"))["ClientLimit"] > 0
        assert envelope_ok(api.get("/3/credits/"))["ClientLimit"] > 0

    def test_options_preflight_without_auth(self, raw: httpx.Client) -> None:
        r = raw.options(
            "/3/upload", headers={"Origin": "http://example.org", "Access-Control-Request-Method": "POST"}
        )
        assert r.status_code == 200
        assert "POST" in r.headers["access-control-allow-methods"]
        assert "Authorization" in r.headers["access-control-allow-headers"]

    def test_content_type(self, api: httpx.Client) -> None:
        assert api.get("/3/credits").headers["content-type"] == "application/json; charset=utf-8"

    def test_client_id_scheme_is_case_insensitive_and_tolerates_prefix(
        self, raw: httpx.Client, client_creds: tuple[str, str]
    ) -> None:
        for value in (f"client-id {client_creds[0]}", f"Authorization: Client-ID {client_creds[0]}"):
            envelope_ok(raw.get("/3/credits", headers={"Authorization": value}))


@pytest.fixture
def fresh(server: object, client_creds: tuple[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Client-ID {client_creds[0]}"}) as c:  # type: ignore[attr-defined]
        yield c


class TestCreditsAndLimits:
    def test_credits_shape_and_free(self, fresh: httpx.Client) -> None:
        api = fresh
        first = envelope_ok(api.get("/3/credits"))
        assert set(first) == {"UserLimit", "UserRemaining", "UserReset", "ClientLimit", "ClientRemaining"}
        assert all(isinstance(v, int) for v in first.values())
        second = envelope_ok(api.get("/3/credits"))
        assert second["UserRemaining"] == first["UserRemaining"]  # /3/credits costs nothing

    def test_get_costs_one_and_upload_ten(self, fresh: httpx.Client) -> None:
        api = fresh
        from tests.api.helpers import unique_jpeg

        before = envelope_ok(api.get("/3/credits"))
        api.get("/3/image/zzzzzzz")
        mid = envelope_ok(api.get("/3/credits"))
        assert before["UserRemaining"] - mid["UserRemaining"] == 1
        assert before["ClientRemaining"] - mid["ClientRemaining"] == 1
        r = api.post("/3/upload", files={"image": ("a.jpg", unique_jpeg(1))})
        envelope_ok(r)
        limit = int(r.headers["x-post-rate-limit-limit"])
        assert 0 <= int(r.headers["x-post-rate-limit-remaining"]) < limit
        after = envelope_ok(api.get("/3/credits"))
        assert mid["UserRemaining"] - after["UserRemaining"] == 10
