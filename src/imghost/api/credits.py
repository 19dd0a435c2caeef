from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.api.envelope import ok
from imghost.api.schemas import credits_json
from imghost.domain.credits.service import Charge

router = APIRouter(prefix="/3", tags=["credits"])


@router.get("/credits", summary="Rate-limit budgets left (costs nothing)", operation_id="credits")
async def credits(request: Request) -> Response:
    charge: Charge = request.scope["state"]["ratelimit"]
    user, client = charge.user, charge.client
    return ok(credits_json(user.limit, user.remaining, user.reset_at, client.limit, client.remaining))
