"""Assistants: every assistant with its badge, model and what it is for; New, Edit, Duplicate
and Delete, and assistant files (JSON) imported and exported.

Each change goes through `Assistants` at once (chats using an assistant answer with its new
fields from their next answer on) and the list is read back after it. A deleted assistant's
chats go on without one, and the answers it wrote keep its name; Delete asks nothing, and its
Undo brings the assistant back to the chats and projects that used it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import mark, ntr, tr
from chatdesk.ui.badges import badge_pixmap
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.assistant_editor import AssistantEditor, ToolServers
from chatdesk.ui.settings.chat_page import ModelPairs
from chatdesk.ui.settings.notices import Notice, Tone

if TYPE_CHECKING:
    from chatdesk.core.assistants.model import AssistantView, RemovedAssistant
    from chatdesk.core.assistants.service import Assistants
    from chatdesk.core.knowledge.service import Knowledge
    from chatdesk.core.tools.service import Tools

ID_ROLE = Qt.ItemDataRole.UserRole
FILE_FILTERS = [
    # translators: a file dialog's filter; keep the pattern in brackets as it is
    mark("Assistant files (*.json)"),
    # translators: a file dialog's filter; keep the pattern in brackets as it is
    mark("All files (*)"),
]


class AssistantsPage(QWidget):
    undoable = Signal(str, object)  # what was done, and the callable that takes it back

    def __init__(
        self,
        assistants: Assistants | None,
        runner: Runner,
        parent: QWidget | None = None,
        *,
        models: ModelPairs = (),
        servers: Callable[[], ToolServers] | None = None,  # None: no tools in this session
        knowledge: Knowledge | None = None,
    ) -> None:
        super().__init__(parent)
        self._assistants = assistants
        self._runner = runner
        self._models = models
        self._servers = servers
        self._knowledge = knowledge
        self._views: dict[uuid.UUID, AssistantView] = {}
        self.editor: AssistantEditor | None = None  # the one opened last
        self.file_dialog: QFileDialog | None = None
        layout = QVBoxLayout(self)
        self.list = self._assistant_list()
        layout.addWidget(self.list, 1)
        layout.addLayout(self._buttons())
        self.status = Notice("assistantsStatus", self)
        layout.addWidget(self.status)
        if assistants is None:
            self.status.say(Tone.INFO, tr("Assistants can be managed once your chats are open."))
        self._selection_changed()
        self.refresh()

    # -- building --------------------------------------------------------------------------------

    def _assistant_list(self) -> QTreeWidget:
        tree = QTreeWidget(self)
        tree.setObjectName("assistantList")
        tree.setAccessibleName(tr("Assistants"))
        tree.setRootIsDecorated(False)
        tree.setUniformRowHeights(True)
        tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        tree.setIconSize(QSize(20, 20))
        tree.setStyleSheet("QTreeWidget::item { padding: 3px 0; }")  # room for the badges
        # translators: column headers of the list of assistants
        tree.setHeaderLabels([tr("Name"), tr("Model"), tr("What it is for")])
        tree.setColumnWidth(0, 190)
        tree.setColumnWidth(1, 150)
        tree.itemSelectionChanged.connect(self._selection_changed)
        tree.currentItemChanged.connect(lambda *_: self._selection_changed())
        tree.itemActivated.connect(lambda *_: self.edit_current())
        return tree

    def _buttons(self) -> QHBoxLayout:
        # Tab mnemonics (a h p d u o s t) are live on this page too: these use others.
        self.new_button = self._button(
            # translators: a button that makes a new assistant
            tr("&New…"),
            "newAssistant",
            tr("Make an assistant"),
            self.open_new,
        )
        self.edit_button = self._button(
            tr("&Edit…"), "editAssistant", tr("Change the assistant"), self.edit_current
        )
        self.duplicate_button = self._button(
            tr("Dupli&cate"), "duplicateAssistant", tr("A copy to change"), self.duplicate_current
        )
        self.delete_button = self._button(
            tr("De&lete"), "deleteAssistant", tr("Delete the assistant"), self.confirm_delete
        )
        self.import_button = self._button(
            tr("I&mport…"), "importAssistants", tr("Add the assistants of a file"), self.open_import
        )
        self.export_button = QPushButton(tr("E&xport"), self)  # its menu: which ones
        self.export_button.setObjectName("exportAssistants")
        self.export_button.setToolTip(tr("Write assistants to a file to share"))
        self.export_button.setAccessibleDescription(self.export_button.toolTip())
        menu = QMenu(self.export_button)
        self.export_selected_action = menu.addAction(
            # translators: a menu item of Export: the selected assistants
            tr("The &selected ones…"),
            self.export_selected,
        )
        # translators: a menu item of Export: every assistant
        self.export_all_action = menu.addAction(tr("&All of them…"), self.export_all)
        self.export_button.setMenu(menu)
        row = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.duplicate_button):
            row.addWidget(button)
        row.addWidget(self.delete_button)
        row.addStretch(1)
        row.addWidget(self.import_button)
        row.addWidget(self.export_button)
        return row

    def _button(
        self, text: str, name: str, description: str, action: Callable[[], None]
    ) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setToolTip(description)
        button.setAccessibleDescription(description)
        button.clicked.connect(lambda: action())
        return button

    # -- showing ---------------------------------------------------------------------------------

    def refresh(self, select: Collection[uuid.UUID] = ()) -> None:
        """Read the assistants again; select `select` (else keep the selection)."""
        if self._assistants is None:
            return
        chosen = set(select) or {v.id for v in self.selected()}
        self._runner.run(
            self._assistants.list(),
            done=lambda views: self._show(views, chosen),
            failure=lambda error: self.status.say(Tone.ERROR, str(error)),
            owner=self,
        )

    def _show(self, views: list[AssistantView], chosen: set[uuid.UUID]) -> None:
        self._views = {view.id: view for view in views}
        self.list.clear()
        items = [_item(view) for view in views]
        self.list.addTopLevelItems(items)
        wanted = [item for item in items if item.data(0, ID_ROLE) in chosen] or items[:1]
        if wanted:
            self.list.setCurrentItem(wanted[0])
        for item in wanted:
            item.setSelected(True)
        self._selection_changed()

    def current(self) -> AssistantView | None:
        item = self.list.currentItem()
        found = item.data(0, ID_ROLE) if item is not None else None
        return self._views.get(found) if isinstance(found, uuid.UUID) else None

    def selected(self) -> list[AssistantView]:
        """The selected assistants, in the list's order."""
        found = [item.data(0, ID_ROLE) for item in self.list.selectedItems()]
        return [view for view in self._views.values() if view.id in found]

    def _selection_changed(self) -> None:
        managed = self._assistants is not None
        one = managed and self.current() is not None
        for button in (self.edit_button, self.duplicate_button, self.delete_button):
            button.setEnabled(one)
        self.new_button.setEnabled(managed)
        self.import_button.setEnabled(managed)
        self.export_button.setEnabled(managed and bool(self._views))
        self.export_selected_action.setEnabled(bool(self.selected()))

    # -- editing ---------------------------------------------------------------------------------

    def open_new(self) -> None:
        self._open_editor(None)

    def edit_current(self) -> None:
        view = self.current()
        if view is not None:
            self._open_editor(view)

    def _open_editor(self, view: AssistantView | None) -> None:
        if self._assistants is None:
            return
        editor = AssistantEditor(
            self._assistants,
            self._runner,
            view=view,
            models=self._models,
            servers=None if self._servers is None else self._servers(),
            knowledge=self._knowledge,
            parent=self,
        )
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.saved.connect(lambda saved: self._saved(saved, view is None))
        self.editor = editor
        editor.open()

    def _saved(self, view: AssistantView, new: bool) -> None:
        self.refresh({view.id})
        if new:
            said = tr("Added “{name}”.", name=view.name)
        else:
            said = tr("Saved “{name}”.", name=view.name)
        self.status.say(Tone.SUCCESS, said)

    def duplicate_current(self) -> None:
        view = self.current()
        if view is None or self._assistants is None:
            return
        self._runner.run(
            self._assistants.duplicate(view.id),
            done=lambda copy: self._acted(
                {copy.id}, tr("Added “{name}”, a copy to change.", name=copy.name)
            ),
            failure=self._failed,
            owner=self,
        )

    def confirm_delete(self) -> None:
        """Delete the assistant at once; Undo (in the settings' bar) brings it back."""
        view = self.current()
        if view is None or self._assistants is None:
            return
        assistants = self._assistants

        def deleted(removed: RemovedAssistant) -> None:
            self.refresh()
            self.status.clear_notice()  # the bar under the sections says it, with Undo
            said = tr("Deleted “{name}”", name=view.name)
            self.undoable.emit(said, lambda: self._restore(assistants, removed))

        self._runner.run(assistants.delete(view.id), done=deleted, failure=self._failed, owner=self)

    def _restore(self, assistants: Assistants, removed: RemovedAssistant) -> None:
        self._runner.run(
            assistants.restore(removed),
            done=lambda back: self._acted({back.id}, tr("“{name}” is back.", name=back.name)),
            failure=self._failed,
            owner=self,
        )

    def _acted(self, select: Collection[uuid.UUID], said: str) -> None:
        self.refresh(select)
        self.status.say(Tone.SUCCESS, said)

    def _failed(self, error: ChatdeskError) -> None:
        said = str(error)
        self.status.say(Tone.ERROR, said[:1].upper() + said[1:])

    # -- files -----------------------------------------------------------------------------------

    def open_import(self) -> None:
        dialog = self._file_dialog(tr("Import assistants"), save=False)
        dialog.fileSelected.connect(lambda path: self.import_from(Path(path)))
        dialog.open()

    def import_from(self, path: Path) -> None:
        if self._assistants is None:
            return
        self._runner.run(
            self._assistants.import_file(path),
            done=self._imported,
            failure=self._failed,
            owner=self,
        )

    def _imported(self, made: list[AssistantView]) -> None:
        names = ", ".join(f"“{view.name}”" for view in made)
        said = ntr(
            "Imported {n} assistant: {names}.",
            "Imported {n} assistants: {names}.",
            len(made),
            names=names,
        )
        self._acted({view.id for view in made}, said)

    def export_selected(self) -> None:
        self._ask_export([view.id for view in self.selected()])

    def export_all(self) -> None:
        self._ask_export(list(self._views))

    def _ask_export(self, ids: list[uuid.UUID]) -> None:
        if not ids:
            return
        # translators: the file name offered for exported assistants (without ".json")
        only = self._views[ids[0]].name if len(ids) == 1 else tr("assistants")
        dialog = self._file_dialog(
            tr("Export assistants"), save=True, name=f"{_file_name(only)}.json"
        )
        dialog.fileSelected.connect(lambda path: self.export_to(ids, Path(path)))
        dialog.open()

    def export_to(self, ids: list[uuid.UUID], path: Path) -> None:
        if self._assistants is None:
            return
        self._runner.run(
            self._assistants.export_file(ids, path),
            done=lambda count: self.status.say(
                Tone.SUCCESS,
                ntr(
                    "Wrote {n} assistant to {path}.",
                    "Wrote {n} assistants to {path}.",
                    count,
                    path=path,
                ),
            ),
            failure=self._failed,
            owner=self,
        )

    def _file_dialog(self, title: str, *, save: bool, name: str = "") -> QFileDialog:
        dialog = QFileDialog(self, title)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setNameFilters([tr(text) for text in FILE_FILTERS])
        if save:
            dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            dialog.setDefaultSuffix("json")
            dialog.selectFile(name)
        else:
            dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        self.file_dialog = dialog
        return dialog


