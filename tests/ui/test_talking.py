"""A voice conversation in the window, for real: the composer's "+" ▸ Voice conversation opens
the microphone of a PulseAudio server of the test's own (speech made by espeak-ng played into
its null sink, whose monitor is the microphone); a pause after the speech ends the turn, the
local Whisper engine (a real tiny model) hears the words, and they are sent as Send sends them;
the mock provider's answer is read aloud by the system's voice (espeak-ng), and the microphone
opens again. Esc interrupts the answer, and ends the conversation while it listens; speaking
interrupts the answer when `[voice] talk_interrupt` is on. The sound device the reading plays
on is the one part stood in for: a recorder of what would be played (were it the null sink,
the microphone would hear it)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from chatdesk.core.kinds import Role
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.window.talk_bar import TalkState
from tests.core.voice_parts import Pulse, speak
from tests.core.voice_parts import pulse as pulse
from tests.ui.composer_parts import choose, words
from tests.ui.test_read_aloud import Recorder
from tests.ui.voice_window import window as window

SLOW = 180_000  # ms: speech, its end, a Whisper model and a reading on a busy CPU
QUICK_TURNS = "high"  # the sensitivity: half a second of pause ends a turn

pytestmark = pytest.mark.skipif(
    shutil.which("espeak-ng") is None and not os.environ.get("CI"),
    reason="the system's voice on Linux is espeak-ng, which is not installed",
)


def _said(window: MainWindow) -> list[tuple[Role, str]]:
    return [(m.role, m.content) for m in window.conversation.messages()]


@pytest.mark.slow("speaks a sentence in real time through an audio server (3.6 s), transcribed")
def test_a_spoken_question_is_sent_at_the_pause_its_answer_read_and_the_microphone_opens_again(
    qtbot: QtBot, window: Any, pulse: Pulse, tmp_path: Path
) -> None:
    recorder = Recorder()
    shown: MainWindow = window(recorder, CHATDESK_VOICE_SENSITIVITY=QUICK_TURNS)
    talking, bar = shown.talking, shown.talking.bar
    assert talking.placed
    assert not bar.isVisible()

    choose(qtbot, shown.composer, "Start a voice conversation")
    qtbot.waitUntil(lambda: bar.state is TalkState.LISTENING, timeout=SLOW)
    assert bar.isVisible()
    assert bar.meter.isVisible()
    assert "Esc ends" in bar.hint.text()
    assert words(shown.composer.plus_menu.talk) == "End the voice conversation"
    states: list[TalkState | None] = []
    shown_state = bar.show_state
    bar.show_state = lambda state, **kw: (states.append(state), shown_state(state, **kw))[1]  # type: ignore[method-assign]

    player = pulse.play(speak(tmp_path))  # nothing pressed: the pause after it sends it
    qtbot.waitUntil(lambda: bool(talking.turns), timeout=SLOW)
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=SLOW)
    for word in ("table", "two", "tomorrow", "evening"):
        assert word in talking.turns[0].lower(), talking.turns
    qtbot.waitUntil(lambda: bool(recorder.played), timeout=SLOW)  # the answer is heard
    qtbot.waitUntil(lambda: bar.state is TalkState.LISTENING, timeout=SLOW)  # and it listens

    assert states[:5] == [
        TalkState.HEARING,
        TalkState.TRANSCRIBING,
        TalkState.WAITING,
        TalkState.READING,
        TalkState.LISTENING,
    ]
    said = _said(shown)
    assert [role for role, _ in said] == [Role.USER, Role.ASSISTANT]  # the ordinary chat
    assert said[0][1] == talking.turns[0]
    assert shown.actions_.reading.heard  # its sentences, read
    assert shown.composer.text() == ""  # sent: nothing left behind

    qtbot.keyClick(shown.composer.editor, Qt.Key.Key_Escape)  # while listening: the end
    qtbot.waitUntil(lambda: not talking.talking, timeout=SLOW)
    assert not bar.isVisible()
    assert words(shown.composer.plus_menu.talk) == "Start a voice conversation"
    assert len(_said(shown)) == 2  # nothing more was sent


def test_esc_interrupts_the_answer_and_listens_again_then_ends(
    qtbot: QtBot, window: Any, pulse: Pulse, tmp_path: Path
) -> None:
    recorder = Recorder(held=True)  # the first sentence plays until it is interrupted
    shown: MainWindow = window(recorder, CHATDESK_VOICE_SENSITIVITY=QUICK_TURNS)
    talking, bar = shown.talking, shown.talking.bar
    shown.menus.actions["talking.toggle"].trigger()  # Chat ▸ Voice conversation
    qtbot.waitUntil(lambda: bar.state is TalkState.LISTENING, timeout=SLOW)
    player = pulse.play(speak(tmp_path))
    qtbot.waitUntil(lambda: bar.state is TalkState.READING, timeout=SLOW)
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=SLOW)
    assert "Esc interrupts" in bar.hint.text()  # speaking does not: talk_interrupt is off
    assert shown.actions_.reading.reading is not None

    qtbot.keyClick(shown.view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: bar.state is TalkState.LISTENING, timeout=SLOW)
    assert shown.actions_.reading.reading is None  # silent
    assert talking.talking

    qtbot.keyClick(shown.composer.editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not talking.talking, timeout=SLOW)
    assert len(recorder.played) == 1


@pytest.mark.slow("speaks two sentences in real time through an audio server, each transcribed")
def test_speaking_interrupts_the_answer_and_is_the_next_turn(
    qtbot: QtBot, window: Any, pulse: Pulse, tmp_path: Path
) -> None:
    recorder = Recorder(held=True)
    shown: MainWindow = window(
        recorder, CHATDESK_VOICE_SENSITIVITY=QUICK_TURNS, CHATDESK_VOICE_TALK_INTERRUPT="true"
    )
    talking, bar = shown.talking, shown.talking.bar
    qtbot.keyClick(
        shown.composer.editor,
        Qt.Key.Key_T,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: bar.state is TalkState.LISTENING, timeout=SLOW)
    player = pulse.play(speak(tmp_path))
    qtbot.waitUntil(lambda: bar.state is TalkState.READING, timeout=SLOW)
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=SLOW)
    assert "Speak or press Esc" in bar.hint.text()

    reading = shown.actions_.reading
    first_answer = reading.reading
    assert first_answer is not None
    player = pulse.play(speak(tmp_path, name="again.wav"))  # over the answer being read
    qtbot.waitUntil(lambda: reading.reading != first_answer, timeout=SLOW)  # it stopped
    qtbot.waitUntil(lambda: len(talking.turns) == 2, timeout=SLOW)
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=SLOW)
    said = _said(shown)
    assert [role for role, _ in said][:3] == [Role.USER, Role.ASSISTANT, Role.USER]
    assert "tomorrow" in said[2][1].lower()  # what was said over the answer is the next turn
