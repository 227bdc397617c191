"""The backups, newest first: when, what kind, how big; the newest (the last good one) stands out.

Every backup in the list verified when it was made (a copy that does not verify is never
renamed into the backups folder), so the newest is the last good one.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from chatdesk.core.i18n import mark, tr
from chatdesk.core.units import format_size

if TYPE_CHECKING:  # the store package loads SQLAlchemy; the window passes built objects
    from chatdesk.core.database import BackupInfo

KIND_NAMES = {
    # translators: a kind of backup: the one made automatically each day
    "daily": mark("Daily"),
    # translators: a kind of backup: made before chatdesk upgraded its database
    "pre-migration": mark("Before an upgrade"),
    # translators: a kind of backup: made with "Back up now"
    "manual": mark("Made by you"),
    # translators: a kind of backup: none of the others
    "other": mark("Other"),
}
PATH_ROLE = Qt.ItemDataRole.UserRole


def when(moment: datetime) -> str:
    """ "3 Nov 2026, 14:02", in local time."""
    local = moment.astimezone()
    return f"{local.day} {local:%b %Y, %H:%M}"


class BackupList(QTreeWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backupList")
        self.setAccessibleName(tr("Backups, newest first"))
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # translators: column headers of the list of backups: when it was made, its kind, its size
        self.setHeaderLabels([tr("Made"), tr("Kind"), tr("Size")])
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        rows = 5
        self.setMinimumHeight(self.fontMetrics().height() * (rows + 2) + 8)
        self.setMaximumHeight(self.fontMetrics().height() * (rows + 4) + 8)

    def show_backups(self, backups: list[BackupInfo]) -> None:
        chosen = self.chosen()
        self.clear()
        for index, info in enumerate(backups):
            item = QTreeWidgetItem([when(info.created_at), tr(KIND_NAMES[info.kind.value]), ""])
            item.setText(2, format_size(info.size))
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setData(0, PATH_ROLE, str(info.path))
            item.setToolTip(0, str(info.path))
            if index == 0:
                item.setText(0, f"✓ {item.text(0)}")
                # translators: the kind of the newest backup, marked as the newest
                item.setText(1, tr("{kind} · newest", kind=item.text(1)))
                item.setToolTip(
                    0,
                    tr("The last good backup (verified when it was made)\n{path}", path=info.path),
                )
                font = item.font(0)
                font.setBold(True)
                for column in range(3):
                    item.setFont(column, font)
            self.addTopLevelItem(item)
        self._select(chosen if chosen in {b.path for b in backups} else None)

    def made(self, path: Path) -> str | None:
        """When the listed backup at `path` was made, as shown ("3 Nov 2026, 14:02")."""
        for row in range(self.topLevelItemCount()):
            item = self.topLevelItem(row)
            if item is not None and Path(item.data(0, PATH_ROLE)) == path:
                return item.text(0).removeprefix("✓ ")
        return None

    def chosen(self) -> Path | None:
        item = self.currentItem()
        return Path(item.data(0, PATH_ROLE)) if item is not None else None

    def _select(self, path: Path | None) -> None:
        for row in range(self.topLevelItemCount()):
            item = self.topLevelItem(row)
            if item is not None and (path is None or Path(item.data(0, PATH_ROLE)) == path):
                self.setCurrentItem(item)
                return
