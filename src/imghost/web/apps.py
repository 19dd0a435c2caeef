"""API applications on the web: the ones an account registered (/account/apps, and Imgur's
/oauth2/addclient for the form), the ones it allowed (their tokens, revocable), and a ShareX uploader
file (/account/sharex) for anonymous uploads or uploads bound to the account."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.domain.clients.service import Client
from imghost.errors import ClientNotFound, ImghostError, InvalidRequest, NotFound
from imghost.web.forms import see_other, submitted
from imghost.web.templating import render
from imghost.web.viewer import Viewer, services, signed_in, viewer

router = APIRouter(include_in_schema=False)
DONE = {
    "deleted": "The application is deleted: its client id no longer works.",
    "revoked": "Access taken back: that application's tokens no longer work.",
}


async def _apps_page(request: Request, v: Viewer, account_id: int) -> Response:
    svc = services(request)
    ctx = {
        "apps": await svc.clients.of_account(account_id),
        "grants": await svc.oauth.grants(account_id),
        "done": DONE.get(request.query_params.get("done") or "", ""),
        "error": "",
        "name": "",
        "redirect_uri": "",
    }
    return render(request, v, "apps.html", ctx)


@router.get("/account/apps")
async def apps_page(request: Request) -> Response:
    session = await signed_in(request)
    return await _apps_page(request, await viewer(request), session.account_id)


@router.get("/oauth2/addclient")
async def addclient_page(request: Request) -> Response:
    # Under /oauth2 a script gets the envelope's 401; a browser goes to sign in and back (app.py).
    await signed_in(request)
    v = await viewer(request)
    return render(request, v, "addclient.html", {"error": "", "name": "", "redirect_uri": ""})


@router.post("/account/apps")
async def register_app(request: Request) -> Response:
    v, form = await submitted(request)
    session = await signed_in(request)
    name, redirect_uri = form.get("name") or "", form.get("redirect_uri") or ""
    try:
        client, secret = await services(request).clients.register(session.account_id, name, redirect_uri)
    except ImghostError as exc:
        ctx = {"error": exc.public, "name": name, "redirect_uri": redirect_uri}
        return render(request, v, "addclient.html", ctx, status=exc.status)
    # Shown in this answer only: the secret is stored hashed, and no page can show it again.
    return render(request, v, "apps_created.html", {"client": client, "secret": secret})


@router.post("/account/apps/{client_id}/delete")
async def delete_app(request: Request, client_id: str) -> Response:
    v, _ = await submitted(request)
    session = await signed_in(request)
    await services(request).clients.delete_owned(session.account_id, client_id)
    return see_other(request, v, "/account/apps?done=deleted")


@router.post("/account/grants/{client_id}/revoke")
async def revoke_grant(request: Request, client_id: str) -> Response:
    v, _ = await submitted(request)
    session = await signed_in(request)
    if not await services(request).oauth.revoke_grant(session.account_id, client_id):
        raise NotFound("That application has no access to take back.")
    return see_other(request, v, "/account/apps?done=revoked")


# ---------------------------------------------------------------- ShareX


def sxcu(base_url: str, authorization: str, label: str) -> bytes:
    """A ShareX custom uploader (.sxcu) for /3/image with this Authorization header."""
    return orjson.dumps(
        {
            "Version": "15.0.0",
            "Name": f"{urlsplit(base_url).netloc} ({label})",
            "DestinationType": "ImageUploader",
            "RequestMethod": "POST",
            "RequestURL": f"{base_url}/3/image",
            "Headers": {"Authorization": authorization},
            "Body": "MultipartFormData",
            "FileFormName": "image",
            "URL": "{json:data.link}",
            "DeletionURL": f"{base_url}/delete/{{json:data.deletehash}}",
            "ErrorMessage": "{json:data.error}",
        },
        option=orjson.OPT_INDENT_2,
    )


@router.get("/account/sharex")
async def sharex_page(request: Request) -> Response:
    v = await viewer(request)
    svc = services(request)
    apps: list[Client] = await svc.clients.of_account(v.account_id) if v.account_id else []
    wanted = request.query_params.get("client") or ""
    chosen = next((a for a in apps if a.id == wanted), None)
    if chosen is None and apps:
        chosen = next((a for a in apps if a.name == "ShareX"), apps[0])
    elif chosen is None and wanted and not v.signed_in:
        chosen = await svc.clients.get(wanted)
    ctx = {
        "apps": apps,
        "chosen": chosen,
        "base": svc.settings.base_url,
        "token_days": svc.settings.token_lifetime // 86400,
    }
    return render(request, v, "sharex.html", ctx)


@router.post("/account/sharex/app")
async def sharex_app(request: Request) -> Response:
    v, _ = await submitted(request)
    session = await signed_in(request)
    client, _secret = await services(request).clients.register(session.account_id, "ShareX", "")
    return see_other(request, v, f"/account/sharex?client={client.id}")


@router.post("/account/sharex")
async def sharex_file(request: Request) -> Response:
    v, form = await submitted(request)
    svc = services(request)
    client_id = (form.get("client_id") or "").strip()
    if form.get("kind") == "account":
        # Bound to the account: a token of one of the person's own applications, made on this press only.
        session = await signed_in(request)
        client = await svc.clients.owned(session.account_id, client_id)
        pair = await svc.oauth.issue(client.id, session.account_id, session.username)
        body, label = sxcu(svc.settings.base_url, f"Bearer {pair.access_token}", session.username), "User"
    else:
        if not client_id:
            raise InvalidRequest("Enter the client id of an application.")
        client_or_none = await svc.clients.get(client_id)
        if client_or_none is None:
            raise ClientNotFound(client_id)
        body, label = sxcu(svc.settings.base_url, f"Client-ID {client_or_none.id}", "Anonymous"), "Anonymous"
    filename = f"{urlsplit(svc.settings.base_url).hostname or 'imghost'} ({label}).sxcu"
    return Response(
        body,
        media_type="application/json",
        headers={
            "content-disposition": f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}",
            "cache-control": "no-store",
            "x-content-type-options": "nosniff",
        },
    )
