"""Themes as a user sees them: colours of windows and buttons, focus rings, font size."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontDatabase, QImage, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from chatdesk.ui.conversation.browser import MessageBrowser
from chatdesk.ui.theme import ThemeWatcher, apply_theme, is_dark, palette_for

R = QPalette.ColorRole
LIGHT_WINDOW = palette_for("light").color(R.Window)
DARK_WINDOW = palette_for("dark").color(R.Window)


@pytest.fixture(autouse=True)
def restore_look(qapp: QApplication) -> Iterator[None]:
    """The QApplication is shared by all tests: put its look back as it was."""
    style, palette, font = qapp.style().name(), qapp.palette(), qapp.font()
    sheet = qapp.styleSheet()
    yield
    watcher = qapp.findChild(ThemeWatcher)
    if watcher is not None:
        shiboken6.delete(watcher)  # now, so it stops following the desktop in later tests
    qapp.setStyleSheet(sheet)
    if style:  # empty while a stylesheet wraps the style
        qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setFont(font)


def _window_colour(qapp: QApplication) -> QColor:
    return qapp.palette().color(R.Window)


def _pixel(image: QImage, x: int, y: int) -> str:
    return QColor(image.pixel(x, y)).name()


def test_light_and_dark_colour_windows_and_buttons(qapp: QApplication, qtbot: QtBot) -> None:
    button = QPushButton("Send")
    qtbot.addWidget(button)
    button.show()
    inside = (5, button.height() // 2)  # within the border, left of the text

    apply_theme(qapp, "light")
    assert _window_colour(qapp) == LIGHT_WINDOW
    assert not is_dark(qapp)
    light_button = _pixel(button.grab().toImage(), *inside)

    apply_theme(qapp, "dark")
    assert _window_colour(qapp) == DARK_WINDOW
    assert is_dark(qapp)
    dark_button = _pixel(button.grab().toImage(), *inside)
    assert light_button == palette_for("light").color(R.Button).name()
    assert dark_button == palette_for("dark").color(R.Button).name()


def test_changed_fires_once_per_real_change(qapp: QApplication, qtbot: QtBot) -> None:
    apply_theme(qapp, "light")
    seen: list[bool] = []
    ThemeWatcher.of(qapp).changed.connect(seen.append)

    apply_theme(qapp, "dark")
    apply_theme(qapp, "dark")
    apply_theme(qapp, "dark", 14)
    apply_theme(qapp, "light", 14)
    assert seen == [True, True, False]
    assert ThemeWatcher.of(qapp).theme == "light"


def _tell_os_scheme(qapp: QApplication, scheme: Qt.ColorScheme) -> None:
    """What the platform does when the user switches the desktop to light or dark.

    `QStyleHints.setColorScheme` (Qt 6.8) is ignored by the offscreen platform, so the test
    sends the notification the platform would send."""
    qapp.styleHints().setColorScheme(scheme)
    qapp.styleHints().colorSchemeChanged.emit(scheme)


def test_system_theme_follows_the_desktop(qapp: QApplication) -> None:
    apply_theme(qapp, "system")
    if qapp.styleHints().colorScheme() != Qt.ColorScheme.Dark:  # offscreen reports Unknown
        assert _window_colour(qapp) == LIGHT_WINDOW

    _tell_os_scheme(qapp, Qt.ColorScheme.Dark)
    assert _window_colour(qapp) == DARK_WINDOW
    _tell_os_scheme(qapp, Qt.ColorScheme.Light)
    assert _window_colour(qapp) == LIGHT_WINDOW
    qapp.styleHints().unsetColorScheme()


def test_a_chosen_theme_ignores_the_desktop(qapp: QApplication) -> None:
    apply_theme(qapp, "light")
    _tell_os_scheme(qapp, Qt.ColorScheme.Dark)
    assert _window_colour(qapp) == LIGHT_WINDOW
    qapp.styleHints().unsetColorScheme()


def test_an_unknown_theme_follows_the_system_and_says_so(
    qapp: QApplication, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="chatdesk.ui"):
        apply_theme(qapp, "sepia")
    assert ThemeWatcher.of(qapp).theme == "system"
    assert "sepia" in caplog.text
    apply_theme(qapp, "")
    assert ThemeWatcher.of(qapp).theme == "system"


def test_the_text_size_sizes_the_conversation_and_the_controls_keep_the_systems(
    qapp: QApplication, qtbot: QtBot
) -> None:
    label, words = QLabel("Hello"), MessageBrowser()
    qtbot.addWidget(label)
    qtbot.addWidget(words)
    words.show_plain("Hello")
    system_size = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont).pointSize()
    own_size = words.font().pointSize()  # chatdesk's reading size, larger than the system's
    assert own_size > system_size
    height_before = words.document().size().height()

    label.show()
    words.show()
    apply_theme(qapp, "light", 24)
    qtbot.waitUntil(lambda: words.font().pointSize() == 24)
    assert words.document().size().height() > height_before
    assert label.font().pointSize() == system_size

    apply_theme(qapp, "light", 0, zoom=150)
    qtbot.waitUntil(lambda: words.font().pointSizeF() == round(own_size * 1.5 * 2) / 2)
    assert label.font().pointSize() == system_size

    apply_theme(qapp, "light", 0)
    qtbot.waitUntil(lambda: words.font().pointSize() == own_size)


def _combo() -> QWidget:
    box = QComboBox()
    box.addItems(["One", "Two"])
    return box


def _tool_button() -> QWidget:
    button = QToolButton()
    button.setText("Tool")
    return button


def _text_area() -> QWidget:
    edit = QPlainTextEdit()
    edit.setFixedHeight(60)
    return edit


def _edges(image: QImage) -> list[int]:
    """The outer 2 px of a control: where a focus ring is, and where no text cursor is."""
    w, h = image.width(), image.height()
    return [
        image.pixel(x, y) for x in range(w) for y in range(h) if min(x, y, w - 1 - x, h - 1 - y) < 2
    ]


def _whole(image: QImage) -> QImage:
    return image  # the focus rectangle of check boxes and radio buttons is around the label


CONTROLS: list[tuple[Callable[[], QWidget], Callable[[QImage], object]]] = [
    (lambda: QPushButton("Push"), _whole),
    (_tool_button, _whole),
    (_combo, _whole),
    (QSpinBox, _edges),
    (lambda: QLineEdit("text"), _edges),
    (_text_area, _edges),
    (lambda: QCheckBox("Check"), _whole),
    (lambda: QRadioButton("Radio"), _whole),
]


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize(
    ("make", "ring"),
    CONTROLS,
    ids=["push", "tool", "combo", "spin", "line-edit", "text-area", "check", "radio"],
)
def test_keyboard_focus_is_visible(
    qapp: QApplication,
    qtbot: QtBot,
    theme: str,
    make: Callable[[], QWidget],
    ring: Callable[[QImage], object],
) -> None:
    apply_theme(qapp, theme)
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    elsewhere, control = QPushButton("Elsewhere"), make()
    layout.addWidget(elsewhere)
    layout.addWidget(control)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)

    elsewhere.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(elsewhere.hasFocus)
    unfocused = ring(control.grab().toImage())
    qtbot.keyClick(elsewhere, Qt.Key.Key_Tab)  # as a keyboard user moves on
    qtbot.waitUntil(control.hasFocus)
    assert ring(control.grab().toImage()) != unfocused, type(control).__name__


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_an_unticked_box_in_a_list_shows_its_edge(
    qapp: QApplication, qtbot: QtBot, theme: str
) -> None:
    apply_theme(qapp, theme)
    listed = QListWidget()
    qtbot.addWidget(listed)
    item = QListWidgetItem("a tool server", listed)
    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
    item.setCheckState(Qt.CheckState.Unchecked)
    listed.resize(200, 60)
    listed.show()
    image = listed.viewport().grab().toImage()
    base = qapp.palette().color(R.Base)
    row = listed.visualItemRect(item)
    box = [  # the row left of its text, where the box is drawn
        QColor(image.pixel(x, y))
        for x in range(row.left(), row.left() + row.height())
        for y in range(row.top(), row.bottom())
    ]
    edge = max(abs(colour.lightness() - base.lightness()) for colour in box)
    assert edge >= 40, f"the box's edge is {edge} lightness steps from the list's background"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_an_unticked_entry_of_a_menu_shows_its_box(
    qapp: QApplication, qtbot: QtBot, theme: str
) -> None:
    apply_theme(qapp, theme)
    menu = QMenu()
    qtbot.addWidget(menu)
    action = menu.addAction("mock-2")  # as Compare's menu of models offers it
    action.setCheckable(True)
    menu.resize(menu.sizeHint())  # drawn as it pops up, without grabbing the keyboard
    image = menu.grab().toImage()
    row = menu.actionGeometry(action)
    middle = row.center().y()
    background = QColor(image.pixel(row.right() - 4, middle))
    box = [QColor(image.pixel(x, middle)) for x in range(row.left(), row.left() + row.height())]
    edge = max(abs(colour.lightness() - background.lightness()) for colour in box)
    assert edge >= 30, f"the box's edge is {edge} lightness steps from the menu's background"
