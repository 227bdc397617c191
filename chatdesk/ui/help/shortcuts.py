"""The keyboard shortcuts, listed from the rows the menus are made of (window/menus.py passes
them), so the list and the keys cannot disagree."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import tr

# (menu, entry, keys), each as the menus show them (untranslated, with their & marks).
Row = tuple[str, str, str]


def shown_keys(keys: str) -> str:
    """Keys as this platform writes them (⌘ on macOS, Ctrl elsewhere), read left to right
    in a right-to-left window too ("Ctrl+," not ",+Ctrl")."""
    return left_to_right(QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText))


def left_to_right(text: str) -> str:
    """`text` kept left to right inside right-to-left words (a key, a folder's path)."""
    return f"\u2066{text}\u2069" if QGuiApplication.isRightToLeft() else text


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


class ShortcutsDialog(QDialog):
    def __init__(self, rows: Iterable[Row], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Keyboard shortcuts"))
        self.tree = QTreeWidget(self)
        self.tree.setAccessibleName(tr("Keyboard shortcuts"))
        self.tree.setHeaderLabels([tr("Command"), tr("Keys")])
        self.tree.setRootIsDecorated(False)
        self.tree.setItemsExpandable(False)
        menus: dict[str, QTreeWidgetItem] = {}
        for menu, entry, keys in rows:
            if not keys:
                continue
            if menu not in menus:
                menus[menu] = QTreeWidgetItem(self.tree, [_plain(tr(menu))])
                menus[menu].setFirstColumnSpanned(True)
                menus[menu].setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = menus[menu].font(0)
                font.setBold(True)
                menus[menu].setFont(0, font)
            QTreeWidgetItem(menus[menu], [_plain(tr(entry)), shown_keys(keys)])
        self.tree.expandAll()
        self.tree.setStyleSheet("QTreeWidget::item { padding: 3px 12px 3px 0px; }")  # room to read
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        self.resize(480, 540)

    def listed(self) -> list[tuple[str, str]]:
        """(command, keys) of each line, as shown."""
        found = []
        for top in range(self.tree.topLevelItemCount()):
            menu = self.tree.topLevelItem(top)
            assert menu is not None
            items = (menu.child(row) for row in range(menu.childCount()))
            found += [(item.text(0), item.text(1)) for item in items if item is not None]
        return found
