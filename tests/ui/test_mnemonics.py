"""No two controls a user can reach at once share an Alt+letter, in English and in every
catalogue: toured through the window, its dialogs and every Preferences section (tests/ui/tour.py),
and the Tools section with a command not yet allowed to start and a server switched off,
the underlined letters of the visible, enabled buttons, check boxes, group boxes, tabs, labels
with a buddy and top menus of each window are one group (with the Preferences' sections, whose
Alt+letter works from anywhere in that window), and each menu's items are a group of their own.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QTabBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core.tools.servers import parse_servers_text
from chatdesk.ui import language
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.preferences import PreferencesDialog
from tests.ui.tour import choose, tour

LANGUAGES = ("en", "ar", "de", "es", "fr", "ja", "zh_CN")


def mnemonic(text: str) -> str | None:
    """The letter after the first single `&` ("&&" is a plain ampersand), lower-cased."""
    at = 0
    while (at := text.find("&", at)) != -1 and at + 1 < len(text):
        if text[at + 1] != "&":
            return text[at + 1].lower()
        at += 2
    return None


def _labels(widget: QWidget) -> Iterator[str]:
    """The texts with an Alt+letter that `widget` shows."""
    if isinstance(widget, QAbstractButton) or (
        isinstance(widget, QLabel) and widget.buddy() is not None
    ):
        yield widget.text()
    elif isinstance(widget, QGroupBox):
        yield widget.title()
    elif isinstance(widget, QTabBar):
        yield from (widget.tabText(i) for i in range(widget.count()) if widget.isTabEnabled(i))


def window_group(top: QWidget) -> list[str]:
    """Every text in `top` whose Alt+letter works while `top` is the active window."""
    texts: list[str] = []
    for widget in top.findChildren(QWidget):
        if widget.window() is top and widget.isVisible() and widget.isEnabled():
            texts.extend(_labels(widget))
    if isinstance(top, QMainWindow):
        texts.extend(a.text() for a in top.menuBar().actions() if a.isVisible())
    if isinstance(top, PreferencesDialog):
        texts.extend(top.tabs.tabText(i) for i in range(top.tabs.count()))
    return texts


def menu_groups(top: QWidget) -> Iterator[tuple[str, list[str]]]:
    """Each menu's items, under the menu's title."""
    for menu in top.findChildren(QMenu):
        items = [a.text() for a in menu.actions() if a.isVisible() and a.isEnabled()]
        yield f"the {menu.title().replace('&', '')!r} menu", items


def clashes(texts: list[str]) -> dict[str, set[str]]:
    """The letters used by more than one text, with the texts using each."""
    by_letter: dict[str, set[str]] = {}
    for text in texts:
        if (letter := mnemonic(text)) is not None:
            by_letter.setdefault(letter, set()).add(text)
    return {letter: used for letter, used in by_letter.items() if len(used) > 1}


class Clashes:
    """Gathers, over the tour, each window's and menu's letters used twice."""

    def __init__(self) -> None:
        self.found: set[tuple[str, str, tuple[str, ...]]] = set()
        self.windows: set[str] = set()

    def __call__(self) -> None:
        for top in QApplication.topLevelWidgets():
            if not top.isVisible() or isinstance(top, QMenu):
                continue
            self.windows.add(type(top).__name__)
            where = f"{type(top).__name__} {top.windowTitle()!r}"
            groups = [(where, window_group(top)), *menu_groups(top)]
            for name, texts in groups:
                for letter, used in clashes(texts).items():
                    self.found.add((name, letter, tuple(sorted(used))))

    def report(self) -> str:
        return "\n".join(
            f"  {name}: Alt+{letter.upper()} on {' | '.join(used)}"
            for name, letter, used in sorted(self.found)
        )


def test_the_letters_are_read_as_qt_reads_them() -> None:
    assert mnemonic("&Theme") == "t"
    assert mnemonic("Save && &close") == "c"
    assert mnemonic("テーマ(&T)") == "t"
    assert mnemonic("No letter") is None
    assert mnemonic("Ends with &") is None
    assert clashes(["&Theme", "&Team", "&Add", "S&tart"]) == {"t": {"&Theme", "&Team", "S&tart"}}


@pytest.fixture(params=LANGUAGES)
def speaking(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    yield language.start(qapp, request.param)
    language.start(qapp, "en")


def test_no_two_controls_reachable_at_once_share_a_letter(
    speaking: str, attached_window: tuple[MainWindow, Core], qtbot: QtBot, finish: Any
) -> None:
    main, core = attached_window
    found = Clashes()
    tour(main, core, qtbot, finish, found)
    assert {"MainWindow", "PreferencesDialog", "ServerForm"} <= found.windows
    assert not found.found, f"letters used twice in {speaking}:\n" + found.report()


def test_the_tools_section_keeps_its_letters_for_a_new_command_and_a_server_switched_off(
    speaking: str, attached_window: tuple[MainWindow, Core], qtbot: QtBot, finish: Any
) -> None:
    main, core = attached_window
    tools = core.service.tools
    servers = {
        "notes": {"command": sys.executable, "args": ["-I"]},
        "docs": {"type": "streamable-http", "url": "https://mcp.example.com/docs"},
    }
    for server in parse_servers_text(json.dumps({"mcpServers": servers})).servers:
        finish(tools.add_server(server, replace=True))
    finish(tools.set_enabled("docs", False))
    main.settings.open_preferences()
    dialog = main.settings.dialog
    assert dialog is not None
    page = dialog.tools
    dialog.tabs.setCurrentWidget(page)
    found = Clashes()
    for name, shown in (("notes", page.allow_button), ("docs", page.switch_button)):
        qtbot.waitUntil(lambda: page.list.topLevelItemCount() == 3)
        choose(page.list, name)
        qtbot.waitUntil(shown.isVisible)
        found()
    assert page.allow_button.isHidden()  # the switched-off server was looked at last
    assert mnemonic(page.switch_button.text()) not in (None, mnemonic(page.add_button.text()))
    assert not found.found, f"letters used twice in {speaking}:\n" + found.report()
    dialog.reject()
