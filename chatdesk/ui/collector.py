"""Python's garbage collector, run on the GUI thread only.

The collector frees what is caught in reference cycles on whichever thread it happens to run:
the thread that allocated when a threshold was crossed, often a worker (the database's
readers, a formatter's). A Qt object's Python wrapper freed there disconnects its signals
holding Qt's connection lock, and waits for the interpreter; the GUI thread, holding the
interpreter while it waits for that lock to connect something (a menu refilled), never gives
it: the window freezes for good. Qt objects also cannot unregister their timers from another
thread.

So in the window's process the collector's automatic passes stay off, and a timer on the GUI
thread makes them between events, by the interpreter's own thresholds: young objects once
enough were allocated, the older generations as often as the interpreter would. A cycle's
garbage waits at most `INTERVAL_MS` longer than it did (or until the loop is free).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

INTERVAL_MS = 100


class GuiCollector(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect_due)

    def start(self) -> None:
        """The automatic passes off; this object's timer makes them from now on."""
        gc.disable()
        self._timer.start()

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def stop(self) -> None:
        """The automatic passes on again, on whichever thread allocates."""
        self._timer.stop()
        gc.enable()

    def collect_due(self) -> int:
        """The pass the interpreter would have made by now, if any; what it freed."""
        young, middle, old = gc.get_threshold()
        allocated, young_passes, middle_passes = gc.get_count()
        if allocated < young:
            return 0
        generation = 0
        if young_passes >= middle:
            generation = 2 if middle_passes >= old else 1
        return gc.collect(generation)


_running: GuiCollector | None = None


def collect_on_gui_thread() -> None:
    """From now on, garbage is collected on the GUI thread (this one; the application exists),
    between its events."""
    global _running
    if _running is None:
        _running = GuiCollector(QCoreApplication.instance())
    _running.start()
