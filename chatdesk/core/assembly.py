"""How a ChatService is put together: the one place that knows which part is handed which.

The composition root (`chatdesk/app.py`) makes what the whole process shares once — the reading
child's supervisor, the keyring (`Shared`) — and the tools file it read, and hands them to
`assemble`; temporary chats get the same `Shared` through it. Tests and other standalone uses
call `assemble` without them and get a service of their own, wired the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chatdesk.core.assistants.prompts import SavedPrompts
from chatdesk.core.assistants.service import Assistants
from chatdesk.core.attach.attacher import Attacher
from chatdesk.core.attach.worker import Reader
from chatdesk.core.chat.answers import Answers
from chatdesk.core.chat.caps import Spending
from chatdesk.core.chat.catalog import ModelCatalog
from chatdesk.core.chat.comparing import Comparisons
from chatdesk.core.chat.completions import Completions
from chatdesk.core.chat.contexts import Contexts
from chatdesk.core.chat.counts import Counting
from chatdesk.core.chat.events import EventBus, ToolServersChanged
from chatdesk.core.chat.naming import ThreadNamer
from chatdesk.core.chat.research import Research
from chatdesk.core.chat.stored_attachments import StoredAttachments
from chatdesk.core.chat.summaries.runner import Summarizer
from chatdesk.core.chat.tasks import BackgroundTasks
from chatdesk.core.chat.thread_summaries import ThreadSummaries
from chatdesk.core.chat.threads import Threads
from chatdesk.core.chat.turns import Turns
from chatdesk.core.clock import Clock, SystemClock
from chatdesk.core.config import CurrentSettings, Settings
from chatdesk.core.kinds import Status
from chatdesk.core.knowledge.service import Knowledge
from chatdesk.core.memory.service import Memories
from chatdesk.core.providers.base import Providers
from chatdesk.core.search.search import Search
from chatdesk.core.secrets import KeyStore, SessionKeys
from chatdesk.core.service import ChatService, Parts
from chatdesk.core.store.blobs import BlobStore
from chatdesk.core.store.store import Store
from chatdesk.core.tokens import TokenCounter
from chatdesk.core.tools.builtin import ChatdeskTools
from chatdesk.core.tools.memory_tools import MemoryTools
from chatdesk.core.tools.model import ToolSource
from chatdesk.core.tools.server_secrets import ServerSecrets
from chatdesk.core.tools.service import Tools
from chatdesk.core.tools.tools_file import TOOLS_FILE, ToolsFileContents, read_tools_file
from chatdesk.core.tools.web_tools import WebTools
from chatdesk.core.views import MessageView
from chatdesk.core.web.service import Web


@dataclass(frozen=True)
class Shared:
    """What every service of the process shares, closed by whoever made it (`close`).

    `reader`: the one reading child's supervisor, for attachments, knowledge bases and imports
    (it starts the child on the first file, stops it when idle); `keys`: the keyring."""

    reader: Reader
    keys: KeyStore | SessionKeys

    @classmethod
    def make(cls) -> Shared:
        """Made fresh; neither starts anything or touches the keyring until first used."""
        return cls(Reader(), KeyStore())

    def close(self) -> None:
        self.reader.close()


def assemble(
    store: Store,
    providers: Providers,
    settings: Settings,
    *,
    clock: Clock | None = None,
    bus: EventBus | None = None,
    tokens: TokenCounter | None = None,
    tools_dir: Path | None = None,
    tools_file: ToolsFileContents | None = None,
    log_dir: Path | None = None,
    blobs_dir: Path | None = None,
    shared: Shared | None = None,
    memory: bool = True,
) -> ChatService:
    """A ChatService over `store` and `providers`. The tool servers and policies are kept in
    `tools_dir` (the config folder; None: not kept), read from there unless `tools_file` holds
    them already; the servers' stderr logs go to `log_dir`. Without `shared`, the service has
    its own reading child and keyring, closed by its `aclose`. Without `memory` (a temporary
    chat), it neither reads nor writes memories."""
    owned: tuple[Callable[[], None], ...] = ()
    if shared is None:
        shared = Shared.make()
        owned = (shared.close,)
    current = CurrentSettings(settings)
    clock = clock or SystemClock()
    events = bus or EventBus()
    # Attachments' bytes (chatdesk/core/store/blobs.py), beside the database by default.
    blobs = BlobStore(blobs_dir) if blobs_dir else BlobStore.beside(store.path)
    attacher = Attacher(blobs, current, shared.reader)
    attachments = StoredAttachments(store, blobs)
    knowledge = Knowledge(store, providers, current, clock, events.publish, shared.reader)
    memories = Memories(store, providers, current, clock, events.publish) if memory else None
    builtin: tuple[ToolSource, ...] = (
        ChatdeskTools(Search(store), attachments.named_text, knowledge),
        WebTools(Web(lambda: current().web, shared.keys, shared.reader, clock)),
        *((MemoryTools(memories),) if memories is not None else ()),
    )
    if tools_file is None and tools_dir is not None:
        tools_file = read_tools_file(tools_dir / TOOLS_FILE)
    tools = Tools(
        current,
        tools_dir / TOOLS_FILE if tools_dir is not None else None,
        tools_file or ToolsFileContents(),
        ServerSecrets(shared.keys),
        builtin,
        log_dir=log_dir,
    )
    tools.resources.attacher = attacher  # a resource read becomes an attachment
    tools.changed = lambda: events.publish(ToolServersChanged())
    features = _Features(events, blobs, attacher, attachments, knowledge, memories, tools)
    # tiktoken runs in a child process, started by the first exact count (decision 0014);
    # loading and counting wait for it on a thread of their own. Stopped by `aclose`.
    counting = Counting(tokens or TokenCounter())
    parts = _conversation(store, providers, current, clock, features, counting, owned)
    return ChatService(store, providers, current, parts)


@dataclass(frozen=True)
class _Features:
    """What the conversation's parts are built over: the events, the attachments' stores, the
    knowledge bases, the memories and the tools."""

    events: EventBus
    blobs: BlobStore
    attacher: Attacher
    attachments: StoredAttachments
    knowledge: Knowledge
    memory: Memories | None
    tools: Tools


def _conversation(
    store: Store,
    providers: Providers,
    current: CurrentSettings,
    clock: Clock,
    made: _Features,
    counting: Counting,
    owned: tuple[Callable[[], None], ...],
) -> Parts:
    """The chat's parts, wired to each other and to the features `made` before them."""
    events, tools = made.events, made.tools
    tasks = BackgroundTasks()
    contexts = _contexts(store, providers, current, counting, tasks, made)
    summarizer = Summarizer(store, providers, events, counting, current, clock, contexts.counts)
    namer = ThreadNamer(store, providers, current, events, clock)
    answer_ended = _after_answers(current, tasks, namer, summarizer)
    answers = Answers(
        store,
        providers,
        current,
        events,
        clock,
        counting,
        contexts,
        answer_ended,
        tools,
        made.attacher,
        made.memory,
    )
    threads = Threads(store, events, clock, answers, summarizer.cancel)
    turns = Turns(store, providers, current, events, clock, contexts, answers, made.blobs)
    return Parts(
        events=events,
        attacher=made.attacher,
        attachments=made.attachments,
        knowledge=made.knowledge,
        memory=made.memory,
        tools=tools,
        counting=counting,
        tasks=tasks,
        summarizer=summarizer,
        contexts=contexts,
        spending=Spending(store, providers, current, clock),
        assistants=Assistants(store, events, clock),
        prompts=SavedPrompts(store, events, clock),
        answers=answers,
        threads=threads,
        turns=turns,
        comparisons=Comparisons(store, turns, threads, tools.check_servers),
        research=Research(turns, current, tools.check_servers),
        models=ModelCatalog(store, providers, current),
        summaries=ThreadSummaries(store, events, clock, current, contexts, summarizer),
        completions=Completions(store, providers, current, clock, events),
        owned=owned,
    )


