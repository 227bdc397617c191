"""`/api/v1/search`: chatdesk's search over every thread's titles and messages."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from chatdesk.api.auth import require_key
from chatdesk.api.rest_schemas import SearchOut
from chatdesk.api.surface import core_of
from chatdesk.core.search.views import SearchFilters

router = APIRouter(prefix="/api/v1/search", tags=["search"], dependencies=[Depends(require_key)])


@router.get("")
async def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, description="words to find (prefix* with advanced)")],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    thread_id: uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
    advanced: Annotated[bool, Query(description='FTS5 query syntax: AND, OR, NOT, "…"')] = False,
) -> SearchOut:
    """Threads whose title matches, then messages holding the words, best first, each with a
    snippet and where its words matched. Threads in the trash are left out, archived ones too
    unless `thread_id` names one."""
    filters = SearchFilters(project_id=project_id, thread_id=thread_id)
    found = await core_of(request).search.search(q, filters=filters, limit=limit, advanced=advanced)
    return SearchOut.model_validate(found)
