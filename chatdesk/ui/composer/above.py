"""Where the composer's menus open: above its card, so the text typed stays in sight (the
composer sits low in the window; Qt turns a menu below the card when there is no room above).
A menu starts at the leading edge of what opened it (a button or a chip of the card's row) and
stays within the card's width where it fits in it."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMenu, QWidget

from chatdesk.ui.theme.scale import SPACE


def popup_above(menu: QMenu, under: QWidget, card: QWidget) -> None:
    """`menu` above `card`, from the leading edge of `under`; it is measured as it will show
    (polished: the sheet's sizes), so its entries must be as they will show."""
    menu.ensurePolished()
    size = menu.sizeHint()
    start = under.mapToGlobal(QPoint(0, 0)).x()
    left = card.mapToGlobal(QPoint(0, 0)).x()
    right = left + card.width()
    if under.isRightToLeft():  # its right edge on the right edge of `under`
        x = max(start + under.width() - size.width(), left)
        x = min(x, right - size.width()) if size.width() <= card.width() else x
    else:
        x = min(start, right - size.width())
        x = max(x, left) if size.width() <= card.width() else start
    top = card.mapToGlobal(QPoint(0, 0)).y() - size.height() - SPACE["xs"]
    menu.popup(QPoint(x, top))  # not exec(): no nested event loop
