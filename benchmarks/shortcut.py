"""The global shortcut on X11 (chatdesk/ui/desktop/shortcut_x11.py), on a real X server of its
own (Xvfb) with real key presses (xdotool): from the X server's key event to the shortcut's
`pressed` signal, which `Desktop.quick_ask()` is connected to — chatdesk holding Ctrl+Alt+Space
in one process, the key pressed 100 times (quick: 20), p50 / p95 / max; and from Qt reading
the key event (its native event filter) to `pressed`, in the same process. The X server's event
time and the process's monotonic clock are the same clock on Linux, in whole milliseconds.

Baseline (bare): the same key pressed into an ordinary focused Qt window, from the X server's
key event to its `keyPressEvent`. Informational: the quick window's budget starts once the
request reaches the running chatdesk.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import INFO, report_latency

PRESSES = 100


def run(workdir: Path, quick: bool) -> None:
    if shutil.which("Xvfb") is None or shutil.which("xdotool") is None:
        print("skip  shortcut: needs Xvfb and xdotool (.ci/install-debian-parts)")
        return
    presses = 20 if quick else PRESSES
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as said:
            display = ":" + said.readline().strip()
        chatdesk = _presses(display, "hold", "ctrl+alt+space", presses)
        bare = _presses(display, "type", "ctrl+alt+space", presses)
    finally:
        server.terminate()
        server.wait()
    report_latency(
        "shortcut: X server's key event → pressed (whole ms)",
        chatdesk[0],
        bare[0],
        INFO,
        bare="Qt window",
    )
    report_latency(
        "shortcut: key event read by Qt → pressed", chatdesk[1], bare[1], INFO, bare="Qt window"
    )


def _presses(display: str, mode: str, keys: str, count: int) -> tuple[list[float], list[float]]:
    """From the X server's key event (whole ms), and from Qt reading it, to the handler."""
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    child = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.shortcut", mode],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    window = child.stdout.readline().split()[1]  # "ready <window>"
    subprocess.run(["xdotool", "windowfocus", "--sync", window], env=env, check=True)
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(count):
        subprocess.run(["xdotool", "key", keys], env=env, check=True)
        _, since_server, since_read = child.stdout.readline().split()
        times[0].append(float(since_server))
        times[1].append(float(since_read))
    child.terminate()
    child.wait()
    child.stdout.close()
    return times


def _child(mode: str) -> None:
    from PySide6.QtCore import QAbstractNativeEventFilter, QByteArray
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication, QLineEdit

    app = QApplication(sys.argv[:1])
    last = [0, 0.0]  # the X server's time of the last key press, and when Qt read it

    class KeyTimes(QAbstractNativeEventFilter):
        def nativeEventFilter(
            self, eventType: QByteArray | bytes | bytearray | memoryview, message: int
        ) -> tuple[bool, int]:
            if eventType == b"xcb_generic_event_t":
                head = ctypes.cast(int(message), ctypes.POINTER(ctypes.c_uint32 * 2)).contents
                if head[0] & 0x7F == 2:  # a key press; its time follows the first four bytes
                    last[0], last[1] = head[1], time.perf_counter()
            return False, 0

    def since_event() -> None:
        read = (time.perf_counter() - last[1]) * 1000
        now = int(time.monotonic() * 1000) & 0xFFFFFFFF
        print(f"ms {(now - int(last[0])) & 0xFFFFFFFF} {read:.4f}", flush=True)

    class Typed(QLineEdit):
        def keyPressEvent(self, event: QKeyEvent) -> None:
            if event.key() == 0x20:
                since_event()
            super().keyPressEvent(event)

    edit = Typed()
    edit.show()
    edit.activateWindow()
    app.processEvents()
    times = KeyTimes()
    if mode == "hold":
        from chatdesk.ui.desktop.shortcut import GlobalShortcut

        shortcut = GlobalShortcut()
        shortcut.pressed.connect(since_event)
        shortcut.apply("Ctrl+Alt+Space")
    app.installNativeEventFilter(times)  # the last installed is asked first
    print(f"ready {int(edit.winId())}", flush=True)
    app.exec()


if __name__ == "__main__":
    _child(sys.argv[1])
