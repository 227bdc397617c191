"""What the running chatdesk offers the ways in from outside its window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt

if TYPE_CHECKING:
    from chatdesk.ui.main_window import MainWindow


class Desktop(QObject):
    """The running chatdesk, as a second start, the shortcut, the tray and links ask it."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window

    def show_window(self) -> None:
        """The main window, shown in front (un-minimised, raised, focused)."""
        window = self._window
        state = window.windowState() & ~Qt.WindowState.WindowMinimized
        window.setWindowState(state | Qt.WindowState.WindowActive)
        window.show()
        window.raise_()
        window.activateWindow()

    def start(self) -> None:
        """Once the core is attached: the parts that listen for the user outside the window."""

    def close(self) -> None:
        """Before the core closes."""
