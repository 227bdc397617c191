"""The bodies of chatdesk's own REST API (`/api/v1`) beyond a thread and a message
(`schemas.py`): what a client sends, and the pages, summaries, hits, assistants and usage it
reads back. The one description of each, and so the OpenAPI schema's."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from chatdesk.api.schemas import MessageOut, ThreadOut
from chatdesk.core.assistants.model import AssistantView
from chatdesk.core.chat.usage import UsageRow, UsageTotals
from chatdesk.core.search.views import MessageHit, SearchResults, Snippet, ThreadHit
from chatdesk.core.views import MessagePage, SummaryView, ThreadPage

STREAM = "true (the default): the answer as server-sent events; false: JSON once it has ended."


class ThreadIn(BaseModel):
    title: str | None = Field(None, description="None: named after its first exchange")
    project_id: uuid.UUID | None = None
    assistant_id: uuid.UUID | None = Field(None, description="who answers in it")
    provider: str | None = None
    model: str | None = None


class ThreadPatch(BaseModel):
    """Only the fields present are changed; `project_id` or `assistant_id` null: none."""

    title: str | None = None
    pinned: bool | None = None
    archived: bool | None = None
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
    stream: bool = Field(True, description=STREAM)


class EditIn(BaseModel):
    content: str = Field(min_length=1)
    stream: bool = Field(True, description=STREAM)


class RegenerateIn(BaseModel):
    stream: bool = Field(True, description=STREAM)


class TurnOut(BaseModel):
    """A turn that has ended (`stream: false`): the user's message (null for a regeneration)
    and its answer as stored."""

    user_message: MessageOut | None
    answer: MessageOut


class SummaryOut(BaseModel):
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

    @classmethod
    def of(cls, summary: SummaryView) -> SummaryOut:
        return cls(
            id=summary.id,
            thread_id=summary.thread_id,
            covers_through_message_id=summary.covers_through_message_id,
            content=summary.content,
            token_count=summary.token_count,
            provider=summary.provider,
            model=summary.model,
            created_at=summary.created_at,
            edited_at=summary.edited_at,
            in_use=summary.in_use,
        )


class SummarizedOut(BaseModel):
    summary: SummaryOut | None = Field(description="null: nothing to summarise yet")


class SnippetOut(BaseModel):
    text: str
    highlights: list[tuple[int, int]] = Field(description="(start, end) of each matched word")

    @classmethod
    def of(cls, snippet: Snippet) -> SnippetOut:
        return cls(text=snippet.text, highlights=list(snippet.highlights))


class ThreadHitOut(BaseModel):
    thread_id: uuid.UUID
    title: SnippetOut
    project_id: uuid.UUID | None
    pinned: bool
    archived: bool
    last_activity_at: datetime

    @classmethod
    def of(cls, hit: ThreadHit) -> ThreadHitOut:
        return cls(
            thread_id=hit.thread_id,
            title=SnippetOut.of(hit.title),
            project_id=hit.project_id,
            pinned=hit.pinned,
            archived=hit.archived,
            last_activity_at=hit.last_activity_at,
        )


class MessageHitOut(BaseModel):
    message_id: uuid.UUID
    thread_id: uuid.UUID
    thread_title: str
    project_id: uuid.UUID | None
    role: str
    created_at: datetime
    snippet: SnippetOut
    attachment: str = Field(description="the attachment whose text matched, if any")

    @classmethod
    def of(cls, hit: MessageHit) -> MessageHitOut:
        return cls(
            message_id=hit.message_id,
            thread_id=hit.thread_id,
            thread_title=hit.thread_title,
            project_id=hit.project_id,
            role=str(hit.role),
            created_at=hit.created_at,
            snippet=SnippetOut.of(hit.snippet),
            attachment=hit.attachment,
        )


class SearchOut(BaseModel):
    """Threads whose title matches, then messages (best first, or newest first: `ranking`)."""

    query: str
    threads: list[ThreadHitOut]
    messages: list[MessageHitOut]
    ranking: str = Field(description="relevance or newest")

    @classmethod
    def of(cls, results: SearchResults) -> SearchOut:
        return cls(
            query=results.text,
            threads=[ThreadHitOut.of(h) for h in results.threads],
            messages=[MessageHitOut.of(h) for h in results.messages],
            ranking=str(results.ranking),
        )


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
        fields = assistant.fields
        return cls(
            id=assistant.id,
            name=fields.name,
            description=fields.description,
            icon=fields.icon,
            provider=fields.provider,
            model=fields.model,
            tools=None if fields.tools is None else list(fields.tools),
            examples=list(fields.examples),
        )


class UsageTotalsOut(BaseModel):
    answers: int
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    reasoning_tokens: int
    cost_usd: float | None = Field(description="null: no answer had prices")
    partial_cost: bool = Field(description="some answers had no price: the cost leaves them out")
    estimated: bool = Field(description="some counts were made by chatdesk")

    @classmethod
    def of(cls, totals: UsageTotals) -> UsageTotalsOut:
        return cls(
            answers=totals.answers,
            prompt_tokens=totals.prompt_tokens,
            completion_tokens=totals.completion_tokens,
            cached_tokens=totals.cached_tokens,
            reasoning_tokens=totals.reasoning_tokens,
            cost_usd=totals.cost_usd,
            partial_cost=totals.partial_cost,
            estimated=totals.estimated,
        )


class UsageRowOut(BaseModel):
    month: str = Field(description='"2026-11"')
    provider: str
    model: str
    totals: UsageTotalsOut

    @classmethod
    def of(cls, row: UsageRow) -> UsageRowOut:
        return cls(
            month=row.month,
            provider=row.provider,
            model=row.model,
            totals=UsageTotalsOut.of(row.totals),
        )
