"""ChatService: everything the window and the CLI can do with projects, threads and messages.

Async, Qt-free, and a façade at the top of the core's layers (docs/design.md §1): each call
goes to the part whose job it is, in `chatdesk/core/chat/` unless named otherwise —

- `threads.Threads`: projects, threads, a branch's messages, drafts, switching, deleting, a
  chat's tool servers (the projects' and threads' methods are in `chatdesk/core/library.py`);
- `turns.Turns`: starting a turn (send, edit, regenerate, continue), the user's words committed
  with the pending answer before any provider is asked;
- `answers.Answers`: the answer runner, writing each answer to its end, stop, recovery;
- `naming.ThreadNamer`: a thread's title after its first answer, in the background;
- `contexts.Contexts`: the model and budget of a thread's next request, and its context;
- `thread_summaries.ThreadSummaries`: listing, editing and deleting summaries (the summariser
  in `chatdesk/core/chat/summaries/` makes them);
- `tools` (`chatdesk/core/tools/`): the tools a chat can switch on, their policies, and who
  approves a call (the answer runner runs the calls, `tool_rounds.py`);
- `knowledge` (`chatdesk/core/knowledge/`): knowledge bases, searched for the chats, projects
  and assistants they are linked to (`contexts.Contexts` sends their passages);
- `memory` (`chatdesk/core/memory/`): what the user asked to be remembered, given with each
  question it matters to (`contexts.Contexts`); None in a temporary chat;
- `assistants`, `prompts` (`chatdesk/core/assistants/`): presets of who answers, saved prompts;
- `caps.Spending` (`spending`): the caps, and the tokens and cost spent;
- `comparing.Comparisons`, `research.Research`: a message answered by several models, or by
  a research run; `catalog.ModelCatalog` (`models`): the models a picker offers;
- `completions.Completions`: one-off requests from a caller's whole conversation, kept nowhere.

Every change is committed through the Store's single writer, then announced on `events`;
background work (titles, summaries, token counts) is the service's, stopped by `aclose`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chatdesk.core.chat.usage import UsageRow, UsageTotals
from chatdesk.core.config import CurrentSettings, Settings
from chatdesk.core.library import Library
from chatdesk.core.providers.base import Providers
from chatdesk.core.store.store import Store
from chatdesk.core.views import (
    AttachmentInput,
    ContextUsage,
    DraftView,
    MessagePage,
    MessageView,
    SummaryView,
    ThreadView,
    Turn,
)

if TYPE_CHECKING:
    from chatdesk.core.assistants.prompts import SavedPrompts
    from chatdesk.core.assistants.service import Assistants
    from chatdesk.core.attach.attacher import Attacher
    from chatdesk.core.chat.answers import Answers
    from chatdesk.core.chat.caps import Spending
    from chatdesk.core.chat.catalog import ModelCatalog
    from chatdesk.core.chat.comparing import Comparisons
    from chatdesk.core.chat.completions import Completions
    from chatdesk.core.chat.contexts import Contexts
    from chatdesk.core.chat.counts import Counting
    from chatdesk.core.chat.events import EventBus
    from chatdesk.core.chat.research import Research
    from chatdesk.core.chat.stored_attachments import StoredAttachments
    from chatdesk.core.chat.summaries.runner import Summarizer
    from chatdesk.core.chat.tasks import BackgroundTasks
    from chatdesk.core.chat.thread_summaries import ThreadSummaries
    from chatdesk.core.chat.threads import Threads
    from chatdesk.core.chat.turns import Turns
    from chatdesk.core.knowledge.service import Knowledge
    from chatdesk.core.memory.service import Memories
    from chatdesk.core.tools.service import Tools


@dataclass(frozen=True)
class Parts:
    """The service's parts, made and wired by `chatdesk/core/assembly.py`."""

    events: EventBus
    attacher: Attacher
    attachments: StoredAttachments
    knowledge: Knowledge
    memory: Memories | None  # None: a temporary chat, which neither reads nor writes memories
    tools: Tools
    counting: Counting
    tasks: BackgroundTasks
    summarizer: Summarizer
    contexts: Contexts
    spending: Spending
    assistants: Assistants
    prompts: SavedPrompts
    answers: Answers
    threads: Threads
    turns: Turns
    comparisons: Comparisons
    research: Research
    models: ModelCatalog
    summaries: ThreadSummaries
    completions: Completions  # one-off requests kept nowhere (the local API's)
    # What this service alone holds (a reading child nobody else shares), closed by `aclose`.
    owned: tuple[Callable[[], None], ...] = ()


