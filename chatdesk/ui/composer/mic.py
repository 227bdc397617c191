"""The composer's microphone: a round button before Send that starts and stops dictation, and
while it records, how loud the sound is and how long it has lasted.

Its state is said in words too, to a screen reader and in its tooltip: Dictate, Stop
dictating (recording), Transcribing…. Holding it down records until it is let go (push to
talk); a click starts, and a second click stops.
"""

from __future__ import annotations

import enum
import time

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from chatdesk.core.i18n import tr
from chatdesk.ui.composer.row_button import BUTTON_SIZE, RowButton
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.colours import colours
from chatdesk.ui.theme.icons import set_icon
from chatdesk.ui.theme.scale import CONTROL, SPACE

HOLD_SECONDS = 0.45  # held down longer than this, the button records until it is let go


class MicState(enum.Enum):
    IDLE = "idle"
    RECORDING = "recording"
    TRANSCRIBING = "transcribing"


class LevelMeter(QWidget):
    """Five bars that light up with the sound's level (0 to 1, speech ~0.02–0.3)."""

    BARS = 5

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("micLevel")
        self.level = 0.0
        self.setFixedSize(QSize(5 * self.BARS + 4, BUTTON_SIZE // 2))

    def show_level(self, level: float) -> None:
        self.level = level
        self.update()

    def lit(self) -> int:
        """How many bars are lit: a level's loudness on a rough log scale."""
        thresholds = (0.003, 0.01, 0.03, 0.08, 0.2)
        return sum(self.level >= t for t in thresholds)

    def paintEvent(self, event: QPaintEvent) -> None:
        palette = colours(current_look())
        on, off = QColor(palette["accent"]), QColor(palette["border"])
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        lit, height = self.lit(), self.height()
        for bar in range(self.BARS):
            tall = height * (bar + 2) / (self.BARS + 1)
            painter.setBrush(on if bar < lit else off)
            painter.drawRoundedRect(QRectF(bar * 6, height - tall, 4, tall), 1.5, 1.5)
        painter.end()


class MicButton(RowButton):
    """`pressed_to_talk` when pressed; `released_after_hold` when let go after a hold."""

    pressed_to_talk = Signal()
    released_after_hold = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("micButton")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.setFixedSize(CONTROL["m"], CONTROL["m"])
        self._pressed_at: float | None = None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        super().mousePressEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self.isEnabled():
            self._pressed_at = time.monotonic()
            self.pressed_to_talk.emit()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        held = self._pressed_at is not None and time.monotonic() - self._pressed_at > HOLD_SECONDS
        self._pressed_at = None
        super().mouseReleaseEvent(event)
        if held:
            self.released_after_hold.emit()


class Microphone(QWidget):
    """The button, and beside it while recording the level and the time so far."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("microphone")
        self.button = MicButton(self)
        self.meter = LevelMeter(self)
        self.time = QLabel(self)
        self.time.setObjectName("micTime")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(SPACE["xs"])
        row.addWidget(self.time, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.meter, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.state = MicState.IDLE
        self.show_state(MicState.IDLE)

    def show_state(self, state: MicState) -> None:
        self.state = state
        recording = state is MicState.RECORDING
        names = {
            MicState.IDLE: (tr("Dictate"), tr("Speak, and your words are typed here to edit")),
            MicState.RECORDING: (
                tr("Stop dictating"),
                tr("Recording: click to stop, and your words are typed here"),
            ),
            MicState.TRANSCRIBING: (
                tr("Transcribing…"),
                tr("Your words are being turned into text"),
            ),
        }
        name, description = names[state]
        button = self.button
        button.setAccessibleName(name)
        button.setAccessibleDescription(description)
        button.setToolTip(description)
        button.setEnabled(state is not MicState.TRANSCRIBING)
        button.setCheckable(True)
        button.setChecked(recording)
        tone = "danger" if recording else "quiet"
        set_icon(button, "stop" if recording else "voice", current_look(), tone)
        self.meter.setVisible(recording)
        self.time.setVisible(state is not MicState.IDLE)
        if state is MicState.TRANSCRIBING:
            self.time.setText(tr("Transcribing…"))
        elif recording:
            self.show_seconds(0.0)
        self.meter.show_level(0.0)

    def show_seconds(self, seconds: float) -> None:
        whole = int(seconds)
        self.time.setText(f"{whole // 60}:{whole % 60:02d}")
