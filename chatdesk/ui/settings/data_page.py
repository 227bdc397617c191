"""Data: where the chats are kept, the backups (back up now, restore one, automatic backups)
and how long deleted threads stay restorable.

The database is open while the window runs, so a restore chosen here is scheduled: the next
start puts the backup in place before it opens the database, keeping the current one aside.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.config import StorageSettings
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import ntr, tr
from chatdesk.core.units import format_size
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.backup_list import BackupList, when
from chatdesk.ui.settings.notices import Notice, Tone
from chatdesk.ui.settings.sections import scroll_page

if TYPE_CHECKING:  # the store package loads SQLAlchemy; the window passes a built one
    from chatdesk.core.database import BackupInfo
    from chatdesk.core.store.backups import Backups

RETENTION_MAX_DAYS = 36_500
T = TypeVar("T")


def describe_backup(info: BackupInfo) -> str:
    """ "3 Nov 2026, 14:02 · 1.2 MB", in local time."""
    return f"{when(info.created_at)} · {format_size(info.size)}"


def _selectable(text: str, name: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    return label


def _hint(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setProperty("tone", Tone.INFO.value)
    return label


def _button(text: str, name: str, parent: QWidget, slot: Callable[[], None]) -> QPushButton:
    button = QPushButton(text, parent)
    button.setObjectName(name)
    button.clicked.connect(slot)
    return button


def _kept(policy: StorageSettings) -> str:
    """What the automatic backups keep, and for how long."""
    # translators: how long daily backups are kept: "for 7 days"
    days = ntr("{n} day", "{n} days", policy.daily_backups, context="backups kept")
    # translators: how long weekly backups are kept: "for 4 weeks"
    weeks = ntr("{n} week", "{n} weeks", policy.weekly_backups, context="backups kept")
    # translators: {n} backups made before an upgrade: "and the 3 newest made before…"
    newest = ntr("the {n} newest", "the {n} newest", policy.pre_migration_backups)
    # translators: {days}, {weeks} and {newest} are "7 days", "4 weeks", "the 3 newest"
    return tr(
        "Keeps one a day for {days}, one a week for {weeks} before that, and {newest} made "
        "before an upgrade. Backups you make are never deleted.",
        days=days,
        weeks=weeks,
        newest=newest,
    )


class DataPage(QWidget):
    def __init__(
        self,
        data_folder: Path | None,
        backups: Backups | None,
        runner: Runner,
        parent: QWidget | None = None,
        *,
        storage: StorageSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self._folder = data_folder
        self._backups = backups
        self._runner = runner
        self._storage = storage or StorageSettings()
        self.quit_app: Callable[[], None] = QApplication.closeAllWindows  # "Quit now"
        self._pending: Path | None = None  # a restore scheduled for the next start
        content = QWidget(self)
        content.setObjectName("dataContent")
        layout = QVBoxLayout(content)
        layout.addWidget(self._folder_box(content))
        layout.addWidget(self._backup_box(content))
        layout.addWidget(self._retention_box(content))
        layout.addStretch(1)
        scroll_page(self, content)
        if backups is not None:
            self.refresh()

    def storage(self, previous: StorageSettings) -> StorageSettings:
        """`previous` with what this page edits (in use as each changes)."""
        return replace(
            previous,
            automatic_backups=self.automatic.isChecked(),
            deleted_retention_days=self.retention.value(),
        )

    # -- the data folder -------------------------------------------------------------------------

    def _folder_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(tr("Where your chats are kept"), parent)
        known = str(self._folder) if self._folder is not None else tr("Not known in this session")
        self.folder = _selectable(known, "dataFolder", box)
        self.folder.setAccessibleName(tr("Data folder"))
        # translators: a button that shows the data folder in the file manager
        self.open_folder = _button(tr("Open &folder"), "openDataFolder", box, self.show_folder)
        self.open_folder.setEnabled(self._folder is not None)
        self.folder_problem = Notice("folderProblem", box)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(self.open_folder, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(box)
        layout.addLayout(row)
        layout.addWidget(
            _hint(
                # translators: “backups” is the name of a folder on disk (keep it in English)
                tr("The database, its backups (in “backups”) and attachments are all here."),
                box,
            )
        )
        layout.addWidget(self.folder_problem)
        return box

    def show_folder(self) -> None:
        if self._folder is None:
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._folder))):
            self.folder_problem.say(
                Tone.ERROR, tr("No file manager could open the folder; its path is above.")
            )

    # -- backups ---------------------------------------------------------------------------------

    def _backup_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(tr("Backups"), parent)
        self._make_backup_controls(box)
        self._lay_out_backups(box)
        self._show_scheduled(None)
        if self._backups is None:
            self.latest.setText(tr("Backups are not available in this session."))
        self._enable()
        return box

    def _make_backup_controls(self, box: QGroupBox) -> None:
        """The box's controls, made in the order Tab visits them (each made in the box)."""
        self.latest = _selectable(tr("Looking…"), "lastBackup", box)
        self.latest_path = _selectable("", "lastBackupPath", box)
        self.latest_path.hide()  # the list's tooltips show it; kept for screen readers and tests
        self.list = BackupList(box)
        self.list.currentItemChanged.connect(lambda *_: self._enable())
        self.back_up = _button(tr("&Back up now"), "backUpNow", box, self.start_backup)
        self.back_up.setToolTip(tr("Make a verified copy of the database in the backups folder"))
        self.restore = _button(tr("&Restore…"), "restoreBackup", box, self.confirm_restore)
        self.restore.setToolTip(tr("Put the chosen backup back in place of the database"))
        self.progress = self._progress(box)
        self.automatic = QCheckBox(tr("Ba&ck up automatically once a day"), box)
        self.automatic.setObjectName("automaticBackups")
        self.automatic.setChecked(self._storage.automatic_backups)
        self.result = Notice("backupResult", box)
        self.scheduled = Notice("restoreScheduled", box)
        self.quit_now = _button(tr("&Quit now"), "quitNow", box, lambda: self.quit_app())
        self.cancel_restore = _button(
            tr("Ca&ncel restore"), "cancelRestore", box, self.start_cancel
        )

    def _lay_out_backups(self, box: QGroupBox) -> None:
        """The last backup, the list with its buttons beside it, what a backup or restore said,
        Quit now and Cancel restore, the automatic backups and what they keep."""
        buttons = QVBoxLayout()
        for widget in (self.back_up, self.restore, self.progress):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        listed = QHBoxLayout()
        listed.addWidget(self.list, 1)
        listed.addLayout(buttons)
        form = QFormLayout()
        form.addRow(tr("Last good backup:"), self.latest)
        layout = QVBoxLayout(box)
        layout.addLayout(form)
        layout.addWidget(self.latest_path)
        layout.addLayout(listed)
        layout.addWidget(self.result)
        layout.addWidget(self.scheduled)
        layout.addLayout(self._row(None, self.quit_now, self.cancel_restore))
        layout.addWidget(self.automatic)
        layout.addWidget(_hint(_kept(self._storage), box))

    def _progress(self, parent: QWidget) -> QProgressBar:
        progress = QProgressBar(parent)
        progress.setObjectName("backupProgress")
        progress.setAccessibleName(tr("Backing up"))
        progress.setRange(0, 0)  # a backup reports no steps: show it is working
        progress.setTextVisible(False)
        progress.setMaximumHeight(self.fontMetrics().height() // 2 + 4)
        shown = self.back_up.text().replace("&", "")  # as wide as the button's words
        progress.setFixedWidth(self.fontMetrics().horizontalAdvance(shown) + 24)
        progress.hide()
        return progress

    @staticmethod
    def _row(*widgets: QWidget | None) -> QHBoxLayout:
        row = QHBoxLayout()
        for widget in widgets:
            if widget is None:
                row.addStretch(1)
            else:
                row.addWidget(widget)
        return row

    def refresh(self) -> None:
        """Read the backups and any scheduled restore again."""
        if self._backups is None:
            return
        self._call(
            self._backups.list(),
            self._show_backups,
            lambda error: self.latest.setText(str(error)),
            quiet=True,
        )
        self._call(self._backups.scheduled_restore(), self._show_scheduled, quiet=True)
        if self._backups.last_failure:
            self.result.say(
                Tone.WARNING,
                tr("The last automatic backup failed: {error}", error=self._backups.last_failure),
            )

    def _call(
        self,
        call: Coroutine[Any, Any, T],
        done: Callable[[T], object],
        failed: Callable[[ChatdeskError], object] | None = None,
        *,
        settled: Callable[[], object] | None = None,
        quiet: bool = False,
    ) -> None:
        def show_error(error: ChatdeskError) -> None:
            self.result.say(Tone.ERROR, str(error))

        self._runner.run(
            call, done=done, failure=failed or show_error, settled=settled, quiet=quiet, owner=self
        )

    def _show_backups(self, backups: list[BackupInfo]) -> None:
        self.list.show_backups(backups)
        if not backups:
            # translators: the last good backup when there is none
            self.latest.setText(tr("None yet"))
            self.latest_path.clear()
        else:
            self.latest.setText(describe_backup(backups[0]))
            self.latest_path.setText(str(backups[0].path))
        self._show_scheduled(self._pending)  # now with the date it was made
        self._enable()

    def _enable(self, busy: bool = False) -> None:
        available = self._backups is not None and not busy
        self.back_up.setEnabled(available)
        self.restore.setEnabled(available and self.list.chosen() is not None)
        self.progress.setVisible(busy)

    def start_backup(self) -> None:
        if self._backups is None or not self.back_up.isEnabled():
            return
        self._enable(busy=True)
        self.result.say(Tone.BUSY, tr("Backing up and verifying the copy…"))
        self._call(
            self._backups.back_up_now(),
            self._backed_up,
            lambda error: self.result.say(
                Tone.ERROR, tr("The backup failed: {error}", error=error)
            ),
            settled=self._enable,
        )

    def _backed_up(self, info: BackupInfo) -> None:
        self.result.say(Tone.SUCCESS, tr("Backed up and verified: {file}", file=info.path.name))
        self.refresh()

    # -- restoring -------------------------------------------------------------------------------

    def confirm_restore(self) -> None:
        chosen = self.list.chosen()
        item = self.list.currentItem()
        if chosen is None or item is None or self._backups is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, tr("Restore a backup"), "", parent=self)
        box.setObjectName("confirmRestore")
        # translators: {made} is when the backup was made: "3 Nov 2026, 14:02"
        box.setText(tr("Restore the backup made {made}?", made=self.list.made(chosen)))
        box.setInformativeText(
            tr(
                "The database is in use, so chatdesk will restore it the next time it starts. "
                "Your current database is kept, untouched, beside it in the data folder "
                "(chatdesk.db.before-restore-…). Chats written after this backup was made will "
                "not be in the restored one."
            )
        )
        restore = box.addButton(tr("Restore at next start"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # open(), not exec(): no nested event loop under qasync.
        box.finished.connect(lambda _: self._schedule(chosen, box.clickedButton() is restore))
        box.open()

    def _schedule(self, backup: Path, confirmed: bool) -> None:
        if not confirmed or self._backups is None:
            return
        self._call(self._backups.schedule_restore(backup), lambda _: self._show_scheduled(backup))

    def _show_scheduled(self, backup: Path | None) -> None:
        self._pending = backup
        if backup is None:
            self.scheduled.clear_notice()
        else:
            made = self.list.made(backup)
            if made:
                # translators: {made} is when the backup was made: "3 Nov 2026, 14:02"
                said = tr(
                    "chatdesk will restore the backup made {made} on next start. Quit now and "
                    "start it again to have it back at once.",
                    made=made,
                )
            else:
                said = tr(
                    "chatdesk will restore {file} on next start. Quit now and start it again "
                    "to have it back at once.",
                    file=backup.name,
                )
            self.scheduled.say(Tone.WARNING, said)
        self.quit_now.setVisible(backup is not None)
        self.cancel_restore.setVisible(backup is not None)

    def start_cancel(self) -> None:
        if self._backups is not None:
            self._call(self._backups.cancel_restore(), lambda _: self._show_scheduled(None))

    # -- deleted threads -------------------------------------------------------------------------

    def _retention_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(tr("Deleted threads"), parent)
        self.retention = QSpinBox(box)
        self.retention.setObjectName("retentionDays")
        self.retention.setAccessibleName(tr("Days deleted threads are kept (0: forever)"))
        self.retention.setRange(0, RETENTION_MAX_DAYS)
        # translators: how long deleted threads are kept: forever
        self.retention.setSpecialValueText(tr("Forever"))
        # translators: a spin box's suffix after a number of days (keep the leading space)
        self.retention.setSuffix(tr(" days"))
        self.retention.setValue(self._storage.deleted_retention_days)
        caption = QLabel(tr("K&eep deleted threads for:"), box)
        caption.setBuddy(self.retention)
        row = self._row(caption, self.retention, None)
        layout = QVBoxLayout(box)
        layout.addLayout(row)
        layout.addWidget(
            _hint(
                tr(
                    "Until then a deleted thread can be restored; after that it is removed for "
                    "good. Threads shared with a team follow the team's rules."
                ),
                box,
            )
        )
        return box
