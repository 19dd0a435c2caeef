"""Managing one's own uploads: /account/images and /account/albums."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
