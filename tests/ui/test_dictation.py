"""Dictation in the window, for real: the composer's microphone records from a PulseAudio
server of the test's own (speech made by espeak-ng played into its null sink, whose monitor is
the microphone), the words are heard by the local Whisper engine (a real tiny model) and typed
into the composer where the cursor is, to be edited; nothing is sent. No microphone: said, and
the text already written is kept."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from chatdesk.ui.composer.mic import MicState
from chatdesk.ui.main_window import MainWindow
from tests.core.voice_parts import SENTENCE, Pulse, speak
from tests.core.voice_parts import pulse as pulse
from tests.ui.voice_window import window as window

SLOW = 120_000  # ms: recording, then a Whisper model on a busy CPU


def test_dictated_words_are_typed_where_the_cursor_is_and_not_sent(
    qtbot: QtBot, window: Any, pulse: Pulse, tmp_path: Path
) -> None:
    shown: MainWindow = window()
    shown.composer.set_text("Note:")
    mic = shown.dictation.microphone
    assert mic is not None
    assert mic.button.accessibleName() == "Dictate"
    speech = speak(tmp_path)
    levels: list[float] = []
    meter = mic.meter
    drawn = meter.show_level
    meter.show_level = lambda level: (levels.append(level), drawn(level))  # type: ignore[method-assign]

    qtbot.mouseClick(mic.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: mic.state is MicState.RECORDING, timeout=SLOW)
    assert mic.button.accessibleName() == "Stop dictating"
    assert mic.meter.isVisible()
    player = pulse.play(speech)
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=SLOW)  # all of it was said
    assert max(levels) > 0.02  # the meter moved with the speech
    qtbot.mouseClick(mic.button, Qt.MouseButton.LeftButton)  # stop
    qtbot.waitUntil(lambda: bool(shown.dictation.typed), timeout=SLOW)

    text = shown.composer.text()
    assert text.startswith("Note: ")
    for word in ("table", "two", "tomorrow", "evening"):
        assert word in text.lower(), (text, SENTENCE)
    assert mic.state is MicState.IDLE
    assert shown.view.widgets == []  # nothing was sent


def test_holding_the_button_records_until_it_is_let_go(
    qtbot: QtBot, window: Any, pulse: Pulse, tmp_path: Path
) -> None:
    shown: MainWindow = window()
    mic = shown.dictation.microphone
    assert mic is not None
    speech = speak(tmp_path)

    qtbot.mousePress(mic.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: mic.state is MicState.RECORDING, timeout=SLOW)
    player = pulse.play(speech)
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=SLOW)
    qtbot.mouseRelease(mic.button, Qt.MouseButton.LeftButton)  # held past HOLD_SECONDS

    qtbot.waitUntil(lambda: bool(shown.dictation.typed), timeout=SLOW)
    assert "tomorrow" in shown.composer.text().lower()


def test_no_microphone_is_said_and_the_text_kept(qtbot: QtBot, window: Any) -> None:
    shown: MainWindow = window()
    settings = shown.settings.current  # the microphone chosen in Preferences, used at once
    shown.settings.apply(
        replace(settings, voice=replace(settings.voice, input_device="Studio microphone 7"))
    )
    shown.composer.set_text("half a thought")
    mic = shown.dictation.microphone
    assert mic is not None

    qtbot.mouseClick(mic.button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: "microphone" in shown.statusBar().currentMessage(), timeout=SLOW)
    assert "Studio microphone 7" in shown.statusBar().currentMessage()
    assert shown.composer.text() == "half a thought"
    assert mic.state is MicState.IDLE
    assert mic.button.isEnabled()
