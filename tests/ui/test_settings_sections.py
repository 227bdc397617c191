"""The preferences' sections: a list on the left, its page on the right, searchable."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QListWidget
from pytestqt.qtbot import QtBot

from chatdesk.core.config import Settings
from chatdesk.ui.preferences import PreferencesDialog

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def dialog(qtbot: QtBot) -> PreferencesDialog:
    shown = PreferencesDialog(Settings())
    qtbot.addWidget(shown)
    with qtbot.waitExposed(shown):
        shown.open()
    return shown


def listed(dialog: PreferencesDialog) -> list[str]:
    sections = dialog.findChild(QListWidget, "settingsSections")
    assert sections is not None
    items = [sections.item(row) for row in range(sections.count())]
    return [item.text() for item in items if not item.isHidden()]


def test_the_sections_are_listed_by_name_and_picking_one_shows_its_page(
    qtbot: QtBot, dialog: PreferencesDialog
) -> None:
    assert listed(dialog) == [
        "Appearance",
        "Chat",
        "Providers",
        "Data",
        "Usage",
        "Tools",
        "Web",
        "Assistants",
        "Knowledge",
        "Memory",
        "Team",
        "Local API",
        "Voice",
        "Desktop",
    ]
    assert dialog.tabs.currentWidget() is dialog.appearance
    sections = dialog.tabs.list
    row = sections.visualItemRect(sections.item(listed(dialog).index("Team")))
    qtbot.mouseClick(sections.viewport(), LEFT, pos=row.center())
    assert dialog.tabs.currentWidget() is dialog.team
    assert dialog.team.isVisible()
    assert not dialog.appearance.isVisible()


def test_alt_and_a_sections_letter_shows_it(qtbot: QtBot, dialog: PreferencesDialog) -> None:
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClick(dialog.tabs.list, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    assert dialog.tabs.currentWidget() is dialog.knowledge


def test_searching_theme_leaves_appearance_and_enter_focuses_the_theme(
    qtbot: QtBot, dialog: PreferencesDialog
) -> None:
    dialog.tabs.setCurrentWidget(dialog.team)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    search = dialog.tabs.search
    search.setFocus()
    qtbot.keyClicks(search, "theme")
    assert listed(dialog) == ["Appearance"]
    assert dialog.tabs.currentWidget() is dialog.appearance
    assert search.hasFocus()  # typing goes on in the field
    qtbot.keyClick(search, Qt.Key.Key_Return)
    theme = dialog.findChild(QComboBox, "themeChoice")
    assert theme is not None
    qtbot.waitUntil(theme.hasFocus)


def test_a_search_nothing_matches_lists_nothing_and_clearing_lists_all(
    qtbot: QtBot, dialog: PreferencesDialog
) -> None:
    qtbot.keyClicks(dialog.tabs.search, "zzqx")
    assert listed(dialog) == []
    dialog.tabs.search.clear()
    assert len(listed(dialog)) == 14
