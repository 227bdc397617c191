"""What the `/api/v1` routes take from the app: the core's chat service, and a path's thread
while it is not in the trash."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request

from chatdesk.api.surface import core_of
from chatdesk.core.errors import NotFound
from chatdesk.core.service import ChatService
from chatdesk.core.views import ThreadView


def _service(request: Request) -> ChatService:
    return core_of(request).service


Service = Annotated[ChatService, Depends(_service)]


async def thread_in_use(thread_id: uuid.UUID, service: Service) -> ThreadView:
    """The path's thread, or 404: one in the trash is gone from the API but for the trash's
    list (`?trash=true`) and its restore, as it is from the window's list."""
    thread = await service.get_thread(thread_id)
    if thread.deleted:
        raise NotFound(
            f"thread {thread_id} is in the trash; POST /api/v1/threads/{thread_id}/restore "
            "brings it back"
        )
    return thread


InUse = Annotated[ThreadView, Depends(thread_in_use)]
