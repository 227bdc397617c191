"""Preferences ▸ Memory's list: one row per memory kept, its words, whose chats it is for,
where it came from, when it was last given to a model, and its On and Always switches.

The switches are ticked in the list itself: the row shows the new state at once and
`switched` asks the page to keep it (the core's `MemoriesChanged` then redraws the rows)."""

from __future__ import annotations

import enum
from dataclasses import replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDateTime,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QGuiApplication, QPalette

from chatdesk.core.i18n import mark, tr
from chatdesk.core.memory.model import MemoryView, Origin

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole
OPENS_ROLE = Qt.ItemDataRole.UserRole + 1  # the From cell opens a chat when activated


class Column(enum.IntEnum):
    TEXT = 0
    WHOM = 1
    SOURCE = 2
    USED = 3
    ON = 4
    ALWAYS = 5


HEADINGS = {
    # translators: a column of Preferences ▸ Memory: a memory's words
    Column.TEXT: mark("Memory"),
    # translators: a column of Preferences ▸ Memory: whose chats a memory is given in
    Column.WHOM: mark("For whom"),
    # translators: a column of Preferences ▸ Memory: where a memory came from
    Column.SOURCE: mark("From"),
    # translators: a column of Preferences ▸ Memory: when a memory was last given to a model
    Column.USED: mark("Last used"),
    # translators: a column of Preferences ▸ Memory: the memory is switched on
    Column.ON: mark("On"),
    # translators: a column of Preferences ▸ Memory: the memory goes with every question
    Column.ALWAYS: mark("Always"),
}
HEADING_TIPS = {
    Column.SOURCE: mark("The chat it came from: click to open it at that message"),
    Column.ON: mark("Given to the model when it matters to the question"),
    Column.ALWAYS: mark("Given with every question, whether it seems to matter or not"),
}
ORIGINS = {
    Origin.TYPED.value: mark("Typed here"),
    Origin.IMPORTED.value: mark("Imported"),
    # translators: where a memory came from, when its chat was deleted since
    Origin.CHAT.value: mark("A chat since deleted"),
    Origin.MODEL.value: mark("A chat since deleted"),
}


def source_text(memory: MemoryView) -> str:
    """The chat title it came from, or how it came ("Typed here", "Imported")."""
    if memory.thread_id is not None:
        # translators: a chat with no title, as a memory's origin
        return memory.thread_title or tr("Untitled chat")
    return tr(ORIGINS.get(memory.origin, ORIGINS[Origin.TYPED.value]))


def used_text(moment: datetime | None) -> str:
    """When a memory was last given to a model, as the user's locale writes a date."""
    if moment is None:
        # translators: a memory never given to a model yet
        return tr("Not yet")
    shown = QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))
    return QLocale().toString(shown.date(), QLocale.FormatType.ShortFormat)


class MemoryListModel(QAbstractTableModel):
    """The memories shown, in the order the core lists them (the latest changed first)."""

    switched = Signal(int, int, bool)  # memory id, Column.ON or Column.ALWAYS, on

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[MemoryView] = []

    # -- reading ---------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(Column)

    def memory(self, row: int) -> MemoryView | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, memory_id: int) -> int:
        """The row showing memory `memory_id`; -1 when it is not shown."""
        return next((i for i, m in enumerate(self._rows) if m.id == memory_id), -1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        memory = self.memory(index.row()) if index.isValid() else None
        if memory is None:
            return None
        column = Column(index.column())
        if role == ID_ROLE:
            return memory.id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(memory, column, tip=role == Qt.ItemDataRole.ToolTipRole)
        if role == Qt.ItemDataRole.CheckStateRole and column in (Column.ON, Column.ALWAYS):
            on = memory.enabled if column is Column.ON else memory.always
            return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.AccessibleTextRole and column in (Column.ON, Column.ALWAYS):
            return tr(HEADINGS[column])
        opens = column is Column.SOURCE and memory.thread_id is not None
        if role == OPENS_ROLE:
            return opens
        if role == Qt.ItemDataRole.ForegroundRole and opens:
            return QGuiApplication.palette().brush(QPalette.ColorRole.Link)
        if role == Qt.ItemDataRole.FontRole and opens:
            font = QFont()
            font.setUnderline(True)
            return font
        return None

    def _text(self, memory: MemoryView, column: Column, *, tip: bool) -> str | None:
        if column is Column.TEXT:
            return memory.text if tip else " ".join(memory.text.split())
        if column is Column.WHOM:
            return memory.for_whom()
        if column is Column.SOURCE:
            return source_text(memory)
        if column is Column.USED:
            return used_text(memory.used_at)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        column = Column(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return tr(HEADINGS[column])
        if role == Qt.ItemDataRole.ToolTipRole and column in HEADING_TIPS:
            return tr(HEADING_TIPS[column])
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in (Column.ON, Column.ALWAYS):
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    # -- changing --------------------------------------------------------------------------------

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """A tick in On or Always: shown at once, and asked of the core through `switched`."""
        memory = self.memory(index.row()) if index.isValid() else None
        column = index.column()
        if memory is None or role != Qt.ItemDataRole.CheckStateRole:
            return False
        if column not in (Column.ON, Column.ALWAYS):
            return False
        on = Qt.CheckState(value) == Qt.CheckState.Checked
        enabled = on if column == Column.ON else memory.enabled
        always = on if column == Column.ALWAYS else memory.always
        self._rows[index.row()] = replace(memory, enabled=enabled, always=always)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.switched.emit(memory.id, column, on)
        return True

    def show(self, memories: list[MemoryView]) -> None:
        self.beginResetModel()
        self._rows = list(memories)
        self.endResetModel()
