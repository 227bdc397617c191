"""What the composer's slash menu offers and does: the saved prompts (one with `{{variables}}`
asks for their values first) and the assistants (taking one lets it answer in the chat).
"Save as prompt…" in the text field's context menu keeps the message as a prompt; Shift+Delete
on a prompt in the menu removes it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QInputDialog

from chatdesk.core.i18n import tr
from chatdesk.ui.badges import assistant_badge, badge_icon
from chatdesk.ui.composer import Composer
from chatdesk.ui.composer.slash import SlashEntry
from chatdesk.ui.theme.colours import MARK_PROMPT
from chatdesk.ui.window.assistant_choice import AssistantChoice
from chatdesk.ui.window.server_prompts import KIND, ServerPromptChoice

if TYPE_CHECKING:
    from chatdesk.core.assistants.prompts import PromptView
    from chatdesk.core.chat.events import Event
    from chatdesk.core.service import ChatService
    from chatdesk.ui.runner import Runner


class SlashChoice:
    def __init__(self, composer: Composer, assistants: AssistantChoice) -> None:
        self._composer = composer
        self._assistants = assistants
        self._service: ChatService | None = None
        self._runner: Runner | None = None
        self._prompts: dict[str, PromptView] = {}
        self.dialog: QInputDialog | None = None  # the name asked last (for tests)
        self.values: QDialog | None = None  # the values asked last (for tests)
        self.servers = ServerPromptChoice(composer, self._offer)  # the tool servers' prompts
        composer.slash_taken.connect(self.take)
        composer.slash.removal_asked.connect(self.remove)
        composer.save_prompt_asked.connect(self.ask_name)
        assistants.loaded.append(self._offer)

    def attach(self, service: ChatService, runner: Runner) -> None:
        self._service, self._runner = service, runner
        self.servers.attach(service, runner)
        self._reload()

    def apply(self, event: Event) -> None:
        from chatdesk.core.chat.events import AssistantsChanged

        if isinstance(event, AssistantsChanged):
            self._reload()

    def take(self, entry: SlashEntry) -> None:
        if entry.kind == "assistant":
            self._composer.assistant_changed.emit(entry.key)  # as if chosen from its menu
            return
        if entry.kind == KIND:
            self.servers.take(entry)
            return
        prompt = self._prompts.get(entry.key)
        if prompt is None:
            return
        if not prompt.variables:
            self._composer.start_with(prompt.text)
            return
        from chatdesk.ui.composer.prompt_values import PromptValues

        dialog = PromptValues(prompt.name, prompt.text, self._composer.window())
        dialog.accepted.connect(lambda: self._composer.start_with(dialog.filled_text()))
        self.values = dialog
        dialog.open()

    def ask_name(self, text: str) -> None:
        """Ask what to call the prompt `text`, then keep it."""
        if self._service is None or self._runner is None:
            return
        service, runner = self._service, self._runner
        dialog = QInputDialog(self._composer.window())
        dialog.setWindowTitle(tr("Save as prompt"))
        dialog.setLabelText(tr("Name of the prompt (in the slash menu, type / to find it):"))
        dialog.textValueSelected.connect(lambda name: runner.run(service.prompts.save(name, text)))
        self.dialog = dialog
        dialog.open()

    def remove(self, entry: SlashEntry) -> None:
        if self._service is not None and self._runner is not None:
            self._runner.run(self._service.prompts.delete(entry.key))

    def _reload(self) -> None:
        if self._service is not None and self._runner is not None:
            self._runner.run(self._service.prompts.list(), done=self._loaded, quiet=True)

    def _loaded(self, prompts: list[PromptView]) -> None:
        self._prompts = {p.name: p for p in prompts}
        self._offer()

    def _offer(self) -> None:
        mark = badge_icon("/", "/", MARK_PROMPT)
        entries = [
            SlashEntry("prompt", p.name, p.name, p.text, mark) for p in self._prompts.values()
        ]
        entries += self.servers.entries()
        entries += [
            SlashEntry(
                "assistant", a.id.hex, a.name, a.fields.description or "", assistant_badge(a)
            )
            for a in self._assistants.known()
        ]
        self._composer.slash.entries = entries
