"""What a tool call's card shows of its structured result and its hints: the structured result
as indented JSON, folded until asked for (plain text, copyable, cut like the result is shown),
and a warning line under the card's title for what the user should see without unfolding: the
tool says it may delete or change things (while the call waits for approval), or its result
does not match what it said it returns.

All of it is the server's text: shown as plain text, never as markup."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from chatdesk.core.i18n import ntr, number, tr
from chatdesk.core.kinds import CallState
from chatdesk.ui.conversation.buttons import copy_button, fold_button
from chatdesk.ui.conversation.fitted_text import FittedText

if TYPE_CHECKING:
    from chatdesk.core.views import ToolCallView


def warnings_of(call: ToolCallView) -> str:
    """The card's warning lines ("": none)."""
    lines = []
    if call.destructive and call.state == CallState.WAITING:
        lines.append(tr("This tool may delete or change things"))
    if call.mismatch:
        lines.append(call.mismatch_text)
    return "\n".join(lines)


def warning_label() -> QLabel:
    label = QLabel()
    label.setObjectName("toolWarning")
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setContentsMargins(22, 0, 0, 0)
    label.setAccessibleName(tr("Warning"))
    return label


def cut_shown(text: str, whole: int, most: int, more: Callable[[int], str]) -> str:
    """Up to `most` characters of `text` (what is shown of something `whole` characters long),
    then, if it is longer, a line made by `more` from how many characters were left out."""
    if whole <= most:
        return text[:most]
    return text[:most] + "\n\n" + more(whole - most)


class StructuredView(QWidget):
    """The structured result of a call, folded: a button that unfolds it, the JSON, a Copy."""

    def __init__(self, shown_chars: int) -> None:
        super().__init__()
        self._shown_chars = shown_chars
        self._structured = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        row = QHBoxLayout()
        row.setSpacing(4)
        self.fold = fold_button(tr("Show the structured result"), tr("Hide the structured result"))
        # translators: the data a tool gave back besides its text, shown as JSON
        self._caption = QLabel(tr("Structured result"))
        self._caption.setObjectName("toolCaption")
        self.copy = copy_button(tr("Copy JSON"), tr("Copy the structured result"))
        self.copy.clicked.connect(self._copy)
        row.addWidget(self.fold)
        row.addWidget(self._caption)
        row.addStretch(1)
        row.addWidget(self.copy)
        layout.addLayout(row)
        self.text: FittedText = FittedText(tr("Structured result"), 240)
        self.text.setVisible(False)
        layout.addWidget(self.text)
        self.fold.toggled.connect(self.text.setVisible)

    def show_structured(self, structured: str) -> None:
        self._structured = structured
        shown = cut_shown(
            structured,
            len(structured),
            self._shown_chars,
            # translators: "Copy JSON" is the button's name
            lambda more: ntr(
                "[… {count} more characters: Copy JSON]",
                "[… {count} more characters: Copy JSON]",
                more,
                count=number(more),
            ),
        )
        self.text.show_text(shown)

    def _copy(self) -> None:
        from PySide6.QtGui import QGuiApplication

        QGuiApplication.clipboard().setText(self._structured)
