"""The signed-in person's own pages: settings, applications, sessions, uploader configuration."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
