"""The web surface's rendering of the one error hierarchy: a page in the layout that says what happened
and what to do next (never a traceback, never JSON to a browser). Scripts that asked for JSON get
{"error": message} with the same status."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from imghost.errors import ImghostError, PayloadTooLarge, SignInRequired
from imghost.web.forms import wants_json
from imghost.web.templating import render
from imghost.web.viewer import Viewer, services, viewer

_PAGES: dict[int, tuple[str, str]] = {
    400: ("That did not work", "Check what you entered and try again."),
    401: ("Sign in first", "Sign in, then try again."),
    403: ("Not allowed", "This belongs to someone else, or the form expired: reload the page and try again."),
    404: ("Nothing here", "The image, album or page may have been deleted, or the link is mistyped."),
    405: ("Not allowed", "This address does not take that kind of request."),
    408: ("Too slow", "The upload arrived too slowly. Check the connection and try again."),
    413: ("Too large", "Make the file smaller (or shorter) and upload it again."),
    429: ("Slow down", "You have made many requests in a short time."),
    500: ("Something went wrong", "It is not your fault. Try again in a moment."),
    503: ("Busy", "The server is busy right now. Try again in a moment."),
}


def _status(exc: ImghostError) -> int:
    # The API answers an over-limit file with 400, as Imgur does; a person is told it is too large.
    return 413 if isinstance(exc, PayloadTooLarge) else exc.status


async def error_response(request: Request, exc: ImghostError) -> Response:
    status = _status(exc)
    headers = dict(exc.headers)
    if isinstance(exc, SignInRequired):
        if wants_json(request):
            return JSONResponse({"error": exc.public}, status_code=401)
        return RedirectResponse("/signin?next=" + quote(exc.next_path, safe="/"), status_code=303)
    if wants_json(request):
        return JSONResponse({"error": exc.public}, status_code=status, headers=headers)
    try:
        v = await viewer(request)
    except Exception:  # the error may be the database itself: show the page signed out
        v = Viewer(None, "")
    heading, advice = _PAGES.get(status, _PAGES[500] if status >= 500 else _PAGES[400])
    settings = services(request).settings
    retry = next((val for k, val in exc.headers if k.lower() == "retry-after"), "")
    context = {
        "heading": heading,
        "message": exc.public,
        "advice": advice,
        "retry_after": retry,
        "limit": settings.max_image_bytes if status == 413 else 0,
        "video_limit": settings.max_video_bytes,
    }
    return render(request, v, "error.html", context, status=status, headers=headers)