def tool_servers(tools: Tools) -> ToolServers:
    """Every tool server an assistant may name, as (name, label): chatdesk's own, the web's,
    then each configured one, said when it is off or not allowed to start yet (an assistant
    may name it before it is)."""
    found = tools.switchable(web=True)[:2]  # chatdesk's own and the web's
    for server in tools.servers():
        label = server.name
        if not server.enabled:
            label = tr("{name} (switched off)", name=server.name)
        elif server.awaits_approval:
            label = tr("{name} (not allowed to start yet)", name=server.name)
        found.append((server.name, label))
    return found


def _item(view: AssistantView) -> QTreeWidgetItem:
    fields = view.fields
    lines = (fields.description or "").strip().splitlines()
    # translators: the model of an assistant that keeps the chat's own model
    model = fields.model or tr("the chat's own")
    item = QTreeWidgetItem([view.name, model, lines[0] if lines else ""])
    badge = badge_pixmap(view.name, fields.icon, fields.colour, 20)
    icon = QIcon(badge)
    icon.addPixmap(badge, QIcon.Mode.Selected)  # as it is: the style's tint muddies the disc
    item.setIcon(0, icon)
    item.setData(0, ID_ROLE, view.id)
    if fields.description:
        item.setToolTip(2, fields.description)
    if fields.provider:
        if fields.model:
            tip = tr("{model} on {provider}", model=fields.model, provider=fields.provider)
        else:
            tip = tr("its default model on {provider}", provider=fields.provider)
        item.setToolTip(1, tip)
    return item


def _file_name(name: str) -> str:
    """A file name from an assistant's name: letters, digits and dashes."""
    # translators: the file name offered for an exported assistant whose name gives none
    return re.sub(r"[^\w-]+", "-", name).strip("-").lower() or tr("assistant")
