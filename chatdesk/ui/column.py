"""The reading column: the conversation's messages and the message box below them stand in one
column, centred in the window's right pane, whose text is at most `measure` pixels wide (the
`ui.column_width` setting, for the reading size chatdesk picks at 100 %, grown and shrunk with
the reading size). A long line is hard to follow back to its start; past the measure the
pane's spare width is left empty on both sides."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLayout, QWidget

from chatdesk.core.settings_start import UiSettings
from chatdesk.ui.theme.reading import reading_font
from chatdesk.ui.theme.scale import SPACE

DEFAULT_MEASURE: int = UiSettings.column_width

# The room between the column's edge and its text: a message's margin, the composer's margin.
EDGE = SPACE["m"]


def measure_of(ui: UiSettings) -> int:
    """The column's measure in pixels: `column_width` for the reading size chatdesk picks at
    100 %, grown or shrunk with the reading size (Preferences' text size, View ▸ Zoom in), so
    that a line holds as many words at any size."""
    if ui.font_size == 0 and ui.zoom == 100:
        return ui.column_width  # the size it is given for: no font is made on the way to a start
    size = reading_font(ui.font_size, ui.zoom).pointSizeF()
    return round(ui.column_width * size / reading_font().pointSizeF())


def column_side(width: int, measure: int) -> int:
    """The empty pixels on each side of the column in a pane `width` wide, so that its text is
    at most `measure` wide (and its edges `EDGE` beyond the text)."""
    return max(0, (width - measure - 2 * EDGE) // 2)


class ColumnMargins(QObject):
    """Keeps the side margins of `layout`, which lays `widget` out, such that its contents stand
    in the reading column: `EDGE` from the window's edge when it is narrow, centred when wide."""

    def __init__(self, widget: QWidget, layout: QLayout, measure: int = DEFAULT_MEASURE) -> None:
        super().__init__(widget)
        self._widget, self._layout, self._measure = widget, layout, measure
        widget.installEventFilter(self)

    def set_measure(self, measure: int) -> None:
        self._measure = measure
        self._fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._fit()
        return False

    def _fit(self) -> None:
        side = column_side(self._widget.width(), self._measure) + EDGE
        margins = self._layout.contentsMargins()
        if (side, side) != (margins.left(), margins.right()):
            self._layout.setContentsMargins(side, margins.top(), side, margins.bottom())
