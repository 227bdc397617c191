"""Phase 1 of the start (application.py): Qt's loop runs, so the window paints and takes keys,
while a worker thread builds the core. A damaged database makes the user choose a restore or a
recovery, done on that thread before the core is built again, or quitting."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from chatdesk.core.errors import ChatdeskError
from chatdesk.ui.crash import collect_garbage_again

if TYPE_CHECKING:
    from chatdesk.core.paths import Paths
    from chatdesk.ui.main_window import MainWindow
    from chatdesk.ui.recovery import Repair

log = logging.getLogger("chatdesk.ui")
FIRST_PAINT_WAIT_MS = 500  # opening the core waits this long at most for the window to be built
GIL_HANDOVER_S = 0.001  # while the core opens on its thread

CoreT = TypeVar("CoreT")


def load_core(
    app: QApplication, window: MainWindow, build: Callable[[], CoreT], paths: Paths
) -> CoreT | None:
    """The core `build` makes, Qt's loop running meanwhile. A damaged database (the core raised
    DatabaseDamaged, its files set aside) makes the user choose: a restore or a recovery, done
    on the worker thread before the core is built again, or quitting (None)."""
    loader = CoreLoader(window, build)
    repair: Repair | None = None
    while True:
        try:
            return loader.run_until_built(app)
        except ChatdeskError as error:
            from chatdesk.ui import recovery  # a damaged database only

            damage = recovery.damage_of(error)
            if damage is None:
                raise
            collect_garbage_again()  # the dialog may wait for minutes
            choice = recovery.ask(damage, repair.failure if repair else None, window)
            if choice is recovery.Choice.QUIT:
                log.error("quit with the database damaged: %s", error)
                return None
            repair = recovery.Repair(choice, paths)
            loader = CoreLoader(window, _after(repair.run, build), painted=True)


def _after(first: Callable[[], None], build: Callable[[], CoreT]) -> Callable[[], CoreT]:
    def run() -> CoreT:
        first()
        return build()

    return run


class CoreLoader(QObject, Generic[CoreT]):
    """Qt's loop runs (the window paints, takes keys) while a worker thread builds the core,
    started once the window has painted and built the rest of its parts, so the two do not
    compete for the GIL."""

    _built = Signal()  # emitted on the worker thread, delivered on the GUI thread

    def __init__(
        self, window: MainWindow, build_core: Callable[[], CoreT], *, painted: bool = False
    ) -> None:
        super().__init__()
        self._window = window
        self._build_core = build_core
        self._thread: threading.Thread | None = None
        self._core: CoreT | None = None
        self._error: BaseException | None = None
        self._built.connect(self._leave_qt_loop)
        self._no_paint = QTimer(self, singleShot=True, interval=FIRST_PAINT_WAIT_MS)
        self._no_paint.timeout.connect(self._start)  # not painted (minimised…): start anyway
        self._no_paint.start()
        if painted or window.building.done:  # built again (after a repair), or whole already
            QTimer.singleShot(0, self, self._start)
        else:  # its parts come on the turns after its first paint
            window.building.finished.connect(self._start)

    def run_until_built(self, app: QApplication) -> CoreT:
        """Run Qt's loop until the core is built; its error is raised here."""
        app.exec()
        if self._thread is None:  # the loop was left before the core was even started
            self._start()
        assert self._thread is not None
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._core is not None
        return self._core

    def _start(self) -> None:
        if self._thread is None:
            self._no_paint.stop()
            self._thread = threading.Thread(target=self._build, name="chatdesk-core-opening")
            self._thread.start()

    def _build(self) -> None:  # on the worker thread
        # Meanwhile the GUI thread gets the GIL back within 1 ms instead of 5 (Python's
        # default), so keys and paints between the imports are not held up.
        interval = sys.getswitchinterval()
        sys.setswitchinterval(GIL_HANDOVER_S)
        from chatdesk.core import lazy_metadata

        lazy_metadata.defer()  # before SQLAlchemy, which imports it and never needs it here
        try:
            self._core = self._build_core()
        except BaseException as error:  # raised again on the GUI thread
            self._error = error
        finally:
            sys.setswitchinterval(interval)
        self._built.emit()

    def _leave_qt_loop(self) -> None:
        QApplication.exit(0)
