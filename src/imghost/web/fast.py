"""The busiest pages without the framework's router, the way the API edge serves its busiest routes:
the image page `GET /{id}` and the gallery's `GET /gallery[/...]` (the tabs and the post pages). Their
paths sit behind some ninety routes (the image page's is the catch-all at the end), and walking them
cost a third of a page or more; here one regular expression (and, for /{id}, a set of the site's own
one-segment paths) decides, and the same handlers answer."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from imghost.errors import ImghostError
from imghost.web import WEB_ROUTERS
from imghost.web.errors import error_response
from imghost.web.gallery_pages import gallery_page
from imghost.web.image_pages import image_page

log = logging.getLogger("imghost")

PAGE_PATH = re.compile(r"^/([A-Za-z0-9]{1,32}(?:\.gifv)?)$")
# /gallery, /gallery/{section or post}, /gallery/{section}/{sort}, /gallery/{section}/{sort}/{window}:
# the GET routes of web.gallery_pages, and nothing else of the site's starts so.
GALLERY_PATH = re.compile(r"^/gallery((?:/[^/]+){0,3})$")


async def _answer(
    app: Any,
    scope: dict[str, Any],
    receive: Any,
    send: Any,
    handler: Callable[[Request], Awaitable[Response]],
) -> None:
    """The handler's page, or the error page the framework's handlers would have made."""
    scope = {**scope, "app": app}
    request = Request(scope, receive)
    response: Response
    try:
        response = await handler(request)
    except ImghostError as exc:
        response = await error_response(request, exc)
    except Exception as exc:
        log.error("unhandled %s on %s", type(exc).__name__, scope["path"].split("/")[1:2])
        response = await error_response(request, ImghostError())
    await response(scope, receive, send)


class ImagePages:
    def __init__(self, app: Any) -> None:
        self.app = app
        # /signin, /upload, /docs, ...: one-segment paths that belong to other routes.
        routes = [*app.routes, *(r for router in WEB_ROUTERS for r in router.routes)]
        paths = [str(getattr(route, "path", "") or "") for route in routes]
        self.taken = {p for p in paths if p.count("/") == 1 and "{" not in p}

    def match(self, scope: dict[str, Any]) -> str | None:
        if scope["method"] not in ("GET", "HEAD") or scope["path"] in self.taken:
            return None
        m = PAGE_PATH.match(scope["path"])
        return m.group(1) if m else None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any, segment: str) -> None:
        await _answer(self.app, scope, receive, send, lambda request: image_page(request, segment))


class GalleryPages:
    def __init__(self, app: Any) -> None:
        self.app = app

    def match(self, scope: dict[str, Any]) -> tuple[str, ...] | None:
        if scope["method"] not in ("GET", "HEAD"):
            return None
        m = GALLERY_PATH.match(scope["path"])
        return tuple(m.group(1).split("/")[1:]) if m else None

    async def __call__(
        self, scope: dict[str, Any], receive: Any, send: Any, segments: tuple[str, ...]
    ) -> None:
        await _answer(self.app, scope, receive, send, lambda request: gallery_page(request, *segments))
