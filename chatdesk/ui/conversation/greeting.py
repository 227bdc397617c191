"""What a new chat shows above the message box, which stands in the middle of the window until
the chat's first message (chatdesk/ui/window/panes.py): a greeting for the time of day, or,
when an assistant will answer, who it is (its badge in its colour, its name and description).
Made with the window's first frame: labels only, its picture drawn after that frame's paint.
The suggestions under the message box are suggestions.py's."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from chatdesk.core.i18n import tr
from chatdesk.ui.column import DEFAULT_MEASURE, EDGE
from chatdesk.ui.theme import ThemeWatcher, current_look
from chatdesk.ui.theme.colours import colours
from chatdesk.ui.theme.scale import ICON, SPACE

# The room between the greeting and the message box under it.
GAP = SPACE["xl"]


def greeting_for(hour: int) -> str:
    """The greeting at `hour` (0–23) of the user's day."""
    if 5 <= hour < 12:
        return tr("Good morning")
    if 12 <= hour < 18:
        return tr("Good afternoon")
    return tr("Good evening")


class Greeting(QWidget):
    """Its words stand at its foot, over the message box; it takes the height the window gives
    it (chatdesk/ui/window/panes.py keeps it), and leaves its picture out when short."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._words = QWidget(self)
        column = QVBoxLayout(self._words)
        column.setContentsMargins(EDGE, 0, EDGE, 0)
        column.setSpacing(SPACE["xs"])
        self.emblem = QLabel(self._words)  # the chat's picture, or the assistant's badge
        self.emblem.setFixedSize(ICON["l"], ICON["l"])
        self.emblem.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = QLabel(self._words)
        self.title.setObjectName("emptyTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        self.hint = QLabel(self._words)
        self.hint.setObjectName("emptyHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        column.addWidget(self.emblem, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addSpacing(SPACE["s"])
        column.addWidget(self.title)
        column.addWidget(self.hint)
        self._measure = DEFAULT_MEASURE
        self.assistant: str | None = None  # who answers, named; None: no assistant
        self._shown: tuple[object, ...] = ()
        self._painted = False  # the first paint waits for no picture (its SVG plugin loads later)
        self.installEventFilter(self)
        self.show_general()

    def set_measure(self, measure: int) -> None:
        """Its lines at most `measure` pixels long, as the conversation's."""
        self._measure = measure
        self._place()

    def show_general(self) -> None:
        """The greeting of the hour, when no assistant answers the new chat."""
        self.assistant = None
        shown = ("general", greeting_for(time.localtime().tm_hour))
        if shown != self._shown:
            self._shown = shown
            self.title.setText(shown[1])
            self.hint.setText(tr("How can I help you today?"))
            self._draw_picture()
            self._place()

    def show_assistant(
        self, name: str, description: str | None, icon: str | None, colour: str | None
    ) -> None:
        """Who answers the new chat: its badge, its name and what it does."""
        self.assistant = name
        shown = ("assistant", name, description, icon, colour)
        if shown == self._shown:
            return
        self._shown = shown
        from chatdesk.ui.badges import badge_pixmap

        self.emblem.setPixmap(badge_pixmap(name, icon, colour, ICON["l"]))
        self.title.setText(name)
        self.hint.setText(description or "")
        self._place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._painted:
            self._painted = True
            self.removeEventFilter(self)
            ThemeWatcher.of(_app()).changed.connect(self._draw_picture)
            QTimer.singleShot(0, self, self._draw_picture)
        return False

    def _draw_picture(self) -> None:
        """The general greeting's picture: the chat icon in the accent colour (its room is kept
        while it waits for the first paint, so nothing moves when it comes)."""
        if self.assistant is not None:
            return
        if not self._painted:
            self.emblem.setPixmap(QPixmap())
            return
        from chatdesk.ui.theme.icons import picture

        accent = colours(current_look())["accent"]
        self.emblem.setPixmap(picture("chat", accent, ICON["l"], self.devicePixelRatioF()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place()

    def sizeHint(self) -> QSize:
        return self._words.sizeHint() + QSize(0, GAP)

    def _place(self) -> None:
        """The words at the foot, `GAP` above the message box, at most the measure wide; the
        picture left out when the room is short."""
        width = min(self.width(), self._measure + 2 * EDGE)
        self.emblem.setVisible(True)
        words = self._words.layout()
        assert words is not None
        height = words.heightForWidth(width) if words.hasHeightForWidth() else -1
        if height < 0:
            height = self._words.sizeHint().height()
        if height + GAP > self.height():
            self.emblem.setVisible(False)
            height = words.heightForWidth(width) if words.hasHeightForWidth() else height
        top = max(0, self.height() - GAP - height)
        self._words.setGeometry((self.width() - width) // 2, top, width, height)


def _app() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app
