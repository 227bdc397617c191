"""The user's words in a bubble that fits them: a one-line question gets a small bubble on the
trailing side (the right, or the left in a right-to-left language), a long one at most
`BUBBLE_SHARE` of the column, wrapped.

The bubble is given the width of its widest line, found by laying its text out at the widest
the bubble may be (`QTextDocument.idealWidth`), then laid out at that width; it is fitted again
when its room changes (the window or the column was resized) or its text does."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, QSize
from PySide6.QtWidgets import QFrame, QLayout, QSizePolicy, QWidget

from chatdesk.ui.conversation.browser import MessageBrowser
from chatdesk.ui.theme.scale import SPACE

BUBBLE_SHARE = 0.8  # of the message's width, at most: a long question still reads as the user's
PADDING = (SPACE["m"], SPACE["s"])  # inside the bubble, around its words: at the sides, above


class FittedFrame(QFrame):
    """A frame as wide as it was fitted to (`fit_to`) when there is room, narrower when not: its
    width is a hint, never a minimum that would hold the conversation wider than the window."""

    def __init__(self) -> None:
        super().__init__()
        self._width = 0
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)

    def fit_to(self, width: int) -> None:
        if width != self._width:
            self._width = width
            self.updateGeometry()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(self._width, hint.height()) if self._width else hint


class BubbleFit(QObject):
    """Keeps `bubble` (holding `body`, laid out by `inner`) as wide as its widest line within
    the width of `room`, which it watches."""

    def __init__(self, bubble: QFrame, inner: QLayout, body: MessageBrowser, room: QWidget) -> None:
        assert isinstance(bubble, FittedFrame), "made by words_frame for the user's words"
        super().__init__(bubble)
        self._bubble, self._inner, self._body = bubble, inner, body
        self._room = 0
        room.installEventFilter(self)
        body.document().contentsChanged.connect(self.refit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            width = watched.width()
            if width != self._room:
                self._room = width
                self.refit()
        return False

    def refit(self) -> None:
        if self._room <= 0:
            return  # not laid out yet: fitted when it is
        self._balance()
        margins = self._inner.contentsMargins()
        side = margins.left() + margins.right()
        widest = int(self._room * BUBBLE_SHARE)
        document = self._body.document()
        document.setTextWidth(widest - side)
        wanted = math.ceil(document.idealWidth()) + 1  # +1: a fraction of a pixel rounded off
        for index in range(self._inner.count()):
            item = self._inner.itemAt(index)
            part = item.widget() if item is not None else None
            if part is not None and part is not self._body and part.isVisibleTo(self._bubble):
                wanted = max(wanted, part.sizeHint().width())
        width = min(widest, wanted + side)
        # Laid out at once at the width it gets: its height is right before the next paint.
        document.setTextWidth(width - side - 2 * self._body.frameWidth())
        self._bubble.fit_to(width)

    def _balance(self) -> None:
        """As much room above the words as below them: the last line's leading (the room Qt
        leaves under a tall line's letters) is taken from the padding below, half of it given
        to the padding above."""
        across, down = PADDING
        half = round(self._body.leading() / 2)
        wanted = (across, down + half, across, max(0, down - half))
        margins = self._inner.contentsMargins()
        if wanted != (margins.left(), margins.top(), margins.right(), margins.bottom()):
            self._inner.setContentsMargins(*wanted)
