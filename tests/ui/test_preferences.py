"""The preferences dialog driven by keyboard and mouse."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QRadioButton,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from chatdesk.core.config import MockSettings, Settings, UiSettings
from chatdesk.ui.preferences import PreferencesDialog

LEFT = Qt.MouseButton.LeftButton
OpenDialog = Callable[[Settings], PreferencesDialog]
W = TypeVar("W", bound=QWidget)


@pytest.fixture
def open_dialog(qtbot: QtBot) -> OpenDialog:
    def open_(settings: Settings) -> PreferencesDialog:
        dialog = PreferencesDialog(settings)
        qtbot.addWidget(dialog)
        dialog.open()
        qtbot.waitExposed(dialog)
        return dialog

    return open_


def _child(dialog: QWidget, kind: type[W], name: str) -> W:
    found = dialog.findChild(kind, name)
    assert isinstance(found, kind), name
    return found


def _button(dialog: QWidget, which: QDialogButtonBox.StandardButton) -> QWidget:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    button = box.button(which)
    assert button is not None
    return button


def _show_tab(dialog: PreferencesDialog, title: str) -> None:
    titles = [dialog.tabs.tabText(i).replace("&", "") for i in range(dialog.tabs.count())]
    dialog.tabs.setCurrentIndex(titles.index(title))


def test_shows_the_current_settings(open_dialog: OpenDialog) -> None:
    dialog = open_dialog(replace(Settings(), ui=UiSettings("dark", 14, False)))
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "&Appearance",
        "C&hat",
    ]
    assert _child(dialog, QComboBox, "themeChoice").currentText() == "Dark"
    assert _child(dialog, QSpinBox, "fontSize").text() == "14 pt"
    _show_tab(dialog, "Chat")
    assert _child(dialog, QRadioButton, "ctrlEnterSends").isChecked()


def test_choices_come_back_after_ok_and_other_settings_stay(
    qtbot: QtBot, open_dialog: OpenDialog
) -> None:
    start = replace(Settings(), mock=MockSettings(reasoning=True))
    dialog = open_dialog(start)
    theme = _child(dialog, QComboBox, "themeChoice")
    theme.setFocus()
    qtbot.keyClick(theme, Qt.Key.Key_Down)  # System → Light
    qtbot.keyClick(theme, Qt.Key.Key_Down)  # → Dark
    font = _child(dialog, QSpinBox, "fontSize")
    assert font.text() == "Default"
    qtbot.keyClick(font, Qt.Key.Key_Up)
    assert font.text() == "8 pt"
    _show_tab(dialog, "Chat")
    ctrl_enter = _child(dialog, QRadioButton, "ctrlEnterSends")
    qtbot.mouseClick(ctrl_enter, LEFT)

    qtbot.mouseClick(_button(dialog, QDialogButtonBox.StandardButton.Ok), LEFT)
    assert not dialog.isVisible()
    assert dialog.result_settings() == replace(start, ui=UiSettings("dark", 8, False))


def test_typed_font_sizes_stay_in_range(qtbot: QtBot, open_dialog: OpenDialog) -> None:
    dialog = open_dialog(replace(Settings(), ui=UiSettings(font_size=8)))
    font = _child(dialog, QSpinBox, "fontSize")
    qtbot.keyClick(font, Qt.Key.Key_Down)
    assert font.text() == "Default"
    assert dialog.font_size() == 0
    font.selectAll()
    qtbot.keyClicks(font, "99")
    qtbot.keyClick(font, Qt.Key.Key_Return)
    assert 8 <= dialog.font_size() <= 32
    font.selectAll()
    qtbot.keyClicks(font, "20")
    assert dialog.font_size() == 20


def test_font_preview_follows_the_size(qtbot: QtBot, open_dialog: OpenDialog) -> None:
    dialog = open_dialog(Settings())
    preview = _child(dialog, QLabel, "fontPreview")
    default_size = preview.font().pointSize()
    font = _child(dialog, QSpinBox, "fontSize")
    font.setValue(24)
    assert preview.font().pointSize() == 24
    font.setValue(font.minimum())
    assert preview.font().pointSize() == default_size


def test_cancel_keeps_the_settings(qtbot: QtBot, open_dialog: OpenDialog) -> None:
    start = Settings()
    dialog = open_dialog(start)
    _child(dialog, QComboBox, "themeChoice").setCurrentIndex(2)
    qtbot.mouseClick(_button(dialog, QDialogButtonBox.StandardButton.Cancel), LEFT)
    assert not dialog.isVisible()
    assert dialog.result_settings() is start


def test_controls_are_named_for_screen_readers(open_dialog: OpenDialog) -> None:
    dialog = open_dialog(Settings())
    for widget in dialog.findChildren(QWidget):
        if widget.focusPolicy() != Qt.FocusPolicy.NoFocus and isinstance(
            widget, QComboBox | QSpinBox
        ):
            assert widget.accessibleName(), widget.objectName()
    labels = {label.text(): label.buddy() for label in dialog.findChildren(QLabel)}
    assert labels["&Theme:"] is dialog.findChild(QComboBox, "themeChoice")
    assert labels["&Font size:"] is dialog.findChild(QSpinBox, "fontSize")
