"""The Runner, the one way a widget calls the core: results to `done`, expected failures to the
caller's `failure` (else the status bar's `failed`), bugs to the crash handler, `settled` however
the call ended, and nothing at all for a widget deleted before its call ended."""

from __future__ import annotations

import asyncio
import functools
import gc
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from chatdesk.core.errors import ChatdeskError, Closed, NotFound
from chatdesk.ui.runner import Runner


@pytest.fixture
def runner(qloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> Iterator[Runner]:
    made = Runner()
    yield made
    task = qloop.create_task(made.aclose())
    qtbot.waitUntil(task.done)


@pytest.fixture
def crashes(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    seen: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, error, tb: seen.append(error))
    return seen


async def _value(value: Any) -> Any:
    return value


async def _refuse(text: str) -> None:
    raise NotFound(text)


async def _bug() -> None:
    raise KeyError("a bug")


async def _after(gate: asyncio.Future[Any]) -> Any:
    """A call still running until the test sets `gate`'s result (or exception)."""
    return await gate


def test_a_result_goes_to_done_then_settled(runner: Runner, qtbot: QtBot) -> None:
    heard: list[object] = []
    task = runner.run(
        _value(42), done=heard.append, failure=heard.append, settled=lambda: heard.append("end")
    )
    qtbot.waitUntil(task.done)
    assert heard == [42, "end"]


def test_a_failure_goes_to_the_caller_when_it_asks_else_to_the_status_bar(
    runner: Runner, qtbot: QtBot
) -> None:
    said: list[str] = []
    runner.failed.connect(said.append)
    heard: list[object] = []
    task = runner.run(_refuse("no such thread"), done=heard.append, failure=heard.append)
    qtbot.waitUntil(task.done)
    assert [str(e) for e in heard if isinstance(e, ChatdeskError)] == ["no such thread"]
    assert said == []  # shown where the user is looking, not twice

    task = runner.run(_refuse("no such message"), done=heard.append)
    qtbot.waitUntil(task.done)
    assert said == ["no such message"]


async def _closed_under_it() -> None:
    raise Closed


def test_a_call_whose_chats_were_closed_under_it_tells_nobody(
    runner: Runner, qtbot: QtBot, crashes: list[BaseException]
) -> None:
    """A read of a temporary chat still running when the user left it: no crash dialog, no
    status message, no callback but `settled`, and the window is not left busy."""
    said: list[str] = []
    runner.failed.connect(said.append)
    heard: list[object] = []
    task = runner.run(
        _closed_under_it(),
        done=heard.append,
        failure=heard.append,
        settled=lambda: heard.append("end"),
    )
    qtbot.waitUntil(task.done)
    assert (heard, said, crashes, runner.busy) == (["end"], [], [], False)


def test_a_page_hears_the_failure_before_it_leaves_its_busy_state(
    runner: Runner, qtbot: QtBot
) -> None:
    heard: list[object] = []
    task = runner.run(
        _refuse("the disk is full"),
        done=heard.append,
        failure=lambda error: heard.append(str(error)),
        settled=lambda: heard.append("end"),
    )
    qtbot.waitUntil(task.done)
    assert heard == ["the disk is full", "end"]  # the reason shows as Save comes back


def test_a_bug_reaches_the_crash_handler_and_still_settles(
    runner: Runner, qtbot: QtBot, crashes: list[BaseException]
) -> None:
    heard: list[object] = []
    task = runner.run(
        _bug(), done=heard.append, failure=heard.append, settled=lambda: heard.append("end")
    )
    qtbot.waitUntil(task.done)
    assert [type(e) for e in crashes] == [KeyError]
    qtbot.waitUntil(lambda: heard == ["end"])


def test_a_cancelled_call_settles(runner: Runner, qtbot: QtBot) -> None:
    heard: list[object] = []
    never = asyncio.get_running_loop().create_future()
    task = runner.run(_after(never), done=heard.append, settled=lambda: heard.append("end"))
    qtbot.waitUntil(lambda: runner.busy)
    task.cancel()
    qtbot.waitUntil(task.done)
    assert heard == ["end"]
    assert not runner.busy


def test_a_call_cancelled_before_it_started_settles_and_is_not_left_unawaited(
    runner: Runner, qtbot: QtBot
) -> None:
    heard: list[object] = []
    task = runner.run(_value(1), done=heard.append, settled=lambda: heard.append("end"))
    task.cancel()  # before the loop ran it: the window closing right after a click
    qtbot.waitUntil(lambda: heard == ["end"])
    assert task.cancelled()
    del task
    gc.collect()  # an unawaited call would warn here, an error under this suite's settings


def test_a_callback_that_raises_reaches_the_crash_handler_and_the_page_still_settles(
    runner: Runner, qtbot: QtBot, crashes: list[BaseException]
) -> None:
    heard: list[object] = []

    def broken(_: object) -> None:
        raise ValueError("a bug in the page")

    task = runner.run(_value(1), done=broken, settled=lambda: heard.append("end"))
    qtbot.waitUntil(task.done)
    assert [str(e) for e in crashes] == ["a bug in the page"]
    assert heard == ["end"]


def test_the_window_is_busy_while_a_call_runs_but_not_for_a_quiet_one(
    runner: Runner, qtbot: QtBot
) -> None:
    changes: list[bool] = []
    runner.busy_changed.connect(changes.append)
    gate = asyncio.get_running_loop().create_future()
    quiet = runner.run(_after(gate), quiet=True)
    loud = runner.run(_value(1))
    qtbot.waitUntil(loud.done)
    assert changes == [True, False]
    assert not quiet.done()
    assert not runner.busy
    gate.set_result(None)
    qtbot.waitUntil(quiet.done)
    assert changes == [True, False]


def test_closing_the_runner_cancels_calls_still_running_and_they_settle(
    runner: Runner, qtbot: QtBot
) -> None:
    heard: list[object] = []
    never = asyncio.get_running_loop().create_future()
    task = runner.run(_after(never), done=heard.append, settled=lambda: heard.append("end"))
    qtbot.waitUntil(lambda: runner.busy)
    closing = asyncio.get_running_loop().create_task(runner.aclose())
    qtbot.waitUntil(closing.done)
    assert task.cancelled()
    assert heard == ["end"]
    assert not runner.busy


def test_a_deleted_owner_hears_nothing(runner: Runner, qtbot: QtBot) -> None:
    page = QWidget()
    heard: list[object] = []
    gate = asyncio.get_running_loop().create_future()

    async def slow() -> int:
        await gate
        return 1

    task = runner.run(slow(), done=heard.append, settled=lambda: heard.append("end"), owner=page)
    page.deleteLater()
    qtbot.waitUntil(lambda: not _alive(page))
    gate.set_result(None)
    qtbot.waitUntil(task.done)
    assert heard == []


def test_a_failure_for_a_deleted_owner_is_said_nowhere(runner: Runner, qtbot: QtBot) -> None:
    """The page that would have shown it is gone, and the status bar would say it out of
    place (a closed Settings dialog's test of a provider)."""
    page = QWidget()
    said: list[str] = []
    runner.failed.connect(said.append)
    heard: list[object] = []
    gate = asyncio.get_running_loop().create_future()
    task = runner.run(_after(gate), failure=heard.append, owner=page)
    page.deleteLater()
    qtbot.waitUntil(lambda: not _alive(page))
    gate.set_exception(NotFound("no such profile"))
    qtbot.waitUntil(task.done)
    assert heard == []
    assert said == []


class _Page(QObject):
    """A model or page whose methods are the callbacks, as the sidebar's thread list's are."""

    def __init__(self) -> None:
        super().__init__()
        self.heard: list[object] = []

    def page_read(self, group: str, page: object) -> None:
        self.heard.append((group, page))

    def leave_busy(self) -> None:
        self.heard.append("end")


def test_a_method_of_a_deleted_qt_object_is_not_called_back(
    runner: Runner, qtbot: QtBot, crashes: list[BaseException]
) -> None:
    """A page read for a thread list that was torn down with its window meanwhile: its
    methods are not called on a deleted object (they would touch freed Qt state)."""
    page = _Page()
    heard = page.heard
    gate = asyncio.get_running_loop().create_future()
    done = functools.partial(page.page_read, "today")
    task = runner.run(_after(gate), done=done, settled=page.leave_busy)
    page.deleteLater()
    qtbot.waitUntil(lambda: not _alive(page))
    gate.set_result("page 1")
    qtbot.waitUntil(task.done)
    assert heard == []
    assert crashes == []


def test_a_method_of_a_live_qt_object_is_called_back(runner: Runner, qtbot: QtBot) -> None:
    page = _Page()
    task = runner.run(
        _value("page 1"), done=functools.partial(page.page_read, "today"), settled=page.leave_busy
    )
    qtbot.waitUntil(task.done)
    assert page.heard == [("today", "page 1"), "end"]


def _alive(widget: QObject) -> bool:
    from shiboken6 import Shiboken

    return bool(Shiboken.isValid(widget))


def test_a_latest_read_cancelled_before_it_started_is_not_left_unawaited(
    runner: Runner, qtbot: QtBot
) -> None:
    """A page's read asked for as its window closes: the read it made is closed with it."""
    from chatdesk.ui.coalesce import LatestRead

    shown: list[object] = []
    reads = LatestRead(runner, lambda: _value("memories"), shown.append)
    reads.now()
    [task] = list(runner._tasks)
    task.cancel()  # before the loop ran it
    qtbot.waitUntil(task.done)
    del task
    gc.collect()  # an unawaited read would warn here, an error under this suite's settings
    assert shown == []
