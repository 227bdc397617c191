"""Screenshots of the composer's card: the row at rest (+, the model, Send), the "+" menu open
with everything offered, the model picker open (and filtered), Compare's menu with three
models ticked and Compare on, every chip of what is on at 1280 px and at the window's minimum
width, the keyboard's focus on a round Stop, Send greyed, and the drop zone while files are
dragged over it. Light, dark and high contrast (`CHATDESK_UI_LANGUAGE=ar` for right to left).

    .venv/bin/python tests/ui/screens_composer.py [OUTPUT_DIR]
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QPainter
from PySide6.QtWidgets import QApplication, QMenu, QToolButton, QWidget

from chatdesk.ui.badges import assistant_badge
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from tests.ui.screens import _core, _until, run_alone

WIDE = 1280


async def composer_screens(app: QApplication, out: Path) -> None:
    core = _core()
    try:
        await core.start()
        for base in ("Home", "Work"):  # offered in the "+" menu's Knowledge
            await core.service.knowledge.create(base)
        turn = await core.service.send_new("Which database suits a desktop app?")
        await core.service.wait_for_answer(turn.answer.id)
        for theme in ("light", "dark", "high-contrast"):
            apply_theme(app, theme)
            window = MainWindow(core.service)
            window.resize(WIDE, 860)
            window.show()
            window.start()
            try:
                _keep_theme(window, theme)
                window.show_thread(turn.answer.thread_id)
                await _until(lambda w=window: len(w.view.widgets) == 2)  # type: ignore[misc]
                await _shoot_composer(window, out, theme)
            finally:
                window.close()
                await window.aclose()
                window.deleteLater()
    finally:
        await core.aclose()


def _keep_theme(window: MainWindow, theme: str) -> None:
    """The theme chosen in the settings, as a user does: Compare's ticks save the settings,
    which would otherwise bring back the default theme (the system's) halfway."""
    current = window.settings.current
    window.settings.apply(replace(current, ui=replace(current.ui, theme=theme)))


async def _shoot_pickers(window: MainWindow, out: Path, theme: str) -> None:
    composer = window.composer
    composer.set_compare([], [], False)
    window.models.show()  # the real models, what is known of them, the recent ones
    await _grab(window, out / f"composer-row-{theme}.png")
    composer.open_models()
    await _until(lambda: composer.model_menu.list.count() > 3)
    await _grab_menu(composer.model_menu, out / f"composer-picker-{theme}.png")
    composer.model_menu.search.setText("3")
    await _grab_menu(composer.model_menu, out / f"composer-picker-filtered-{theme}.png")
    composer.model_menu.hide()
    window.models.show()
    _offer_everything(window, on=False)
    composer.open_plus()
    await _grab_with(window, [composer.plus_menu], out / f"composer-plus-menu-{theme}.png")
    composer.plus_menu.hide()
    for key in ("mock/mock-1", "mock/mock-2", "mock/mock-3"):
        window.models.compare.tick(key, True)
    composer.open_compare()
    compare = composer.plus_menu.compare
    await _grab(window, out / f"composer-compare-on-{theme}.png")
    await _grab_with(window, [compare], out / f"composer-compare-menu-{theme}.png")
    compare.hide()
    for key in ("mock/mock-2", "mock/mock-3"):
        window.models.compare.tick(key, False)


async def _grab_menu(menu: QWidget, path: Path) -> None:
    await asyncio.sleep(0.2)
    menu.grab().save(str(path))
    print(path)


async def _grab_with(window: MainWindow, menus: list[QMenu], path: Path) -> None:
    """The window with its open menus drawn where they show (a popup is a window of its own,
    which the window's own picture leaves out)."""
    await asyncio.sleep(0.3)
    picture = window.grab()
    painter = QPainter(picture)
    for menu in menus:
        painter.drawPixmap(window.mapFromGlobal(menu.pos()), menu.grab())
    painter.end()
    picture.save(str(path))
    print(path)


async def _shoot_composer(window: MainWindow, out: Path, theme: str) -> None:
    composer = window.composer
    await _shoot_pickers(window, out, theme)
    await asyncio.sleep(1.0)  # Compare's ticks saved and the chat's choices read again: after
    _offer_everything(window)
    composer.set_text("Compare the two for a note-taking app, in a short table")
    composer.focus_editor()
    await _grab(window, out / f"composer-full-{theme}.png")

    composer.editor.clear()
    composer.set_streaming(True)  # the button stops the answer; Tab took the focus there
    send = composer.findChild(QToolButton, "sendButton")
    assert send is not None
    send.setFocus(Qt.FocusReason.TabFocusReason)
    await _grab(window, out / f"composer-stop-focused-{theme}.png")
    composer.set_streaming(False)  # nothing to send: greyed
    await _grab(window, out / f"composer-greyed-{theme}.png")

    composer.set_text("Drop a file on me")
    files = QMimeData()
    files.setUrls([QUrl.fromLocalFile("/tmp/report.pdf")])
    middle = QPointF(composer.width() / 2, composer.height() / 2)
    drag = QDragEnterEvent(
        middle,
        Qt.DropAction.CopyAction,
        files,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(composer, drag)
    await _grab(window, out / f"composer-drop-{theme}.png")
    QApplication.sendEvent(composer, QDragLeaveEvent())

    composer.set_text("At the narrowest the window goes")
    await asyncio.sleep(1.0)  # the draft is saved and its cost worked out: offered after
    _offer_everything(window)
    await asyncio.sleep(0)
    window.resize(window.minimumSizeHint().width(), 860)
    await _grab(window, out / f"composer-narrow-{theme}.png", settle=0.05)
    window.resize(WIDE, 860)
    composer.set_text("")
    _offer_everything(window, on=False)


def _offer_everything(window: MainWindow, *, on: bool = True) -> None:
    """Every choice offered (`on`: each of them on, a chip in the row)."""
    composer = window.composer
    models = [("mock/mock-1", "mock-1"), ("mock/mock-2", "mock-2")]
    composer.set_models(models, "mock/mock-1")
    writer = window.models.assistants.known()[0]  # a built-in one, its name in the language
    current = writer.id.hex if on else ""
    composer.set_assistants([(writer.id.hex, writer.name, assistant_badge(writer))], current)
    servers = [("search", "chatdesk: search your chats")]
    composer.set_tools(servers, {"search", "web"} if on else set())
    composer.web.research(on)
    composer.set_knowledge([("k1", "Home"), ("k2", "Work")], {"k1", "k2"} if on else set())
    composer.set_compare(models, ["mock/mock-1", "mock/mock-2"] if on else [], on)
    composer.memory.offer(True)
    composer.memory.show_on(not on)
    composer.offer_voice_conversation(lambda: None, "Ctrl+Shift+T")
    composer.show_send_cost("≈ $0.42 to send" if on else "", "The thread's history")


async def _grab(window: MainWindow, path: Path, settle: float = 0.3) -> None:
    await asyncio.sleep(settle)  # let layout and the icons settle
    window.grab().save(str(path))
    print(path)


if __name__ == "__main__":
    sys.exit(run_alone(composer_screens))
