"""API applications on the web: /account/apps and /oauth2/addclient."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
