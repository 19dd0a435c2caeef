"""Link previews: the Open Graph and Twitter card tags of image and album pages, and the oEmbed answers
they point at, read as a chat app's unfurler reads them (plain HTTP, the HTML parsed, every URL fetched)."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from PIL import Image

from tests.albums.helpers import create
from tests.api.helpers import unique_jpeg, upload
from tests.live import LiveServer
from tests.web.helpers_image import HOSTILE, gif_bytes


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        key = a.get("property") or a.get("name")
        if tag == "meta" and key:
            self.meta.setdefault(key, []).append(a.get("content") or "")
        elif tag == "link":
            self.links.append(a)

    def one(self, key: str) -> str:
        values = self.meta.get(key, [])
        assert len(values) == 1, (key, values)
        return values[0]

    def oembed_href(self) -> str:
        found = [link for link in self.links if link.get("type") == "application/json+oembed"]
        assert len(found) == 1 and found[0].get("rel") == "alternate", self.links
        return found[0]["href"] or ""


def _head(r: httpx.Response) -> _Head:
    assert r.status_code == 200, r.status_code
    h = _Head()
    h.feed(r.text)
    return h


def _size(url: str) -> tuple[int, int]:
    """The real pixel size of what a URL serves."""
    r = httpx.get(url, timeout=60, follow_redirects=True)
    assert r.status_code == 200, (url, r.status_code)
    with Image.open(io.BytesIO(r.content)) as im:
        return im.size


def _oembed(server: LiveServer, **params: Any) -> dict[str, Any]:
    r = httpx.get(f"{server.url}/oembed", params=params, timeout=60)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    data: dict[str, Any] = r.json()
    assert data["version"] == "1.0" and data["provider_name"] == "imghost", data
    assert data["provider_url"] == server.url and isinstance(data["cache_age"], int), data
    return data


def _check_discovery(server: LiveServer, h: _Head, page_url: str, title: str) -> dict[str, Any]:
    """The page's oEmbed link names this page, absolutely, and answers."""
    href = h.oembed_href()
    parts = urlsplit(href)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{server.url}/oembed", href
    assert parse_qs(parts.query) == {"url": [page_url], "format": ["json"]}, href
    r = httpx.get(href, timeout=60)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    assert data["title"] == title, data
    return data


def test_jpeg_page_previews_the_image_itself(server: LiveServer, api: httpx.Client) -> None:
    up = upload(api, None, unique_jpeg(9101, 900, 700), title=HOSTILE, description="A <b>bold</b>\nclaim")
    page_url = f"{server.url}/{up['id']}"
    r = httpx.get(page_url, timeout=60)
    h = _head(r)
    assert HOSTILE not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert h.one("og:type") == "website"
    assert h.one("og:url") == page_url
    assert h.one("og:title") == h.one("twitter:title") == HOSTILE
    assert h.one("og:description") == "A <b>bold</b> claim"
    assert h.one("og:image") == h.one("twitter:image") == up["link"]
    assert (int(h.one("og:image:width")), int(h.one("og:image:height"))) == (900, 700) == _size(up["link"])
    assert h.one("twitter:card") == "summary_large_image"
    assert not any(k.startswith("og:video") for k in h.meta), h.meta
    assert "og:image:secure_url" not in h.meta  # served over plain HTTP here

    data = _check_discovery(server, h, page_url, HOSTILE)
    assert data["type"] == "photo"
    assert (data["url"], data["width"], data["height"]) == (up["link"], 900, 700)
    assert _size(data["thumbnail_url"]) == (data["thumbnail_width"], data["thumbnail_height"])
    # Every URL of the image finds it: its direct link and a thumbnail's.
    for url in (up["link"], f"{server.url}/{up['id']}m.jpg"):
        assert _oembed(server, url=url)["url"] == up["link"]


