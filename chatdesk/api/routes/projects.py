"""`/api/v1/projects`: the projects threads are filed in (`project_id` of a thread)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from chatdesk.api.auth import require_key
from chatdesk.api.rest_schemas import ProjectOut
from chatdesk.api.routes.depends import Service

router = APIRouter(
    prefix="/api/v1/projects", tags=["projects"], dependencies=[Depends(require_key)]
)


@router.get("")
async def list_projects(service: Service) -> list[ProjectOut]:
    """The projects, as the sidebar lists them."""
    return [ProjectOut.model_validate(p) for p in await service.list_projects()]
