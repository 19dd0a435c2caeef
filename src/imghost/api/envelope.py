"""The Imgur v3 envelope: {"data", "success", "status"} on every /3 answer, errors included."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from imghost.errors import ImghostError

JSON = "application/json; charset=utf-8"


def ok_body(data: Any) -> bytes:
    return orjson.dumps({"data": data, "success": True, "status": 200})


def ok(data: Any) -> Response:
    # Always HTTP 200 on success: node-imgur 1.x and ShareX accept nothing else.
    return Response(ok_body(data), media_type=JSON)


def error_body(status: int, error: Any, path: str, method: str) -> bytes:
    return orjson.dumps(
        {"data": {"error": error, "request": path, "method": method}, "success": False, "status": status}
    )


def error(exc: ImghostError, path: str, method: str) -> Response:
    """The one rendering of an error on the API surface: the edge and the framework's handlers both use it."""
    return Response(
        error_body(exc.status, exc.payload(), path, method),
        status_code=exc.status,
        media_type=JSON,
        headers=dict(exc.headers) or None,
    )
