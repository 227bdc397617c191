"""The context builder: what a thread's next request holds, fitted exactly to the budget.

In order: the system prompt; the newest summary whose last covered message is still on the
branch; then the branch's messages from the newest back, as many as fit whole, never skipping
one to fit an older, smaller one, and never reaching back into what the summary covers.
Anything that must follow the branch (Continue: the partial answer and the request to go on)
and the draft being typed are counted first, like the newest message itself: those never give
way. When even they do not fit, a request is refused with `InvalidRequest` before anything is
sent; the user's message is already saved and stays.

Counts come from the per-message cache (`counts.py`); the whole build runs in one read
transaction on a Store worker thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from chatdesk.core.chat.budget import Budget
from chatdesk.core.chat.counts import BranchReader, CountUpdate, Entry
from chatdesk.core.chat.summaries import records
from chatdesk.core.chat.summaries.prompts import context_message
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import ntr, number, tr
from chatdesk.core.kinds import ChatErrorKind, Role
from chatdesk.core.knowledge import citing
from chatdesk.core.knowledge.model import Passage
from chatdesk.core.memory import giving
from chatdesk.core.memory.model import Given
from chatdesk.core.providers.base import ChatMessage
from chatdesk.core.tokens import REPLY_PRIMING, TokenCounter
from chatdesk.core.views import ContextBreakdown


class ContextTooLong(InvalidRequest):
    """The newest message (with what must go with it) does not fit the model's budget."""

    kind = ChatErrorKind.MESSAGE_TOO_LONG


@dataclass(frozen=True)
class ContextSpec:
    thread_id: uuid.UUID
    start: uuid.UUID | None  # the newest message of the branch to send (None: nothing yet)
    model: str
    budget: Budget
    system_prompt: str = ""
    draft: str = ""  # the gauge: what is being typed, counted as the next user message
    draft_images: int = 0  # the gauge: tokens of the images attached to the draft
    tail: tuple[ChatMessage, ...] = ()  # sent after the branch (Continue)
    max_messages: int = 10_000
    newest_required: bool = False  # a request: the newest message must be in it
    tools: str = ""  # the tools the request offers, as sent (counted with the system prompt)
    guidance: str = ""  # their servers' instructions: a section of the system message
    # Passages of the chat's knowledge bases, best first (a request): as many as fit in
    # `knowledge_share` of the budget are sent. The gauge, which does not know the question
    # yet, counts that share as kept for them (`knowledge_kept`).
    passages: tuple[Passage, ...] = ()
    knowledge_share: float = 0.0
    knowledge_kept: bool = False
    # The memories for the question, in the order they go: as many as fit in `memory_budget`
    # tokens go in a section of the system message (memory/giving.py).
    memories: tuple[Given, ...] = ()
    memory_budget: int = 0
    # Counts made but not stored yet (`counts_to_save.py`), used as the stored ones are.
    known_counts: Mapping[uuid.UUID, CountUpdate] = field(default_factory=dict)


@dataclass
class BuiltContext:
    breakdown: ContextBreakdown
    history: list[Entry]  # oldest first
    summary: records.Candidate | None
    fresh_counts: list[CountUpdate] = field(default_factory=list)
    messages: tuple[ChatMessage, ...] = ()  # filled by `build(..., with_messages=True)`
    # What was left out of the newest message's documents to make it fit ("report.pdf: pages
    # 41–300"); empty when it went whole.
    left_out: tuple[str, ...] = ()
    cuts: tuple[dict[str, Any], ...] = ()  # what the answer records of it (`repository/cuts.py`)
    cited: tuple[Passage, ...] = ()  # the passages sent, numbered from 1 in this order
    remembered: tuple[Given, ...] = ()  # the memories sent


def build(
    session: Session, counter: TokenCounter, spec: ContextSpec, *, with_messages: bool = False
) -> BuiltContext:
    reader = BranchReader(
        session, counter, spec.model, with_texts=with_messages, known=spec.known_counts
    )
    branch = Branch(reader.walk(spec.start, spec.budget.tokens, spec.max_messages))
    summary = valid_summary(branch, records.candidates(session, spec.thread_id))
    fitted = _fit(reader, branch, summary, spec)
    built = BuiltContext(fitted.breakdown(spec, reader.estimated), fitted.history, fitted.summary)
    built.left_out, built.cuts = fitted.left_out, fitted.cuts
    built.cited, built.remembered = fitted.cited, fitted.remembered
    if with_messages:
        built.messages = _messages(reader, spec, built)
    built.fresh_counts = reader.fresh
    return built


