"""One Jinja2 environment (autoescaping on) and one way to answer with a page: render().

Templates display what handlers give them; they compute nothing beyond formatting (the filters below).
Every page gets the same security headers, is compressed when it is worth it, and is never cached by
shared caches (a page may show who is signed in)."""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from imghost.headers import site_page_headers
from imghost.web import assets
from imghost.web.viewer import CSRF_FIELD, Viewer, services, set_cookies


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


def _date(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def _number(n: int) -> str:
    return f"{n:,}"


env = Environment(
    loader=PackageLoader("imghost.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    # Templates ship with the package and change only with it: no stat() of every file on every page.
    auto_reload=False,
)
env.globals["asset"] = assets.url
env.globals["csrf_field"] = CSRF_FIELD
env.filters["filesize"] = _size
env.filters["date"] = _date
env.filters["isodate"] = _iso
env.filters["number"] = _number

_HEADERS_CACHE: dict[str, list[tuple[str, str]]] = {}


def _headers(media_origin: str) -> list[tuple[str, str]]:
    hit = _HEADERS_CACHE.get(media_origin)
    if hit is None:
        hit = [(k.decode(), v.decode()) for k, v in site_page_headers(media_origin=media_origin)]
        _HEADERS_CACHE[media_origin] = hit
    return hit


def media_origin(request: Request) -> str:
    """The object store's origin when media answers redirect there (the pages' images load from it)."""
    s = services(request).settings
    if not (s.s3_redirect and s.s3_endpoint_url):
        return ""
    parts = urlsplit(s.s3_endpoint_url)
    return f"{parts.scheme}://{parts.netloc}"


def render(
    request: Request,
    v: Viewer,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    svc = services(request)
    ctx = {
        "viewer": v,
        "csrf": v.csrf,
        "base_url": svc.settings.base_url,
        "path": request.url.path,
        "registration": svc.settings.registration,
        **(context or {}),
    }
    body = env.get_template(template).render(ctx).encode()
    response = compressed(request, body, "text/html; charset=utf-8", status=status)
    for k, val in _headers(media_origin(request)):
        response.headers[k] = val
    response.headers["cache-control"] = "private, no-cache" if v.signed_in else "no-cache"
    for k, val in (headers or {}).items():
        response.headers[k] = val
    set_cookies(request, response, v)
    return response


def compressed(request: Request, body: bytes, media_type: str, *, status: int = 200) -> Response:
    if len(body) > 1400 and "gzip" in request.headers.get("accept-encoding", ""):
        r: Response = Response(gzip.compress(body, 6), status_code=status, media_type=media_type)
        r.headers["content-encoding"] = "gzip"
    else:
        r = HTMLResponse(body, status_code=status, media_type=media_type)
    r.headers["vary"] = "Accept-Encoding, Cookie"
    return r
