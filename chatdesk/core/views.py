"""Read-only snapshots of stored rows, safe to hand to any thread, the UI or the CLI."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime

# Re-exported: a message's parts are in a module of their own (views of rows, like these).
from chatdesk.core.answer_parts import AttachmentView as AttachmentView
from chatdesk.core.answer_parts import CitedSource as CitedSource
from chatdesk.core.answer_parts import DocumentCut as DocumentCut
from chatdesk.core.answer_parts import LeftOutWhy as LeftOutWhy
from chatdesk.core.answer_parts import ResultResource as ResultResource
from chatdesk.core.answer_parts import ServerLeftOut as ServerLeftOut
from chatdesk.core.answer_parts import ToolCallView as ToolCallView
from chatdesk.core.answer_parts import placed_calls as placed_calls
from chatdesk.core.kinds import AttachmentKind, Origin, Role, Status, TurnKind


@dataclass(frozen=True)
class ProjectView:
    id: uuid.UUID
    name: str
    system_prompt: str | None
    default_provider: str | None
    default_model: str | None
    total_tokens: int
    last_chat_at: datetime | None
    created_at: datetime
    tools: tuple[str, ...] = ()  # the tool servers its new chats start with
    default_assistant_id: uuid.UUID | None = None  # the assistant its new chats start with


@dataclass(frozen=True)
class ProjectSettings:
    """All a project's dialog sets, saved at once; None means "not set" (the defaults apply)."""

    name: str
    system_prompt: str | None = None
    default_provider: str | None = None
    default_model: str | None = None
    tools: tuple[str, ...] = ()  # the tool servers its new chats start with
    assistant_id: uuid.UUID | None = None  # the assistant its new chats start with
    knowledge: tuple[uuid.UUID, ...] = ()  # the knowledge bases every chat of it answers from


@dataclass(frozen=True)
class ThreadView:
    id: uuid.UUID
    title: str
    title_set_by_user: bool
    project_id: uuid.UUID | None
    pinned: bool
    archived: bool
    deleted_at: datetime | None
    provider: str | None
    model: str | None
    system_prompt: str | None
    active_leaf_id: uuid.UUID | None
    message_count: int
    total_tokens: int
    last_activity_at: datetime
    created_at: datetime
    context_window: int | None = None  # set for this thread; None: the provider's or the table's
    summaries_paused: bool = False  # a summary was deleted: none is made until asked for
    team_id: uuid.UUID | None = None  # shared with this team; None: personal
    assistant_id: uuid.UUID | None = None  # who answers in it; None: no assistant
    origin: str | None = None  # made elsewhere than here (kinds.Origin); None: here

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def through_api(self) -> bool:
        """Made through the local API, and kept: marked so in the window."""
        return self.origin == Origin.API

    @property
    def for_one_answer(self) -> bool:
        """Made for one answer through the local API, and removed once it ends: shown
        nowhere meanwhile (kinds.Origin.API_ONCE)."""
        return self.origin == Origin.API_ONCE


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cached_tokens: int | None = None
    reasoning_tokens: int | None = None
    cost_usd: float | None = None
    estimated: bool = False  # counted by chatdesk because the server reported no usage

    @property
    def total(self) -> int:
        return (self.prompt_tokens or 0) + (self.completion_tokens or 0)


@dataclass(frozen=True)
class AttachmentInput:
    """What the user attaches to a message: a large paste, or a file made ready by
    `chatdesk/core/attach/attacher.py` (its bytes already in the blob store under `sha256`)."""

    name: str
    text: str  # what the model reads (a document's extracted text; empty for an image)
    kind: str = AttachmentKind.FILE  # an AttachmentKind
    mime: str = "text/plain"
    sha256: str = ""  # its bytes in the blob store; empty: the text is all there is
    size: int = 0  # bytes of the file (0: those of the text)
    width: int = 0  # an image's pixels, as sent
    height: int = 0
    pages: int = 0  # a document's pages, sheets or slides
    note: str = ""  # what the reader should know ("a scan: no text layer", …)
    thumb: str = ""  # an image's thumbnail in the blob store
    origin_server: str = ""  # the tool server it was read from (an MCP resource), or ""
    origin_uri: str = ""  # the resource's URI on that server


