"""A suggestion of a new chat (suggestions.py shows them): an assistant's example, whether it
is a whole question or the start of one (`whole`, decision 0096), and its button. Loaded with
the first suggestions, once the core is attached."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from chatdesk.core.i18n import tr
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
