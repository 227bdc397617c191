"""Preferences ▸ Memory's switches per assistant and per project: a ticked name is one whose
chats are given memories (and may propose new ones); unticked, its chats go without."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import tr
from chatdesk.ui.settings.memory_editor import Named

ID_ROLE = Qt.ItemDataRole.UserRole
ASSISTANT, PROJECT = "assistant", "project"


class WhereOn(QWidget):
    switched = Signal(str, object, bool)  # ASSISTANT or PROJECT, its id, on

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.assistants = self._list(
            "memoryAssistants", tr("Memory in these assistants' chats"), ASSISTANT
        )
        self.projects = self._list("memoryProjects", tr("Memory in these projects' chats"), PROJECT)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for box, words in (
            (self.assistants, tr("Memory in these assistants' chats:")),
            (self.projects, tr("Memory in these projects' chats:")),
        ):
            column = QVBoxLayout()
            label = QLabel(words, self)
            label.setWordWrap(True)
            column.addWidget(label)
            column.addWidget(box)
            row.addLayout(column, 1)

    def _list(self, name: str, spoken: str, kind: str) -> QListWidget:
        box = QListWidget(self)
        box.setObjectName(name)
        box.setAccessibleName(spoken)
        box.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        box.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        box.setMaximumHeight(self.fontMetrics().lineSpacing() * 7)
        box.itemChanged.connect(lambda item: self._changed(kind, item))
        return box

    def show_switches(
        self, assistants: Named, projects: Named, off: tuple[set[uuid.UUID], set[uuid.UUID]]
    ) -> None:
        for box, named, switched_off in (
            (self.assistants, assistants, off[0]),
            (self.projects, projects, off[1]),
        ):
            box.blockSignals(True)
            box.clear()
            for row_id, name in named:
                item = QListWidgetItem(name, box)
                item.setData(ID_ROLE, row_id)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                on = row_id not in switched_off
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            if not named:
                # translators: in the list of projects whose chats get memories, when none
                empty = QListWidgetItem(tr("None yet"), box)
                empty.setFlags(Qt.ItemFlag.NoItemFlags)
            box.blockSignals(False)

    def _changed(self, kind: str, item: QListWidgetItem) -> None:
        row_id = item.data(ID_ROLE)
        if isinstance(row_id, uuid.UUID):
            self.switched.emit(kind, row_id, item.checkState() == Qt.CheckState.Checked)
