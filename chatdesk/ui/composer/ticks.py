"""The menus of ticks under the composer's Tools, Knowledge and Compare: a tick stays open while
the user ticks (a menu that closed at each would make choosing three models three trips), and
Esc or a click outside closes it."""

from __future__ import annotations

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QMenu

_TICK_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space, Qt.Key.Key_Select)


class TickMenu(QMenu):
    """A menu whose checkable entries toggle without closing it."""

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        action = self.actionAt(event.position().toPoint())
        if action is not None and action.isCheckable() and action.isEnabled():
            action.trigger()
        else:
            super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        action = self.activeAction()
        tick = event.key() in _TICK_KEYS and action is not None and action.isCheckable()
        if tick and action is not None and action.isEnabled():
            action.trigger()
        else:
            super().keyPressEvent(event)


def fill_ticks(
    menu: QMenu, entries: list[tuple[str, str]], ticked: set[str], toggled: SignalInstance
) -> None:
    """`(key, label)` entries as ticks of `menu`, after what it held besides them (Compare's
    own switch), those in `ticked` ticked; a tick the user sets emits `toggled(key, ticked)`.
    The entries are made anew only when they changed (never while one of them is emitting)."""
    ticks = [action for action in menu.actions() if isinstance(action.data(), str)]
    if [a.data() for a in ticks] != [key for key, _ in entries]:
        for action in ticks:
            menu.removeAction(action)
            action.deleteLater()
        for key, label in entries:
            action = menu.addAction(label)
            action.setData(key)
            action.setCheckable(True)
            action.toggled.connect(lambda on, k=key: toggled.emit(k, on))
        ticks = [action for action in menu.actions() if isinstance(action.data(), str)]
    for action in ticks:
        action.blockSignals(True)  # ticks set here are not the user's
        action.setChecked(action.data() in ticked)
        action.blockSignals(False)
