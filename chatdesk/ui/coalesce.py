"""A read the window repeats as things change (the context gauge, the summary divider), with
never more than one call in flight: asked again meanwhile, it reads once more when the running
call ends, with what is current then. Bursts of requests (typing, a stream of events) cost
one call at a time and end with a read of the latest state."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import QObject, QTimer

from chatdesk.ui.runner import Runner

if TYPE_CHECKING:
    from chatdesk.core.errors import ChatdeskError

T = TypeVar("T")
Read = Callable[[], Coroutine[Any, Any, T] | None]


class LatestRead(QObject, Generic[T]):
    def __init__(
        self,
        runner: Runner,
        read: Read[T],
        show: Callable[[T], object],
        *,
        failure: Callable[[ChatdeskError], object] | None = None,
        delay_ms: int = 0,
        parent: QObject | None = None,
    ) -> None:
        """`read()` makes the call (None: nothing to read now); `show(result)` gets each
        result, `failure(error)` each expected failure (without it, the runner's status line
        says it). `later()` waits `delay_ms` of quiet first (typing)."""
        super().__init__(parent)
        self._runner = runner
        self._read = read
        self._show = show
        self._failure = failure
        self._running = False
        self._again = False
        self._closed = False
        self._timer = QTimer(self, singleShot=True, interval=delay_ms)
        self._timer.timeout.connect(self.now)

    @property
    def running(self) -> bool:
        return self._running

    def later(self) -> None:
        """Read once things have been quiet for the delay (restarted by every call)."""
        self._timer.start()

    def cancel(self) -> None:
        """Drop a read asked for `later` that has not begun."""
        self._timer.stop()

    def now(self) -> None:
        self._timer.stop()
        if self._closed:
            return
        if self._running:
            self._again = True
            return
        call = self._read()
        if call is None:
            return
        self._running = True
        self._again = False
        # `settled` closes the read when the call was cancelled before it began (the window
        # closing): Python would warn that it was never awaited.
        self._runner.run(
            self._guarded(call),
            done=self._show,
            failure=self._failure,
            settled=call.close,
            quiet=True,
        )

    def close(self) -> None:
        """Read no more (the window is closing)."""
        self._closed = True
        self._timer.stop()

    async def _guarded(self, call: Coroutine[Any, Any, T]) -> T:
        # No `finally`: a coroutine dropped unfinished (its loop closed) is closed by the
        # garbage collector, on whatever thread runs it, where Qt must not be touched.
        try:
            result = await call
        except BaseException:
            self._running = self._again = False
            raise
        self._running = False
        if self._again and not self._closed:
            self.now()  # shown after this one: the runner shows this result when it returns
        return result
