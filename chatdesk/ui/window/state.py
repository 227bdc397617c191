"""Where the window was: its geometry, the sidebar's width and whether it is shown, kept in
the state file between launches (an INI file beside the settings; none in tests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter, QWidget


class WindowState:
    def __init__(
        self,
        window: QMainWindow,
        splitter: QSplitter,
        side_panel: Callable[[], QWidget],
        state_file: Path | None,
        side_wanted: Callable[[], bool] | None = None,
    ) -> None:
        """`side_wanted()`: whether the sidebar is to be shown next time (it may be hidden only
        because the window is narrow); by default, whether it is shown."""
        self._window = window
        self._splitter = splitter
        self._side_panel = side_panel  # the sidebar, or its placeholder before the core opens
        self._side_wanted = side_wanted or (lambda: not side_panel().isHidden())
        self._file = state_file

    def save(self) -> None:
        state = self._state()
        if state is not None:
            state.setValue("window/geometry", self._window.saveGeometry())
            state.setValue("window/splitter", self._splitter.saveState())
            state.setValue("window/sidebar", self._side_wanted())
            state.sync()

    def restore(self) -> None:
        state = self._state()
        if state is None:
            return
        geometry = state.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self._window.restoreGeometry(geometry)
        splitter = state.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self._splitter.restoreState(splitter)
        shown = str(state.value("window/sidebar", "true")).lower() != "false"
        self._side_panel().setVisible(shown)

    def _state(self) -> QSettings | None:
        if self._file is None:
            return None
        return QSettings(str(self._file), QSettings.Format.IniFormat)
