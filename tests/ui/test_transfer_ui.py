"""Export and import from the File menu: the file dialog, progress and Cancel, the report, and
the sidebar that shows what came in."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core.views import ThreadFilter
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.transfer.dialog import TransferDialog
from tests.fixtures.chatgpt.export import simple, write_json, write_zip
from tests.ui.test_startup import thread_titles
from tests.ui.test_window import answer_done, send


def menu_action(window: MainWindow, text: str) -> Any:
    for action in window.menuBar().actions():
        menu = action.menu()
        for item in menu.actions() if menu is not None else []:
            if item.text().replace("&", "") == text:
                return item
    raise AssertionError(f"no menu item {text!r}")


def pick_file(qtbot: QtBot, window: MainWindow, path: Path) -> None:
    """Answer the file dialog the menu item opened, as the user would."""
    qtbot.waitUntil(lambda: window.findChild(QFileDialog) is not None)
    dialog = window.findChild(QFileDialog)
    assert dialog is not None
    assert dialog.isVisible()
    dialog.selectFile(str(path))
    dialog.accept()


def finished_dialog(qtbot: QtBot, window: MainWindow, timeout: int = 15_000) -> TransferDialog:
    transfers = window.on_demand.transfers
    assert transfers is not None
    qtbot.waitUntil(lambda: transfers.dialog is not None and not transfers.running, timeout=timeout)
    assert transfers.dialog is not None
    return transfers.dialog


def stored_titles(core: Core, finish: Any) -> list[str]:
    page = finish(core.service.list_threads(ThreadFilter(), limit=1000))
    return sorted(t.title for t in page.threads)


def test_export_thread_writes_the_chosen_format(
    make_core: Any, open_window: Any, qtbot: QtBot, tmp_path: Path
) -> None:
    window = open_window(make_core())
    assert not menu_action(window, "Export thread…").isEnabled()  # no thread shown yet
    send(qtbot, window, "Tell me about tide pools")
    qtbot.waitUntil(lambda: answer_done(window))
    answer = window.conversation.messages()[-1].content

    markdown = tmp_path / "tides.md"
    menu_action(window, "Export thread…").trigger()
    pick_file(qtbot, window, markdown)
    qtbot.waitUntil(markdown.exists)
    text = markdown.read_text(encoding="utf-8")
    assert "Tell me about tide pools" in text
    assert answer.splitlines()[0] in text
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Exported"))

    as_json = tmp_path / "tides.json"  # the suffix typed chooses the format
    menu_action(window, "Export thread…").trigger()
    pick_file(qtbot, window, as_json)
    qtbot.waitUntil(as_json.exists)
    exported = json.loads(as_json.read_text(encoding="utf-8"))
    assert exported["format"] == "chatdesk-thread"
    assert [m["content"] for m in exported["messages"]] == ["Tell me about tide pools", answer]


def test_an_export_that_cannot_be_written_says_why(
    make_core: Any, open_window: Any, qtbot: QtBot, tmp_path: Path
) -> None:
    window = open_window(make_core())
    send(qtbot, window, "hello")
    qtbot.waitUntil(lambda: answer_done(window))
    transfers = window.on_demand.transfer_actions()
    assert transfers is not None
    thread = window.current_thread_id
    assert thread is not None

    transfers.export_thread_to(thread, "hello", tmp_path / "missing" / "x.md", "md")

    qtbot.waitUntil(lambda: window.findChild(QMessageBox) is not None)
    box = window.findChild(QMessageBox)
    assert box is not None
    assert "cannot write" in box.text()
    box.close()


def test_importing_a_chatgpt_export_fills_the_sidebar_and_reports_counts(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, tmp_path: Path
) -> None:
    core = make_core()
    window = open_window(core)
    good = [simple("Sourdough starter", 3).json(), simple("Bike gears", 2).json()]
    bad = simple("Broken node", 1).json()
    bad["mapping"]["broken"] = "not an object"
    export = write_zip(tmp_path / "chatgpt-export.zip", [*good, "a string", bad])
    qtbot.waitUntil(lambda: window.sidebar.isVisible())

    menu_action(window, "Import…").trigger()
    pick_file(qtbot, window, export)
    dialog = finished_dialog(qtbot, window)

    assert dialog.heading.text() == "Import finished"
    assert "Added 2 chats (10 messages) from a ChatGPT export." in dialog.counts.text()
    assert "2 entries could not be imported" in dialog.counts.text()
    details = dialog.details.toPlainText().splitlines()
    assert len(details) == 2
    assert "node 'broken' is not an object" in details[1]
    qtbot.waitUntil(lambda: {"Sourdough starter", "Bike gears"} <= set(thread_titles(window)))
    dialog.close_button.click()
    assert not dialog.isVisible()

    window.on_demand.transfers.import_from(export)
    again = finished_dialog(qtbot, window)
    assert again is not dialog
    assert "Added 0 chats" in again.counts.text()
    assert "2 chats already here were left as they are" in again.counts.text()
    assert stored_titles(core, finish) == ["Bike gears", "Sourdough starter"]
    again.close()


def test_a_file_that_is_not_an_export_is_a_clear_failure(
    make_core: Any, open_window: Any, qtbot: QtBot, tmp_path: Path
) -> None:
    window = open_window(make_core())
    notes = tmp_path / "notes.json"
    notes.write_text('{"shopping": ["eggs"]}', encoding="utf-8")

    window.on_demand.import_file()
    pick_file(qtbot, window, notes)
    dialog = finished_dialog(qtbot, window)

    assert dialog.heading.text() == "Import failed"
    assert dialog.counts.text()  # the core's own sentence
    assert not dialog.details.isVisible()
    dialog.close()


def test_cancelling_a_long_import_keeps_whole_threads_and_a_second_import_adds_the_rest(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, tmp_path: Path
) -> None:
    core = make_core()
    window = open_window(core)
    total = 1_000  # five batches of 200 threads
    export = write_json(
        tmp_path / "conversations.json", [simple(f"chat {n}", 1).json() for n in range(total)]
    )
    window.on_demand.import_file()
    pick_file(qtbot, window, export)
    transfers = window.on_demand.transfers
    assert transfers is not None
    qtbot.waitUntil(lambda: transfers.dialog is not None)
    running = transfers.dialog
    assert running is not None
    running.progressed.connect(running.cancel_button.click)  # Cancel at the first report

    dialog = finished_dialog(qtbot, window, timeout=60_000)

    assert dialog.heading.text() == "Import stopped"
    assert "Import the file again to bring in the rest." in dialog.counts.text()
    kept = finish(core.service.list_threads(ThreadFilter(), limit=1000)).threads
    assert 0 < len(kept) < total
    assert f"Added {len(kept):,} chats ({2 * len(kept):,} messages)" in dialog.counts.text()
    for thread in kept:  # whole threads: every message there, the branch's end among them
        page = finish(core.service.list_messages(thread.id, limit=10))
        assert thread.message_count == 2
        assert next(m.content for m in page.messages) == f"Question 0 about {thread.title}?"
        assert page.messages[-1].id == thread.active_leaf_id
    qtbot.waitUntil(lambda: len(thread_titles(window)) >= min(len(kept), 50))
    dialog.close()

    window.on_demand.transfers.import_from(export)
    rest = finished_dialog(qtbot, window, timeout=60_000)
    assert f"Added {total - len(kept):,} chats" in rest.counts.text()
    assert f"{len(kept):,} chats already here" in rest.counts.text()
    assert len(stored_titles(core, finish)) == total
    rest.close()


def test_an_archive_that_cannot_be_written_says_why_in_its_dialog(
    make_core: Any, open_window: Any, qtbot: QtBot, tmp_path: Path
) -> None:
    window = open_window(make_core())
    transfers = window.on_demand.transfer_actions()
    assert transfers is not None

    transfers.export_all_to(tmp_path / "missing" / "everything.zip")
    dialog = finished_dialog(qtbot, window)

    assert dialog.heading.text() == "Export failed"
    assert "cannot write" in dialog.counts.text()
    assert not dialog.details.isVisible()
    assert dialog.close_button.isVisible()  # the task is over: it can be closed
    assert window.statusBar().currentMessage() == ""  # said once, where the user is looking
    dialog.close()


def test_export_everything_writes_an_archive_with_progress(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, tmp_path: Path
) -> None:
    core = make_core()
    for n in range(3):
        finish(core.service.create_thread(title=f"thread {n}"))
    window = open_window(core)
    archive = tmp_path / "everything.zip"

    menu_action(window, "Export everything…").trigger()
    pick_file(qtbot, window, archive)
    dialog = finished_dialog(qtbot, window)

    assert dialog.heading.text() == "Export finished"
    assert dialog.counts.text().startswith("Wrote 3 chats (0 messages) and 0 projects to ")
    with zipfile.ZipFile(archive) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
    assert sorted(t["title"] for t in manifest["threads"]) == ["thread 0", "thread 1", "thread 2"]
    dialog.close()