class Branch:
    """The branch newest first, read as far as someone looks (`upto`), remembered."""

    def __init__(self, walk: Iterator[Entry]) -> None:
        self._walk = walk
        self.entries: list[Entry] = []
        self._done = False

    def upto(self, index: int) -> Entry | None:
        while len(self.entries) <= index and not self._done:
            entry = next(self._walk, None)
            if entry is None:
                self._done = True
            else:
                self.entries.append(entry)
        return self.entries[index] if index < len(self.entries) else None


def valid_summary(branch: Branch, found: list[records.Candidate]) -> records.Candidate | None:
    """The newest summary whose last message is on the branch, older than its newest one."""
    newest = branch.upto(0)
    if newest is None:
        return None
    for candidate in found:
        distance = newest.depth - candidate.depth
        if distance >= 1:
            entry = branch.upto(distance)  # the branch holds one message per depth
            if entry is not None and entry.id == candidate.covers_through:
                return candidate
    return None


@dataclass
class _Fitted:
    fixed: int  # the system prompt and the reply priming
    draft: int  # the draft and the tail
    history: list[Entry] = field(default_factory=list)
    history_tokens: int = 0
    summary: records.Candidate | None = None
    summary_tokens: int = 0
    omitted: int = 0
    left_out: tuple[str, ...] = ()
    cuts: tuple[dict[str, Any], ...] = ()
    knowledge: int = 0
    cited: tuple[Passage, ...] = ()
    memory: int = 0
    remembered: tuple[Given, ...] = ()
    instructions: int = 0

    @property
    def used(self) -> int:
        fitted = self.fixed + self.draft + self.history_tokens + self.summary_tokens
        return fitted + self.knowledge + self.memory + self.instructions

    def breakdown(self, spec: ContextSpec, estimated: bool) -> ContextBreakdown:
        return ContextBreakdown(
            system=self.fixed,
            summary=self.summary_tokens,
            history=self.history_tokens,
            draft=self.draft,
            budget=spec.budget.tokens,
            window=spec.budget.window,
            estimated=estimated,
            model=spec.model,
            messages=len(self.history),
            omitted=self.omitted,
            summary_id=self.summary.id if self.summary else None,
            knowledge=self.knowledge,
            memory=self.memory,
            memories=len(self.remembered),
            instructions=self.instructions,
        )


def _fit(
    reader: BranchReader, branch: Branch, summary: records.Candidate | None, spec: ContextSpec
) -> _Fitted:
    fixed = REPLY_PRIMING + (
        reader.count("system", spec.system_prompt) if spec.system_prompt else 0
    )
    fixed += reader.count("system", spec.tools) if spec.tools else 0
    draft = reader.count("user", spec.draft) if spec.draft else 0
    draft += spec.draft_images
    draft += sum(reader.count(m.role, m.content) for m in spec.tail)
    fitted = _Fitted(fixed, draft)
    fitted.instructions = reader.count("system", spec.guidance) if spec.guidance else 0
    _add_memories(fitted, reader, spec)
    _add_knowledge(fitted, reader, spec)
    floor = summary.depth if summary else -1  # messages at or above it are summarised
    entries = unsummarised(branch, floor)
    newest = next(entries, None)
    if newest is not None:
        if fitted.knowledge and fitted.used + newest.tokens > spec.budget.tokens:
            fitted.knowledge, fitted.cited = 0, ()  # the question goes before any passage
        if fitted.memory and fitted.used + newest.tokens > spec.budget.tokens:
            fitted.memory, fitted.remembered = 0, ()  # and before any memory
        _add_newest(fitted, newest, spec, reader)
    if summary is not None:
        tokens = reader.count("system", context_message(summary.content).content)
        if fitted.used + tokens <= spec.budget.tokens:
            fitted.summary, fitted.summary_tokens = summary, tokens
    for entry in entries:
        if not _add(fitted, entry, spec):
            break
    oldest = fitted.history[-1].depth if fitted.history else (newest.depth + 1 if newest else 0)
    fitted.omitted = max(0, oldest - floor - 1)
    fitted.history.reverse()
    return fitted


def _add_knowledge(fitted: _Fitted, reader: BranchReader, spec: ContextSpec) -> None:
    """The passages that fit in the knowledge share of the budget (they go before the
    history, which gives way to them), or that share kept for them (the gauge)."""
    room = int(spec.budget.tokens * spec.knowledge_share)
    if spec.knowledge_kept:
        fitted.knowledge = room
    elif spec.passages and room > 0:
        fitted.cited = tuple(
            citing.fitted(spec.passages, room, lambda t: reader.count("system", t))
        )
        if fitted.cited:
            fitted.knowledge = reader.count("system", citing.context_text(fitted.cited))


