"""The tool servers' prompts in the composer's slash menu, beside the saved prompts: each
listed under its server's name (`ServerPrompt.label`) with its server's badge, so no server
can pass its prompt off as a saved one. The menu never waits for a server: it offers the lists
the core keeps, and typing "/" asks in the background for those not known yet or changed
since, offering them when they come. While the menu is open, a server saying its list changed
has it asked for again and the menu updated, keeping what was typed and the entry marked.
Taking one with arguments asks for them first (`server_prompt_form.py`, the server suggesting
values as the user types); then its messages go into the composer to edit before sending: the
text into the field, an image or an embedded resource as an attachment chip, read like a
dropped file."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from chatdesk.core.i18n import tr
from chatdesk.ui.badges import badge_icon
from chatdesk.ui.composer import Composer
from chatdesk.ui.composer.slash import SlashEntry
from chatdesk.ui.theme.colours import MARK_DEFAULT

if TYPE_CHECKING:
    from chatdesk.core.service import ChatService
    from chatdesk.core.tools.prompt_values import GotPrompt, PromptPart, ServerPrompt
    from chatdesk.ui.composer.server_prompt_form import ServerPromptForm
    from chatdesk.ui.runner import Runner

KIND = "server_prompt"  # a SlashEntry's kind for a server's prompt
WATCH_MS = 500  # how often an open menu looks for a server that said its prompts changed


class ServerPromptChoice:
    def __init__(self, composer: Composer, offer: Callable[[], None]) -> None:
        """`offer()` fills the slash menu again (with `entries()` among the rest)."""
        self._composer = composer
        self._offer = offer
        self._service: ChatService | None = None
        self._runner: Runner | None = None
        self._asking = False  # the lists are being asked for
        self._unlisted: set[str] = set()  # servers whose list could not be had when last asked
        self._watch = QTimer(composer)
        self._watch.setInterval(WATCH_MS)
        self._watch.timeout.connect(self._look)
        self.form: ServerPromptForm | None = None  # the values asked last (for tests)
        composer.editor.textChanged.connect(self._typed)

    def attach(self, service: ChatService, runner: Runner) -> None:
        self._service, self._runner = service, runner

    def entries(self) -> list[SlashEntry]:
        if self._service is None:
            return []
        return [
            SlashEntry(
                KIND,
                f"{p.server}\n{p.name}",
                p.label,
                p.description,
                badge_icon(p.server, None, MARK_DEFAULT),
            )
            for p in self._service.tools.prompts.known()
        ]

    def _typed(self) -> None:
        text = self._composer.text()
        if text == "/":  # the menu opens
            self.refresh()
        if text.startswith("/") and not self._watch.isActive():
            self._watch.start()

    def _look(self) -> None:
        """While the menu is open, ask again for a list its server said changed (in-memory
        checks only: a server that could not list is not asked again until the menu reopens)."""
        if self._service is None or not self._composer.slash.isVisible():
            self._watch.stop()
            self._unlisted.clear()
            return
        if set(self._service.tools.prompts.stale()) - self._unlisted:
            self.refresh()

    def refresh(self) -> None:
        """Ask in the background for the lists not known or changed, then offer them."""
        if self._service is None or self._runner is None or self._asking:
            return
        prompts = self._service.tools.prompts
        if not prompts.stale():
            return
        self._asking = True

        def done(_: object) -> None:
            self._offer()
            text = self._composer.text()
            if text.startswith("/"):
                self._composer.slash.renew(text)

        def settled() -> None:
            self._asking = False
            self._unlisted = set(prompts.stale())

        self._runner.run(prompts.refresh(), done=done, settled=settled, quiet=True)

    def take(self, entry: SlashEntry) -> None:
        if self._service is None:
            return
        server, _, name = entry.key.partition("\n")
        known = {(p.server, p.name): p for p in self._service.tools.prompts.known()}
        prompt = known.get((server, name))
        if prompt is None:
            return
        if not prompt.arguments:
            self._get(prompt, {})
            return
        from chatdesk.ui.composer.server_prompt_form import ServerPromptForm

        form = ServerPromptForm(prompt, self._composer.window())
        form.suggestions_asked.connect(lambda argument, value: self._suggest(form, argument, value))
        form.accepted.connect(lambda: self._get(prompt, form.values()))
        self.form = form
        form.open()

    def _suggest(self, form: ServerPromptForm, argument: str, value: str) -> None:
        if self._service is None or self._runner is None:
            return
        prompt = form.prompt
        asked = self._service.tools.prompts.complete(
            prompt.server, prompt.name, argument, value, form.values()
        )
        self._runner.run(
            asked,
            done=lambda found: form.suggest(argument, value, found),
            failure=lambda _: None,  # no suggestions: the user types the value
            owner=form,
            quiet=True,
        )

    def _get(self, prompt: ServerPrompt, values: dict[str, str]) -> None:
        if self._service is None or self._runner is None:
            return
        got = self._service.tools.prompts.get(prompt.server, prompt.name, values)
        self._runner.run(got, done=self._insert)

    def _insert(self, got: GotPrompt) -> None:
        """Its text into the field, the rest as chips read like dropped files."""
        self._composer.start_with(got.text)
        for number, part in enumerate(got.parts, 1):
            if part.kind != "text":
                self._attach(part, _name(got, part, number))

    def _attach(self, part: PromptPart, name: str) -> None:
        assert self._service is not None
        assert self._runner is not None
        pending = self._composer.add_pending(name)
        data = part.data or part.text.encode("utf-8")
        made = self._service.attacher.attach_bytes(name, data, images_only=part.kind == "image")
        # Not attached (the status bar says why): its chip goes.
        self._runner.run(
            made,
            done=lambda item: self._composer.settle(pending, item),
            settled=lambda: self._composer.settle(pending, None),
        )


def _name(got: GotPrompt, part: PromptPart, number: int) -> str:
    """An attachment's name: the last part of its resource's address, or the prompt's name
    and the image's place among its messages."""
    if part.uri:
        last = part.uri.rstrip("/").rsplit("/", 1)[-1]
        if last and ":" not in last:
            return last
    extension = part.mime.rsplit("/", 1)[-1] if part.kind == "image" else "txt"
    # translators: the name of an image a server's prompt gave, e.g. "review, image 2.png"
    return tr("{prompt}, image {number}", prompt=got.name, number=number) + f".{extension}"
