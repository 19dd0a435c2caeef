"""Paging as Imgur clients ask for it. Reading parameters lives in imghost.http.params, beneath every surface."""

from __future__ import annotations

from imghost.http.params import Params


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
