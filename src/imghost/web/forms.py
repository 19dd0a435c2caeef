"""Reading what a page's form or script sent: the body through the same bounded reader as the API
(imghost.http.params), and the CSRF check before anything else looks at it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from imghost.http.params import Params, read_params
from imghost.web.viewer import CSRF_FIELD, Viewer, check_csrf, set_cookies, viewer


async def submitted(request: Request) -> tuple[Viewer, Params]:
    """The viewer and the form of a state-changing request, once its CSRF token checked out."""
    v = await viewer(request)
    params = await read_params(request)
    check_csrf(request, v, params.get(CSRF_FIELD))
    return v, params


def wants_json(request: Request) -> bool:
    """Scripts ask for JSON; a plain form post gets a page or a redirect."""
    return "application/json" in request.headers.get("accept", "")


def see_other(request: Request, v: Viewer, location: str) -> Response:
    """The answer to a form post that worked: go to the page that shows the result (POST/redirect/GET)."""
    response = RedirectResponse(location, status_code=303)
    set_cookies(request, response, v)
    return response


def json_answer(data: object, status: int = 200) -> Response:
    return JSONResponse(data, status_code=status, headers={"cache-control": "no-store"})


def lines(value: str | None) -> str | None:
    """Free text as the API would store it: browsers send a textarea's line breaks as CRLF, Imgur clients
    send LF, so every page that takes free text goes through here."""
    return None if value is None else value.replace("\r\n", "\n").replace("\r", "\n")


def text(params: Params, name: str) -> str | None:
    """A form field through lines()."""
    return lines(params.get(name))
