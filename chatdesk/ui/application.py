"""Starting and stopping the window: Qt first, then the core, then asyncio inside Qt (qasync).

Shutdown never relies on Qt quitting the loop: closing the last window (or Ctrl+Q) sets an
asyncio.Event; `_main` then closes the window's work and the core (stopping answers, keeping
their partial text) and returns, which ends the loop.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, TypeVar

import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget

from chatdesk.core.chat.service import ChatService
from chatdesk.core.config import Settings, load_settings, save_settings
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.logs import LOG_FILE
from chatdesk.core.paths import Paths, package_data
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.qt_workarounds import protect_none_refcount
from chatdesk.ui.theme import apply_theme

log = logging.getLogger("chatdesk.ui")


# What the window needs of `chatdesk.app.Configuration` and `Core`. Described here, not imported,
# because the UI layer sits below `chatdesk.app` (see the import-linter contracts).
class AppConfig(Protocol):
    @property
    def paths(self) -> Paths: ...

    @property
    def settings(self) -> Settings: ...


class AppCore(Protocol):
    @property
    def service(self) -> ChatService: ...

    async def start(self) -> None: ...

    async def aclose(self) -> None: ...


ConfigT = TypeVar("ConfigT", bound=AppConfig)


def run(config: ConfigT, build_core: Callable[[ConfigT], AppCore]) -> int:
    """Show the window until it is closed; app.py calls this as `run(config, build_core)`."""
    protect_none_refcount()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("chatdesk")
    app.setWindowIcon(QIcon(str(package_data("resources") / "icons" / "chatdesk.svg")))
    app.setQuitOnLastWindowClosed(False)
    ui = config.settings.ui
    apply_theme(app, ui.theme, ui.font_size)
    previous_hook = sys.excepthook
    sys.excepthook = CrashReporter(config.paths.log_dir / LOG_FILE)
    try:
        core = build_core(config)  # opens and if needed migrates the database, before the loop
        code: int = qasync.run(_main(app, core, config))
        return code
    except ChatdeskError as error:
        # No loop runs any more, so a modal box is safe here; the CLI prints it as well.
        log.error("chatdesk could not run: %s", error)
        if app.platformName() != "offscreen":  # headless runs must not wait for a click
            QMessageBox.critical(None, "chatdesk", str(error))
        raise
    finally:
        sys.excepthook = previous_hook


async def _main(app: QApplication, core: AppCore, config: AppConfig) -> int:
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(_report_loop_error)
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    window: MainWindow | None = None
    try:
        await core.start()
        paths = config.paths
        window = MainWindow(
            core.service,
            settings=config.settings,
            save_settings=lambda settings: _save_preferences(paths.config_file, settings),
            state_file=paths.config_dir / "window.ini",
        )
        window.show()
        window.start()
        await closed.wait()
    finally:
        if window is not None:
            await window.aclose()
        await core.aclose()
    return 0


def _save_preferences(path: Path, settings: Settings) -> None:
    """Write what the preferences dialog edits; values that came from the environment for
    this run only are not written (the file keeps its own)."""
    on_file = load_settings(path, env={}).settings
    save_settings(path, dataclasses.replace(on_file, ui=settings.ui))


class CrashReporter:
    """sys.excepthook: log the bug and tell the user without blocking (no nested event loop)."""

    def __init__(self, log_file: Path) -> None:
        self._log_file = log_file
        self._box: QMessageBox | None = None

    def __call__(
        self, kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        log.error("unexpected error", exc_info=(kind, error, tb))
        app = QApplication.instance()
        if not isinstance(app, QApplication) or self._box is not None:
            return  # one box at a time; everything is in the log
        parent: QWidget | None = app.activeWindow() or next(
            (w for w in app.topLevelWidgets() if isinstance(w, QMainWindow)), None
        )
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("chatdesk: unexpected error")
        box.setText(f"Something went wrong inside chatdesk: {kind.__name__}: {error}")
        box.setInformativeText(
            f"Your chats are saved. Details are in {self._log_file}; please include them "
            "if you report this."
        )
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        box.setModal(False)  # never block the window, and show() starts no nested event loop
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.destroyed.connect(self._forget_box)
        box.show()
        self._box = box

    def _forget_box(self) -> None:
        self._box = None


def _report_loop_error(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    error = context.get("exception")
    if isinstance(error, Exception):
        sys.excepthook(type(error), error, error.__traceback__)
    else:
        log.error("asyncio: %s", context.get("message", context))
