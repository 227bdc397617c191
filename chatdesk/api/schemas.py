"""The bodies chatdesk's own API answers with (`/api/v1` and its WebSocket): a thread and a
message as the core's views hold them, in JSON. The one description of each, and so the
OpenAPI schema's; the OpenAI-compatible routes have theirs in `openai_schemas.py`."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from chatdesk.core.views import MessageView, ThreadView


class UsageOut(BaseModel):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost_usd: float | None = None
    estimated: bool = Field(False, description="Counted by chatdesk: the server reported none.")


class ThreadOut(BaseModel):
    id: uuid.UUID
    title: str
    pinned: bool
    archived: bool
    deleted: bool
    project_id: uuid.UUID | None
    assistant_id: uuid.UUID | None
    provider: str | None
    model: str | None
    message_count: int
    created_at: datetime
    last_activity_at: datetime
    origin: str | None = Field(None, description='"api": made through this API; null: in chatdesk.')

    @classmethod
    def of(cls, thread: ThreadView) -> ThreadOut:
        return cls(
            id=thread.id,
            title=thread.title,
            pinned=thread.pinned,
            archived=thread.archived,
            deleted=thread.deleted,
            project_id=thread.project_id,
            assistant_id=thread.assistant_id,
            provider=thread.provider,
            model=thread.model,
            message_count=thread.message_count,
            created_at=thread.created_at,
            last_activity_at=thread.last_activity_at,
            origin=thread.origin,
        )


class MessageOut(BaseModel):
    id: uuid.UUID
    thread_id: uuid.UUID
    parent_id: uuid.UUID | None
    role: str = Field(description="user, assistant, system or tool")
    status: str = Field(description="pending, streaming, complete, error or interrupted")
    content: str
    reasoning: str | None
    provider: str | None
    model: str | None
    agent: str | None = Field(description="the assistant that answered, if any")
    usage: UsageOut
    error_type: str | None
    error_detail: str | None
    created_at: datetime
    completed_at: datetime | None
    version: int = Field(description="which of its versions this is, from 1")
    versions: int = Field(description="how many versions it has (edits and regenerations)")

    @classmethod
    def of(cls, message: MessageView) -> MessageOut:
        usage = message.usage
        return cls(
            id=message.id,
            thread_id=message.thread_id,
            parent_id=message.parent_id,
            role=str(message.role),
            status=str(message.status),
            content=message.content,
            reasoning=message.reasoning,
            provider=message.provider,
            model=message.model,
            agent=message.agent,
            usage=UsageOut(
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens,
                cost_usd=usage.cost_usd,
                estimated=usage.estimated,
            ),
            error_type=message.error_type,
            error_detail=message.error_detail,
            created_at=message.created_at,
            completed_at=message.completed_at,
            version=message.sibling_index,
            versions=message.sibling_count,
        )
