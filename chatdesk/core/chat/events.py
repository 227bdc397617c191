"""What the chat service announces. Subscribers (window, CLI) react; nobody polls.

Every event is a frozen dataclass named in the past tense. Handlers run on the asyncio loop,
in the order they subscribed; a handler that raises is logged and does not stop the others.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from chatdesk.core.i18n import number, tr
from chatdesk.core.kinds import AnswerStage
from chatdesk.core.knowledge.model import KnowledgeChanged, KnowledgeProgressed
from chatdesk.core.memory.model import MemoriesChanged
from chatdesk.core.providers.state import ProviderState
from chatdesk.core.units import format_cost
from chatdesk.core.views import (
    CitedSource,
    DocumentCut,
    MessageView,
    ProjectView,
    ServerLeftOut,
    SummaryView,
    SyncNoteView,
    SyncState,
    ThreadView,
    ToolCallView,
)

log = logging.getLogger("chatdesk.chat")


@dataclass(frozen=True)
class ProjectCreated:
    project: ProjectView


@dataclass(frozen=True)
class ProjectUpdated:
    project: ProjectView


@dataclass(frozen=True)
class ProjectDeleted:
    project_id: uuid.UUID


@dataclass(frozen=True)
class ThreadCreated:
    thread: ThreadView


@dataclass(frozen=True)
class ThreadUpdated:
    """Title, flags, project, active branch or bookkeeping of a thread changed."""

    thread: ThreadView


@dataclass(frozen=True)
class ThreadDeleted:
    thread_id: uuid.UUID


@dataclass(frozen=True)
class ThreadRestored:
    thread: ThreadView


@dataclass(frozen=True)
class MessageAdded:
    """A message row exists (a user message, or an answer about to stream)."""

    message: MessageView


@dataclass(frozen=True)
class AnswerTextAppended:
    """Text arrived for a streaming answer (coalesced: several tokens at a time).

    The offsets say where the new text starts in the answer (and in its reasoning), so a view
    that loaded the saved partial can join it to the stream exactly.
    """

    message_id: uuid.UUID
    thread_id: uuid.UUID
    text: str
    reasoning: str
    text_offset: int = 0
    reasoning_offset: int = 0


@dataclass(frozen=True)
class AnswerStageChanged:
    """How far an answer being written has got: its request on its way to `provider`, taken
    and waiting for `model`'s first words, or words arriving. Said for each request the answer
    makes (again after a retry, and for each round of tool calls)."""

    message_id: uuid.UUID
    thread_id: uuid.UUID
    stage: AnswerStage
    provider: str
    model: str


@dataclass(frozen=True)
class AnswerRetrying:
    """The provider failed before the first token; chatdesk will try again."""

    message_id: uuid.UUID
    thread_id: uuid.UUID
    attempt: int
    delay: float
    reason: str


@dataclass(frozen=True)
class AnswerWaiting:
    """The request for an answer waits for the provider's request limit before it starts."""

    message_id: uuid.UUID
    thread_id: uuid.UUID
    seconds: float
    reason: str


@dataclass(frozen=True)
class SourcesFound:
    """Passages of knowledge bases became an answer's sources: sent with its request (before
    it streams) or found by its tool calls; `sources` holds all it has now."""

    message_id: uuid.UUID
    thread_id: uuid.UUID
    sources: tuple[CitedSource, ...]


@dataclass(frozen=True)
class AnswerShortened:
    """The question's documents did not fit the model's context whole: they went in part,
    each with a note of what was left out (`left_out`: "report.pdf: pages 41–300"); `cuts`
    is what the answer now records of it."""

    message_id: uuid.UUID
    thread_id: uuid.UUID
    left_out: tuple[str, ...]
    cuts: tuple[DocumentCut, ...] = ()


@dataclass(frozen=True)
class ToolServersLeftOut:
    """Tool servers the answer's chat has on offered nothing to it (signed out, switched off,
    failed to start …): the answer goes on without them. Said before it is sent."""

    message_id: uuid.UUID
    thread_id: uuid.UUID
    servers: tuple[ServerLeftOut, ...]


@dataclass(frozen=True)
class CapNear:
    """An answer ended with a spending cap near or reached (`said`: which, and how near)."""

    thread_id: uuid.UUID
    said: str


@dataclass(frozen=True)
class ProvidersChanged:
    """Provider profiles were added, edited or removed: model lists may have changed."""


@dataclass(frozen=True)
class AssistantsChanged:
    """An assistant or a saved prompt was added, edited or deleted."""


@dataclass(frozen=True)
class ToolServersChanged:
    """A tool server was added, changed, switched on or off or removed, or a tool's policy
    changed: the lists of servers a chat can switch on may have changed."""


@dataclass(frozen=True)
class AnswerContinued:
    """A stopped answer is being written again (Continue); new text is appended to it."""

    message: MessageView


@dataclass(frozen=True)
class ToolCallStreaming:
    """The model has begun writing a call to the tool it names `name` (arguments to come)."""

    message_id: uuid.UUID
    thread_id: uuid.UUID
    call_id: str
    name: str


@dataclass(frozen=True)
class ToolCallChanged:
    """A stored call of an answer changed: stored, waiting for the user, running, ended (with
    its result)."""

    message_id: uuid.UUID
    thread_id: uuid.UUID
    call: ToolCallView


