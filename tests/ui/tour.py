"""A tour of the window for tests that look at everything a user can see: a seeded database,
the main window with a thread open (with the find bar, an edit and a rename on the way), the
search palette, the context and summary dialogs, every Preferences page with its first row
chosen and the editors its buttons open (Memory's under its list), and a new project's dialog.
`tour` calls `look()` at each stop."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QLineEdit,
    QPlainTextEdit,
    QTreeWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core.chat import events as ev
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.tools.servers import parse_servers_text
from chatdesk.core.views import AttachmentInput
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.settings.profile_editor import ProfileEditor
from tests.ui.shown import shown as shown_in

WALKED = {  # the windows the tour opens, by class
    "MainWindow",
    "SearchPalette",
    "ContextWindowDialog",
    "SummaryEditor",
    "QMessageBox",
    "PreferencesDialog",
    "ProfileEditor",
    "ServerForm",
    "ImportDialog",
    "AssistantEditor",
    "QInputDialog",
    "ProjectDialog",
}


QUESTIONS = (  # each asks for what the offline demo shows: code, a table, an example
    "Show me a table and some code",
    "Which of these is fastest? Show an example",
    "And which one uses the least memory? Show the code",
)
# What the user (`seed`) and the tour wrote: shown as it was written, in any language.
DATA = (
    *QUESTIONS,
    "Work",
    "Be brief.",
    "Quarterly report outline",
    "Reading list",
    "Which database for a desktop app?",
    "notes.txt",
    "line one",
    "line two",
    "gpu-box",
    "docs",
    "Style guides",
    "code",
    "I write in British English.",
)


def seed(core: Core, finish: Any) -> Any:
    """Projects, a pinned chat, a thread of three questions and their answers (each with a
    code block, the first two summarised), and something on each page of the preferences."""
    service = core.service
    work = finish(service.create_project("Work", system_prompt="Be brief."))
    finish(service.create_thread(title="Quarterly report outline", project_id=work.id))
    pinned = finish(service.create_thread(title="Reading list"))
    finish(service.set_pinned(pinned.id, True))
    thread = finish(service.create_thread(title="Which database for a desktop app?"))
    for question in QUESTIONS:
        attached = [AttachmentInput("notes.txt", "line one\nline two\n")]
        turn = finish(service.send(thread.id, question, attachments=attached))
        finish(service.wait_for_answer(turn.answer.id))
    assert finish(service.summarize_now(thread.id)) is not None
    finish(core.profiles.save(ProviderProfile("gpu-box", "http://127.0.0.1:9/v1")))
    servers = {"docs": {"type": "streamable-http", "url": "https://mcp.example.com/docs"}}
    for server in parse_servers_text(json.dumps({"mcpServers": servers})).servers:
        finish(service.tools.add_server(server, replace=True))
    finish(service.knowledge.create("Style guides"))
    assert service.memory is not None
    finish(service.memory.add("I write in British English.", always=True))
    return thread.id


def shown(made: Callable[[], QWidget | None], qtbot: QtBot) -> QWidget:
    """The dialog `made()` returns, once it is on screen."""
    qtbot.waitUntil(lambda: (dialog := made()) is not None and dialog.isVisible())
    dialog = made()
    assert dialog is not None
    return dialog


def tour(main: MainWindow, core: Core, qtbot: QtBot, finish: Any, look: Callable[[], None]) -> None:
    thread_id = seed(core, finish)
    qtbot.waitUntil(lambda: main.sidebar.model.rowCount() >= 3)
    main.show_thread(thread_id)
    view = main.view
    qtbot.waitUntil(
        lambda: (
            len(view.widgets) == 2 * len(QUESTIONS)
            and all(w.rendered is not None for w in view.widgets)
            and view.divider.isVisible()
        )
    )
    assert all(w.rendered and w.rendered.code_blocks for w in view.widgets[1::2])
    assert all(w.attachments is not None for w in view.widgets[::2])
    core.service.events.publish(ev.SyncStateChanged("syncing", "", 2, 0))  # its status shows
    look()

    QTest.keyClick(main, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(main.find_bar.field, "code")
    assert main.find_bar.isVisible()
    main.sidebar.filter.setText("Work")  # its clear button shows
    view.divider.view_button.setChecked(True)
    editing = view.widgets[0]
    editing.start_editing()
    qtbot.waitUntil(lambda: any(e.isVisible() for e in editing.findChildren(QPlainTextEdit)))
    look()
    main.find_bar.close_bar()
    main.sidebar.filter.clear()
    # The filter applies once typing pauses: on a busy machine "Work" may have emptied the
    # list meanwhile. The thread is renamed once the list shows it again.
    model = main.sidebar.model
    qtbot.waitUntil(lambda: not model.is_flat and model.index_of_thread(thread_id).isValid())

    main.rename_thread()  # the title's editor in the thread list
    renaming = shown_in(qtbot, main.sidebar.tree.viewport(), QLineEdit)
    look()
    QTest.keyClick(renaming, Qt.Key.Key_Escape)

    walk_search(main, qtbot, look)
    walk_context_dialogs(main, qtbot, look)
    walk_preferences(main, qtbot, look)
    walk_connect(main, qtbot, look)
    main.sidebar.commands.create_project()
    shown(lambda: main.sidebar.commands.dialog, qtbot)
    look()
    close_dialogs()


def close_dialogs() -> None:
    for top in QApplication.topLevelWidgets():
        if isinstance(top, QDialog) and top.isVisible():
            top.reject()


def walk_connect(window: MainWindow, qtbot: QtBot, walk: Callable[[], None]) -> None:
    """File ▸ Connect a model: the page once it has looked on this computer, Azure chosen."""
    window.menus.actions["connecting.offer"].trigger()
    page = window.connecting.page
    assert page is not None
    qtbot.waitUntil(page.local.again.isEnabled)
    page.choose("azure")
    walk()
    window.connecting.close()


def walk_search(window: MainWindow, qtbot: QtBot, walk: Callable[[], None]) -> None:
    QTest.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    palette = window.on_demand.palette
    assert palette is not None
    assert palette.isVisible()
    with qtbot.waitSignal(palette.results_shown):
        QTest.keyClicks(palette.query, "memory")
    assert palette.results_model.rowCount() > 0
    walk()
    palette.reject()


def walk_context_dialogs(window: MainWindow, qtbot: QtBot, walk: Callable[[], None]) -> None:
    window.choose_context_window()
    shown(lambda: window.context_window.dialog, qtbot)
    walk()
    close_dialogs()
    divider = window.view.divider
    for button in (divider.edit_button, divider.delete_button):  # a dialog, then a question
        window.summaries.dialog = None
        button.click()
        shown(lambda: window.summaries.dialog, qtbot)
        walk()
        close_dialogs()


def walk_preferences(window: MainWindow, qtbot: QtBot, walk: Callable[[], None]) -> None:
    """Each tab with its first row chosen, and the editors its buttons open."""
    window.settings.open_preferences()
    dialog = window.settings.dialog
    assert dialog is not None
    assert dialog.isVisible()
    lists: dict[QWidget, Callable[[], None]] = {
        dialog.providers: lambda: dialog.providers.select("gpu-box"),
        dialog.tools: lambda: choose(dialog.tools.list, "docs"),  # the built-in is fixed
        dialog.assistants: lambda: choose(dialog.assistants.list, None),
        dialog.knowledge: lambda: dialog.knowledge.list.setCurrentRow(0),
        dialog.memory: lambda: memory_row(dialog.memory),
    }
    for tab in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(tab)
        page = dialog.tabs.currentWidget()
        qtbot.waitUntil(lambda: not window.runner.busy)
        if page in lists:
            qtbot.waitUntil(lambda: rows_in(page) > 0)  # noqa: B023
            lists[page]()
            qtbot.waitUntil(lambda: not window.runner.busy)
        walk()
    editors: tuple[tuple[Callable[[], object], Callable[[], QWidget | None]], ...] = (
        (dialog.providers.add_profile, lambda: visible_child(dialog.providers, ProfileEditor)),
        (dialog.tools.open_add, lambda: dialog.tools.server_form),
        (dialog.tools.open_import, lambda: dialog.tools.import_dialog),
        (dialog.assistants.open_new, lambda: dialog.assistants.editor),
        (dialog.knowledge.open_new, lambda: dialog.knowledge.name_dialog),
    )
    for open_it, made in editors:
        open_it()
        editor = shown(made, qtbot)
        walk()
        assert isinstance(editor, QDialog)
        editor.reject()
    dialog.reject()


def memory_row(page: Any) -> None:
    """Memory's first memory chosen, and opened in the editor under the list."""
    page.table.setCurrentIndex(page.model.index(0, 0))
    page.open_edit()


def choose(tree: QTreeWidget, text: str | None) -> None:
    """The row whose first column reads `text` (None: the first row)."""
    rows = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    tree.setCurrentItem(next(r for r in rows if r and text in (None, r.text(0))))


def rows_in(page: QWidget) -> int:
    views = [v for v in page.findChildren(QAbstractItemView) if v.isVisible()]
    return max((v.model().rowCount() for v in views if v.model() is not None), default=0)


def visible_child(parent: QWidget, kind: type[QWidget]) -> QWidget | None:
    return next((c for c in parent.findChildren(kind) if c.isVisible()), None)
