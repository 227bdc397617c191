"""Read aloud in the window: an answer's button (and Chat ▸ Read the last answer aloud) reads
it sentence by sentence through the system's voice (espeak-ng, a real synthesizer), starting
while the answer is still being written, and is its Stop while it reads. The sound device is
the one part stood in for: a recorder of what would be played, where the reading's sound
goes."""

from __future__ import annotations

import asyncio
import os
import shutil
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core.chat.events import Event, MessageFinished
from chatdesk.core.kinds import Role
from chatdesk.core.voice.sound import Sound
from chatdesk.core.voice.speakable import sentences
from chatdesk.ui.application import attach_core
from chatdesk.ui.conversation.message import MessageWidget
from chatdesk.ui.main_window import MainWindow

pytestmark = pytest.mark.skipif(
    shutil.which("espeak-ng") is None and not os.environ.get("CI"),
    reason="the system's voice on Linux is espeak-ng, which is not installed",
)


class Recorder:
    """Where the sound goes: each sentence's sound kept in order; with `held`, a sound plays
    until the reading is stopped."""

    def __init__(self, *, held: bool = False) -> None:
        self.played: list[Sound] = []
        self._held = held

    async def play(self, audio: Sound) -> None:
        self.played.append(audio)
        if self._held:
            await asyncio.Event().wait()  # cancelled by Stop


def _window(qtbot: QtBot, make_core: Any, finish: Any, **env: str) -> tuple[MainWindow, Core]:
    core: Core = make_core(**env)
    window = MainWindow()
    attach_core(window, core)
    window.show()
    window.start()
    return window, core


def _answer_widget(window: MainWindow) -> MessageWidget | None:
    widgets = window.findChildren(MessageWidget)
    answers = [w for w in widgets if w.message.role is Role.ASSISTANT]
    return answers[-1] if answers else None


def _send(qtbot: QtBot, window: MainWindow, text: str) -> None:
    window.composer.editor.setPlainText(text)
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return)


@pytest.fixture
def closing(qtbot: QtBot, finish: Any) -> Any:
    windows: list[MainWindow] = []
    yield windows.append
    for window in windows:
        finish(window.actions_.reading.aclose())
        window.close()
        finish(window.aclose())
        window.deleteLater()


def test_an_answer_is_read_aloud_sentence_by_sentence(
    qtbot: QtBot, make_core: Any, finish: Any, closing: Any
) -> None:
    window, _core = _window(qtbot, make_core, finish)
    closing(window)
    reading = window.actions_.reading
    reading.output = heard = Recorder()
    _send(qtbot, window, "Tell me about rivers")
    qtbot.waitUntil(lambda: (w := _answer_widget(window)) is not None and w.message.status.is_final)
    answer = _answer_widget(window)
    assert answer is not None
    button = answer.footer.read_aloud
    assert button.isVisibleTo(answer)
    assert button.accessibleName() == "Read aloud"

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: button.accessibleName() == "Stop reading")
    qtbot.waitUntil(lambda: reading.reading is None)

    said = sentences(answer.message.content)
    assert reading.heard == said
    assert len(heard.played) == len(said) > 1
    assert all(audio.seconds > 0.3 and audio.rms() > 300 for audio in heard.played)
    assert button.accessibleName() == "Read aloud"


def test_an_answer_being_written_is_read_before_it_ends(
    qtbot: QtBot, make_core: Any, finish: Any, closing: Any
) -> None:
    window, core = _window(qtbot, make_core, finish, CHATDESK_MOCK_TOKENS_PER_SECOND="15")
    closing(window)
    reading = window.actions_.reading
    reading.output = Recorder()
    ended: list[bool] = []
    heard_before_end: list[int] = []

    def follow(event: Event) -> None:
        if isinstance(event, MessageFinished) and event.message.role is Role.ASSISTANT:
            heard_before_end.append(len(reading.heard))
            ended.append(True)

    core.service.events.subscribe(follow)
    _send(qtbot, window, "Tell me about rivers")
    qtbot.waitUntil(lambda: (w := _answer_widget(window)) is not None and bool(w.message.content))
    window.actions_.read_last()  # Chat ▸ Read the last answer aloud, while it is written

    qtbot.waitUntil(lambda: bool(ended), timeout=60_000)
    qtbot.waitUntil(lambda: reading.reading is None, timeout=60_000)
    answer = _answer_widget(window)
    assert answer is not None
    assert heard_before_end[0] >= 1  # the first sentence was heard while it was written
    assert reading.heard == sentences(answer.message.content)


def test_the_button_is_the_readings_stop(
    qtbot: QtBot, make_core: Any, finish: Any, closing: Any
) -> None:
    window, _core = _window(qtbot, make_core, finish)
    closing(window)
    reading = window.actions_.reading
    reading.output = heard = Recorder(held=True)
    _send(qtbot, window, "Tell me about rivers")
    qtbot.waitUntil(lambda: (w := _answer_widget(window)) is not None and w.message.status.is_final)
    answer = _answer_widget(window)
    assert answer is not None
    button = answer.footer.read_aloud

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(heard.played) == 1)
    assert button.accessibleName() == "Stop reading"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: reading.reading is None)
    assert button.accessibleName() == "Read aloud"
    assert len(heard.played) == 1  # nothing more was played after Stop


def test_a_very_long_finished_answer_is_read_from_its_first_sentence(
    qtbot: QtBot, make_core: Any, finish: Any, closing: Any
) -> None:
    from benchmarks.speak_window import long_thread

    window, core = _window(qtbot, make_core, finish)
    closing(window)
    reading = window.actions_.reading
    reading.output = heard = Recorder(held=True)
    thread_id, answer_id = finish(long_thread(core, 3_000_000))  # read as plain text
    window.show_thread(thread_id)
    qtbot.waitUntil(lambda: window.view.widget_for(answer_id) is not None)
    answer = window.view.widget_for(answer_id)
    assert answer is not None

    qtbot.mouseClick(answer.footer.read_aloud, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(heard.played) == 1)
    assert reading.heard == sentences(answer.message.content)[:1]
    qtbot.mouseClick(answer.footer.read_aloud, Qt.MouseButton.LeftButton)  # Stop
    qtbot.waitUntil(lambda: reading.reading is None)
    assert len(heard.played) == 1


def test_an_answer_written_fast_is_read_from_what_the_window_shows(
    qtbot: QtBot, make_core: Any, finish: Any, closing: Any
) -> None:
    # Written faster than it is saved (every 250 ms), then held: the reading starts from the
    # text shown, and follows the pieces that come after it.
    window, core = _window(
        qtbot,
        make_core,
        finish,
        CHATDESK_MOCK_TOKENS_PER_SECOND="2000",
        CHATDESK_MOCK_FAULT="stall_after:40",
    )
    closing(window)
    reading = window.actions_.reading
    reading.output = Recorder()
    _send(qtbot, window, "Tell me about rivers")
    qtbot.waitUntil(lambda: (w := _answer_widget(window)) is not None and bool(w.message.content))
    window.actions_.read_last()
    answer = _answer_widget(window)
    assert answer is not None
    qtbot.waitUntil(lambda: len(reading.heard) >= 1)

    assert not answer.message.status.is_final  # still being written
    assert reading.heard == sentences(answer.message.content)[: len(reading.heard)]
    reading.stop()
    qtbot.waitUntil(lambda: reading.reading is None)
    finish(core.service.stop(answer.message.id))
