"""Preferences ▸ Memory's editor, under the list: a memory's words and whose chats it is for,
for a new memory (Add…) or the one chosen (Edit, or a double-click on its row).

Save hands what was typed to the page (`saved`); what the core refuses (no words, too many) is
said beside the words, which stay as typed until the user changes them or cancels."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import number, tr
from chatdesk.core.memory.model import MAX_CHARS, MemoryView
from chatdesk.ui.settings.notices import Notice, Tone

# Whose chats a memory is for, as the combo keeps it: (assistant id, project id).
Whom = tuple[uuid.UUID | None, uuid.UUID | None]
Named = list[tuple[uuid.UUID, str]]  # (id, name) of the assistants, or of the projects


@dataclass(frozen=True)
class Typed:
    """What Save hands over: the memory edited (None: a new one), its words and for whom."""

    memory_id: int | None
    text: str
    whom: Whom


def fill_whom(combo: QComboBox, assistants: Named, projects: Named, keep: Whom) -> None:
    """Everyone, each assistant, each project; `keep` chosen (added when not listed)."""
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(tr("Everyone"), (None, None))
    for assistant_id, name in assistants:
        combo.addItem(tr("Assistant “{name}”", name=name), (assistant_id, None))
    for project_id, name in projects:
        combo.addItem(tr("Project “{name}”", name=name), (None, project_id))
    index = next((i for i in range(combo.count()) if combo.itemData(i) == keep), 0)
    combo.setCurrentIndex(index)
    combo.blockSignals(False)


class MemoryEditor(QWidget):
    saved = Signal(object)  # Typed
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("memoryEditor")
        self._memory_id: int | None = None
        self._named: tuple[Named, Named] = ([], [])
        self.heading = QLabel(self)
        self.heading.setObjectName("memoryEditorHeading")
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("memoryText")
        self.text.setAccessibleName(tr("The memory's words"))
        self.text.setPlaceholderText(
            tr("e.g. {example}", example=tr("I write in British English."))
        )
        self.text.setTabChangesFocus(True)
        self.text.setMaximumHeight(self.fontMetrics().lineSpacing() * 5 + 12)
        self.text.textChanged.connect(self._typed)
        self.count = QLabel(self)
        self.count.setObjectName("memoryCharacters")
        self.problem = Notice("memoryProblem", self)
        self.whom = QComboBox(self)
        self.whom.setObjectName("memoryWhom")
        self.whom.setAccessibleName(tr("For whom"))
        self.whom.setToolTip(tr("Whose chats the memory is given in"))
        whom_label = QLabel(tr("For whom:"), self)
        whom_label.setBuddy(self.whom)
        self.save = QPushButton(tr("Sa&ve"), self)
        self.save.setObjectName("saveMemory")
        self.save.setAutoDefault(False)
        self.save.clicked.connect(self._save)
        self.cancel = QPushButton(tr("Cancel"), self)
        self.cancel.setObjectName("cancelMemory")
        self.cancel.setAutoDefault(False)
        self.cancel.clicked.connect(self.close_editor)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(whom_label)
        row.addWidget(self.whom, 1)
        row.addWidget(self.count)
        row.addWidget(self.save)
        row.addWidget(self.cancel)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.heading)
        column.addWidget(self.text)
        column.addWidget(self.problem)
        column.addLayout(row)
        self.hide()

    @property
    def memory_id(self) -> int | None:
        """The memory being edited; None while adding one or closed."""
        return self._memory_id

    def set_named(self, assistants: Named, projects: Named) -> None:
        """The assistants and projects a memory may be for (read again as they change)."""
        self._named = (assistants, projects)
        keep = self.whom.currentData()
        fill_whom(self.whom, assistants, projects, keep if keep is not None else (None, None))

    def add(self) -> None:
        self._open(None, "", (None, None))
        self.heading.setText(tr("A new memory"))

    def edit(self, memory: MemoryView) -> None:
        self._open(memory.id, memory.text, (memory.assistant_id, memory.project_id))
        self.heading.setText(tr("Editing a memory"))
        if self.whom.currentData() != self._whom(memory):  # not listed (yet)
            self.whom.addItem(memory.for_whom(), self._whom(memory))
            self.whom.setCurrentIndex(self.whom.count() - 1)

    @staticmethod
    def _whom(memory: MemoryView) -> Whom:
        return memory.assistant_id, memory.project_id

    def _open(self, memory_id: int | None, text: str, whom: Whom) -> None:
        self._memory_id = memory_id
        fill_whom(self.whom, *self._named, whom)
        self.text.setPlainText(text)
        self.problem.clear_notice()
        self.show()
        self.text.setFocus(Qt.FocusReason.OtherFocusReason)
        self.text.selectAll()

    def refuse(self, said: str) -> None:
        """The core refused the words: say why beside them, the words kept as typed."""
        self.problem.say(Tone.ERROR, said)
        self.text.setFocus(Qt.FocusReason.OtherFocusReason)

    def close_editor(self) -> None:
        self._memory_id = None
        self.problem.clear_notice()
        self.hide()
        self.closed.emit()

    def _save(self) -> None:
        whom = self.whom.currentData()
        assert isinstance(whom, tuple)
        self.saved.emit(Typed(self._memory_id, self.text.toPlainText(), whom))

    def _typed(self) -> None:
        length = len(self.text.toPlainText().strip())
        self.count.setText(f"{number(length)} / {number(MAX_CHARS)}")
        self.count.setAccessibleName(
            tr("{count} of at most {most} characters", count=number(length), most=number(MAX_CHARS))
        )
