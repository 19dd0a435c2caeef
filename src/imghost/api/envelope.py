"""The Imgur v3 envelope: {"data", "success", "status"} on every /3 answer, errors included."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

JSON = "application/json; charset=utf-8"


def ok(data: Any) -> Response:
    # Always HTTP 200 on success: node-imgur 1.x and ShareX accept nothing else.
    return Response(orjson.dumps({"data": data, "success": True, "status": 200}), media_type=JSON)


def error_body(status: int, error: Any, path: str, method: str) -> bytes:
    return orjson.dumps({"data": {"error": error, "request": path, "method": method},
                         "success": False, "status": status})


def error(status: int, error: Any, path: str, method: str) -> Response:
    return Response(error_body(status, error, path, method), status_code=status, media_type=JSON)
