"""What a voice conversation is doing, at every moment: a strip above the composer while it
runs (what chatdesk is doing, the microphone's level while it listens, what the keys do, and
End). The composer's "+" menu starts and ends it, as Chat ▸ Voice conversation does.

Each state is said in words, on the strip and to a screen reader (`Talking` announces it).
"""

from __future__ import annotations

import enum

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from chatdesk.core.i18n import mark, tr
from chatdesk.ui.composer.mic import LevelMeter
from chatdesk.ui.theme.scale import SPACE


class TalkState(enum.Enum):
    LISTENING = "listening"  # the microphone is open, nothing said yet
    HEARING = "hearing"  # speech is coming: a pause will end it
    TRANSCRIBING = "transcribing"
    WAITING = "waiting"  # sent: the answer's first sentence has not been heard yet
    READING = "reading"  # the answer is being read aloud


WORDS = {
    TalkState.LISTENING: mark("Listening… speak, then pause"),
    TalkState.HEARING: mark("Hearing you…"),
    TalkState.TRANSCRIBING: mark("Turning your words into text…"),
    TalkState.WAITING: mark("Sent: waiting for the answer…"),
    TalkState.READING: mark("Reading the answer aloud"),
}
# What the keys (and speech) do in each state.
HINT_END = mark("Esc ends the conversation")
HINT_INTERRUPT = mark("Esc interrupts")
HINT_SPEAK_OR_ESC = mark("Speak or press Esc to interrupt")
TALK_SHORTCUT = "Ctrl+Shift+T"


class TalkBar(QFrame):
    """Hidden until a conversation starts; `end_requested` when End is pressed."""

    end_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("talkBar")
        self.setFrameShape(QFrame.Shape.NoFrame)
        # translators: the name of the strip that shows what a voice conversation is doing
        self.setAccessibleName(tr("Voice conversation"))
        self.meter = LevelMeter(self)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("talkState")
        self.hint = QLabel(self)
        self.hint.setObjectName("talkHint")
        # translators: a button that ends the voice conversation
        self.end = QPushButton(tr("&End conversation"), self)
        self.end.setObjectName("talkEnd")
        self.end.clicked.connect(self.end_requested)
        row = QHBoxLayout(self)
        row.setContentsMargins(SPACE["m"], SPACE["s"], SPACE["m"], SPACE["s"])
        row.setSpacing(SPACE["s"])
        row.addWidget(self.meter, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.state_label, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.hint, 1, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.end, 0, Qt.AlignmentFlag.AlignVCenter)
        self.state: TalkState | None = None
        self.hide()

    def show_state(self, state: TalkState, *, speech_interrupts: bool) -> str:
        """Show `state`; the words shown, for a screen reader."""
        self.state = state
        self.setProperty("state", state.value)
        self.style().unpolish(self)
        self.style().polish(self)
        listening = state in (TalkState.LISTENING, TalkState.HEARING)
        answering = state in (TalkState.WAITING, TalkState.READING)
        self.meter.setVisible(listening)
        if not listening:
            self.meter.show_level(0.0)
        self.state_label.setText(tr(WORDS[state]))
        if not answering:  # what was heard is kept in the composer
            hint = HINT_END
        elif state is TalkState.READING and speech_interrupts:
            hint = HINT_SPEAK_OR_ESC
        else:
            hint = HINT_INTERRUPT
        self.hint.setText(tr(hint))
        self.show()
        return f"{self.state_label.text()} {self.hint.text()}"

    def close_bar(self) -> None:
        self.state = None
        self.hide()
