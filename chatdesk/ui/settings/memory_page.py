"""Memory: what the user asked chatdesk to remember across chats (`chatdesk/core/memory/`),
kept only on this computer: whether memory is used at all and how (`[memory]`, saved with the
other settings as it changes), every memory kept with where it came from, to edit, delete
(with Undo), switch off or give to other chats, the assistants and projects whose chats go
without, and a memories file to export or import.

Every change goes through `Memories` at once; the list is read back on `MemoriesChanged`. In a
session without memories (`memory` None) the page says so and offers only the settings."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.chat.events import (
    AssistantsChanged,
    Event,
    ProjectCreated,
    ProjectDeleted,
    ProjectUpdated,
)
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import ntr, tr
from chatdesk.core.memory.model import MemoriesChanged, MemoryStats, MemoryView
from chatdesk.core.units import format_size
from chatdesk.ui.coalesce import LatestRead
from chatdesk.ui.settings.knowledge_sources import Embedders, make_button
from chatdesk.ui.settings.knowledge_start import Subscribe, follow
from chatdesk.ui.settings.memory_calls import (
    MemoryFiles,
    ReadNamed,
    Shown,
    read_page,
    save_typed,
)
from chatdesk.ui.settings.memory_editor import MemoryEditor, Typed
from chatdesk.ui.settings.memory_list import OPENS_ROLE, Column, MemoryListModel
from chatdesk.ui.settings.memory_settings import UsingMemories
from chatdesk.ui.settings.memory_switches import ASSISTANT, WhereOn
from chatdesk.ui.settings.notices import Notice, Tone
from chatdesk.ui.settings.sections import scroll_page

if TYPE_CHECKING:
    from chatdesk.core.memory.service import Memories
    from chatdesk.core.settings_schema import MemorySettings
    from chatdesk.ui.runner import Runner

# Opens a chat at a message (None: at its newest messages): the window's, for a memory's origin.
OpenChat = Callable[[uuid.UUID, uuid.UUID | None], None]


_READ_AGAIN_ON = (
    MemoriesChanged,
    AssistantsChanged,
    ProjectCreated,
    ProjectUpdated,
    ProjectDeleted,
)


class MemoryPage(QWidget):
    undoable = Signal(str, object)  # what was done, and the callable that takes it back

    def __init__(
        self,
        memory: Memories | None,
        settings: MemorySettings,
        runner: Runner,
        parent: QWidget | None = None,
        *,
        subscribe: Subscribe | None = None,
        embedders: Embedders | None = None,
        named: ReadNamed | None = None,
        open_chat: OpenChat | None = None,
    ) -> None:
        super().__init__(parent)
        self._memory, self._runner = memory, runner
        self._named, self._open_chat = named, open_chat
        self._select: int | None = None  # the memory to select once the list is read again
        self.model = MemoryListModel(self)
        self.model.switched.connect(self._switch)
        self._reads: LatestRead[Shown] = LatestRead(
            runner, self._read, self._show, failure=self._failed, delay_ms=150, parent=self
        )
        inner = QWidget(self)
        layout = QVBoxLayout(inner)
        self.unavailable = Notice("memoryUnavailable", inner)
        layout.addWidget(self.unavailable)
        self.using = UsingMemories(settings, embedders or (lambda: ()), inner)
        layout.addWidget(self._kept_box(), 1)  # what the page is for, first
        layout.addWidget(self.using)
        layout.addWidget(self._where_box())
        self.using.enabled.toggled.connect(self._say_off)
        self._say_off(settings.enabled)
        self._scroll = scroll_page(self, inner, "memoryScroll")
        self._selection_changed()
        if memory is None:
            self.unavailable.say(Tone.INFO, tr("Memories are not available in this session."))
            for box in (self.kept_box, self.where_box):
                box.setEnabled(False)
            return
        if subscribe is not None:
            follow(self, self.apply, subscribe)
        self.refresh()

    # -- the parts -------------------------------------------------------------------------------

    def _kept_box(self) -> QGroupBox:
        self.kept_box = box = QGroupBox(tr("Kept on this computer"), self)
        self.search = QLineEdit(box)
        self.search.setObjectName("memorySearch")
        self.search.setAccessibleName(tr("Find memories"))
        self.search.setPlaceholderText(tr("Find memories"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _: self._reads.later())
        self.count = QLabel(box)
        self.count.setObjectName("memoryCount")
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        self.table = self._table(box)
        self.empty = QLabel(box)
        self.empty.setObjectName("memoryEmpty")
        self.empty.setWordWrap(True)
        self.empty.hide()
        self.editor = MemoryEditor(box)
        self.editor.saved.connect(self._save)
        self.status = Notice("memoryStatus", box)
        self.files = MemoryFiles(self._memory, self._runner, self.status, self)
        self.off_note = Notice("memoryOff", box)
        column = QVBoxLayout(box)
        column.addWidget(self.off_note)
        column.addLayout(top)
        column.addWidget(self.table, 1)
        column.addWidget(self.empty)
        column.addLayout(self._buttons(box))
        column.addWidget(self.editor)
        column.addWidget(self.status)
        return box

    def _table(self, parent: QWidget) -> QTableView:
        table = QTableView(parent)
        table.setObjectName("memoryList")
        table.setAccessibleName(tr("Memories"))
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.verticalHeader().hide()
        table.setMinimumHeight(table.fontMetrics().lineSpacing() * 9)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().lineSpacing() + 10)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.TEXT, QHeaderView.ResizeMode.Stretch)
        for column in (Column.WHOM, Column.SOURCE):  # sized to their words, up to a point
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        table.clicked.connect(self._clicked)
        table.doubleClicked.connect(self._double_clicked)
        return table

    def _buttons(self, parent: QWidget) -> QHBoxLayout:
        self.add_button = make_button(
            parent, tr("Add…"), "addMemory", tr("Type a memory to keep"), self.open_add
        )
        self.edit_button = make_button(
            parent,
            tr("Ed&it"),
            "editMemory",
            tr("Change the memory's words or for whom"),
            self.open_edit,
        )
        self.delete_button = make_button(
            parent, tr("De&lete"), "deleteMemory", tr("Delete the memory"), self.delete
        )
        self.open_button = make_button(
            parent,
            tr("Ope&n chat"),
            "openMemoryChat",
            tr("Open the chat it came from"),
            self.open_source,
        )
        self.import_button = make_button(
            parent,
            tr("Import…"),
            "importMemories",
            tr("Keep the memories of a file"),
            lambda: self.files.choose(export=False),
        )
        self.export_button = make_button(
            parent,
            tr("E&xport…"),
            "exportMemories",
            tr("Write every memory to a file"),
            lambda: self.files.choose(export=True),
        )
        row = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.delete_button, self.open_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.import_button)
        row.addWidget(self.export_button)
        return row

    def _where_box(self) -> QGroupBox:
        self.where_box = box = QGroupBox(tr("Where memory is on"), self)
        box.setToolTip(tr("Unticked: that assistant's or project's chats go without memories."))
        self.where = WhereOn(box)
        self.where.switched.connect(self._switch_place)
        column = QVBoxLayout(box)
        column.addWidget(self.where)
        return box

    # -- the settings ----------------------------------------------------------------------------

    def controls(self) -> list[QWidget]:
        """The settings that apply as they change (the preferences watch them)."""
        return self.using.controls()

    def memory(self, base: MemorySettings) -> MemorySettings:
        return self.using.memory(base)

    # -- showing ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        self._reads.now()

    def apply(self, event: Event) -> None:
        """Memories changed, or the assistants and projects they may be for: read again."""
        if isinstance(event, _READ_AGAIN_ON):
            self.refresh()

    def _read(self) -> Coroutine[Any, Any, Shown] | None:
        if self._memory is None:
            return None
        return read_page(self._memory, self._named, self.search.text().strip())

    def _show(self, shown: Shown) -> None:
        if shown.containing != self.search.text().strip():
            self._reads.now()  # typed since: this read is not what the box asks for
        current = self.current()
        wanted = self._select if self._select is not None else (current.id if current else None)
        self._select = None
        self.model.show(shown.memories)
        row = self.model.row_of(wanted) if wanted is not None else -1
        if row >= 0:  # not selectRow: right to left, it may select nothing
            self.table.setCurrentIndex(self.model.index(row, Column.TEXT))
        self.count.setText(_count_text(shown.stats))
        self._fit_columns()
        self._show_empty(shown)
        self.editor.set_named(shown.assistants, shown.projects)
        self.where.show_switches(shown.assistants, shown.projects, shown.off)
        self._selection_changed()

    def _fit_columns(self) -> None:
        """For whom and From as wide as their words, but never wider than a long title needs:
        the memory's own words keep most of the width."""
        most = self.table.fontMetrics().averageCharWidth() * 24
        for column in (Column.WHOM, Column.SOURCE):
            heading = self.table.horizontalHeader().sectionSizeHint(column)
            width = max(self.table.sizeHintForColumn(column), heading)
            self.table.horizontalHeader().resizeSection(column, min(width, most))

    def _say_off(self, on: bool) -> None:
        if on:
            self.off_note.clear_notice()
        else:
            said = tr("Memory is off: these are kept, but no chat is given them.")
            self.off_note.say(Tone.WARNING, said)

    def _show_empty(self, shown: Shown) -> None:
        """Under the list, why it is empty; with nothing kept at all, instead of the list."""
        self.table.setVisible(bool(shown.memories or shown.containing))
        if shown.memories:
            self.empty.hide()
            return
        if shown.containing:
            said = tr("No memory holds “{words}”.", words=shown.containing)
        else:
            said = tr(
                "Nothing is remembered yet. Add a memory here, or say in a chat: “Remember that …”."
            )
        self.empty.setText(said)
        self.empty.show()

    def current(self) -> MemoryView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.memory(rows[0].row()) if rows else None

    def _selection_changed(self) -> None:
        memory = self.current()
        for button in (self.edit_button, self.delete_button):
            button.setEnabled(memory is not None)
        self.open_button.setEnabled(
            memory is not None and memory.thread_id is not None and self._open_chat is not None
        )

    def _failed(self, error: ChatdeskError) -> None:
        self.status.say(Tone.ERROR, str(error))

    # -- acting on one -----------------------------------------------------------------------------

    def _clicked(self, index: QModelIndex) -> None:
        if index.column() == Column.SOURCE and index.data(OPENS_ROLE):
            self.open_source()

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.column() in (Column.TEXT, Column.WHOM, Column.USED):
            self.open_edit()

    def open_add(self) -> None:
        self.status.clear_notice()
        self.editor.add()
        self._show_editor()

    def open_edit(self) -> None:
        memory = self.current()
        if memory is not None:
            self.status.clear_notice()
            self.editor.edit(memory)
            self._show_editor()

    def _show_editor(self) -> None:
        """Scrolled to the editor once it is laid out (under the list, it may be below)."""
        QTimer.singleShot(0, self, lambda: self._scroll.ensureWidgetVisible(self.editor))

    def open_source(self) -> None:
        memory = self.current()
        if memory is not None and memory.thread_id is not None and self._open_chat is not None:
            self._open_chat(memory.thread_id, memory.message_id)

    def _save(self, typed: Typed) -> None:
        memory = self._memory
        if memory is None:
            return
        before = self.model.memory(self.model.row_of(typed.memory_id or -1))
        call = save_typed(memory, typed, before)

        def done(view: MemoryView) -> None:
            self._select = view.id
            self.editor.close_editor()
            said = tr("Kept.") if typed.memory_id is None else tr("Saved.")
            self.status.say(Tone.SUCCESS, said)
            self.refresh()

        self._runner.run(call, done=done, failure=lambda e: self.editor.refuse(str(e)), owner=self)

    def delete(self) -> None:
        memory, view = self._memory, self.current()
        if memory is None or view is None:
            return
        if self.editor.memory_id == view.id:
            self.editor.close_editor()

        def deleted(removed: MemoryView) -> None:
            self.status.clear_notice()  # the bar under the sections says it, with Undo
            said = tr(
                "Deleted “{memory}”; older backups hold it until they are rotated out.",
                memory=_short(removed.text),
            )
            self.undoable.emit(said, lambda: self._restore(memory, removed))

        self._runner.run(memory.remove(view.id), done=deleted, failure=self._failed, owner=self)

    def _restore(self, memory: Memories, removed: MemoryView) -> None:
        def back(view: MemoryView) -> None:
            self._select = view.id
            self.status.say(Tone.SUCCESS, tr("“{memory}” is back.", memory=_short(view.text)))
            self.refresh()

        self._runner.run(memory.restore(removed), done=back, failure=self._failed, owner=self)

    def _switch(self, memory_id: int, column: int, on: bool) -> None:
        if self._memory is None:
            return
        if column == Column.ON:
            call = self._memory.set_enabled(memory_id, on)
        else:
            call = self._memory.set_always(memory_id, on)
        self._runner.run(call, failure=self._refused, owner=self)

    def _switch_place(self, kind: str, row_id: uuid.UUID, on: bool) -> None:
        if self._memory is None:
            return
        if kind == ASSISTANT:
            call = self._memory.switch_assistant(row_id, on)
        else:
            call = self._memory.switch_project(row_id, on)
        self._runner.run(call, failure=self._refused, owner=self)

    def _refused(self, error: ChatdeskError) -> None:
        """A switch was not kept: say so, and show what is kept."""
        self._failed(error)
        self.refresh()


def _count_text(stats: MemoryStats) -> str:
    """ "12 memories, 1.4 KB" (and how many are on, when some are off)."""
    size = format_size(stats.characters)
    if stats.enabled == stats.count:
        return ntr("{n} memory, {size}", "{n} memories, {size}", stats.count, size=size)
    return ntr(
        "{n} memory ({on} on), {size}",
        "{n} memories ({on} on), {size}",
        stats.count,
        on=stats.enabled,
        size=size,
    )


def _short(text: str) -> str:
    words = " ".join(text.split())
    return words if len(words) <= 60 else words[:59] + "…"
