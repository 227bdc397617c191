"""The sidebar driven as a person would: clicks, keys, context-menu actions, dialogs.

Threads are seeded straight into the store (with chosen activity times) before the sidebar
starts; everything after that goes through the service, and the sidebar follows its events.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QAction, QContextMenuEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core import i18n
from chatdesk.core.ids import new_id
from chatdesk.core.store.models import Thread
from chatdesk.ui.runner import Runner
from chatdesk.ui.sidebar import Sidebar
from chatdesk.ui.sidebar.dialogs import ProjectDialog
from chatdesk.ui.sidebar.model import PAGE_SIZE, ThreadTreeModel

LEFT = Qt.MouseButton.LeftButton
# Local noon on a Wednesday: "yesterday" and "a week ago" are unambiguous whatever the zone.
NOW = datetime(2025, 6, 18, 12, 0).astimezone()


@dataclass(frozen=True)
class Seed:
    title: str
    at: datetime = NOW
    project_id: uuid.UUID | None = None
    pinned: bool = False
    archived: bool = False


def seed(core: Core, finish: Any, *seeds: Seed) -> list[uuid.UUID]:
    """Write threads directly (one transaction), with activity times the service would not
    let a test choose."""

    def work(session: Any) -> list[uuid.UUID]:
        rows = [
            Thread(
                id=new_id(),
                title=s.title,
                title_set_by_user=True,
                project_id=s.project_id,
                pinned=s.pinned,
                archived=s.archived,
                message_count=0,
                total_tokens=0,
                last_activity_at=s.at,
                created_at=s.at,
                updated_at=s.at,
            )
            for s in seeds
        ]
        session.add_all(rows)
        return [row.id for row in rows]

    ids: list[uuid.UUID] = finish(core.insides.store.write(work))
    return ids


@pytest.fixture
def open_sidebar(make_core: Any, qtbot: QtBot, finish: Any) -> Iterator[Any]:
    """`open_sidebar(core)` shows a started sidebar whose clock says NOW."""
    opened: list[tuple[Sidebar, Runner]] = []

    def open_(core: Core, now: Callable[[], datetime] = lambda: NOW) -> Sidebar:
        runner = Runner()
        sidebar = Sidebar(core.service, runner, now=now)
        qtbot.addWidget(sidebar)
        sidebar.resize(260, 640)
        sidebar.show()
        sidebar.start()
        opened.append((sidebar, runner))
        return sidebar

    yield open_
    for sidebar, runner in opened:
        sidebar.model.close()
        finish(runner.aclose())


# -- reading the tree as the user sees it ---------------------------------------------------------


def groups(model: ThreadTreeModel) -> list[str]:
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def group_index(model: ThreadTreeModel, title: str) -> QModelIndex:
    return next(
        model.index(row, 0)
        for row in range(model.rowCount())
        if model.index(row, 0).data() == title
    )


def titles_in(model: ThreadTreeModel, title: str) -> list[str]:
    parent = group_index(model, title)
    return [model.index(row, 0, parent).data() for row in range(model.rowCount(parent))]


def flat_titles(sidebar: Sidebar) -> list[str]:
    root = sidebar.tree.rootIndex()
    return [sidebar.model.index(r, 0, root).data() for r in range(sidebar.model.rowCount(root))]


def loaded_threads(model: ThreadTreeModel) -> int:
    return sum(model.rowCount(model.index(row, 0)) for row in range(model.rowCount()))


def shown(sidebar: Sidebar, title: str) -> QModelIndex:
    """The index of a thread the tree shows, scrolled into view."""
    model = sidebar.model
    for row in range(model.rowCount(sidebar.tree.rootIndex())):
        parent = model.index(row, 0, sidebar.tree.rootIndex())
        if parent.data() == title and model.thread_at(parent):
            return parent
        for child in range(model.rowCount(parent)):
            index = model.index(child, 0, parent)
            if index.data() == title:
                sidebar.tree.scrollTo(index)
                return index
    raise AssertionError(f"{title!r} is not shown")


def current_id(sidebar: Sidebar) -> uuid.UUID | None:
    thread = sidebar.model.thread_at(sidebar.tree.currentIndex())
    return thread.id if thread else None


def click(qtbot: QtBot, sidebar: Sidebar, index: QModelIndex) -> None:
    sidebar.tree.scrollTo(index)
    centre = sidebar.tree.visualRect(index).center()
    qtbot.mouseClick(sidebar.tree.viewport(), LEFT, pos=centre)


def trigger(menu: QMenu | None, text: str) -> None:
    """Choose a context-menu entry (submenus as "Move to project/Work"), as a click can: only
    when it is not greyed out."""
    first, _, rest = text.partition("/")
    action = entry(menu, first)
    assert action.isEnabled(), f"{first!r} is greyed out"
    if rest:
        trigger(action.menu(), rest)
    else:
        action.trigger()


def entry(menu: QMenu | None, text: str) -> QAction:
    assert menu is not None
    for action in menu.actions():
        if action.text().replace("&", "") == text:
            return action
    raise AssertionError(f"no {text!r} in {[a.text() for a in menu.actions()]}")


def can_edit(sidebar: Sidebar, project: str) -> bool:
    """Whether the project's menu offers Edit… (greyed while its last save is written)."""
    menu = sidebar.menu_for(group_index(sidebar.model, project))
    try:
        return entry(menu, "Edit…").isEnabled()
    finally:
        assert menu is not None
        menu.deleteLater()


