"""`/api/v1/threads/{thread_id}/messages`: the thread's shown branch a page at a time, a
message sent and its answer streamed, an edit or a regeneration (a new version, answered), an
answer stopped, a message's versions, a message deleted."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import Response

from chatdesk.api.answer_stream import TURN_RESPONSES, answered
from chatdesk.api.auth import require_key
from chatdesk.api.rest_schemas import EditIn, MessagePageOut, RegenerateIn, SendIn, TurnOut
from chatdesk.api.routes.depends import Service, thread_in_use
from chatdesk.api.schemas import MessageOut
from chatdesk.core.errors import Busy, InvalidRequest, NotFound
from chatdesk.core.service import ChatService
from chatdesk.core.views import MessageView, Turn

router = APIRouter(
    prefix="/api/v1/threads/{thread_id}/messages",
    tags=["messages"],
    dependencies=[Depends(require_key), Depends(thread_in_use)],
)

Limit = Annotated[int, Query(ge=1, le=200)]
Before = Annotated[uuid.UUID | None, Query(description="the messages just before this one")]
After = Annotated[uuid.UUID | None, Query(description="the messages just after this one")]
Around = Annotated[
    uuid.UUID | None, Query(description="this message and those around it (a search hit)")
]


async def _message_in(
    service: ChatService, thread_id: uuid.UUID, message_id: uuid.UUID
) -> MessageView:
    message = await service.get_message(message_id)
    if message.thread_id != thread_id:
        raise NotFound(f"no message with id {message_id} in thread {thread_id}")
    return message


@router.get("")
async def list_messages(
    thread_id: uuid.UUID,
    service: Service,
    limit: Limit = 50,
    before: Before = None,
    after: After = None,
    around: Around = None,
) -> MessagePageOut:
    """A page of the thread's shown branch, oldest first: the newest `limit` messages, or those
    just before, just after or around a message of it. One of the three at most: a page is read
    in one direction from one message, and two is a 400 that says so."""
    if before is not None and after is not None:  # the API's own words for its own question
        raise InvalidRequest(
            "give `before` or `after`, not both: a page is read in one direction from one "
            "message (`before` to go back, `after` to go on)"
        )
    await service.get_thread(thread_id)
    page = await service.list_messages(
        thread_id, before=before, after=after, around=around, limit=limit
    )
    return MessagePageOut.of(page)


@router.post("", response_model=TurnOut, responses=TURN_RESPONSES)
async def send_message(thread_id: uuid.UUID, body: SendIn, service: Service) -> Response:
    """Send a message below the branch shown and answer it (409 while an answer is still being
    written in the thread)."""
    await service.get_thread(thread_id)
    if body.tools is not None:
        await service.set_thread_tools(thread_id, body.tools)

    async def start() -> Turn:
        return await service.send(thread_id, body.content, provider=body.provider, model=body.model)

    return await answered(service, start, body.stream)


@router.get("/{message_id}")
async def get_message(thread_id: uuid.UUID, message_id: uuid.UUID, service: Service) -> MessageOut:
    """One message as stored now: an answer being written holds what has arrived so far."""
    return MessageOut.of(await _message_in(service, thread_id, message_id))


@router.patch("/{message_id}", response_model=TurnOut, responses=TURN_RESPONSES)
async def edit_message(
    thread_id: uuid.UUID, message_id: uuid.UUID, body: EditIn, service: Service
) -> Response:
    """Send a changed version of one of the user's messages as a new branch, and answer it; the
    old version stays (`…/versions`)."""
    message = await _message_in(service, thread_id, message_id)
    if not message.status.is_final:
        raise Busy("that message is still being written; stop it first")
    return await answered(
        service, lambda: service.edit_message(message_id, body.content), body.stream
    )


@router.post("/{message_id}/regenerate", response_model=TurnOut, responses=TURN_RESPONSES)
async def regenerate(
    thread_id: uuid.UUID,
    message_id: uuid.UUID,
    service: Service,
    body: RegenerateIn | None = None,
) -> Response:
    """A new answer beside an answer (or below a question that has none)."""
    await _message_in(service, thread_id, message_id)
    stream = True if body is None else body.stream
    return await answered(service, lambda: service.regenerate(message_id), stream)


@router.post("/{message_id}/stop")
async def stop(thread_id: uuid.UUID, message_id: uuid.UUID, service: Service) -> MessageOut:
    """Stop an answer being written; what arrived is kept, marked `interrupted`. An answer that
    has ended is answered as it is."""
    await _message_in(service, thread_id, message_id)
    return MessageOut.of(await service.stop(message_id))


@router.get("/{message_id}/versions")
async def versions(
    thread_id: uuid.UUID, message_id: uuid.UUID, service: Service
) -> list[MessageOut]:
    """Every version of the message (its edits or regenerations), oldest first."""
    await _message_in(service, thread_id, message_id)
    return [
        MessageOut.of(await service.get_message(i)) for i in await service.sibling_ids(message_id)
    ]


@router.delete("/{message_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_message(thread_id: uuid.UUID, message_id: uuid.UUID, service: Service) -> None:
    """Delete the message and everything that follows from it (its answers and branches)."""
    await _message_in(service, thread_id, message_id)
    await service.delete_message(message_id)
