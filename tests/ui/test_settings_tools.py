"""The Tools tab, driven through its widgets against real tools: a Claude Desktop block pasted
into Import, the imported command shown and allowed before it may start, Test starting a real
MCP server (tests/core/mcp_server.py) and listing its tools, policies, switching off, removal."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from chatdesk.core.tools.model import Policy
from chatdesk.core.tools.service import TOOLS_FILE, Tools
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.notices import Tone
from chatdesk.ui.settings.tools_page import ToolsPage
from tests.ui.preference_pages import own_tools, select_row, tools_page
from tests.ui.shown import wait_exposed
from tests.ui.test_preferences import LEFT

SERVER = Path(__file__).parents[1] / "core" / "mcp_server.py"
SECRET = "ghp-settings-canary-77"
CLAUDE = {
    "mcpServers": {
        "notes": {
            "command": sys.executable,
            "args": ["-I", str(SERVER), "stdio"],
            "env": {"NOTES_TOKEN": SECRET},
        },
        "broken": {"type": "carrier-pigeon"},
    }
}


@pytest.fixture
def tools(tmp_path: Path, finish: Any) -> Iterator[Tools]:
    yield from own_tools(tmp_path, finish)


@pytest.fixture
def page(qtbot: QtBot, runner: Runner, tools: Tools) -> Iterator[ToolsPage]:
    yield from tools_page(qtbot, runner, tools)


def _rows(page: ToolsPage) -> list[list[str]]:
    items = [page.list.topLevelItem(i) for i in range(page.list.topLevelItemCount())]
    return [[item.text(c) for c in range(5)] for item in items if item is not None]


def test_a_pasted_claude_desktop_block_is_imported_shown_allowed_and_tested(
    page: ToolsPage, tools: Tools, qtbot: QtBot, tmp_path: Path, finish: Any
) -> None:
    qtbot.mouseClick(page.import_button, LEFT)
    dialog = page.import_dialog
    assert dialog is not None
    dialog.text.setPlainText(json.dumps(CLAUDE))
    qtbot.mouseClick(dialog.ok, LEFT)
    qtbot.waitUntil(lambda: page.status.tone is not None and "Imported" in page.status.text())
    assert "Imported notes." in page.status.text()
    assert "Skipped broken" in page.status.text()
    rows = _rows(page)
    assert [row[0] for row in rows] == ["chatdesk", "notes"]
    assert rows[1][4] == "not allowed to start yet"
    assert SECRET not in (tmp_path / "config" / TOOLS_FILE).read_text()

    select_row(page.list, "notes")
    assert page.allow_button.isVisible()
    assert not page.test_button.isEnabled()
    assert page.status.tone is Tone.WARNING
    assert f"{sys.executable} -I" in page.status.text()  # the exact command, before it starts
    qtbot.mouseClick(page.allow_button, LEFT)
    assert _rows(page)[1][4] == "on"
    assert tools.startable("notes")

    qtbot.mouseClick(page.test_button, LEFT)
    qtbot.waitUntil(lambda: page.found.isVisible(), timeout=30_000)
    found = [page.found.topLevelItem(i) for i in range(page.found.topLevelItemCount())]
    names = {item.text(0): item.text(1) for item in found if item is not None}
    assert names["peek"] == "no"  # read-only
    assert names["echo"] == "may"
    assert page.status.tone is Tone.SUCCESS
    echo = next(item for item in found if item is not None and item.text(0) == "echo")
    assert echo.checkState(0) == Qt.CheckState.Checked
    echo.setCheckState(0, Qt.CheckState.Unchecked)  # as a click on its box does
    # A title is shown for the name, the name it is called by in the tooltip.
    assert names["Wipe everything"] == "may delete"
    forecast = next(i for i in found if i is not None and i.text(0) == "Weather forecast")
    assert "notes › forecast" in forecast.toolTip(0)
    forecast.setCheckState(0, Qt.CheckState.Unchecked)
    offered = finish(tools.offer(["notes"]))
    assert "notes__echo" not in offered.tools
    assert "notes__forecast" not in offered.tools
    assert "notes__add" in offered.tools
    finish(tools.saved())
    assert "notes/echo" in (tmp_path / "config" / TOOLS_FILE).read_text()


def test_policies_switching_off_and_removal(page: ToolsPage, tools: Tools, qtbot: QtBot) -> None:
    qtbot.mouseClick(page.import_button, LEFT)
    assert page.import_dialog is not None
    page.import_dialog.text.setPlainText(json.dumps(CLAUDE))
    qtbot.mouseClick(page.import_dialog.ok, LEFT)
    qtbot.waitUntil(lambda: len(_rows(page)) == 2)

    select_row(page.list, "chatdesk")
    page.policy.setCurrentIndex(page.policy.findData("allow"))
    page.policy.activated.emit(page.policy.currentIndex())  # as a choice in the list does
    assert tools.policies.rules() == {"chatdesk": Policy.ALLOW}
    assert _rows(page)[0][3] == "Allow"
    assert not page.remove_button.isEnabled()  # chatdesk's own tools stay

    select_row(page.list, "notes")
    qtbot.mouseClick(page.switch_button, LEFT)
    qtbot.waitUntil(lambda: _rows(page)[1][4] == "off")
    assert not tools.startable("notes")
    page.switch_button.setFocus()
    qtbot.keyClick(page.remove_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: [row[0] for row in _rows(page)] == ["chatdesk"])
    assert tools.servers() == []


def test_a_server_is_added_and_edited_in_the_form(
    page: ToolsPage, tools: Tools, qtbot: QtBot, tmp_path: Path, finish: Any
) -> None:
    qtbot.mouseClick(page.add_button, LEFT)
    form = page.server_form
    assert form is not None
    wait_exposed(qtbot, form)
    assert not form.url.isEnabled()  # a command, until the kind says an address
    assert form.command.isVisible()
    assert not form.url.isVisible()
    qtbot.keyClicks(form.name, "notes")
    qtbot.keyClicks(form.command, sys.executable)
    form.args.setPlainText(f"-I\n{SERVER}\nstdio")
    form.values.setPlainText(f"NOTES_TOKEN={SECRET}")
    qtbot.mouseClick(form.save, LEFT)
    qtbot.waitUntil(lambda: "Saved notes." in page.status.text())
    assert not form.isVisible()
    assert _rows(page)[1][:3] == ["notes", "stdio", f"{sys.executable} -I {SERVER} stdio"]
    assert _rows(page)[1][4] == "on"  # typed by the user: it may start
    saved = (tmp_path / "config" / TOOLS_FILE).read_text()
    assert SECRET not in saved
    assert json.loads(saved)["servers"]["notes"]["env"] == ["NOTES_TOKEN"]
    qtbot.mouseClick(page.test_button, LEFT)
    qtbot.waitUntil(lambda: page.found.isVisible(), timeout=30_000)

    qtbot.mouseClick(page.edit_button, LEFT)
    form = page.server_form
    assert form is not None
    assert form.name.isReadOnly()
    assert form.values.toPlainText() == "NOTES_TOKEN"  # the name; its value is never shown
    form.timeout.setValue(30)
    qtbot.mouseClick(form.save, LEFT)
    qtbot.waitUntil(lambda: tools.server("notes").timeout == 30)
    assert tools.secrets.values(tools.server("notes")) == {"NOTES_TOKEN": SECRET}  # kept


def test_the_form_says_what_is_wrong_and_keeps_what_was_typed(
    page: ToolsPage, tools: Tools, qtbot: QtBot
) -> None:
    qtbot.mouseClick(page.add_button, LEFT)
    form = page.server_form
    assert form is not None
    wait_exposed(qtbot, form)
    qtbot.keyClicks(form.name, "site")
    form.kind.setCurrentIndex(form.kind.findData("http"))
    assert form.url.isEnabled()
    assert not form.command.isEnabled()
    assert form.url.isVisible()
    assert not form.command.isVisible()
    assert not form.args.isVisible()
    qtbot.keyClicks(form.url, "ftp://example.org")
    form.values.setPlainText("Authorization=Bearer abc")
    qtbot.mouseClick(form.save, LEFT)
    assert form.isVisible()
    assert form.problem.tone is Tone.ERROR
    assert "http:// or https://" in form.problem.text()
    assert form.values.toPlainText() == "Authorization=Bearer abc"  # nothing typed is lost

    form.name.setText("chatdesk")
    form.url.setText("http://127.0.0.1:9")
    qtbot.mouseClick(form.save, LEFT)
    assert form.isVisible()
    assert "not 'chatdesk' or 'web'" in form.problem.text()
    form.name.setText("web")  # the web's tools have it
    qtbot.mouseClick(form.save, LEFT)
    assert "not 'chatdesk' or 'web'" in form.problem.text()
    form.name.setText("site")
    qtbot.mouseClick(form.save, LEFT)
    qtbot.waitUntil(lambda: "Saved site." in page.status.text())
    assert tools.server("site").header_names == ("Authorization",)
