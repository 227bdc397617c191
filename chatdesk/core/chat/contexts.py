"""What a thread's next request holds: the provider, model and budget chosen for it, and the
context fitted to that budget (`context.py` builds it). Serves the answer runner (the request an
answer sends) and the context gauge (what the next message would use)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from chatdesk.core.chat import attachments as attached
from chatdesk.core.chat import context, tool_notes
from chatdesk.core.chat import repository as repo
from chatdesk.core.chat.budget import ThreadSetup, thread_setup
from chatdesk.core.chat.context import BuiltContext, ContextSpec
from chatdesk.core.chat.counts import Counting, CountUpdate
from chatdesk.core.chat.counts_to_save import CountsToSave
from chatdesk.core.chat.tasks import BackgroundTasks
from chatdesk.core.config import Settings
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.kinds import CallState
from chatdesk.core.knowledge.model import Passage
from chatdesk.core.knowledge.repository import linked_bases
from chatdesk.core.memory.model import Given
from chatdesk.core.providers.base import (
    ChatMessage,
    ChatRequest,
    Providers,
    UsageReport,
    cost_of,
)
from chatdesk.core.providers.vision import model_takes_images
from chatdesk.core.store.blobs import BlobStore
from chatdesk.core.store.models import Thread
from chatdesk.core.store.store import Store
from chatdesk.core.tokens.images import image_tokens
from chatdesk.core.tools.toolbox import Offer
from chatdesk.core.views import CitedSource, ContextUsage, MessageView, ToolCallView

if TYPE_CHECKING:
    from chatdesk.core.knowledge.service import Knowledge
    from chatdesk.core.memory.service import Memories

log = logging.getLogger("chatdesk.chat")

CONTINUE_PROMPT = "Continue exactly where your previous answer stopped. Do not repeat anything."
UNFINISHED_CALLS = (
    " Your call of {} did not finish (the app stopped): call it again if you still need it."
)


@dataclass(frozen=True)
class AnswerRequest:
    """An answer's first request, and the tokens of the model's budget it leaves unused (what
    the answer's tool rounds may take)."""

    request: ChatRequest
    room: int
    left_out: tuple[str, ...] = ()  # of the question's documents, to make it fit
    cuts: tuple[dict[str, Any], ...] = ()  # what the answer records of that (`repository/cuts.py`)
    # The passages of knowledge bases sent with it, numbered from 1 in this order, and
    # whether they are new (else they are those the answer was given before it was stopped).
    cited: tuple[Passage, ...] = ()
    new_sources: bool = False
    remembered: tuple[int, ...] = ()  # the memories sent with it, by number


class Contexts:
    def __init__(
        self,
        store: Store,
        providers: Providers,
        settings: Callable[[], Settings],
        counting: Counting,
        tasks: BackgroundTasks,
        blobs: BlobStore,
        tools: Callable[[list[str]], Offer] | None = None,
        knowledge: Knowledge | None = None,
        memories: Memories | None = None,
    ) -> None:
        self._store = store
        self._blobs = blobs
        self._providers = providers
        self._settings = settings
        self._counting = counting
        # The counts it makes, written with the answers' own writes (counts_to_save.py).
        self.counts = CountsToSave(store, tasks)
        # The tools a chat offers, as far as they are known (`Tools.known_offer`): the gauge
        # counts them.
        self._known_offer = tools
        self._knowledge = knowledge  # the chats' knowledge bases (None: none are searched)
        self._memories = memories  # None: no memory (a temporary chat)

    def setup(self, session: Session, thread: Thread, **chosen: str | None) -> ThreadSetup:
        """The provider, model, budget and system prompt a request in `thread` uses."""
        return thread_setup(session, thread, self._settings(), self._providers, **chosen)

    async def request_for(
        self,
        answer: MessageView,
        tools: str = "",
        calls: tuple[ToolCallView, ...] = (),
        guidance: str = "",
    ) -> AnswerRequest:
        """The answer's request: its thread's context fitted to the model's budget (less what
        the `tools` it offers take, their descriptions as sent, and `guidance`, their servers'
        instructions, which go in the system message), or ContextTooLong before anything is
        sent. Continuing, the answer so far goes with the notes of its tool `calls`, and the
        model is told which of them did not finish."""
        await self._counting.load(answer.model or "")
        passages, new = await self._passages_for(answer)
        memories = await self._memories_for(answer)
        known = self.counts.known()  # taken here, on the loop
        built, setup = await self._store.read(
            lambda s: self._context_for(
                s, answer, tools, calls, passages, memories, guidance, known
            )
        )
        self.counts.add(built.fresh_counts)
        request = ChatRequest(
            model=answer.model or "",
            messages=built.messages,
            temperature=setup.temperature,
            max_output_tokens=setup.max_output_tokens,
        )
        room = built.breakdown.budget - built.breakdown.used
        return AnswerRequest(
            request,
            room,
            built.left_out,
            built.cuts,
            built.cited,
            new and bool(built.cited),
            tuple(memory.id for memory in built.remembered),
        )

    async def _memories_for(self, answer: MessageView) -> tuple[Given, ...]:
        """The memories for the answer's question; continuing it, those it was given (still
        kept, as they read now)."""
        parent = answer.parent_id
        if self._memories is None or parent is None:
            return ()
        if answer.memories:
            kept = await self._memories.some(answer.memories)
            return tuple(Given(memory.id, memory.text) for memory in kept if memory.enabled)
        return await self._memories.for_message(answer.thread_id, parent)

    async def _passages_for(self, answer: MessageView) -> tuple[tuple[Passage, ...], bool]:
        """The passages of the chat's knowledge bases for the answer's question, best first,
        and True; or those it was given before (continuing it), and False."""
        if self._knowledge is None:
            return (), False

        def read(session: Session) -> tuple[tuple[Passage, ...], list[uuid.UUID], str]:
            stored = repo.sources_of(session, [answer.id]).get(answer.id, ())
            if stored:  # those found by its tool calls go again with the calls
                return tuple(_given(source) for source in stored if not source.call_id), [], ""
            bases = [base_id for base_id, _ in linked_bases(session, answer.thread_id)]
            if not bases or answer.parent_id is None:
                return (), [], ""
            return (), bases, repo.message_row(session, answer.parent_id).content

        given, bases, question = await self._store.read(read)
        if given or not bases:
            return given, False
        try:
            return tuple(await self._knowledge.search(bases, question)), True
        except ChatdeskError as error:  # the answer goes on without them
            log.warning("knowledge bases not searched: %s", error)
            return (), False

    async def count_each(self, model: str, messages: Sequence[ChatMessage]) -> list[int]:
        """The tokens each of `messages` takes in a request to `model` (a call's name and
        arguments counted with its message's text, and its images as the model charges them)."""
        flat = [
            ChatMessage(m.role, m.content + "".join(c.name + c.arguments for c in m.tool_calls))
            for m in messages
        ]
        await self._counting.load(model)
        counted = await self._counting.run(lambda: self._counting.counter.count_each(model, flat))
        return [
            tokens + sum(image_tokens(i.width, i.height) for i in m.images)
            for tokens, m in zip(counted.tokens, messages, strict=True)
        ]

    async def usage(
        self, thread_id: uuid.UUID, draft: str = "", draft_images: int = 0
    ) -> ContextUsage:
        """What the next message's request would hold, with `draft` (and images of
        `draft_images` tokens) as that message."""
        built, setup = await self._of_thread(thread_id, draft, draft_images)
        parts = built.breakdown
        cost = self._input_cost(setup.provider, parts.used)
        costly = cost is not None and cost > self._settings().caps.show_cost_over_usd
        return ContextUsage(parts.used, parts.budget, parts.estimated, parts, cost, costly)

    async def of_thread(
        self, thread_id: uuid.UUID, draft: str = "", draft_images: int = 0
    ) -> BuiltContext:
        """The context the thread's next request would send (its breakdown only)."""
        return (await self._of_thread(thread_id, draft, draft_images))[0]

    async def _of_thread(
        self, thread_id: uuid.UUID, draft: str, draft_images: int
    ) -> tuple[BuiltContext, ThreadSetup]:
        setup = await self._store.read(
            lambda s: self.setup(s, repo.thread_row(s, thread_id, deleted_ok=True))
        )
        await self._counting.load(setup.model)
        known = self.counts.known()  # taken here, on the loop

        def work(session: Session) -> BuiltContext:
            thread = repo.thread_row(session, thread_id, deleted_ok=True)
            servers = thread.tools or []
            offered = self._known_offer(servers) if self._known_offer and servers else None
            tools = offered.described() if offered else ""
            guidance = offered.guidance if offered else ""
            kept = self._knowledge is not None and bool(linked_bases(session, thread_id))
            memories = self._memories_now(session, thread_id, draft)
            spec = self._spec(
                thread,
                thread.active_leaf_id,
                setup,
                draft=draft,
                draft_images=draft_images,
                tools=tools,
                guidance=guidance,
                knowledge_kept=kept,
                memories=memories,
                known_counts=known,
            )
            return context.build(session, self._counting.counter, spec)

        built = await self._store.read(work)
        self.counts.add(built.fresh_counts)
        return built, setup

    def _memories_now(
        self, session: Session, thread_id: uuid.UUID, draft: str
    ) -> tuple[Given, ...]:
        """The memories the draft would be sent with, found by their words (the gauge)."""
        if self._memories is None:
            return ()
        return tuple(self._memories.given_now(session, thread_id, draft))

    def _input_cost(self, provider: str, tokens: int) -> float | None:
        """What `tokens` of a request to `provider` cost (None: it has no prices)."""
        known = self._providers.get(provider) if provider in self._providers else None
        return cost_of(known, UsageReport(prompt_tokens=tokens))

    async def count_message(self, model: str, message: ChatMessage) -> int:
        """The tokens `message` takes in a request to `model`."""
        return await self._counting.count_message(model, message)

    def model_of(self, session: Session, thread_id: uuid.UUID) -> str:
        """The model the thread's next request goes to."""
        return self.setup(session, repo.thread_row(session, thread_id, deleted_ok=True)).model

    def _context_for(
        self,
        session: Session,
        answer: MessageView,
        tools: str,
        calls: tuple[ToolCallView, ...],
        passages: tuple[Passage, ...] = (),
        memories: tuple[Given, ...] = (),
        guidance: str = "",  # the tools' servers' instructions
        known: Mapping[uuid.UUID, CountUpdate] | None = None,  # counts not stored yet
    ) -> tuple[BuiltContext, ThreadSetup]:
        thread = repo.thread_row(session, answer.thread_id, deleted_ok=True)
        setup = self.setup(session, thread, provider=answer.provider, model=answer.model)
        tail: tuple[ChatMessage, ...] = ()
        if answer.content or calls:  # continuing an answer: show the model what it did so far
            prompt = CONTINUE_PROMPT
            unfinished = [c.name for c in calls if c.state == CallState.NOT_FINISHED.value]
            if unfinished:
                prompt += UNFINISHED_CALLS.format(", ".join(dict.fromkeys(unfinished)))
            so_far = tool_notes.woven(answer.content, calls)
            tail = (ChatMessage("assistant", so_far), ChatMessage("user", prompt))
        spec = self._spec(
            thread,
            answer.parent_id,
            setup,
            tail=tail,
            newest_required=True,
            tools=tools,
            guidance=guidance,
            passages=passages,
            memories=memories,
            known_counts=known or {},
        )
        built = context.build(session, self._counting.counter, spec, with_messages=True)
        sees = model_takes_images(self._providers, setup.provider, setup.model)
        built.messages = attached.with_image_bytes(built.messages, self._blobs, setup.model, sees)
        return built, setup

    def _spec(
        self, thread: Thread, start: uuid.UUID | None, setup: ThreadSetup, **more: Any
    ) -> ContextSpec:
        return ContextSpec(
            thread_id=thread.id,
            start=start,
            model=setup.model,
            budget=setup.budget,
            system_prompt=setup.system_prompt,
            max_messages=self._settings().chat.context_messages,
            knowledge_share=self._settings().knowledge.context_share,
            memory_budget=self._settings().memory.budget_tokens,
            **more,
        )


def _given(source: CitedSource) -> Passage:
    """A source an answer was given, as the passage to send again (continuing it)."""
    return Passage(
        chunk_id=0,
        base_id=uuid.UUID(int=0),
        base=source.base,
        document_id=source.document_id or uuid.UUID(int=0),
        path=source.path,
        location=source.location,
        text=source.text,
        start=source.start,
        end=source.end,
    )
