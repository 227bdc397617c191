"""A program on a real X server for the global-shortcut tests (`test_shortcut_x11.py`).

`python shortcut_app.py hold KEYS`: chatdesk's GlobalShortcut holding KEYS; it prints
`status <state> <words>` after each change and `pressed <ms>` each time the keys are pressed
(the milliseconds from the X server's key event to the press, on the same clock). Lines read on
stdin: `keys KEYS` holds other keys (as Preferences applies a setting), `quit` ends it.

`python shortcut_app.py type`: an ordinary window holding the focus, which prints `typed <text>`
for each key it is given and `ready <window id>` once it is shown.

`python shortcut_app.py portal KEYS` (for `test_shortcut_wayland.py`): the same GlobalShortcut on
Qt's platform from the environment (Wayland) and chatdesk's asyncio loop (qasync), as the
application runs it; `pressed <XDG_ACTIVATION_TOKEN>` for each press, `closed` once `quit` has
closed the desktop portal's session.
"""

from __future__ import annotations

import ctypes
import os
import sys
import time

from PySide6.QtCore import QAbstractNativeEventFilter, QByteArray, QSocketNotifier, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit


def say(line: str) -> None:
    print(line, flush=True)


class KeyTimes(QAbstractNativeEventFilter):
    """The X server's time of the last key press Qt read (milliseconds, the server's clock,
    which is the system's monotonic clock on Linux)."""

    last = 0

    def nativeEventFilter(
        self, eventType: QByteArray | bytes | bytearray | memoryview, message: int
    ) -> tuple[bool, int]:
        if eventType == b"xcb_generic_event_t":
            head = ctypes.cast(int(message), ctypes.POINTER(ctypes.c_uint32 * 2)).contents
            if head[0] & 0x7F == 2:  # a key press: its time follows the first four bytes
                self.last = head[1]
        return False, 0


def hold(app: QApplication, keys: str) -> None:
    from chatdesk.ui.desktop.shortcut import GlobalShortcut

    times = KeyTimes()
    app.installNativeEventFilter(times)
    shortcut = GlobalShortcut()

    def pressed() -> None:
        now = int(time.monotonic() * 1000) & 0xFFFFFFFF
        say(f"pressed {(now - times.last) & 0xFFFFFFFF}")

    # queued: after every filter has seen the key event
    shortcut.pressed.connect(pressed, Qt.ConnectionType.QueuedConnection)
    shortcut.status_changed.connect(lambda words: say(f"status {shortcut.state.value} {words}"))
    shortcut.apply(keys)

    def command() -> None:
        line = sys.stdin.readline().rstrip("\n")
        if line.startswith("keys "):
            shortcut.apply(line.removeprefix("keys "))
        elif line in ("quit", ""):
            shortcut.close()
            app.quit()

    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read, app)
    notifier.activated.connect(command)
    app.exec()


def portal(app: QApplication, keys: str) -> None:
    import asyncio

    import qasync

    from chatdesk.ui.desktop.shortcut import GlobalShortcut

    shortcut = GlobalShortcut()
    shortcut.pressed.connect(lambda: say(f"pressed {os.environ.get('XDG_ACTIVATION_TOKEN', '')}"))
    shortcut.status_changed.connect(lambda words: say(f"status {shortcut.state.value} {words}"))

    async def run() -> None:
        ended = asyncio.Event()

        def command() -> None:
            line = sys.stdin.readline().rstrip("\n")
            if line.startswith("keys "):
                shortcut.apply(line.removeprefix("keys "))
            elif line in ("quit", ""):
                notifier.setEnabled(False)
                shortcut.close()
                ended.set()

        notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read, app)
        notifier.activated.connect(command)
        say(f"platform {app.platformName()}")
        shortcut.apply(keys)
        await ended.wait()
        await shortcut.aclose()
        say("closed")

    qasync.run(run())


class Typed(QLineEdit):
    def keyPressEvent(self, event: QKeyEvent) -> None:
        say(f"typed {event.text()!r} {event.keyCombination().toCombined():#x}")
        super().keyPressEvent(event)


def typing(app: QApplication) -> None:
    edit = Typed()
    edit.setWindowTitle("typing")
    edit.show()
    edit.activateWindow()
    edit.setFocus()
    app.processEvents()
    say(f"ready {int(edit.winId())}")
    app.exec()


if __name__ == "__main__":
    if sys.argv[1] != "portal":
        os.environ["QT_QPA_PLATFORM"] = "xcb"
    application = QApplication(sys.argv[:1])
    if sys.argv[1] == "portal":
        portal(application, sys.argv[2])
    elif sys.argv[1] == "hold":
        hold(application, sys.argv[2])
    else:
        typing(application)
