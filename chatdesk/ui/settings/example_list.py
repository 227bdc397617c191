"""An assistant's example prompts, one small text box each: an example may span lines (a code
block to fill in) and may end with a space on purpose (the cursor waits there), so each is
kept exactly as typed; an empty box is dropped when the assistant is saved."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.assistants.model import MAX_EXAMPLES
from chatdesk.core.i18n import ntr, tr


class ExampleList(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editors: list[QPlainTextEdit] = []
        self._rows: list[QWidget] = []
        self._inner = QWidget(self)
        self._column = QVBoxLayout(self._inner)
        self._column.setContentsMargins(0, 0, 0, 0)
        self._column.setSpacing(4)
        self._column.addStretch(1)
        self.area = QScrollArea(self)
        self.area.setObjectName("exampleScroll")
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setStyleSheet(
            "QScrollArea, QScrollArea > QWidget > QWidget { background: transparent; }"
        )
        self.area.setWidget(self._inner)
        self.area.setMinimumHeight(self._box_height() * 2 + 8)
        self.add = QPushButton(tr("Add e&xample"), self)
        self.add.setObjectName("addExample")
        self.add.setToolTip(
            ntr("At most {n} example prompt", "At most {n} example prompts", MAX_EXAMPLES)
        )
        self.add.clicked.connect(lambda: self.add_example("").setFocus())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.area, 1)
        row = QHBoxLayout()
        row.addWidget(self.add)
        row.addStretch(1)
        layout.addLayout(row)

    def _box_height(self) -> int:
        return self.fontMetrics().lineSpacing() * 3 + 12

    def set_examples(self, examples: Sequence[str]) -> None:
        for row in list(self._rows):
            self._remove(row)
        for text in examples:
            self.add_example(text)

    def examples(self) -> tuple[str, ...]:
        """Every box's text exactly as typed, blank ones left out."""
        return tuple(text for e in self.editors if (text := e.toPlainText()).strip())

    def add_example(self, text: str) -> QPlainTextEdit:
        row = QWidget(self._inner)
        editor = QPlainTextEdit(text, row)
        editor.setTabChangesFocus(True)
        editor.setPlaceholderText(
            tr("A prompt offered in a new chat, e.g. “Translate into French: ”")
        )
        editor.setFixedHeight(self._box_height())
        remove = QToolButton(row)
        remove.setText("✕")
        remove.setAutoRaise(True)
        remove.clicked.connect(lambda: self._remove(row))
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(editor, 1)
        line.addWidget(remove, 0, Qt.AlignmentFlag.AlignTop)
        self._column.insertWidget(self._column.count() - 1, row)
        self._rows.append(row)
        self.editors.append(editor)
        self._renumber()
        self.area.ensureWidgetVisible(row)
        return editor

    def _remove(self, row: QWidget) -> None:
        index = self._rows.index(row)
        del self._rows[index], self.editors[index]
        self._column.removeWidget(row)
        row.hide()
        row.deleteLater()
        self._renumber()

    def _renumber(self) -> None:
        for number, (row, editor) in enumerate(zip(self._rows, self.editors, strict=True), 1):
            editor.setAccessibleName(tr("Example prompt {number}", number=number))
            remove = row.findChild(QToolButton)
            if remove is not None:
                remove.setToolTip(tr("Remove example {number}", number=number))
                remove.setAccessibleName(tr("Remove example prompt {number}", number=number))
        self.add.setEnabled(len(self.editors) < MAX_EXAMPLES)
        # The "Examples" label's mnemonic lands in the first box (or on Add when there is none).
        self.setFocusProxy(self.editors[0] if self.editors else self.add)
