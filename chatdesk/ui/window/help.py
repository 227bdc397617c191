"""The Help menu: the keyboard shortcuts (from the menus' own rows), About chatdesk, and Report
a problem. The dialogs load when first opened; each opens without blocking."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from chatdesk.ui.theme import ThemeWatcher
from chatdesk.ui.window.menus import KEYS_ELSEWHERE, SHORTCUTS

if TYPE_CHECKING:
    from chatdesk.core.settings_start import UiSettings
    from chatdesk.ui.help.about import Facts


class HelpActions:
    def __init__(self, window: QWidget, settings: Callable[[], tuple[str, UiSettings]]) -> None:
        """`settings()`: the provider new chats use, and the window's look (for a report)."""
        self._window = window
        self._settings = settings
        self.data_folder: Path | None = None  # known once the core is attached
        self.log_folder: Path | None = None
        self.dialog: QDialog | None = None  # the one opened last

    def show_shortcuts(self) -> None:
        from chatdesk.ui.help.shortcuts import ShortcutsDialog

        rows = [
            (menu, text, keys or KEYS_ELSEWHERE.get(target, ""))
            for menu, text, keys, target in SHORTCUTS
        ]
        self._open(ShortcutsDialog(rows, self._window))

    def about(self) -> None:
        from chatdesk.ui.help.about import about_dialog

        self._open(about_dialog(self._facts(), self._window))

    def report_problem(self) -> None:
        from chatdesk.ui.help.about import report_dialog

        self._open(report_dialog(self._facts(), self._window))

    def _facts(self) -> Facts:
        from chatdesk.ui.help.about import Facts

        provider, ui = self._settings()
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        theme = f"{ui.theme} ({ThemeWatcher.of(app).look})"  # "system (dark)"
        return Facts(self.data_folder, self.log_folder, theme, ui.zoom, provider)

    def _open(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
