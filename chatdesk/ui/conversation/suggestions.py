"""What a new chat suggests under the message box, from the assistants' examples (their
`examples`, which the user edits in Preferences ▸ Assistants): with no assistant chosen, one of
each assistant's, named under it; with one, its own (suggestion.py: each one, whether it is sent
as it is or finished in the message box, decision 0096). The window takes them
(chatdesk/ui/window/suggested.py). Made empty with the window's first frame, filled once the
core is attached; as many show as the window has room for."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from chatdesk.core.i18n import tr
from chatdesk.ui.column import DEFAULT_MEASURE, EDGE, column_side
from chatdesk.ui.theme.scale import SPACE

if TYPE_CHECKING:  # loaded with the first suggestions, after the first frame
    from chatdesk.ui.conversation.suggestion import Suggestion, SuggestionButton


class Suggestions(QWidget):
    """Under the message box, as wide as it is: a heading and the suggestions, top down."""

    chosen = Signal(object)  # a Suggestion

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.setAccessibleName(tr("Suggestions"))
        # translators: the heading over the prompts a new chat suggests
        self.heading = QLabel(tr("Suggested"), self)
        self.heading.setObjectName("suggestionsHeading")
        self.heading.hide()
        self.buttons: list[SuggestionButton] = []
        self.shown: tuple[Suggestion, ...] = ()
        self._measure = DEFAULT_MEASURE
        # What Tab comes from to the first suggestion (the composer's last control): the
        # suggestions come after the message box, as they are seen.
        self.after: Callable[[], QWidget | None] = lambda: None

    def set_measure(self, measure: int) -> None:
        """As wide as the message box: the conversation's measure."""
        self._measure = measure
        self._place()

    def show_suggestions(self, suggestions: Sequence[Suggestion]) -> None:
        if tuple(suggestions) == self.shown:
            return
        self.shown = tuple(suggestions)
        from chatdesk.ui.conversation.suggestion import SuggestionButton

        for button in self.buttons:
            button.hide()
            button.deleteLater()
        self.buttons = [SuggestionButton(suggestion, self) for suggestion in self.shown]
        before = self.after()
        for button in self.buttons:
            button.clicked.connect(lambda _=False, s=button.suggestion: self.chosen.emit(s))
            if before is not None:
                QWidget.setTabOrder(before, button)
            before = button
        self._place()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place()

    def sizeHint(self) -> QSize:
        heights = [button.sizeHint().height() + SPACE["xxs"] for button in self.buttons]
        return QSize(self._measure, self.heading.sizeHint().height() + sum(heights))

    def _place(self) -> None:
        """The heading and as many suggestions as fit, top down, at the message box's edges."""
        side = column_side(self.width(), self._measure) + EDGE
        width = self.width() - 2 * side
        top = SPACE["l"]
        heading = self.heading.sizeHint().height()
        self.heading.setGeometry(side + SPACE["s"], top, width - 2 * SPACE["s"], heading)
        top += heading + SPACE["xs"]
        shown = 0
        for button in self.buttons:
            height = button.sizeHint().height()
            fits = top + height <= self.height()
            if fits:
                button.setGeometry(side, top, width, height)
                top += height + SPACE["xxs"]
                shown += 1
            button.setVisible(fits)
        self.heading.setVisible(shown > 0)
