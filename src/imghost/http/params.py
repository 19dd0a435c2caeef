"""Parameters merged from every place Imgur clients put them, for every route of every surface.

Precedence, one rule everywhere: path → JSON body → multipart → urlencoded body → query string. The
first layer that has a name wins; within one layer the last value wins. The upload intake builds the same
Params from its body, so an upload and an update read `title` alike.

Bodies are bounded by the parameter budget (1 MB, http.budget) in every encoding, and a multipart body is
read by the one tolerant reader (http.multipart) that uploads use too."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request

from imghost.errors import InvalidRequest, ParametersTooLarge
from imghost.http.budget import MAX_PARAM_BYTES, Budget, declared_length
from imghost.http.formstream import parse_form
from imghost.http.multipart import boundary_of, read_multipart

_TRUE = {"1", "true", "yes", "on"}
Layer = list[tuple[str, Any]]


class Params:
    def __init__(self, layers: Iterable[Layer]) -> None:
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


def json_value(v: Any) -> Any:
    """A JSON member as a parameter: strings and lists as they are, scalars as the strings forms send."""
    if isinstance(v, list | str) or v is None:
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _json_layer(body: bytes) -> Layer:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise InvalidRequest("Malformed JSON body") from None
    if not isinstance(data, dict):
        raise InvalidRequest("JSON body must be an object")
    return [(k, json_value(v)) for k, v in data.items()]


def query_layer(request: Request) -> Layer:
    return parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)


def content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def check_declared_length(request: Request, limit: int) -> None:
    declared = declared_length(request.scope["headers"])
    if declared is not None and declared > limit:
        raise ParametersTooLarge()


async def read_params(request: Request, path: dict[str, str] | None = None) -> Params:
    ctype = content_type(request)
    json_layer: Layer = []
    multipart: Layer = []
    urlenc: Layer = []
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        budget = Budget()
        if ctype == "multipart/form-data":
            boundary = boundary_of(request.headers.get("content-type", ""))
            multipart = list(await read_multipart(request.stream(), boundary, budget))
        else:
            check_declared_length(request, MAX_PARAM_BYTES)
            body = await read_small(request.stream(), budget)
            if body:
                if ctype == "application/json" or (not ctype and body[:1] in (b"{", b"[")):
                    json_layer = _json_layer(body)
                elif ctype in ("application/x-www-form-urlencoded", "text/plain", ""):
                    if b"=" in body:
                        urlenc = list(parse_form(body))
                    else:
                        # imgurpython posts some lists (notification ids) as a bare "a,b" body.
                        urlenc = [("ids", body.decode("utf-8", "replace").strip())]
    path_layer = list((path or {}).items())
    return Params([path_layer, json_layer, multipart, urlenc, query_layer(request)])


async def read_small(chunks: AsyncIterator[bytes], budget: Budget) -> bytes:
    """A whole body that is all parameters, refused the moment it crosses the budget."""
    out = bytearray()
    async for chunk in chunks:
        budget.spend(len(chunk))
        out += chunk
    return bytes(out)
