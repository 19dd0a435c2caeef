"""The upload endpoint of the web front end (POST /upload), for the upload page's script and its plain
form: the API's bounded reader and upload service, charged to the same credit budgets, behind the CSRF
check. A script that sends several files into a new album makes the album first (POST /upload/album)."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from starlette.background import BackgroundTask
from starlette.responses import Response

from imghost.api.intake import UploadInput, WorkFiles, materialise, read_upload
from imghost.auth import Subject
from imghost.domain.albums.model import Album
from imghost.domain.albums.service import AlbumFields
from imghost.domain.credits.service import Charge
from imghost.domain.images.model import Image
from imghost.domain.images.service import UploadMeta
from imghost.errors import InvalidRequest, RateLimited, UnsupportedMedia
from imghost.web.forms import json_answer, lines, see_other, submitted, wants_json
from imghost.web.viewer import CSRF_FIELD, CSRF_HEADER, Viewer, check_csrf, services, viewer

router = APIRouter(include_in_schema=False)

# The album choice of the upload form that means "make one from the album title".
NEW_ALBUM = "new"
NOT_MEDIA = (
    "This file is not an image or video this site takes (JPEG, PNG, GIF, WebP, AVIF, HEIC, TIFF, BMP, "
    "MP4, WebM or MOV)."
)


def _subject(v: Viewer) -> Subject:
    return Subject(client_id=None, account_id=v.account_id, username=v.username)


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _retry_after(charge: Charge, cost: int, now: float) -> int:
    """Seconds until the budgets this request could not pay for start again."""
    paid = ((charge.user, cost), (charge.post, 1))
    spent = [a.reset_at for a, c in paid if a.remaining < c] or [a.reset_at for a, _ in paid]
    return max(1, max(spent) - int(now))


async def _charge(request: Request, v: Viewer, cost: int) -> None:
    """The web pays into the same budgets as an API caller: per account when signed in, per address
    otherwise, and every POST per address; there is no site-wide application budget to run out."""
    svc = services(request)
    now = time.time()
    charge = await svc.credits.charge(
        Subject(client_id="web", account_id=v.account_id),
        svc.addresses.of(request.scope),
        cost=cost,
        is_post=True,
        now=now,
        per_application=False,
    )
    if not charge.allowed:
        exc = RateLimited("You have uploaded a lot in a short time.")
        exc.headers = (("Retry-After", str(_retry_after(charge, cost, now))),)
        raise exc


async def _new_album(request: Request, v: Viewer, title: str | None, image: Image | None = None) -> Album:
    fields = AlbumFields(
        title=title,
        present=frozenset({"title"}) if title else frozenset(),
        deletehashes=[image.deletehash] if image else None,
    )
    return await services(request).albums.create(_subject(v), fields)


def _album_json(album: Album, base: str, v: Viewer) -> dict[str, object]:
    # An anonymous album is changed through its deletehash only; an account's through its id.
    data: dict[str, object] = {"id": album.id, "link": f"{base}/a/{album.id}", "ref": album.id}
    if not v.signed_in:
        data["deletehash"] = album.deletehash
        data["ref"] = album.deletehash
    return data


def _image_json(image: Image, base: str, album: str | None) -> dict[str, object]:
    return {
        "id": image.id,
        "link": f"{base}/{image.id}.{image.ext}",
        "page": f"{base}/{image.id}",
        "thumbnail": f"/{image.id}b.jpg",
        "type": image.mime,
        "width": image.width,
        "height": image.height,
        "title": image.title,
        # Shown once, to the person who just uploaded it: the only way to delete an anonymous upload.
        "deletehash": image.deletehash,
        "delete_link": f"{base}/delete/{image.deletehash}",
        "album": album,
    }


async def _store(request: Request, v: Viewer, up: UploadInput, work: WorkFiles) -> Image:
    svc = services(request)
    # A plain form sends an empty file part when nothing was chosen.
    sent = up.file or up.text_file
    if sent is None or sent.stat().st_size == 0:
        raise InvalidRequest("Choose a file to upload first.")
    src = await materialise(up, work.upload, svc)
    meta = UploadMeta(
        title=_text(up.get("title")),
        description=_text(lines(up.get("description"))),
        name=(up.filename or "")[:255],
    )
    target = _text(up.get("album"))
    try:
        return await svc.uploads.upload(_subject(v), src, meta, album=None if target == NEW_ALBUM else target)
    except UnsupportedMedia as exc:
        # The API keeps Imgur's terse wording; a person is told what would work.
        if exc.public != UnsupportedMedia.public:
            raise
        raise UnsupportedMedia(NOT_MEDIA) from None


@router.post("/upload")
async def upload(request: Request) -> Response:
    svc = services(request)
    s = svc.settings
    v = await viewer(request)
    # The script sends its token as a header: a forged call is refused before its body is read.
    if request.headers.get(CSRF_HEADER):
        check_csrf(request, v, None)
    await _charge(request, v, s.upload_cost)
    work = WorkFiles(svc.tmp_dir)
    try:
        up = await read_upload(request, work, s.max_upload_bytes)
        # The plain form's token is a field of its body: checked before anything is done with the file.
        check_csrf(request, v, up.get(CSRF_FIELD))
        image = await _store(request, v, up, work)
        target = _text(up.get("album"))
        album_id = None
        if target == NEW_ALBUM:
            album_id = (await _new_album(request, v, _text(up.get("album_title")), image)).id
        elif target:
            album_id = (await svc.albums.resolve(target)).item.id
    except BaseException:
        work.clear()
        raise
    if wants_json(request):
        response = json_answer(_image_json(image, s.base_url, album_id))
    else:
        response = see_other(request, v, f"/a/{album_id}" if album_id else f"/{image.id}")
    # What is left is a second name of a stored file, or a copy already in the object store.
    response.background = BackgroundTask(_clear, work)
    return response


async def _clear(work: WorkFiles) -> None:
    work.clear()


@router.post("/upload/album")
async def create_album(request: Request) -> Response:
    """The album a script's batch of files goes into: made once, before the first file is sent."""
    v, form = await submitted(request)
    await _charge(request, v, 1)
    album = await _new_album(request, v, _text(form.get("title")))
    return json_answer(_album_json(album, services(request).settings.base_url, v), status=201)
