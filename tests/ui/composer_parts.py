"""The composer's "+" menu and chips as a user reaches them: "+" clicked, an entry chosen with
the keyboard (the arrows' target, Enter; Right opens a submenu), a chip's ✕ clicked."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu, QToolButton
from pytestqt.qtbot import QtBot

from chatdesk.ui.composer import Composer
from chatdesk.ui.composer.chips import Chip

LEFT = Qt.MouseButton.LeftButton


def words(action: QAction) -> str:
    """An entry's words as read: without its Alt+letter's mark or the keys after a tab."""
    return action.text().split("\t")[0].replace("&&", "\0").replace("&", "").replace("\0", "&")


def plus_button(composer: Composer) -> QToolButton:
    found = composer.findChild(QToolButton, "plusButton")
    assert found is not None
    return found


def open_plus(qtbot: QtBot, composer: Composer) -> QMenu:
    """Click "+"; its menu, once it shows."""
    qtbot.mouseClick(plus_button(composer), LEFT)
    menu = composer.plus_menu
    qtbot.waitUntil(menu.isVisible)
    return menu


def entries(menu: QMenu) -> list[str]:
    """The words of the entries a user sees, separators left out."""
    return [words(a) for a in menu.actions() if a.isVisible() and not a.isSeparator()]


def entry(menu: QMenu, text: str) -> QAction:
    found = [a for a in menu.actions() if a.isVisible() and words(a) == text]
    assert found, f"no {text!r} in {entries(menu)}"
    return found[0]


def choose(qtbot: QtBot, composer: Composer, *path: str) -> None:
    """Open "+" and take the entry `path` leads to ("Web"; "Tools", "Search your chats") with
    the keyboard; then every menu still open closes (a menu of ticks stays open as one ticks)."""
    menu = open_plus(qtbot, composer)
    for step, text in enumerate(path):
        action = entry(menu, text)
        menu.setActiveAction(action)
        if step == len(path) - 1:
            qtbot.keyClick(menu, Qt.Key.Key_Return)
            break
        submenu = action.menu()
        assert isinstance(submenu, QMenu), f"{text!r} opens no menu"
        qtbot.keyClick(menu, Qt.Key.Key_Right)
        qtbot.waitUntil(submenu.isVisible)
        menu = submenu
    close_menus(qtbot)


def close_menus(qtbot: QtBot) -> None:
    """Esc until no menu is open."""
    while (popup := QApplication.activePopupWidget()) is not None:
        qtbot.keyClick(popup, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None)


def chips(composer: Composer) -> dict[str, Chip]:
    """The chips shown, by what each shows ("web", "tools", …), in the order Tab reaches them."""
    found: dict[str, Chip] = {}
    for widget in composer.tab_chain():
        chip = widget.parentWidget()
        if isinstance(chip, Chip) and chip.isVisibleTo(composer):
            found.setdefault(chip.kind, chip)
    return found


def chip_words(composer: Composer) -> list[str]:
    return [chip.label.accessibleName() for chip in chips(composer).values()]


def switch_off(qtbot: QtBot, composer: Composer, kind: str) -> None:
    """Click the ✕ of the chip of `kind`."""
    qtbot.mouseClick(chips(composer)[kind].off, LEFT)
