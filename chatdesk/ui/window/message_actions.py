"""What the buttons and links on a message do: copy, edit, regenerate, continue, delete, remember
(memory_actions.py), switch branch, load images, summarise or choose another model when the
conversation is too long for the model, and links that open only after the user saw the real
host; and the keyboard's copy and regenerate of the last answer. A comparison's answers show
side by side (window/comparing.py), each with these actions."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from operator import attrgetter

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QCursor,
    QDesktopServices,
    QGuiApplication,
)
from PySide6.QtWidgets import QMainWindow, QMessageBox, QToolTip, QWidget

from chatdesk.core.i18n import tr
from chatdesk.core.kinds import Role, Status
from chatdesk.core.service import ChatService
from chatdesk.core.trust.links import (
    CITE_PREFIX,
    COPY_CODE_PREFIX,
    LOAD_IMAGES_HREF,
    SOURCE_PREFIX,
    LinkTarget,
    classify_link,
)
from chatdesk.core.views import MessageView
from chatdesk.ui.attachments.actions import AttachmentActions
from chatdesk.ui.conversation.approvals import WindowApprover
from chatdesk.ui.conversation.asks import WindowAsks
from chatdesk.ui.conversation.controller import ConversationController
from chatdesk.ui.conversation.formatter import SHOWN_CHARS
from chatdesk.ui.conversation.message import MessageWidget
from chatdesk.ui.conversation.passage_viewer import Passages
from chatdesk.ui.conversation.view import ConversationView
from chatdesk.ui.runner import Runner
from chatdesk.ui.window.comparing import ComparedAnswers
from chatdesk.ui.window.memory_actions import MemoryActions
from chatdesk.ui.window.read_aloud import ReadingAloud


class MessageActions:
    def __init__(
        self,
        window: QMainWindow,
        service: ChatService,
        runner: Runner,
        view: ConversationView,
        controller: ConversationController,
        *,
        summarise: Callable[[uuid.UUID, Callable[[], None]], None],
        choose_model: Callable[[], None],
    ) -> None:
        """`summarise(thread_id, then)` and `choose_model()` answer a refusal for a
        conversation too long for the model's context window."""
        self._window = window
        self._summarise = summarise
        self._choose_model = choose_model
        self._controller = controller
        self._service = service
        self._runner = runner
        self._view = view
        self.opened_links: list[str] = []  # what was handed to the desktop, for the record
        self.last_announcement = ""
        self.approver = WindowApprover(self._tell, self._unsay)  # tool calls wait on their cards
        self.attachments = AttachmentActions(window, service, runner)
        # An answer's sources: a passage in its document, a page's text as it was read.
        self.passages = Passages(window, service.knowledge, runner, self.open_address)
        service.tools.approver = self.approver
        # A server's questions wait on their call's card too; its progress moves a bar there.
        self.asks = WindowAsks(self._card_of, self._tell, self._opened)
        service.tools.asker = self.asks.asker
        service.events.subscribe(self.asks.apply)
        self.memory = MemoryActions(window, service, runner)  # Remember this…, Used 2 memories
        self.reading = ReadingAloud(service, runner, view, self._tell)  # Read aloud
        service.events.subscribe(self.reading.apply)
        # A comparison's answers, side by side, each a message with these actions.
        self.compared = ComparedAnswers(
            service, runner, lambda: view.formatter, self._wire, controller.reload_from
        )

    def connect_widget(self, widget: MessageWidget) -> None:
        """A message of the conversation was put on screen."""
        self._wire(widget)
        self.compared.consider(widget)
        self.asks.place_all()
        if widget.message.id == self.reading.reading:  # read from before it was shown
            widget.footer.set_reading(True)

    def _wire(self, widget: MessageWidget) -> None:
        widget.action.connect(self.run)
        widget.edited.connect(self.edit)
        widget.link_activated.connect(self.follow_link)
        widget.body.highlighted.connect(lambda url, w=widget: self._hint(w, url.toString()))
        widget.tool_decided.connect(self.approver.answer)
        widget.attachment_action.connect(self.attachments.run)
        widget.server_fix.connect(
            lambda server, why, w=widget: self.fix_server(w.message.thread_id, server, why)
        )
        widget.thumbnails = self.attachments.thumbnails
        self.memory.wire(widget)

    def fix_server(self, thread_id: uuid.UUID, server: str, why: str) -> None:
        """A tool server an answer went without: one no longer set up leaves the chat; for the
        others, Preferences ▸ Tools at it, its sign-in started (the browser opens) when that is
        what it needs."""
        if why == "unknown":
            said = tr("{server} was removed from this chat's tools", server=server)
            left = left_out_of(self._service, thread_id, server)
            self._runner.run(left, done=lambda _: self._say(said))
            return
        preferences = attrgetter("settings.open_preferences")(self._window)
        preferences(tools_server=server, sign_in=why == "sign-in")

    def _tell(self, words: str) -> None:
        """Say it to a screen reader and in the status bar."""
        self.last_announcement = words
        self._say(words)
        QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(self._view, words))

    def _say(self, text: str) -> None:
        self._window.statusBar().showMessage(text, 8_000)

    def _unsay(self, text: str) -> None:
        """What was said is no longer true: gone from the status bar, unless something else
        was said since."""
        status = self._window.statusBar()
        if status.currentMessage() == text:
            status.clearMessage()

    # -- actions ---------------------------------------------------------------------------------

    def run(self, name: str, message_id: object) -> None:
        assert isinstance(message_id, uuid.UUID)
        match name:
            case "copy-markdown" | "copy-plain":
                self.copy(message_id, plain=name == "copy-plain")
            case "regenerate" | "retry":
                self._runner.run(self._service.regenerate(message_id))
            case "continue":
                self._runner.run(self._service.continue_answer(message_id))
            case "delete":
                self._confirm_delete(message_id)
            case "previous-branch" | "next-branch":
                self._switch(message_id, -1 if name == "previous-branch" else +1)
            case "load-images":
                self._load_images(message_id)
            case "summarise":
                self._summarise_and_retry(message_id)
            case "choose-model":
                self._choose_model()
            case "memories" | "remember":
                self._memory_action(name, message_id)
            case "read-aloud":
                self.reading.toggle(message_id)

    def _memory_action(self, name: str, message_id: uuid.UUID) -> None:
        widget = self._view.widget_for(message_id)
        if widget is not None and name == "memories":
            self.memory.show_used(widget)
        elif widget is not None:
            self.memory.remember(widget)

    def _summarise_and_retry(self, message_id: uuid.UUID) -> None:
        widget = self._view.widget_for(message_id)
        if widget is None:
            return

        def retry() -> None:
            self._runner.run(self._service.regenerate(message_id))

        self._summarise(widget.message.thread_id, retry)

    def copy(self, message_id: uuid.UUID, *, plain: bool) -> None:
        widget = self._view.widget_for(message_id)
        if widget is None:
            return
        whole = widget.message.content
        shown_all = len(whole) <= SHOWN_CHARS
        # Shown as plain text, a message draws its runs of blank lines as one: Copy gives
        # the lines it holds, not those shown.
        formatted = widget.rendered is not None and not widget.rendered.plain
        if plain and shown_all and formatted:  # with the words written before its tool calls
            text = "\n\n".join(t for t in (widget.lead.plain(), widget.body.toPlainText()) if t)
        else:
            text = whole
        QGuiApplication.clipboard().setText(text)
        self._say(tr("Copied as plain text.") if plain else tr("Copied as Markdown."))

    def _last_answer(self) -> MessageView | None:
        """The shown thread's last answer, once it is complete."""
        messages = self._controller.model.messages()
        last = next((m for m in reversed(messages) if m.role is Role.ASSISTANT), None)
        return last if last is not None and last.status.is_final else None

    def copy_last(self) -> None:
        last = self._last_answer()
        if last is not None:
            self.copy(last.id, plain=False)

    def read_last(self) -> None:
        """Read the shown thread's last answer aloud, while it is written too; or stop."""
        messages = self._controller.model.messages()
        last = next((m for m in reversed(messages) if m.role is Role.ASSISTANT), None)
        if last is not None:
            self.reading.toggle(last.id)

    def regenerate_last(self) -> None:
        last = self._last_answer()
        if last is not None:
            self._runner.run(self._service.regenerate(last.id))

    def edit(self, message_id: object, text: str) -> None:
        assert isinstance(message_id, uuid.UUID)
        self._runner.run(self._service.edit_message(message_id, text))

    def _confirm_delete(self, message_id: uuid.UUID) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            tr("Delete message"),
            tr(
                "Delete this message and everything that follows from it (its answers and "
                "branches)? This cannot be undone."
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self._window,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(
            lambda result: (
                result == QMessageBox.StandardButton.Yes
                and self._runner.run(self._service.delete_message(message_id))
            )
        )
        box.open()

    def _switch(self, message_id: uuid.UUID, step: int) -> None:
        async def switch() -> MessageView:
            siblings = await self._service.sibling_ids(message_id)
            index = siblings.index(message_id) + step
            if not 0 <= index < len(siblings):
                return await self._service.get_message(message_id)
            await self._service.switch_branch(siblings[index])
            return await self._service.get_message(siblings[index])

        self._runner.run(switch(), done=lambda shown: self._controller.reload_from(shown.parent_id))

    def _load_images(self, message_id: uuid.UUID) -> None:
        widget = self._view.widget_for(message_id)
        if widget is None or widget.rendered is None:
            return
        urls = widget.rendered.remote_images

        tools = self._service.tools

        async def fetch() -> dict[str, bytes]:
            found: dict[str, bytes] = {}
            for url in urls:
                try:
                    found[url] = await tools.fetch_image(url)
                except Exception as error:  # one bad image must not hide the others
                    self._say(
                        tr(
                            "Image from {host} not loaded: {error}",
                            host=QUrl(url).host(),
                            error=error,
                        )
                    )
            return found

        self._runner.run(fetch(), done=widget.load_images)

    # -- links -----------------------------------------------------------------------------------

    def follow_link(self, href: str, message_id: object) -> None:
        assert isinstance(message_id, uuid.UUID)
        if href.startswith(COPY_CODE_PREFIX):
            self._copy_code(message_id, href[len(COPY_CODE_PREFIX) :])
            return
        if href == LOAD_IMAGES_HREF:
            self._load_images(message_id)
            return
        if href.startswith(CITE_PREFIX):  # "[n]": a passage's viewer, a page's address
            self._open_source(message_id, href[len(CITE_PREFIX) :], cited=True)
            return
        if href.startswith(SOURCE_PREFIX):  # a row of the sources: what was read, either way
            self._open_source(message_id, href[len(SOURCE_PREFIX) :], cited=False)
            return
        self.open_address(href, self._window)

    def open_address(self, href: str, parent: QWidget) -> None:
        """Open a link of an answer (or its sources) once the user saw where it goes."""
        target = classify_link(href)
        if target.kind != "external":
            self._say(tr("Link not opened: {reason}", reason=target.reason))
            return
        self._confirm_open(target, parent)

    def _copy_code(self, message_id: uuid.UUID, number: str) -> None:
        widget = self._view.widget_for(message_id)
        blocks = widget.code_blocks() if widget else ()
        if number.isdigit() and int(number) < len(blocks):
            QGuiApplication.clipboard().setText(blocks[int(number)])
            assert widget is not None
            self._tell(tr("Code copied."))
            # Beside the link that was used: the text cursor stands on it when a key chose it.
            body = widget.body
            at = body.viewport().mapToGlobal(body.cursorRect().center())
            clicked = body.rect().contains(body.mapFromGlobal(QCursor.pos()))
            QToolTip.showText(QCursor.pos() if clicked else at, tr("✓ Copied"), body)

    def _open_source(self, message_id: uuid.UUID, number: str, *, cited: bool) -> None:
        """A web page's citation opens its address after the confirmation; anything else
        (its row, a passage) opens what was read in a viewer."""
        widget = self._view.widget_for(message_id)
        sources = widget.message.sources if widget else ()
        found = next((s for s in sources if str(s.number) == number), None)
        if found is None:
            return
        if cited and found.is_web:
            self.open_address(found.url, self._window)
        else:
            self.passages.open(found)

    def _hint(self, widget: MessageWidget, href: str) -> None:
        """Under the pointer on a citation "[n]": what it cites (a page's title and address),
        before it is clicked."""
        number = href[len(CITE_PREFIX) :] if href.startswith(CITE_PREFIX) else ""
        found = next((s for s in widget.message.sources if str(s.number) == number), None)
        if found is None:
            QToolTip.hideText()
            return
        where = found.url if found.is_web else found.location
        QToolTip.showText(
            QCursor.pos(), "\n".join(p for p in (found.name, where) if p), widget.body
        )

    def _confirm_open(self, target: LinkTarget, parent: QWidget) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            tr("Write an email") if target.mail else tr("Open link"),
            target.confirmation(),
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
            parent,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # the link's text is not ours
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        url = target.url
        box.finished.connect(lambda result: self._open(url, result))
        box.open()

    def _open(self, url: str, result: int) -> None:
        if result == QMessageBox.StandardButton.Open:
            self._opened(url)

    def _opened(self, url: str) -> bool:
        """Open `url` in the browser; False when none could be."""
        self.opened_links.append(url)
        return bool(QDesktopServices.openUrl(QUrl(url)))

    def _card_of(self, message_id: uuid.UUID, call_id: str) -> QWidget | None:
        widget = self._view.widget_for(message_id)
        calls = widget.tool_calls if widget is not None else None
        return calls.cards.get(call_id) if calls is not None else None

    # -- announcements ---------------------------------------------------------------------------

    def announce(self, message: MessageView) -> None:
        """Tell a screen reader once that the answer is complete (never per token)."""
        words = {
            Status.COMPLETE: tr("Answer complete."),
            Status.ERROR: tr("The answer failed: {detail}", detail=message.error_detail or ""),
            Status.INTERRUPTED: tr("Answer stopped."),
        }.get(message.status, "")
        if not words:
            return
        self.last_announcement = words
        QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(self._view, words))


async def left_out_of(service: ChatService, thread_id: uuid.UUID, server: str) -> None:
    """The chat's tool servers without `server`."""
    kept = [name for name in await service.thread_tools(thread_id) if name != server]
    await service.set_thread_tools(thread_id, kept)
