"""Who answers in the shown chat: the composer's assistant menu lists the assistants with the
chat's chosen; choosing one lets it answer in the shown chat from the next answer on, or in the
new chat when it is made (a new chat in a project starts with the project's default assistant).
A new chat's welcome shows its assistant (its badge, name and description: greeting.py) and
suggests its examples, or, with none chosen, one example of each assistant (suggestions.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from chatdesk.ui.badges import assistant_badge
from chatdesk.ui.composer import Composer
from chatdesk.ui.conversation.greeting import Greeting
from chatdesk.ui.conversation.suggestion import Suggestion, whole
from chatdesk.ui.conversation.suggestions import Suggestions

if TYPE_CHECKING:
    from chatdesk.core.assistants.model import AssistantView
    from chatdesk.core.chat.events import Event
    from chatdesk.core.service import ChatService
    from chatdesk.core.views import ProjectView, ThreadView
    from chatdesk.ui.runner import Runner


# With no assistant chosen, a new chat suggests one example of this many assistants at most.
GENERAL_SUGGESTIONS = 5


class AssistantChoice:
    def __init__(
        self,
        composer: Composer,
        welcome: tuple[Greeting, Suggestions],
        shown: Callable[[], ThreadView | None],
        speakers: dict[str, tuple[str | None, str | None]] | None = None,
    ) -> None:
        """`welcome`: the new chat's greeting and suggestions; `speakers` is kept filled with
        each assistant's (icon, colour) by its name."""
        self._composer = composer
        self._greeting, self._suggestions = welcome
        self._shown = shown
        self._service: ChatService | None = None
        self._runner: Runner | None = None
        self._known: dict[uuid.UUID, AssistantView] = {}
        self.speakers = speakers if speakers is not None else {}
        # The new chat's: chosen by the user, else its project's default (None: none).
        self.new_chat_assistant: uuid.UUID | None = None
        self._project: uuid.UUID | None = None
        self.loaded: list[Callable[[], None]] = []  # told when the assistants were read anew
        composer.assistant_changed.connect(self.choose)

    def attach(self, service: ChatService, runner: Runner) -> None:
        self._service, self._runner = service, runner
        self._reload()

    def new_chat(self, project_id: uuid.UUID | None) -> None:
        self.new_chat_assistant, self._project = None, project_id
        if project_id is not None and self._service is not None and self._runner is not None:
            call = self._service.list_projects()
            self._runner.run(call, done=self._project_default, quiet=True)

    def apply(self, event: Event) -> None:
        from chatdesk.core.chat.events import AssistantsChanged

        if isinstance(event, AssistantsChanged):
            self._reload()

    def known(self) -> list[AssistantView]:
        """Every assistant, by name."""
        return list(self._known.values())

    def current(self) -> AssistantView | None:
        """The assistant answering in the shown chat (or the new chat's)."""
        thread = self._shown()
        chosen = self.new_chat_assistant if thread is None else thread.assistant_id
        return self._known.get(chosen) if chosen is not None else None

    def show(self) -> None:
        """Fill the composer's menu, and the new chat's welcome."""
        current = self.current()
        choices = [(a.id.hex, a.name, assistant_badge(a)) for a in self._known.values()]
        self._composer.set_assistants(choices, current.id.hex if current else "")
        if self._shown() is not None:
            return  # a chat with messages: no welcome shown
        if current is None:
            self._greeting.show_general()
            self._suggestions.show_suggestions(self._one_of_each())
        else:
            fields = current.fields
            self._greeting.show_assistant(
                current.name, fields.description, fields.icon, fields.colour
            )
            self._suggestions.show_suggestions([Suggestion(e) for e in fields.examples])

    def _one_of_each(self) -> list[Suggestion]:
        """An example of each assistant (its first whole question, else its first), named."""
        made = []
        for assistant in list(self._known.values()):
            fields = assistant.fields
            if fields.examples:
                prompt = next((e for e in fields.examples if whole(e)), fields.examples[0])
                made.append(
                    Suggestion(
                        prompt,
                        assistant=assistant.id.hex,
                        said_by=assistant.name,
                        icon=fields.icon,
                        colour=fields.colour,
                    )
                )
        return made[:GENERAL_SUGGESTIONS]

    def choose(self, key: str, *, shown: bool = True) -> None:
        """The user chose the assistant `key` (hex; "" for none). `shown`: the new chat's
        welcome and the composer say so now (not for a suggestion sent at once: the chat it
        makes says it)."""
        chosen = uuid.UUID(hex=key) if key else None
        thread = self._shown()
        if thread is None:
            self.new_chat_assistant = chosen
            if shown:
                self.show()
        elif self._service is not None and self._runner is not None:
            self._runner.run(self._service.assistants.use_in(thread.id, chosen))

    def _reload(self) -> None:
        if self._service is not None and self._runner is not None:
            call = self._service.assistants.list()
            self._runner.run(call, done=self._loaded, quiet=True)

    def _loaded(self, found: list[AssistantView]) -> None:
        self._known = {a.id: a for a in found}
        self.speakers.clear()
        self.speakers.update({a.name: (a.fields.icon, a.fields.colour) for a in found})
        self.show()
        for tell in self.loaded:
            tell()

    def _project_default(self, projects: list[ProjectView]) -> None:
        project = next((p for p in projects if p.id == self._project), None)
        if self._shown() is None and project is not None and self.new_chat_assistant is None:
            self.new_chat_assistant = project.default_assistant_id
            self.show()
