"""Keeps the conversation model in step with the service: pages as the user scrolls, service
events as they happen. Events that arrive while a page is being read are held and replayed on
top of it, so nothing streamed in the meantime is lost or shown twice."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from chatdesk.core.chat import events as ev
from chatdesk.core.kinds import CallState
from chatdesk.core.views import MessagePage, MessageView, ToolCallView
from chatdesk.ui.conversation.model import ConversationModel
from chatdesk.ui.runner import Runner

if TYPE_CHECKING:  # the service loads SQLAlchemy, which the window's shell does without
    from chatdesk.core.service import ChatService
    from chatdesk.ui.conversation.view import ConversationView

PageRead = Coroutine[Any, Any, MessagePage]
Prefetch = Callable[[Sequence[MessageView], int | None], Awaitable[None]]
PAGE = 15  # messages per older/newer page: small, so building its widgets never stalls long
FIRST_PAGE = 12  # about one screen: painted first; older pages follow as the view asks
# Of a first page, the newest messages whose formatting is waited for before it is shown: none.
# Its kept formatting is read first; the view makes the widgets while the render child
# formats the rest, and waits for the formatting of those it paints first (decision 0083).
FIRST_FORMATTED = 0
WINDOW = 150  # most messages kept in the model at once


class ConversationController(QObject):
    loaded = Signal(object)  # thread id, once its first page is on screen
    loaded_at = Signal(object)  # message id, once the page around it is (open(at=...))

    def __init__(
        self,
        service: ChatService,
        runner: Runner,
        model: ConversationModel,
        parent: QObject | None = None,
        *,
        prefetch: Prefetch | None = None,
    ) -> None:
        """`prefetch(messages, newest)`: made ready before a page read is shown (their kept
        formatting brought into memory, so it is there at their first paint, and the rest
        formatted, waiting for the `newest` of them: all, None)."""
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._prefetch = prefetch
        self.model = model
        self._generation = 0
        self._held: list[ev.Event] | None = None  # events that came while reading
        self._paging = False

    @property
    def thread_id(self) -> uuid.UUID | None:
        return self.model.thread_id

    @property
    def loading(self) -> bool:
        return self._held is not None

    def serve(self, view: ConversationView) -> None:
        """Page `view` as it scrolls: older or newer messages as it nears an end, the newest
        again when it asks for them, and the message a thread was opened at revealed."""
        view.older_wanted.connect(self.load_older)
        view.newer_wanted.connect(self.load_newer)
        view.latest_wanted.connect(lambda: self.open(self.thread_id))
        self.loaded_at.connect(view.reveal)

    # -- reading ---------------------------------------------------------------------------------

    def open(self, thread_id: uuid.UUID | None, at: uuid.UUID | None = None) -> None:
        """Show a thread from its newest messages, or from those around `at`, a message of its
        active branch (None: an empty new chat)."""
        self._generation += 1
        self.model.show(thread_id)
        self._held = None
        self._paging = False
        if thread_id is None:
            return
        if at is None:
            self._read(self._service.list_messages(thread_id, limit=FIRST_PAGE), self._show_first)
        else:
            call = self._service.list_messages(thread_id, around=at, limit=FIRST_PAGE)
            self._read(call, lambda page: self._show_first(page, at))

    async def _prepared(self, call: PageRead, newest: int | None = None) -> MessagePage:
        page = await call
        if self._prefetch is not None:
            await self._prefetch(page.messages, newest)
        return page

    def _read(self, call: PageRead, done: Callable[[MessagePage], None]) -> None:
        generation = self._generation
        self._held = []

        def finish(page: MessagePage) -> None:
            if generation == self._generation:
                done(page)
                self._replay()

        # owner: a page that comes once the window has gone (its model deleted) is dropped
        self._runner.run(
            self._prepared(call, FIRST_FORMATTED), done=finish, owner=self.model, quiet=True
        )

    def _show_first(self, page: MessagePage, at: uuid.UUID | None = None) -> None:
        self.model.show(self.model.thread_id, page)
        self.loaded.emit(self.model.thread_id)
        if at is not None:
            self.loaded_at.emit(at)

    def _replay(self) -> None:
        held, self._held = self._held or [], None
        for event in held:
            self.apply(event)

    def load_older(self) -> None:
        first = self.model.message(0) if self.model.rowCount() else None
        if self._paging or first is None or not self.model.has_more_before:
            return
        self._page(self._service.list_messages(first.thread_id, before=first.id, limit=PAGE), True)

    def load_newer(self) -> None:
        last = self.model.last
        if self._paging or last is None or not self.model.has_more_after:
            return
        self._page(self._service.list_messages(last.thread_id, after=last.id, limit=PAGE), False)

    def _page(self, call: PageRead, older: bool) -> None:
        self._paging = True
        generation = self._generation

        def done(page: MessagePage) -> None:
            self._paging = False
            if generation != self._generation:
                return
            if older:
                self.model.prepend(page)
                self.model.trim_back(WINDOW)
            else:
                self.model.extend(page)
                self.model.trim_front(WINDOW)

        self._runner.run(self._prepared(call), done=done, owner=self.model, quiet=True)

    def reload_from(self, parent_id: uuid.UUID | None) -> None:
        """The branch changed below `parent_id`: keep what is above it, read the rest anew."""
        row = self.model.row_of(parent_id) if parent_id is not None else -1
        if row < 0 or self.thread_id is None:
            self.open(self.thread_id)
            return
        self.model.trim_back(row + 1)
        self.model.has_more_after = True
        self._paging = False
        self.load_newer()

    # -- events ----------------------------------------------------------------------------------

    def apply(self, event: ev.Event) -> None:
        if self._held is not None and _thread_of(event) == self.thread_id:
            self._held.append(event)
            return
        match event:
            case ev.MessageAdded(message) if message.thread_id == self.thread_id:
                self._added(message)
            case ev.AnswerTextAppended(message_id, thread_id, text, reasoning, offset, _):
                if thread_id == self.thread_id:
                    self._appended(message_id, text, reasoning, offset)
            case ev.MessageFinished(message) | ev.AnswerContinued(message):
                if message.thread_id == self.thread_id:
                    self.model.replace(message)
            case ev.ToolCallChanged(message_id, thread_id, call) if thread_id == self.thread_id:
                self.model.update_tool_call(message_id, call)
            case ev.SourcesFound(message_id, thread_id, sources) if thread_id == self.thread_id:
                self.model.set_sources(message_id, sources)
            case ev.AnswerShortened(message_id, thread_id, _, cuts) if thread_id == self.thread_id:
                self.model.set_cuts(message_id, cuts)
            case ev.ToolServersLeftOut(message_id, thread_id, servers):
                if thread_id == self.thread_id:
                    self.model.set_left_out(message_id, servers)
            case ev.ToolCallStreaming(message_id, thread_id, call_id, name):
                if thread_id == self.thread_id:
                    self.model.update_tool_call(message_id, streaming_call(call_id, name))
            case ev.MessagesDeleted(thread_id, _) if thread_id == self.thread_id:
                self.open(thread_id)
            case ev.ThreadDeleted(thread_id) if thread_id == self.thread_id:
                self.open(None)
            case _:
                pass

    def _added(self, message: MessageView) -> None:
        if self.model.has_more_after:
            return  # the window is not at the end; "jump to latest" will read it
        if message.id in (m.id for m in self.model.messages()):
            self.model.replace(message)
            return
        parent_row = self.model.row_of(message.parent_id) if message.parent_id else -1
        last = self.model.last
        if last is not None and last.id != message.parent_id:
            if message.parent_id is not None and parent_row < 0:
                self.open(self.thread_id)  # the branch point is outside the window
                return
            self.model.trim_back(parent_row + 1)  # a new branch replaces what followed
            self.model.has_more_after = False
        self.model.add(message)

    def _appended(self, message_id: uuid.UUID, text: str, reasoning: str, offset: int) -> None:
        if self.model.append_text(message_id, text, reasoning, offset):
            return
        if self.model.row_of(message_id) >= 0:  # a gap: read the message as stored
            self._runner.run(self._service.get_message(message_id), done=self._refresh, quiet=True)

    def _refresh(self, message: MessageView) -> None:
        self.model.replace(message)


def streaming_call(call_id: str, name: str) -> ToolCallView:
    """A call the model is still writing: its name so far, no arguments, no stored state."""
    return ToolCallView(call_id, None, name, name, "", CallState.STREAMING)


def _thread_of(event: ev.Event) -> uuid.UUID | None:
    match event:
        case ev.MessageAdded(message) | ev.MessageFinished(message) | ev.AnswerContinued(message):
            return message.thread_id
        case ev.AnswerTextAppended(_, thread_id) | ev.MessagesDeleted(thread_id, _):
            return thread_id
        case ev.ToolCallChanged(_, thread_id) | ev.ToolCallStreaming(_, thread_id):
            return thread_id
        case ev.SourcesFound(_, thread_id) | ev.AnswerShortened(_, thread_id):
            return thread_id
        case ev.ToolServersLeftOut(_, thread_id):
            return thread_id
        case _:
            return None
