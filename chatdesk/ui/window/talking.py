"""A voice conversation: speak, chatdesk sends when you pause, reads the answer aloud, and
listens again, until you end it.

The composer's "+" menu or Chat ▸ Voice conversation starts it, and ends it. Each turn:
the microphone `[voice]` names records until a pause after speech (`[voice] sensitivity`);
the words are turned into text and put in the composer, then sent as Send sends them (the
model, assistant, tools and knowledge chosen there), so both sides are the ordinary chat; the
answer is read aloud as it is written (`ReadingAloud`); then the microphone opens again.

Interrupting: Esc while the answer is awaited or read stops it (the reading, and the answer
if it is still being written) and listens; Esc while listening ends the conversation. With
`[voice] talk_interrupt`, speaking while the answer is read does what Esc does, and what is
said is the next turn: the microphone is open during the reading (which needs headphones or
a microphone that cancels echo, else the reading hears itself).

Nothing is lost: words heard when the conversation ends, or that could not be sent, stay in
the composer. A failure (no microphone, a transcription server that refuses, a voice that
cannot speak) ends the conversation and says why, in the status bar and to a screen reader.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QBoxLayout, QMainWindow, QWidget

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.ui.window.talk_bar import TALK_SHORTCUT, TalkBar, TalkState

if TYPE_CHECKING:
    import uuid

    from chatdesk.core.settings_outside import VoiceSettings
    from chatdesk.core.voice.recording import Recorded, Recording
    from chatdesk.core.voice.transcribe import Voice
    from chatdesk.ui.composer import Composer
    from chatdesk.ui.runner import Runner
    from chatdesk.ui.window.read_aloud import ReadingAloud
    from chatdesk.ui.window.sending import Sending


class Talking(QObject):
    """`voice` and `settings` are given once the core is attached (the application does);
    until then the "+" menu does not offer it."""

    def __init__(
        self,
        window: QMainWindow,
        composer: Composer,
        sending: Sending,
        reading: ReadingAloud,
        runner: Runner,
    ) -> None:
        super().__init__(window)
        self._window, self._composer = window, composer
        self._sending, self._reading, self._runner = sending, reading, runner
        self.voice: Callable[[], Voice] | None = None
        self.settings: Callable[[], VoiceSettings] | None = None
        self.bar = TalkBar()
        self.bar.end_requested.connect(self.end)
        self.placed = False  # offered in the composer's "+" menu
        self._task: asyncio.Task[None] | None = None
        self._listening: Recording | None = None  # the microphone, while it is open
        self._answering = False  # the answer is awaited or read: Esc interrupts it
        self._answer_id: uuid.UUID | None = None  # the answer awaited or read, once known
        self._read: asyncio.Future[ChatdeskError | None] | None = None  # its reading
        self._ending = False
        self.turns: list[str] = []  # what was sent, in order, for the record

    def place(self, column: QBoxLayout) -> None:
        """The entry of the composer's "+" menu, the strip in the window's `column` just above
        the composer (once there is voice to use)."""
        if self.placed or self.voice is None:
            return
        self.placed = True
        self._composer.offer_voice_conversation(self.toggle, TALK_SHORTCUT)
        column.insertWidget(column.indexOf(self._composer), self.bar)

    @property
    def talking(self) -> bool:
        return self._task is not None

    def toggle(self) -> None:
        if self.talking:
            self.end()
        else:
            self.start()

    def start(self) -> None:
        if self.talking or self.voice is None:
            return
        self._ending = False
        call = self._talk(self.voice())
        self._task = self._runner.run(call, failure=self._failed, settled=self._ended, quiet=True)
        _app().installEventFilter(self)
        self._composer.show_talking(True)

    def end(self) -> None:
        """End the conversation: the microphone closes (what it heard is typed, not sent), the
        reading stops; an answer being written goes on, in the chat."""
        if not self.talking or self._ending:
            return
        self._ending = True
        self._reading.stop()
        if self._listening is not None:
            self._listening.stop()  # what it heard goes to the composer (see _talk)

    def interrupt(self) -> None:
        """Stop the answer being awaited or read (the reading, and the answer if it is still
        being written), and listen."""
        if not self._answering:
            return
        self._answering = False
        if self._read is not None:
            self._read.cancel()  # one not begun yet never begins
        self._reading.stop()
        if self._answer_id is not None:  # else it is stopped once the send gives it (_talk)
            self._sending.stop_answer(self._answer_id)

    async def aclose(self) -> None:
        """Before the window closes: the microphone is closed, its audio dropped."""
        task = self._task
        if task is None:
            return
        self._ending = True
        self._reading.stop()
        if self._listening is not None:
            await self._listening.cancel()
        task.cancel()
        await asyncio.wait([task])

    # -- the turns ------------------------------------------------------------------------------

    async def _talk(self, voice: Voice) -> None:
        recording: Recording | None = None  # open already: it heard the answer interrupted
        try:
            while not self._ending:
                recorded = await self._listen(voice, recording)
                recording = None
                text = await self._heard(voice, recorded) if recorded is not None else ""
                if text:
                    self._type(text)
                if self._ending or not text:
                    continue
                self._show(TalkState.WAITING)
                self._answering, self._answer_id = True, None  # Esc interrupts from here
                turn = await self._sending.send_composed()  # refused: said, and it ends
                self.turns.append(text)
                self._answer_id = turn.answer.id
                if not self._answering:  # interrupted while it was being sent
                    self._sending.stop_answer(turn.answer.id)
                elif not self._ending:
                    recording = await self._answer(voice, turn.answer.id)
        finally:
            if recording is not None:
                await recording.cancel()

    async def _listen(self, voice: Voice, recording: Recording | None) -> Recorded | None:
        """Until a pause after speech (on `recording` when one is open already); None when
        nothing was said."""
        if recording is None:
            recording = await self._open(voice)
        self._listening = recording
        self._show(TalkState.HEARING if recording.heard_speech else TalkState.LISTENING)
        try:
            recorded = await recording.finished()
        finally:
            self._listening = None
        if recorded.problem:
            raise ChatdeskError(recorded.problem)
        return recorded if recorded.heard_speech else None

    async def _open(self, voice: Voice) -> Recording:
        recording = voice.recording(stop_at_end_of_speech=True, on_level=self._level)
        await recording.start()
        return recording

    async def _heard(self, voice: Voice, recorded: Recorded) -> str:
        self._show(TalkState.TRANSCRIBING)
        transcript = await voice.transcribe(recorded.audio)
        for note in transcript.notes:
            self._tell(note)
        return transcript.text.strip()

    async def _answer(self, voice: Voice, answer_id: uuid.UUID) -> Recording | None:
        """Read the answer aloud as it is written. With `talk_interrupt`, the microphone is
        open meanwhile: speech stops the answer, and that recording is the next turn's."""
        recording = await self._open(voice) if self._speech_interrupts() else None
        self._listening = recording
        self._reading.sentence_started = lambda: self._show(TalkState.READING)
        read = self._read = asyncio.ensure_future(self._reading.read_through(answer_id))
        if not self._answering:  # interrupted while the microphone opened
            read.cancel()
        try:
            await asyncio.wait([read])
        except BaseException:
            read.cancel()
            if recording is not None:
                await recording.cancel()
            raise
        finally:
            self._reading.sentence_started = None
            self._answering, self._listening, self._read = False, None, None
        failure = None if read.cancelled() else read.result()
        if failure is not None:
            if recording is not None:
                await recording.cancel()
            raise failure
        return recording

    # -- on the GUI thread ----------------------------------------------------------------------

    def _level(self, level: float) -> None:
        """A block of sound came: the meter moves; speech heard is shown, and interrupts the
        answer when the microphone is open during it."""
        self.bar.meter.show_level(level)
        listening = self._listening
        if listening is None or not listening.heard_speech:
            return
        if self._answering:
            self.interrupt()
            self._show(TalkState.HEARING)
        elif self.bar.state is TalkState.LISTENING:
            self._show(TalkState.HEARING)

    def _type(self, text: str) -> None:
        """The words after what the composer holds, a space between."""
        held = self._composer.text()
        self._composer.set_text(f"{held} {text}" if held.strip() else text)

    def _show(self, state: TalkState) -> None:
        if state is self.bar.state:  # each sentence read: said once
            return
        words = self.bar.show_state(state, speech_interrupts=self._speech_interrupts())
        QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(self.bar, words))

    def _speech_interrupts(self) -> bool:
        return self.settings is not None and self.settings().talk_interrupt

    def _tell(self, words: str) -> None:
        self._window.statusBar().showMessage(words, 15_000)
        QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(self._composer, words))

    def _failed(self, error: ChatdeskError) -> None:
        self._tell(tr("The voice conversation ended: {error}", error=error))

    def _ended(self) -> None:
        self._task, self._listening, self._answering = None, None, False
        _app().removeEventFilter(self)
        self.bar.close_bar()
        self._composer.show_talking(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Esc in this window, before any of its widgets: interrupt the answer, or end."""
        kinds = (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
        if event.type() not in kinds or not isinstance(event, QKeyEvent):
            return False
        if event.key() != Qt.Key.Key_Escape or event.modifiers() != Qt.KeyboardModifier.NoModifier:
            return False
        if not isinstance(watched, QWidget) or watched.window() is not self._window:
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()  # no shortcut takes it: it comes here as a key press
            return True
        if self._answering:
            self.interrupt()
        else:
            self.end()
        return True


def _app() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app
