"""The window's icons: every file draws, in the look's colours, and follows a change of look."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QToolButton
from pytestqt.qtbot import QtBot

from chatdesk.ui.theme import ThemeWatcher, apply_theme
from chatdesk.ui.theme.colours import colours
from chatdesk.ui.theme.icons import folder, icon, names, set_icon, show_icon
from tests.ui.pixels import inked


@pytest.fixture(autouse=True)
def restore_look(qapp: QApplication) -> Iterator[None]:
    palette, font, sheet = qapp.palette(), qapp.font(), qapp.styleSheet()
    yield
    watcher = qapp.findChild(ThemeWatcher)
    if watcher is not None:
        shiboken6.delete(watcher)
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    qapp.setFont(font)


def test_every_icon_file_draws_and_is_named_in_the_licence_folder(qapp: QApplication) -> None:
    assert len(names()) >= 40
    assert (folder() / "LICENSE").read_text().startswith("ISC License")
    for name in names():
        image = icon(name, "light").pixmap(QSize(16, 16)).toImage()
        strokes = [
            image.pixelColor(x, y).alpha()
            for x in range(image.width())
            for y in range(image.height())
        ]
        assert max(strokes) > 160, f"{name} drew nothing"


@pytest.mark.parametrize("look", ["light", "dark", "contrast"])
def test_an_icon_is_drawn_in_its_tones_colour(qapp: QApplication, look: str) -> None:
    named = colours(look)  # type: ignore[arg-type]
    quiet = icon("copy", look).pixmap(QSize(16, 16)).toImage()  # type: ignore[arg-type]
    assert inked(quiet) == {named["text_quiet"]}
    hovered = icon("copy", look).pixmap(QSize(16, 16), QIcon.Mode.Active).toImage()  # type: ignore[arg-type]
    assert inked(hovered) == {named["text"]}
    off = icon("copy", look).pixmap(QSize(16, 16), QIcon.Mode.Disabled).toImage()  # type: ignore[arg-type]
    assert inked(off) == {named["text_disabled"]}


def test_an_unknown_icon_is_an_error_not_a_blank(qapp: QApplication) -> None:
    with pytest.raises(KeyError, match="no icon named"):
        icon("no-such-icon", "light")


def test_icons_follow_a_change_of_look(qapp: QApplication, qtbot: QtBot) -> None:
    apply_theme(qapp, "light")
    button = QToolButton()
    qtbot.addWidget(button)
    set_icon(button, "delete", "light")

    def drawn() -> set[str]:
        return inked(button.icon().pixmap(QSize(16, 16)).toImage())

    assert drawn() == {colours("light")["text_quiet"]}
    apply_theme(qapp, "dark")
    assert drawn() == {colours("dark")["text_quiet"]}
    apply_theme(qapp, "high-contrast")
    assert drawn() == {colours("contrast")["text_quiet"]}


def test_a_withheld_icon_keeps_the_button_reachable_and_comes_back_in_the_current_look(
    qapp: QApplication, qtbot: QtBot
) -> None:
    apply_theme(qapp, "light")
    button = QToolButton()
    button.setAccessibleName("Copy")
    qtbot.addWidget(button)
    set_icon(button, "copy", "light")
    show_icon(button, False, "light")
    assert not inked(button.icon().pixmap(QSize(16, 16)).toImage())
    assert not button.icon().isNull()  # a null icon would show the button's text instead
    apply_theme(qapp, "dark")  # a change of look while withheld does not bring it back
    assert not inked(button.icon().pixmap(QSize(16, 16)).toImage())
    assert button.accessibleName() == "Copy"
    show_icon(button, True, "dark")
    assert inked(button.icon().pixmap(QSize(16, 16)).toImage()) == {colours("dark")["text_quiet"]}
