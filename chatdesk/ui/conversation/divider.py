"""The divider that marks where a summary stands in for the messages above it.

It reads "Earlier messages summarised", with the model that wrote the summary and its size;
View unfolds the summary's text, Edit and Delete ask the window to act (a dialog, a question).
The text is model output: it is shown as plain text, never as rich text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import ntr, number, tr
from chatdesk.ui.conversation.buttons import flat_button

if TYPE_CHECKING:  # the views load with the core, behind the window's first paint
    from chatdesk.core.views import SummaryView


def _rule() -> QFrame:
    rule = QFrame()
    rule.setObjectName("summaryRule")
    rule.setFrameShape(QFrame.Shape.HLine)
    rule.setFrameShadow(QFrame.Shadow.Plain)
    rule.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return rule


def summary_meta(summary: SummaryView) -> str:
    """ "gpt-4o-mini · 312 tokens · edited" """
    count = summary.token_count
    tokens = ntr("{count} tokens", "{count} tokens", count, count=number(count))
    parts = [summary.model or "", tokens]
    if summary.edited_at is not None:
        # translators: said of a summary the user edited: "gpt-4o-mini · 312 tokens · edited"
        parts.append(tr("edited"))
    return " · ".join(p for p in parts if p)


def covered_text(count: int) -> str:
    # translators: {count} is how many; a singular that serves other counts too may use {count}
    return ntr(
        "The model reads this summary instead of the first message of this branch. "
        "Delete it to send them again.",
        "The model reads this summary instead of the first {count} messages of this branch. "
        "Delete it to send them again.",
        count,
        count=number(count),
    )


class SummaryDivider(QFrame):
    edit_requested = Signal(object)  # the SummaryView
    delete_requested = Signal(object)  # the SummaryView

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("summaryDivider")
        self.setAccessibleName(tr("Earlier messages summarised"))
        self.summary: SummaryView | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 10, 12, 10)
        outer.setSpacing(6)
        outer.addLayout(self._build_line())
        self.text = QLabel()
        self.text.setObjectName("summaryText")
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # model output: never rich text
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.text.setAccessibleName(tr("Summary of the earlier messages"))
        self.note = QLabel()
        self.note.setObjectName("summaryNote")
        self.note.setWordWrap(True)
        outer.addWidget(self.text)
        outer.addWidget(self.note)
        self._unfold(False)

    def _build_line(self) -> QHBoxLayout:
        line = QHBoxLayout()
        line.setSpacing(8)
        caption = QLabel(tr("Earlier messages summarised"))
        caption.setObjectName("summaryCaption")
        self.meta = QLabel()
        self.meta.setObjectName("summaryMeta")
        # translators: a button that shows a summary's text
        self.view_button = flat_button(tr("View"), tr("Show the summary's text"))
        self.view_button.setCheckable(True)
        self.view_button.toggled.connect(self._unfold)
        self.edit_button = flat_button(tr("Edit…"), tr("Edit the summary the model reads"))
        self.edit_button.clicked.connect(lambda: self._ask(self.edit_requested))
        self.delete_button = flat_button(
            tr("Delete…"), tr("Delete the summary: send the messages again")
        )
        self.delete_button.clicked.connect(lambda: self._ask(self.delete_requested))
        line.addWidget(_rule(), 1)
        line.addWidget(caption)
        line.addWidget(self.meta)
        line.addWidget(_rule(), 1)
        for button in (self.view_button, self.edit_button, self.delete_button):
            line.addWidget(button)
        return line

    def _ask(self, signal: SignalInstance) -> None:
        if self.summary is not None:
            signal.emit(self.summary)

    @property
    def unfolded(self) -> bool:
        return self.view_button.isChecked()

    def _unfold(self, shown: bool) -> None:
        self.text.setVisible(shown)
        self.note.setVisible(shown)
        # translators: buttons that hide and show a summary's text
        self.view_button.setText(tr("Hide") if shown else tr("View"))
        self.view_button.setAccessibleName(
            tr("Hide the summary's text") if shown else tr("Show the summary's text")
        )

    def show_summary(self, summary: SummaryView, covered: int) -> None:
        """`covered`: how many messages of the branch it stands in for."""
        if self.summary is None or summary.id != self.summary.id:
            self.view_button.setChecked(False)  # another summary starts folded
        self.summary = summary
        meta = summary_meta(summary)
        self.meta.setText(meta)
        self.text.setText(summary.content)
        self.note.setText(covered_text(covered))
        self.setAccessibleDescription(f"{meta}. {covered_text(covered)}")
