"""What every API handler needs from the request: the services and the caller."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from imghost.api.schemas import image_json
from imghost.auth import Subject
from imghost.db.database import Row
from imghost.services import Services


def services(request: Request) -> Services:
    return request.app.state.services


def subject(request: Request) -> Subject:
    """Set by the API edge after it checked the Authorization header."""
    return request.scope["state"]["subject"]


def images_json(svc: Services, rows: list[Row], subject: Subject) -> list[dict[str, Any]]:
    """Image objects as this caller sees them, with views not yet written to the database."""
    base = svc.settings.base_url
    return [image_json(r, base, owner=subject.owns(r["account_id"]), pending=svc.views.pending(r["id"]))
            for r in rows]
