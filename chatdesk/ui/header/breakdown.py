"""The context ring's breakdown, opened on demand (a click on the ring, Space or Return on it): a
card under the ring with how full the next request is, as a bar and in figures, a line per part
of it, and what the thread's answers used and cost. Its words take the keyboard focus, so a
screen reader reads them and they can be selected and copied; Esc or a click elsewhere closes
it, the focus going back to the ring."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QFrame, QLabel, QProgressBar, QVBoxLayout, QWidget

from chatdesk.core.i18n import tr
from chatdesk.ui.header.words import figures_text, gauge_level, spent_lines, spent_text, usage_lines
from chatdesk.ui.theme.scale import SPACE

if TYPE_CHECKING:
    from chatdesk.core.chat.usage import UsageTotals
    from chatdesk.core.views import ContextUsage


class BreakdownCard(QFrame):
    def __init__(self, ring: QWidget) -> None:
        super().__init__(ring, Qt.WindowType.Popup)
        self.setObjectName("contextBreakdown")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # translators: the heading of the context ring's breakdown (what the next message sends)
        self.setAccessibleName(tr("Context of the next message"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE["m"], SPACE["m"], SPACE["m"], SPACE["m"])
        layout.setSpacing(SPACE["s"])
        self.figures = QLabel()
        self.figures.setObjectName("breakdownFigures")
        self.bar = QProgressBar()
        self.bar.setObjectName("contextGauge")
        self.bar.setRange(0, 100)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName(tr("Context used"))
        self.parts = self._words("breakdownParts")
        self.rule = QFrame()
        self.rule.setObjectName("breakdownRule")
        self.rule.setFrameShape(QFrame.Shape.HLine)
        self.spent = self._words("breakdownSpent")
        for part in (self.figures, self.bar, self.parts, self.rule, self.spent):
            layout.addWidget(part)

    def _words(self, name: str) -> QLabel:
        """Lines a screen reader reads and a user may select and copy from the keyboard."""
        words = QLabel()
        words.setObjectName(name)
        words.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        words.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        words.installEventFilter(self)  # Esc closes the card from its words too
        return words

    def show_for(self, usage: ContextUsage | None, totals: UsageTotals | None) -> None:
        """Say what `usage` holds and what `totals` cost (None: not read)."""
        if usage is None:
            return
        level = gauge_level(usage.fraction)
        self.figures.setText(figures_text(usage))
        self.bar.setValue(round(min(usage.fraction, 1.0) * 100))
        self.bar.setAccessibleDescription(self.figures.text())
        for part in (self.figures, self.bar):
            part.setProperty("level", level)
            part.style().polish(part)
        lines = usage_lines(usage)
        self.parts.setText("\n".join(lines))
        self.parts.setAccessibleName(lines[0])
        spent = totals is not None and totals.answers > 0
        self.rule.setVisible(spent)
        self.spent.setVisible(spent)
        if totals is not None and spent:
            self.spent.setText("\n".join(spent_lines(totals)))
            self.spent.setAccessibleName(spent_text(totals))
        self.adjustSize()

    def open_under(self, ring: QWidget) -> None:
        """Show the card under `ring`, its end edge at the ring's (its left in right to left),
        inside the screen; the keyboard goes to its words."""
        self.adjustSize()
        self.move(self.placed(ring))
        self.show()
        self.parts.setFocus(Qt.FocusReason.PopupFocusReason)

    def placed(self, ring: QWidget) -> QPoint:
        below = ring.mapToGlobal(QPoint(0, ring.height()))
        left = below.x() if ring.isRightToLeft() else below.x() + ring.width() - self.width()
        screen = ring.screen() or QGuiApplication.primaryScreen()
        room: QRect = screen.availableGeometry()
        left = max(room.left(), min(left, room.right() + 1 - self.width()))
        top = min(below.y() + SPACE["xs"], room.bottom() + 1 - self.height())
        return QPoint(left, max(room.top(), top))

    def event(self, event: QEvent) -> bool:
        return self._closed_by(event) or super().event(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        return self._closed_by(event) or super().eventFilter(watched, event)

    def _closed_by(self, event: QEvent) -> bool:
        """Esc closes the card. It is the card's own: the window's Esc (stop the answer) would
        take it first, as the card is a child of the header."""
        if not isinstance(event, QKeyEvent) or event.key() != Qt.Key.Key_Escape:
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()
            return True
        if event.type() == QEvent.Type.KeyPress:
            self.close()
            return True
        return False
