"""What waits for the page being shown in the conversation view to be painted with all its
widgets: what a thread's opening reads beside its page (decision 0083). Only the latest work
waits, and it is called in a turn of the loop of its own after the one that built the page."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


class AfterPage(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work: Callable[[], None] | None = None
        self._due = QTimer(self, singleShot=True, interval=0)
        self._due.timeout.connect(self._call)

    def wait(self, work: Callable[[], None], *, built: bool) -> None:
        """Call `work` once the page is built, or now when it is (`built`) and nothing waits
        for its turn; it takes the place of any work waiting."""
        self._work = work
        if built and not self._due.isActive():
            self._call()

    def page_built(self) -> None:
        """The page is painted and has all its widgets: what waits is called next turn."""
        if self._work is not None:
            self._due.start()

    def page_changed(self) -> None:
        """Another page is being shown: what waits waits for that one."""
        self._due.stop()

    def drop(self) -> None:
        """The window is closing: what waits is never called (it would call a core that is
        closing, from a loop that may have ended)."""
        self._due.stop()
        self._work = None

    def _call(self) -> None:
        work, self._work = self._work, None
        if work is not None:
            work()
