from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.api.deps import services as _svc
from imghost.api.deps import subject as _subject
from imghost.api.envelope import ok
from imghost.api.params import paging, path_page
from imghost.api.presenters import album_payload, images_json
from imghost.api.schemas import account_json, settings_json
from imghost.domain.albums.model import Album
from imghost.http.params import read_params

router = APIRouter(prefix="/3/account", tags=["account"])


@router.get(
    "/{username}", summary="Account information (no Authorization needed)", operation_id="account_get"
)
async def get_account(request: Request, username: str) -> Response:
    svc = _svc(request)
    params = await read_params(request)
    account_id = params.get("account_id")
    if account_id and account_id.isdigit():
        row = await svc.accounts.get_by_id(int(account_id))
    else:
        row = await svc.accounts.resolve(_subject(request), username)
    reputation = await svc.gallery.reputation(row.id)
    return ok(account_json(row, svc.settings.base_url, reputation=reputation))


@router.post("/{username}", summary="Create an account", operation_id="account_create")
async def create_account(request: Request, username: str) -> Response:
    svc = _svc(request)
    params = await read_params(request)
    ip = svc.addresses.of(request.scope)
    row = await svc.accounts.register(
        username,
        email=params.get("email") or "",
        password=params.get("password") or "",
        invite=params.get("invite") or params.get("invite_code"),
        captcha_response=params.get("captcha")
        or params.get("g-recaptcha-response")
        or params.get("h-captcha-response")
        or params.get("cf-turnstile-response"),
        remote_ip=None if ip == "-" else ip,
    )
    return ok(account_json(row, svc.settings.base_url))


@router.delete(
    "/{username}",
    summary="Delete the signed-in account and everything it owns",
    operation_id="account_delete",
)
async def delete_account(request: Request, username: str) -> Response:
    svc = _svc(request)
    row = await svc.accounts.resolve_owned(_subject(request), username)
    await svc.accounts.delete(row)
    return ok(True)


@router.get("/{username}/settings", summary="Account settings (owner)", operation_id="account_settings")
async def get_settings(request: Request, username: str) -> Response:
    svc = _svc(request)
    row = await svc.accounts.resolve_owned(_subject(request), username)
    return ok(settings_json(row, await svc.messages.blocked_users(row.id)))


@router.put(
    "/{username}/settings", summary="Change account settings (owner)", operation_id="account_settings_put"
)
@router.post(
    "/{username}/settings", summary="Change account settings (owner)", operation_id="account_settings_post"
)
async def change_settings(request: Request, username: str) -> Response:
    svc = _svc(request)
    row = await svc.accounts.resolve_owned(_subject(request), username)
    params = await read_params(request)
    await svc.accounts.update_settings(
        row,
        {
            k: params.get(k)
            for k in (
                "bio",
                "public_images",
                "messaging_enabled",
                "album_privacy",
                "accepted_gallery_terms",
                "username",
                "show_mature",
                "newsletter_subscribed",
                "avatar",
                "email",
                "high_quality",
            )
        },
    )
    return ok(True)


@router.get("/{username}/stats", summary="Account statistics (owner)", operation_id="account_stats")
async def stats(request: Request, username: str) -> Response:
    svc = _svc(request)
    row = await svc.accounts.resolve_owned(_subject(request), username)
    return ok(await svc.accounts.stats(row))


@router.get("/{username}/images", summary="The account's images (owner)", operation_id="account_images")
@router.get(
    "/{username}/images/{page:int}",
    summary="The account's images, one page (owner)",
    operation_id="account_images_page",
)
async def images(request: Request, username: str) -> Response:
    svc = _svc(request)
    subject = _subject(request)
    row = await svc.accounts.resolve_owned(subject, username)
    p, per = paging(await read_params(request), path_page(request))
    return ok(images_json(svc, await svc.accounts.list_images(row, page=p, per_page=per), subject))


@router.get(
    "/{username}/images/ids", summary="Ids of the account's images (owner)", operation_id="account_image_ids"
)
@router.get(
    "/{username}/images/ids/{page:int}",
    summary="Ids of the account's images, one page (owner)",
    operation_id="account_image_ids_page",
)
async def image_ids(request: Request, username: str) -> Response:
    svc = _svc(request)
    row = await svc.accounts.resolve_owned(_subject(request), username)
    p, per = paging(await read_params(request), path_page(request), default_per_page=100)
    return ok(await svc.accounts.image_ids(row, page=p, per_page=per))


@router.get(
    "/{username}/images/count",
    summary="Number of the account's images (owner)",
    operation_id="account_image_count",
)
async def image_count(request: Request, username: str) -> Response:
    svc = _svc(request)
    row = await svc.accounts.resolve_owned(_subject(request), username)
    return ok(await svc.accounts.image_count(row))


@router.get(
    "/{username}/image/{image_id}",
    summary="One of the account's images (owner)",
    operation_id="account_image",
)
async def image(request: Request, username: str, image_id: str) -> Response:
    svc = _svc(request)
    subject = _subject(request)
    row = await svc.accounts.resolve_owned(subject, username)
    return ok(images_json(svc, [await svc.images.of_account(row.id, image_id)], subject)[0])


@router.delete(
    "/{username}/image/{deletehash}",
    summary="Delete one of the account's images by deletehash",
    operation_id="account_image_delete",
)
async def delete_image(request: Request, username: str, deletehash: str) -> Response:
    svc = _svc(request)
    subject = _subject(request)
    row = await svc.accounts.resolve_owned(subject, username)
    await svc.images.resolve_deletehash_of(row.id, deletehash)
    await svc.images.delete(subject, deletehash)
    return ok(True)


@router.get(
    "/{username}/favorites", summary="Images the account favorited (owner)", operation_id="account_favorites"
)
@router.get(
    "/{username}/favorites/{page:int}",
    summary="Favorites, one page (owner)",
    operation_id="account_favorites_page",
)
@router.get(
    "/{username}/favorites/{page:int}/{sort}",
    summary="Favorites, one page, sorted (owner)",
    operation_id="account_favorites_sorted",
)
async def favorites(request: Request, username: str, sort: str = "newest") -> Response:
    svc = _svc(request)
    subject = _subject(request)
    row = await svc.accounts.resolve_owned(subject, username)
    p, per = paging(await read_params(request), path_page(request))
    out: list[dict[str, object]] = []
    for item in await svc.accounts.favorites(row, newest=sort != "oldest", page=p, per_page=per):
        if isinstance(item, Album):
            data = await album_payload(
                svc, subject, item, owner=subject.owns(item.account_id), with_images=False
            )
        else:
            data = images_json(svc, [item], subject)[0]
            data["is_album"] = False
        data["favorite"] = True
        out.append(data)
    return ok(out)
