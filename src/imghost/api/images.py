from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.background import BackgroundTask
from starlette.responses import Response

from imghost.api.deps import services as _svc
from imghost.api.deps import subject as _subject
from imghost.api.envelope import ok
from imghost.api.intake import WorkFiles, materialise, read_upload
from imghost.api.schemas import image_json
from imghost.domain.images.service import UploadMeta
from imghost.http.params import read_params

router = APIRouter(prefix="/3", tags=["image"])


@router.post("/image", summary="Upload an image or video", operation_id="image_upload")
@router.post("/upload", summary="Upload an image or video (alias)", operation_id="upload")
async def upload(request: Request) -> Response:
    svc = _svc(request)
    s = svc.settings
    work = WorkFiles(svc.tmp_dir)
    try:
        up = await read_upload(request, work, s.max_upload_bytes)
        src = await materialise(up, work.upload, svc)
        subject = _subject(request)
        name = up.get("name") or up.filename or ""
        meta = UploadMeta(
            title=up.get("title"),
            description=up.get("description"),
            name=name[:255],
            disable_audio=(up.get("disable_audio") or "").lower() in ("1", "true"),
        )
        # PyImgur and the 2012 API say album_id, everyone else album: an owned id or an album deletehash.
        image = await svc.uploads.upload(subject, src, meta, album=up.get("album") or up.get("album_id"))
    except BaseException:
        work.clear()
        raise
    response = ok(image_json(image, s.base_url, owner=True))
    # What is left is a second name of a stored file, or a copy already sent to the object store: removing
    # it can wait until the answer is out. An unlink or two: no thread needed.
    response.background = BackgroundTask(_clear, work)
    return response


async def _clear(work: WorkFiles) -> None:
    work.clear()


@router.get("/image/{image_id}", summary="Image information", operation_id="image_get")
async def get_image(request: Request, image_id: str) -> Response:
    svc = _svc(request)
    subject = _subject(request)
    resolved = await svc.images.resolve(image_id)
    image = resolved.item
    favorite = await svc.accounts.is_favorite(subject, image.id)
    return ok(
        image_json(
            image,
            svc.settings.base_url,
            owner=resolved.owned_by(subject),
            pending=svc.views.pending(image.id),
            favorite=favorite,
        )
    )


@router.post("/image/{image_id}", summary="Update title and description", operation_id="image_update")
@router.put(
    "/image/{image_id}", summary="Update title and description (2012 form)", operation_id="image_update_put"
)
async def update_image(request: Request, image_id: str) -> Response:
    svc = _svc(request)
    params = await read_params(request)
    fields = {k: params.get(k) for k in ("title", "description") if params.has(k)}
    await svc.images.update(_subject(request), image_id, fields)
    return ok(True)


@router.delete("/image/{image_id}", summary="Delete an image", operation_id="image_delete")
async def delete_image(request: Request, image_id: str) -> Response:
    svc = _svc(request)
    await svc.images.delete(_subject(request), image_id)
    return ok(True)


@router.post(
    "/image/{image_id}/favorite", summary="Favorite an image (signed-in users)", operation_id="image_favorite"
)
async def favorite_image(request: Request, image_id: str) -> Response:
    return ok(await _svc(request).accounts.toggle_favorite(_subject(request), image_id))
