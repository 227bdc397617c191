"""File ▸ Export thread…, Export everything…, Import…: a file dialog picks the path, then the
core's `Transfer` does the work through the window's Runner.

The window hands over a factory, not a Transfer: the core makes it on first use (it loads the
exporters and the importers), and the factory is called on a worker thread so that first use
does not hold up the window either. A long task (everything, an import) shows a TransferDialog
with progress and Cancel; one such task runs at a time. A failure the user can act on (a file
that is not an export, a folder that cannot be written) is said where they are looking: in the
task's dialog, or in a message box for a single thread.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, QStandardPaths, Qt
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import mark, ntr, number, tr
from chatdesk.ui.runner import Runner
from chatdesk.ui.transfer.dialog import TransferDialog
from chatdesk.ui.transfer.reports import archive_outcome, import_outcome

if TYPE_CHECKING:  # made by the core on first use (the factory), never at start-up
    from chatdesk.core.transfer import (
        ArchiveReport,
        ExportProgress,
        ImportProgress,
        ImportReport,
        Transfer,
    )

T = TypeVar("T")
TransferFactory = Callable[[], "Transfer"]
_THREAD_FORMATS = (  # (name filter, suffix, ExportFormat value)
    # translators: a file type in the file dialog: keep the pattern in brackets as it is
    (mark("Markdown (*.md)"), "md", "md"),
    # translators: a file type in the file dialog: keep the pattern in brackets as it is
    (mark("Web page (*.html)"), "html", "html"),
    # translators: a file type in the file dialog: keep the pattern in brackets as it is
    (mark("chatdesk JSON, every branch (*.json)"), "json", "json"),
)
_SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}
# translators: file types in the file dialog: keep the patterns in brackets as they are
_IMPORT_FILTERS = (mark("Chat exports (*.zip *.json)"), mark("All files (*)"))
_UNSAFE_IN_NAMES = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


class TransferActions(QObject):
    def __init__(self, window: QMainWindow, runner: Runner, transfer: TransferFactory) -> None:
        super().__init__(window)
        self._window = window
        self._runner = runner
        self._transfer = transfer
        self._folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        self.dialog: TransferDialog | None = None  # the long task's, the latest one

    @property
    def running(self) -> bool:
        return self.dialog is not None and self.dialog.running

    # -- asking where ----------------------------------------------------------------------------

    def export_thread(self, thread_id: uuid.UUID, title: str) -> None:
        name = f"{_file_name(title)}.md"
        dialog = self._file_dialog(tr("Export thread"), save=True, name=name)
        dialog.setNameFilters([tr(f) for f, _, _ in _THREAD_FORMATS])
        dialog.setDefaultSuffix("md")
        dialog.filterSelected.connect(lambda chosen: dialog.setDefaultSuffix(_suffix_of(chosen)))
        dialog.fileSelected.connect(
            lambda path: self.export_thread_to(
                thread_id, title, Path(path), _format_of(path, dialog.selectedNameFilter())
            )
        )
        dialog.open()

    def export_all(self) -> None:
        if self._show_running():
            return
        name = f"chatdesk-{date.today().isoformat()}.zip"
        dialog = self._file_dialog(tr("Export everything"), save=True, name=name)
        # translators: a file type in the file dialog: keep the pattern in brackets as it is
        dialog.setNameFilters([tr("Zip archive (*.zip)")])
        dialog.setDefaultSuffix("zip")
        dialog.fileSelected.connect(lambda path: self.export_all_to(Path(path)))
        dialog.open()

    def import_file(self) -> None:
        if self._show_running():
            return
        dialog = self._file_dialog(tr("Import chats"), save=False)
        dialog.setNameFilters([tr(f) for f in _IMPORT_FILTERS])
        dialog.fileSelected.connect(lambda path: self.import_from(Path(path)))
        dialog.open()

    def _file_dialog(self, title: str, *, save: bool, name: str = "") -> QFileDialog:
        dialog = QFileDialog(self._window, title, self._folder)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if save:
            dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            dialog.selectFile(name)
        else:
            dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda path: setattr(self, "_folder", str(Path(path).parent)))
        return dialog

    # -- doing it --------------------------------------------------------------------------------

    def export_thread_to(
        self, thread_id: uuid.UUID, title: str, path: Path, format: str
    ) -> asyncio.Task[Any]:
        self._say(tr("Exporting “{title}”…", title=title))

        async def work(transfer: Transfer) -> None:
            from chatdesk.core.transfer import ExportFormat

            await transfer.export_thread(thread_id, ExportFormat(format), path)

        def refused(error: ChatdeskError) -> None:
            self._say("")
            self._warn(tr("“{title}” was not exported", title=title), str(error))

        return self._runner.run(
            self._with_transfer(work),
            done=lambda _: self._say(tr("Exported “{title}” to {path}", title=title, path=path)),
            failure=refused,
            quiet=True,
        )

    def export_all_to(self, path: Path) -> asyncio.Task[Any]:
        dialog = self._task_dialog(tr("Exporting every chat"))

        def shown(progress: ExportProgress) -> None:
            done, total = progress.threads_done, progress.threads_total
            counted = ntr("{done} of {n} chat", "{done} of {n} chats", total, done=number(done))
            dialog.show_progress(done / total if total else 1.0, counted)

        async def work(transfer: Transfer) -> ArchiveReport:
            return await transfer.export_all(path, progress=shown, cancel=dialog.cancel)

        return self._runner.run(
            self._with_transfer(work),
            done=lambda report: dialog.show_outcome(*archive_outcome(report, path)),
            failure=lambda error: dialog.show_outcome(tr("Export failed"), str(error)),
            owner=dialog,
            quiet=True,
        )

    def import_from(self, path: Path) -> asyncio.Task[Any]:
        dialog = self._task_dialog(tr("Importing {file}", file=path.name))

        def shown(progress: ImportProgress) -> None:
            added = ntr(
                "{n} chat added ({messages})",
                "{n} chats added ({messages})",
                progress.threads_added,
                messages=ntr("{n} message", "{n} messages", progress.messages),
            )
            # translators: chats found in the file being imported that were imported before
            here = ntr("{n} already here", "{n} already here", progress.threads_skipped)
            text = f"{added} · {here}"
            dialog.show_progress(progress.fraction, text)

        async def work(transfer: Transfer) -> ImportReport:
            return await transfer.import_file(path, progress=shown, cancel=dialog.cancel)

        return self._runner.run(
            self._with_transfer(work),
            done=lambda report: dialog.show_outcome(*import_outcome(report)),
            failure=lambda error: dialog.show_outcome(tr("Import failed"), str(error)),
            owner=dialog,
            quiet=True,
        )

    async def _with_transfer(self, work: Callable[[Transfer], Awaitable[T]]) -> T:
        transfer = await self._runner.off_thread(self._transfer)
        return await work(transfer)

    def _task_dialog(self, title: str) -> TransferDialog:
        dialog = TransferDialog(title, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda: self._forget(dialog))
        self.dialog = dialog
        dialog.show()
        return dialog

    def _forget(self, dialog: TransferDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _show_running(self) -> bool:
        """One long task at a time: its dialog comes to the front instead."""
        if self.dialog is None or not self.running:
            return False
        self.dialog.raise_()
        self.dialog.activateWindow()
        return True

    def _say(self, text: str) -> None:
        self._window.statusBar().showMessage(text, 15_000)

    def _warn(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=self._window)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()


def _file_name(title: str) -> str:
    name = _UNSAFE_IN_NAMES.sub("-", title).strip(" .-")[:80].strip()
    # translators: the file name an export suggests for a chat whose title cannot name a file
    return name or tr("chat")


def _suffix_of(name_filter: str) -> str:
    return next((s for f, s, _ in _THREAD_FORMATS if tr(f) == name_filter), "md")


def _format_of(path: str, name_filter: str) -> str:
    """The format a typed suffix names, else the chosen filter's."""
    by_suffix = _SUFFIXES.get(Path(path).suffix.lower())
    return by_suffix or next((v for f, _, v in _THREAD_FORMATS if tr(f) == name_filter), "md")
