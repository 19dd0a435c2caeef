"""What every API handler needs from the request: the services and the caller."""

from __future__ import annotations

from starlette.requests import Request

from imghost.auth import Subject
from imghost.services import Services


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def subject(request: Request) -> Subject:
    """Set by the API edge after it checked the Authorization header."""
    who: Subject = request.scope["state"]["subject"]
    return who
