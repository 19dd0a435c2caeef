"""Image pages: /{id} for everyone, the owner's edits, and the /delete/{deletehash} confirmation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.auth import Subject
from imghost.web.forms import submitted
from imghost.web.templating import render
from imghost.web.viewer import services, viewer

router = APIRouter(include_in_schema=False)


# ShareX and Flameshot open this page in a browser with the deletehash from the upload response.
# The deletehash is the only credential; a page that merely shows a button leaks nothing, and the
# delete itself needs a POST so that link previews and prefetchers never delete anything.
@router.get("/delete/{deletehash}")
async def delete_confirm(request: Request, deletehash: str) -> Response:
    v = await viewer(request)
    image = await services(request).images.by_deletehash(deletehash)
    return render(request, v, "delete.html", {"image": image, "deletehash": deletehash})


@router.post("/delete/{deletehash}")
async def delete_do(request: Request, deletehash: str) -> Response:
    v, _ = await submitted(request)
    svc = services(request)
    await svc.images.by_deletehash(deletehash)
    await svc.images.delete(Subject(client_id=None), deletehash)
    return render(request, v, "deleted.html")
