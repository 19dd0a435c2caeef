""" "Download my data": start an archive, watch it being built, download it (web side of
domain.exports)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response, StreamingResponse

from imghost.web.forms import json_answer, see_other, submitted, wants_json
from imghost.web.templating import render
from imghost.web.viewer import services, signed_in, viewer

router = APIRouter(include_in_schema=False)


@router.get("/account/export")
async def export_page(request: Request) -> Response:
    session = await signed_in(request)
    export = await services(request).exports.latest(session.account_id)
    if wants_json(request):
        if export is None:
            return json_answer({"status": "none"})
        return json_answer(
            {"status": export.status, "done": export.done, "total": export.total, "percent": export.percent}
        )
    # While it is being built the page reloads itself (no script needed) to show the progress.
    headers = {"refresh": "2"} if export is not None and export.status == "running" else None
    return render(request, await viewer(request), "export.html", {"export": export}, headers=headers)


@router.post("/account/export")
async def start_export(request: Request) -> Response:
    v, _ = await submitted(request)
    session = await signed_in(request)
    svc = services(request)
    account = await svc.accounts.get_by_id(session.account_id)
    await svc.exports.start(account)
    return see_other(request, v, "/account/export")


@router.get("/account/export/{export_id}.zip")
async def download_export(request: Request, export_id: str) -> Response:
    session = await signed_in(request)
    export, chunks = await services(request).exports.download(session.account_id, export_id)
    name = f"imghost-{session.username}-{export.created_at}.zip"
    headers = {
        "content-disposition": f'attachment; filename="{name}"',
        "content-length": str(export.size),
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
    }
    return StreamingResponse(chunks, media_type="application/zip", headers=headers)
