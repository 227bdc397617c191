"""`/api/v1/assistants`: who can answer in a thread (`assistant_id` of a thread)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from chatdesk.api.auth import require_key
from chatdesk.api.rest_schemas import AssistantOut
from chatdesk.api.routes.depends import Service

router = APIRouter(
    prefix="/api/v1/assistants", tags=["assistants"], dependencies=[Depends(require_key)]
)


@router.get("")
async def list_assistants(service: Service) -> list[AssistantOut]:
    """The assistants, as the window lists them."""
    return [AssistantOut.of(a) for a in await service.assistants.list()]
