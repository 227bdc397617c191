"""The fixed pieces a message widget is built of: the frame of its words (the user's a bubble),
the toggle that unfolds an answer's reasoning, and its status line."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QToolButton, QVBoxLayout, QWidget

from chatdesk.core.i18n import tr
from chatdesk.ui.conversation.bubble import FittedFrame


def reasoning_toggle(toggled: Callable[[bool], None]) -> QToolButton:
    button = QToolButton()
    button.setCheckable(True)
    button.setAutoRaise(True)
    button.setObjectName("reasoningToggle")
    button.setAccessibleName(tr("Show the model's reasoning"))
    button.toggled.connect(toggled)
    return button


def status_label() -> QLabel:
    label = QLabel()
    label.setObjectName("messageStatus")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def words_frame(user: bool, parts: tuple[QWidget, ...]) -> tuple[QFrame, QVBoxLayout]:
    """The frame of a message's words: the user's padded (a bubble fitted to them), an
    answer's flush."""
    bubble = FittedFrame() if user else QFrame()
    bubble.setObjectName("bubble")
    inner = QVBoxLayout(bubble)
    inner.setContentsMargins(12, 8, 12, 8) if user else inner.setContentsMargins(0, 0, 0, 0)
    for part in parts:
        inner.addWidget(part)
    return bubble, inner
