"""What the tests of Preferences pages share: Preferences shown on one of its pages (its Tools
page over a `Tools` of the test's own), and choosing a row of a page's list by its name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QTreeWidget
from pytestqt.qtbot import QtBot

from chatdesk.core.assembly import tools_in
from chatdesk.core.config import Settings
from chatdesk.core.tools.service import Tools
from chatdesk.ui.preferences import PreferencesDialog
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.tools_page import ToolsPage
from tests.ui.test_preferences import show_tab


def own_tools(tmp_path: Path, finish: Any) -> Iterator[Tools]:
    """A `Tools` with its servers' file under `tmp_path/config`, closed at the end."""
    settings = Settings()
    made = tools_in(lambda: settings, tmp_path / "config", log_dir=tmp_path / "logs")
    yield made
    finish(made.aclose())


def tools_page(qtbot: QtBot, runner: Runner, tools: Tools) -> Iterator[ToolsPage]:
    """Preferences shown on its Tools page over `tools` (the page lives with the dialog)."""
    dialog = shown_on(qtbot, PreferencesDialog(Settings(), runner=runner, tools=tools), "Tools")
    yield dialog.tools
    dialog.close()


def shown_on(qtbot: QtBot, dialog: PreferencesDialog, tab: str) -> PreferencesDialog:
    """`dialog` open (closed with the test) on its page `tab`."""
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.open()
    show_tab(dialog, tab)
    return dialog


def select_row(rows: QTreeWidget, name: str) -> None:
    """Make the row whose first column reads `name` the current one."""
    for index in range(rows.topLevelItemCount()):
        item = rows.topLevelItem(index)
        if item is not None and item.text(0) == name:
            rows.setCurrentItem(item)
            return
    raise AssertionError(f"no row {name}")
