"""The upload endpoint of the web front end (POST /upload), for the upload page's script and its plain form."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
