"""Reports (Imgur's routes) and the moderation API (imghost's own, for admin accounts).

Reports, for any signed-in account that is not banned; `reason` 1 doesn't belong, 2 spam, 3 abusive,
4 mature not marked, 5 pornography (missing: 1, as Imgur documented it optional and imgurpython sends
none; anything else: 400). A second report of the same item by the same account is accepted and not
counted twice. Answer: `true`.

    POST /3/gallery/{id}/report            a post (image or album)
    POST /3/gallery/image/{id}/report      an image post (an album's id: 404)
    POST /3/gallery/album/{id}/report      an album post (an image's id: 404)
    POST /3/comment/{id}/report            a comment

Moderation, for accounts with the admin role (`imghost user admin NAME`); anyone else signed in gets
403 "This method requires an admin account", a Client-ID 403 "This method requires authentication":

    GET    /3/admin/reports[?status=open|resolved|all&page=N]   the queue, 50 a page (open: oldest
                                                                first; otherwise newest first)
    GET    /3/admin/reports/{id}                                one report
    POST   /3/admin/reports/{id}/resolve  resolution=dismiss|remove
           closes every open report of the item; dismiss shows it again, remove takes it down (a post
           out of the gallery, a comment deleted as its author would). Answer: how many were closed.
           An already resolved report: 409.
    DELETE /3/admin/post/{id}                 take a post out of the gallery (the image or album stays)
    DELETE /3/admin/comment/{id}              delete a comment
    POST   /3/admin/account/{name}/ban        the account reads but cannot write (not an admin, not
                                              oneself)
    POST   /3/admin/account/{name}/unban

A report object: {id, kind ("post"|"comment"|"sender"), post_id, comment_id, sender_id, link, reason, reason_name,
reporter, reporter_id, status ("open"|"resolved"), resolution, resolved_by, resolved_at, datetime,
item: {text, author, reports_open, hidden}}. See docs/moderation.md."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.api.deps import services as _svc
from imghost.api.deps import subject as _subject
from imghost.api.envelope import ok
from imghost.api.params import paging
from imghost.domain.accounts.model import Account
from imghost.domain.moderation.repository import Report
from imghost.http.params import read_params
from imghost.services import Services

router = APIRouter(prefix="/3", tags=["moderation"])


def report_json(svc: Services, report: Report) -> dict[str, Any]:
    link = f"{svc.settings.base_url}/gallery/{report.post_id}" if report.post_id else None
    return {**report.as_dict(), "link": link}


async def _report_post(request: Request, item_id: str, kind: str | None) -> Response:
    params = await read_params(request)
    await _svc(request).moderation.report_post(_subject(request), item_id, params.get("reason"), kind=kind)
    return ok(True)


@router.post("/gallery/image/{item_id}/report", summary="Report a gallery image", operation_id="report_image")
async def report_image(request: Request, item_id: str) -> Response:
    return await _report_post(request, item_id, "image")


@router.post("/gallery/album/{item_id}/report", summary="Report a gallery album", operation_id="report_album")
async def report_album(request: Request, item_id: str) -> Response:
    return await _report_post(request, item_id, "album")


@router.post("/gallery/{item_id}/report", summary="Report a gallery item", operation_id="report_post")
async def report_post(request: Request, item_id: str) -> Response:
    return await _report_post(request, item_id, None)


@router.post("/comment/{comment_id}/report", summary="Report a comment", operation_id="report_comment")
async def report_comment(request: Request, comment_id: str) -> Response:
    params = await read_params(request)
    await _svc(request).moderation.report_comment(_subject(request), comment_id, params.get("reason"))
    return ok(True)


# ------------------------------------------------------------------------------------- admins


async def _admin(request: Request) -> Account:
    return await _svc(request).moderation.admin(_subject(request))


@router.get("/admin/reports", summary="The moderation queue (admins)", operation_id="admin_reports")
async def reports(request: Request) -> Response:
    await _admin(request)
    svc, params = _svc(request), await read_params(request)
    page, _ = paging(params, None)
    found = await svc.moderation.queue(status=params.get("status"), page=page)
    return ok([report_json(svc, r) for r in found])


@router.get("/admin/reports/{report_id}", summary="One report (admins)", operation_id="admin_report")
async def report(request: Request, report_id: str) -> Response:
    await _admin(request)
    svc = _svc(request)
    return ok(report_json(svc, await svc.moderation.report(report_id)))


@router.post(
    "/admin/reports/{report_id}/resolve", summary="Resolve a report (admins)", operation_id="admin_resolve"
)
async def resolve(request: Request, report_id: str) -> Response:
    actor = await _admin(request)
    params = await read_params(request)
    return ok(await _svc(request).moderation.resolve(actor, report_id, params.get("resolution")))


@router.delete("/admin/post/{post_id}", summary="Remove a gallery post (admins)", operation_id="admin_post")
async def remove_post(request: Request, post_id: str) -> Response:
    actor = await _admin(request)
    await _svc(request).moderation.remove_post(actor, post_id)
    return ok(True)


@router.delete(
    "/admin/comment/{comment_id}", summary="Remove a comment (admins)", operation_id="admin_comment"
)
async def remove_comment(request: Request, comment_id: str) -> Response:
    actor = await _admin(request)
    await _svc(request).moderation.remove_comment(actor, comment_id)
    return ok(True)


@router.post("/admin/account/{username}/ban", summary="Ban an account (admins)", operation_id="admin_ban")
async def ban(request: Request, username: str) -> Response:
    actor = await _admin(request)
    await _svc(request).moderation.ban(actor, username)
    return ok(True)


@router.post("/admin/account/{username}/unban", summary="Lift a ban (admins)", operation_id="admin_unban")
async def unban(request: Request, username: str) -> Response:
    actor = await _admin(request)
    await _svc(request).moderation.unban(actor, username)
    return ok(True)
