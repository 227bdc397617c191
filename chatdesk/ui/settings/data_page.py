"""Data: where chatdesk keeps the chats, the newest backup, and "Back up now"."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.units import format_size
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.calls import run_on_page
from chatdesk.ui.settings.notices import Notice, Tone

if TYPE_CHECKING:  # the store package loads SQLAlchemy; the window passes a built one
    from chatdesk.core.store.backup import BackupInfo, Backups


def describe_backup(info: BackupInfo) -> str:
    """ "3 Nov 2026, 14:02 · 1.2 MB", in local time."""
    local = info.created_at.astimezone()
    return f"{_when(local)} · {format_size(info.size)}"


def _when(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y, %H:%M}"


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


class DataPage(QWidget):
    def __init__(
        self,
        data_folder: Path | None,
        backups: Backups | None,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._folder = data_folder
        self._backups = backups
        self._runner = runner
        layout = QVBoxLayout(self)
        layout.addWidget(self._folder_box())
        layout.addWidget(self._backup_box())
        layout.addStretch(1)
        if backups is not None:
            self._show_latest()

    # -- the data folder -------------------------------------------------------------------------

    def _folder_box(self) -> QGroupBox:
        box = QGroupBox("Where your chats are kept", self)
        known = str(self._folder) if self._folder is not None else "Not known in this session"
        self.folder = _selectable(known, "dataFolder", box)
        self.folder.setAccessibleName("Data folder")
        self.open_folder = QPushButton("&Open folder", box)
        self.open_folder.setObjectName("openDataFolder")
        self.open_folder.setEnabled(self._folder is not None)
        self.open_folder.clicked.connect(self.show_folder)
        self.folder_problem = Notice("folderProblem", box)
        hint = QLabel("The database, its backups and attachments are all in this folder.", box)
        hint.setWordWrap(True)
        hint.setProperty("tone", Tone.INFO.value)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(self.open_folder, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(box)
        layout.addLayout(row)
        layout.addWidget(hint)
        layout.addWidget(self.folder_problem)
        return box

    def show_folder(self) -> None:
        if self._folder is None:
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._folder))):
            self.folder_problem.say(
                Tone.ERROR, "No file manager could open the folder; its path is above."
            )

    # -- backups ---------------------------------------------------------------------------------

    def _backup_box(self) -> QGroupBox:
        box = QGroupBox("Backups", self)
        self.latest = _selectable("Looking…", "lastBackup", box)
        self.latest_path = _selectable("", "lastBackupPath", box)
        self.latest_path.setProperty("tone", Tone.INFO.value)
        self.back_up = QPushButton("&Back up now", box)
        self.back_up.setObjectName("backUpNow")
        self.back_up.setToolTip("Make a verified copy of the database in the backups folder")
        self.back_up.clicked.connect(self.start_backup)
        self.progress = QProgressBar(box)
        self.progress.setObjectName("backupProgress")
        self.progress.setAccessibleName("Backing up")
        self.progress.setRange(0, 0)  # a backup reports no steps: show it is working
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(self.fontMetrics().height() // 2 + 4)
        self.progress.setFixedWidth(160)
        self.progress.hide()
        self.result = Notice("backupResult", box)
        latest = QVBoxLayout()
        latest.setSpacing(2)
        latest.addWidget(self.latest)
        latest.addWidget(self.latest_path)
        form = QFormLayout()
        form.addRow("Last backup:", latest)
        row = QHBoxLayout()
        row.addWidget(self.back_up)
        row.addWidget(self.progress)
        row.addStretch(1)
        layout = QVBoxLayout(box)
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addWidget(self.result)
        if self._backups is None:
            self.latest.setText("Backups are not available in this session.")
            self.back_up.setEnabled(False)
        return box

    def _show_latest(self) -> None:
        assert self._backups is not None
        run_on_page(
            self._runner,
            self,
            self._backups.latest(),
            done=self._show_info,
            failed=lambda error: self.latest.setText(str(error)),
            quiet=True,
        )

    def _show_info(self, info: BackupInfo | None) -> None:
        if info is None:
            self.latest.setText("None yet")
            self.latest_path.clear()
            return
        self.latest.setText(describe_backup(info))
        self.latest_path.setText(str(info.path))

    def start_backup(self) -> None:
        if self._backups is None or not self.back_up.isEnabled():
            return
        self._set_busy(True)
        self.result.say(Tone.BUSY, "Backing up and verifying the copy…")
        run_on_page(
            self._runner,
            self,
            self._backups.back_up_now(),
            done=self._backed_up,
            failed=self._failed,
            settled=lambda: self._set_busy(False),
        )

    def _backed_up(self, info: BackupInfo) -> None:
        self._show_info(info)
        self.result.say(Tone.SUCCESS, f"Backed up and verified: {info.path.name}")

    def _failed(self, error: ChatdeskError) -> None:
        self.result.say(Tone.ERROR, f"The backup failed: {error}")

    def _set_busy(self, busy: bool) -> None:
        self.back_up.setEnabled(not busy)
        self.progress.setVisible(busy)
