"""Machine-facing paths of the web surface: health, metrics and the static assets."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import PlainTextResponse, Response

from imghost.errors import NotFound
from imghost.metrics import metrics
from imghost.web.assets import BY_NAME, CACHE_FOREVER
from imghost.web.viewer import services

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz(request: Request) -> Response:
    await services(request).health()
    return PlainTextResponse("ok")


@router.get("/metrics")
async def metrics_text(request: Request) -> Response:
    return PlainTextResponse(metrics.render())


@router.get("/static/{name:path}")
async def static(request: Request, name: str) -> Response:
    asset = BY_NAME.get(name)
    if asset is None:
        raise NotFound("No such file")
    headers = {
        "cache-control": CACHE_FOREVER,
        "etag": asset.etag,
        "vary": "Accept-Encoding",
        "x-content-type-options": "nosniff",
    }
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(
            asset.gzipped, media_type=asset.media_type, headers={**headers, "content-encoding": "gzip"}
        )
    return Response(asset.body, media_type=asset.media_type, headers=headers)


@router.get("/robots.txt")
async def robots() -> Response:
    # Delete links and account pages are nobody's search result; images and albums may be.
    return PlainTextResponse("User-agent: *\nDisallow: /delete/\nDisallow: /account/\nDisallow: /oauth2/\n")
