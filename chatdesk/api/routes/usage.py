"""`/api/v1/usage` and `/api/v1/threads/{thread_id}/usage`: the tokens answers used and what
they cost, by month, provider and model, or for one thread."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from chatdesk.api.auth import require_key
from chatdesk.api.rest_schemas import UsageRowOut, UsageTotalsOut
from chatdesk.api.routes.depends import InUse, Service

router = APIRouter(prefix="/api/v1", tags=["usage"], dependencies=[Depends(require_key)])

Month = Annotated[
    str | None, Query(pattern=r"^\d{4}-\d{2}$", description='one month, "2026-11"; none: all')
]


@router.get("/usage")
async def usage_by_month(service: Service, month: Month = None) -> list[UsageRowOut]:
    """Tokens and cost per month, provider and model, newest month first; threads in the
    trash still count (the tokens were spent)."""
    return [UsageRowOut.model_validate(row) for row in await service.usage_by_month(month)]


@router.get("/threads/{thread_id}/usage")
async def thread_usage(thread_id: uuid.UUID, service: Service, _thread: InUse) -> UsageTotalsOut:
    """Tokens and cost of every answer in the thread, all its branches included."""
    return UsageTotalsOut.model_validate(await service.thread_usage(thread_id))
