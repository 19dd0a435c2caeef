"""create_app(settings): wires the services built from one Settings object to the three surfaces (the
/3 API, media delivery, and the web pages). The CLI builds that object; the worker entry points
(rsgi.py, asgi.py) receive it whole (Settings.in_worker)."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from PIL import Image
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from imghost import __version__
from imghost.api import (
    account_gallery,
    accounts,
    albums,
    comments,
    credits,
    gallery,
    images,
    messages,
    moderation,
    notification_stream,
    notifications,
    search,
    tags,
)
from imghost.api.edge import ApiEdge, FastRoute
from imghost.api.envelope import error
from imghost.delivery.handler import MEDIA_PATH, Delivery
from imghost.errors import ImghostError, InvalidRequest, MethodNotAllowed, NotFound
from imghost.http.pacing import PacedReceive
from imghost.services import Services
from imghost.settings import Settings
from imghost.web import WEB_ROUTERS
from imghost.web.errors import error_response
from imghost.web.fast import GalleryPages, ImagePages

log = logging.getLogger("imghost")


# Uploads and the reads clients make most, dispatched by the API edge without the framework's router (which walks every
# route) and dependency solver: the same handlers, a fraction of the cost. Everything else goes through
# FastAPI, which also documents these routes.
FAST_ROUTES: list[FastRoute] = [
    ("POST", re.compile(r"^/3/(?:image|upload)$"), images.upload),
    ("GET", re.compile(r"^/3/image/([^/]+)$"), images.get_image),
    ("GET", re.compile(r"^/3/credits$"), credits.credits),
    ("GET", re.compile(r"^/3/album/([^/]+)$"), albums.get_album),
    ("GET", re.compile(r"^/3/album/([^/]+)/images$"), albums.album_images),
    # Gallery listings and votes. A listing's path is only taken here when its sort is one of the sorts:
    # any other second segment ("comments", "votes" ...) is a route on a post id, left to the router.
    (
        "GET",
        re.compile(r"^/3/gallery/(hot|top|user)/(viral|top|time|rising)/([^/]+)$"),
        gallery.gallery_three,
    ),
    (
        "GET",
        re.compile(r"^/3/gallery/(hot|top|user)/(viral|top|time|rising)/([^/]+)/([^/]+)$"),
        gallery.gallery_four,
    ),
    ("POST", re.compile(r"^/3/gallery/([^/]+)/vote/([^/]+)$"), gallery.vote),
    # An inbox: the conversation list and a conversation's first page (GET /3/conversations/{x} is
    # always a conversation id: block and report are POSTs).
    ("GET", re.compile(r"^/3/conversations$"), messages.conversations),
    ("GET", re.compile(r"^/3/conversations/([^/]+)$"), messages.conversation_first_page),
    # Both notification lists (GET /3/notification/{id} is one notification: left to the router).
    ("GET", re.compile(r"^/3/notification$"), notifications.notifications),
]


# The one API path outside /3 (docs-new's blocks): through the same edge, with the same envelope.
API_OUTSIDE_3 = "/account/v1/"


def _is_api(path: str) -> bool:
    return path == "/3" or path.startswith(("/3/", "/oauth2", API_OUTSIDE_3))


async def _render(request: Request, exc: ImghostError) -> Response:
    path = request.url.path
    # The authorize and addclient pages are both: a browser (which asks for HTML) gets a page, a script the Imgur envelope.
    browser = path in ("/oauth2/authorize", "/oauth2/addclient") and "text/html" in request.headers.get(
        "accept", ""
    )
    if _is_api(path) and not browser:
        return error(exc, request.scope["path"], request.method)
    return await error_response(request, exc)


def build_fastapi() -> FastAPI:
    api = FastAPI(
        title="imghost",
        version=__version__,
        description="A self-hosted image host whose HTTP API is the Imgur API v3.",
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    api.include_router(images.router)
    api.include_router(credits.router)
    # Before the account router: POST /3/account/{u}/message.
    api.include_router(messages.router)
    api.include_router(messages.blocks)
    # Before the notification routes: /3/notification/stream would be taken for a notification's id.
    api.include_router(notification_stream.router)
    api.include_router(notifications.router)
    api.include_router(accounts.router)
    api.include_router(albums.router)
    api.include_router(account_gallery.router)
    api.include_router(moderation.router)
    api.include_router(tags.router)
    api.include_router(comments.router)
    api.include_router(search.router)
    # Last of the API: its /gallery/{a}/{b}... routes would take the paths of the literal ones.
    api.include_router(gallery.router)
    for router in WEB_ROUTERS:
        api.include_router(router)

    @api.exception_handler(ImghostError)
    async def _imghost(request: Request, exc: ImghostError) -> Response:
        return await _render(request, exc)

    @api.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            mapped: ImghostError = NotFound()
        elif exc.status_code == 405:
            mapped = MethodNotAllowed()
        else:
            mapped = ImghostError(str(exc.detail))
            mapped.status = exc.status_code
        return await _render(request, mapped)

    @api.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return await _render(request, InvalidRequest("Invalid parameters"))

    @api.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.error(
            "unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path.split("/")[1:2]
        )
        return await _render(request, ImghostError())

    return api


class Root:
    """Dispatch by path before any framework work: media paths are the hot path and skip FastAPI."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.fastapi = build_fastapi()
        self.services: Services | None = None
        self.edge: ApiEdge | None = None
        self.delivery: Delivery | None = None
        self.image_pages = ImagePages(self.fastapi)
        self.gallery_pages = GalleryPages(self.fastapi)

    async def startup(self) -> None:
        s = self.settings
        # Pillow's own bomb guard, set once here rather than per call: it is process-wide.
        Image.MAX_IMAGE_PIXELS = s.max_pixels
        svc = await Services.start(s)
        self.services = svc
        self.fastapi.state.services = svc
        self.edge = ApiEdge(
            self.fastapi,
            clients=svc.clients,
            credits=svc.credits,
            tokens=svc.oauth,
            addresses=svc.addresses,
            fast_routes=FAST_ROUTES,
        )
        self.delivery = Delivery(svc)

    async def shutdown(self) -> None:
        if self.services is not None:
            await self.services.close()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "http":
            s = self.settings
            receive = PacedReceive(
                receive,
                scope["headers"],
                grace=s.body_grace_seconds,
                min_rate=s.body_min_rate,
                idle=s.body_idle_seconds,
            )
            path = scope["path"]
            if path.startswith(("/3/", API_OUTSIDE_3)) or path == "/3":
                await self.edge(scope, receive, send)  # type: ignore[misc]
                return
            m = MEDIA_PATH.match(path)
            if m is not None:
                await self.delivery(scope, receive, send, m)  # type: ignore[misc]
                return
            segment = self.image_pages.match(scope)
            if segment is not None:
                await self.image_pages(scope, receive, send, segment)
                return
            segments = self.gallery_pages.match(scope)
            if segments is not None:
                await self.gallery_pages(scope, receive, send, segments)
            else:
                await self.fastapi(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    log.exception("startup failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app(settings: Settings | None = None) -> Root:
    return Root(settings or Settings())
