"""A research run: the answer plans searches, runs them, reads the best pages, looks again where
they leave the question open, and then writes a report from the pages read, citing them.

Its steps are the answer's own: the plan is its reasoning, each search and each page read is
one of its tool calls (the web's tools, run through `ToolRounds` like a model's
calls, so policies, approval, time limits and the numbering of sources hold), and the pages
read are its sources as they arrive. It searches and reads within `ResearchLimits` — minutes,
pages, and how many calls at once — and is stopped by the user (`ResearchRun.stop`) or by a
limit between or during steps: whatever was read by then is kept, and the report is written
from it. The report is one more stream of the same answer (`report_request`), given the pages
read in a system message, with no tools offered. A `ResearchProgressed` event tells each step.
A spending cap reached before one of its requests to the model (the plan, the look for what
the pages leave open, the report) ends it with the cap's message (`Spending.hold_run`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from chatdesk.core.chat import repository as repo
from chatdesk.core.chat.answering import AnswerState
from chatdesk.core.chat.events import (
    AnswerTextAppended,
    Event,
    EventBus,
    ResearchProgressed,
    SourcesFound,
)
from chatdesk.core.chat.tool_rounds import ToolRounds
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.prompts import (
    RESEARCH_GAPS_INSTRUCTIONS,
    RESEARCH_PLAN_INSTRUCTIONS,
    RESEARCH_REPORT_INSTRUCTIONS,
)
from chatdesk.core.providers.base import (
    ChatMessage,
    ChatRequest,
    Provider,
    TextDelta,
    ToolCall,
    UsageReport,
    cost_of,
)
from chatdesk.core.store.store import Store
from chatdesk.core.tools.model import ToolOutcome
from chatdesk.core.views import CitedSource, ResearchLimits

log = logging.getLogger("chatdesk.chat")

PLANNED = 4  # searches a plan has at most
FOLLOW_UPS = 2  # searches the second round has at most
READ_PER_SEARCH = 2  # pages read of each search's results, best first
ASK_TOKENS = 300  # what the plan and the gaps may take to say
QUERY_CHARS = 200
OPENING_CHARS = 300  # of each page, shown when asking for the gaps
CHARS_PER_TOKEN = 3  # a cautious count of the pages' text for the report's room
FAILURES_TOLD = 3  # with no page read, what went wrong is told to the model
_LISTED = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")


class ResearchRun:
    """One research run's limits and its stop: `stop()` ends the searching and reading; the
    report is then written from what was read."""

    def __init__(self, limits: ResearchLimits) -> None:
        self.limits = limits
        self.stopped = asyncio.Event()

    def stop(self) -> None:
        self.stopped.set()


class Researcher:
    def __init__(
        self,
        events: EventBus,
        store: Store,
        provider: Provider,
        base: ChatRequest,
        rounds: ToolRounds,
        state: AnswerState,
        run: ResearchRun,
        room_tokens: int,
        # Before each request to the model, CapReached at a reached cap; None: let past them
        caps: Callable[[float | None], Awaitable[None]] | None = None,
    ) -> None:
        self._events = events
        self._store = store
        self._provider = provider
        self._base = base
        self._rounds = rounds
        self._state = state
        self._run = run
        self._room = room_tokens
        self._caps = caps
        self._seen: set[str] = set()  # addresses asked for, without their fragment
        self._pages = 0  # read
        self._calls = 0
        self._started = 0.0
        self._failures: list[str] = []  # what searches and reads said went wrong
        self._step = ""  # the step told last

    async def report_request(self) -> ChatRequest:
        """Search and read until done, stopped or out of time; then the request that writes
        the report from the pages read."""
        loop = asyncio.get_running_loop()
        self._started = loop.time()
        if not self._state.started_at:
            self._state.started_at = self._started
        gathering = asyncio.create_task(self._gather(), name="research")
        stopping = asyncio.create_task(self._run.stopped.wait())
        unsubscribe = self._events.subscribe(self._on_event)
        try:
            await asyncio.wait(
                {gathering, stopping},
                timeout=self._run.limits.minutes * 60,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            unsubscribe()
            for task in (gathering, stopping):
                task.cancel()
            await asyncio.gather(gathering, stopping, return_exceptions=True)
        if not gathering.cancelled() and gathering.exception() is not None:
            raise gathering.exception()  # type: ignore[misc]  # a bug: not hidden
        cut_short = gathering.cancelled()
        await self._within_caps()  # the report is one more request to the model
        sources = await self._sources()
        self._pages = sum(1 for s in sources if s.is_web)  # a round cut short read some too
        if cut_short:
            step = tr("Stopped searching: writing the report from what was read")
        else:
            step = tr("Writing the report")
        self._progress(step, stopped=cut_short)
        return self._report(sources)

    # -- the steps -------------------------------------------------------------------------------

    async def _gather(self) -> None:
        question = self._question()
        self._progress(tr("Planning the searches"))
        planned = await self._ask(RESEARCH_PLAN_INSTRUCTIONS.format(count=PLANNED), question)
        queries = _queries(planned, PLANNED) or [question[:QUERY_CHARS]]
        self._say("**" + tr("Research plan") + "**\n\n" + _listed(queries) + "\n\n")
        await self._read(await self._search(queries))
        if not 0 < self._pages < self._run.limits.pages:  # nothing to look again from, or full
            return
        self._progress(tr("Looking for what the pages leave open"))
        read = await self._sources()
        asked = question + "\n\n" + "\n\n".join(_opening(s) for s in read)
        gaps = await self._ask(RESEARCH_GAPS_INSTRUCTIONS.format(count=FOLLOW_UPS), asked)
        more = [q for q in _queries(gaps, FOLLOW_UPS) if q.upper() != "NONE" and q not in queries]
        if more:
            self._say("**" + tr("Then") + "**\n\n" + _listed(more) + "\n\n")
            await self._read(await self._search(more))

    async def _search(self, queries: Sequence[str]) -> list[list[str]]:
        """Each query's result addresses, best first (none for a search that failed)."""
        found: list[list[str]] = []
        for batch in _batches(list(queries), self._run.limits.parallel):
            self._progress(tr("Searching: {queries}", queries="; ".join(batch)))
            made = [self._call("web_search", {"query": q}) for q in batch]
            outcomes = await self._rounds.run(made, self._state)
            found += [_addresses(outcome) for outcome in outcomes]
            self._note_failures(outcomes)
        return found

    async def _read(self, found: list[list[str]]) -> None:
        """The best unread pages of each search's results, within the page limit."""
        chosen: list[str] = []
        left = [iter(addresses) for addresses in found]
        for _ in range(READ_PER_SEARCH):  # each search's best first, then its second best
            for addresses in left:
                address = next((a for a in addresses if a.split("#")[0] not in self._seen), None)
                if address is not None:
                    self._seen.add(address.split("#")[0])
                    chosen.append(address)
        limits = self._run.limits
        chosen = chosen[: max(0, limits.pages - self._pages)]
        for batch in _batches(chosen, limits.parallel):
            self._progress(tr("Reading: {pages}", pages=", ".join(batch)))
            made = [self._call("read_page", {"url": url}) for url in batch]
            outcomes = await self._rounds.run(made, self._state)
            self._pages = sum(1 for s in await self._sources() if s.is_web)  # as stored
            self._note_failures(outcomes)

    # -- asking the model ------------------------------------------------------------------------

    async def _ask(self, instructions: str, text: str) -> str:
        """What the model says to one of research's own questions ("" when it fails: the run
        goes on with what it has)."""
        request = ChatRequest(
            self._base.model,
            (ChatMessage("system", instructions), ChatMessage("user", text)),
            max_output_tokens=ASK_TOKENS,
        )
        await self._within_caps()  # outside the try: a cap reached ends the run
        said: list[str] = []
        try:
            async for event in self._provider.stream(request):
                if isinstance(event, TextDelta):
                    said.append(event.text)
                elif isinstance(event, UsageReport):
                    self._state.take_usage(event)
                    self._state.usage_so_far = self._state.usage
        except ChatdeskError as error:
            log.info("a research question to the model failed: %s", type(error).__name__)
            return ""
        return "".join(said)

    async def _within_caps(self) -> None:
        """CapReached when, with what the run has cost so far, a spending cap is reached: the
        caps were checked as it started, and each of its requests adds to what it costs."""
        if self._caps is not None:
            await self._caps(cost_of(self._provider, self._state.usage))

    def _report(self, sources: Sequence[CitedSource]) -> ChatRequest:
        pages = [s for s in sources if s.is_web]
        each = max(500, self._room * CHARS_PER_TOKEN // max(1, len(pages)))
        blocks = [RESEARCH_REPORT_INSTRUCTIONS]
        blocks += [f"[{s.number}] {s.name} — {s.url}\n{s.text[:each].strip()}" for s in pages]
        if not pages:
            failed = "\n".join(f"- {why}" for why in self._failures[:FAILURES_TOLD])
            blocks.append(
                "No page could be read. Say so, why, and what the user could try."
                + (f" What failed:\n{failed}" if failed else "")
            )
        messages = list(self._base.messages)
        at = next((i for i, m in enumerate(messages) if m.role != "system"), len(messages))
        messages.insert(at, ChatMessage("system", "\n\n".join(blocks)))
        return replace(self._base, messages=tuple(messages), tools=())

    def _note_failures(self, outcomes: Sequence[ToolOutcome | None]) -> None:
        for outcome in outcomes:
            if outcome is not None and outcome.is_error and outcome.text not in self._failures:
                self._failures.append(outcome.text)

    # -- what it tells ---------------------------------------------------------------------------

    def _call(self, name: str, arguments: dict[str, str]) -> ToolCall:
        self._calls += 1
        return ToolCall(f"research_{self._calls}", name, json.dumps(arguments, ensure_ascii=False))

    def _say(self, text: str) -> None:
        """The plan, as the answer's reasoning: shown as it is said, above the steps and the
        report, which is the answer's text."""
        state = self._state
        state.reasoning.append(text)
        state.reasoning_length += len(text)
        state.changed.set()
        offset = state.reasoning_length - len(text)
        appended = AnswerTextAppended(
            state.message_id, state.thread_id, "", text, state.text_length, offset
        )
        self._events.publish(appended)

    def _on_event(self, event: Event) -> None:
        """A page read became a source: the pages used are told at once, not at the next step."""
        if isinstance(event, SourcesFound) and event.message_id == self._state.message_id:
            self._pages = sum(1 for s in event.sources if s.is_web)
            self._progress(self._step)

    def _progress(self, step: str, *, stopped: bool = False) -> None:
        self._step = step
        limits, state = self._run.limits, self._state
        spent = asyncio.get_running_loop().time() - self._started
        said = ResearchProgressed(
            state.message_id,
            state.thread_id,
            step,
            self._pages,
            limits.pages,
            round(spent, 1),
            limits.minutes * 60,
            stopped,
            cost_of(self._provider, state.usage),
        )
        self._events.publish(said)

    def _question(self) -> str:
        asked = (m.content for m in reversed(self._base.messages) if m.role == "user")
        return next(asked, "").strip()

    async def _sources(self) -> tuple[CitedSource, ...]:
        answer = self._state.message_id
        found = await self._store.read(lambda s: repo.sources_of(s, [answer]))
        return found.get(answer, ())


def _queries(text: str, most: int) -> list[str]:
    """The queries a reply lists, one per line, each once."""
    found: list[str] = []
    for line in text.splitlines():
        query = _LISTED.sub("", line).strip().strip("\"'“”").strip()[:QUERY_CHARS]
        if query and query not in found:
            found.append(query)
    return found[:most]


def _listed(queries: Sequence[str]) -> str:
    return "\n".join(f"{n}. {query}" for n, query in enumerate(queries, start=1))


def _opening(source: CitedSource) -> str:
    return f"[{source.number}] {source.name}\n{source.text[:OPENING_CHARS].strip()}"


def _addresses(outcome: ToolOutcome | None) -> list[str]:
    if outcome is None or outcome.is_error:
        return []
    try:
        results = json.loads(outcome.text)["results"]
        return [str(r["url"]) for r in results if isinstance(r, dict) and r.get("url")]
    except (ValueError, KeyError, TypeError):
        return []


def _batches(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), max(1, size))]
