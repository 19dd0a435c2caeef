from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from imghost.api.envelope import ok
from imghost.api.schemas import credits_json

router = APIRouter(prefix="/3", tags=["credits"])


@router.get("/credits", summary="Rate-limit budgets left (costs nothing)", operation_id="credits")
async def credits(request: Request) -> Response:
    buckets, states = request.scope["state"]["ratelimit"]
    user, client, _ = states
    return ok(credits_json(buckets[0].limit, user.remaining, user.reset_at, buckets[1].limit, client.remaining))
