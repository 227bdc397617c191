"""Service calls whose outcome a settings page shows next to the control that started them.

The window's `Runner` owns busy state and cancellation, and sends expected failures to the
status bar. A settings page wants such a failure in place instead (a key the keyring refused,
a backup that did not verify), so the call's `ChatdeskError` comes back to the page as a value.
The page may be closed before the call ends; its callbacks then do nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject
from shiboken6 import Shiboken

from chatdesk.core.errors import ChatdeskError
from chatdesk.ui.runner import Runner

T = TypeVar("T")


async def _outcome(call: Awaitable[T]) -> T | ChatdeskError:
    try:
        return await call
    except ChatdeskError as error:
        return error


def run_on_page(
    runner: Runner,
    page: QObject,
    call: Awaitable[T],
    *,
    done: Callable[[T], object],
    failed: Callable[[ChatdeskError], object],
    settled: Callable[[], object] | None = None,
    quiet: bool = False,
) -> asyncio.Task[Any]:
    """Run `call` through `runner`: `done(result)` or `failed(error)`, then `settled()` however
    it ended (a bug or a cancellation included), so a page can always leave its busy state."""

    shown = False

    def show(result: T | ChatdeskError) -> None:
        nonlocal shown
        shown = True
        if not Shiboken.isValid(page):
            return
        try:
            if isinstance(result, ChatdeskError):
                failed(result)
            else:
                done(result)
        finally:
            if settled is not None:
                settled()  # with the outcome, not a moment later: a retry is possible at once

    def ended(_: object) -> None:  # a bug or a cancellation: no outcome to show
        if not shown and settled is not None and Shiboken.isValid(page):
            settled()

    task = runner.run(_outcome(call), done=show, quiet=quiet)
    task.add_done_callback(ended)
    return task
