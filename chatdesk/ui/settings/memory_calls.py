"""Preferences ▸ Memory's calls to the core and its files: one read of all the page shows, a
memory kept or changed from the editor, the assistants' and projects' names, and a memories
file written (Export…) or read (Import…), what it did said in the page's status."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QWidget

from chatdesk.core.i18n import mark, ntr, tr
from chatdesk.core.memory.model import MemoryStats, MemoryView
from chatdesk.ui.settings.memory_editor import Named, Typed
from chatdesk.ui.settings.notices import Tone

if TYPE_CHECKING:
    from chatdesk.core.errors import ChatdeskError
    from chatdesk.core.memory.service import Imported, Memories
    from chatdesk.core.service import ChatService
    from chatdesk.ui.runner import Runner
    from chatdesk.ui.settings.notices import Notice

# The assistants' and the projects' ids and names, for "For whom" and the switches.
ReadNamed = Callable[[], Coroutine[Any, Any, tuple[Named, Named]]]
FILE_FILTER = mark("Memories (*.json)")


@dataclass(frozen=True)
class Shown:
    """One read of what the page shows."""

    memories: list[MemoryView]
    stats: MemoryStats
    off: tuple[set[uuid.UUID], set[uuid.UUID]]
    assistants: Named
    projects: Named
    containing: str


async def read_page(memory: Memories, named: ReadNamed | None, containing: str) -> Shown:
    memories = await memory.list(containing)
    stats = await memory.stats()
    off = await memory.switched_off()
    assistants, projects = await named() if named is not None else ([], [])
    return Shown(memories, stats, off, assistants, projects, containing)


async def save_typed(memory: Memories, typed: Typed, before: MemoryView | None) -> MemoryView:
    """Keep a new memory, or the changes to one: its words, then for whom."""
    assistant_id, project_id = typed.whom
    if typed.memory_id is None:
        return await memory.add(typed.text, assistant_id=assistant_id, project_id=project_id)
    view = await memory.edit(typed.memory_id, typed.text)
    if before is None or (before.assistant_id, before.project_id) != typed.whom:
        view = await memory.move(typed.memory_id, assistant_id=assistant_id, project_id=project_id)
    return view


async def memory_names(service: ChatService) -> tuple[Named, Named]:
    """The assistants' and the projects' ids and names (a memory may be for one of them)."""
    assistants = await service.assistants.list()
    projects = await service.list_projects()
    return [(a.id, a.name) for a in assistants], [(p.id, p.name) for p in projects]


def ask_file(
    parent: QWidget, title: str, mode: QFileDialog.AcceptMode, then: Callable[[Path], None]
) -> QFileDialog:
    """A memories file to write (`AcceptSave`) or to read, handed to `then` once chosen."""
    dialog = QFileDialog(parent, title)
    dialog.setObjectName("memoryFile")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setAcceptMode(mode)
    dialog.setNameFilter(tr(FILE_FILTER))
    if mode is QFileDialog.AcceptMode.AcceptSave:
        dialog.setDefaultSuffix("json")
        dialog.selectFile("memories.json")
    else:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.fileSelected.connect(lambda path: then(Path(path)) if path else None)
    dialog.open()
    return dialog


class MemoryFiles:
    """Export… and Import…: the file asked for, then written or read through `memory`."""

    def __init__(
        self, memory: Memories | None, runner: Runner, status: Notice, page: QWidget
    ) -> None:
        self._memory, self._runner, self._status, self._page = memory, runner, status, page
        self.dialog: QFileDialog | None = None  # the one opened last (for tests)

    def choose(self, *, export: bool) -> None:
        if export:
            mode, title, then = QFileDialog.AcceptMode.AcceptSave, tr("Export memories"), self.write
        else:
            mode, title, then = QFileDialog.AcceptMode.AcceptOpen, tr("Import memories"), self.read
        self.dialog = ask_file(self._page, title, mode, then)

    def write(self, path: Path) -> None:
        if self._memory is None:
            return

        def done(count: int) -> None:
            said = ntr(
                "{n} memory written to {path}.", "{n} memories written to {path}.", count, path=path
            )
            self._status.say(Tone.SUCCESS, said)

        self._status.say(Tone.BUSY, tr("Writing the memories…"))
        call = self._memory.export(path)
        self._runner.run(call, done=done, failure=self._failed, owner=self._page)

    def read(self, path: Path) -> None:
        if self._memory is None:
            return
        from chatdesk.core.memory.service import imported_said

        def done(result: Imported) -> None:
            said = "\n".join((imported_said(result) + ".", *result.why))
            self._status.say(Tone.WARNING if result.unreadable else Tone.SUCCESS, said)

        self._status.say(Tone.BUSY, tr("Reading the memories…"))
        call = self._memory.import_file(path)
        self._runner.run(call, done=done, failure=self._failed, owner=self._page)

    def _failed(self, error: ChatdeskError) -> None:
        self._status.say(Tone.ERROR, str(error))