def _add_memories(fitted: _Fitted, reader: BranchReader, spec: ContextSpec) -> None:
    """The memories that fit in their budget (they go before the history, which gives way)."""
    room = min(spec.memory_budget, spec.budget.tokens)
    if spec.memories and room > 0:
        fitted.remembered = tuple(
            giving.fitted(spec.memories, room, lambda texts: reader.count_all("system", texts))
        )
        if fitted.remembered:
            fitted.memory = reader.count("system", giving.section(fitted.remembered))


def unsummarised(branch: Branch, floor: int) -> Iterator[Entry]:
    """The branch's messages newer than `floor`, newest first, that are sent at all."""
    index = 0
    while (entry := branch.upto(index)) is not None and entry.depth > floor:
        index += 1
        if entry.tokens:
            yield entry


def _add_newest(fitted: _Fitted, newest: Entry, spec: ContextSpec, reader: BranchReader) -> None:
    """The newest message goes whole when it fits; for a request, a message whose documents
    make it too long goes with them cut to fit (each says what was left out); else the
    request is refused."""
    if _add(fitted, newest, spec) or not spec.newest_required:
        return
    room = min(spec.budget.tokens - fitted.used, spec.budget.tokens)
    cut = reader.fit(newest, room) if room > 0 else None
    if cut is not None and _add(fitted, replace(newest, tokens=cut.tokens), spec):
        fitted.left_out, fitted.cuts = cut.left_out, cut.records
        return
    raise ContextTooLong(_too_long(fitted, newest, spec, reader.estimated))


def _add(fitted: _Fitted, entry: Entry, spec: ContextSpec) -> bool:
    if len(fitted.history) >= spec.max_messages or fitted.used + entry.tokens > spec.budget.tokens:
        return False
    fitted.history.append(entry)
    fitted.history_tokens += entry.tokens
    return True


def _too_long(fitted: _Fitted, newest: Entry, spec: ContextSpec, estimated: bool) -> str:
    budget = spec.budget
    more = ""
    if fitted.fixed > REPLY_PRIMING:
        more += tr(" and {tokens} for the system prompt", tokens=number(fitted.fixed))
    if fitted.draft:
        more += tr(
            " and {tokens} for the partial answer being continued", tokens=number(fitted.draft)
        )
    fields: dict[str, Any] = {
        "model": spec.model,
        "window": number(budget.window),
        "reserve": number(budget.reserve),
        "more": more,
    }
    if estimated:
        return ntr(
            "This message is about {n} token, more than {model} can take here: "
            "{window} tokens in its context window, less {reserve} kept for the "
            "answer{more}. It was saved and nothing was sent: shorten it or attach less (edit "
            "the message), or choose a model with a larger context window.",
            "This message is about {n} tokens, more than {model} can take here: "
            "{window} tokens in its context window, less {reserve} kept for the "
            "answer{more}. It was saved and nothing was sent: shorten it or attach less (edit "
            "the message), or choose a model with a larger context window.",
            newest.tokens,
            **fields,
        )
    return ntr(
        "This message is {n} token, more than {model} can take here: "
        "{window} tokens in its context window, less {reserve} kept for the "
        "answer{more}. It was saved and nothing was sent: shorten it or attach less (edit "
        "the message), or choose a model with a larger context window.",
        "This message is {n} tokens, more than {model} can take here: "
        "{window} tokens in its context window, less {reserve} kept for the "
        "answer{more}. It was saved and nothing was sent: shorten it or attach less (edit "
        "the message), or choose a model with a larger context window.",
        newest.tokens,
        **fields,
    )


def _messages(
    reader: BranchReader, spec: ContextSpec, built: BuiltContext
) -> tuple[ChatMessage, ...]:
    messages = []
    system = "\n\n".join(
        text
        for text in (
            spec.system_prompt,
            spec.guidance,
            giving.section(built.remembered) if built.remembered else "",
            citing.context_text(built.cited) if built.cited else "",
        )
        if text
    )
    if system:  # one system message: some servers take no second one
        messages.append(ChatMessage("system", system))
    if built.summary is not None:
        messages.append(context_message(built.summary.content))
    texts = reader.texts(built.history)
    messages.extend(
        ChatMessage(_sent_role(e.role), text, images=reader.images(e))
        for e, text in zip(built.history, texts, strict=True)
    )
    messages.extend(spec.tail)
    if spec.draft:
        messages.append(ChatMessage("user", spec.draft))
    return tuple(messages)


def _sent_role(role: Role) -> str:
    """The role a message is sent with. A tool's output (imported from another app) goes as
    the assistant's own text: servers refuse a "tool" message that answers no tool call of
    the request (earlier answers' calls go as notes in their text, `tool_notes.py`). Both role
    names are one token."""
    return "assistant" if role is Role.TOOL else role.value
