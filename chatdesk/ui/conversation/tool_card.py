"""A tool call in the conversation: a card with its server and tool, where it stands (calling,
waiting for you, running with its time, done, failed, denied, not finished), its arguments and
result folded out on demand, each copyable, and, while it waits for you, Allow once / Always
allow this tool / Deny. A tool's name is always shown with its server's.

The arguments and the result are untrusted text: they are shown as plain text, never as markup,
and a long result is shown up to `SHOWN_CHARS` (Copy copies all of it)."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.ui.conversation.buttons import flat_button

if TYPE_CHECKING:
    from chatdesk.core.chat.views import ToolCallView

SHOWN_CHARS = 20_000
STREAMING = "streaming"  # the model is still writing the call (no stored state yet)
_GLYPHS = {
    STREAMING: "…",
    "waiting": "?",
    "running": "⟳",
    "done": "✓",
    "failed": "✗",
    "not_run": "⊘",
    "not_finished": "!",
}
CHOICES = (  # choice, label, what it does
    ("once", "Allow once", "Run this call"),
    ("always", "Always allow this tool", "Run this call and this tool's later calls"),
    ("deny", "Deny", "Do not run it; the model is told you declined"),
)


class ToolCallCard(QFrame):
    """Signals carry the call id: `decided(call_id, choice)` with choice once/always/deny."""

    decided = Signal(str, str)

    def __init__(self, call: ToolCallView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("toolCard")
        self.call = call
        self._running_since: float | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 4, 8, 4)
        outer.setSpacing(2)
        head = QHBoxLayout()
        head.setSpacing(6)
        self._fold = QToolButton()
        self._fold.setObjectName("toolFold")
        self._fold.setCheckable(True)
        self._fold.setAutoRaise(True)
        self._fold.setText("▸")
        self._fold.setAccessibleName("Show the arguments and the result")
        self._fold.toggled.connect(self._toggle)
        self._title = QLabel()
        self._title.setObjectName("toolTitle")
        self._state = QLabel()
        self._state.setObjectName("toolState")
        self._state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        head.addWidget(self._fold)
        head.addWidget(self._title)
        head.addWidget(self._state, 1)
        outer.addLayout(head)
        self._details: QWidget | None = None  # made when first folded out
        self._arguments: FittedText | None = None
        self._result: FittedText | None = None
        self._result_caption: QLabel | None = None
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
        for choice, label, description in CHOICES:
            button = QPushButton(label)
            button.setObjectName("toolChoice")
            button.setAccessibleName(f"{label}: {self.call.label}")
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
        self._state.setText(call.state_text)
        self._state.setProperty("state", call.state)
        self._state.style().polish(self._state)
        self.setAccessibleName(f"Tool call {call.label}: {call.state_text}")
        waiting = call.state == "waiting"
        if waiting and self._choices is None:
            self._choices = self._make_choices()
        if self._choices is not None:
            self._choices.setVisible(waiting)
        if call.state == "running":
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
        if waiting and not self._fold.isChecked():
            self._fold.setChecked(True)  # the whole arguments are seen before deciding

    def _tick(self) -> None:
        if self._running_since is not None:
            seconds = time.monotonic() - self._running_since
            self._state.setText(f"Running… {seconds:.0f} s")

    def _toggle(self, shown: bool) -> None:
        self._fold.setText("▾" if shown else "▸")
        if self._details is None:
            self._details = self._make_details()
            layout = self.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(1, self._details)
        self._fill_details()
        self._details.setVisible(shown)

    def _make_details(self) -> QWidget:
        details = QWidget()
        layout = QVBoxLayout(details)
        layout.setContentsMargins(22, 0, 0, 0)
        layout.setSpacing(2)
        self._arguments = FittedText("Arguments", 160)
        self._result = FittedText("Result", 240)
        copy_arguments = flat_button("Copy arguments", "Copy the call's arguments")
        copy_arguments.clicked.connect(lambda: _copy(self.call.arguments))
        copy_result = flat_button("Copy result", "Copy the tool's result")
        copy_result.clicked.connect(lambda: _copy(self.call.result or ""))
        self._copy_result = copy_result
        layout.addWidget(_caption("Arguments"))
        layout.addWidget(self._arguments)
        self._result_caption = _caption("Result")
        layout.addWidget(self._result_caption)
        layout.addWidget(self._result)
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
            shown = result[:SHOWN_CHARS]
            if len(result) > SHOWN_CHARS:
                shown += f"\n\n[… {len(result) - SHOWN_CHARS:,} more characters: Copy result]"
            self._result.show_text(shown)


class FittedText(QTextBrowser):
    """Read-only plain text (never markup, never a link followed) as tall as its text, up to
    `most` pixels, then scrolling."""

    def __init__(self, name: str, most: int) -> None:
        super().__init__()
        self.setObjectName("toolText")
        self.setAccessibleName(name)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setTabChangesFocus(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._most = most
        self.document().documentLayout().documentSizeChanged.connect(self._fit)

    def show_text(self, text: str) -> None:
        if self.toPlainText() != text:
            self.setPlainText(text)

    def _fit(self) -> None:
        frame = 2 * self.frameWidth()
        wanted = math.ceil(self.document().size().height()) + frame
        self.setFixedHeight(max(min(wanted, self._most), self.fontMetrics().height() + frame))


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("toolCaption")
    return label


def _copy(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


class ToolCallList(QWidget):
    """An answer's cards, in order, and "Allow all" when several calls of a round wait."""

    decided = Signal(str, str)  # call id, choice

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("toolCalls")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 2, 0, 2)
        self._layout.setSpacing(4)
        self.cards: dict[str, ToolCallCard] = {}
        self._all = QPushButton()
        self._all.setObjectName("toolChoice")
        self._all.setToolTip("Run every call that waits for you")
        self._all.clicked.connect(self._allow_all)
        self._layout.addWidget(self._all, 0, Qt.AlignmentFlag.AlignLeft)

    def show_calls(self, calls: tuple[ToolCallView, ...]) -> None:
        for call in calls:
            card = self.cards.get(call.call_id)
            if card is None:
                card = ToolCallCard(call)
                card.decided.connect(self.decided)
                self.cards[call.call_id] = card
                self._layout.insertWidget(self._layout.count() - 1, card)
            else:
                card.show_call(call)
        waiting = [c for c in calls if c.state == "waiting"]
        self._all.setText(f"Allow all {len(waiting)} calls")
        self._all.setAccessibleName(f"Allow all {len(waiting)} waiting tool calls")
        self._all.setVisible(len(waiting) > 1)

    def _allow_all(self) -> None:
        for call_id, card in self.cards.items():
            if card.call.state == "waiting":
                self.decided.emit(call_id, "once")
