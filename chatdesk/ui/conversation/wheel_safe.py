"""Value widgets that a scrolling wheel passes over: a spin box or a list in a form inside the
conversation (a server's question) changes only when it has the focus, so scrolling the
conversation past a form never changes an answer on the way; the wheel scrolls the
conversation instead. They take the focus by click or Tab, not by the wheel."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSpinBox, QWidget


def passes_wheel(widget: QWidget, event: QWheelEvent) -> bool:
    """True (and the event left to the widget's parent) when `widget` has no focus."""
    if widget.hasFocus():
        return False
    event.ignore()  # to the conversation, which scrolls
    return True


class SpinBox(QSpinBox):
    def __init__(self) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if not passes_wheel(self, event):
            super().wheelEvent(event)


class DoubleSpinBox(QDoubleSpinBox):
    def __init__(self) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if not passes_wheel(self, event):
            super().wheelEvent(event)


class ComboBox(QComboBox):
    def __init__(self) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if not passes_wheel(self, event):
            super().wheelEvent(event)
