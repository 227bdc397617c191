"""Which model the shown thread uses, and where a new chat goes: the composer's model menu
lists the known models with the current one chosen; choosing one sets the shown thread's model,
or the model the new chat will be created with. Its tool servers follow along (`tools`,
tool_choice.py): they change with the chat shown."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from chatdesk.core.config import Settings
from chatdesk.ui.composer import Composer
from chatdesk.ui.window.tool_choice import ToolChoice

if TYPE_CHECKING:
    from chatdesk.core.chat.events import Event
    from chatdesk.core.chat.service import ChatService
    from chatdesk.core.chat.views import ThreadView
    from chatdesk.ui.runner import Runner

Model = tuple[str, str]  # provider, model


class ModelChoice:
    def __init__(
        self,
        composer: Composer,
        settings: Callable[[], Settings],
        shown: Callable[[], ThreadView | None],
    ) -> None:
        self._composer = composer
        self._settings = settings
        self._shown = shown
        self._service: ChatService | None = None
        self._runner: Runner | None = None
        self.new_chat_project: uuid.UUID | None = None  # where the next new chat is made
        self.new_chat_model: Model | None = None  # what it is made with (None: the default)
        self.tools = ToolChoice(composer, shown)

    def attach(self, service: ChatService, runner: Runner) -> None:
        self._service, self._runner = service, runner
        self.tools.attach(service, runner)

    def new_chat(self, project_id: uuid.UUID | None) -> None:
        """A new chat is shown: in `project_id`, with the default model until one is chosen."""
        self.new_chat_project, self.new_chat_model = project_id, None
        self.tools.new_chat(project_id)

    def apply(self, event: Event) -> None:
        from chatdesk.core.chat.events import ProvidersChanged

        if isinstance(event, ProvidersChanged):  # models were added or went
            self.show()

    def current(self) -> Model:
        """The shown thread's model (or the new chat's)."""
        general = self._settings().general
        thread = self._shown()
        if thread is not None and thread.model:
            return thread.provider or general.default_provider, thread.model
        if thread is None and self.new_chat_model:
            return self.new_chat_model
        return general.default_provider, general.default_model

    def show(self) -> None:
        """Fill the composer's menu: every known model, and the current one chosen."""
        models = self._service.known_models() if self._service else []
        provider, model = self.current()
        if (provider, model) not in models:
            models.append((provider, model))
        choices = [(f"{p}/{m}", m if p == "mock" else f"{m} ({p})") for p, m in models]
        self._composer.set_models(choices, f"{provider}/{model}")
        self.tools.show()

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
