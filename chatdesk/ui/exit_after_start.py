"""`CHATDESK_EXIT_AFTER_START=1`: open the window, report when it came up, and close it.

For smoke tests of an installed or frozen chatdesk (packaging/smoke.py), which has no Python of
its own to drive the window with. Once the window has painted and its core is attached (the
thread list is read, messages can be sent), one line goes to stdout,

    chatdesk: started {"painted": 1732170000.123, "attached": 1732170000.456}

(wall-clock seconds, `time.time()`, so the caller can subtract when it started the process; a
window that never painted reports `null`), and the window is closed as a user closes it: the
normal shutdown runs and the exit code is 0.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping

from PySide6.QtCore import QEvent, QObject, QTimer

from chatdesk.ui.main_window import MainWindow

VARIABLE = "CHATDESK_EXIT_AFTER_START"
PREFIX = "chatdesk: started "


def wanted(env: Mapping[str, str] = os.environ) -> bool:
    return env.get(VARIABLE, "") not in ("", "0")


class ExitAfterStart(QObject):
    """Install before the window is shown; parented to the window, which keeps it."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._painted: float | None = None
        window.installEventFilter(self)
        window.service_attached.connect(self._attached)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._painted is None:
            self._painted = time.time()
            self._window.removeEventFilter(self)
        return False

    def _attached(self) -> None:
        import json  # here, not before the first paint

        marks = {"painted": self._painted, "attached": time.time()}
        print(PREFIX + json.dumps(marks), flush=True)
        QTimer.singleShot(0, self._window, self._window.close)
