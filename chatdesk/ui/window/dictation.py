"""Dictation: speak, and the words appear in the composer to edit before sending.

The microphone before Send (`chatdesk/ui/composer/mic.py`), or Chat ▸ Dictate, starts a
recording from the microphone `[voice]` names; a second press stops it, and so does letting go
of the button after holding it (push to talk). While it records, the level moves and the time
counts; then the speech is turned into text by the engine `[voice]` chooses and typed where the
cursor is, as if the user had typed it (so it is kept as the draft), never sent. What goes
wrong (no microphone, a device unplugged, nothing heard, a server that refuses) is said in the
status bar and to a screen reader; the text already in the composer is never touched, and a
recording cut short keeps what was said before. Nothing of voice loads before the first use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QMainWindow

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr

if TYPE_CHECKING:
    from chatdesk.core.voice.recording import Recording
    from chatdesk.core.voice.transcribe import Transcript, Voice
    from chatdesk.ui.composer import Composer
    from chatdesk.ui.composer.mic import Microphone
    from chatdesk.ui.runner import Runner


class Dictation(QObject):
    """`voice` is given once the core is attached (the application does); until then, and
    without it, the microphone is not shown."""

    def __init__(self, composer: Composer, runner: Runner, window: QMainWindow) -> None:
        super().__init__(composer)
        self._composer = composer
        self._runner = runner
        self._window = window
        self.voice: Callable[[], Voice] | None = None
        self.microphone: Microphone | None = None
        self._recording: Recording | None = None
        self._clock = QTimer(self, interval=250)
        self._clock.timeout.connect(self._show_time)
        self.typed: list[str] = []  # what dictation typed, in order, for the record

    def place(self) -> None:
        """The microphone in the composer's row (once there is voice to use)."""
        if self.microphone is not None or self.voice is None:
            return
        from chatdesk.ui.composer.mic import Microphone

        self.microphone = mic = Microphone(self._composer)
        self._composer.add_before_send(mic, mic.button)
        mic.button.pressed_to_talk.connect(self.toggle)
        mic.button.released_after_hold.connect(self.stop)

    @property
    def recording(self) -> bool:
        return self._recording is not None

    def toggle(self) -> None:
        """Start dictating, or stop when dictating."""
        if self._recording is not None:
            self.stop()
        elif self.voice is not None:
            self.place()
            self._runner.run(self._dictate(self.voice()), failure=self._failed, quiet=True)

    def stop(self) -> None:
        """End the recording; what was said is transcribed."""
        if self._recording is not None:
            self._recording.stop()

    async def _dictate(self, voice: Voice) -> None:
        from chatdesk.ui.composer.mic import MicState

        mic = self.microphone
        assert mic is not None
        recording = voice.recording(on_level=mic.meter.show_level)
        self._recording = recording
        try:
            await recording.start()
            mic.show_state(MicState.RECORDING)
            self._tell(tr("Recording: speak, then stop."))
            self._clock.start()
            recorded = await recording.finished()
        finally:
            self._recording = None
            self._clock.stop()
            mic.show_state(MicState.IDLE)
        if recorded.problem:
            self._tell(recorded.problem)  # what was recorded before is still transcribed
        mic.show_state(MicState.TRANSCRIBING)
        try:
            transcript = await voice.transcribe(recorded.audio)
        finally:
            mic.show_state(MicState.IDLE)
        self._type(transcript)

    def _type(self, transcript: Transcript) -> None:
        """The words where the cursor is, a space between them and the text around."""
        editor = self._composer.editor
        cursor = editor.textCursor()
        before = editor.toPlainText()[: cursor.position()]
        text = transcript.text.strip()
        if before and not before[-1].isspace():
            text = " " + text
        cursor.insertText(text)
        editor.setTextCursor(cursor)
        editor.setFocus()
        self.typed.append(transcript.text.strip())
        for note in transcript.notes:
            self._tell(note)
        self._tell(tr("Your words are in the message: edit them, then send."))

    def _tell(self, words: str) -> None:
        """In the status bar, and to a screen reader."""
        self._window.statusBar().showMessage(words, 8_000)
        QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(self._composer, words))

    def _failed(self, error: ChatdeskError) -> None:
        self._tell(tr("Dictation failed: {error}", error=error))

    def _show_time(self) -> None:
        if self._recording is not None and self.microphone is not None:
            self.microphone.show_seconds(self._recording.seconds)

    async def aclose(self) -> None:
        """Before the window closes: a recording under way ends, unused."""
        if self._recording is not None:
            await self._recording.cancel()
