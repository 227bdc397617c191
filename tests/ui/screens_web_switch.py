"""Screenshots of the Web switch and Preferences ▸ Web: the composer with Web off and on (at
1280 px and at the window's narrowest), the line that says the web cannot be searched (no
network), and the Web section with DuckDuckGo, with SearXNG and its address, and with Brave's
key kept. Light and dark (`CHATDESK_UI_LANGUAGE=de` or `=ar` for long words and right to left).

    .venv/bin/python -m tests.ui.screens_web_switch [OUTPUT_DIR]
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QComboBox

from chatdesk.app import Core
from chatdesk.core.secrets import SessionKeys
from chatdesk.core.tools.service import Tools
from chatdesk.core.web.addresses import IPAddress
from chatdesk.core.web.searching import save_key
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.runner import Runner
from tests.ui.screens import _grab_dialog, _until, run_alone
from tests.ui.screens_composer import WIDE, _grab, _grab_with
from tests.ui.screens_first_steps import in_own_home


async def _online(host: str, port: int) -> list[IPAddress]:
    return [ipaddress.ip_address("52.142.124.215")]


async def _offline(host: str, port: int) -> list[IPAddress]:
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


async def web_switch_screens(app: QApplication, out: Path) -> None:
    await in_own_home(app, out, _shoot)


async def _shoot(core: Core, tools: Tools, runner: object, out: Path, theme: str) -> None:
    assert isinstance(runner, Runner)
    turn = await core.service.send_new("What changed in the footbridge plans this week?")
    await core.service.wait_for_answer(turn.answer.id)
    window = MainWindow(core.service)
    window.resize(WIDE, 760)
    window.show()
    window.start()
    try:
        current = window.settings.current
        window.settings.apply(replace(current, ui=replace(current.ui, theme=theme)))
        window.show_thread(turn.answer.thread_id)
        await _until(lambda: len(window.view.widgets) == 2)
        await _composer(window, out, theme)
    finally:
        window.close()
        await window.aclose()
        window.deleteLater()
    await _preferences(core, runner, out, theme)


async def _composer(window: MainWindow, out: Path, theme: str) -> None:
    composer = window.composer
    web = composer.web
    await _until(lambda: web.offered)
    window.models.web.resolver = _online
    composer.open_plus()  # Web and Research offered, neither ticked
    await _grab_with(window, [composer.plus_menu], out / f"web-switch-off-{theme}.png")
    composer.plus_menu.web.trigger()  # as a click on the entry does
    composer.plus_menu.hide()
    await _until(lambda: web.on and not window.models.web.checking)
    await _grab(window, out / f"web-switch-on-{theme}.png")
    web.switch(False)
    window.models.web.resolver = _offline
    web.switch(True)
    await _until(web.notice.isVisible)
    window.composer.set_text("What changed in Lenne today?")
    await _grab(window, out / f"web-offline-{theme}.png")
    window.resize(window.minimumSizeHint().width(), 760)
    await _grab(window, out / f"web-offline-narrow-{theme}.png")
    window.resize(WIDE, 760)
    web.switch(False)  # off again: the next theme starts without it
    window.composer.set_text("")


async def _preferences(core: Core, runner: Runner, out: Path, theme: str) -> None:
    from chatdesk.ui.preferences import PreferencesDialog

    keys = SessionKeys()
    save_key(keys, "brave", "a-key-for-the-screenshots")
    dialog = PreferencesDialog(core.config.settings, runner=runner, keys=keys)
    dialog.tabs.setCurrentWidget(dialog.web)
    await _grab_dialog(dialog, out / f"web-preferences-{theme}.png", runner)
    engine = dialog.findChild(QComboBox, "webEngine")
    assert engine is not None
    engine.setCurrentIndex(engine.findData("searxng"))
    dialog.web.searxng.setText("http://localhost:8888")
    await _grab_dialog(dialog, out / f"web-preferences-searxng-{theme}.png", runner)
    engine.setCurrentIndex(engine.findData("brave"))
    await _until(lambda: bool(dialog.web.key_note.text()))
    await _grab_dialog(dialog, out / f"web-preferences-brave-{theme}.png", runner)
    engine.setCurrentIndex(engine.findData("tavily"))
    await _until(lambda: "Tavily" in dialog.web.key_note.text() or theme == "")
    await _grab_dialog(dialog, out / f"web-preferences-tavily-{theme}.png", runner)
    dialog.close()
    dialog.deleteLater()


if __name__ == "__main__":
    sys.exit(run_alone(web_switch_screens))
