"""The sidebar as flat rows, used as a person would: New chat and Search at the top, by mouse and
by keyboard; each chat's age at the end of its row, in the user's language, moving on as the
minutes pass; the Projects heading's button that makes a project; projects as folders that
open and close; typing in the list to filter it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from chatdesk.core import i18n
from chatdesk.ui.sidebar.dialogs import ProjectDialog
from chatdesk.ui.sidebar.roles import AGE_ROLE
from tests.ui.test_sidebar import (  # noqa: F401  (open_sidebar: a fixture)
    LEFT,
    NOW,
    Seed,
    flat_titles,
    group_index,
    groups,
    open_sidebar,
    seed,
    shown,
    tab_stops,
    titles_in,
)

KEY = Qt.Key


@pytest.fixture
def sidebar_of(open_sidebar: Any) -> Any:  # noqa: F811
    """`sidebar_of(core)`: test_sidebar.py's `open_sidebar(core)`, a started sidebar."""
    return open_sidebar


def ages(sidebar: Any, group: str) -> list[str]:
    """The ages shown at the end of a group's rows."""
    model = sidebar.model
    parent = group_index(model, group)
    return [model.index(row, 0, parent).data(AGE_ROLE) for row in range(model.rowCount(parent))]


AGES = (
    (timedelta(seconds=20), "now"),
    (timedelta(minutes=46), "46m"),
    (timedelta(hours=3, minutes=5), "3h"),
)
OLDER = (
    (timedelta(days=2), "2d"),
    (timedelta(days=6, hours=23), "6d"),
    (timedelta(days=21), "3w"),
    (timedelta(days=150), "5mo"),
    (timedelta(days=800), "2y"),
)


