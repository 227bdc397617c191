"""The buttons of the composer's row, and what they share: Enter pressing them, words beside an
icon, an icon drawn after the first paint. The row (`buttons.py`), its chips (`chips.py`) and
the buttons beside the composer (the microphone, the talk bar, the quick window's pickers) are
made of them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QToolButton

from chatdesk.ui.theme.icons import set_icon, show_icon
from chatdesk.ui.theme.scale import ICON, RADIUS

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStyleOptionToolButton

    from chatdesk.ui.theme.colours import Look

# The side of the quick window's and the talk bar's round buttons: their sheet's radius is
# RADIUS["l"].
BUTTON_SIZE = 2 * RADIUS["l"]


class RowButton(QToolButton):
    """A button of the row: Enter and Return press it as Space does (a tool button takes
    Space only), or open its menu when it is all menu, so the keyboard alone can use it."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if not plain or event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            super().keyPressEvent(event)
        elif self.popupMode() == QToolButton.ToolButtonPopupMode.InstantPopup and self.menu():
            self.menu().popup(self.mapToGlobal(self.rect().bottomLeft()))  # no nested loop
        else:
            self.click()


class LabelledButton(RowButton):
    """A button of the row with words beside its icon (Tools, a count). Qt leaves 2 px
    between a tool button's icon and its text; it draws one space more here. These show once
    there is something to offer, after the first paint of a window that starts: drawn, the
    override has PySide6 make its style option classes, which the first frame does without."""

    def initStyleOption(self, option: QStyleOptionToolButton) -> None:
        super().initStyleOption(option)
        if self._spaced():
            option.text = " " + option.text

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self._spaced():
            hint.setWidth(hint.width() + self.fontMetrics().horizontalAdvance(" "))
        return hint

    def _spaced(self) -> bool:
        beside = self.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        return beside and bool(self.text())


def withhold_icon(button: QToolButton, picture: str, look: Look, tone: str = "quiet") -> None:
    """The icon `picture` named on `button` but not drawn yet (`ComposerRow.draw_icons`
    draws it), nor by a change of look before then: an empty icon of its size holds its place
    (a tool button without an icon lays out its text alone)."""
    button.setIconSize(QSize(ICON["m"], ICON["m"]))
    show_icon(button, False, look)
    set_icon(button, picture, look, tone)
