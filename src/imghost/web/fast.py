"""GET /{id}: the image page without the framework's router, the way the API edge serves its busiest
routes. The page's path is the catch-all at the end of some ninety routes, and walking them cost a third
of the page; here one regular expression and a set of the site's own one-segment paths decide."""

from __future__ import annotations

import logging
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from imghost.errors import ImghostError
from imghost.web import WEB_ROUTERS
from imghost.web.errors import error_response
from imghost.web.image_pages import image_page

log = logging.getLogger("imghost")

PAGE_PATH = re.compile(r"^/([A-Za-z0-9]{1,32}(?:\.gifv)?)$")


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
        scope = {**scope, "app": self.app}
        request = Request(scope, receive)
        response: Response
        try:
            response = await image_page(request, segment)
        except ImghostError as exc:
            response = await error_response(request, exc)
        except Exception as exc:
            log.error("unhandled %s on the image page", type(exc).__name__)
            response = await error_response(request, ImghostError())
        await response(scope, receive, send)
