"""The header's context ring: how full the next request's context is, at a glance.

A ring drawn as full as the context, in the quiet text's colour; from 80 % it turns amber and
says its share beside it ("87%"), from 95 % red, so a nearly full context never goes unseen.
Everything else is on demand: the breakdown on hover (its tooltip), read by a screen reader
(its description), and as a card a click, Space or Return opens (`breakdown.py`, loaded then).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QToolButton, QWidget

from chatdesk.core.i18n import percent, tr
from chatdesk.ui.header.words import gauge_level, ring_details, ring_name
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.colours import colours
from chatdesk.ui.theme.scale import ICON

if TYPE_CHECKING:  # the views load with the core, behind the window's first paint
    from chatdesk.core.chat.usage import UsageTotals
    from chatdesk.core.views import ContextUsage
    from chatdesk.ui.header.breakdown import BreakdownCard

# The colour role of the ring's filled part at each level (its track is the `pressed` ground).
LEVEL_ROLES = {"ok": "text_quiet", "warn": "warning", "full": "danger"}
_STROKE = 1 / 6  # of the ring's size: 3 px at 18
_REDRAWN_ON = (QEvent.Type.StyleChange, QEvent.Type.LayoutDirectionChange)


class ContextRing(QToolButton):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contextRing")
        self.setAutoRaise(True)
        self.setIconSize(QSize(ICON["m"], ICON["m"]))
        self.setAccessibleName(tr("Context used"))
        self.usage: ContextUsage | None = None
        self.totals: UsageTotals | None = None  # what the thread's answers used and cost
        self.card: BreakdownCard | None = None  # the breakdown, once opened
        self.clicked.connect(self.open_breakdown)

    @property
    def level(self) -> str:
        """ "ok", "warn" (from 80 %) or "full" (from 95 %)."""
        return gauge_level(self.usage.fraction) if self.usage is not None else "ok"

    def value(self) -> int:
        """How full the ring is drawn, in percent (0–100)."""
        return round(min(self.usage.fraction, 1.0) * 100) if self.usage is not None else 0

    def show_usage(self, usage: ContextUsage | None) -> None:
        """The next message's context (None: none to show, the ring hidden)."""
        self.usage = usage
        self.setVisible(usage is not None)
        if usage is None:
            return
        level = self.level
        said = level != "ok"  # its share beside it, from 80 %
        self.setText(percent(usage.fraction) if said else "")
        style = Qt.ToolButtonStyle
        self.setToolButtonStyle(
            style.ToolButtonTextBesideIcon if said else style.ToolButtonIconOnly
        )
        self.setAccessibleName(ring_name(usage))
        if self.property("level") != level:
            self.setProperty("level", level)
            self.style().polish(self)
        self._draw()
        self._describe()

    def show_spent(self, totals: UsageTotals | None) -> None:
        """What the thread's answers used and cost so far, in the breakdown."""
        self.totals = totals
        self._describe()

    def _describe(self) -> None:
        lines = ring_details(self.usage, self.totals)
        self.setToolTip("\n".join(lines))
        self.setAccessibleDescription(". ".join(line.strip() for line in lines if line.strip()))
        if self.card is not None and self.card.isVisible():
            self.card.show_for(self.usage, self.totals)

    def _draw(self) -> None:
        roles = colours(current_look())
        fill = QColor(roles[LEVEL_ROLES[self.level]])
        picture = ring_picture(
            self.value() / 100,
            fill,
            QColor(roles["pressed"]),
            self.iconSize().width(),
            self.devicePixelRatioF(),
            backwards=self.isRightToLeft(),
        )
        self.setIcon(QIcon(picture))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # A new look restyles the window (its colours); a new language may turn the ring round.
        if self.usage is not None and event.type() in _REDRAWN_ON:
            self._draw()

    def event(self, event: QEvent) -> bool:
        if self.usage is not None and event.type() == QEvent.Type.DevicePixelRatioChange:
            self._draw()  # moved to a screen of another density
        return super().event(event)

    def open_breakdown(self) -> None:
        """The breakdown as a card under the ring, the keyboard in it (Esc closes it)."""
        if self.usage is None:
            return
        if self.card is None:
            from chatdesk.ui.header.breakdown import BreakdownCard  # on first use

            self.card = BreakdownCard(self)
        self.card.show_for(self.usage, self.totals)
        self.card.open_under(self)


def ring_picture(
    share: float, fill: QColor, track: QColor, size: int, ratio: float, *, backwards: bool = False
) -> QPixmap:
    """A ring `size` pixels square, filled `share` of the way round from the top: clockwise, or
    the other way when `backwards` (right to left)."""
    picture = QPixmap(round(size * ratio), round(size * ratio))
    picture.setDevicePixelRatio(ratio)
    picture.fill(Qt.GlobalColor.transparent)
    stroke = size * _STROKE
    bounds = QRectF(stroke / 2, stroke / 2, size - stroke, size - stroke)
    painter = QPainter(picture)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(track, stroke))
    painter.drawEllipse(bounds)
    if share > 0:
        pen = QPen(fill, stroke)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        painter.setPen(pen)
        turn = round(max(share, 0.02) * 360 * 16)  # a sliver shows from the first token on
        painter.drawArc(bounds, 90 * 16, turn if backwards else -turn)
    painter.end()
    return picture