def _contexts(
    store: Store,
    providers: Providers,
    current: CurrentSettings,
    counting: Counting,
    tasks: BackgroundTasks,
    made: _Features,
) -> Contexts:
    """What each request holds: counted with `counting`, with the tools, knowledge passages
    and memories of `made`."""
    known_offer = made.tools.known_offer
    return Contexts(
        store,
        providers,
        current,
        counting,
        tasks,
        made.blobs,
        known_offer,
        made.knowledge,
        made.memory,
    )


def _after_answers(
    current: CurrentSettings, tasks: BackgroundTasks, namer: ThreadNamer, summarizer: Summarizer
) -> Callable[[MessageView], None]:
    """What follows an answer's end: a complete one may name a new thread and may call for a
    summary."""

    def answer_ended(answer: MessageView) -> None:
        if answer.status is not Status.COMPLETE:
            return
        if answer.depth == 1 and current().chat.auto_titles:
            tasks.spawn(namer.name_after(answer), f"title-{answer.thread_id}")
        summarizer.schedule(answer.thread_id)

    return answer_ended


def tools_in(
    settings: Callable[[], Settings],
    config_dir: Path | None,
    sources: tuple[ToolSource, ...] = (),
    *,
    log_dir: Path | None = None,
    keys: KeyStore | SessionKeys | None = None,
) -> Tools:
    """The tools kept in `config_dir` (None: none, and nothing kept) on their own, without a
    service: for tests and measurements of the tools alone."""
    file = config_dir / TOOLS_FILE if config_dir is not None else None
    read = read_tools_file(file) if file is not None else ToolsFileContents()
    secrets = ServerSecrets(keys if keys is not None else KeyStore())
    return Tools(settings, file, read, secrets, sources, log_dir=log_dir)
