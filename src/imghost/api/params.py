"""Parameters merged from every place Imgur clients put them.

Precedence: path → JSON body → multipart → urlencoded body → query string."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request

from imghost.errors import InvalidRequest

MAX_FORM_BYTES = 1024 * 1024
_TRUE = {"1", "true", "yes", "on"}


class Params:
    def __init__(self, layers: Iterable[list[tuple[str, Any]]]) -> None:
        self._layers = [layer for layer in layers if layer]

    def _values(self, name: str) -> list[Any]:
        for layer in self._layers:
            vals = [v for k, v in layer if k == name]
            if vals:
                return vals
        return []

    def get(self, name: str, *aliases: str) -> str | None:
        for key in (name, *aliases):
            vals = self._values(key)
            if vals:
                v = vals[-1]
                return v if isinstance(v, str) or v is None else str(v)
        return None

    def has(self, name: str) -> bool:
        return bool(self._values(name))

    def get_bool(self, name: str, default: bool = False) -> bool:
        v = self.get(name)
        return default if v is None else v.strip().lower() in _TRUE

    def get_list(self, name: str) -> list[str] | None:
        """ids[]=a&ids[]=b, ids=a&ids=b, ids=a,b and JSON arrays all mean the same list."""
        for layer in self._layers:
            for key in (f"{name}[]", name):
                vals = [v for k, v in layer if k == key]
                if vals:
                    out: list[str] = []
                    for v in vals:
                        items = v if isinstance(v, list) else str(v).split(",")
                        out.extend(str(i).strip() for i in items if str(i).strip())
                    return out
        return None


def _json_layer(body: bytes) -> list[tuple[str, Any]]:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise InvalidRequest("Malformed JSON body") from None
    if not isinstance(data, dict):
        raise InvalidRequest("JSON body must be an object")
    return [(k, v if isinstance(v, list | str) or v is None else
             (("true" if v else "false") if isinstance(v, bool) else str(v))) for k, v in data.items()]


async def read_params(request: Request, path: dict[str, str] | None = None) -> Params:
    query = parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    json_layer: list[tuple[str, Any]] = []
    multipart: list[tuple[str, Any]] = []
    urlenc: list[tuple[str, Any]] = []
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if ctype == "multipart/form-data":
            try:
                form = await request.form(max_files=0, max_fields=1000, max_part_size=MAX_FORM_BYTES)
            except Exception:
                raise InvalidRequest("Malformed multipart body") from None
            multipart = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
        else:
            body = await _body(request)
            if body:
                if ctype == "application/json" or (not ctype and body[:1] in (b"{", b"[")):
                    json_layer = _json_layer(body)
                elif ctype in ("application/x-www-form-urlencoded", "text/plain", ""):
                    text = body.decode("utf-8", "replace")
                    if "=" in text:
                        urlenc = parse_qsl(text, keep_blank_values=True)
                    else:
                        # imgurpython posts some lists (notification ids) as a bare "a,b" body.
                        urlenc = [("ids", text.strip())]
    path_layer = list((path or {}).items())
    return Params([path_layer, json_layer, multipart, urlenc, query])


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise InvalidRequest("Request body is too large")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            raise InvalidRequest("Request body is too large")
        chunks.append(chunk)
    return b"".join(chunks)

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
