"""The one way widgets call the service: `Runner.run(coroutine, done=…, failure=…)`.

It owns busy state, error display and cancellation (Anki's CollectionOp): expected failures
(`ChatdeskError`) go to the caller's `failure` callback when it gives one — a page that shows
the failure next to the control that started the call — and otherwise to `failed`, for the
status bar; a call whose chats were closed under it (`Closed`: a temporary chat left while a
read of it ran) ends like a cancelled one, with nothing to tell; anything else is a bug and
goes to `sys.excepthook` (the crash dialog). `settled` runs however the call ended, so a page
can always leave its busy state; an `owner` deleted before the call ends (a closed dialog) gets
no callback at all, and neither does a callback that is a method of a Qt object deleted
meanwhile (a model torn down with its window). Widgets never create stray tasks.
"""

from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Signal
from shiboken6 import Shiboken

from chatdesk.core.errors import ChatdeskError, Closed

T = TypeVar("T")


class Runner(QObject):
    busy_changed = Signal(bool)
    failed = Signal(str)  # a user-facing message

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._busy = 0
        # Blocking work the window starts itself (encoding a pasted image, saving settings
        # through the function it was handed), kept off the GUI thread.
        self._blocking = ThreadPoolExecutor(max_workers=2, thread_name_prefix="chatdesk-ui")

    @property
    def busy(self) -> bool:
        return self._busy > 0

    def run(
        self,
        call: Coroutine[Any, Any, T],
        *,
        done: Callable[[T], object] | None = None,
        failure: Callable[[ChatdeskError], object] | None = None,
        settled: Callable[[], object] | None = None,
        owner: QObject | None = None,
        quiet: bool = False,
    ) -> asyncio.Task[Any]:
        """Start a service call: `done(result)` on success, `failure(error)` for an expected
        failure (else the status bar says it), then `settled()` however it ended — a bug or a
        cancellation included. No callback runs once `owner` is deleted. `quiet` calls don't
        count as busy (background reads such as paging)."""
        callbacks = _Callbacks(done, failure, settled, owner)
        task = asyncio.get_running_loop().create_task(self._guarded(call, callbacks, quiet))
        self._tasks.add(task)

        def ended(_: asyncio.Task[Any]) -> None:
            self._tasks.discard(task)
            call.close()  # cancelled before it started, it was never awaited: Python would warn
            callbacks.settle()  # also if it never started

        task.add_done_callback(ended)
        return task

    async def _guarded(self, call: Coroutine[Any, Any, T], then: _Callbacks[T], quiet: bool) -> Any:
        if not quiet:
            self._set_busy(+1)
        try:
            result = await call
        except Closed:
            return None
        except ChatdeskError as error:
            refused: ChatdeskError | None = error
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a bug: the crash reporter logs and shows it
            sys.excepthook(type(error), error, error.__traceback__)
            return None
        else:
            refused = None
        finally:
            if not quiet:
                self._set_busy(-1)
        if refused is not None:
            if then.failure is None:
                self.failed.emit(str(refused))
            else:
                then.call(then.failure, refused)
        elif then.done is not None:
            then.call(then.done, result)
        then.settle()  # with the outcome, not a moment later: a retry is possible at once
        return None if refused is not None else result

    async def off_thread(self, work: Callable[..., T], *args: Any) -> T:
        """Run a blocking function on the window's worker threads."""
        return await asyncio.get_running_loop().run_in_executor(self._blocking, work, *args)

    def _set_busy(self, change: int) -> None:
        was = self.busy
        self._busy += change
        if was != self.busy:
            self.busy_changed.emit(self.busy)

    async def aclose(self) -> None:
        """Cancel calls still running (before the core closes)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._blocking.shutdown(wait=False, cancel_futures=True)


class _Callbacks(Generic[T]):
    """What a call's caller asked to hear, each at most once, and only while `owner` lives."""

    def __init__(
        self,
        done: Callable[[T], object] | None,
        failure: Callable[[ChatdeskError], object] | None,
        settled: Callable[[], object] | None,
        owner: QObject | None,
    ) -> None:
        self.done, self.failure = done, failure
        self._settled, self._owner = settled, owner

    def call(self, callback: Callable[..., object], *value: object) -> None:
        for holder in (self._owner, _bound_to(callback)):
            if holder is not None and not Shiboken.isValid(holder):
                return
        try:
            callback(*value)
        except Exception as error:
            sys.excepthook(type(error), error, error.__traceback__)

    def settle(self) -> None:
        settled, self._settled = self._settled, None
        if settled is not None:
            self.call(settled)


def _bound_to(callback: Callable[..., object]) -> QObject | None:
    """The Qt object a callback is a method of (through `functools.partial`), if any."""
    while isinstance(callback, functools.partial):
        callback = callback.func
    target = getattr(callback, "__self__", None)
    return target if isinstance(target, QObject) else None
