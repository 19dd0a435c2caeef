"""The parameter budget: every byte of a request that is not the uploaded file counts against one limit.

Field names, values and multipart part headers all count, in every encoding, so that a request made of a
thousand 1 MB fields is refused at the first byte past the limit instead of after it has been read."""

from __future__ import annotations

from imghost.errors import ParametersTooLarge

MAX_PARAM_BYTES = 1024 * 1024


def declared_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    """The Content-Length a request announces, if it announces a usable one. What it says only ever
    refuses a body early; every limit is still counted on the bytes that arrive."""
    for k, v in headers:
        if k == b"content-length":
            return int(v) if v.isdigit() else None
    return None


class Budget:
    __slots__ = ("limit", "used")

    def __init__(self, limit: int = MAX_PARAM_BYTES) -> None:
        self.limit = limit
        self.used = 0

    def spend(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise ParametersTooLarge()
