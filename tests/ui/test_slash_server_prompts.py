"""A tool server's prompts in the composer's slash menu, with real widgets offscreen over a
started core and the test MCP server (tests/core/mcp_server.py) run over stdio: listed under
the server's name once asked for in the background, an argument form filled by keyboard with
the server's suggestions, the prompt's text and its image and resource in the composer, and a
changed list shown."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from chatdesk.ui.composer.server_prompt_form import ServerPromptForm
from chatdesk.ui.main_window import MainWindow
from tests.core.mcp_helpers import stdio


def _window(
    make_core: Any, open_window: Any, finish: Any, saved: tuple[str, str] | None = None
) -> tuple[Any, MainWindow]:
    """A core with the test server (and the prompt `saved`, title and text, if given), and its
    window."""
    core = make_core()
    if saved is not None:
        finish(core.service.prompts.save(*saved))
    finish(core.service.tools.add_server(stdio()))
    return core, open_window(core)


def _listed(window: MainWindow) -> list[str]:
    menu = window.composer.slash
    return [menu.item(i).text() for i in range(menu.count())] if menu.isVisible() else []


def _opened(qtbot: QtBot, window: MainWindow, label: str) -> None:
    """Type "/" and wait for the server's prompts to come and be listed."""
    qtbot.waitUntil(lambda: len(window.composer.slash.entries) >= 5)  # the assistants
    window.composer.editor.clear()
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Slash)
    assert window.composer.slash.isVisible()  # at once, with what is known
    qtbot.waitUntil(lambda: label in _listed(window))


# The suggestions' popup, offscreen.
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_a_servers_prompts_are_listed_under_its_name_and_filled_by_keyboard(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    _, window = _window(make_core, open_window, finish, saved=("Reply to mail", "Write a reply."))
    qtbot.waitUntil(lambda: len(window.composer.slash.entries) == 6)  # saved one, assistants
    _opened(qtbot, window, "test › Review code")
    listed = _listed(window)
    assert listed[0] == "Reply to mail"
    assert {"test › Say hello", "test › picture_and_notes"} <= set(listed)
    menu = window.composer.slash
    [markup] = [menu.item(r) for r in range(menu.count()) if "Bold" in menu.item(r).text()]
    assert markup.text() == "test › <b>Bold</b> title"  # shown as the server wrote it
    assert "&lt;img src=" in markup.toolTip()  # never a picture fetched from its address

    editor = window.composer.editor
    qtbot.keyClicks(editor, "rev")
    assert _listed(window)[0] == "test › Review code"  # before the assistants ("Code reviewer")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    form = window.models.slash.servers.form
    assert isinstance(form, ServerPromptForm)
    assert "test" in form.windowTitle()
    assert not form.use.isEnabled()  # language is required
    language = form.fields["language"]
    qtbot.waitUntil(language.hasFocus)
    qtbot.keyClicks(language, "p")
    completions = language.completer().model()
    qtbot.waitUntil(lambda: completions.rowCount() == 3)  # python, perl, php
    assert [completions.index(r, 0).data() for r in range(3)] == ["python", "perl", "php"]
    language.completer().popup().hide()
    qtbot.keyClicks(language, "ython")
    assert form.use.isEnabled()
    with qtbot.waitSignal(form.finished):
        qtbot.keyClick(language, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.composer.text() != "")
    assert window.composer.text() == "Review this python code.\n\nPaste the code below."
    assert window.current_thread_id is None  # nothing was sent


def test_esc_closes_the_form_and_a_prompt_brings_its_image_and_resource(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    _, window = _window(make_core, open_window, finish)
    _opened(qtbot, window, "test › Review code")
    editor = window.composer.editor
    qtbot.keyClicks(editor, "review")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    form = window.models.slash.servers.form
    assert form is not None
    with qtbot.waitSignal(form.rejected):
        qtbot.keyClick(form.fields["language"], Qt.Key.Key_Escape)
    assert window.composer.text() == ""

    _opened(qtbot, window, "test › picture_and_notes")
    qtbot.keyClicks(editor, "picture")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # no arguments: got at once
    qtbot.waitUntil(lambda: len(window.composer.attachments()) == 2)
    assert window.composer.text() == "Look at these."
    image, notes = window.composer.attachments()
    assert image.kind == "image"
    assert image.name.startswith("picture_and_notes, image 2")
    assert notes.name == "notes.txt"
    assert "n1" in (notes.text or "")


def test_a_changed_prompt_list_is_shown(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core, window = _window(make_core, open_window, finish)
    _opened(qtbot, window, "test › Say hello")
    assert "test › Added later" not in _listed(window)
    window.composer.editor.clear()  # the menu closed: nothing asks for a changed list now
    assert not window.composer.slash.isVisible()
    outcome = finish(core.service.tools.source("test").call("more_prompts", {}))
    assert outcome.text == "more"
    qtbot.waitUntil(lambda: core.service.tools.prompts.stale() == ["test"])
    _opened(qtbot, window, "test › Added later")


def test_an_open_menu_shows_a_changed_list_keeping_the_typed_filter_and_the_marked_entry(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core, window = _window(make_core, open_window, finish)
    _opened(qtbot, window, "test › Say hello")
    editor = window.composer.editor
    qtbot.keyClicks(editor, "test")
    menu = window.composer.slash
    for _ in range(2):  # not the first: a list made afresh would mark that one
        qtbot.keyClick(editor, Qt.Key.Key_Down)
    marked = menu.currentItem().text()
    outcome = finish(core.service.tools.source("test").call("more_prompts", {}))
    assert outcome.text == "more"
    # Not reopened: the menu shows the new list by itself.
    qtbot.waitUntil(lambda: "test › Added later" in _listed(window))
    assert window.composer.text() == "/test"
    assert menu.currentItem().text() == marked
    assert menu.currentRow() != 0
    assert all(label.startswith("test › ") for label in _listed(window))
