"""The main window's parts on their own, without the window: where it was, the provider's
status, and the drafts that follow their thread."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter
from pytestqt.qtbot import QtBot

from chatdesk.core.chat.views import DraftView
from chatdesk.ui.composer import Composer
from chatdesk.ui.runner import Runner
from chatdesk.ui.window.drafts import Drafts
from chatdesk.ui.window.provider_status import ProviderStatus
from chatdesk.ui.window.state import WindowState


def _window(qtbot: QtBot, state_file: Path) -> tuple[QMainWindow, QSplitter, WindowState]:
    window = QMainWindow()
    qtbot.addWidget(window)
    splitter = QSplitter()
    side, main = QLabel("side"), QLabel("main")
    splitter.addWidget(side)
    splitter.addWidget(main)
    window.setCentralWidget(splitter)
    return window, splitter, WindowState(window, splitter, lambda: side, state_file)


def test_the_window_comes_back_where_it_was(qtbot: QtBot, tmp_path: Path) -> None:
    state_file = tmp_path / "state.ini"
    window, splitter, state = _window(qtbot, state_file)
    window.resize(700, 500)  # inside the offscreen screen, where geometry is kept to it
    window.show()
    splitter.setSizes([250, 450])
    wanted = splitter.sizes()
    state.save()

    again, splitter_again, state_again = _window(qtbot, state_file)
    state_again.restore()
    again.show()
    assert again.size() == window.size()
    assert splitter_again.sizes() == wanted

    splitter_again.widget(0).hide()  # type: ignore[union-attr]
    state_again.save()
    _, hidden, state_hidden = _window(qtbot, state_file)
    state_hidden.restore()
    assert hidden.widget(0).isHidden()  # type: ignore[union-attr]


def test_the_provider_status_says_what_the_last_request_showed(qtbot: QtBot) -> None:
    status = ProviderStatus()
    qtbot.addWidget(status)
    assert status.text() == "Ready"
    status.show_state("openai", "offline", "cannot reach the provider")
    assert (status.text(), status.toolTip()) == ("openai: offline", "cannot reach the provider")
    status.show_state("openai", "auth", "the API key was refused")
    assert status.text() == "openai: auth error"


def test_drafts_stay_with_their_thread(make_core: Any, qtbot: QtBot, finish: Any) -> None:
    core = make_core()
    composer = Composer()
    qtbot.addWidget(composer)
    runner = Runner()
    first = finish(core.service.create_thread(title="first")).id
    current: list[uuid.UUID | None] = [first]
    drafts = Drafts(
        composer,
        service=lambda: core.service,
        runner=lambda: runner,
        current_thread=lambda: current[0],
    )
    drafts.load(first)
    qtbot.waitUntil(lambda: drafts.shown)
    qtbot.keyClicks(composer.editor, "half a thought")
    drafts.leave()  # to the new chat
    current[0] = None
    drafts.load(None)
    assert composer.text() == ""
    qtbot.waitUntil(lambda: finish(core.service.load_draft(first)) == DraftView("half a thought"))

    current[0] = first
    drafts.load(first)
    qtbot.waitUntil(lambda: composer.text() == "half a thought")
    finish(runner.aclose())
