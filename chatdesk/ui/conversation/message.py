"""One message on screen: header, reasoning, formatted text, status, footer with actions.

Only messages in the model's window get a widget. Its text is formatted as `message_text.py`
says: a finished message once, a streaming answer block by block.
"""

from __future__ import annotations

import dataclasses
import uuid
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QEnterEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.assistants.builtin import said
from chatdesk.core.i18n import ntr, number, tr
from chatdesk.core.kinds import Role
from chatdesk.core.render.model import Rendered
from chatdesk.ui.conversation.browser import MessageBrowser
from chatdesk.ui.conversation.bubble import BubbleFit
from chatdesk.ui.conversation.footer import MessageFooter
from chatdesk.ui.conversation.formatter import SHOWN_CHARS, Formatter
from chatdesk.ui.conversation.frame import (
    into_tab_order,
    reasoning_toggle,
    shown_cuts,
    status_label,
    words_frame,
)
from chatdesk.ui.conversation.labels import header_text, usage_text
from chatdesk.ui.conversation.lead_words import LeadWords
from chatdesk.ui.conversation.left_out import shown_left_out
from chatdesk.ui.conversation.message_text import MessageText
from chatdesk.ui.conversation.speaker import SpeakerHead
from chatdesk.ui.conversation.status_words import STATUS_BUTTONS, status_actions, status_text
from chatdesk.ui.conversation.tool_calls import ToolCallList
from chatdesk.ui.conversation.wide import ColumnLayout

if TYPE_CHECKING:  # the views load with the core, behind the window's first paint
    from chatdesk.core.memory.model import MemoryView
    from chatdesk.core.views import MessageView
    from chatdesk.ui.attachments.row import AttachmentRow
    from chatdesk.ui.attachments.thumbnails import Thumbnails
    from chatdesk.ui.conversation.memory_card import MemoryWords
    from chatdesk.ui.conversation.message_editor import MessageEditor
    from chatdesk.ui.conversation.sources import SourcesBlock


