from __future__ import annotations

import html

from fastapi import APIRouter, Request
from starlette.responses import PlainTextResponse, Response

from imghost.auth import Subject
from imghost.metrics import metrics
from imghost.web.render import page

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(request: Request) -> Response:
    base = request.app.state.services.settings.base_url
    return page(
        "imghost",
        f"<h1>imghost</h1><p>An image host that speaks the Imgur API v3. "
        f"Point any Imgur client at <code>{html.escape(base)}/3/</code>.</p>"
        f'<p><a href="/docs">API documentation</a></p>',
    )


@router.get("/healthz")
async def healthz(request: Request) -> Response:
    await request.app.state.services.health()
    return PlainTextResponse("ok")


@router.get("/metrics")
async def metrics_text(request: Request) -> Response:
    return PlainTextResponse(metrics.render())


# ShareX and Flameshot open this page in a browser with the deletehash from the upload response.
# The deletehash is the only credential; a page that merely shows a button leaks nothing, and the
# delete itself needs a POST so that link previews and prefetchers never delete anything.
@router.get("/delete/{deletehash}")
async def delete_confirm(request: Request, deletehash: str) -> Response:
    svc = request.app.state.services
    row = await svc.images.by_deletehash(deletehash)
    # Same-origin path: the page's policy allows images from 'self' only.
    thumb = f"/{row.id}m.jpg"
    return page(
        "Delete image",
        f'<h1>Delete this image?</h1><p><img src="{html.escape(thumb)}" alt=""></p>'
        f"<p>This cannot be undone.</p>"
        f'<form method="post"><button class="danger" type="submit" id="confirm">'
        f"Delete image</button></form>",
    )


@router.post("/delete/{deletehash}")
async def delete_do(request: Request, deletehash: str) -> Response:
    svc = request.app.state.services
    await svc.images.by_deletehash(deletehash)
    await svc.images.delete(Subject(client_id=None), deletehash)
    return page("Deleted", '<h1 id="deleted">The image has been deleted.</h1>')


@router.get("/a/{album_id}")
async def album_page(request: Request, album_id: str) -> Response:
    svc = request.app.state.services
    album = await svc.albums.get(album_id)
    await svc.albums.add_view(album.id)
    base = svc.settings.base_url
    e = html.escape
    figures = []
    for i in await svc.albums.images(album.id):
        caption = f"<figcaption>{e(i.title)}</figcaption>" if i.title else ""
        figures.append(
            f'<figure><a href="{e(base)}/{e(i.id)}.{e(i.ext)}"><img loading="lazy" '
            f'src="/{e(i.id)}l.jpg" alt="{e(i.title or "")}"></a>{caption}</figure>'
        )
    items = "".join(figures)
    title = album.title or f"Album {album.id}"
    desc = f"<p>{e(album.description)}</p>" if album.description else ""
    return page(title, f'<h1 id="album-title">{e(title)}</h1>{desc}<div id="album-images">{items}</div>')
