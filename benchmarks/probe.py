"""The child process of the `startup` and `memory` benchmarks (run by them, not by hand).

    python -m benchmarks.probe chatdesk [THREAD_ID]   the real entry point, `chatdesk.cli.main`
    python -m benchmarks.probe bare [memory]          an empty QMainWindow, nothing else

Either way it prints one line, `PROBE {json}`, before it exits: wall-clock times (`time.time()`,
so the parent can subtract the moment it started the process) of each step; with THREAD_ID,
the resident memory (psutil) once that thread is open and formatted, and with `memory` the bare
window's once it is interactive.

"Interactive" is the same test for both: the window has painted what it shows first, and then
the event loop turned once more. For chatdesk that means the sidebar's tree has painted its
first page of threads, after which a Qt zero-timer and an asyncio callback have both run
(so Qt and the qasync loop are live). For the bare window: its first paint, then a zero-timer.

The window is then closed the way a user closes it, and chatdesk shuts down normally.

Only the standard library is imported at module level: the render worker's child is started
with "spawn", which imports this module again as `__mp_main__`, and it must not import Qt.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from typing import Any

PREFIX = "PROBE "
WIDTH, HEIGHT = 1100, 740  # the size MainWindow gives itself
TIMEOUT_MS = 60_000


def main(argv: list[str]) -> int:
    marks: dict[str, Any] = {"main": time.time()}
    kind, *rest = argv
    if kind == "bare":
        code = _bare(marks, measure_memory=bool(rest))
    elif kind == "chatdesk":
        code = _chatdesk(marks, uuid.UUID(rest[0]) if rest else None)
    else:
        raise SystemExit(f"unknown probe {kind!r}")
    marks["exit_code"] = code
    marks["done"] = time.time()
    print(PREFIX + json.dumps(marks), flush=True)
    return 0


# -- bare PySide6 --------------------------------------------------------------------------------


def _bare(marks: dict[str, Any], *, measure_memory: bool) -> int:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    marks["imported"] = time.time()
    app = QApplication(sys.argv)
    window = QMainWindow()
    window.setWindowTitle("bare")
    window.resize(WIDTH, HEIGHT)

    def interactive() -> None:
        marks["interactive"] = time.time()
        if measure_memory:
            marks.update(_memory())
        window.close()
        app.quit()

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and "painted" not in marks:
                marks["painted"] = time.time()
                QTimer.singleShot(0, interactive)
            return False

    watcher = FirstPaint()
    window.installEventFilter(watcher)
    window.show()
    marks["shown"] = time.time()
    QTimer.singleShot(TIMEOUT_MS, app.quit)
    return app.exec()


# -- chatdesk ------------------------------------------------------------------------------------


def _chatdesk(marks: dict[str, Any], thread_id: uuid.UUID | None) -> int:
    """`chatdesk.cli.main([])` with `MainWindow.start` wrapped to watch the window come up."""
    from chatdesk import cli
    from chatdesk.ui.main_window import MainWindow

    original_start = MainWindow.start

    def start(window: MainWindow) -> None:
        marks["shown"] = time.time()  # application._main calls show() right before start()
        original_start(window)
        _watch(window, marks, thread_id)

    MainWindow.start = start  # type: ignore[method-assign, assignment]
    marks["imported"] = time.time()
    return cli.main([])


def _watcher_class() -> type:
    """Defined on first use: its base classes come from PySide6."""
    import asyncio

    from PySide6.QtCore import QEvent, QObject, QTimer

    from chatdesk.ui.main_window import MainWindow

    class Watcher(QObject):
        def __init__(
            self, window: MainWindow, marks: dict[str, Any], thread_id: uuid.UUID | None
        ) -> None:
            super().__init__(window)
            self._window = window
            self._marks = marks
            self._thread_id = thread_id
            self._ready = False
            model = window.sidebar.model
            model.page_loaded.connect(self._check_sidebar)
            self._poll = QTimer(self, interval=5)
            self._poll.timeout.connect(self._check_thread)
            QTimer.singleShot(TIMEOUT_MS, self._give_up)

        # Step 1: the sidebar holds its first page of threads and has painted it.
        def _check_sidebar(self, *_: object) -> None:
            model = self._window.sidebar.model
            if self._ready or model.loading or _thread_rows(model) == 0:
                return
            self._ready = True
            self._marks["sidebar_rows"] = time.time()
            self._marks["sidebar_threads"] = _thread_rows(model)
            viewport = self._window.sidebar.tree.viewport()
            viewport.installEventFilter(self)
            viewport.update()

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and "painted" not in self._marks:
                self._marks["painted"] = time.time()
                QTimer.singleShot(0, self._qt_turned)
            return False

        # Step 2: one more turn of Qt's loop and of asyncio's (qasync) loop.
        def _qt_turned(self) -> None:
            asyncio.get_running_loop().call_soon(self._interactive)

        def _interactive(self) -> None:
            self._marks["interactive"] = time.time()
            if self._thread_id is None:
                self._window.close()
            else:
                self._marks["before_open"] = _memory()
                self._window.show_thread(self._thread_id)
                self._poll.start()

        # Step 3 (memory): the thread's newest page is on screen and formatted, then settle.
        def _check_thread(self) -> None:
            widgets = self._window.view.widgets
            if not widgets or any(w.message.thread_id != self._thread_id for w in widgets):
                return
            if any(w.rendered is None for w in widgets):
                return
            self._poll.stop()
            self._marks["formatted"] = time.time()
            self._marks["widgets"] = len(widgets)
            QTimer.singleShot(500, self._measure)  # deleteLater()s and late paints settle

        def _measure(self) -> None:
            self._marks.update(_memory())
            self._window.close()

        def _give_up(self) -> None:
            self._marks["timeout"] = True
            self._window.close()

    return Watcher


def _watch(window: Any, marks: dict[str, Any], thread_id: uuid.UUID | None) -> None:
    _watcher_class()(window, marks, thread_id)  # parented to the window, which keeps it


def _thread_rows(model: Any) -> int:
    """Threads held by the sidebar's model (rows under its group rows)."""
    return sum(model.rowCount(model.index(row, 0)) for row in range(model.rowCount()))


def _memory() -> dict[str, Any]:
    """Resident memory of this process and of its children (the render worker)."""
    import psutil  # type: ignore[import-untyped]

    me = psutil.Process()
    children = {_name(child.cmdline()): child.memory_info().rss for child in me.children(True)}
    return {
        "rss": me.memory_info().rss,
        "children_rss": sum(children.values()),
        "children": children,
    }


def _name(command: list[str]) -> str:
    text = " ".join(command)
    if "resource_tracker" in text:
        return "multiprocessing resource tracker"
    if "spawn_main" in text:
        return "render worker"
    return text[:60]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
