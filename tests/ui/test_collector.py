"""Garbage collected on the GUI thread only (chatdesk/ui/collector.py): cycles made garbage
while a worker thread allocates plenty are freed on the GUI thread, between its events."""

from __future__ import annotations

import gc
import threading
from typing import ClassVar

from pytestqt.qtbot import QtBot

from chatdesk.ui.collector import GuiCollector


class _Cycle:
    freed_on: ClassVar[list[str]] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        _Cycle.freed_on.append(threading.current_thread().name)


def test_cycles_are_freed_on_the_gui_thread_while_a_worker_allocates(qtbot: QtBot) -> None:
    collector = GuiCollector()
    collector.start()
    try:
        assert not gc.isenabled()
        _Cycle.freed_on.clear()
        for _ in range(1_000):  # past the young generation's threshold (700)
            _Cycle()  # garbage now, freed only by a collection

        def allocate() -> None:  # far past the young generation's threshold, many times over
            kept = [[index] for index in range(200_000)]
            del kept

        worker = threading.Thread(target=allocate, name="worker")
        worker.start()
        worker.join()
        assert _Cycle.freed_on == []  # the worker's allocations collected nothing
        qtbot.waitUntil(lambda: len(_Cycle.freed_on) == 1_000)
        assert set(_Cycle.freed_on) == {threading.main_thread().name}
    finally:
        collector.stop()
    assert gc.isenabled()