def test_oembed_keeps_within_the_bounds_asked_for(server: LiveServer, api: httpx.Client) -> None:
    up = upload(api, None, unique_jpeg(9102, 800, 600), title="Harbour")
    page_url = f"{server.url}/{up['id']}"
    bounded = _oembed(server, url=page_url, maxwidth=400)
    assert bounded["type"] == "photo" and bounded["url"] == f"{server.url}/{up['id']}m.jpg"
    assert (bounded["width"], bounded["height"]) == (320, 240) == _size(bounded["url"])
    tall = _oembed(server, url=page_url, maxheight=200, maxwidth=1000)
    assert tall["height"] <= 200 and _size(tall["url"]) == (tall["width"], tall["height"])
    whole = _oembed(server, url=page_url, maxwidth=800, maxheight=600)
    assert whole["url"] == up["link"]


def test_oembed_refuses_what_it_cannot_answer(server: LiveServer, api: httpx.Client) -> None:
    up = upload(api, None, unique_jpeg(9103, 64, 48))
    page_url = f"{server.url}/{up['id']}"
    cases = {
        "unknown image": ({"url": f"{server.url}/zzzzzzz"}, 404),
        "another site": ({"url": f"https://elsewhere.test/{up['id']}"}, 404),
        "not a URL": ({"url": "javascript:alert(1)"}, 404),
        "no url": ({}, 404),
        "xml": ({"url": page_url, "format": "xml"}, 501),
        "bad bound": ({"url": page_url, "maxwidth": "wide"}, 400),
    }
    for name, (params, status) in cases.items():
        r = httpx.get(f"{server.url}/oembed", params=params, timeout=60)
        assert r.status_code == status, (name, r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/json") and "error" in r.json(), name


def test_gif_served_as_mp4_previews_the_video(server: LiveServer, api: httpx.Client) -> None:
    up = upload(api, None, gif_bytes(9104, 160, 120), filename="loop.gif", title="Loop")
    assert up["animated"] and up["mp4"] == f"{server.url}/{up['id']}.mp4"
    page_url = f"{server.url}/{up['id']}"
    for url in (page_url, up["gifv"]):
        h = _head(httpx.get(url, timeout=60))
        assert h.one("og:type") == "video.other"
        assert h.one("og:url") == page_url
        assert h.one("og:video") == up["mp4"] and h.one("og:video:type") == "video/mp4"
        assert (h.one("og:video:width"), h.one("og:video:height")) == ("160", "120")
        assert "og:video:secure_url" not in h.meta  # plain HTTP here
        # The still is a thumbnail of the first frame, a JPEG every unfurler draws.
        assert h.one("og:image") == f"{server.url}/{up['id']}h.jpg"
        assert _size(h.one("og:image")) == (int(h.one("og:image:width")), int(h.one("og:image:height")))
        # A player card needs HTTPS; over HTTP the large image card stands in.
        assert h.one("twitter:card") == "summary_large_image"
    mp4 = httpx.get(up["mp4"], timeout=60, follow_redirects=True)
    assert mp4.status_code == 200 and mp4.headers["content-type"] == "video/mp4"

    data = _check_discovery(server, h, page_url, "Loop")
    assert data["type"] == "video" and (data["width"], data["height"]) == (160, 120)
    assert f'<video src="{up["mp4"]}"' in data["html"] and 'width="160" height="120"' in data["html"]
    assert _size(data["thumbnail_url"]) == (data["thumbnail_width"], data["thumbnail_height"])
    small = _oembed(server, url=up["gifv"], maxwidth=80)
    assert small["type"] == "video" and (small["width"], small["height"]) == (80, 60)
    assert 'width="80" height="60"' in small["html"]


def test_album_page_previews_its_cover(server: LiveServer, api: httpx.Client) -> None:
    first = upload(api, None, unique_jpeg(9105, 300, 200), title="First")
    cover = upload(api, None, unique_jpeg(9106, 640, 480), title="Cover")
    title = HOSTILE + " album"
    album = create(
        api,
        {},
        data={
            "deletehashes[]": [first["deletehash"], cover["deletehash"]],
            "title": title,
            "cover": cover["id"],
        },
    )
    page_url = f"{server.url}/a/{album['id']}"
    r = httpx.get(page_url, timeout=60)
    h = _head(r)
    assert HOSTILE not in r.text
    assert h.one("og:type") == "website" and h.one("og:url") == page_url
    assert h.one("og:title") == title
    assert h.one("og:image") == h.one("twitter:image") == cover["link"]
    assert (int(h.one("og:image:width")), int(h.one("og:image:height"))) == (640, 480) == _size(cover["link"])
    assert h.one("twitter:card") == "summary_large_image"

    data = _check_discovery(server, h, page_url, title)
    assert data["type"] == "photo" and (data["url"], data["width"], data["height"]) == (
        cover["link"],
        640,
        480,
    )
    assert _size(data["thumbnail_url"]) == (data["thumbnail_width"], data["thumbnail_height"])

    empty = create(api, {}, data={"title": "Nothing yet"})
    data = _oembed(server, url=f"{server.url}/a/{empty['id']}")
    assert data["type"] == "link" and data["title"] == "Nothing yet" and "url" not in data
    r = httpx.get(f"{server.url}/oembed", params={"url": f"{server.url}/a/zzzzzzz"}, timeout=60)
    assert r.status_code == 404


def _image(**fields: Any) -> Any:
    from imghost.domain.images.model import Image as Row

    values: dict[str, Any] = {
        "id": "AbCdEfG",
        "deletehash": "x" * 15,
        "client_id": None,
        "account_id": None,
        "title": "Loop",
        "description": None,
        "name": "",
        "blob_id": "0" * 32,
        "mime": "image/gif",
        "ext": "gif",
        "width": 2048,
        "height": 1024,
        "size": 1000,
        "animated": True,
        "has_sound": False,
        "mp4_size": 500,
        "nsfw": None,
        "created_at": 0,
        "views": 0,
        "bandwidth": 0,
    }
    return Row(**{**values, **fields})


def _preview_of(image: Any, base: str) -> _Head:
    from imghost.web.image_view import Shown
    from imghost.web.templating import env

    html = env.from_string(
        '{% from "_preview.html" import image_preview %}{{ image_preview(shown) }}'
    ).render(shown=Shown(image, base))
    h = _Head()
    h.feed(html)
    return h


def test_previews_over_https_offer_secure_urls_and_a_player_card() -> None:
    base = "https://img.example"
    h = _preview_of(_image(), base)
    assert h.one("og:video") == h.one("og:video:secure_url") == f"{base}/AbCdEfG.mp4"
    assert h.one("twitter:card") == "player"
    assert h.one("twitter:player") == h.one("twitter:player:stream") == f"{base}/AbCdEfG.mp4"
    assert (h.one("twitter:player:width"), h.one("twitter:player:height")) == ("2048", "1024")
    # The still is the `h` thumbnail, fitted into its 1024 px box.
    assert h.one("og:image") == h.one("og:image:secure_url") == f"{base}/AbCdEfGh.jpg"
    assert (h.one("og:image:width"), h.one("og:image:height")) == ("1024", "512")
    # A still image over HTTPS: the original itself, no video, the large image card.
    h = _preview_of(_image(mime="image/png", ext="png", animated=False, mp4_size=0), base)
    assert h.one("og:image") == h.one("og:image:secure_url") == f"{base}/AbCdEfG.png"
    assert h.one("twitter:card") == "summary_large_image" and "og:video" not in h.meta
    # Too large (or of a type not every unfurler draws) for a preview: the `h` thumbnail stands in.
    for fields in ({"size": 6 * 1024 * 1024}, {"mime": "image/avif", "ext": "avif"}):
        h = _preview_of(_image(animated=False, mp4_size=0, **fields), base)
        assert h.one("og:image") == f"{base}/AbCdEfGh.jpg", fields
