"""`/api/v1/threads`: chatdesk's chats, listed a page at a time, made, changed, put in the
trash and brought back, each through the core's own call for it."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from chatdesk.api.auth import require_key
from chatdesk.api.rest_schemas import ThreadIn, ThreadPageOut, ThreadPatch
from chatdesk.api.routes.depends import InUse, Service
from chatdesk.api.schemas import ThreadOut
from chatdesk.core.kinds import Origin
from chatdesk.core.service import ChatService
from chatdesk.core.views import ThreadFilter, ThreadView

router = APIRouter(prefix="/api/v1/threads", tags=["threads"], dependencies=[Depends(require_key)])


@router.get("")
async def list_threads(
    service: Service,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the page before")] = None,
    project_id: uuid.UUID | None = None,
    pinned: Annotated[bool | None, Query(description="true: only pinned; false: unpinned")] = None,
    archived: Annotated[bool, Query(description="true: only archived threads")] = False,
    trash: Annotated[bool, Query(description="true: the threads in the trash instead")] = False,
) -> ThreadPageOut:
    """Threads, the most recently active first, a page at a time."""
    where = ThreadFilter(project_id=project_id, pinned=pinned, archived=archived, deleted=trash)
    return ThreadPageOut.of(await service.list_threads(where, limit=limit, cursor=cursor))


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_thread(body: ThreadIn, service: Service) -> ThreadOut:
    """A new, empty thread, marked as made through the API."""
    if body.assistant_id is not None:
        await service.assistants.get(body.assistant_id)  # an unknown one: 404, nothing made
    thread = await service.create_thread(
        title=body.title,
        project_id=body.project_id,
        provider=body.provider,
        model=body.model,
        origin=Origin.API,
    )
    if body.assistant_id is not None:
        await service.assistants.use_in(thread.id, body.assistant_id)
        thread = await service.get_thread(thread.id)
    return ThreadOut.of(thread)


@router.get("/{thread_id}")
async def get_thread(thread: InUse) -> ThreadOut:
    """One thread; one in the trash is 404 (the trash's list shows it)."""
    return ThreadOut.of(thread)


@router.patch("/{thread_id}")
async def update_thread(
    thread_id: uuid.UUID, body: ThreadPatch, service: Service, thread: InUse
) -> ThreadOut:
    """Change the fields given (each as the window would); the others stay."""
    given = body.model_fields_set
    if body.title is not None:
        thread = await service.rename_thread(thread_id, body.title)
    if body.pinned is not None:
        thread = await service.set_pinned(thread_id, body.pinned)
    if body.archived is not None:
        thread = await service.set_archived(thread_id, body.archived)
    if "project_id" in given:
        thread = await service.move_thread(thread_id, body.project_id)
    if "assistant_id" in given:
        await service.assistants.use_in(thread_id, body.assistant_id)
        thread = await service.get_thread(thread_id)
    if given & {"provider", "model"}:
        thread = await _set_model(service, thread, body)
    return ThreadOut.of(thread)


async def _set_model(service: ChatService, thread: ThreadView, body: ThreadPatch) -> ThreadView:
    given = body.model_fields_set
    provider = body.provider if "provider" in given else thread.provider
    model = body.model if "model" in given else thread.model
    return await service.set_thread_model(thread.id, provider=provider, model=model)


@router.delete("/{thread_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_thread(thread_id: uuid.UUID, service: Service) -> None:
    """Move the thread to the trash (its answers stopped); `…/restore` brings it back."""
    await service.delete_thread(thread_id)


@router.post("/{thread_id}/restore")
async def restore_thread(thread_id: uuid.UUID, service: Service) -> ThreadOut:
    """Bring a thread back from the trash."""
    return ThreadOut.of(await service.restore_thread(thread_id))
