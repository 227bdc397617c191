"""The fixed pieces a message widget is built of: the frame of its words (the user's a bubble),
the toggle that unfolds an answer's reasoning, its status line, and the line that says which
documents of the question went to the model only in part."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QFrame, QLabel, QToolButton, QVBoxLayout, QWidget

from chatdesk.core.i18n import tr
from chatdesk.ui.conversation.bubble import PADDING, FittedFrame

if TYPE_CHECKING:  # the views load with the core, behind the window's first paint
    from chatdesk.core.views import DocumentCut


def reasoning_toggle(toggled: Callable[[bool], None]) -> QToolButton:
    button = QToolButton()
    button.setCheckable(True)
    button.setAutoRaise(True)
    button.setObjectName("reasoningToggle")
    button.setAccessibleName(tr("Show the model's reasoning"))
    button.toggled.connect(toggled)
    return button


def on_leading_side(label: QLabel) -> QLabel:
    """`label` aligned to the window's leading side whatever its text's direction: an address
    or an English title in a right-to-left window starts on the right, as the rows around it
    do (Qt aligns a label's text by the direction of its first letters)."""
    rtl = label.layoutDirection() is Qt.LayoutDirection.RightToLeft
    side = Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft
    label.setAlignment(side | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter)
    return label


def plain_label(text: str, name: str) -> QLabel:
    """A label of words that are not chatdesk's (a page's title, a memory): plain text, never
    markup, wrapped, selectable, on the window's leading side; `name` for the sheet."""
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return on_leading_side(label)


def status_label() -> QLabel:
    label = QLabel()
    label.setObjectName("messageStatus")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def after_in_tab_order(anchor: QWidget, made: tuple[QWidget, ...]) -> None:
    """Put `made`, in their order, right after `anchor` in the tab order."""
    for widget in made:
        QWidget.setTabOrder(anchor, widget)
        anchor = widget


def into_tab_order(made: tuple[QWidget, ...], *, before: QWidget) -> None:
    """Put `made`, just made (so last in the focus chain), right before `before` in the tab
    order: after the nearest widget ahead of it that takes the focus. With none ahead of it in
    its window, they stay last."""
    window = before.window()
    anchor = before.previousInFocusChain()
    while anchor is not None and anchor is not window:
        if anchor not in made and anchor.focusPolicy() != Qt.FocusPolicy.NoFocus:
            after_in_tab_order(anchor, made)
            return
        anchor = anchor.previousInFocusChain()


def words_frame(user: bool, parts: tuple[QWidget, ...]) -> tuple[QFrame, QVBoxLayout]:
    """The frame of a message's words: the user's padded (a bubble fitted to them), an
    answer's flush."""
    bubble = FittedFrame() if user else QFrame()
    bubble.setObjectName("bubble")
    inner = QVBoxLayout(bubble)
    # A bubble's padding above and below is balanced against its words' leading when it is
    # fitted (bubble.py).
    across, down = PADDING if user else (0, 0)
    inner.setContentsMargins(across, down, across, down)
    for part in parts:
        inner.addWidget(part)
    return bubble, inner


class CutNotice(QLabel):
    """Under an answer whose question's documents went to the model only in part, a quiet
    line for each ("report.pdf was cut to fit: pages 1–12 of 40 sent"), read from the answer
    as stored: it is there after a restart, and on a teammate's chatdesk too."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("cutNotice")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)  # a file's name is never markup
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # translators: a screen reader's name of the line under an answer saying that documents
        # of the question were sent to the model only in part
        self.setAccessibleName(tr("Documents cut to fit"))

    def show_cuts(self, cuts: tuple[DocumentCut, ...]) -> None:
        text = "\n".join(cut.said() for cut in cuts)
        self.setText(text)
        self.setAccessibleDescription(text)
        self.setVisible(bool(cuts))


def shown_cuts(layout: QBoxLayout, cuts: tuple[DocumentCut, ...]) -> CutNotice | None:
    """The notice among `layout`'s widgets showing `cuts`, made at its end when there was none
    and there is something to show."""
    found = (item.widget() for i in range(layout.count()) if (item := layout.itemAt(i)))
    notice = next((w for w in found if isinstance(w, CutNotice)), None)
    if notice is None and cuts:
        notice = CutNotice()
        layout.addWidget(notice)
    if notice is not None:
        notice.show_cuts(cuts)
    return notice
