from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.api.deps import services as _svc
from imghost.api.deps import subject as _subject
from imghost.api.envelope import ok
from imghost.api.params import paging, path_page
from imghost.api.presenters import album_payload, images_json
from imghost.domain.accounts.model import Account
from imghost.domain.albums.service import AlbumFields
from imghost.errors import InvalidRequest
from imghost.http.params import Params, read_params

router = APIRouter(prefix="/3", tags=["album"])


def _fields(p: Params) -> AlbumFields:
    present = frozenset(k for k in ("title", "description") if p.has(k))
    ids = p.get_list("ids")
    if ids is None and p.has("images"):
        ids = p.get_list("images")  # PyImgur's Album.update sends the list under `images`
    return AlbumFields(
        title=p.get("title"),
        description=p.get("description"),
        privacy=p.get("privacy"),
        layout=p.get("layout"),
        cover=p.get("cover"),
        ids=ids,
        deletehashes=p.get_list("deletehashes"),
        present=present,
    )


@router.get("/album/{album_id}", summary="Album information with its images", operation_id="album_get")
async def get_album(request: Request, album_id: str) -> Response:
    svc, subject = _svc(request), _subject(request)
    resolved = await svc.albums.resolve(album_id)
    return ok(
        await album_payload(svc, subject, resolved.item, owner=resolved.owned_by(subject), with_images=True)
    )


@router.get("/album/{album_id}/images", summary="The album's images, in order", operation_id="album_images")
async def album_images(request: Request, album_id: str) -> Response:
    svc, subject = _svc(request), _subject(request)
    album = (await svc.albums.resolve(album_id)).item
    return ok(images_json(svc, await svc.albums.images(album.id), subject))


@router.get("/album/{album_id}/image/{image_id}", summary="One image of an album", operation_id="album_image")
async def album_image(request: Request, album_id: str, image_id: str) -> Response:
    svc, subject = _svc(request), _subject(request)
    album = (await svc.albums.resolve(album_id)).item
    img = await svc.albums.image(album.id, image_id)
    return ok(images_json(svc, [img], subject)[0])


@router.post("/album", summary="Create an album", operation_id="album_create")
async def create_album(request: Request) -> Response:
    svc = _svc(request)
    album = await svc.albums.create(_subject(request), _fields(await read_params(request)))
    return ok({"id": album.id, "deletehash": album.deletehash})


@router.put(
    "/album/{album_id}",
    summary="Update an album (by id as owner, or by deletehash)",
    operation_id="album_update",
)
@router.post(
    "/album/{album_id}", summary="Update an album; with ids, set its images", operation_id="album_update_post"
)
async def update_album(request: Request, album_id: str) -> Response:
    svc = _svc(request)
    await svc.albums.update(_subject(request), album_id, _fields(await read_params(request)))
    return ok(True)


@router.delete(
    "/album/{album_id}",
    summary="Delete an album (its images stay); with ids, remove those images",
    operation_id="album_delete",
)
async def delete_album(request: Request, album_id: str) -> Response:
    svc = _svc(request)
    params = await read_params(request)
    ids = params.get_list("ids")
    if ids is not None:
        # The 2012 API removed images with DELETE /album/{id}?ids=…: never delete the album then.
        await svc.albums.remove_images(_subject(request), album_id, ids)
    else:
        await svc.albums.delete(_subject(request), album_id)
    return ok(True)


@router.post("/album/{album_id}/add", summary="Add images to an album", operation_id="album_add")
async def add_images(request: Request, album_id: str) -> Response:
    svc = _svc(request)
    await svc.albums.add(_subject(request), album_id, _fields(await read_params(request)))
    return ok(True)


@router.post(
    "/album/{album_id}/remove_images",
    summary="Remove images from an album",
    operation_id="album_remove_images",
)
@router.delete(
    "/album/{album_id}/remove_images",
    summary="Remove images from an album (old form)",
    operation_id="album_remove_images_delete",
)
async def remove_images(request: Request, album_id: str) -> Response:
    svc = _svc(request)
    ids = (await read_params(request)).get_list("ids")
    if not ids:
        raise InvalidRequest("No images were given")
    await svc.albums.remove_images(_subject(request), album_id, ids)
    return ok(True)


@router.post(
    "/album/{album_id}/favorite", summary="Favorite an album (signed-in users)", operation_id="album_favorite"
)
async def favorite_album(request: Request, album_id: str) -> Response:
    return ok(await _svc(request).albums.toggle_favorite(_subject(request), album_id))


# ---------------------------------------------------------------- account album routes


async def _account_and_visibility(request: Request, username: str) -> tuple[Account, bool]:
    svc, subject = _svc(request), _subject(request)
    account = await svc.accounts.resolve(subject, username)
    return account, subject.account_id == account.id


@router.get(
    "/account/{username}/albums",
    summary="An account's albums (hidden and secret ones to the owner)",
    operation_id="account_albums",
)
@router.get(
    "/account/{username}/albums/{page:int}",
    summary="An account's albums, one page",
    operation_id="account_albums_page",
)
async def account_albums(request: Request, username: str) -> Response:
    svc, subject = _svc(request), _subject(request)
    account, mine = await _account_and_visibility(request, username)
    p, per = paging(await read_params(request), path_page(request))
    albums = await svc.albums.of_account(account.id, include_hidden=mine, page=p, per_page=per)
    return ok([await album_payload(svc, subject, a, owner=mine, with_images=False) for a in albums])


@router.get(
    "/account/{username}/albums/ids", summary="Ids of an account's albums", operation_id="account_album_ids"
)
@router.get(
    "/account/{username}/albums/ids/{page:int}",
    summary="Ids of an account's albums, one page",
    operation_id="account_album_ids_page",
)
async def account_album_ids(request: Request, username: str) -> Response:
    svc = _svc(request)
    account, mine = await _account_and_visibility(request, username)
    p, per = paging(await read_params(request), path_page(request), default_per_page=100)
    return ok(await svc.albums.ids_of_account(account.id, include_hidden=mine, page=p, per_page=per))


@router.get(
    "/account/{username}/albums/count",
    summary="Number of an account's albums",
    operation_id="account_album_count",
)
async def account_album_count(request: Request, username: str) -> Response:
    svc = _svc(request)
    account, mine = await _account_and_visibility(request, username)
    return ok(await svc.albums.count_of_account(account.id, include_hidden=mine))


@router.get(
    "/account/{username}/album/{album_id}", summary="One album of an account", operation_id="account_album"
)
async def account_album(request: Request, username: str, album_id: str) -> Response:
    svc, subject = _svc(request), _subject(request)
    account, mine = await _account_and_visibility(request, username)
    album = await svc.albums.of_account_by_id(account.id, album_id)
    return ok(await album_payload(svc, subject, album, owner=mine, with_images=True))


@router.delete(
    "/account/{username}/album/{album_id}",
    summary="Delete one of the account's albums",
    operation_id="account_album_delete",
)
async def account_album_delete(request: Request, username: str, album_id: str) -> Response:
    svc, subject = _svc(request), _subject(request)
    account = await svc.accounts.resolve_owned(subject, username)
    await svc.albums.of_account_by_id(account.id, album_id)
    await svc.albums.delete(subject, album_id)
    return ok(True)
