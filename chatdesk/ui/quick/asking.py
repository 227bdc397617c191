"""What the quick window does. Its chats are ordinary chats of the same `ChatService` the main
window uses, called through the window's `Runner`: the first question makes a new chat in the
project named "Quick" (made on first use, found again by its name), with the assistant and model
picked; the next ones follow up in it until the window is shown again after its answer ended.
With `[desktop] quick_chats = "temporary"` they are temporary chats instead (a database in
memory, `chatdesk/core/temporary.py`): nothing of them is kept, and Open in chatdesk hands the
chat to the main window's temporary chat.

The answer streams in from the service's events (`apply`), as it reaches the main window's
parts: `AnswerTextAppended` grows it, `MessageFinished` ends it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import mark, tr
from chatdesk.ui.quick.context import offered_text, with_context
from chatdesk.ui.quick.pickers import QuickPickers
from chatdesk.ui.quick.window import QuickWindow
from chatdesk.ui.theme import ThemeWatcher

if TYPE_CHECKING:
    from chatdesk.core.chat.events import Event
    from chatdesk.core.config import Settings
    from chatdesk.core.errors import ChatdeskError
    from chatdesk.core.service import ChatService
    from chatdesk.core.temporary import TemporaryChats
    from chatdesk.core.views import MessageView, ProjectView, Turn
    from chatdesk.ui.conversation.formatter import Formatter
    from chatdesk.ui.conversation.message_text import MessageText
    from chatdesk.ui.runner import Runner

# The project the quick window's chats are kept in, found again by this name (or its
# translation, as it was made in the language of the time).
PROJECT = mark("Quick")
MakeTemporary = Callable[["Settings"], Coroutine[Any, Any, "TemporaryChats"]]


class QuickAsk(QObject):
    """The quick window and its chat. `open_thread(id)` shows a saved chat in the main window;
    `adopt(chats, id)` gives it a temporary one (the main window's temporary chat); `formatter`
    (the main window's) formats the answer as it is written and once it ended, as the
    conversation does (None: it stays plain text)."""

    def __init__(
        self,
        service: ChatService,
        runner: Runner,
        settings: Callable[[], Settings],
        make_temporary: MakeTemporary | None,
        open_thread: Callable[[uuid.UUID], None],
        adopt: Callable[[TemporaryChats, uuid.UUID], None],
        formatter: Formatter | None = None,
    ) -> None:
        super().__init__()
        self._saved, self._runner, self._settings = service, runner, settings
        self._make_temporary = make_temporary
        self._open_thread, self._adopt = open_thread, adopt
        self._formatter = formatter
        self.window = QuickWindow()
        self.pickers = QuickPickers(self.window, settings)
        self.window.place_pickers(self.pickers.assistants, self.pickers.models)
        self.pickers.attach(service, runner)
        self.pickers.assistant_chosen.connect(self._assistant_chosen)
        self.pickers.model_chosen.connect(self._model_chosen)
        self.window.ask_requested.connect(self.ask)
        self.window.stop_requested.connect(self.stop)
        self.window.open_requested.connect(self.open_in_chatdesk)
        self.temporary: TemporaryChats | None = None  # the quick window's temporary chats
        self.thread_id: uuid.UUID | None = None  # the quick chat (None: the next is new)
        self.answer_id: uuid.UUID | None = None  # its answer being written
        self._text = ""  # that answer so far
        self._answer: MessageView | None = None  # the answer the window shows, as far as it is
        self._words: MessageText | None = None  # its words formatted (with a formatter)
        self._closed = False
        self._closing: list[asyncio.Future[None]] = []  # temporary chats' databases closing
        ThemeWatcher.of(_app()).changed.connect(self._theme_changed)
        self._unsubscribe: list[Callable[[], None]] = [service.events.subscribe(self.apply)]

    @property
    def temporary_mode(self) -> bool:
        return self._settings().desktop.quick_chats == "temporary"

    def _service(self) -> ChatService:
        """The service the quick chat lives in: the saved chats', or its temporary chats'."""
        return self.temporary.service if self.temporary is not None else self._saved

    # -- showing ---------------------------------------------------------------------------------

    def present(self) -> None:
        """Show the window in front, its question focused; a new chat unless one is being
        answered (hidden meanwhile) or shown already."""
        if not self.window.isVisible() and self.answer_id is None:
            self.thread_id = None
            self.window.clear()
            self._drop_temporary()
        self.window.present(offered_text())

    def shows(self, thread_id: uuid.UUID) -> bool:
        """Whether the window is on screen with the chat `thread_id` in it."""
        return self.window.isVisible() and self.thread_id == thread_id

    def _drop_temporary(self) -> None:
        """The last temporary quick chat ends: its database in memory goes."""
        chats, self.temporary = self.temporary, None
        if chats is not None:
            self._unsubscribe.pop()()
            # Not the runner's: chatdesk's closing waits for it (aclose), never cancels it.
            self._closing.append(asyncio.ensure_future(chats.aclose()))

    # -- asking ----------------------------------------------------------------------------------

    def ask(self, question: str) -> None:
        """Send `question` (with the context chip's text when added): the quick chat's next
        message, or the first of a new one."""
        if self.answer_id is not None:
            return  # one answer at a time; Stop is offered meanwhile
        text = with_context(question, self.window.chip.context())
        self._runner.run(
            self._send(text), done=self._sent, failure=self._refused, owner=self.window
        )
        self.window.asked(question, formats=self._formatter is not None)
        self._text, self._answer = "", None
        if self._words is not None:
            self._words.forget()  # the answer before's format, if it comes now, is not shown
        self._words = self._new_words()

    async def _send(self, text: str) -> Turn:
        if self.thread_id is not None:
            return await self._service().send(self.thread_id, text)
        provider, model = self.pickers.model or (None, None)
        if self.temporary_mode:
            service, project = await self._temporary_service(), None
        else:
            service, project = self._saved, await self._project()
        return await service.send_new(
            text,
            project_id=project,
            provider=provider,
            model=model,
            assistant_id=self.pickers.assistant,
        )

    async def _temporary_service(self) -> ChatService:
        if self.temporary is None:
            if self._make_temporary is None:  # not before the core is attached
                raise InvalidRequest(tr(NO_TEMPORARY))
            self.temporary = await self._make_temporary(self._settings())
            self._unsubscribe.append(self.temporary.service.events.subscribe(self.apply))
        return self.temporary.service

    async def _project(self) -> uuid.UUID:
        """The Quick project's id: found by its name, else made now."""
        names = {PROJECT, tr(PROJECT)}
        found = [p for p in await self._saved.list_projects() if p.name in names]
        made: ProjectView = found[0] if found else await self._saved.create_project(tr(PROJECT))
        return made.id

    def _new_words(self) -> MessageText | None:
        """The formatting of the next answer's words, into the window's formatted view."""
        if self._formatter is None:
            return None
        from chatdesk.ui.conversation.message_text import MessageText

        return MessageText(self.window.formatted.browser, self._formatter, lambda: None)

    def _sent(self, turn: Turn) -> None:
        self.thread_id = turn.answer.thread_id
        self._answer = turn.answer
        if not turn.answer.status.is_final:
            self.answer_id = turn.answer.id
        else:
            self._ended(turn.answer)

    def _refused(self, error: ChatdeskError) -> None:
        self.window.failed(str(error))

    def stop(self) -> None:
        """Stop the answer being written; what came is kept."""
        if self.answer_id is not None:
            self._runner.run(
                self._service().stop(self.answer_id), failure=self._refused, owner=self.window
            )

    # -- the answer ------------------------------------------------------------------------------

    def apply(self, event: Event) -> None:
        """Follow the quick chat's answer as it is written."""
        from chatdesk.core.chat import events as ev

        match event:
            case ev.AnswerTextAppended(message_id=answer) if answer == self.answer_id:
                self._text = self._text[: event.text_offset] + event.text
                self.window.show_answer(self._text)
                self._show_words(self._text)
            case ev.MessageFinished(message) if message.id == self.answer_id:
                self._ended(message)
            case _:
                pass

    def _ended(self, answer: MessageView) -> None:
        from chatdesk.core.kinds import Status

        self.answer_id = None
        self._text = answer.content
        said = {
            Status.INTERRUPTED: tr(STOPPED),
            Status.ERROR: answer.error_detail or tr(FAILED),
        }.get(answer.status, "")
        self._answer = answer
        self.window.finished(answer.content, said)
        if answer.status is Status.ERROR:
            self.window.failed(said)
        if self._words is not None and not self._closed:
            self._words.show(answer)  # formatted whole, kept for the main window too

    def _show_words(self, text: str) -> None:
        """The answer so far, formatted as the conversation formats a streaming answer: each
        block once complete, the growing last one as it will be."""
        from dataclasses import replace

        if self._words is not None and self._answer is not None and not self._closed:
            self._answer = replace(self._answer, content=text)
            self._words.show(self._answer)

    def _theme_changed(self, _dark: bool = False) -> None:
        """Another look: the ended answer shown is formatted again in its colours (the main
        window's formatter follows the look first: it listens from before the quick window is
        made)."""
        if self._words is not None and self._answer is not None and self.answer_id is None:
            self._words.forget()
            self._words.show(self._answer)

    # -- choosing who answers --------------------------------------------------------------------

    def _assistant_chosen(self, assistant: uuid.UUID | None) -> None:
        if self.thread_id is not None:
            call = self._service().assistants.use_in(self.thread_id, assistant)
            self._runner.run(call, failure=self._refused, owner=self.window)

    def _model_chosen(self, provider: str, model: str) -> None:
        if self.thread_id is not None:
            call = self._service().set_thread_model(self.thread_id, provider=provider, model=model)
            self._runner.run(call, failure=self._refused, owner=self.window)

    # -- leaving ---------------------------------------------------------------------------------

    def open_in_chatdesk(self) -> None:
        """The quick chat in the main window (Ctrl+Enter); the quick window hides."""
        thread_id = self.thread_id
        if thread_id is None:
            return
        if self.temporary is not None:
            chats, self.temporary = self.temporary, None  # the main window's now
            self._unsubscribe.pop()()
            self._adopt(chats, thread_id)
        else:
            self._open_thread(thread_id)
        self.thread_id = self.answer_id = None
        self.window.hide()

    async def aclose(self) -> None:
        """chatdesk closes: stop listening; the temporary chats go."""
        self._closed = True
        for end in self._unsubscribe:
            end()
        self._unsubscribe = []
        ThemeWatcher.of(_app()).changed.disconnect(self._theme_changed)
        self.window.hide()
        chats, self.temporary = self.temporary, None
        if chats is not None:
            self._closing.append(asyncio.ensure_future(chats.aclose()))
        await asyncio.gather(*self._closing)
        self.window.deleteLater()


NO_TEMPORARY = mark(
    "Temporary chats cannot be made yet: chatdesk is still opening your chats. Ask again in a "
    "moment."
)
STOPPED = mark("Stopped: the answer so far is kept.")
FAILED = mark("The answer failed.")


def _app() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app