def test_each_chat_shows_how_long_ago_it_was_last_active(
    make_core: Any, sidebar_of: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    seed(core, finish, *(Seed(f"chat {age}", NOW - ago) for ago, age in AGES + OLDER))
    sidebar = sidebar_of(core)
    qtbot.waitUntil(lambda: not sidebar.model.loading and "Today" in groups(sidebar.model))

    assert ages(sidebar, "Today") == [age for _, age in AGES]
    shown_ages = [a for g in groups(sidebar.model)[2:] for a in ages(sidebar, g)]
    assert shown_ages == [age for _, age in OLDER]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("de", ["jetzt", "46 Min.", "3 Std."]),
        ("fr", ["à l'instant", "46 min", "3 h"]),
        ("ja", ["今", "46分", "3時間"]),
        ("ar", ["الآن", "٤٦ د", "٣ س"]),  # Arabic's own digits
    ],
)
def test_the_ages_are_written_in_the_users_language(
    code: str, expected: list[str], make_core: Any, sidebar_of: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    seed(core, finish, *(Seed(f"chat {age}", NOW - ago) for ago, age in AGES))
    i18n.set_language(code)
    try:
        sidebar = sidebar_of(core)
        model = sidebar.model
        qtbot.waitUntil(lambda: model.rowCount() == 2 and not model.loading)
        today = model.index(1, 0)  # under the Projects heading
        written = [model.index(row, 0, today).data(AGE_ROLE) for row in range(3)]
    finally:
        i18n.set_language(i18n.SOURCE)
    assert written == expected


class Paints(QObject):
    """Counts the paints of a widget."""

    def __init__(self, watched: Any) -> None:
        super().__init__()
        self.count = 0
        watched.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_the_ages_move_on_as_the_minutes_turn(
    make_core: Any, sidebar_of: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    seed(core, finish, Seed("question", NOW - timedelta(minutes=46)))
    clock = [NOW - timedelta(milliseconds=200)]  # 45 minutes and a bit since it was active
    sidebar = sidebar_of(core, now=lambda: clock[0])
    qtbot.waitUntil(lambda: not sidebar.model.loading and "Today" in groups(sidebar.model))
    assert ages(sidebar, "Today") == ["45m"]
    paints = Paints(sidebar.tree.viewport())

    clock[0] += timedelta(seconds=1)  # the minute turns: the list's clock wakes just after
    qtbot.waitUntil(lambda: ages(sidebar, "Today") == ["46m"])
    qtbot.waitUntil(lambda: paints.count > 0)  # and the rows are drawn again with it
    assert sidebar.model.clock.next_tick_ms > 55_000  # not before the next minute's turn


def test_the_new_chat_and_search_rows_work_by_mouse_and_keyboard(
    make_core: Any, sidebar_of: Any, qtbot: QtBot
) -> None:
    sidebar = sidebar_of(make_core())
    for row, signal, args in (
        (sidebar.new_chat, sidebar.new_chat_requested, [None]),
        (sidebar.search, sidebar.search_requested, []),
    ):
        with qtbot.waitSignal(signal) as clicked:
            qtbot.mouseClick(row, LEFT)
        assert clicked.args == args
        row.setFocus()
        for key in (KEY.Key_Return, KEY.Key_Space):
            with qtbot.waitSignal(signal):
                qtbot.keyClick(row, key)
    assert sidebar.search.text() == "Search"
    assert sidebar.new_chat.height() == sidebar.search.height()


def test_the_search_row_opens_the_windows_search(
    open_window: Any, make_core: Any, qtbot: QtBot
) -> None:
    window = open_window(make_core())
    qtbot.waitUntil(lambda: hasattr(window, "sidebar"))
    qtbot.mouseClick(window.sidebar.search, LEFT)
    qtbot.waitUntil(lambda: window.on_demand.palette is not None)
    palette = window.on_demand.palette
    assert palette is not None
    qtbot.waitUntil(palette.isVisible)  # the Ctrl+K search, its field taking the keys
    qtbot.waitUntil(lambda: QApplication.focusWidget() is palette.query)
    palette.close()


def test_the_projects_heading_ends_in_the_button_that_makes_a_project(
    make_core: Any, sidebar_of: Any, qtbot: QtBot
) -> None:
    sidebar = sidebar_of(make_core())
    model, button = sidebar.model, sidebar.new_project
    qtbot.waitUntil(lambda: not model.loading and button.isVisible())
    heading = sidebar.tree.visualRect(group_index(model, "Projects"))
    assert heading.contains(button.geometry())  # on the heading's row
    assert button.geometry().right() > heading.center().x()  # at its end

    with qtbot.waitActive(sidebar):
        sidebar.activateWindow()
    [_, _, tree, reached, _] = tab_stops(qtbot, sidebar, 5)  # right after the list
    assert (tree, reached) == (sidebar.tree, button)
    qtbot.keyClick(button, KEY.Key_Space)
    qtbot.waitUntil(lambda: isinstance(sidebar.commands.dialog, ProjectDialog))
    dialog = sidebar.commands.dialog
    assert isinstance(dialog, ProjectDialog)
    qtbot.keyClicks(dialog.name, "Garden")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: groups(model) == ["Projects", "Garden"])

    qtbot.mouseClick(sidebar.archived, LEFT)  # a view without projects: no heading, no button
    qtbot.waitUntil(lambda: model.is_flat and not button.isVisible())
    qtbot.mouseClick(sidebar.archived, LEFT)
    qtbot.waitUntil(lambda: not model.is_flat and button.isVisible())


def test_a_project_is_a_folder_opened_and_closed_by_the_keys(
    make_core: Any, sidebar_of: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    work = finish(core.service.create_project("Work"))
    seed(core, finish, Seed("in work", NOW, work.id))
    sidebar = sidebar_of(core)
    model, tree = sidebar.model, sidebar.tree
    qtbot.waitUntil(lambda: groups(model) == ["Projects", "Work"])
    project = group_index(model, "Work")
    tree.setFocus()
    tree.setCurrentIndex(project)
    qtbot.keyClick(tree, KEY.Key_Right)
    qtbot.waitUntil(lambda: titles_in(model, "Work") == ["in work"])
    assert tree.isExpanded(project)
    qtbot.keyClick(tree, KEY.Key_Left)
    assert not tree.isExpanded(project)


def test_typing_in_the_list_filters_it_and_escape_puts_it_back(
    make_core: Any, sidebar_of: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    seed(core, finish, Seed("Weekend plan"), Seed("Cat names"))
    sidebar = sidebar_of(core)
    model, tree, field = sidebar.model, sidebar.tree, sidebar.filter
    qtbot.waitUntil(lambda: groups(model) == ["Projects", "Today"])
    assert not field.isVisible()  # no field until it is wanted
    tree.setFocus()
    tree.setCurrentIndex(shown(sidebar, "Cat names"))

    qtbot.keyClicks(tree, "pla")
    assert field.isVisible()
    assert field.hasFocus()
    assert field.text() == "pla"
    qtbot.waitUntil(lambda: sidebar.caption.text() == "Titles containing “pla”")
    qtbot.waitUntil(lambda: flat_titles(sidebar) == ["Weekend plan"])

    qtbot.keyClick(field, KEY.Key_Escape)  # clears the filter
    qtbot.waitUntil(lambda: groups(model) == ["Projects", "Today"])
    assert field.isVisible()
    assert field.text() == ""
    qtbot.keyClick(field, KEY.Key_Escape)  # and back to the list
    assert tree.hasFocus()
    assert not field.isVisible()
    qtbot.keyClick(tree, KEY.Key_Space)  # Space is not a filter's
    assert not field.isVisible()
