"""The conversation's reading type: its text at a size of its own, larger than the controls',
in lines with room, on one scale (scale.py's READING).

The reading size is Preferences' text size (`ui.font_size`, in points) or, left to chatdesk, at
least `READING_LEAST_PX` pixels and `READING_OVER_BODY` × the controls' text; View ▸ Zoom
scales it (`ui.zoom`). The controls keep the platform's size whatever either says. It is a
font in points, not pixels: a screen reader reads a text's size in points off its font (Qt's
accessibility reports the document's character format, which resolves to the view's font).
Every message view (`MessageBrowser`) is set in it; `reading_type` gives the render the sizes
of the same type, in pixels, for a formatted message's HTML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QFont, QFontDatabase, QFontInfo

from chatdesk.ui.theme.scale import READING, READING_LEAST_PX, READING_OVER_BODY

if TYPE_CHECKING:  # the render's model loads with the conversation, after the first frame
    from chatdesk.core.render.model import ReadingType


def reading_font(font_size: int = 0, zoom: int = 100) -> QFont:
    """The system's font at the reading size: `font_size` points (0: chatdesk's own) scaled by
    `zoom` percent, to half a point (no blurry sizes)."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
    points = font_size if font_size > 0 else _half_points(_own_points(font))
    font.setPointSizeF(max(1.0, _half_points(points * zoom / 100)))
    return font


def _half_points(points: float) -> float:
    return round(points * 2) / 2


def _own_points(body: QFont) -> float:
    """The reading size chatdesk picks, in points, beside a body text of `body`."""
    sample = QFont(body)
    sample.setPointSizeF(72)  # one inch: its pixels are the screen's dots per inch
    pixels_a_point = QFontInfo(sample).pixelSize() / 72
    return max(READING_LEAST_PX / pixels_a_point, READING_OVER_BODY * body.pointSizeF())


def reading_type(font: QFont, grounds_drawn: bool = True) -> ReadingType:
    """The render's sizes for text set in `font` (`reading_font`'s): in pixels, from READING's
    factors of its size; code's in points. `grounds_drawn`: the message views draw code's
    grounds (grounds.py), as the window's do."""
    from chatdesk.core.render.model import ReadingType

    px = QFontInfo(font).pixelSize()

    def step(name: str) -> int:
        return round(READING[name] * px)

    return ReadingType(
        text_px=px,
        code_pt=_half_points(font.pointSizeF() * READING["code"]),
        line_height=round(READING["line"] * 100),
        code_line_height=round(READING["code_line"] * 100),
        paragraph=step("paragraph"),
        item=step("item"),
        block=step("block"),
        heading=(step("heading_above"), step("heading_below")),
        cell=(step("cell_down"), step("cell_across")),
        code=(step("code_down"), step("code_across")),
        grounds_drawn=grounds_drawn,
    )