class ChatService(Library):
    """The one object the window and the CLI call. It has as many methods as the product has
    things to do with a conversation; each is a line that hands the call to its part."""

    def __init__(
        self, store: Store, providers: Providers, settings: CurrentSettings, parts: Parts
    ) -> None:
        """A service over `parts`; `chatdesk.core.assembly.assemble` makes them."""
        self._store = store
        self._providers = providers
        self._settings = settings
        self.events = parts.events
        self.attacher = parts.attacher
        self.attachments = parts.attachments
        self.knowledge = parts.knowledge
        self.memory = parts.memory
        self.tools = parts.tools
        self.spending = parts.spending  # the caps, and what is left
        self.assistants = parts.assistants
        self.prompts = parts.prompts  # the slash menu's
        self.comparisons = parts.comparisons
        self.research = parts.research  # one message answered by a research run
        self.models = parts.models  # what a model picker offers
        self.completions = parts.completions  # a caller's whole conversation, kept nowhere
        self._counting = parts.counting
        self._tasks = parts.tasks
        self._summarizer = parts.summarizer
        self._contexts = parts.contexts
        self._answers = parts.answers
        self._threads = parts.threads
        self._turns = parts.turns
        self._summaries = parts.summaries
        self._owned = parts.owned

    # -- messages --------------------------------------------------------------------------------

    async def list_messages(
        self,
        thread_id: uuid.UUID,
        *,
        before: uuid.UUID | None = None,
        after: uuid.UUID | None = None,
        around: uuid.UUID | None = None,
        limit: int = 50,
    ) -> MessagePage:
        """A page of the active branch, oldest first: the newest `limit` messages by default,
        those just before / just after a message already shown, or those around a message of
        the branch (it and about half the page before it, the rest after; a search hit, once
        `switch_branch` has made its branch the active one)."""
        return await self._threads.list_messages(
            thread_id, before=before, after=after, around=around, limit=limit
        )

    async def get_message(self, message_id: uuid.UUID) -> MessageView:
        return await self._threads.get_message(message_id)

    async def existing_messages(self, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        """Those of `ids` that are messages here (deleted ones are not)."""
        return await self._threads.existing_messages(ids)

    async def sibling_ids(self, message_id: uuid.UUID) -> list[uuid.UUID]:
        """Ids of the alternatives of a message (itself included), oldest first."""
        return await self._threads.sibling_ids(message_id)

    async def attachment_text(self, attachment_id: uuid.UUID) -> str:
        return await self._threads.attachment_text(attachment_id)

    async def switch_branch(self, message_id: uuid.UUID) -> ThreadView:
        """Show the branch that goes through `message_id` (where the user last was in it)."""
        return await self._threads.switch_branch(message_id)

    async def delete_message(self, message_id: uuid.UUID) -> None:
        """Delete a message and everything that follows from it (its answers and branches)."""
        await self._threads.delete_message(message_id)

    # -- drafts ----------------------------------------------------------------------------------

    async def save_draft(self, thread_id: uuid.UUID | None, draft: DraftView) -> None:
        """Keep what the user is typing (None: the new chat); an empty draft is removed."""
        await self._threads.save_draft(thread_id, draft)

    async def load_draft(self, thread_id: uuid.UUID | None) -> DraftView:
        return await self._threads.load_draft(thread_id)

    # -- turns and answers -----------------------------------------------------------------------

    async def send(
        self,
        thread_id: uuid.UUID,
        text: str,
        *,
        attachments: Sequence[AttachmentInput] = (),
        provider: str | None = None,
        model: str | None = None,
        over_cap: bool = False,
        memory_off: bool = False,
    ) -> Turn:
        """Commit the user's message, then start writing the answer in the background
        (`over_cap`: past a reached spending cap, this once; `memory_off`: the chat's memory
        switched off with the message, so its answer is given none and proposes none)."""
        return await self._turns.send(
            thread_id,
            text,
            attachments,
            provider=provider,
            model=model,
            over_cap=over_cap,
            memory_off=memory_off,
        )

    async def send_new(
        self,
        text: str,
        *,
        project_id: uuid.UUID | None = None,
        attachments: Sequence[AttachmentInput] = (),
        provider: str | None = None,
        model: str | None = None,
        tools: Sequence[str] | None = None,
        over_cap: bool = False,
        assistant_id: uuid.UUID | None = None,
        knowledge: Sequence[uuid.UUID] = (),
        origin: str | None = None,
        memory_off: bool = False,
    ) -> Turn:
        """Start a new thread with this message, answered by `assistant_id` (None: its
        project's), with `tools` switched on (None: the assistant's, else the project's),
        `knowledge` bases linked and memory off for it with `memory_off`, in one transaction: a
        refused message leaves no empty thread behind. `origin`: where the thread was made."""
        self.tools.check_servers(tools or ())
        return await self._turns.send(
            None,
            text,
            attachments,
            provider=provider,
            model=model,
            project_id=project_id,
            tools=tools,
            over_cap=over_cap,
            assistant_id=assistant_id,
            knowledge=knowledge,
            origin=origin,
            memory_off=memory_off,
        )

    async def continue_answer(self, message_id: uuid.UUID) -> Turn:
        """Let the model go on with an interrupted (or failed) answer, appending to it."""
        return await self._turns.continue_answer(await self.get_message(message_id))

    async def edit_message(self, message_id: uuid.UUID, text: str) -> Turn:
        """Send a changed version of a user message as a new branch; the old one stays."""
        return await self._turns.edit(await self.get_message(message_id), text)

    async def regenerate(self, message_id: uuid.UUID) -> Turn:
        """A new answer beside an assistant message (or below a user message with none)."""
        return await self._turns.regenerate(await self.get_message(message_id))

    async def wait_for_answer(self, message_id: uuid.UUID) -> MessageView:
        """Wait until an answer has ended and return it as stored."""
        return await self._answers.wait(message_id)

    async def stop(self, message_id: uuid.UUID) -> MessageView:
        """Stop an answer; what arrived so far is kept, marked `interrupted`."""
        return await self._answers.stop(message_id)

    # -- tools (the web's too: "web" is a chat's Web switch) ------------------------------------
    async def thread_tools(self, thread_id: uuid.UUID) -> list[str]:
        """The tool servers switched on for a chat ("chatdesk": the built-in tools)."""
        return await self._threads.thread_tools(thread_id)

    async def set_thread_tools(self, thread_id: uuid.UUID, servers: Sequence[str]) -> None:
        """Switch on exactly `servers` for a chat; an unknown name is refused."""
        self.tools.check_servers(servers)
        await self._threads.set_thread_tools(thread_id, servers)

    # -- settings, models and context ------------------------------------------------------------

    def update_settings(self, settings: Settings) -> None:
        """Use `settings` from the next request on (the preferences were changed)."""
        self._settings.value = settings

    def known_models(self) -> list[tuple[str, str]]:
        """(provider, model) pairs to offer in a model picker, the default first."""
        return self.models.known()

    async def context_usage(
        self, thread_id: uuid.UUID, draft: str = "", draft_images: int = 0
    ) -> ContextUsage:
        """What the next message's request would hold, with `draft` (and images of
        `draft_images` tokens) as that message: used and total tokens of the budget, and the
        breakdown (system, summary, history, draft)."""
        return await self._contexts.usage(thread_id, draft, draft_images)

    async def thread_usage(self, thread_id: uuid.UUID) -> UsageTotals:
        """Tokens and cost of every answer in the thread, all branches included."""
        return await self.spending.thread_usage(thread_id)

    async def usage_by_month(self, month: str | None = None) -> list[UsageRow]:
        """Tokens and cost per month, provider and model, newest month first."""
        return await self.spending.usage_by_month(month)

    # -- summaries -------------------------------------------------------------------------------

    async def list_summaries(self, thread_id: uuid.UUID) -> list[SummaryView]:
        """The thread's summaries, oldest first; `in_use` marks the one the next request sends."""
        return await self._summaries.list(thread_id)

    async def summarize_now(self, thread_id: uuid.UUID) -> SummaryView | None:
        """Summarise all but the last exchange of the branch now (and let automatic summaries
        run again after a deletion); None when there is nothing to summarise."""
        return await self._summaries.summarize_now(thread_id)

    def summarizing(self, thread_id: uuid.UUID) -> bool:
        return self._summarizer.running(thread_id)

    def cancel_summary(self, thread_id: uuid.UUID) -> bool:
        """Stop summarising the thread; nothing it has not stored yet is kept."""
        return self._summarizer.cancel(thread_id)

    async def edit_summary(self, summary_id: uuid.UUID, content: str) -> SummaryView:
        """Replace a summary's text (what the model reads from the next request on)."""
        return await self._summaries.edit(summary_id, content)

    async def delete_summary(self, summary_id: uuid.UUID) -> None:
        """Delete a summary: the messages it covered are sent again, as far as they fit, and no
        automatic summary is made in the thread until `summarize_now`."""
        await self._summaries.delete(summary_id)

    # -- start-up and shut-down ------------------------------------------------------------------

    @property
    def saving_blocked(self) -> str | None:
        """Why nothing can be saved now (the chats are read-only), or None when it can."""
        blocked = self._store.blocked
        return blocked.message if blocked is not None else None

    @property
    def saving_problem(self) -> str | None:
        """What keeps anything from being saved, as the start of a sentence, or None."""
        blocked = self._store.blocked
        return blocked.problem if blocked is not None else None

    async def recover_interrupted(self) -> int:
        """Mark answers left `pending`/`streaming` by a chatdesk that died as `interrupted`."""
        return await self._answers.recover_interrupted()

    async def settle(self) -> None:
        """Wait until the background work started so far (titles, summaries, saving token
        counts, memories' vectors) has ended; for tools that exit after a command, and tests."""
        while pending := [*self._tasks.pending(), *self._summarizer.tasks()]:
            await asyncio.wait(pending)
        await self._contexts.counts.flush()  # those not written with an answer yet
        if self.memory is not None:
            await self.memory.settle()

    async def aclose(self) -> None:
        """Stop every answer (keeping what arrived) and wait until it is saved; stop the
        background work (titles, summaries: what they have not stored is dropped) and the
        tool servers."""
        await self._answers.aclose()
        await self.knowledge.aclose()
        if self.memory is not None:
            await self.memory.aclose()
        await self._summarizer.aclose()
        await self._tasks.aclose()
        await self._contexts.counts.aclose()
        await self.tools.aclose()
        self._counting.shutdown()
        for close in self._owned:
            close()