def entries(menu: QMenu | None) -> list[str]:
    assert menu is not None
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


def open_editor(sidebar: Sidebar) -> QLineEdit:
    """The in-place editor the tree has open."""
    [editor] = [e for e in sidebar.tree.viewport().findChildren(QLineEdit) if e.isVisible()]
    assert sidebar.tree.state() == sidebar.tree.State.EditingState
    return editor


def answer(qtbot: QtBot, sidebar: Sidebar, button_text: str) -> None:
    box = sidebar.commands.dialog
    assert isinstance(box, QMessageBox)
    button = next(b for b in box.buttons() if b.text().replace("&", "") == button_text)
    qtbot.mouseClick(button, LEFT)


# -- grouping -----------------------------------------------------------------------------------


def test_threads_are_grouped_pinned_projects_then_by_day(
    make_core: Any, open_sidebar: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    work = finish(core.service.create_project("Work"))
    finish(core.service.create_project("Errands"))  # empty: shown all the same
    seed(
        core,
        finish,
        Seed("pinned in work", NOW - timedelta(days=40), work.id, pinned=True),
        Seed("work report", NOW - timedelta(hours=2), work.id),
        Seed("this morning", NOW - timedelta(hours=3)),
        Seed("monday", NOW - timedelta(days=2)),
        Seed("last week", NOW - timedelta(days=8)),
        Seed("three weeks back", NOW - timedelta(days=21)),
        Seed("spring", NOW - timedelta(days=60)),
        Seed("new year", NOW - timedelta(days=160)),
        Seed("long ago", NOW - timedelta(days=400)),
        Seed("archived one", NOW, archived=True),
    )
    sidebar = open_sidebar(core)
    model = sidebar.model

    dates = ["Today", "Previous 7 days", "Previous 30 days", "April", "January", "2024"]
    expected = ["Pinned", "Projects", "Errands", "Work", *dates]
    qtbot.waitUntil(lambda: groups(model) == expected)  # no "Yesterday": nothing then
    assert titles_in(model, "Pinned") == ["pinned in work"]
    assert titles_in(model, "Projects") == []  # the heading over the projects
    assert titles_in(model, "Today") == ["this morning"]
    assert titles_in(model, "Previous 7 days") == ["monday", "last week"]
    assert titles_in(model, "Previous 30 days") == ["three weeks back"]
    assert titles_in(model, "April") == ["spring"]
    assert titles_in(model, "January") == ["new year"]
    assert titles_in(model, "2024") == ["long ago"]

    click(qtbot, sidebar, group_index(model, "Work"))  # projects open on a click
    qtbot.waitUntil(lambda: titles_in(model, "Work") == ["work report"])
    assert sidebar.tree.isExpanded(group_index(model, "Work"))
    assert titles_in(model, "Errands") == []


def test_new_activity_moves_a_thread_to_the_top_of_today(
    make_core: Any, open_sidebar: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    [old, _] = seed(
        core,
        finish,
        Seed("old question", NOW - timedelta(days=30)),
        Seed("recent", NOW - timedelta(hours=1)),
    )
    sidebar = open_sidebar(core)
    model = sidebar.model
    qtbot.waitUntil(lambda: groups(model) == ["Projects", "Today", "Previous 30 days"])
    sidebar.select(old)
    assert current_id(sidebar) == old

    turn = finish(core.service.send(old, "something new"))
    finish(core.service.wait_for_answer(turn.answer.id))

    qtbot.waitUntil(lambda: groups(model) == ["Projects", "Today"])
    assert titles_in(model, "Today") == ["old question", "recent"]
    assert current_id(sidebar) == old  # the highlight moved with it


def test_after_midnight_today_becomes_yesterday(
    make_core: Any, open_sidebar: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    seed(core, finish, Seed("late night", NOW.replace(hour=23, minute=30)))
    clock = [NOW.replace(hour=23, minute=59, second=59, microsecond=800_000)]
    sidebar = open_sidebar(core, now=lambda: clock[0])
    qtbot.waitUntil(lambda: groups(sidebar.model) == ["Projects", "Today"])
    sidebar.select(finish(core.service.list_threads()).threads[0].id)

    clock[0] += timedelta(seconds=1)  # the sidebar's timer wakes just after midnight
    qtbot.waitUntil(lambda: groups(sidebar.model) == ["Projects", "Yesterday"])
    assert titles_in(sidebar.model, "Yesterday") == ["late night"]
    assert sidebar.tree.currentIndex().data() == "late night"  # still highlighted


# -- lazy loading and filtering -----------------------------------------------------------------


def test_only_the_first_page_loads_until_the_end_comes_into_view(
    make_core: Any, open_sidebar: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    count = 450
    seed(core, finish, *(Seed(f"chat {n:03}", NOW - timedelta(hours=n)) for n in range(count)))
    sidebar = open_sidebar(core)
    model = sidebar.model

    qtbot.waitUntil(lambda: loaded_threads(model) == PAGE_SIZE)
    for _ in range(3):  # relayouts and timers run; nothing else may be read
        QApplication.processEvents()
    assert not model.loading
    assert loaded_threads(model) == PAGE_SIZE
    last_group = model.index(model.rowCount() - 1, 0)
    assert model.canFetchMore(last_group)

    sidebar.tree.setFocus()
    qtbot.keyClick(sidebar.tree, Qt.Key.Key_End)  # the end of the list comes into view
    qtbot.waitUntil(lambda: loaded_threads(model) == 2 * PAGE_SIZE)
    qtbot.keyClick(sidebar.tree, Qt.Key.Key_End)
    qtbot.waitUntil(lambda: loaded_threads(model) == count)
    assert not model.canFetchMore(model.index(model.rowCount() - 1, 0))
    assert titles_in(model, "Previous 30 days")[-1] == f"chat {count - 1:03}"


def test_filter_finds_a_thread_not_loaded_yet(
    make_core: Any, open_sidebar: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    many = [Seed(f"chat {n:03}", NOW - timedelta(minutes=n)) for n in range(300)]
    [*_, needle] = seed(core, finish, *many, Seed("The Needle in it", NOW - timedelta(days=90)))
    sidebar = open_sidebar(core)
    model = sidebar.model
    qtbot.waitUntil(lambda: loaded_threads(model) == PAGE_SIZE)

    qtbot.keyClicks(sidebar.filter, "needle")
    qtbot.waitUntil(lambda: flat_titles(sidebar) == ["The Needle in it"])
    assert sidebar.caption.text() == "Titles containing “needle”"
    with qtbot.waitSignal(sidebar.thread_selected) as opened:
        qtbot.keyClick(sidebar.filter, Qt.Key.Key_Return)  # Enter opens the first match
    assert opened.args == [needle]

    sidebar.filter.clear()
    qtbot.keyClicks(sidebar.filter, "zzz")
    qtbot.waitUntil(lambda: sidebar.caption.text() == "No chats match “zzz”.")
    qtbot.keyClick(sidebar.filter, Qt.Key.Key_Escape)  # clears the filter
    qtbot.waitUntil(
        lambda: groups(model) == ["Projects", "Today"]
    )  # the needle is not loaded again
    assert not sidebar.caption.isVisible()


# -- renaming -----------------------------------------------------------------------------------


def test_f2_renames_in_place_enter_keeps_escape_cancels(
    make_core: Any, open_sidebar: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    [thread_id] = seed(core, finish, Seed("draft title"))
    sidebar = open_sidebar(core)
    qtbot.waitUntil(lambda: groups(sidebar.model) == ["Projects", "Today"])
    tree = sidebar.tree
    click(qtbot, sidebar, shown(sidebar, "draft title"))

    qtbot.keyClick(tree, Qt.Key.Key_F2)
    editor = open_editor(sidebar)
    qtbot.keyClicks(editor, "Final title")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: titles_in(sidebar.model, "Today") == ["Final title"])
    assert finish(core.service.get_thread(thread_id)).title == "Final title"

    qtbot.keyClick(tree, Qt.Key.Key_F2)
    editor = open_editor(sidebar)
    qtbot.keyClicks(editor, "Not this")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert tree.state() != tree.State.EditingState
    assert titles_in(sidebar.model, "Today") == ["Final title"]

    qtbot.keyClick(tree, Qt.Key.Key_F2)
    editor = open_editor(sidebar)
    qtbot.keyClick(editor, Qt.Key.Key_Delete)  # the whole title was selected
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next loop pass
    qtbot.waitUntil(sidebar.notice.isVisible)
    assert "cannot be empty" in sidebar.notice.label.text()
    assert finish(core.service.get_thread(thread_id)).title == "Final title"


# -- the thread context menu --------------------------------------------------------------------


def test_pin_moves_a_thread_to_pinned_and_back(
    make_core: Any, open_sidebar: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    seed(core, finish, Seed("keep me handy"), Seed("other"))
    sidebar = open_sidebar(core)
    model = sidebar.model
    qtbot.waitUntil(
        lambda: groups(model) == ["Projects", "Today"] and len(titles_in(model, "Today")) == 2
    )

    trigger(sidebar.menu_for(shown(sidebar, "keep me handy")), "Pin")
    qtbot.waitUntil(lambda: groups(model) == ["Pinned", "Projects", "Today"])
    assert titles_in(model, "Pinned") == ["keep me handy"]
    assert titles_in(model, "Today") == ["other"]
    assert "Unpin" in entries(sidebar.menu_for(shown(sidebar, "keep me handy")))

    trigger(sidebar.menu_for(shown(sidebar, "keep me handy")), "Unpin")
    qtbot.waitUntil(lambda: groups(model) == ["Projects", "Today"])


def test_archive_hides_a_thread_and_the_archived_view_brings_it_back(
    make_core: Any, open_sidebar: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    seed(core, finish, Seed("done with this"), Seed("still going"))
    sidebar = open_sidebar(core)
    model = sidebar.model
    qtbot.waitUntil(lambda: "Today" in groups(model) and len(titles_in(model, "Today")) == 2)

    trigger(sidebar.menu_for(shown(sidebar, "done with this")), "Archive")
    qtbot.waitUntil(lambda: titles_in(model, "Today") == ["still going"])

    qtbot.mouseClick(sidebar.archived, LEFT)
    qtbot.waitUntil(lambda: flat_titles(sidebar) == ["done with this"])
    assert sidebar.caption.text() == "Archived chats"
    menu = sidebar.menu_for(shown(sidebar, "done with this"))
    assert "Pin" not in entries(menu)
    trigger(menu, "Unarchive")
    qtbot.waitUntil(lambda: flat_titles(sidebar) == [])
    qtbot.waitUntil(lambda: sidebar.caption.text() == "No archived chats.")

    qtbot.mouseClick(sidebar.archived, LEFT)
    qtbot.waitUntil(lambda: "Today" in groups(model) and len(titles_in(model, "Today")) == 2)


def test_delete_offers_undo_which_restores(
    make_core: Any, open_sidebar: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    [doomed, _] = seed(core, finish, Seed("oops"), Seed("stays"))
    sidebar = open_sidebar(core)
    model = sidebar.model
    qtbot.waitUntil(lambda: "Today" in groups(model) and len(titles_in(model, "Today")) == 2)

    trigger(sidebar.menu_for(shown(sidebar, "oops")), "Delete")
    qtbot.waitUntil(lambda: sidebar.notice.action.isVisible())
    assert titles_in(model, "Today") == ["stays"]
    assert "oops" in sidebar.notice.label.text()
    assert finish(core.service.get_thread(doomed)).deleted

    qtbot.mouseClick(sidebar.notice.action, LEFT)
    qtbot.waitUntil(lambda: sorted(titles_in(model, "Today")) == ["oops", "stays"])
    assert not finish(core.service.get_thread(doomed)).deleted
    assert not sidebar.notice.isVisible()


@pytest.mark.parametrize("code", list(i18n.LANGUAGES))
def test_the_undo_bar_ends_a_title_ending_in_a_full_stop_with_one(
    code: str, make_core: Any, open_sidebar: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    seed(core, finish, Seed("Notes on v1."))
    i18n.set_language(code)
    try:
        sidebar = open_sidebar(core)
        model = sidebar.model
        qtbot.waitUntil(lambda: model.rowCount() == 2)  # Projects, its day: in the language
        thread = model.thread_at(model.index(0, 0, model.index(1, 0)))
        assert thread is not None
        sidebar.commands.delete(thread)
        qtbot.waitUntil(lambda: sidebar.notice.action.isVisible())
        said = sidebar.notice.label.text()
    finally:
        i18n.set_language(i18n.SOURCE)
    assert "Notes on v1." in said
    assert not re.search(r"[.。][\s“”„«»「」]*[.。]", said), said


def test_the_delete_key_deletes_at_once_and_undo_brings_the_chat_back(
    make_core: Any, open_sidebar: Any, qtbot: QtBot, finish: Any
) -> None:
    """A chat goes to the trash, which Undo empties again: no question first."""
    core = make_core()
    [careful] = seed(core, finish, Seed("careful"))
    sidebar = open_sidebar(core)
    qtbot.waitUntil(lambda: groups(sidebar.model) == ["Projects", "Today"])
    click(qtbot, sidebar, shown(sidebar, "careful"))

    qtbot.keyClick(sidebar.tree, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: groups(sidebar.model) == ["Projects"])
    assert sidebar.commands.dialog is None
    assert not [b for b in sidebar.findChildren(QMessageBox) if b.isVisible()]
    assert finish(core.service.get_thread(careful)).deleted
    assert sidebar.notice.action.text() == "Undo"

    qtbot.mouseClick(sidebar.notice.action, LEFT)
    qtbot.waitUntil(lambda: groups(sidebar.model) == ["Projects", "Today"])
    assert titles_in(sidebar.model, "Today") == ["careful"]
    assert not finish(core.service.get_thread(careful)).deleted


def test_the_delete_key_on_a_project_still_asks(
    make_core: Any, open_sidebar: Any, qtbot: QtBot, finish: Any
) -> None:
    """A project's delete has no Undo: it asks first, and Cancel keeps it."""
    core = make_core()
    finish(core.service.create_project("Garden"))
    sidebar = open_sidebar(core)
    qtbot.waitUntil(lambda: groups(sidebar.model) == ["Projects", "Garden"])
    click(qtbot, sidebar, group_index(sidebar.model, "Garden"))

    qtbot.keyClick(sidebar.tree, Qt.Key.Key_Delete)
    answer(qtbot, sidebar, "Cancel")
    assert [p.name for p in finish(core.service.list_projects())] == ["Garden"]


def test_move_to_project_and_back_to_no_project(
    make_core: Any, open_sidebar: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    finish(core.service.create_project("Garden"))
    seed(core, finish, Seed("tomatoes"))
    sidebar = open_sidebar(core)
    model = sidebar.model
    qtbot.waitUntil(lambda: groups(model) == ["Projects", "Garden", "Today"])
    click(qtbot, sidebar, group_index(model, "Garden"))  # open the (empty) project
    qtbot.waitUntil(lambda: not model.loading)

    menu = sidebar.menu_for(shown(sidebar, "tomatoes"))
    trigger(menu, "Move to project/Garden")
    qtbot.waitUntil(lambda: groups(model) == ["Projects", "Garden"])
    assert titles_in(model, "Garden") == ["tomatoes"]

    trigger(sidebar.menu_for(shown(sidebar, "tomatoes")), "Move to project/No project")
    qtbot.waitUntil(lambda: groups(model) == ["Projects", "Garden", "Today"])
    assert titles_in(model, "Garden") == []


# -- projects -----------------------------------------------------------------------------------


def project_dialog(qtbot: QtBot, sidebar: Any) -> ProjectDialog:
    """The project dialog, open once the assistants it offers are read."""
    qtbot.waitUntil(lambda: isinstance(sidebar.commands.dialog, ProjectDialog))
    dialog = sidebar.commands.dialog
    assert isinstance(dialog, ProjectDialog)
    return dialog


def test_new_project_then_rename_edit_and_delete_keeping_threads(
    make_core: Any, open_sidebar: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    sidebar = open_sidebar(core)
    model = sidebar.model
    qtbot.waitUntil(lambda: not model.loading)

    qtbot.mouseClick(sidebar.new_project, LEFT)
    dialog = project_dialog(qtbot, sidebar)
    assert not dialog.ok_button.isEnabled()  # no name yet
    qtbot.keyClicks(dialog.name, "Novel")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: groups(model) == ["Projects", "Novel"])
    [project] = finish(core.service.list_projects())
    finish(core.service.create_thread(title="chapter one", project_id=project.id))

    trigger(sidebar.menu_for(group_index(model, "Novel")), "Rename")
    editor = open_editor(sidebar)
    qtbot.keyClicks(editor, "Book")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: groups(model) == ["Projects", "Book"])

    trigger(sidebar.menu_for(group_index(model, "Book")), "Edit…")
    dialog = project_dialog(qtbot, sidebar)
    assert dialog.name.text() == "Book"
    qtbot.keyClicks(dialog.prompt, "You are a patient editor.")
    dialog.model.setCurrentIndex(dialog.model.findText("mock-1"))
    [builtin, web] = [dialog.tools.item(i) for i in range(dialog.tools.count())]
    assert builtin is not None
    assert builtin.text() == "chatdesk: search your chats"
    assert builtin.checkState() == Qt.CheckState.Unchecked
    builtin.setCheckState(Qt.CheckState.Checked)  # as a click on its box does
    assert web.text() == "Web: search the web and read pages"
    assert web.checkState() == Qt.CheckState.Unchecked
    assert dialog.assistant.currentText() == "No assistant"
    dialog.assistant.setCurrentIndex(dialog.assistant.findText("Tutor"))
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: can_edit(sidebar, "Book"))  # the save is several writes
    [project] = finish(core.service.list_projects())
    assert project.system_prompt == "You are a patient editor."
    assert (project.default_provider, project.default_model) == ("mock", "mock-1")
    assert project.tools == ("chatdesk",)
    tutor = finish(core.service.assistants.find("Tutor"))
    assert project.default_assistant_id == tutor.id
    trigger(sidebar.menu_for(group_index(model, "Book")), "Edit…")
    dialog = project_dialog(qtbot, sidebar)
    assert dialog.tools.item(0).checkState() == Qt.CheckState.Checked
    assert dialog.assistant.currentText() == "Tutor"
    dialog.reject()

    with qtbot.waitSignal(sidebar.new_chat_requested) as requested:
        trigger(sidebar.menu_for(group_index(model, "Book")), "New chat in project")
    assert requested.args == [project.id]

    trigger(sidebar.menu_for(group_index(model, "Book")), "Delete…")
    answer(qtbot, sidebar, "Delete project")
    qtbot.waitUntil(lambda: groups(model) == ["Projects", "Today"])
    assert titles_in(model, "Today") == ["chapter one"]
    assert finish(core.service.list_projects()) == []


def test_a_project_cannot_be_edited_again_until_its_save_is_written(
    make_core: Any, open_sidebar: Any, qtbot: QtBot, finish: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save waits its turn at the writer. Reopened before it is written, the dialog would
    show the old choices, and saving it again would write them back over the new ones."""
    core = make_core()
    finish(core.service.create_project("Book"))
    sidebar = open_sidebar(core)
    qtbot.waitUntil(lambda: groups(sidebar.model) == ["Projects", "Book"])
    held = asyncio.Event()  # the save waits for it, as behind a busy writer
    write = core.service.save_project

    async def slow_save(*args: Any) -> Any:
        await held.wait()
        return await write(*args)

    monkeypatch.setattr(core.service, "save_project", slow_save)
    trigger(sidebar.menu_for(group_index(sidebar.model, "Book")), "Edit…")
    dialog = project_dialog(qtbot, sidebar)
    qtbot.keyClicks(dialog.prompt, "Explain slowly.")
    dialog.assistant.setCurrentIndex(dialog.assistant.findText("Tutor"))
    qtbot.mouseClick(dialog.ok_button, LEFT)

    assert not can_edit(sidebar, "Book")  # not written yet
    held.set()
    qtbot.waitUntil(lambda: can_edit(sidebar, "Book"))
    trigger(sidebar.menu_for(group_index(sidebar.model, "Book")), "Edit…")
    dialog = project_dialog(qtbot, sidebar)
    assert dialog.assistant.currentText() == "Tutor"
    assert dialog.prompt.toPlainText() == "Explain slowly."
    dialog.reject()


def test_a_project_answers_from_the_knowledge_bases_ticked_in_its_dialog(
    make_core: Any, open_sidebar: Any, qtbot: QtBot, finish: Any, tmp_path: Path
) -> None:
    core = make_core()
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "car.md").write_text("The car's tyre pressure is 2.4 bar.\n", encoding="utf-8")
    base = finish(core.service.knowledge.create("Garage"))
    finish(core.service.knowledge.add(base.id, notes))
    finish(core.service.knowledge.index(base.id), timeout=30_000)
    sidebar = open_sidebar(core)
    qtbot.waitUntil(lambda: not sidebar.model.loading)

    qtbot.mouseClick(sidebar.new_project, LEFT)
    dialog = project_dialog(qtbot, sidebar)
    qtbot.keyClicks(dialog.name, "Car")
    [garage] = [dialog.knowledge.item(i) for i in range(dialog.knowledge.count())]
    assert garage is not None
    assert garage.text() == "Garage"
    garage.setCheckState(Qt.CheckState.Checked)  # as a click on its box does
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: groups(sidebar.model) == ["Projects", "Car"])
    [project] = finish(core.service.list_projects())
    qtbot.waitUntil(lambda: finish(core.service.knowledge.links("project_id", project.id)) != [])

    turn = finish(core.service.send_new("What is the tyre pressure?", project_id=project.id))
    answer = finish(core.service.wait_for_answer(turn.answer.id))
    assert [s.name for s in answer.sources] == ["car.md"]
    assert "2.4 bar" in answer.content
    trigger(sidebar.menu_for(group_index(sidebar.model, "Car")), "Edit…")
    dialog = project_dialog(qtbot, sidebar)
    assert dialog.knowledge.item(0).checkState() == Qt.CheckState.Checked
    dialog.reject()


def test_edit_dialog_keeps_a_model_it_does_not_offer(
    make_core: Any, open_sidebar: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    finish(core.service.create_project("Lab", default_model="my-local-model"))
    sidebar = open_sidebar(core)
    qtbot.waitUntil(lambda: groups(sidebar.model) == ["Projects", "Lab"])

    trigger(sidebar.menu_for(group_index(sidebar.model, "Lab")), "Edit…")
    dialog = project_dialog(qtbot, sidebar)
    assert dialog.model.currentText() == "my-local-model"
    dialog.model.setEditText("")
    qtbot.keyClicks(dialog.model, "typed-model")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: finish(core.service.list_projects())[0].default_model == "typed-model")


# -- selection and keyboard ---------------------------------------------------------------------


def test_click_and_enter_emit_the_thread_arrows_only_move(
    make_core: Any, open_sidebar: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    [first, second] = seed(
        core,
        finish,
        Seed("first", NOW - timedelta(minutes=1)),
        Seed("second", NOW - timedelta(minutes=2)),
    )
    sidebar = open_sidebar(core)
    qtbot.waitUntil(lambda: groups(sidebar.model) == ["Projects", "Today"])

    with qtbot.waitSignal(sidebar.thread_selected) as chosen:
        click(qtbot, sidebar, shown(sidebar, "first"))
    assert chosen.args == [first]

    with qtbot.assertNotEmitted(sidebar.thread_selected):
        qtbot.keyClick(sidebar.tree, Qt.Key.Key_Down)
    with qtbot.waitSignal(sidebar.thread_selected) as chosen:
        qtbot.keyClick(sidebar.tree, Qt.Key.Key_Return)
    assert chosen.args == [second]
    qtbot.keyClick(sidebar.tree, Qt.Key.Key_Left)  # up to the "Today" header
    qtbot.keyClick(sidebar.tree, Qt.Key.Key_Left)  # would close it in a plain tree
    assert sidebar.tree.currentIndex() == group_index(sidebar.model, "Today")
    assert sidebar.tree.isExpanded(group_index(sidebar.model, "Today"))

    with qtbot.waitSignal(sidebar.new_chat_requested) as requested:
        qtbot.mouseClick(sidebar.new_chat, LEFT)
    assert requested.args == [None]


# A real popup: the offscreen platform says it cannot raise it or grab the keyboard for it.
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_the_menu_key_opens_the_menu_of_the_highlighted_thread(
    make_core: Any, open_sidebar: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    seed(core, finish, Seed("with a menu"))
    sidebar = open_sidebar(core)
    qtbot.waitUntil(lambda: groups(sidebar.model) == ["Projects", "Today"])
    click(qtbot, sidebar, shown(sidebar, "with a menu"))

    # What the menu key (or Shift+F10) sends to the focused widget:
    origin = QPoint(0, 0)
    keyboard = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, origin, origin)
    QApplication.sendEvent(sidebar.tree, keyboard)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu)
    assert entries(menu)[:2] == ["Rename", "Pin"]
    menu.close()


def tab_stops(qtbot: QtBot, sidebar: Sidebar, count: int) -> list[QWidget]:
    """The widgets Tab reaches from New chat, `count` of them."""
    sidebar.new_chat.setFocus()
    reached = []
    for _ in range(count):
        focused = QApplication.focusWidget()
        assert focused is not None
        reached.append(focused)
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    return reached


def test_every_control_is_named_and_reachable_by_tab(
    make_core: Any, open_sidebar: Any, qtbot: QtBot
) -> None:
    sidebar = open_sidebar(make_core())
    controls = [sidebar.new_chat, sidebar.search, sidebar.tree, sidebar.new_project]
    controls.append(sidebar.archived)
    for control in [*controls, sidebar.filter]:
        assert control.accessibleName()
        assert control.accessibleDescription()
    assert sidebar.new_project.toolTip() == "New project"  # an icon alone: its name shown too
    with qtbot.waitActive(sidebar):
        sidebar.activateWindow()
    qtbot.waitUntil(sidebar.new_project.isVisible)  # shown once placed on the Projects heading
    assert tab_stops(qtbot, sidebar, len(controls)) == controls  # the filter hidden: skipped

    sidebar.tree.setFocus()
    qtbot.keyClick(sidebar.tree, Qt.Key.Key_Z)  # typing in the list filters it
    assert sidebar.filter.isVisible()
    assert sidebar.filter.text() == "z"
    qtbot.waitUntil(lambda: sidebar.model.is_flat)  # matches only: no Projects heading,
    qtbot.waitUntil(lambda: not sidebar.new_project.isVisible())  # nor its button
    controls = [sidebar.new_chat, sidebar.search, sidebar.filter, sidebar.tree, sidebar.archived]
    assert tab_stops(qtbot, sidebar, len(controls)) == controls
    assert sidebar.minimumWidth() <= 200


def test_model_passes_the_model_tester_through_changes(
    make_core: Any, open_sidebar: Any, qtbot: QtBot, qtmodeltester: Any, finish: Any
) -> None:
    core = make_core()
    work = finish(core.service.create_project("Work"))
    ids = seed(
        core,
        finish,
        *(Seed(f"t{n}", NOW - timedelta(hours=20 * n)) for n in range(12)),
        Seed("in work", NOW, work.id),
    )
    sidebar = open_sidebar(core)
    model = sidebar.model
    qtbot.waitUntil(lambda: "Work" in groups(model) and "Previous 30 days" in groups(model))
    qtmodeltester.check(model)
    qtbot.waitUntil(lambda: not model.loading)

    service = core.service
    finish(service.set_pinned(ids[5], True))  # a move to a new group
    finish(service.move_thread(ids[6], work.id))  # a move into a project
    finish(service.set_archived(ids[7], True))  # a removal
    finish(service.create_thread(title="brand new"))  # an insert
    finish(service.rename_project(work.id, "Alpha"))  # a group keeps its place
    finish(service.create_project("Zeta"))  # a group is inserted
    finish(service.delete_thread(ids[11]))  # the last of its day
    finish(service.delete_project(work.id))  # a group goes, its threads move

    qtbot.waitUntil(lambda: groups(model)[:3] == ["Pinned", "Projects", "Zeta"])
    assert groups(model) == ["Pinned", "Projects", "Zeta", "Today", "Yesterday", "Previous 7 days"]
    assert titles_in(model, "Pinned") == ["t5"]
    assert titles_in(model, "Today") == ["brand new", "in work", "t0"]
    assert titles_in(model, "Previous 7 days") == ["t2", "t3", "t4", "t6", "t8", "t9", "t10"]
    sidebar.model.set_view(archived=True)
    qtbot.waitUntil(lambda: flat_titles(sidebar) == ["t7"])
    sidebar.model.set_view(text="t1")
    qtbot.waitUntil(lambda: sorted(flat_titles(sidebar)) == ["t1", "t10"])


class HeldReads:
    """The service, but pages come back only when `release()` is called: what was read
    before that is stale by then if events happened meanwhile."""

    def __init__(self, service: Any) -> None:
        self._service = service
        self.events = service.events
        self.reads_done = 0
        self._gate = asyncio.Event()

    async def list_threads(self, *args: Any, **kwargs: Any) -> Any:
        page = await self._service.list_threads(*args, **kwargs)
        self.reads_done += 1
        await self._gate.wait()
        return page

    async def list_projects(self) -> Any:
        return await self._service.list_projects()

    def release(self) -> None:
        self._gate.set()


def test_events_during_a_page_read_win_over_the_stale_page(
    make_core: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    [pinned, deleted, _] = seed(
        core, finish, Seed("gets pinned"), Seed("gets deleted"), Seed("unchanged")
    )
    held = HeldReads(core.service)
    runner = Runner()
    model = ThreadTreeModel(held, runner, now=lambda: NOW)  # type: ignore[arg-type]
    model.start()
    qtbot.waitUntil(lambda: held.reads_done == 2)  # pinned and unfiled pages, both stale soon
    finish(core.service.set_pinned(pinned, True))
    finish(core.service.delete_thread(deleted))
    held.release()

    qtbot.waitUntil(lambda: not model.loading)
    assert groups(model) == ["Pinned", "Projects", "Today"]
    assert titles_in(model, "Pinned") == ["gets pinned"]
    assert titles_in(model, "Today") == ["unchanged"]
    model.close()
    finish(runner.aclose())


def test_the_layout_places_threads_without_qt(make_core: Any, finish: Any) -> None:
    """Where a thread's row is, by its group and day, with no model or view in the way."""
    from chatdesk.ui.sidebar.layout import Layout
    from chatdesk.ui.sidebar.roles import GroupKind

    core = make_core()
    project = finish(core.service.create_project("Budget"))
    finish(core.service.create_thread(title="filed", project_id=project.id))
    loose = finish(core.service.create_thread(title="loose"))
    today = loose.last_activity_at.astimezone().date()
    layout = Layout(today)
    layout.projects[project.id] = project
    layout.build(archived=False, text="")
    # The date groups show once they fill; the heading over the projects is always there.
    assert [g.title for g in layout.shown] == ["Projects", "Budget"]
    feed = next(f for f in layout.feeds() if f.accepts(loose))
    feed.extend([loose])
    assert layout.holder(loose.id) is feed
    assert layout.group_for(feed, loose).title == "Today"

    layout.new_day(today + timedelta(days=1))
    assert layout.group_for(feed, loose).title == "Yesterday"
    assert [g.title for g in layout.shown] == ["Projects", "Budget", "Yesterday"]
    assert layout.rows(layout.shown[2]) == 1

    layout.new_day(today + timedelta(days=20))
    assert [g.title for g in layout.shown] == ["Projects", "Budget", "Previous 30 days"]
    later = today + timedelta(days=400)  # a year and more: the group of its year
    layout.new_day(later)
    assert [g.title for g in layout.shown][-1] == str(today.year)
    assert layout.rows(layout.shown[-1]) == 1

    layout.build(archived=False, text="loo")
    assert layout.is_flat
    assert [(g.kind, g.title) for g in layout.shown] == [(GroupKind.MATCHES, "Matches")]


def test_the_rows_kept_for_the_next_start_are_those_on_screen_in_the_usual_view(
    make_core: Any, open_sidebar: Any, qtbot: QtBot, finish: Any
) -> None:
    from chatdesk.ui.sidebar.roles import GroupKind
    from chatdesk.ui.sidebar.snapshot import MAX_ROWS, GroupRow, ThreadRow

    core = make_core()
    many = [Seed(f"old {n}", at=NOW - timedelta(days=30, minutes=n)) for n in range(80)]
    seed(core, finish, Seed("pinned one", pinned=True), Seed("fresh"), *many)
    sidebar = open_sidebar(core)
    model = sidebar.model
    qtbot.waitUntil(lambda: "Previous 30 days" in groups(model) and not model.loading)

    kept = sidebar.kept_rows()
    assert kept is not None
    now = NOW.timestamp()
    pinned = (ThreadRow("pinned one", pinned=True, at=now),)
    assert kept[0] == GroupRow(GroupKind.PINNED, "Pinned", True, pinned)
    assert (kept[1].kind, kept[1].title, kept[1].threads) == (GroupKind.PROJECTS, "Projects", ())
    assert kept[2] == GroupRow(GroupKind.DATE, "Today", True, (ThreadRow("fresh", at=now),))
    older = kept[3]
    assert (older.kind, older.title) == (GroupKind.DATE, "Previous 30 days")
    assert [t.title for t in older.threads] == [f"old {n}" for n in range(len(older.threads))]
    assert sum(1 + len(group.threads) for group in kept) == MAX_ROWS  # no more than that

    qtbot.mouseClick(sidebar.archived, LEFT)
    qtbot.waitUntil(lambda: sidebar.caption.text() == "No archived chats.")
    assert sidebar.kept_rows() is None  # the next start does not open on the archive
    qtbot.mouseClick(sidebar.archived, LEFT)
    sidebar.filter.setText("fresh")
    assert sidebar.kept_rows() is None
