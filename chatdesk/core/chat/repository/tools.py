"""An answer's tool calls and results in the store: each one a message part, written the moment
it happens (the call with its decision before it runs, its state as it runs, its result when it
ends), so that a chatdesk that dies mid-call leaves a record that says so and never a call that
would run again."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chatdesk.core.chat.repository.attachments import attachment_row, tool_images, view_of
from chatdesk.core.chat.repository.rows import thread_row
from chatdesk.core.ids import new_id
from chatdesk.core.kinds import CallState, Role, Status
from chatdesk.core.store.models import MessagePart, PartKind, Thread
from chatdesk.core.tools.result_resources import read_back
from chatdesk.core.views import AttachmentInput, AttachmentView, MessageView, ToolCallView

OPEN_STATES = (CallState.WAITING.value, CallState.RUNNING.value)


def add_parts(
    session: Session,
    message_id: uuid.UUID,
    parts: Sequence[tuple[PartKind, str | None, dict[str, Any]]],
) -> list[uuid.UUID]:
    """Append `parts` (kind, text, data) after the message's others; their ids, in order."""
    position = _next_position(session, message_id)
    ids = []
    for offset, (kind, text, data) in enumerate(parts):
        part_id = new_id()
        session.add(
            MessagePart(
                id=part_id,
                message_id=message_id,
                position=position + offset,
                kind=kind,
                text=text,
                data=data,
            )
        )
        ids.append(part_id)
    return ids


def add_result_images(
    session: Session,
    now: datetime,
    message_id: uuid.UUID,
    call_id: str,
    images: Sequence[AttachmentInput],
) -> tuple[AttachmentView, ...]:
    """Append the images a call's result gave (read and stored already) after the message's
    other parts, each an attachment part that names its call."""
    position = _next_position(session, message_id)
    views = []
    for offset, image in enumerate(images):
        row = attachment_row(now, image)
        session.add(row)
        session.add(
            MessagePart(
                id=new_id(),
                message_id=message_id,
                position=position + offset,
                kind=PartKind.ATTACHMENT,
                attachment_id=row.id,
                data={"kind": image.kind, "call_id": call_id},
            )
        )
        views.append(view_of(row))
    return tuple(views)


def _next_position(session: Session, message_id: uuid.UUID) -> int:
    last = session.scalar(
        select(func.max(MessagePart.position)).where(MessagePart.message_id == message_id)
    )
    return 0 if last is None else last + 1


def update_call(session: Session, part_id: uuid.UUID, **changes: Any) -> None:
    """Change fields of a stored call (its state, its decision)."""
    part = session.get(MessagePart, part_id)
    if part is not None:
        part.data = {**(part.data or {}), **changes}  # a new dict: JSON columns track no edits


def close_open_calls(
    session: Session, message_ids: Sequence[uuid.UUID], *, by_user: bool = False
) -> int:
    """Calls of these answers still waiting or running are marked "not finished": the user
    stopped them (`by_user`), or chatdesk stopped or died before they ended; they are never
    run again by themselves."""
    if not message_ids:
        return 0
    rows = session.scalars(
        select(MessagePart).where(
            MessagePart.message_id.in_(message_ids), MessagePart.kind == PartKind.TOOL_CALL
        )
    ).all()
    closed = 0
    for part in rows:
        if (part.data or {}).get("state") in OPEN_STATES:
            stopped = {"stopped_by_user": True} if by_user else {}
            part.data = {**(part.data or {}), "state": CallState.NOT_FINISHED.value, **stopped}
            closed += 1
    return closed


def tool_parts(session: Session, message_id: uuid.UUID) -> list[tuple[PartKind, str | None, Any]]:
    """The answer's tool calls and results, in order: (kind, text, data)."""
    rows = session.execute(
        select(MessagePart.kind, MessagePart.text, MessagePart.data)
        .where(
            MessagePart.message_id == message_id,
            MessagePart.kind.in_([PartKind.TOOL_CALL, PartKind.TOOL_RESULT]),
        )
        .order_by(MessagePart.position)
    ).all()
    return [(kind, text, data) for kind, text, data in rows]


def thread_tools(session: Session, thread_id: uuid.UUID) -> list[str]:
    """The tool servers switched on for a chat."""
    value = session.scalar(select(Thread.tools).where(Thread.id == thread_id))
    return [str(name) for name in value] if isinstance(value, list) else []


