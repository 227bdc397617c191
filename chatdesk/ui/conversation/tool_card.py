"""A tool call in the conversation: a card with its server and tool, where it stands (calling,
waiting for you, running with its time, done, failed, denied, not finished), its arguments and
result folded out on demand, each copyable, the images its result gave as thumbnails that open
the viewer, and, while it waits for you, Allow once / Always allow this tool / Deny. A tool's
name is always shown with its server's.

The arguments and the result are untrusted text: they are shown as plain text, never as markup,
and a long result is shown up to `SHOWN_CHARS` (Copy copies all of it)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import mark, ntr, number, tr
from chatdesk.core.kinds import CallState
from chatdesk.core.tools.model import MEMORY
from chatdesk.ui.conversation.buttons import copy_button, fold_button
from chatdesk.ui.conversation.fitted_text import FittedText
from chatdesk.ui.conversation.structured_view import (
    StructuredView,
    cut_shown,
    warning_label,
    warnings_of,
)
from chatdesk.ui.conversation.web_cards import WebLines, is_web, readable_result
from chatdesk.ui.plain_text import plain_tip

if TYPE_CHECKING:
    from chatdesk.core.views import ToolCallView
    from chatdesk.ui.attachments.row import AttachmentRow
    from chatdesk.ui.attachments.thumbnails import Thumbnails
    from chatdesk.ui.conversation.tool_resources import ResourceRows

SHOWN_CHARS = 20_000
_GLYPHS: dict[str, str] = {
    CallState.STREAMING: "…",
    CallState.WAITING: "?",
    CallState.RUNNING: "⟳",
    CallState.DONE: "✓",
    CallState.FAILED: "✗",
    CallState.NOT_RUN: "⊘",
    CallState.NOT_FINISHED: "!",
}
CHOICES = (  # choice, label, what it does
    ("once", mark("Allow once"), mark("Run this call")),
    ("always", mark("Always allow this tool"), mark("Run this call and this tool's later calls")),
    ("deny", mark("Deny"), mark("Do not run it; the model is told you declined")),
)


class ToolCallCard(QFrame):
    """Signals carry the call id: `decided(call_id, choice)` with choice once/always/deny;
    `attachment_action(view, name)` is an image's, as `AttachmentRow` says it."""

    decided = Signal(str, object)  # a memory's card may answer `Edited` (memory_card.py)
    attachment_action = Signal(object, str)
    unfold_waiting = True  # the whole arguments are seen before deciding

    def __init__(
        self,
        call: ToolCallView,
        parent: QWidget | None = None,
        thumbnails: Thumbnails | None = None,
    ) -> None:
        super().__init__(parent)
        self._thumbnails = thumbnails
        self.images: AttachmentRow | None = None  # made for a result that gave images
        self.resources: ResourceRows | None = None  # made for one that gave resources
        self.setObjectName("toolCard")
        self.call = call
        self._running_since: float | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 4, 8, 4)
        outer.setSpacing(2)
        head = QHBoxLayout()
        head.setSpacing(6)
        hide = tr("Hide the arguments and the result")
        self._fold = fold_button(tr("Show the arguments and the result"), hide)
        self._fold.toggled.connect(self._toggle)
        # Plain text: a title is the server's, and a call not run says its result. The state
        # wraps, so a long one never makes the conversation wider than the window; the title
        # (one line of at most 80 characters) keeps its line.
        self._title = QLabel()
        self._title.setObjectName("toolTitle")
        self._state = QLabel()
        self._state.setObjectName("toolState")
        self._state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._state.setWordWrap(True)
        for label in (self._title, self._state):
            label.setTextFormat(Qt.TextFormat.PlainText)
        head.addWidget(self._fold)
        head.addWidget(self._title)
        head.addWidget(self._state, 1)
        outer.addLayout(head)
        self.web: WebLines | None = None  # the web's tools: what was searched for or read
        self._details: QWidget | None = None  # made when first folded out
        self._arguments: FittedText | None = None
        self._result: FittedText | None = None
        self._result_caption: QLabel | None = None
        self.structured: StructuredView | None = None
        self.warning: QLabel | None = None  # made when there is something to warn of
        # Allow once / Always / Deny, made when the call first waits: a finished call never
        # shows them (a thread with many calls opens faster).
        self._choices: QWidget | None = None
        self.choice_buttons: dict[str, QPushButton] = {}
        self._ticker: QTimer | None = None  # made when the call first runs
        self.show_call(call)

    def _make_choices(self) -> QWidget:
        choices = QWidget()
        row = QHBoxLayout(choices)
        row.setContentsMargins(22, 2, 0, 2)
        for choice, marked, described in CHOICES:
            label, description = tr(marked), tr(described)
            button = QPushButton(label)
            button.setObjectName("toolChoice")
            # translators: a button's name for a screen reader: "Allow once: files › read_file"
            button.setAccessibleName(tr("{choice}: {tool}", choice=label, tool=self.call.label))
            button.setAccessibleDescription(description)
            button.setToolTip(description)
            button.clicked.connect(
                lambda _=False, c=choice: self.decided.emit(self.call.call_id, c)
            )
            row.addWidget(button)
            self.choice_buttons[choice] = button
        row.addStretch(1)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.addWidget(choices)
        return choices

    def show_call(self, call: ToolCallView) -> None:
        self.call = call
        glyph = _GLYPHS.get(call.state, "•")
        self._title.setText(f"{glyph} {call.label}")
        if call.title:  # the name the model calls it by, which no title can hide
            self._title.setToolTip(plain_tip(call.real_label))
        self._show_warnings(call)
        self._state.setText(call.state_text)
        self._state.setProperty("state", call.state)
        self._state.style().polish(self._state)
        if is_web(call):
            self._show_web(call)
        self.setAccessibleName(
            tr("Tool call {tool}: {state}", tool=call.label, state=call.state_text)
        )
        waiting = call.state == CallState.WAITING
        if waiting and self._choices is None:
            self._choices = self._make_choices()
        if self._choices is not None:
            self._choices.setVisible(waiting)
        if call.state == CallState.RUNNING:
            self._running_since = self._running_since or time.monotonic()
            if self._ticker is None:
                self._ticker = QTimer(self, interval=1000)
                self._ticker.timeout.connect(self._tick)
            self._ticker.start()
        else:
            self._running_since = None
            if self._ticker is not None:
                self._ticker.stop()
        if self._details is not None:
            self._fill_details()
        if call.images:
            self._show_images(call)
        if call.resources:
            self._show_resources(call)
        if waiting and self.unfold_waiting and not self._fold.isChecked():
            self._fold.setChecked(True)

    def fits(self, call: ToolCallView) -> bool:
        """Whether this kind of card shows `call` (whose server is known once it is written)."""
        return call.server != MEMORY

    def _show_warnings(self, call: ToolCallView) -> None:
        said = warnings_of(call)
        if said and self.warning is None:
            self.warning = warning_label()
            layout = self.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(1 + (self.web is not None), self.warning)
        if self.warning is not None:
            self.warning.setText(said)
            self.warning.setVisible(bool(said))

    def _show_web(self, call: ToolCallView) -> None:
        if self.web is None:
            self.web = WebLines()
            layout = self.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(1, self.web)  # under the title, above the details
        self.web.show_call(call)
        self.setAccessibleDescription(self.web.line.text())  # what was searched for or read

    def _show_images(self, call: ToolCallView) -> None:
        if self.images is None:
            from chatdesk.ui.attachments.row import AttachmentRow

            self.images = AttachmentRow()
            self.images.setAccessibleName(tr("Images from {tool}", tool=call.label))
            self.images.setContentsMargins(22, 0, 0, 0)
            self.images.action.connect(self.attachment_action)
            if self._thumbnails is not None:
                self.images.thumbnails = self._thumbnails
            layout = self.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.addWidget(self.images)
        self.images.show_attachments(call.images)

    def _show_resources(self, call: ToolCallView) -> None:
        """Its resource links and embedded resources, a row each with Open and Attach."""
        if self.resources is None:
            from chatdesk.ui.conversation.tool_resources import ResourceRows

            self.resources = ResourceRows()
            self.resources.action.connect(self.attachment_action)
            layout = self.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.addWidget(self.resources)
        self.resources.show_resources(call.resources)

    @property
    def thumbnails(self) -> Thumbnails | None:
        return self._thumbnails

    @thumbnails.setter
    def thumbnails(self, thumbnails: Thumbnails) -> None:
        self._thumbnails = thumbnails
        if self.images is not None:
            self.images.thumbnails = thumbnails

    def _tick(self) -> None:
        if self._running_since is not None:
            seconds = time.monotonic() - self._running_since
            # translators: a tool call is running, for {seconds} seconds so far
            self._state.setText(tr("Running… {seconds} s", seconds=f"{seconds:.0f}"))

    def _toggle(self, shown: bool) -> None:
        if self._details is None:
            self._details = self._make_details()
            layout = self.layout()
            assert isinstance(layout, QVBoxLayout)
            below = 1 + (self.web is not None) + (self.warning is not None)
            layout.insertWidget(below, self._details)
        self._fill_details()
        self._details.setVisible(shown)

    def _make_details(self) -> QWidget:
        details = QWidget()
        layout = QVBoxLayout(details)
        layout.setContentsMargins(22, 0, 0, 0)
        layout.setSpacing(2)
        # translators: what a tool call was given (its arguments, as the model wrote them)
        arguments = tr("Arguments")
        # translators: what a tool gave back
        result = tr("Result")
        self._arguments = FittedText(arguments, 160)
        self._result = FittedText(result, 240)
        copy_arguments = copy_button(tr("Copy arguments"), tr("Copy the call's arguments"))
        copy_arguments.clicked.connect(lambda: _copy(self.call.arguments))
        copy_result = copy_button(tr("Copy result"), tr("Copy the tool's result"))
        copy_result.clicked.connect(lambda: _copy(self.call.result or ""))
        self._copy_result = copy_result
        layout.addWidget(_caption(arguments))
        layout.addWidget(self._arguments)
        self._result_caption = _caption(result)
        layout.addWidget(self._result_caption)
        layout.addWidget(self._result)
        self.structured = StructuredView(SHOWN_CHARS)
        layout.addWidget(self.structured)
        buttons = QHBoxLayout()
        buttons.addWidget(copy_arguments)
        buttons.addWidget(copy_result)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        return details

    def _fill_details(self) -> None:
        assert self._arguments is not None
        assert self._result is not None
        assert self._result_caption is not None
        self._arguments.show_text(self.call.pretty_arguments or "{}")
        result = self.call.result
        for widget in (self._result_caption, self._result, self._copy_result):
            widget.setVisible(result is not None)  # none while it waits, runs, or never ran
        if result is not None:
            readable = (readable_result(self.call) if is_web(self.call) else None) or result
            shown = cut_shown(
                readable,
                len(result),
                SHOWN_CHARS,
                # translators: "Copy result" is the button's name
                lambda more: ntr(
                    "[… {count} more characters: Copy result]",
                    "[… {count} more characters: Copy result]",
                    more,
                    count=number(more),
                ),
            )
            self._result.show_text(shown)
        assert self.structured is not None
        self.structured.setVisible(bool(self.call.structured))
        if self.call.structured:
            self.structured.show_structured(self.call.structured)


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("toolCaption")
    return label


def _copy(text: str) -> None:
    QGuiApplication.clipboard().setText(text)
