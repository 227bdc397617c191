"""What the window does with a bug: log it, and tell the user without blocking.

`CrashReporter` is the window's `sys.excepthook` (qasync sends async slots' errors there too);
`report_loop_error` is asyncio's exception handler, which hands what it gets to the hook.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from chatdesk.core.i18n import tr

if TYPE_CHECKING:
    import asyncio

    from PySide6.QtWidgets import QMessageBox

log = logging.getLogger("chatdesk.ui")


def collect_garbage_again() -> None:
    """End start-up's pause of the garbage collector (chatdesk.launch): once the core is open,
    and before any dialog waits for the user, when nothing is timed and garbage may pile up.
    It collects on the GUI thread from then on (chatdesk/ui/collector.py says why)."""
    from chatdesk.ui.collector import collect_on_gui_thread

    collect_on_gui_thread()


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
        collect_garbage_again()  # a bug in start-up: the box may stay open for long
        app = QApplication.instance()
        if not isinstance(app, QApplication) or self._box is not None:
            return  # one box at a time; everything is in the log
        parent: QWidget | None = app.activeWindow() or next(
            (w for w in app.topLevelWidgets() if isinstance(w, QMainWindow)), None
        )
        from PySide6.QtWidgets import QMessageBox  # not before the first paint: ~1 ms to load

        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(tr("chatdesk: unexpected error"))
        box.setText(
            tr(
                "Something went wrong inside chatdesk: {kind}: {error}",
                kind=kind.__name__,
                error=error,
            )
        )
        box.setInformativeText(
            tr(
                "Your chats are saved. Details are in {file}; please include them if you "
                "report this.",
                file=self._log_file,
            )
        )
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        box.setModal(False)  # never block the window, and show() starts no nested event loop
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.destroyed.connect(self._forget_box)
        box.show()
        self._box = box

    def _forget_box(self) -> None:
        self._box = None


def report_loop_error(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    error = context.get("exception")
    if isinstance(error, Exception):
        sys.excepthook(type(error), error, error.__traceback__)
    else:
        log.error("asyncio: %s", context.get("message", context))
