"""The window the voice tests drive: its microphone is the test's own PulseAudio server's (the
`pulse` fixture, tests/core/voice_parts.py, which a test module using `window` imports too),
its words heard by the local Whisper engine (a real tiny model), its settings from `env` as
the application reads them. What is read aloud goes to `output` when one is given."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.ui.application import attach_core
from chatdesk.ui.main_window import MainWindow
from tests.core.voice_parts import Pulse
from tests.core.whisper_model import shipped_model


@pytest.fixture
def window(
    qtbot: QtBot, make_core: Any, finish: Any, pulse: Pulse
) -> Iterator[Callable[..., MainWindow]]:
    made: list[MainWindow] = []

    def open_(output: object | None = None, **env: str) -> MainWindow:
        voice = {
            "CHATDESK_VOICE_INPUT_DEVICE": "pulse",
            "CHATDESK_VOICE_STT_PROVIDER": "local",
            "CHATDESK_VOICE_STT_MODEL": str(shipped_model()),
        }
        core: Core = make_core(**(voice | env))
        shown = MainWindow(settings=core.config.settings)  # as the application makes it
        attach_core(shown, core)
        if output is not None:
            shown.actions_.reading.output = output  # type: ignore[assignment]
        with qtbot.waitActive(shown):  # its keys work in the active window
            shown.show()
            shown.activateWindow()
        shown.start()
        made.append(shown)
        return shown

    yield open_
    for shown in made:
        finish(shown.talking.aclose())
        finish(shown.dictation.aclose())
        finish(shown.actions_.reading.aclose())
        shown.close()
        finish(shown.aclose())
        shown.deleteLater()
