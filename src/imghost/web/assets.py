"""Static assets: read once at import, named by their content hash, served from memory.

The stylesheets in static/css are one bundle (in file-name order), so a page loads one small CSS file;
each script in static/js is its own ES module, loaded only by the pages that use it. A name carries the
first 10 hex digits of its SHA-256, so an answer may be cached for a year: a changed file is a new name.
Nothing to build: a fresh checkout serves the same names."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

STATIC = Path(__file__).parent / "static"
CACHE_FOREVER = "public, max-age=31536000, immutable"


@dataclass(frozen=True, slots=True)
class Asset:
    name: str  # the hashed name, as served under /static/
    body: bytes
    gzipped: bytes
    media_type: str
    etag: str


def _asset(logical: str, body: bytes, media_type: str) -> Asset:
    digest = hashlib.sha256(body).hexdigest()
    stem, _, ext = logical.rpartition(".")
    return Asset(
        f"{stem}.{digest[:10]}.{ext}", body, gzip.compress(body, 9, mtime=0), media_type, f'"{digest[:32]}"'
    )


def _load() -> dict[str, Asset]:
    found: dict[str, Asset] = {}
    css = b"\n".join(p.read_bytes() for p in sorted((STATIC / "css").glob("*.css")))
    found["app.css"] = _asset("app.css", css, "text/css; charset=utf-8")
    for p in sorted(STATIC.rglob("*")):
        if not p.is_file() or p.parent.name == "css":
            continue
        logical = p.relative_to(STATIC).as_posix()
        kind = "text/javascript; charset=utf-8" if p.suffix == ".js" else mimetypes.guess_type(p.name)[0]
        found[logical] = _asset(logical, p.read_bytes(), kind or "application/octet-stream")
    return found


ASSETS = _load()
BY_NAME = {a.name: a for a in ASSETS.values()}


def url(logical: str) -> str:
    """/static/<hashed name> of a logical name such as "app.css" or "js/upload.js"."""
    return "/static/" + ASSETS[logical].name