@dataclass(frozen=True)
class ToolCallProgressed:
    """A running call's server said how far it got (`total` None: it does not know the
    whole); live only, never stored, and at most a few times a second (`call_progress.py`)."""

    message_id: uuid.UUID
    thread_id: uuid.UUID
    call_id: str
    progress: float
    total: float | None
    message: str


@dataclass(frozen=True)
class ResearchProgressed:
    """A research run moved on: `step` says what it does now, in the user's words ("Searching:
    …", "Reading: …", "Writing the report"); `pages` read of `page_limit`, `seconds` spent of
    `second_limit`, what it cost (its spending caps were checked as it began). Published at
    each step, as each page is read, and when it stops (`stopped`: by the user or a limit; it
    then writes its report from what was read)."""

    message_id: uuid.UUID
    thread_id: uuid.UUID
    step: str
    pages: int
    page_limit: int
    seconds: float
    second_limit: float
    stopped: bool = False
    cost_usd: float | None = None  # its own requests' to the model so far (None: no prices)

    def said(self) -> str:
        """ "Reading: … (3 of 30 pages, 0:42 of 5:00, $0.004)": the step and what it used."""
        used = tr(
            "{pages} of {limit} pages, {spent} of {most}",
            pages=number(self.pages),
            limit=number(self.page_limit),
            spent=_clock(self.seconds),
            most=_clock(self.second_limit),
        )
        if self.cost_usd is not None:
            used = f"{used}, {format_cost(self.cost_usd)}"
        return f"{self.step} ({used})"


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


@dataclass(frozen=True)
class MessageFinished:
    """An answer ended: complete, error (partial kept) or interrupted."""

    message: MessageView


@dataclass(frozen=True)
class MessagesDeleted:
    thread_id: uuid.UUID
    message_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class BranchSwitched:
    thread_id: uuid.UUID
    active_leaf_id: uuid.UUID | None


@dataclass(frozen=True)
class ProviderStateChanged:
    """What the last request to a provider showed, with a sentence for the status bar."""

    provider: str
    state: ProviderState
    detail: str


@dataclass(frozen=True)
class BackgroundProblem:
    """Work the user relies on without watching it ("backups", "retention") failed, with why;
    `detail` None: it works again. Shown until it is solved, never only logged."""

    job: str
    detail: str | None


@dataclass(frozen=True)
class SavingStateChanged:
    """The data folder cannot be written (`blocked`: what is wrong and what to do; the chats
    are shown read-only and every write is refused) or can be again (`blocked` None)."""

    blocked: str | None


@dataclass(frozen=True)
class SummaryStarted:
    """Older messages of a thread are being summarised in the background."""

    thread_id: uuid.UUID


@dataclass(frozen=True)
class SummaryCreated:
    """A summary was stored; from now on it stands in for the messages it covers."""

    summary: SummaryView


@dataclass(frozen=True)
class SummaryFailed:
    """Summarising failed or was stopped; the conversation is as it was."""

    thread_id: uuid.UUID
    reason: str


@dataclass(frozen=True)
class SummaryUpdated:
    """The user edited a summary's text."""

    summary: SummaryView


@dataclass(frozen=True)
class SummaryDeleted:
    """The user deleted a summary: the messages it covered are sent again, as far as they fit."""

    thread_id: uuid.UUID
    summary_id: uuid.UUID


@dataclass(frozen=True)
class SyncStateChanged:
    """How team sync stands (in `SyncState.ERROR` or offline, `detail` says why); `pending`
    local changes wait to be pushed, `rejected` were refused by the server."""

    state: SyncState
    detail: str
    pending: int
    rejected: int


@dataclass(frozen=True)
class SyncEditLost:
    """A local edit of a shared thread lost to a newer one from a teammate (both are kept on
    the server); the note says what was kept and by whom."""

    note: SyncNoteView


Event = (
    ProjectCreated
    | ProjectUpdated
    | ProjectDeleted
    | ThreadCreated
    | ThreadUpdated
    | ThreadDeleted
    | ThreadRestored
    | MessageAdded
    | AnswerTextAppended
    | ResearchProgressed
    | AnswerStageChanged
    | AnswerRetrying
    | AnswerContinued
    | ToolCallStreaming
    | ToolCallChanged
    | ToolCallProgressed
    | MessageFinished
    | MessagesDeleted
    | BranchSwitched
    | ProviderStateChanged
    | BackgroundProblem
    | SavingStateChanged
    | AnswerWaiting
    | AnswerShortened
    | ToolServersLeftOut
    | SourcesFound
    | KnowledgeProgressed
    | KnowledgeChanged
    | MemoriesChanged
    | CapNear
    | ProvidersChanged
    | AssistantsChanged
    | ToolServersChanged
    | SummaryStarted
    | SummaryCreated
    | SummaryFailed
    | SummaryUpdated
    | SummaryDeleted
    | SyncStateChanged
    | SyncEditLost
)

Handler = Callable[[Event], None]


class EventBus:
    def __init__(self) -> None:
        self._handlers: list[Handler] = []

    def subscribe(self, handler: Handler) -> Callable[[], None]:
        """Start delivering events to `handler`; call the result to stop."""
        self._handlers.append(handler)

        def unsubscribe() -> None:
            if handler in self._handlers:
                self._handlers.remove(handler)

        return unsubscribe

    def publish(self, event: Event) -> None:
        for handler in list(self._handlers):
            try:
                handler(event)
            except Exception:
                log.exception("event handler %r failed on %s", handler, type(event).__name__)
