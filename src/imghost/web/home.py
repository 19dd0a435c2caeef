"""The front page: upload, front and centre."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.web.templating import render
from imghost.web.viewer import viewer

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(request: Request) -> Response:
    v = await viewer(request)
    return render(request, v, "home.html")
