"""The mouse moved onto a widget, as a user moves it: Qt tells the widgets it left and entered."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget


def hover(widget: QWidget) -> None:
    """The mouse moved onto `widget`, scrolled into sight first when it is in a scrolled area (a
    message above the end of a conversation)."""
    area = widget.parentWidget()
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    if area is not None:
        area.ensureWidgetVisible(widget, 0, 0)
        QApplication.processEvents()
    QTest.mouseMove(widget, QPoint(widget.width() // 2, min(widget.height() // 2, 20)))
    QApplication.processEvents()
