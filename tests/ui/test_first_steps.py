"""Pages that open on an explanation and one first action while they have nothing to show:
Knowledge with no base ("Add a folder…" makes a base of the folder chosen), Tools with no server
of the user's ("Add a tool server…" opens the server form), and Team, which asks to join a
team by its address, the server's own fields folded under Advanced."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QGroupBox
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core.assembly import tools_in
from chatdesk.core.config import Settings
from chatdesk.core.tools.service import Tools
from chatdesk.ui.preferences import PreferencesDialog
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.knowledge_sources import FolderPatterns
from chatdesk.ui.settings.notices import Tone
from chatdesk.ui.settings.team_page import TeamPage
from tests.keyrings import MemoryKeyring
from tests.ui.shown import wait_exposed
from tests.ui.test_preferences import LEFT, show_tab


def _dialog(qtbot: QtBot, runner: Runner, **parts: Any) -> PreferencesDialog:
    dialog = PreferencesDialog(Settings(), runner=runner, **parts)
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.open()
    return dialog


@pytest.fixture
def knowledge_dialog(qtbot: QtBot, core: Core, runner: Runner) -> Iterator[PreferencesDialog]:
    service = core.service
    dialog = _dialog(
        qtbot,
        runner,
        models=service.known_models,
        knowledge=service.knowledge,
        events=service.events.subscribe,
        embedders=service.knowledge.embedders,
    )
    show_tab(dialog, "Knowledge")
    yield dialog
    dialog.close()


def test_knowledge_without_a_base_explains_and_adds_a_folder_as_its_first_base(
    knowledge_dialog: PreferencesDialog,
    core: Core,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = knowledge_dialog.knowledge
    qtbot.waitUntil(page.intro.isVisible)  # once the bases are read: there are none
    assert not page.panes.isVisible()
    assert "indexed on this computer" in page.intro.text()
    assert "only the passages picked for a question are sent" in page.intro.text()
    assert page.intro.button.text() == "Add a folder…"

    folder = tmp_path / "Recipes"
    folder.mkdir()
    (folder / "bread.md").write_text("# Bread\n\nFlour, water, salt and time.\n")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_, **__: str(folder))
    qtbot.mouseClick(page.intro.button, LEFT)
    patterns = page.sources.patterns
    assert isinstance(patterns, FolderPatterns)  # the add flow's own dialog
    wait_exposed(qtbot, patterns)
    qtbot.mouseClick(patterns.add_button, LEFT)

    qtbot.waitUntil(lambda: page.current() is not None and page.current().name == "Recipes")
    qtbot.waitUntil(page.panes.isVisible)
    assert not page.intro.isVisible()
    qtbot.waitUntil(lambda: page.status.text() == "Made “Recipes”.")
    qtbot.waitUntil(lambda: page.sources.tree.topLevelItemCount() == 1)
    assert str(folder) in page.sources.tree.topLevelItem(0).text(0)


def test_knowledge_with_a_base_opens_on_its_panes(
    core: Core, qtbot: QtBot, runner: Runner, finish: Any
) -> None:
    finish(core.service.knowledge.create("Notes"))
    service = core.service
    dialog = _dialog(qtbot, runner, models=service.known_models, knowledge=service.knowledge)
    show_tab(dialog, "Knowledge")
    page = dialog.knowledge
    qtbot.waitUntil(lambda: page.list.count() == 1)
    assert page.panes.isVisible()
    assert not page.intro.isVisible()
    dialog.close()


@pytest.fixture
def tools(tmp_path: Path, finish: Any) -> Iterator[Tools]:
    settings = Settings()
    made = tools_in(lambda: settings, tmp_path / "config", log_dir=tmp_path / "logs")
    yield made
    finish(made.aclose())


def test_tools_without_a_server_explain_the_policy_and_open_the_server_form(
    qtbot: QtBot, runner: Runner, tools: Tools
) -> None:
    dialog = _dialog(qtbot, runner, tools=tools)
    show_tab(dialog, "Tools")
    page = dialog.tools
    assert page.intro.isVisible()
    assert "MCP server" in page.intro.text()
    assert "nothing runs unless you allow it" in page.intro.text()

    qtbot.mouseClick(page.intro.button, LEFT)
    form = page.server_form
    assert form is not None  # the Add button's own form
    wait_exposed(qtbot, form)
    assert form.editing is None
    qtbot.keyClicks(form.name, "notes")
    qtbot.keyClicks(form.command, "notes-server")
    qtbot.mouseClick(form.save, LEFT)
    qtbot.waitUntil(lambda: "Saved notes." in page.status.text())
    assert not page.intro.isVisible()  # a server exists: the list says the rest
    assert [server.name for server in tools.servers()] == ["notes"]
    dialog.close()


@pytest.fixture
def team_page(qtbot: QtBot, core: Core, runner: Runner) -> Iterator[TeamPage]:
    dialog = _dialog(qtbot, runner, team=core.team)
    show_tab(dialog, "Team")
    yield dialog.team
    dialog.close()


def test_team_opens_on_joining_with_the_server_fields_folded(team_page: TeamPage) -> None:
    page = team_page
    boxes = [box for box in page.findChildren(QGroupBox) if box.isVisible()]
    assert boxes[0] is page.join_box  # first on the page
    assert [box.title() for box in boxes] == ["Join a team", "Sync"]
    assert all(f.isVisible() for f in (page.address, page.user, page.password_line))
    assert page.save.text() == "&Join"
    assert page.advanced_button.isVisible()
    assert not page.advanced_button.isChecked()
    assert not any(f.isVisible() for f in (page.host, page.port, page.tls, page.ca_file))

    page.advanced_button.click()
    assert all(f.isVisible() for f in (page.host, page.port, page.tls, page.ca_file))


def test_an_address_typed_fills_the_server_fields_that_are_saved(
    team_page: TeamPage, qtbot: QtBot
) -> None:
    page = team_page
    qtbot.keyClicks(page.address, "postgresql://alice@db.example.org:6432/team?sslmode=verify-ca")
    assert (page.host.text(), page.port.value(), page.database.text()) == (
        "db.example.org",
        6432,
        "team",
    )
    assert page.user.text() == "alice"
    saved = page.sync(Settings().sync)
    assert (saved.host, saved.port, saved.database, saved.user, saved.sslmode) == (
        "db.example.org",
        6432,
        "team",
        "alice",
        "verify-ca",
    )
    assert not page.host.isVisible()  # the address said everything

    page.address.clear()
    qtbot.keyClicks(page.address, "team.example.org")  # a host alone: the defaults for the rest
    saved = page.sync(Settings().sync)
    assert (saved.host, saved.port, saved.database) == ("team.example.org", 5432, "chatdesk")


def test_an_address_that_cannot_be_read_says_why_and_unfolds_the_fields(
    team_page: TeamPage, qtbot: QtBot
) -> None:
    page = team_page
    qtbot.keyClicks(page.address, "https://db.example.org")
    assert not page.host.isVisible()  # nothing is said while it is typed
    qtbot.keyClick(page.address, Qt.Key.Key_Tab)  # the field is left
    qtbot.waitUntil(lambda: page.result.tone is Tone.ERROR)
    assert "postgresql://" in page.result.text()
    assert page.host.isVisible()  # the fields can say what the address cannot
    page.host.setText("db.example.org")
    page.host.textEdited.emit("db.example.org")
    assert page.address.text() == "postgresql://db.example.org:5432/chatdesk"


def test_a_setting_found_under_advanced_by_a_search_unfolds_it(
    team_page: TeamPage, qtbot: QtBot
) -> None:
    dialog = team_page.window()
    assert isinstance(dialog, PreferencesDialog)
    dialog.tabs.setCurrentWidget(dialog.appearance)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    search = dialog.tabs.search
    search.setFocus()
    qtbot.keyClicks(search, "tls mode")
    assert not team_page.advanced_button.isChecked()  # folded until found
    qtbot.keyClick(search, Qt.Key.Key_Return)
    qtbot.waitUntil(team_page.tls.hasFocus)
    assert dialog.tabs.currentWidget() is team_page
    assert team_page.advanced_button.isChecked()
    assert team_page.tls.isVisible()


@pytest.fixture
def without_keyring(memory_keyring: MemoryKeyring) -> None:
    keyring.set_keyring(fail.Keyring())  # before the core looks for one


def test_without_a_keyring_the_password_note_is_one_line_and_its_reason_unfolds(
    without_keyring: None, team_page: TeamPage, qtbot: QtBot
) -> None:
    note = team_page.keyring_note
    qtbot.waitUntil(note.isVisible)  # the login is read off the GUI thread
    assert note.line.text() == "⚠ No keyring here: the password is not saved."
    assert note.more.accessibleName() == "Show the details"
    assert not note.detail.isVisible()

    qtbot.mouseClick(note.more, LEFT)
    assert note.detail.isVisible()
    assert note.detail.text().startswith("A password cannot be saved here: no system keyring")
    assert "PGPASSWORD" in note.detail.text()
    qtbot.mouseClick(note.more, LEFT)
    assert not note.detail.isVisible()
