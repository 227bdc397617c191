""" "↓ Latest": the button over the conversation that scrolls to its newest message, shown while
the end is out of sight, and placed where it covers no text."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractScrollArea, QToolButton, QWidget

from chatdesk.core.i18n import tr
from chatdesk.ui.column import EDGE

GAP = 8  # pixels between the button and the column's text, or the viewport's bottom


def jump_button(parent: QWidget) -> QToolButton:
    button = QToolButton(parent)  # over the viewport, or in a strip under it
    button.setObjectName("jumpToLatest")
    # translators: a button that scrolls to the newest message
    button.setText(tr("↓ Latest"))
    button.setAccessibleName(tr("Jump to the latest message"))
    button.setToolTip(tr("Jump to the latest message"))
    button.hide()
    return button


def place_jump(
    view: QAbstractScrollArea, button: QToolButton, column: tuple[int, int], wide: bool
) -> None:
    """Where the button covers no text: at the bottom of the view beside the column's text
    (`column`: its edges in the viewport), on its trailing side, when the view leaves room
    there and no comparison reaches into it (`wide`); else in a strip of its own under the
    messages, at the column's trailing edge. When the strip comes or goes, the viewport
    resizes, and the view places the button again then."""
    hint = button.sizeHint()
    left, right = column
    port = view.viewport()
    room = hint.width() + 2 * GAP  # for it beside the text
    rtl = view.isRightToLeft()
    beside = (left if rtl else port.width() - right) >= room and not wide
    strip = 0 if beside or button.isHidden() else hint.height() + 2 * GAP
    if view.viewportMargins().bottom() != strip:
        view.setViewportMargins(0, 0, 0, strip)
        return
    area = port.geometry()
    if beside:
        x = left - GAP - hint.width() if rtl else right + GAP
        y = area.bottom() + 1 - hint.height() - GAP
    else:
        x = left + EDGE if rtl else right - EDGE - hint.width()
        y = area.bottom() + 1 + GAP
    button.setGeometry(area.x() + x, y, hint.width(), hint.height())
    button.raise_()