@dataclass(frozen=True)
class DraftView:
    text: str
    attachments: tuple[AttachmentInput, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.text and not self.attachments


@dataclass(frozen=True)
class ContextBreakdown:
    """What the next request of a thread is made of, in tokens of its model.

    `system` is the system prompt with the request's own framing (the reply priming), so the
    four parts add up to `used`. `budget` is the context window less the room kept for the
    answer; `estimated` when any part was not counted by the model's own tokenizer.
    """

    system: int
    summary: int
    history: int
    draft: int
    budget: int
    window: int
    estimated: bool
    model: str = ""  # the model the tokens are counted for
    messages: int = 0  # messages of the branch in `history`
    omitted: int = 0  # older messages of the branch that are neither summarised nor sent
    summary_id: uuid.UUID | None = None  # the summary in use

    # Passages from knowledge bases: those sent (a request), or the share of the budget kept
    # for them (the gauge, before the question is known).
    knowledge: int = 0
    memory: int = 0  # the memories given with the question (the section of the system message)
    memories: int = 0  # how many
    instructions: int = 0  # what the offered tools' servers said of how to use them

    @property
    def used(self) -> int:
        given = self.knowledge + self.memory + self.instructions
        return self.system + self.summary + self.history + self.draft + given

    @property
    def reserve(self) -> int:
        """Tokens kept free for the answer."""
        return self.window - self.budget


@dataclass(frozen=True)
class ContextUsage:
    """How full the model's context window is for the next message of a thread."""

    used_tokens: int
    budget_tokens: int
    estimated: bool  # True: not counted by the model's own tokenizer
    breakdown: ContextBreakdown | None = None
    # What sending it would cost before any answer: its tokens at the provider's input price
    # (None: the provider has no prices); `costly`: over `caps.show_cost_over_usd`, to show.
    send_cost_usd: float | None = None
    costly: bool = False

    @property
    def fraction(self) -> float:
        return self.used_tokens / self.budget_tokens if self.budget_tokens else 0.0


@dataclass(frozen=True)
class SummaryView:
    """A summary of a thread's branch up to and including `covers_through_message_id`."""

    id: uuid.UUID
    thread_id: uuid.UUID
    covers_through_message_id: uuid.UUID
    content: str
    token_count: int
    provider: str | None
    model: str | None
    created_at: datetime
    edited_at: datetime | None = None
    in_use: bool = False  # the one the next request starts from (on the branch shown, newest)


class SyncState(enum.StrEnum):
    """How team sync stands. Only this chatdesk makes them, but the values are what the CLI
    prints (`chatdesk sync now`, `--json`), so they stay these words."""

    OFF = "off"  # no team server is set up
    UP_TO_DATE = "up to date"
    SYNCING = "syncing"
    OFFLINE = "offline"  # the server cannot be reached; changes wait in the outbox
    ERROR = "error"  # the server refused this client or a change (the detail says why)


@dataclass(frozen=True)
class SyncNoteView:
    """An edit of a shared thread made here that lost to a newer one (both kept on the server):
    `field` is "title", "system_prompt" or "content" (of a summary)."""

    id: uuid.UUID
    thread_id: uuid.UUID
    entity: str
    field: str
    lost_value: str | None
    kept_value: str | None
    kept_by: str | None
    created_at: datetime


@dataclass(frozen=True)
class MessageView:
    id: uuid.UUID
    thread_id: uuid.UUID
    parent_id: uuid.UUID | None
    depth: int
    role: Role
    status: Status
    content: str
    reasoning: str | None
    provider: str | None
    model: str | None
    usage: Usage
    latency_ms: int | None
    first_token_ms: int | None
    # An `ErrorKind` or `ChatErrorKind` value as stored: a kind this chatdesk does not know (a
    # newer one's, synced or restored) is kept and shown as it is.
    error_type: str | None
    error_detail: str | None
    created_at: datetime
    completed_at: datetime | None
    # Position among messages with the same parent, for `< 2/3 >`; 1-based.
    sibling_index: int = 1
    sibling_count: int = 1
    attachments: tuple[AttachmentView, ...] = ()
    # Who wrote it, for a team thread's messages from teammates (their server login).
    author: str | None = None
    # An answer's tool calls, in order (filled for answers that made any).
    tool_calls: tuple[ToolCallView, ...] = ()
    # Milliseconds the answer spent in tools; None for an answer that called none.
    tool_time_ms: int | None = None
    agent: str | None = None  # the name of the assistant an answer came from
    sources: tuple[CitedSource, ...] = ()  # the passages it was given, numbered as cited
    memories: tuple[int, ...] = ()  # the memories it was given, by number
    cuts: tuple[DocumentCut, ...] = ()  # the question's documents it was sent only in part
    # Tool servers its chat has on that it could not offer; known while it is written, not kept.
    left_out: tuple[ServerLeftOut, ...] = ()


@dataclass(frozen=True)
class MessagePage:
    """A slice of a thread's active branch, oldest first."""

    messages: tuple[MessageView, ...]
    has_more_before: bool
    has_more_after: bool


@dataclass(frozen=True)
class ThreadPage:
    threads: tuple[ThreadView, ...]
    next_cursor: str | None


@dataclass(frozen=True)
class ThreadFilter:
    project_id: uuid.UUID | None = None
    only_unfiled: bool = False  # threads in no project
    pinned: bool | None = None
    archived: bool | None = False
    deleted: bool = False  # True: the trash (soft-deleted threads) instead
    # Titles containing this text, ignoring case (SQLite folds ASCII letters only).
    text: str | None = None


@dataclass(frozen=True)
class Turn:
    """What `send`, `edit` and `regenerate` start: the question and the answer being written."""

    user_message: MessageView | None
    answer: MessageView
    others: tuple[MessageView, ...] = ()  # a comparison's other answers, side by side


@dataclass(frozen=True)
class ResearchLimits:
    """A research run's limits: minutes searching and reading, pages read, asks at once."""

    minutes: float
    pages: int
    parallel: int
    over_cap: bool = False  # let past a reached spending cap: not held to the caps as it runs


@dataclass(frozen=True)
class TurnRequest:
    """A turn to start. `thread_id` None: a new thread (in `project_id`); `target`: the message
    an edit, a regeneration or a continuation is about; `text`: the user's words (send, edit)."""

    kind: TurnKind
    thread_id: uuid.UUID | None
    target: uuid.UUID | None = None
    text: str | None = None
    attachments: tuple[AttachmentInput, ...] = ()
    provider: str | None = None
    model: str | None = None
    project_id: uuid.UUID | None = None
    # A new thread's tool servers, switched on with it; None: its project's.
    tools: tuple[str, ...] | None = None
    over_cap: bool = False  # the user allows this one request past a reached spending cap
    assistant_id: uuid.UUID | None = None  # a new thread's assistant; None: its project's
    knowledge: tuple[uuid.UUID, ...] = ()  # a new thread's knowledge bases, linked with it
    # A comparison: (provider, model) of each answer, written side by side as siblings.
    compare: tuple[tuple[str, str], ...] = ()
    origin: str | None = None  # a new thread's: "api" when made through the local API
    research: ResearchLimits | None = None  # the answer is a research run's report
    memory_off: bool = False  # the thread's Memory switch off from this message on


@dataclass(frozen=True)
class StartedTurn:
    """A turn as committed: the user's message (None when an answer is regenerated or
    continued), the answer row, its thread, and whether the thread is new."""

    user_message: MessageView | None
    answer: MessageView
    thread: ThreadView
    new_thread: bool
    others: tuple[MessageView, ...] = ()  # a comparison's other answers
