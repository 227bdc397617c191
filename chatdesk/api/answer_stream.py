"""A turn of `/api/v1` (send, edit, regenerate) answered as server-sent events, or as JSON once
its answer has ended.

The events, each `event: <name>` with one JSON `data:` line:

- `message_created` `{message}`: the user's message as stored (not for a regeneration);
- `stream_start` `{message_id, message}`: the answer's row, before the model is asked;
- `stream_chunk` `{message_id, delta, reasoning, offset}`: text of the answer (and of its
  reasoning) as it arrives; `offset` is where `delta` starts in the answer;
- `tool_call` `{message_id, call}`: a tool call of the answer, each time it changes (stored,
  waiting for the user's approval, running, done with its result);
- `tool_progress` `{message_id, call_id, progress, total, message}`: how far a running call
  got, as its server reports it (`total` null when it does not know; a few a second at most);
- `sources` `{message_id, sources}`: the knowledge passages the answer has been given so far,
  cited in it as [number];
- `tools_left_out` `{message_id, servers}`: tool servers the chat has on that offered nothing
  to this answer, which goes on without them: each `{server, why, reason, said}`, `why` one of
  sign-in, off, not-allowed, failed, unknown, `said` in the user's language;
- `stream_end` `{message_id, status, usage, message}`: the answer as stored once it ended
  (status complete, error or interrupted).

The answer never depends on the client: one that goes away only stops being told; the answer
is written to its end and kept (`POST …/stop` is how a client stops it).
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any

from fastapi.responses import JSONResponse, Response

from chatdesk.api.following import Follower
from chatdesk.api.keep_alive import KeptAliveStream
from chatdesk.api.rest_schemas import SourceOut, ToolCallOut, TurnOut
from chatdesk.api.schemas import MessageOut
from chatdesk.core.chat.events import (
    AnswerTextAppended,
    MessageFinished,
    SourcesFound,
    ToolCallChanged,
    ToolCallProgressed,
    ToolServersLeftOut,
)
from chatdesk.core.service import ChatService
from chatdesk.core.views import MessageView, Turn

EVENTS = (
    "message_created",
    "stream_start",
    "tools_left_out",
    "stream_chunk",
    "tool_call",
    "tool_progress",
    "sources",
    "stream_end",
)
# How a route that answers with a turn describes its two bodies in the OpenAPI schema; an
# event's schema is the event (OpenAPI 3.1 has `schema` describe each one), its data a JSON
# object as the module's docstring lists.
TURN_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The answer as server-sent events (message_created, stream_start, "
        "tools_left_out, stream_chunk…, tool_call, sources, stream_end), each a JSON object in "
        "its data, and a comment line through a silence; with `stream: false`, the ended turn "
        "as JSON.",
        "content": {
            "text/event-stream": {
                "schema": {
                    "type": "object",
                    "required": ["event", "data"],
                    "properties": {
                        "event": {"type": "string", "enum": list(EVENTS)},
                        "data": {
                            "type": "string",
                            "contentMediaType": "application/json",
                            "contentSchema": {"type": "object"},
                        },
                    },
                }
            }
        },
    }
}


async def answered(
    service: ChatService, start: Callable[[], Awaitable[Turn]], stream: bool
) -> Response:
    """Start the turn and answer with its answer: streamed, or once it has ended."""
    if not stream:
        turn = await start()
        answer = await service.wait_for_answer(turn.answer.id)
        question = None if turn.user_message is None else MessageOut.of(turn.user_message)
        ended = TurnOut(user_message=question, answer=MessageOut.of(answer))
        return JSONResponse(ended.model_dump(mode="json"))
    events = _followed(service, start)
    first = await anext(events)  # starts the turn: a refusal is an error status, not a stream
    return KeptAliveStream(
        _after(first, events), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )


async def _followed(
    service: ChatService, start: Callable[[], Awaitable[Turn]]
) -> AsyncGenerator[bytes, None]:
    with Follower(service.events) as follower:  # subscribed before the turn starts
        turn = await start()
        answer = turn.answer
        if turn.user_message is not None:
            yield _event("message_created", {"message": _message(turn.user_message)})
        yield _event("stream_start", {"message_id": str(answer.id), "message": _message(answer)})
        async for event in follower.answer(answer.id):
            said = _said(event)
            if said is not None:
                yield _event(said[0], {"message_id": str(answer.id), **said[1]})


def _said(event: object) -> tuple[str, dict[str, Any]] | None:
    """What the client is told of one of the answer's events (None: nothing)."""
    if isinstance(event, AnswerTextAppended):
        return "stream_chunk", {
            "delta": event.text,
            "reasoning": event.reasoning,
            "offset": event.text_offset,
        }
    if isinstance(event, ToolCallChanged):
        return "tool_call", {"call": ToolCallOut.model_validate(event.call).model_dump(mode="json")}
    if isinstance(event, ToolCallProgressed):
        return "tool_progress", {
            "call_id": event.call_id,
            "progress": event.progress,
            "total": event.total,
            "message": event.message,
        }
    if isinstance(event, SourcesFound):
        sources = [SourceOut.model_validate(s).model_dump(mode="json") for s in event.sources]
        return "sources", {"sources": sources}
    if isinstance(event, ToolServersLeftOut):
        servers = [
            {"server": s.server, "why": str(s.why), "reason": s.reason, "said": s.said()}
            for s in event.servers
        ]
        return "tools_left_out", {"servers": servers}
    if isinstance(event, MessageFinished):
        ended = _message(event.message)
        return "stream_end", {"status": ended["status"], "usage": ended["usage"], "message": ended}
    return None


async def _after(first: bytes, rest: AsyncGenerator[bytes, None]) -> AsyncIterator[bytes]:
    try:
        yield first
        async for chunk in rest:
            yield chunk
    finally:  # the client went away, or the answer ended: stop following (the answer goes on)
        await rest.aclose()


def _message(message: MessageView) -> dict[str, Any]:
    return MessageOut.of(message).model_dump(mode="json")


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()
