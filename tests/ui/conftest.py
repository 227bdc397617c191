"""Fixtures for window tests: offscreen Qt, a qasync loop inside pytest-qt, a real core.

Tests are synchronous: `qtbot.waitUntil` drives Qt, and
Qt drives asyncio. Coroutines are started as tasks and waited for with `finish()`; never
`qtbot.wait*` inside a coroutine.
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import qasync
import shiboken6
from PySide6.QtCore import QPoint
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from chatdesk.app import Core, build_core
from chatdesk.configuration import configure
from chatdesk.ui.collector import GuiCollector
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.qt_workarounds import protect_singleton_refcounts
from chatdesk.ui.runner import Runner

protect_singleton_refcounts()  # the whole UI test session runs in one interpreter

# A wait's bound catches a hang, never slowness: on a machine busy with other work, starting a
# child process or formatting a page takes many times as long as on a quiet one, and the suite
# must pass there too (how fast things are is the benchmarks' to say). pytest-qt's waits give
# up after 5 s by default; here, after HANG_MS, and a test that names its own bound keeps it.
HANG_MS = 60_000
for _wait in (
    QtBot.waitUntil,
    QtBot.waitSignal,
    QtBot.waitSignals,
    QtBot.waitCallback,
    QtBot.waitExposed,
    QtBot.waitActive,
):
    assert _wait.__kwdefaults__ is not None
    assert "timeout" in _wait.__kwdefaults__
    _wait.__kwdefaults__["timeout"] = HANG_MS

T = TypeVar("T")
AWAY = QPoint(-20_000, -20_000)  # off every window a test shows


@pytest.fixture(autouse=True)
def _pointer_away(qapp: QApplication) -> None:
    """Each test starts with the mouse off its windows, wherever an earlier one left it: a widget
    shown under the pointer is told the mouse entered it (a message shows its actions), and the
    offscreen platform keeps the pointer where the last test's mouse events put it."""
    QCursor.setPos(AWAY)


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    # Garbage collected on the GUI thread, as in the window's process: a cycle holding a Qt
    # object, freed by a worker thread's collection, can freeze the test for good.
    collector = GuiCollector(qapp)
    collector.start()
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    for task in asyncio.all_tasks(loop):
        task.cancel()
    qapp.processEvents()
    asyncio.events._set_running_loop(None)  # already_running=True set it process-wide
    # Not loop.stop(): it calls QApplication.exit(), after which every new QEventLoop.exec()
    # returns at once, so qtbot.wait/waitUntil in all later tests stop processing events.
    # close() refuses a running loop, so clear qasync's flag directly.
    loop._QEventLoop__is_running = False
    loop.close()
    asyncio.set_event_loop(None)
    # The loop's Qt objects (its timer, its thread-safe signaller) are deleted here, on the GUI
    # thread. Left to the garbage collector they may be freed on whichever thread collects (the
    # tools thread importing the mcp SDK allocates plenty), where Qt cannot unregister their
    # timers, and one of those then fires at freed memory in a later test.
    for helper in (loop._timer, loop._QEventLoop__call_soon_signaller):
        shiboken6.delete(helper)
    gc.collect()  # the test's garbage freed here, on the GUI thread
    collector.stop()
    shiboken6.delete(collector)


def _finish(qtbot: QtBot, call: Coroutine[Any, Any, T], timeout: int = HANG_MS) -> T:
    task = asyncio.get_running_loop().create_task(call)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


@pytest.fixture
def finish(qloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> Any:
    """`finish(coroutine)`: run it on the qasync loop until done while Qt processes events."""
    return lambda call, timeout=HANG_MS: _finish(qtbot, call, timeout)


@pytest.fixture
def make_core(
    qloop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Any]:
    """`make_core(tokens_per_second=0, first_start=False, **env)` builds a started core on a
    fresh database."""
    cores: list[Core] = []

    def make(tokens_per_second: float = 0, *, first_start: bool = False, **env: str) -> Core:
        monkeypatch.setenv("CHATDESK_HOME", str(tmp_path / "home"))
        monkeypatch.setenv("CHATDESK_MOCK_TOKENS_PER_SECOND", str(tokens_per_second))
        # As a user who chose the offline demo: the window opens on its chats, not on the
        # "Connect a model" page (`first_start`: as a new user, tests/ui/test_connect.py).
        monkeypatch.setenv("CHATDESK_UI_OFFLINE_DEMO", "false" if first_start else "true")
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        core = build_core(configure())
        cores.append(core)
        _finish(qtbot, core.start())
        return core

    yield make
    for core in cores:
        _finish(qtbot, core.aclose())


@pytest.fixture
def open_window(make_core: Any, qtbot: QtBot) -> Iterator[Any]:
    """`open_window(core)` shows a started main window; it is closed before its core."""
    windows: list[MainWindow] = []

    def open_(core: Core) -> MainWindow:
        # Not qtbot.addWidget: pytest-qt would delete the window before this fixture's
        # teardown, and closing saves the draft from the composer.
        window = MainWindow(core.service, search=core.search, transfer=lambda: core.transfer)
        windows.append(window)
        window.show()
        window.start()
        return window

    yield open_
    for window in windows:
        window.close()
        _finish(qtbot, window.aclose())
        window.deleteLater()


@pytest.fixture
def attached_window(make_core: Any, finish: Any, qtbot: QtBot) -> Iterator[tuple[MainWindow, Core]]:
    """The window as the application attaches it, with every part of the core it manages."""
    from chatdesk.ui.application import attach_core

    core: Core = make_core()
    shown = MainWindow()
    attach_core(shown, core)
    shown.show()
    shown.start()
    yield shown, core
    shown.close()
    finish(shown.aclose())
    shown.deleteLater()


@pytest.fixture
def arabic(qapp: QApplication) -> Iterator[str]:
    """The window's language Arabic, right to left, for the test; English again after."""
    from chatdesk.ui import language

    code = language.start(qapp, "ar")
    yield code
    language.start(qapp, "en")


@pytest.fixture
def core(make_core: Any) -> Core:
    """A started core on a fresh database (the mock answering at once)."""
    made: Core = make_core()
    return made


@pytest.fixture
def runner(qloop: Any, finish: Any) -> Iterator[Runner]:
    """A Runner for a widget tested on its own, closed after the test."""
    made = Runner()
    yield made
    finish(made.aclose())
