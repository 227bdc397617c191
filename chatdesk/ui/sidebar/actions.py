"""What the sidebar's menus, keys and buttons do.

Each change is one service call through the Runner; the tree changes when the service's event
comes back. Questions and dialogs open without blocking, and deleting a chat offers Undo.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QTreeView, QWidget

from chatdesk.core.i18n import tr
from chatdesk.core.views import ProjectSettings, ProjectView, ThreadView
from chatdesk.ui.badges import assistant_badge
from chatdesk.ui.questions import ask
from chatdesk.ui.runner import Runner
from chatdesk.ui.sidebar.dialogs import ProjectDialog
from chatdesk.ui.sidebar.model import Index, ThreadTreeModel
from chatdesk.ui.sidebar.widgets import NoticeBar

if TYPE_CHECKING:  # the service loads SQLAlchemy, which the window's shell does without
    from chatdesk.core.assistants.model import AssistantView
    from chatdesk.core.service import ChatService

UNDO_SECONDS = 10


class ThreadMenuAddition(Protocol):
    """Entries another part adds to a thread's menu (team sync's sharing)."""

    def add_to(self, menu: QMenu, thread: ThreadView) -> None: ...


class SidebarActions(QObject):
    new_chat_requested = Signal(object)  # a project's uuid.UUID, or None
    # The window acts on these: it shows the summary's progress and asks for the window size.
    summarize_requested = Signal(object)  # the thread's uuid.UUID
    context_window_requested = Signal(object)  # the thread's uuid.UUID

    def __init__(
        self,
        service: ChatService,
        runner: Runner,
        model: ThreadTreeModel,
        tree: QTreeView,
        notice: NoticeBar,
        owner: QWidget,
    ) -> None:
        super().__init__(owner)
        self._service = service
        self._runner = runner
        self._model = model
        self._tree = tree
        self._notice = notice
        self._owner = owner
        self.dialog: QWidget | None = None  # the question or dialog opened last (for tests)
        # Projects whose dialog's choices are still queued for the writer (behind an answer's
        # writes, say): their dialog would show, and a second save write back, the old ones.
        self._saving: set[uuid.UUID] = set()
        self.sharing: ThreadMenuAddition | None = None  # given by the window when sync is there

    # -- menus -----------------------------------------------------------------------------------

    def menu_for(self, index: Index) -> QMenu | None:
        thread = self._model.thread_at(index)
        if thread is not None:
            return self._thread_menu(thread)
        project = self._model.project_at(index)
        if project is not None:
            return self._project_menu(project)
        return None

    def _thread_menu(self, thread: ThreadView) -> QMenu:
        menu = QMenu(self._owner)
        service, run = self._service, self._runner.run
        rename = tr("&Rename")
        _add(menu, rename, lambda: self._edit(self._model.index_of_thread(thread.id)), "F2")
        if not thread.archived:
            pin = tr("Un&pin") if thread.pinned else tr("&Pin")
            _add(menu, pin, lambda: run(service.set_pinned(thread.id, not thread.pinned)))
        archive = tr("Un&archive") if thread.archived else tr("&Archive")
        _add(menu, archive, lambda: run(service.set_archived(thread.id, not thread.archived)))
        if not thread.archived:
            self._add_move_menu(menu, thread)
        menu.addSeparator()
        summarize = _add(
            menu, tr("&Summarise now"), lambda: self.summarize_requested.emit(thread.id)
        )
        summarize.setEnabled(not service.summarizing(thread.id))
        _add(menu, tr("Context &window…"), lambda: self.context_window_requested.emit(thread.id))
        if self.sharing is not None:
            self.sharing.add_to(menu, thread)
        menu.addSeparator()
        _add(menu, tr("&Delete"), lambda: self.delete(thread), "Del")
        return menu

    def _add_move_menu(self, menu: QMenu, thread: ThreadView) -> None:
        move = menu.addMenu(tr("&Move to project"))
        choices = QActionGroup(move)  # one check mark: where the thread is now
        targets: list[tuple[str, uuid.UUID | None]] = [
            (p.name, p.id) for p in self._model.projects()
        ]
        for position, (name, project_id) in enumerate([*targets, (tr("No project"), None)]):
            if position == len(targets) and targets:
                move.addSeparator()
            action = _add(move, name.replace("&", "&&"), self._mover(thread.id, project_id))
            action.setCheckable(True)
            action.setChecked(project_id == thread.project_id)
            choices.addAction(action)

    def _mover(self, thread_id: uuid.UUID, project_id: uuid.UUID | None) -> Callable[[], object]:
        return lambda: self._runner.run(self._service.move_thread(thread_id, project_id))

    def _project_menu(self, project: ProjectView) -> QMenu:
        menu = QMenu(self._owner)
        _add(menu, tr("&New chat in project"), lambda: self.new_chat_requested.emit(project.id))
        menu.addSeparator()
        rename = tr("&Rename")
        _add(menu, rename, lambda: self._edit(self._model.index_of_project(project.id)), "F2")
        edit = _add(menu, tr("&Edit…"), lambda: self.edit_project(project))
        edit.setEnabled(project.id not in self._saving)
        menu.addSeparator()
        _add(menu, tr("&Delete…"), lambda: self.ask_delete_project(project), "Del")
        return menu

    def _edit(self, index: Index) -> None:
        if index.isValid():
            self._tree.setCurrentIndex(self._model.index(index.row(), 0, index.parent()))
            self._tree.edit(self._tree.currentIndex())

    # -- threads ---------------------------------------------------------------------------------

    def rename(self, index: QPersistentModelIndex, name: str) -> None:
        thread = self._model.thread_at(index)
        project = self._model.project_at(index)
        if thread is not None:
            self._runner.run(self._service.rename_thread(thread.id, name))
        elif project is not None:
            self._runner.run(self._service.rename_project(project.id, name))

    def delete(self, thread: ThreadView) -> None:
        def offer_undo(_: None) -> None:
            self._notice.show_notice(
                tr("Deleted “{title}”", title=_shortened(thread.title)),
                action=tr("Undo"),
                on_action=lambda: self._runner.run(self._service.restore_thread(thread.id)),
                seconds=UNDO_SECONDS,
            )

        self._runner.run(self._service.delete_thread(thread.id), done=offer_undo)

    def ask_delete(self, index: Index) -> None:
        """The Delete key. A chat goes to the trash at once, with Undo under the list; a
        project's delete, which Undo cannot bring back, asks first."""
        thread = self._model.thread_at(index)
        project = self._model.project_at(index)
        if thread is not None:
            self.delete(thread)
        elif project is not None:
            self.ask_delete_project(project)

    # -- projects --------------------------------------------------------------------------------

    def ask_delete_project(self, project: ProjectView) -> None:
        self.dialog = ask(
            self._owner,
            tr("Delete project"),
            tr("Delete the project “{name}”?", name=project.name),
            tr("Its chats are kept; they move out of the project."),
            tr("Delete project"),
            lambda: self._runner.run(self._service.delete_project(project.id)),
        )

    def create_project(self) -> None:
        service = self._service

        self._open_dialog(
            None, lambda settings: self._runner.run(service.save_project(None, settings))
        )

    def edit_project(self, project: ProjectView) -> None:
        service = self._service

        async def save(settings: ProjectSettings) -> None:
            try:
                await service.save_project(project.id, settings)
            finally:
                self._saving.discard(project.id)

        def apply(settings: ProjectSettings) -> None:
            self._saving.add(project.id)  # from the click on Save, not from the task's start
            self._runner.run(save(settings))

        self._open_dialog(project, apply)

    def _open_dialog(
        self, project: ProjectView | None, apply: Callable[[ProjectSettings], object]
    ) -> None:
        """The project's dialog, once the assistants to offer and the project as stored now
        are read."""
        service = self._service

        async def read() -> _Found:
            assistants = await service.assistants.list()
            bases = [(base_id.hex, name) for base_id, name in await service.knowledge.names()]
            if project is None:
                return assistants, None, bases, []
            stored = {p.id: p for p in await service.list_projects()}
            linked = await service.knowledge.links("project_id", project.id)
            return assistants, stored.get(project.id, project), bases, [b.hex for b in linked]

        def show(found: _Found) -> None:
            assistants, current, bases, linked = found
            dialog = ProjectDialog(
                self._owner,
                project=current,
                models=service.known_models(),
                servers=service.tools.switchable(web=True),
                assistants=[(a.id, a.name, assistant_badge(a)) for a in assistants],
                bases=bases,
                linked=linked,
            )
            dialog.accepted.connect(lambda: apply(dialog.settings()))
            self.dialog = dialog
            dialog.open()

        self.dialog = None
        self._runner.run(read(), done=show)


# What the project dialog is opened with: the assistants, the project as stored, the knowledge
# bases (id hex, name) and those linked to it.
_Found = tuple["list[AssistantView]", "ProjectView | None", list[tuple[str, str]], list[str]]


def _add(menu: QMenu, text: str, slot: Callable[[], object], keys: str = "") -> QAction:
    action = menu.addAction(text)
    action.triggered.connect(lambda: slot())
    if keys:
        action.setShortcut(keys)  # shown as a hint; the tree handles the key itself
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    return action


def _shortened(title: str, limit: int = 48) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"
