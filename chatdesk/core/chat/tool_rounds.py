"""One answer's rounds of tool calls, between two streams of the model's answer.

A round: the calls the model asked for are stored at once, each with the decision its policy
gives (allowed, refused, or waiting for the user); the waiting ones are put to the approver
together; the allowed ones run side by side, each marked running before it starts and given
its result when it ends; then the model is asked again with the round appended, in order: its
text and calls as an assistant message, each result as a tool message, then the images the
results gave (`result_images.py`); older rounds that no longer fit the model's budget go as
one-line notes (`tool_notes.py`). Every step is committed
when it happens, so a chatdesk that dies mid-call leaves the call "not finished" (and it never
runs again by itself), and a stop cancels what waits or runs and keeps every part so far.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from chatdesk.core.chat import repository as repo
from chatdesk.core.chat import tool_notes
from chatdesk.core.chat.answering import AnswerState
from chatdesk.core.chat.call_progress import CallProgress
from chatdesk.core.chat.events import EventBus, SourcesFound, ToolCallChanged
from chatdesk.core.chat.result_images import Kept, ResultImages
from chatdesk.core.kinds import Approval, CallState
from chatdesk.core.providers.base import ChatMessage, ChatRequest, ToolCall
from chatdesk.core.store.models import PartKind
from chatdesk.core.store.store import Store
from chatdesk.core.tools.approval import ApprovalRequest, Choice, Edited
from chatdesk.core.tools.model import CALLER, Caller, Policy, ToolInfo, ToolOutcome
from chatdesk.core.tools.result_resources import stored
from chatdesk.core.tools.service import Tools
from chatdesk.core.tools.toolbox import Offer, capped, parse_arguments
from chatdesk.core.views import AttachmentView, CitedSource, MessageView, ToolCallView

log = logging.getLogger("chatdesk.tools")

NO_ONE_TO_ASK = (
    "Not run: this tool needs the user's approval, and there was no one to ask. Answer without it."
)
DENIED = "Not run: the user denied this call. Answer without it, or ask the user."
REFUSED = "Not run: the user's settings do not allow this tool."
ROUND_LIMIT = "Not run: the answer reached its limit of tool rounds."
TOO_LONG = (
    "Not shown: this result ({:,} characters) does not fit in what is left of the context. "
    "Ask for less, or answer without it."
)


@dataclass
class _Call:
    """One call of the round being run: what the model asked, what was decided, what it gave."""

    asked: ToolCall
    part_id: uuid.UUID
    data: dict[str, Any]
    tool: ToolInfo | None
    arguments: dict[str, Any] | None
    outcome: ToolOutcome | None = None  # None: it is to run
    kept: Kept = field(default_factory=Kept)  # the images its result gave, as stored
    images: tuple[AttachmentView, ...] = ()

    @property
    def runs(self) -> bool:
        return self.outcome is None


@dataclass(frozen=True)
class Room:
    """The tokens of the model's budget the thread's context leaves for the answer's rounds,
    and how to count messages for that model."""

    tokens: int
    count: Callable[[Sequence[ChatMessage]], Awaitable[list[int]]]


@dataclass
class _Round:
    """One round as the model is sent it: whole (its text and calls, then each result), or,
    when the rounds no longer fit, as one assistant message with a note per call."""

    whole: list[ChatMessage]
    noted: ChatMessage
    tokens: tuple[int, int] = (0, 0)  # whole, noted
    shortened: bool = False


@dataclass
class ToolFigures:
    """What an answer spent in tools: time in all, and calls per tool."""

    time_ms: int = 0
    counts: dict[str, int] = field(default_factory=dict)


class ToolRounds:
    def __init__(
        self,
        store: Store,
        events: EventBus,
        tools: Tools,
        offer: Offer,
        answer: MessageView,
        *,
        room: Room | None = None,
        ask_again: tuple[ToolCallView, ...] = (),
        images: ResultImages | None = None,
    ) -> None:
        self._store = store
        self._events = events
        self._tools = tools
        self._offer = offer
        self._answer = answer
        self.count = 0
        self.figures = ToolFigures()
        self._room = room
        self._images = images  # None: a result's images are named in its text only
        self._rounds: list[_Round] = []  # the rounds so far
        # Tools whose call this answer left unfinished: called again, the user is asked first.
        self._ask_again = {(c.server, c.tool) for c in ask_again}
        self._text_sent = 0  # characters of the answer's text already in a round
        self._sources: list[CitedSource] | None = None  # the answer's, read when first needed
        self._numbering = asyncio.Lock()  # calls of a round find passages side by side
        # Set before a stop the user asked for: the calls it cuts off are marked so.
        self.stopped_by_user = False
        # Whether a stop closes the calls it cut off here (else the answer's end does).
        self.closes_when_stopped = True

    def request(self, base: ChatRequest) -> ChatRequest:
        """`base` (the thread's context) with the tools offered and the rounds so far: whole,
        but for older ones shortened to notes when they would not fit the model's budget."""
        sent: list[ChatMessage] = []
        for one in self._rounds:
            sent += [one.noted] if one.shortened else one.whole
        return replace(base, messages=base.messages + tuple(sent), tools=self._offer.specs)

    async def run(self, asked: list[ToolCall], state: AnswerState) -> list[ToolOutcome | None]:
        """Store, decide, run and record one round's calls; the next request holds them.
        Returns what each call gave (None: it did not run)."""
        self.count += 1
        text = state.content()
        calls = await self._store_calls(asked, text)
        try:
            await self._decide(calls)
            await asyncio.gather(*(self._run_one(call) for call in calls if call.runs))
        except asyncio.CancelledError:
            if self.closes_when_stopped:
                await asyncio.shield(self._close_open())
            raise
        said = text[self._text_sent :]
        whole = [ChatMessage("assistant", said, tool_calls=tuple(asked))]
        for call in calls:
            outcome = call.outcome or ToolOutcome.error("Not run.")
            whole.append(ChatMessage("tool", outcome.text, tool_call_id=call.asked.id))
        shown = [(c.tool.label, c.kept) for c in calls if c.kept.images and c.tool is not None]
        if shown and self._images is not None:
            images = await self._images.message(shown)
            whole += [images] if images is not None else []
        notes = [tool_notes.note(self._view(call)) for call in calls]
        noted = ChatMessage("assistant", "\n".join([said.rstrip(), *notes]).strip())
        self._rounds.append(_Round(whole, noted))
        self._text_sent = len(text)
        await self._fit()
        return [call.outcome for call in calls]

    async def _fit(self) -> None:
        """Count the new round, and shorten older rounds to notes, oldest first, while the
        rounds take more than the room the context leaves; the newest round stays whole (a
        result too long even for that is told to the model as such)."""
        if self._room is None:
            return
        newest = self._rounds[-1]
        counted = await self._room.count([*newest.whole, newest.noted])
        newest.tokens = (sum(counted[:-1]), counted[-1])
        used = sum(r.tokens[1] if r.shortened else r.tokens[0] for r in self._rounds)
        for older in self._rounds[:-1]:
            if used <= self._room.tokens:
                return
            if not older.shortened:
                older.shortened = True
                used -= older.tokens[0] - older.tokens[1]
        if used > self._room.tokens:  # the results are told to be too long; images go
            newest.whole[1:] = [
                replace(m, content=TOO_LONG.format(len(m.content)))
                for m in newest.whole[1:]
                if m.role == "tool"
            ]

    async def refuse(self, asked: list[ToolCall], state: AnswerState) -> None:
        """Store calls that will not run because the answer reached its round limit."""
        self.count += 1
        await self._store_calls(asked, state.content(), limit_reached=True)

    # -- the steps -------------------------------------------------------------------------------

    async def _store_calls(
        self, asked: list[ToolCall], text: str, *, limit_reached: bool = False
    ) -> list[_Call]:
        calls = [self._decided(call, len(text), limit_reached) for call in asked]
        drafts: list[tuple[PartKind, str | None, dict[str, Any]]]
        drafts = [(PartKind.TOOL_CALL, None, call.data) for call in calls]
        # Calls decided already (unknown tool, refused, bad arguments) get their result too.
        drafts += [_result_part(call, call.outcome, 0) for call in calls if call.outcome]
        ids = await self._store.write(lambda s: repo.add_parts(s, self._answer.id, drafts))
        for call, part_id in zip(calls, ids, strict=False):  # the results' ids follow
            call.part_id = part_id
            self._announce(call)
        return calls

    def _decided(self, asked: ToolCall, offset: int, limit_reached: bool) -> _Call:
        tool = self._offer.tools.get(asked.name)
        data: dict[str, Any] = {
            "call_id": asked.id,
            "name": asked.name,
            "server": tool.server if tool else None,
            "tool": tool.name if tool else asked.name,
            "arguments": asked.arguments,
            "round": self.count,
            "offset": offset,  # where in the answer's text the model made the call
        }
        if tool is not None and (tool.title or tool.destructive):
            data.update(title=tool.title, destructive=tool.destructive)
        call = _Call(asked, uuid.UUID(int=0), data, tool, None)
        parsed = parse_arguments(asked.arguments)
        if tool is None:
            offered = ", ".join(sorted(self._offer.tools)) or "none"
            why = f"Not run: there is no tool named {asked.name!r} (offered: {offered})."
            return self._not_run(call, Approval.UNKNOWN, why)
        if limit_reached:
            return self._not_run(call, Approval.REFUSED, ROUND_LIMIT)
        policy = self._tools.policy_for(tool)
        if policy is Policy.ALLOW and (tool.server, tool.name) in self._ask_again:
            policy = Policy.ASK
        if policy is Policy.DENY:
            return self._not_run(call, Approval.REFUSED, REFUSED)
        if isinstance(parsed, str):  # told to the model, which may try again
            return self._not_run(call, Approval.ALLOWED, f"Not run: {parsed}")
        call.arguments = parsed
        if policy is Policy.ALLOW:
            data.update(approval=Approval.ALLOWED.value, state=CallState.RUNNING.value)
        else:
            data.update(approval=None, state=CallState.WAITING.value)
        return call

    @staticmethod
    def _not_run(call: _Call, approval: Approval, why: str) -> _Call:
        call.data.update(approval=approval.value, state=CallState.NOT_RUN.value)
        call.outcome = ToolOutcome.error(why)
        return call

    async def _decide(self, calls: list[_Call]) -> None:
        waiting = [
            (c, c.tool)
            for c in calls
            if c.data["state"] == CallState.WAITING.value and c.tool is not None
        ]
        if not waiting:
            return
        approver = self._tools.approver
        if approver is None:
            choices: list[Choice | Edited] = [Choice.NO_ONE] * len(waiting)
        else:
            requests = [
                ApprovalRequest(
                    self._answer.id, self._answer.thread_id, c.asked.id, tool, c.asked.arguments
                )
                for c, tool in waiting
            ]
            choices = list(await approver.decide(requests))
        for (call, tool), choice in zip(waiting, choices, strict=True):
            if isinstance(choice, Edited):
                choice = self._edited(call, choice)
            if choice is Choice.ALWAYS:
                self._tools.policies.set(f"{tool.server}/{tool.name}", Policy.ALLOW)
            if choice in (Choice.ONCE, Choice.ALWAYS):
                approval = Approval.APPROVED if choice is Choice.ONCE else Approval.ALWAYS
                call.data.update(approval=approval.value, state=CallState.RUNNING.value)
            elif choice is Choice.DENY:
                self._not_run(call, Approval.DENIED, DENIED)
            else:  # no one to ask
                self._not_run(call, Approval.REFUSED, NO_ONE_TO_ASK)
            await self._save(call)

    @staticmethod
    def _edited(call: _Call, edited: Edited) -> Choice:
        """The person changed the call's arguments on its card: it runs with theirs (the stored
        call shows them), or not at all when they are not a JSON object."""
        parsed = parse_arguments(edited.arguments)
        if isinstance(parsed, str):
            return Choice.DENY
        call.arguments = parsed
        call.data.update(arguments=edited.arguments, edited=True)
        return Choice.ONCE

    async def _run_one(self, call: _Call) -> None:
        assert call.tool is not None
        assert call.arguments is not None
        tools, settings = self._tools, self._tools.settings.tools
        started = time.monotonic()
        answer, call_id = self._answer, call.asked.id
        progressed = CallProgress(self._events, answer.thread_id, answer.id, call_id)
        caller = CALLER.set(Caller(answer.thread_id, answer.id, call_id, progressed))
        try:
            outcome = await tools.box.run(
                call.tool,
                call.arguments,
                seconds=tools.timeout_for(call.tool.server),
                max_chars=settings.max_result_chars,
            )
        finally:
            CALLER.reset(caller)
            progressed.close()
        elapsed = round((time.monotonic() - started) * 1000)
        if outcome.images and self._images is not None:
            call.kept = await self._images.keep(call.tool.name, outcome.images)
            if call.kept.notes:
                outcome = replace(outcome, text="\n\n".join([outcome.text, *call.kept.notes]))
        if outcome.found is not None and outcome.found.items:
            outcome = capped(await self._cite(call, outcome), settings.max_result_chars)
        call.outcome = outcome
        self.figures.time_ms += elapsed
        label = call.tool.label
        self.figures.counts[label] = self.figures.counts.get(label, 0) + 1
        state = CallState.FAILED if outcome.is_error else CallState.DONE
        call.data.update(state=state.value, duration_ms=elapsed)
        await self._save(call, elapsed)

    async def _cite(self, call: _Call, outcome: ToolOutcome) -> ToolOutcome:
        """What a call found (passages, pages) becomes the answer's sources, numbered after
        those it has (one it has already keeps its number); the model reads the result with
        those numbers."""
        assert outcome.found is not None
        answer = self._answer
        async with self._numbering:
            if self._sources is None:
                had = await self._store.read(lambda s: repo.sources_of(s, [answer.id]))
                self._sources = list(had.get(answer.id, ()))
            numbered: dict[Hashable, int] = {s.cite_key: s.number for s in self._sources}
            last = max(numbered.values(), default=0)
            numbers, new = [], []
            for item in outcome.found.items:
                key = item.cite_key
                if key not in numbered:
                    last = numbered[key] = last + 1
                    new.append((item.text, item.source_data(last, call.asked.id)))
                numbers.append(numbered[key])
            if new:
                added = await self._store.write(lambda s: repo.add_sources(s, answer.id, new))
                self._sources += added
                found = SourcesFound(answer.id, answer.thread_id, tuple(self._sources))
                self._events.publish(found)
        text = outcome.found.shown(numbers)
        return replace(outcome, text=text, size=len(text), truncated=False)

    async def _save(self, call: _Call, elapsed: int = 0) -> None:
        """Store the call's new state, and its result when it has one."""
        outcome = call.outcome

        def store(session: Any) -> None:
            repo.update_call(session, call.part_id, **call.data)
            if outcome is not None:
                repo.add_parts(session, self._answer.id, [_result_part(call, outcome, elapsed)])
            if call.kept.images and self._images is not None:
                call.images = self._images.store(session, self._answer.id, call.asked.id, call.kept)

        await self._store.write(store)
        self._announce(call)

    async def _close_open(self) -> None:
        by_user = self.stopped_by_user
        await self._store.write(
            lambda s: repo.close_open_calls(s, [self._answer.id], by_user=by_user)
        )

    def _announce(self, call: _Call) -> None:
        view = self._view(call)
        self._events.publish(ToolCallChanged(self._answer.id, self._answer.thread_id, view))

    @staticmethod
    def _view(call: _Call) -> ToolCallView:
        outcome = call.outcome
        if outcome is None:
            return repo.tool_call_view(dict(call.data))
        done = _result_part(call, outcome, 0)[2]
        return repo.tool_call_view(dict(call.data), outcome.text, done, call.images)


def _result_part(
    call: _Call, outcome: ToolOutcome, elapsed: int
) -> tuple[PartKind, str | None, dict[str, Any]]:
    data = {
        "call_id": call.asked.id,
        "server": call.data["server"],
        "tool": call.data["tool"],
        "is_error": outcome.is_error,
        "duration_ms": elapsed,
        "size": outcome.size,
        "truncated": outcome.truncated,
    }
    if outcome.structured:
        data["structured"] = outcome.structured
    if outcome.mismatch:
        data["mismatch"] = outcome.mismatch
    if outcome.resources:  # links and embedded resources, shown on its card
        data["resources"] = stored(outcome.resources)
    return PartKind.TOOL_RESULT, outcome.text, data
