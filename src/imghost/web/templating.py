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

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

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


@pass_context
def _csrf_input(ctx: Context) -> Markup:
    """The hidden CSRF field every state-changing form carries. A global rather than a macro: a macro
    that reads the page's context must be imported with it, which runs the macro file on every render."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, ctx["csrf"])


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
env.globals["csrf_input"] = _csrf_input
env.filters["filesize"] = _size
env.filters["date"] = _date
env.filters["isodate"] = _iso
env.filters["number"] = _number

_HTML = "text/html; charset=utf-8"
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
    if not (s.s3_redirect and s.storage_url):
        return ""
    if not s.s3_endpoint_url:
        # The provider's own endpoint: presigned URLs name a per-bucket host that is not known here.
        return "https:"
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
    return respond(request, v, page(request, v, template, context), status=status, headers=headers)


def page(
    request: Request, v: Viewer | None, template: str, context: Mapping[str, Any] | None = None
) -> bytes:
    """The page's HTML. Without a viewer it is the page any signed-out visitor gets: no CSRF token in it
    (such a page must have no form), so that one rendering can serve them all (web.page_cache)."""
    svc = services(request)
    ctx = {
        "viewer": v or Viewer(None, ""),
        "csrf": v.csrf if v is not None else "",
        "base_url": svc.settings.base_url,
        "path": request.url.path,
        "registration": svc.settings.registration,
        **(context or {}),
    }
    return env.get_template(template).render(ctx).encode()


def respond(
    request: Request,
    v: Viewer,
    body: bytes,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    gzipped: bool = False,
) -> Response:
    """A page's answer: compressed when it pays, the site's security headers, never kept by shared caches
    (a page may show who is signed in), and the visitor's CSRF cookie when it is new."""
    extra = {
        **dict(_headers(media_origin(request))),
        "cache-control": "private, no-cache" if v.signed_in else "no-cache",
        **(headers or {}),
    }
    if gzipped:
        extra["content-encoding"] = "gzip"
        extra["vary"] = "Accept-Encoding, Cookie"
        response: Response = Response(body, status_code=status, media_type=_HTML, headers=extra)
    else:
        response = compressed(request, body, _HTML, status=status, headers=extra)
    set_cookies(request, response, v)
    return response


def gzip_ok(request: Request, body: bytes) -> bool:
    return len(body) > 1400 and "gzip" in request.headers.get("accept-encoding", "")


def compressed(
    request: Request,
    body: bytes,
    media_type: str,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The body gzipped when the client takes it and it is worth it. Headers go in at construction: each
    later assignment rescans the header list."""
    extra = {**(headers or {}), "vary": "Accept-Encoding, Cookie"}
    if gzip_ok(request, body):
        # Level 4: within a few per cent of 6 on HTML, at about half the CPU.
        extra["content-encoding"] = "gzip"
        body = gzip.compress(body, 4)
    return Response(body, status_code=status, media_type=media_type, headers=extra)
