"""What a new chat suggests under the message box, from the assistants' examples (their
`examples`, which the user edits in Preferences ▸ Assistants): with no assistant chosen, one of
each assistant's, named under it; with one, its own. A whole question is sent as it is, the
start of one goes to the message box to be finished (`whole`, decision 0096); the window
takes them (chatdesk/ui/window/suggested.py). The suggestions are filled once the core is
attached; as many show as the window has room for."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import tr
from chatdesk.ui.column import DEFAULT_MEASURE, EDGE, column_side
from chatdesk.ui.theme.scale import ICON, SPACE

# Where the user's words go in an example that is the start of a question: the empty line of
# an empty code block, else the end.
_EMPTY_CODE = "```\n\n```"
_MARK = ICON["m"]  # an assistant's disc beside its example


@dataclass(frozen=True)
class Suggestion:
    prompt: str
    assistant: str = ""  # the id (hex) of the assistant it is an example of
    said_by: str = ""  # that assistant's name, shown under it (no assistant chosen yet)
    icon: str | None = None  # that assistant's look, for its disc
    colour: str | None = None


def whole(prompt: str) -> bool:
    """Whether `prompt` is a whole question, to send as it is, rather than the start of one
    the user finishes: "Translate into French: " (a colon, full width in Chinese and Japanese,
    or a space at its end), a code block left empty."""
    ends = prompt == prompt.rstrip() and not prompt.endswith((":", "："))
    return ends and _EMPTY_CODE not in prompt


def words_place(prompt: str) -> int:
    """Where in `prompt` the user's words go."""
    empty = prompt.find(_EMPTY_CODE)
    return empty + len("```\n") if empty >= 0 else len(prompt)


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


class SuggestionButton(QPushButton):
    """A suggestion: its first line (cut to the width), and under it, when no assistant is
    chosen yet, the assistant that answers it beside its disc."""

    def __init__(self, suggestion: Suggestion, parent: QWidget) -> None:
        super().__init__(parent)
        self.suggestion = suggestion
        self.setObjectName("suggestion")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        prompt = suggestion.prompt
        shown = " ".join(prompt.split())
        said = shown if whole(prompt) else f"{shown} …"
        self.setAccessibleName(said)
        self.setAccessibleDescription(_purpose(suggestion))
        self.setToolTip(prompt if shown != prompt.strip() else "")
        row = QHBoxLayout(self)
        row.setContentsMargins(SPACE["s"], SPACE["s"], SPACE["s"], SPACE["s"])
        row.setSpacing(SPACE["s"])
        lines = QVBoxLayout()
        lines.setSpacing(0)
        self.words = _Cut(said, "suggestionWords", self)
        lines.addWidget(self.words)
        self.mark: QLabel | None = None  # the disc of the assistant that answers it
        if suggestion.said_by:
            from chatdesk.ui.badges import badge_pixmap

            self.mark = QLabel(self)
            self.mark.setPixmap(
                badge_pixmap(suggestion.said_by, suggestion.icon, suggestion.colour, _MARK)
            )
            self.mark.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            row.addWidget(self.mark, 0, Qt.AlignmentFlag.AlignVCenter)
            lines.addWidget(_Cut(suggestion.said_by, "suggestionAssistant", self))
        row.addLayout(lines, 1)

    def sizeHint(self) -> QSize:
        row = self.layout()
        assert row is not None
        return row.sizeHint()

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()


class _Cut(QLabel):
    """One line of text, cut with "…" to the width it is given."""

    def __init__(self, text: str, name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self._text = text
        self.setObjectName(name)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setText(text)

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(metrics.horizontalAdvance(self._text), metrics.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        cut = self.fontMetrics().elidedText(self._text, Qt.TextElideMode.ElideRight, self.width())
        if cut != self.text():
            self.setText(cut)


def _purpose(suggestion: Suggestion) -> str:
    """What taking the suggestion does, for a screen reader."""
    if not suggestion.said_by:
        if whole(suggestion.prompt):
            return tr("Sends this prompt as a new chat")
        return tr("Puts this prompt in the message box to finish")
    if whole(suggestion.prompt):
        return tr(
            "Sends this prompt as a new chat, answered by {assistant}",
            assistant=suggestion.said_by,
        )
    return tr(
        "Puts this prompt in the message box to finish, for {assistant} to answer",
        assistant=suggestion.said_by,
    )
