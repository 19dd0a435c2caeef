"""Paging as Imgur clients ask for it. Reading parameters lives in imghost.http.params, beneath every surface."""

from __future__ import annotations

from starlette.requests import Request

from imghost.http.params import Params

MAX_PAGE = 100_000  # listings' pages past this answer as this one (an empty list, in any real gallery)


def paging(params: Params, page: str | None, default_per_page: int = 50) -> tuple[int, int]:
    """Page from the path or the query (ShareX), perPage from the query; bad values fall back."""
    raw_page = page if page is not None else params.get("page")
    try:
        p = max(0, int(raw_page)) if raw_page not in (None, "") else 0
    except ValueError:
        p = 0
    try:
        per = int(params.get("perPage") or default_per_page)
    except ValueError:
        per = default_per_page
    return p, min(max(per, 1), 100)


def path_page(request: Request) -> str | None:
    """The page from the path, where the route has one. Taken from the path only: a handler argument
    named `page` would be read from the query on routes without one, and `?page=abc` refused."""
    page = request.path_params.get("page")
    return None if page is None else str(page)


def page_number(value: str | int | None) -> int:
    """A listing's page from the path or the query: what is not a number is the first page, a negative
    one too, and pages past MAX_PAGE are MAX_PAGE (clients send odd values; Imgur answers, not errs)."""
    try:
        return max(0, min(int(value), MAX_PAGE)) if value not in (None, "") else 0
    except (TypeError, ValueError):
        return 0


def digits(value: str | None, default: int) -> int:
    """A small count or page written in digits only (under a million); anything else is `default`."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 7 else default
