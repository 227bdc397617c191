"""The bodies of chatdesk's own REST API (`/api/v1`) beyond a thread and a message
(`schemas.py`): what a client sends, and the pages, summaries, hits, assistants and usage it
reads back. The one description of each, and so the OpenAPI schema's."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from chatdesk.api.schemas import MessageOut, ThreadOut
from chatdesk.core.assistants.model import AssistantView
from chatdesk.core.views import MessagePage, ThreadPage

STREAM = "true (the default): the answer as server-sent events; false: JSON once it has ended."


TITLE = r"\S"  # a title has a character besides spaces (chatdesk/core/chat/threads.py)


class ThreadIn(BaseModel):
    title: str | None = Field(
        None, pattern=TITLE, description="None: named after its first exchange"
    )
    project_id: uuid.UUID | None = None
    assistant_id: uuid.UUID | None = Field(None, description="who answers in it")
    provider: str | None = None
    model: str | None = None


class ThreadPatch(BaseModel):
    """Only the fields present are changed; `project_id` or `assistant_id` null: none."""

    title: str | None = Field(None, pattern=TITLE)
    pinned: StrictBool | None = None
    archived: StrictBool | None = None
    project_id: uuid.UUID | None = None
    assistant_id: uuid.UUID | None = None
    provider: str | None = None
    model: str | None = None


class ThreadPageOut(BaseModel):
    threads: list[ThreadOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null: last")

    @classmethod
    def of(cls, page: ThreadPage) -> ThreadPageOut:
        return cls(threads=[ThreadOut.of(t) for t in page.threads], next_cursor=page.next_cursor)


class MessagePageOut(BaseModel):
    """A slice of the thread's shown branch, oldest first."""

    messages: list[MessageOut]
    has_more_before: bool
    has_more_after: bool

    @classmethod
    def of(cls, page: MessagePage) -> MessagePageOut:
        return cls(
            messages=[MessageOut.of(m) for m in page.messages],
            has_more_before=page.has_more_before,
            has_more_after=page.has_more_after,
        )


class SendIn(BaseModel):
    content: str = Field(min_length=1)
    provider: str | None = Field(None, description="this answer's provider (kept for the thread)")
    model: str | None = Field(None, description="this answer's model (kept for the thread)")
    tools: list[str] | None = Field(
        None,
        description='tool servers switched on for the thread from now on ("chatdesk": built-in)',
    )
    stream: StrictBool = Field(True, description=STREAM)


class EditIn(BaseModel):
    content: str = Field(min_length=1)
    stream: StrictBool = Field(True, description=STREAM)


class RegenerateIn(BaseModel):
    stream: StrictBool = Field(True, description=STREAM)


class TurnOut(BaseModel):
    """A turn that has ended (`stream: false`): the user's message (null for a regeneration)
    and its answer as stored."""

    user_message: MessageOut | None
    answer: MessageOut


class _Read(BaseModel):
    """A body read from the core's view of the same fields (`model_validate(view)`)."""

    model_config = ConfigDict(from_attributes=True)


class SummaryOut(_Read):
    id: uuid.UUID
    thread_id: uuid.UUID
    covers_through_message_id: uuid.UUID
    content: str
    token_count: int
    provider: str | None
    model: str | None
    created_at: datetime
    edited_at: datetime | None
    in_use: bool = Field(description="the one the next request starts from")


class SummarizedOut(BaseModel):
    summary: SummaryOut | None = Field(description="null: nothing to summarise yet")


class SnippetOut(_Read):
    text: str
    highlights: list[tuple[int, int]] = Field(description="(start, end) of each matched word")


class ThreadHitOut(_Read):
    thread_id: uuid.UUID
    title: SnippetOut
    project_id: uuid.UUID | None
    pinned: bool
    archived: bool
    last_activity_at: datetime


class MessageHitOut(_Read):
    message_id: uuid.UUID
    thread_id: uuid.UUID
    thread_title: str
    project_id: uuid.UUID | None
    role: str = Field(description="user, assistant, system or tool")
    created_at: datetime
    snippet: SnippetOut
    attachment: str = Field(description="the attachment whose text matched, if any")


class SearchOut(_Read):
    """Threads whose title matches, then messages (best first, or newest first: `ranking`)."""

    text: str = Field(description="what was searched for")
    threads: list[ThreadHitOut]
    messages: list[MessageHitOut]
    ranking: str = Field(description="relevance or newest")


class AssistantOut(BaseModel):
    id: uuid.UUID
    name: str
    description: str | None
    icon: str | None
    provider: str | None
    model: str | None
    tools: list[str] | None = Field(description="tool servers its chats start with")
    examples: list[str]

    @classmethod
    def of(cls, assistant: AssistantView) -> AssistantOut:
        return cls.model_validate({"id": assistant.id, **asdict(assistant.fields)})


class UsageTotalsOut(_Read):
    answers: int
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    reasoning_tokens: int
    cost_usd: float | None = Field(description="null: no answer had prices")
    partial_cost: bool = Field(description="some answers had no price: the cost leaves them out")
    estimated: bool = Field(description="some counts were made by chatdesk")


class UsageRowOut(_Read):
    month: str = Field(description='"2026-11"')
    provider: str
    model: str
    totals: UsageTotalsOut


class ToolCallOut(_Read):
    """A tool call of an answer: what the model asked, how it was decided, where it stands."""

    call_id: str
    server: str | None
    tool: str
    arguments: str = Field(description="as the model wrote them (JSON)")
    state: str = Field(description="waiting (for the user), running, done, failed or not_run")
    approval: str | None
    round: int
    duration_ms: int | None
    result: str | None
    is_error: bool


class SourceOut(_Read):
    """A passage of a knowledge base an answer was given, cited in it as [number]."""

    number: int
    base: str
    document_id: uuid.UUID | None
    path: str
    location: str
    text: str
    call_id: str = Field(description="the tool call that found it; empty: sent with the question")


class ProjectOut(_Read):
    id: uuid.UUID
    name: str
    default_provider: str | None
    default_model: str | None
    default_assistant_id: uuid.UUID | None
    tools: list[str] = Field(description="the tool servers its new chats start with")
    last_chat_at: datetime | None
    created_at: datetime
