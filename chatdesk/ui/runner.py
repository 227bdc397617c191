"""The one way widgets call the service: `Runner.run(coroutine)`.

It owns busy state, error display and cancellation (Anki's CollectionOp): expected failures
(`ChatdeskError`) are reported through `failed` for the status bar; anything else is a bug and
goes to `sys.excepthook` (the crash dialog). Widgets never create stray tasks.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from chatdesk.core.errors import ChatdeskError

T = TypeVar("T")


class Runner(QObject):
    busy_changed = Signal(bool)
    failed = Signal(str)  # a user-facing message

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._busy = 0
        # Blocking work the window starts itself (reading a dropped file, saving settings,
        # fetching an image the user asked for), kept off the GUI thread.
        self._blocking = ThreadPoolExecutor(max_workers=2, thread_name_prefix="chatdesk-ui")

    @property
    def busy(self) -> bool:
        return self._busy > 0

    def run(
        self,
        call: Coroutine[Any, Any, T],
        *,
        done: Callable[[T], object] | None = None,
        quiet: bool = False,
    ) -> asyncio.Task[Any]:
        """Start a service call; `done(result)` runs on success. `quiet` calls don't count as
        busy (background reads such as paging)."""
        task = asyncio.get_running_loop().create_task(self._guarded(call, done, quiet))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _guarded(
        self, call: Coroutine[Any, Any, T], done: Callable[[T], object] | None, quiet: bool
    ) -> Any:
        if not quiet:
            self._set_busy(+1)
        try:
            result = await call
        except ChatdeskError as error:
            self.failed.emit(str(error))
            return None
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a bug: the crash reporter logs and shows it
            sys.excepthook(type(error), error, error.__traceback__)
            return None
        finally:
            if not quiet:
                self._set_busy(-1)
        if done is not None:
            try:
                done(result)
            except Exception as error:
                sys.excepthook(type(error), error, error.__traceback__)
        return result

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
