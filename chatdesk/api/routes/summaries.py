"""`/api/v1/threads/{thread_id}/summaries`: what the model reads instead of a thread's older
messages, listed, and made now."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends

from chatdesk.api.auth import require_key
from chatdesk.api.rest_schemas import SummarizedOut, SummaryOut
from chatdesk.api.routes.depends import Service, thread_in_use

router = APIRouter(
    prefix="/api/v1/threads/{thread_id}/summaries",
    tags=["summaries"],
    dependencies=[Depends(require_key), Depends(thread_in_use)],
)


@router.get("")
async def list_summaries(thread_id: uuid.UUID, service: Service) -> list[SummaryOut]:
    """The thread's summaries, oldest first; `in_use` marks the one the next request sends."""
    return [SummaryOut.model_validate(s) for s in await service.list_summaries(thread_id)]


@router.post("")
async def summarize_now(thread_id: uuid.UUID, service: Service) -> SummarizedOut:
    """Summarise all but the last exchange of the shown branch now; waits for the summary."""
    made = await service.summarize_now(thread_id)
    return SummarizedOut(summary=None if made is None else SummaryOut.model_validate(made))