def add_tool_figures(thread: Thread, time_ms: int, counts: dict[str, int]) -> None:
    """Add one answer's tool time and calls to its thread's."""
    thread.tool_time_ms = (thread.tool_time_ms or 0) + time_ms
    total = dict(thread.tool_counts or {})
    for tool, count in counts.items():
        total[tool] = int(total.get(tool, 0)) + count
    thread.tool_counts = total


def set_thread_tools(session: Session, thread_id: uuid.UUID, servers: Sequence[str]) -> None:
    """Switch on exactly `servers` for a chat (none: the model is offered no tools)."""
    thread = thread_row(session, thread_id)
    thread.tools = sorted(set(servers)) or None


def needs_tool_calls(view: MessageView) -> bool:
    """An answer that made calls (its tool time is set once it ends), or one still being
    written, which may be making some."""
    return view.tool_time_ms is not None or (
        view.role is Role.ASSISTANT and view.status in _UNFINISHED
    )


_UNFINISHED = frozenset(status for status in Status if not status.is_final)  # asked per message


def with_tool_calls(session: Session, views: list[MessageView]) -> list[MessageView]:
    """The views with their tool calls filled in (one query for all that need them)."""
    wanted = [v.id for v in views if needs_tool_calls(v)]
    if not wanted:
        return views
    found = tool_calls_of(session, wanted)
    return [replace(v, tool_calls=found[v.id]) if v.id in found else v for v in views]


def tool_calls_of(
    session: Session, message_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[ToolCallView, ...]]:
    """The tool calls of each of these messages that made any, in order, with their results."""
    rows = session.execute(
        select(MessagePart.message_id, MessagePart.kind, MessagePart.text, MessagePart.data)
        .where(
            MessagePart.message_id.in_(message_ids),
            MessagePart.kind.in_([PartKind.TOOL_CALL, PartKind.TOOL_RESULT]),
        )
        .order_by(MessagePart.message_id, MessagePart.position)
    ).all()
    calls: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    results: dict[tuple[uuid.UUID, str], tuple[str | None, dict[str, Any]]] = {}
    for message_id, kind, text, data in rows:
        data = data if isinstance(data, dict) else {}
        if kind is PartKind.TOOL_CALL:
            calls[message_id].append(data)
        else:
            results[message_id, str(data.get("call_id"))] = (text, data)
    images = tool_images(session, list(calls))
    return {
        message_id: tuple(
            tool_call_view(
                call,
                *results.get((message_id, str(call.get("call_id"))), (None, {})),
                images=tuple(images.get((message_id, str(call.get("call_id"))), ())),
            )
            for call in made
        )
        for message_id, made in calls.items()
    }


def tool_time_of(session: Session, message_id: uuid.UUID) -> int | None:
    """The time an answer spent in tools, from its stored calls (None: it made none)."""
    calls = session.scalars(
        select(MessagePart.data).where(
            MessagePart.message_id == message_id, MessagePart.kind == PartKind.TOOL_CALL
        )
    ).all()
    return tool_time(calls)


def tool_time(calls: Sequence[Any]) -> int | None:
    """The time in tools that calls' stored data (`duration_ms`) adds up to; None for none."""
    if not calls:
        return None
    return sum(int((data or {}).get("duration_ms") or 0) for data in calls)


def tool_call_view(
    call: dict[str, Any],
    result: str | None = None,
    result_data: dict[str, Any] | None = None,
    images: tuple[AttachmentView, ...] = (),
) -> ToolCallView:
    """A stored call (its part's data) and its result (text, data and images), as a view."""
    done = result_data or {}
    return ToolCallView(
        call_id=str(call.get("call_id") or ""),
        server=call.get("server"),
        tool=str(call.get("tool") or call.get("name") or ""),
        name=str(call.get("name") or ""),
        arguments=str(call.get("arguments") or ""),
        state=str(call.get("state") or ""),
        approval=call.get("approval"),
        round=int(call.get("round") or 1),
        offset=int(call.get("offset") or 0),
        duration_ms=call.get("duration_ms"),
        result=result,
        is_error=bool(done.get("is_error")),
        truncated=bool(done.get("truncated")),
        size=int(done.get("size") or 0),
        images=images,
        title=str(call.get("title") or ""),
        destructive=bool(call.get("destructive")),
        structured=str(done.get("structured") or ""),
        mismatch=str(done.get("mismatch") or ""),
        resources=read_back(done.get("resources"), call.get("server")),
        stopped_by_user=bool(call.get("stopped_by_user")),
    )
