"""A brief highlight over a widget (the message a search hit opened at) that fades out.

An overlay child rather than a style on the message: the message's own look is left alone, the
tint lies over its text (translucent, so the text stays readable in both themes) and follows
its size while the message is formatted.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QVariantAnimation
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QWidget

HOLD_MS = 700  # at full strength first: the eye finds it while the view settles
FADE_MS = 1500
TINT = 0.28  # the highlight colour's opacity at full strength
BAR = 3  # pixels: the accent at the left edge


class Flash(QWidget):
    """Lies over `target` for HOLD_MS + FADE_MS, then deletes itself."""

    def __init__(self, target: QWidget) -> None:
        super().__init__(target)
        self.setObjectName("flash")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._strength = 1.0
        self.setGeometry(target.rect())
        target.installEventFilter(self)
        self._fade = QVariantAnimation(self, startValue=1.0, endValue=0.0, duration=FADE_MS)
        self._fade.valueChanged.connect(self._faded)
        self._fade.finished.connect(self.deleteLater)
        self.show()
        self.raise_()
        hold = QTimer(self, singleShot=True, interval=HOLD_MS)  # goes with the flash
        hold.timeout.connect(self._fade.start)
        hold.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            self.setGeometry(watched.rect())
        return False

    def _faded(self, value: object) -> None:
        self._strength = float(value) if isinstance(value, float) else 0.0
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        colour = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        painter = QPainter(self)
        colour.setAlphaF(TINT * self._strength)
        painter.fillRect(self.rect(), colour)
        colour.setAlphaF(self._strength)
        painter.fillRect(0, 0, BAR, self.height(), colour)
        painter.end()
