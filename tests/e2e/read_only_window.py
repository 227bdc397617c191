"""The window on a data folder whose disk is full, run as a program by test_read_only.py inside
a mount namespace: `python read_only_window.py FILLER OUT [fills]`. It opens the window
offscreen on CHATDESK_HOME (the disk already full; with `fills`, the disk is filled as FILLER
once the window is open and a message typed), types and sends a message, frees the disk by
removing FILLER, sends again, and writes what it saw to OUT/window.json (and screenshots
beside it)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from chatdesk.app import Core, build_core
from chatdesk.configuration import configure
from chatdesk.core.store import access
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.qt_workarounds import protect_singleton_refcounts
from chatdesk.ui.theme import apply_theme

TYPED = "my words, typed while the disk was full"


async def _until(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("the window did not get there in time")
        await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def _window() -> AsyncIterator[tuple[Core, MainWindow]]:
    """The core as the application starts it (its maintenance and space watch too), and the
    window over it; both closed after."""
    core = build_core(configure())
    await core.start()
    core.start_maintenance()
    window = MainWindow(core.service, search=core.search, transfer=lambda: core.transfer)
    window.resize(1100, 700)
    window.show()
    window.start()
    try:
        yield core, window
    finally:
        window.close()
        await window.aclose()
        await core.aclose()


async def main(app: QApplication, filler: Path, out: Path) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    async with _window() as (core, window):
        await _until(lambda: window.sidebar.model.rowCount() > 0)
        seen["banner"] = window.read_only.isVisible(), window.read_only.text()
        for theme in ("light", "dark"):
            apply_theme(app, theme)
            await asyncio.sleep(0)  # one turn for the new look to be applied
            window.grab().save(str(out / f"read-only-{theme}.png"))
        apply_theme(app, "light")
        seen["threads"] = len((await core.service.list_threads()).threads)

        QTest.keyClicks(window.composer.editor, TYPED)
        QTest.keyClick(window.composer.editor, Qt.Key.Key_Return)
        await _until(lambda: bool(window.statusBar().currentMessage()))
        seen["refused"] = window.statusBar().currentMessage()
        seen["kept"] = window.composer.text()

        window.close()  # with words that cannot be saved: it asks first
        questions = window.findChildren(QMessageBox)
        seen["still_open"] = window.isVisible()
        seen["question"] = [box.text() for box in questions]
        for box in questions:
            box.grab().save(str(out / "close-question.png"))
            box.button(QMessageBox.StandardButton.Cancel).click()
        await _room_again(window, core, filler, seen)
    return seen


async def fills(app: QApplication, filler: Path, out: Path) -> dict[str, Any]:
    """The window open with room; the disk fills while a message is being typed."""
    seen: dict[str, Any] = {}
    async with _window() as (core, window):
        await _until(lambda: window.sidebar.model.rowCount() > 0 and window.drafts.shown)
        seen["banner_before"] = window.read_only.isVisible()
        QTest.keyClicks(window.composer.editor, TYPED)
        await asyncio.to_thread(_fill, filler)  # another program takes the disk's last byte
        await _until(window.read_only.isVisible)  # before anything is sent
        seen["banner"] = window.read_only.text()
        window.grab().save(str(out / "filled-under-the-window.png"))

        QTest.keyClick(window.composer.editor, Qt.Key.Key_Return)
        await _until(lambda: "is full (" in window.statusBar().currentMessage())
        seen["refused"] = window.statusBar().currentMessage()
        seen["kept"] = window.composer.text()
        seen["threads"] = len((await core.service.list_threads()).threads)
        await _room_again(window, core, filler, seen)
    return seen


def _fill(filler: Path) -> None:
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass


async def _room_again(window: MainWindow, core: Core, filler: Path, seen: dict[str, Any]) -> None:
    """The user frees space, without a restart: the banner goes, what was typed is saved, and
    sending works."""
    await asyncio.to_thread(filler.unlink)
    await _until(lambda: not window.read_only.isVisible())
    seen["banner_after"] = window.read_only.isVisible()
    for _ in range(2000):  # the draft kept in memory is saved once saving works again
        stored = await core.service.load_draft(None)
        if stored.text == TYPED:
            break
        await asyncio.sleep(0.01)
    seen["draft"] = stored.text

    QTest.keyClick(window.composer.editor, Qt.Key.Key_Return)
    await _until(lambda: len(window.conversation.messages()) == 2)
    await _until(lambda: window.conversation.messages()[-1].status.is_final)
    last = window.conversation.messages()[-1]
    seen["answer"] = last.status.value, bool(last.content)
    seen["sent"] = window.conversation.messages()[0].content
    seen["threads_after"] = len((await core.service.list_threads()).threads)


def run() -> int:
    filler, out = Path(sys.argv[1]), Path(sys.argv[2])
    access.WATCH_SECONDS = 0.2  # look often: the test waits for the banner to go
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    protect_singleton_refcounts()
    scenario = fills if sys.argv[3:] == ["fills"] else main
    seen = qasync.run(scenario(app, filler, out))
    (out / "window.json").write_text(json.dumps(seen))
    return 0


if __name__ == "__main__":
    sys.exit(run())
