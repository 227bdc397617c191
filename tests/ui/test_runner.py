"""The Runner, the one way a widget calls the core: results to `done`, expected failures to the
caller's `failure` (else the status bar's `failed`), bugs to the crash handler, `settled` however
the call ended, and nothing at all for a widget deleted before its call ended."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from chatdesk.core.errors import ChatdeskError, NotFound
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

    async def wait_forever() -> None:
        await never

    task = runner.run(wait_forever(), done=heard.append, settled=lambda: heard.append("end"))
    qtbot.waitUntil(lambda: runner.busy)
    task.cancel()
    qtbot.waitUntil(task.done)
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


def _alive(widget: QWidget) -> bool:
    from shiboken6 import Shiboken

    return bool(Shiboken.isValid(widget))
