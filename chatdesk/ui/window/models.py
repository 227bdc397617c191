"""Which model the shown thread uses, and where a new chat goes: the composer's model menu
lists the known models with the current one chosen; choosing one sets the shown thread's model,
or the model the new chat will be created with. Its assistant and tool servers follow along
(`assistants`, assistant_choice.py; `tools`, tool_choice.py, with the Web switch, whose reach
`web`, web_choice.py, checks; `knowledge`, knowledge_choice.py; the Memory switch, `memory`,
memory_choice.py): they change with the chat shown; Compare (`compare`, compare_choice.py) sends
the next message to several models instead."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from chatdesk.ui.composer import Composer
from chatdesk.ui.composer.model_offers import model_entry, model_offers
from chatdesk.ui.conversation.greeting import Greeting
from chatdesk.ui.conversation.suggestions import Suggestions
from chatdesk.ui.window.assistant_choice import AssistantChoice
from chatdesk.ui.window.compare_choice import CompareChoice, SettingsHolder
from chatdesk.ui.window.knowledge_choice import KnowledgeChoice
from chatdesk.ui.window.memory_choice import MemoryChoice
from chatdesk.ui.window.slash_choice import SlashChoice
from chatdesk.ui.window.tool_choice import ToolChoice
from chatdesk.ui.window.web_choice import WebChoice

if TYPE_CHECKING:
    from chatdesk.core.chat.events import Event
    from chatdesk.core.service import ChatService
    from chatdesk.core.views import ThreadView
    from chatdesk.ui.runner import Runner

Model = tuple[str, str]  # provider, model


class ModelChoice:
    def __init__(
        self,
        composer: Composer,
        settings: SettingsHolder,
        shown: Callable[[], ThreadView | None],
        welcome: tuple[Greeting, Suggestions] | None = None,
        speakers: dict[str, tuple[str | None, str | None]] | None = None,
    ) -> None:
        """`welcome`: the new chat's greeting and suggestions (none: parts of its own, shown
        nowhere); `speakers`: filled with the assistants' looks by name (the conversation's)."""
        self._composer = composer
        self._settings = settings
        self._shown = shown
        self._service: ChatService | None = None
        self._runner: Runner | None = None
        self.new_chat_project: uuid.UUID | None = None  # where the next new chat is made
        self.new_chat_model: Model | None = None  # what it is made with (None: the default)
        self.tools = ToolChoice(composer, shown)
        self.web = WebChoice(composer)
        self.tools.web_shown = self.web.shown
        self.tools.assistant_tools = self._assistant_tools
        self.knowledge = KnowledgeChoice(composer, shown)
        self.memory = MemoryChoice(composer, shown)
        welcome = welcome or (Greeting(), Suggestions())
        self.assistants = AssistantChoice(composer, welcome, shown, speakers)
        self.compare = CompareChoice(composer, settings)
        self.slash = SlashChoice(composer, self.assistants)
        composer.models_opened.connect(self.find_recent)

    def _assistant_tools(self) -> tuple[str, ...] | None:
        assistant = self.assistants.current()
        return assistant.fields.tools if assistant is not None else None

    def attach(self, service: ChatService, runner: Runner) -> None:
        self._service, self._runner = service, runner
        self.tools.attach(service, runner)
        self.web.attach(service, runner)
        self.knowledge.attach(service, runner)
        self.memory.attach(service, runner)
        self.assistants.attach(service, runner)
        self.slash.attach(service, runner)

    def new_chat(self, project_id: uuid.UUID | None) -> None:
        """A new chat is shown: in `project_id`, with the default model until one is chosen."""
        self.new_chat_project, self.new_chat_model = project_id, None
        self.tools.new_chat(project_id)
        self.knowledge.new_chat()
        self.assistants.new_chat(project_id)

    def apply(self, event: Event) -> None:
        from chatdesk.core.chat.events import ProvidersChanged

        self.assistants.apply(event)
        self.slash.apply(event)
        self.knowledge.apply(event)
        self.memory.apply(event)
        self.tools.apply(event)
        if isinstance(event, ProvidersChanged):  # models were added or went
            self.show()

    def current(self) -> Model:
        """The shown thread's model (or the new chat's): chosen for it, else its assistant's,
        else the default."""
        general = self._settings.current.general
        thread = self._shown()
        if thread is not None and thread.model:
            return thread.provider or general.default_provider, thread.model
        if thread is None and self.new_chat_model:
            return self.new_chat_model
        provider = (thread.provider if thread else None) or general.default_provider
        assistant = self.assistants.current()
        if assistant is not None and assistant.fields.model:
            own = assistant.fields.provider or provider
            if thread is None or not thread.provider or own == thread.provider:
                return own, assistant.fields.model
        return provider, general.default_model

    def label(self) -> str:
        """What the header says answers: the model, after its assistant if one does."""
        model = self.current()[1]
        assistant = self.assistants.current()
        return f"{assistant.name} · {model}" if assistant else model

    def show(self, *, recent: bool = True) -> None:
        """Fill the composer's menu: every known model, and the current one chosen; with
        `recent`, ask which answered last too (`find_recent`)."""
        choices, marks, _ = model_offers(self._service, self.current())
        provider, model = self.current()
        self._composer.set_models(choices, f"{provider}/{model}", marks)
        self.compare.show(choices)
        if recent:
            self.find_recent()
        self.tools.show()
        self.knowledge.show()
        self.memory.show()
        self.assistants.show()

    def find_recent(self) -> None:
        """Ask the core which models wrote the latest answers, for the picker to list first
        (again each time it opens: an answer may have come since)."""
        if self._service is not None and self._runner is not None:
            self._runner.run(
                self._service.models.recent(),
                done=lambda pairs: self._composer.set_recent_models(
                    [model_entry(p, m)[0] for p, m in pairs]
                ),
                owner=self._composer,
                quiet=True,
            )

    def choose(self, key: str) -> bool:
        """The user chose `key` ("provider/model"). True when it was for the new chat (whose
        header shows it now); the shown thread's change comes back as a ThreadUpdated."""
        provider, _, model = key.partition("/")
        thread = self._shown()
        if thread is None:
            self.new_chat_model = (provider, model)
            return True
        if self._service is not None and self._runner is not None:
            call = self._service.set_thread_model(thread.id, provider=provider, model=model)
            self._runner.run(call)
        return False