class MessageWidget(QFrame):
    """Signals carry the message id. `action` names: copy-markdown, copy-plain, regenerate,
    delete, retry, continue, previous-branch, next-branch, load-images, and for an answer the
    model's context window could not hold, summarise and choose-model.

    It keeps 32 methods because a message is shown, streamed, edited and acted on in place:
    each part it may show (its author, reasoning, tool calls, attachments, sources, its status,
    its footer) has its own method, which makes the part when it is first shown, and what shows
    its actions (the mouse over it, the keyboard in it, being the last) is a method each."""

    action = Signal(str, object)
    edited = Signal(object, str)  # message id, new text
    editing = Signal(object)  # its editor (a MessageEditor), shown in place of the bubble
    formatted = Signal()  # its finished text shows formatted
    tool_decided = Signal(object, str, object)  # message id, call id, once/always/deny/Edited
    link_activated = Signal(str, object)  # href, message id
    attachment_action = Signal(object, str)  # an AttachmentView, what to do (AttachmentRow)
    server_fix = Signal(str, str)  # a tool server it went without, and why (a `LeftOutWhy`)

    def __init__(
        self,
        message: MessageView,
        formatter: Formatter,
        parent: QWidget | None = None,
        *,
        speakers: Mapping[str, tuple[str | None, str | None]] | None = None,
    ) -> None:
        """`speakers`: the assistants' (icon, colour) by name, for an answer's head."""
        super().__init__(parent)
        self._speakers = speakers if speakers is not None else {}
        self.message = message
        self._editor: MessageEditor | None = None
        self._column = False  # one of a comparison's answers, in a narrow column
        self._last = False  # the conversation's last message
        self.memory_words: MemoryWords | None = None  # for a memory tool's card (the window's)
        self.setObjectName("userMessage" if message.role is Role.USER else "assistantMessage")
        self._build(formatter)
        self.update_message(message)

    @property
    def message_id(self) -> uuid.UUID:
        return self.message.id

    # -- layout ----------------------------------------------------------------------------------

    def _build(self, formatter: Formatter) -> None:
        user = self.message.role is Role.USER
        self.setFrameShape(QFrame.Shape.NoFrame)
        frame = QVBoxLayout(self)
        frame.setContentsMargins(12, 8, 12, 4)
        self._own = QWidget()  # all of it, hidden when a comparison's columns stand instead
        frame.addWidget(self._own)
        outer = self._outer = QVBoxLayout(self._own)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        self._head = None if user else SpeakerHead()
        # Made when first shown, as most messages never show them (each control costs memory):
        # who wrote the user's message in a team thread, the reasoning's toggle, the status.
        self._header: QLabel | None = None
        self._toggle = reasoning_toggle(self._toggle_reasoning) if self.message.reasoning else None
        self._reasoning: MessageBrowser | None = None  # made when first shown
        self.tool_calls: ToolCallList | None = None  # made for an answer that calls tools
        self.sources: SourcesBlock | None = None  # made for an answer given passages
        # The words written before its tool calls, above them (the body holds those after).
        # It reaches this widget weakly: a cycle through it would leave the widget to Python's
        # collector, which may free it in the middle of Qt's work.
        owner = weakref.ref(self)
        self.lead = LeadWords(formatter, lambda href: _link_of(owner, href))
        self.body = MessageBrowser()
        # translators: a screen reader's name of a message: the user's, or the answer (a noun)
        self.body.setAccessibleName(tr("Your message") if user else tr("Answer"))
        self.body.link_activated.connect(
            lambda href: self.link_activated.emit(self.lead.numbered(href, None), self.message.id)
        )
        self.formatting = MessageText(self.body, formatter, self.formatted.emit)
        # Made for a message that has attachments, below its text; `thumbnails` (the window's
        # decoder) is handed to it, now or when it is made.
        self.attachments: AttachmentRow | None = None
        self._thumbnails: Thumbnails | None = None
        self._status_line: QLabel | None = None
        self._status_row = QHBoxLayout()
        self._status_row.setSpacing(6)
        # Made when a message first needs them (an error, a stop): a page of finished
        # messages builds none of them, nor the reasoning view (a thread opens faster).
        self.status_buttons: dict[str, QPushButton] = {}
        self.footer = MessageFooter(user, versions=self.message.sibling_count > 1)
        self.footer.action.connect(lambda name: self.action.emit(name, self.message.id))
        self.footer.edit.connect(self.start_editing)
        self._meta = self.footer.meta
        ahead = (self._head,) if self._head is not None else ()
        toggle = (self._toggle,) if self._toggle is not None else ()
        bubble, self._inner = words_frame(user, (*ahead, *toggle, self.body))
        self._bubble = bubble  # hidden while the message is edited in its place
        if user:  # the user's words: a bubble fitted to them on the trailing side (bubble.py)
            line = QHBoxLayout()
            line.addStretch(1)
            line.addWidget(bubble)
            outer.addLayout(line)
            BubbleFit(bubble, self._inner, self.body, self._own)
        else:  # an answer uses the column's width
            outer.addWidget(bubble)
        outer.addLayout(self._status_row)
        outer.addWidget(self.footer)

    def show_beside(self, columns: QWidget) -> None:
        """Show a comparison's answers side by side (`columns`) in place of this one."""
        self._own.hide()
        layout = self.layout()
        assert layout is not None
        layout.addWidget(columns)
        parent = self.parentWidget()
        around = parent.layout() if parent is not None else None
        if isinstance(around, ColumnLayout):  # the conversation's: wider than its column
            around.widen(self, len(columns.findChildren(MessageWidget)))
        if self._last:
            self.set_last(True)  # the answers shown in its place show their actions

    def as_column(self) -> None:
        """Fit a narrow column: no "Assistant" or version arrows, fewer buttons, figures wrapped."""
        self._column = True
        self._meta.setWordWrap(True)
        self._outer.insertStretch(self._outer.count() - 2, 1)  # above status and figures
        self.update_message(self.message)

    def _button(self, text: str, name: str, description: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text)
        button.setAccessibleDescription(description)
        button.setToolTip(description)
        button.clicked.connect(lambda: self.action.emit(name, self.message.id))
        return button

    def enterEvent(self, event: QEnterEvent) -> None:
        self.footer.set_hovered(True)
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self.footer.set_hovered(False)
        super().leaveEvent(event)

    def set_last(self, last: bool) -> None:
        """The conversation's last message shows its actions always (a comparison's answers,
        each its own)."""
        self._last = last
        columns = self.findChildren(MessageWidget) if self._own.isHidden() else []
        for footer in (self.footer, *(column.footer for column in columns)):
            footer.set_last(last)

    def show_focus(self, inside: QWidget | None) -> None:
        """The keyboard focus is on `inside`, a widget in this message (None: it went
        elsewhere): the actions show under the message, or the comparison's answer, it is in."""
        self.footer.set_focused(inside is not None)
        for column in self.findChildren(MessageWidget) if self._own.isHidden() else []:
            column.footer.set_focused(inside is not None and column.isAncestorOf(inside))

    # -- state -----------------------------------------------------------------------------------

    def update_message(self, message: MessageView) -> None:
        self.message = message
        if self._own.isHidden():  # a comparison's columns show it (show_beside), formatted there
            return
        if self._head is None:  # the user's: named only in a team thread
            self._show_author(message)
        else:
            look = self._speakers.get(said(message.agent or ""), (None, None))
            self._head.show_speaker(message, look)
            self._head.setVisible(message.author is not None or not self._column)
        self._show_reasoning_state(message)
        self._show_tool_calls(message)
        self._show_attachments(message)
        self._show_sources(message)
        self._show_status(message)
        self._show_footer(message)
        words, rest = self.lead.show(message)
        if self.tool_calls is not None:
            self.tool_calls.set_words(words)
        self.formatting.show(dataclasses.replace(message, content=rest) if words else message)

    def _show_author(self, message: MessageView) -> None:
        """Who wrote the user's message, over its words in a team thread."""
        author = message.author
        if self._header is None:
            if author is None:
                return
            self._header = QLabel()
            self._header.setObjectName("messageHeader")
            self._inner.insertWidget(0, self._header)
        self._header.setText(header_text(message))
        self._header.setToolTip(tr("Written by {author}", author=author) if author else "")
        self._header.setVisible(author is not None)

    @property
    def _thinking(self) -> QToolButton:
        """The toggle that unfolds the reasoning: over the text, and before it in the tab
        order (made when the message first has reasoning)."""
        if self._toggle is None:
            self._toggle = reasoning_toggle(self._toggle_reasoning)
            ahead = self._head is not None or self._header is not None
            self._inner.insertWidget(1 if ahead else 0, self._toggle)
            into_tab_order((self._toggle,), before=self.body)
        return self._toggle

    def _show_reasoning_state(self, message: MessageView) -> None:
        has = bool(message.reasoning)
        if not has and self._toggle is None:
            return
        self._thinking.setVisible(has)
        if has:
            live = not message.status.is_final and not message.content
            arrow = "▾" if self._thinking.isChecked() else "▸"
            self._thinking.setText(f"{arrow} {tr('Thinking…') if live else tr('Reasoning')}")
            if self._thinking.isChecked():
                self._reasoning_view().show_plain(_shown(message.reasoning or ""))

    def _toggle_reasoning(self, shown: bool) -> None:
        self._reasoning_view().setVisible(shown)
        self._show_reasoning_state(self.message)

    def _reasoning_view(self) -> MessageBrowser:
        if self._reasoning is None:
            self._reasoning = MessageBrowser()
            self._reasoning.setObjectName("reasoning")
            self._reasoning.setAccessibleName(tr("Reasoning"))
            self._reasoning.hide()
            self._inner.insertWidget(self._inner.indexOf(self.body), self._reasoning)
        return self._reasoning

    def _show_tool_calls(self, message: MessageView) -> None:
        shown_left_out(self._inner, self.body, message.left_out, self.server_fix.emit)
        if not message.tool_calls and self.tool_calls is None:
            return
        if self.tool_calls is None:
            self.tool_calls = ToolCallList(memory=lambda n, then: self._memory_words(n, then))
            self.tool_calls.decided.connect(
                lambda call_id, choice: self.tool_decided.emit(self.message.id, call_id, choice)
            )
            self.tool_calls.attachment_action.connect(self.attachment_action)
            if self._thumbnails is not None:
                self.tool_calls.thumbnails = self._thumbnails
            self._inner.insertWidget(self._inner.indexOf(self.body), self.tool_calls)
        self.tool_calls.show_calls(message.tool_calls)

    def _memory_words(self, n: int, then: Callable[[MemoryView | None], None]) -> None:
        (self.memory_words or (lambda _, then: then(None)))(n, then)

    def _show_attachments(self, message: MessageView) -> None:
        if self.attachments is None:
            if not message.attachments:
                return
            from chatdesk.ui.attachments.row import AttachmentRow

            self.attachments = AttachmentRow()
            self.attachments.action.connect(self.attachment_action)
            if self._thumbnails is not None:
                self.attachments.thumbnails = self._thumbnails
            self._inner.insertWidget(self._inner.indexOf(self.body) + 1, self.attachments)
        self.attachments.show_attachments(message.attachments)

    def _show_sources(self, message: MessageView) -> None:
        if self.sources is None and message.sources:
            from chatdesk.ui.conversation.sources import SourcesBlock

            self.sources = SourcesBlock(lambda h: self.link_activated.emit(h, message.id))  # as [n]
            self._inner.addWidget(self.sources)
        if self.sources is not None:
            self.sources.show_sources(message.sources)
        shown_cuts(self._inner, message.cuts)  # a line under it, made for documents cut

    @property
    def thumbnails(self) -> Thumbnails | None:
        return self._thumbnails

    @thumbnails.setter
    def thumbnails(self, thumbnails: Thumbnails) -> None:
        self._thumbnails = thumbnails
        for shown in (self.attachments, self.tool_calls):
            if shown is not None:
                shown.thumbnails = thumbnails

    @property
    def _status(self) -> QLabel:
        """The status line under the words (made when the message first has one)."""
        if self._status_line is None:
            self._status_line = status_label()
            self._status_row.insertWidget(0, self._status_line, 1)
        return self._status_line

    def _show_status(self, message: MessageView) -> None:
        text = status_text(message)
        if text or self._status_line is not None:
            status = self._status
            status.setText(text)
            status.setProperty("state", message.status.value)
            status.style().polish(status)
            status.setVisible(bool(text))
        wanted = status_actions(message)
        if not self.status_buttons and not any(wanted.values()):
            return
        for name, button in (self.status_buttons or self._make_status_buttons()).items():
            button.setVisible(wanted[name])

    def _make_status_buttons(self) -> dict[str, QPushButton]:
        for name, text, description in STATUS_BUTTONS:
            button = self._button(tr(text), name, tr(description))
            self.status_buttons[name] = button
            self._status_row.addWidget(button)
        return self.status_buttons

    def _show_footer(self, message: MessageView) -> None:
        final = message.status.is_final
        many = message.sibling_count > 1 and not self._column
        footer = self.footer
        footer.show_versions(message.sibling_index, message.sibling_count, shown=many)
        footer.show_actions(final, words=bool(message.content.strip()))
        for widget in (footer.regenerate_or_edit, footer.delete):
            widget.setVisible(final and not self._column)
        footer.settle()
        footer.show_memory(message.memories, final=final and not self._column)
        figures = usage_text(message, model=self._head is None or self._column) if final else ""
        glued = " · ".join(f.replace(" ", "\u00a0") for f in figures.split(" · "))  # "0.4 s" whole
        self._meta.setText(glued if self._column else figures)

    # -- formatting ------------------------------------------------------------------------------

    @property
    def rendered(self) -> Rendered | None:
        """Its finished text, once formatted."""
        return self.formatting.rendered

    def refresh(self) -> None:
        """Format again (the theme changed, or remote images were allowed)."""
        self.formatting.forget()
        self.lead.refresh()
        self.update_message(self.message)

    def load_images(self, fetched: Mapping[str, bytes]) -> None:
        """Show the remote images the user asked for (fetched by the window, not here)."""
        self.formatting.allow_images(fetched)
        self.update_message(self.message)

    def code_blocks(self) -> tuple[str, ...]:
        """The code blocks the copy anchors on screen refer to."""
        return (*self.lead.code_blocks(), *self.formatting.code_blocks())

    # -- editing ---------------------------------------------------------------------------------

    def start_editing(self) -> None:
        """Edit the message in place of its bubble, so its words show once."""
        if self._editor is not None:
            return
        from chatdesk.ui.conversation.message_editor import MessageEditor

        self._editor = MessageEditor(self.message.content)
        self._bubble.hide()
        self._outer.insertWidget(0, self._editor)
        self._editor.show()  # now, not when the layout gets to it: the view scrolls it into sight
        self._editor.finished.connect(self._finish_editing)
        self._editor.box.setFocus()
        self.editing.emit(self._editor)

    def _finish_editing(self, text: str | None) -> None:
        if self._editor is not None:
            self._editor.hide()
            self._editor.deleteLater()
            self._editor = None
        self._bubble.show()
        if text is not None and text.strip() and text != self.message.content:
            self.edited.emit(self.message.id, text)


def _link_of(owner: weakref.ref[MessageWidget], href: str) -> None:
    widget = owner()
    if widget is not None:
        widget.link_activated.emit(href, widget.message.id)


def _shown(text: str) -> str:
    """At most SHOWN_CHARS of `text`, saying so when there is more."""
    if len(text) <= SHOWN_CHARS:
        return text
    note = ntr(
        "… (the first {shown} of {count} character)",
        "… (the first {shown} of {count} characters)",
        len(text),
        shown=number(SHOWN_CHARS),
        count=number(len(text)),
    )
    return f"{text[:SHOWN_CHARS]}\n{note}"
