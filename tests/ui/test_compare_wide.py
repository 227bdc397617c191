"""A comparison in the reading column: its answers side by side take more than the column, up
to a measure each and as much as the view allows, centred on it, while the other messages
keep to the column."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import Shiboken

from chatdesk.ui.conversation.comparison import ComparisonColumns
from chatdesk.ui.main_window import MainWindow

MEASURE = 760  # ui.column_width's default
MODELS = ("mock/mock-1", "mock/mock-2", "mock/mock-3")


def _in_window(widget: QWidget) -> QRect:
    return QRect(widget.mapTo(widget.window(), QPoint(0, 0)), widget.size())


def _columns(window: MainWindow) -> ComparisonColumns | None:
    shown = [c for c in window.actions_.compared.shown if Shiboken.isValid(c) and c.isVisible()]
    return shown[-1] if shown else None


def _compared(qtbot: QtBot, window: MainWindow, finish: Any) -> ComparisonColumns:
    """A question answered, then one sent to three models at once, all finished."""
    editor = window.composer.editor
    qtbot.keyClicks(editor, "Which database suits a desktop app?")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(window.view.widgets) == 2)
    qtbot.waitUntil(lambda: window.view.widgets[1].message.status.is_final)
    compare = window.composer.plus_menu.compare  # "+" ▸ Compare
    qtbot.waitUntil(lambda: len([a for a in compare.actions() if a.data()]) >= 3)
    for action in compare.actions():
        if action.data() in MODELS:
            action.trigger()
    qtbot.keyClicks(editor, "Explain tides")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _columns(window) is not None)
    columns = _columns(window)
    assert columns is not None
    qtbot.waitUntil(lambda: all(w.message.status.is_final for w in columns.widgets.values()))
    return columns


def test_three_answers_side_by_side_take_more_than_the_column(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window: MainWindow = open_window(make_core())
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: window.width() == 1600)
    columns = _compared(qtbot, window, finish)
    ordinary = window.view.widgets[1].body  # the first answer, alone
    qtbot.waitUntil(lambda: _in_window(ordinary).width() == MEASURE)
    view = _in_window(window.view.viewport())

    def answers() -> list[QRect]:
        return [_in_window(w.body) for w in columns.widgets.values()]

    # Each answer gets far more than a third of the column, the three within the view.
    qtbot.waitUntil(lambda: all(a.width() > MEASURE // 2 for a in answers()))
    assert all(view.left() <= a.left() and a.right() <= view.right() for a in answers())
    text = _in_window(ordinary)
    row = _in_window(columns)
    middle = (text.left() + text.right()) / 2
    room = _in_window(window.view.widget())  # the messages' width, beside the scroll bar
    message: QWidget = columns  # the message the columns stand in, laid out wide
    while message.parentWidget() is not window.view.widget():
        message = message.parentWidget()
    placed = _in_window(message)
    if placed.width() < room.width():
        assert abs((row.left() + row.right()) / 2 - middle) <= 2  # centred on the column
    else:  # as wide as the messages may be (the column stays centred in the whole view)
        assert (placed.left(), placed.right()) == (room.left(), room.right())
    assert row.width() > text.width() + 300
    assert _in_window(ordinary).width() == MEASURE  # the other messages keep to the column

    window.resize(800, 600)  # narrow: the comparison has the view's width, no more
    qtbot.waitUntil(lambda: window.width() == 800)
    qtbot.waitUntil(
        lambda: _in_window(columns).right() <= view.left() + window.view.viewport().width()
    )
    assert _in_window(columns).left() >= _in_window(window.view.viewport()).left()
    assert _in_window(columns).width() >= _in_window(ordinary).width()


def test_at_the_smallest_window_three_answers_stay_inside_it_and_scroll_sideways(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window: MainWindow = open_window(make_core())
    # The composer's whole row first (the models come after the first paint): the window's
    # minimum is what that row needs.
    qtbot.waitUntil(lambda: window.composer.plus_menu.web.isVisible())
    window.resize(560, 420)  # the window keeps to its minimum, what its controls need
    qtbot.waitUntil(lambda: window.size() == window.minimumSize().expandedTo(QSize(560, 420)))
    columns = _compared(qtbot, window, finish)
    port = window.view.viewport()
    frames = [w.parentWidget() for w in columns.widgets.values()]
    qtbot.waitUntil(lambda: all(f is not None and f.width() > 150 for f in frames))
    # Nothing goes past the window's edge: the conversation is no wider than its view.
    qtbot.waitUntil(lambda: window.view.widget().width() <= port.width())
    assert _in_window(columns).right() <= _in_window(port).right()
    # The answers that do not fit side by side are reached by scrolling sideways inside; when
    # the smallest window (as wide as the composer's row needs) holds all three, none hides.
    area = columns.sideways
    sideways = area.horizontalScrollBar()
    # What each answer needs is known once it is formatted (plain at first, on a busy machine);
    # then the bar shows when, and only when, the three need more than the view.
    qtbot.waitUntil(lambda: all(w.rendered is not None for w in columns.widgets.values()))

    def fits() -> bool:
        return area.row.minimumSizeHint().width() <= area.viewport().width()

    qtbot.waitUntil(lambda: sideways.isVisible() != fits())
    if fits():
        assert all(_in_window(f).right() <= _in_window(area.viewport()).right() for f in frames)
        return
    qtbot.waitUntil(lambda: sideways.maximum() > 0 and sideways.isVisible())
    shown = _in_window(columns.sideways.viewport())
    third = frames[-1]
    assert third is not None
    assert _in_window(third).right() > shown.right()  # cut off until scrolled to
    sideways.setValue(sideways.maximum())
    qtbot.waitUntil(lambda: _in_window(third).right() <= shown.right())
    assert _in_window(third).left() >= shown.left()


@pytest.mark.parametrize("size", [(800, 600), (560, 420)])
def test_latest_covers_none_of_the_compared_answers(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, size: tuple[int, int]
) -> None:
    window: MainWindow = open_window(make_core())
    window.resize(*size)
    columns = _compared(qtbot, window, finish)
    qtbot.waitUntil(lambda: all(w.rendered is not None for w in columns.widgets.values()))
    bar = window.view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 200)
    bar.setValue(bar.maximum() // 2)  # up from the end, into the answers
    jump = window.view._jump
    qtbot.waitUntil(jump.isVisible)
    port = _in_window(window.view.viewport())
    spot = _in_window(jump)
    for widget in columns.widgets.values():
        column = widget.parentWidget()
        assert column is not None
        seen = _in_window(column).intersected(port)  # what of the answer is on screen
        assert not seen.isEmpty() or widget is not list(columns.widgets.values())[-1]
        assert not spot.intersects(seen)
    assert spot.bottom() <= _in_window(window.view).bottom()  # in the view, not under it
