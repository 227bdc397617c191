"""Read aloud: an answer heard sentence by sentence, from its Read aloud button (or the menu's
Read the last answer aloud), starting while it is still being written.

One reading at a time: starting another stops the one before, and the button of the answer
being read is its Stop. An answer still streaming is read as it grows: from what the
conversation shows of it (the saved text lags behind the stream), then each piece of text the
core tells (`AnswerTextAppended`) is handed to the reading, so its first sentence is heard as
soon as it is complete, and its end (`MessageFinished`) lets the reading finish. A finished
answer's sentences are worked out a step at a time as they are read (`Speaking.reading`), so
however long it is the window stays responsive and its first sentence is heard soon. The reading
itself is the core's (`chatdesk.core.voice`): the speech `[voice]` chooses, the speakable
sentences, the sound played on the loop; none of it is loaded before the first reading.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from chatdesk.core.i18n import tr

if TYPE_CHECKING:
    from chatdesk.core.chat.events import Event
    from chatdesk.core.errors import ChatdeskError
    from chatdesk.core.service import ChatService
    from chatdesk.core.settings_outside import VoiceSettings
    from chatdesk.core.views import MessageView
    from chatdesk.core.voice.playback import Output
    from chatdesk.core.voice.reading import GrowingAnswer, ReadAloud, ReadingEvent
    from chatdesk.core.voice.speaking import Speaking
    from chatdesk.ui.conversation.view import ConversationView
    from chatdesk.ui.runner import Runner


class ReadingAloud:
    """`speaking` and `voice` are given once the core is attached (the application does);
    `output` is where the sound goes (None: the system's sound output)."""

    def __init__(
        self,
        service: ChatService,
        runner: Runner,
        view: ConversationView,
        tell: Callable[[str], None],
    ) -> None:
        self._service = service
        self._runner = runner
        self._view = view
        self._tell = tell
        self.speaking: Callable[[], Speaking] | None = None
        self.voice: Callable[[], VoiceSettings] | None = None
        self.output: Output | None = None
        self._reader: ReadAloud | None = None
        self.reading: uuid.UUID | None = None  # the answer being read
        self._growing: GrowingAnswer | None = None  # its sentences, while it is written
        self._text = ""  # what of it has arrived so far, while it is written
        self.heard: list[str] = []  # the sentences heard, in order, for the record
        self.sentence_started: Callable[[], object] | None = None  # told as each one begins
        self._turn = 0  # which reading is the current one
        self._failure: tuple[int, ChatdeskError] | None = None  # the last reading that failed

    def toggle(self, message_id: uuid.UUID) -> None:
        """Read the answer aloud, or stop, when it is the one being read."""
        if message_id == self.reading:
            self.stop()
            return
        self._runner.run(self._service.get_message(message_id), done=self._start, quiet=True)

    def stop(self) -> None:
        if self._reader is not None:
            self._reader.stop()

    async def read_through(self, message_id: uuid.UUID) -> ChatdeskError | None:
        """Read the answer aloud, while it is written too, and return once the reading ended
        (every sentence heard, or stopped); with the failure that ended it, if one did."""
        message = await self._service.get_message(message_id)
        self._start(message)
        reader, turn = self._reader, self._turn
        if reader is None:
            return None
        await reader.wait()
        failure = self._failure
        return failure[1] if failure is not None and failure[0] == turn else None

    async def aclose(self) -> None:
        """Silence, before the window closes."""
        if self._reader is not None:
            self._reader.stop()
            await self._reader.wait()

    def _start(self, message: MessageView) -> None:
        if self.speaking is None or self.voice is None:
            return  # no core yet: nothing can be read
        self.stop()  # its end comes later, to the reading it was: see _on_reading
        speaking = self.speaking()
        speaking.update(self.voice())  # the voice chosen now
        read, self._turn = message.id, self._turn + 1
        turn = self._turn
        self._reader = speaking.reader(
            lambda event: self._on_reading(turn, read, event), output=self.output
        )
        self.reading, self._growing, self._text = read, None, message.content
        self.heard = []
        self._show(read, reading=True)
        if message.status.is_final:
            self._reader.start(speaking.reading(message.content))
            return
        self._text = self._shown_text()  # what was saved may be behind what has arrived
        self._growing = speaking.growing_answer()
        self._growing.grew(self._text)
        self._reader.start(self._growing)

    def apply(self, event: Event) -> None:
        """The answer being read grew or ended: its reading follows."""
        from chatdesk.core.chat.events import AnswerTextAppended, MessageFinished

        if self._growing is None:
            return
        if isinstance(event, AnswerTextAppended) and event.message_id == self.reading:
            if len(self._text) < event.text_offset:  # pieces came before the reading began
                self._text = self._shown_text()
            end = event.text_offset + len(event.text)
            if event.text_offset <= len(self._text) < end:  # the next piece, once
                self._text = self._text[: event.text_offset] + event.text
                self._growing.grew(self._text)
        elif isinstance(event, MessageFinished) and event.message.id == self.reading:
            self._growing.ended(event.message.content)
            self._growing = None

    def _shown_text(self) -> str:
        """The answer being read as the conversation shows it, when that is further on than
        what the reading knows (the saved text lags behind the stream)."""
        widget = self._view.widget_for(self.reading) if self.reading is not None else None
        shown = widget.message.content if widget is not None else ""
        return shown if len(shown) > len(self._text) else self._text

    def _on_reading(self, turn: int, read: uuid.UUID, event: ReadingEvent) -> None:
        """An event of reading `turn` (of the answer `read`), which may have been replaced."""
        from chatdesk.core.voice.reading import ReadingFailed, ReadingFinished, SentenceStarted

        current = turn == self._turn
        if isinstance(event, SentenceStarted) and current:
            self.heard.append(event.text)
            if self.sentence_started is not None:
                self.sentence_started()
        elif isinstance(event, ReadingFinished | ReadingFailed):
            if read != self.reading or current:  # its button is no longer a Stop
                self._show(read, reading=False)
            if current:
                self.reading, self._growing = None, None
            if isinstance(event, ReadingFailed) and current:
                self._failure = (turn, event.error)
                self._tell(tr("Could not read aloud: {error}", error=event.error))

    def _show(self, message_id: uuid.UUID, *, reading: bool) -> None:
        widget = self._view.widget_for(message_id)
        if widget is not None:
            widget.footer.set_reading(reading)
