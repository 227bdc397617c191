"""The conversation as a reading column: its text at most `ui.column_width` wide and centred,
the message box under it as wide, the user's bubbles fitted to their words on the trailing
side, "↓ Latest" beside the text; and the window at its smallest and narrow (the sidebar
folded away, a button in the header to bring it back)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core.i18n import ntr
from chatdesk.ui import language
from chatdesk.ui.conversation.message import MessageWidget
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.colours import colours
from chatdesk.ui.window.layout import MINIMUM_SIZE
from tests.ui.composer_parts import chips
from tests.ui.pixels import inked

SHORT = "Which database suits a desktop app?"
LONG = (
    "I keep my notes in plain files today and I would like to move them into something I can "
    "search and sync between two laptops without running a server at home. What would you "
    "choose, and what would you watch out for? " * 2
)
MEASURE = 760  # ui.column_width's default


@pytest.fixture
def thread_window(make_core: Any, open_window: Any, finish: Any, qtbot: QtBot) -> MainWindow:
    """A window showing a thread: a one-line question, its answer, a long question, its answer."""
    core: Core = make_core()
    first = finish(core.service.send_new(SHORT))
    finish(core.service.wait_for_answer(first.answer.id))
    second = finish(core.service.send(first.answer.thread_id, LONG))
    finish(core.service.wait_for_answer(second.answer.id))
    window: MainWindow = open_window(core)
    window.show_thread(first.answer.thread_id)
    qtbot.waitUntil(lambda: len(window.view.widgets) == 4)
    qtbot.waitUntil(lambda: all(w.rendered is not None for w in window.view.widgets))
    return window


def _in_window(widget: QWidget) -> QRect:
    window = widget.window()
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def _answer(window: MainWindow) -> QRect:
    """Where the last answer's text is, in the window."""
    return _in_window(window.view.widgets[-1].body)


def _bubble(widget: MessageWidget) -> QRect:
    bubble = widget.body.parentWidget()
    assert bubble is not None
    return _in_window(bubble)


def _bar(view: QWidget) -> int:
    """The width the scroll bar takes from the conversation."""
    return view.width() - view.viewport().width()  # type: ignore[attr-defined]


def _resized(qtbot: QtBot, window: MainWindow, width: int, text_width: int) -> None:
    window.resize(width, 700)
    qtbot.waitUntil(lambda: window.panes.side().isHidden() == (width < 900))
    qtbot.waitUntil(lambda: _answer(window).width() == text_width)


@pytest.mark.parametrize("width", [MINIMUM_SIZE.width(), 800, 1600, 3840])
def test_the_text_stands_in_a_centred_column_no_wider_than_the_setting(
    qtbot: QtBot, thread_window: MainWindow, width: int
) -> None:
    window = thread_window
    view = window.view
    wide = width >= 1600  # room beside the column at the default measure, the sidebar shown
    window.resize(width, 700)
    qtbot.waitUntil(lambda: window.panes.side().isHidden() == (width < 900))
    if wide:
        qtbot.waitUntil(lambda: _answer(window).width() == MEASURE)
    else:  # the whole width but a margin on each side (and the scroll bar on its side)
        qtbot.waitUntil(lambda: 24 <= view.width() - _answer(window).width() <= 24 + _bar(view))

    def box() -> QRect:
        return _in_window(window.composer.editor.parentWidget())  # type: ignore[arg-type]

    # The message box stands under the text, edge to edge with it.
    qtbot.waitUntil(lambda: abs(box().left() - _answer(window).left()) <= 2)
    text = _answer(window)
    assert text.width() <= MEASURE
    assert abs(box().right() - text.right()) <= (2 if wide else _bar(view))
    pane = _in_window(view)
    left, right = text.left() - pane.left(), pane.right() - text.right()
    if wide:
        assert abs(left - right) <= 1  # centred in the conversation's pane
        assert left > 200


def test_a_short_question_gets_a_small_bubble_on_the_trailing_side(
    qtbot: QtBot, thread_window: MainWindow
) -> None:
    window = thread_window
    _resized(qtbot, window, 1600, MEASURE)
    short, long = window.view.widgets[0], window.view.widgets[2]
    text = _answer(window)
    line = short.body.fontMetrics().horizontalAdvance(SHORT)
    # As wide as its line (and the bubble's padding), on one line, ending where the text ends.
    assert line + 24 <= _bubble(short).width() <= line + 24 + 12
    assert short.body.document().size().height() < 2 * short.body.fontMetrics().lineSpacing()
    assert abs(_bubble(short).right() - text.right()) <= 1
    # A long one wraps, at most four fifths of the column, ending there too.
    assert _bubble(short).width() < _bubble(long).width() <= 0.8 * (MEASURE + 24) + 1
    assert long.body.document().size().height() > 3 * long.body.fontMetrics().lineSpacing()
    assert abs(_bubble(long).right() - text.right()) <= 1


def test_right_to_left_the_bubbles_and_latest_sit_on_the_left(
    qtbot: QtBot, thread_window: MainWindow
) -> None:
    window = thread_window
    window.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    _resized(qtbot, window, 1600, MEASURE)
    short = window.view.widgets[0]
    text = _answer(window)
    qtbot.waitUntil(lambda: abs(_bubble(short).left() - text.left()) <= 1)
    assert _bubble(short).right() < text.right() - 300
    pane = _in_window(window.view)
    assert abs((text.left() - pane.left()) - (pane.right() - text.right())) <= 1
    bar = window.view.verticalScrollBar()
    bar.setValue(0)  # up from the end: "↓ Latest" shows, beside the text's trailing edge
    jump = window.view._jump
    qtbot.waitUntil(jump.isVisible)
    assert _in_window(jump).right() < text.left()


def test_latest_sits_beside_the_text_not_over_it(qtbot: QtBot, thread_window: MainWindow) -> None:
    window = thread_window
    _resized(qtbot, window, 1600, MEASURE)
    window.view.verticalScrollBar().setValue(0)
    jump = window.view._jump
    qtbot.waitUntil(jump.isVisible)
    spot, text = _in_window(jump), _answer(window)
    assert text.right() < spot.left() < text.right() + 40
    assert spot.bottom() <= _in_window(window.view).bottom()


def test_the_column_width_setting_applies_at_once(qtbot: QtBot, thread_window: MainWindow) -> None:
    window = thread_window
    _resized(qtbot, window, 1600, MEASURE)
    settings = window.settings.current
    window.settings.apply(replace(settings, ui=replace(settings.ui, column_width=500)))
    qtbot.waitUntil(lambda: _answer(window).width() == 500)
    box = window.composer.editor.parentWidget()
    assert box is not None
    qtbot.waitUntil(lambda: abs(box.width() - 500) <= 2)
    short = window.view.widgets[0]
    assert abs(_bubble(short).right() - _answer(window).right()) <= 1
    window.settings.apply(replace(settings, ui=replace(settings.ui, column_width=1000)))
    qtbot.waitUntil(lambda: _answer(window).width() == 1000)


def test_a_zoomed_window_keeps_as_many_words_a_line(
    qtbot: QtBot, thread_window: MainWindow
) -> None:
    window = thread_window
    _resized(qtbot, window, 1600, MEASURE)
    window.settings.zoom_to(150)  # View ▸ Zoom in: the text and the column grow alike
    qtbot.waitUntil(lambda: _answer(window).width() == MEASURE * 3 // 2)
    window.settings.zoom_to(100)
    qtbot.waitUntil(lambda: _answer(window).width() == MEASURE)


@pytest.fixture(params=["en", "de", "ar"])
def spoken(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    """The window's language: English, German, whose words are among the longest, and Arabic,
    from the right."""
    yield language.start(qapp, request.param)
    language.start(qapp, "en")


def test_at_its_smallest_the_window_keeps_every_control_whole(
    qtbot: QtBot, spoken: str, thread_window: MainWindow
) -> None:
    window = thread_window
    composer = window.composer
    menu = composer.plus_menu.compare  # "+" ▸ Compare
    qtbot.waitUntil(menu.menuAction().isVisible)  # the mock's models: Compare is offered
    for action in menu.actions():
        if action.data() in ("mock/mock-1", "mock/mock-2", "mock/mock-3"):
            action.trigger()  # "Compare · 3": a chip's longest words
    composer.web.switch(True)  # and Research beside Web: every chip of the row
    composer.web.research(True)
    compare = chips(composer)["compare"].label
    qtbot.waitUntil(lambda: compare.text() == ntr("Compare · {n}", "Compare · {n}", 3))
    window.resize(200, 150)
    qtbot.waitUntil(lambda: window.width() == window.minimumWidth())
    assert window.minimumWidth() >= MINIMUM_SIZE.width()
    assert window.height() == MINIMUM_SIZE.height()
    qtbot.waitUntil(lambda: window.composer.width() == window.width())  # no sidebar
    controls = [
        control
        for control in window.composer.findChildren(QWidget)
        if isinstance(control, QAbstractButton | QComboBox) and control.isVisible()
    ]
    model = window.composer.findChild(QWidget, "modelPicker")
    assert model in controls
    assert compare in controls
    assert model.text() == ntr("{n} models", "{n} models", 3)
    for control in controls:  # each shows its words whole: the model's name among them
        text = control.currentText() if isinstance(control, QComboBox) else control.text()
        assert control.width() >= control.fontMetrics().horizontalAdvance(text), text
        if isinstance(control, QAbstractButton):  # narrower, it cuts its label ("Ve…hen")
            assert control.width() >= control.sizeHint().width(), (spoken, text)


def test_the_minimum_width_grows_with_the_message_box_and_is_never_lowered(
    qtbot: QtBot, finish: Any
) -> None:
    """A control whose words shrink for a moment (a model's name read again, a pill rebuilt)
    would otherwise let the window be made narrower than the row needs the moment after."""
    window = MainWindow()
    window.show()
    try:
        composer = window.composer
        composer.set_models([("mock/long", "a-model-with-a-rather-long-name-" * 3)], "mock/long")
        qtbot.waitUntil(lambda: window.minimumWidth() > MINIMUM_SIZE.width())
        grown = window.minimumWidth()
        composer.set_models([("mock/short", "short")], "mock/short")
        qtbot.waitUntil(lambda: composer.needed_width() < grown)  # its row laid out again
        window.resize(200, 150)
        qtbot.waitUntil(lambda: window.width() == window.minimumWidth())
        assert window.minimumWidth() == grown
    finally:
        window.close()
        finish(window.aclose())
        window.deleteLater()


def test_a_narrow_window_folds_the_sidebar_away_and_brings_it_back(
    qtbot: QtBot, thread_window: MainWindow
) -> None:
    window = thread_window
    window.resize(1200, 700)
    qtbot.waitUntil(lambda: window.sidebar.isVisible())
    show_side = window.header.show_side
    assert not show_side.isVisible()
    window.resize(800, 600)
    qtbot.waitUntil(lambda: not window.sidebar.isVisible())
    assert show_side.isVisible()
    assert show_side.text() == ""  # an icon, not a glyph of the font, in the look's colour
    drawn = colours(current_look())["text_quiet"]
    qtbot.waitUntil(
        lambda: inked(show_side.icon().pixmap(show_side.iconSize()).toImage()) == {drawn}
    )
    qtbot.waitUntil(lambda: window.view.width() == 800)  # the conversation took the room
    qtbot.mouseClick(show_side, Qt.MouseButton.LeftButton)  # the user wants it back meanwhile
    qtbot.waitUntil(lambda: window.sidebar.isVisible())
    assert not show_side.isVisible()
    window.panes.toggle_side()  # Ctrl+B hides it again
    assert show_side.isVisible()
    window.resize(1200, 700)  # wide again: the sidebar stays as the user left it
    qtbot.waitUntil(lambda: window.width() == 1200)
    assert not window.sidebar.isVisible()
    window.resize(800, 600)
    qtbot.waitUntil(lambda: window.width() == 800)
    window.panes.toggle_side()
    window.resize(700, 600)  # narrower still: not hidden again behind the user's back
    qtbot.waitUntil(lambda: window.width() == 700)
    assert window.sidebar.isVisible()


def test_folded_by_width_the_sidebar_is_still_wanted_next_time(
    qtbot: QtBot, thread_window: MainWindow
) -> None:
    window = thread_window
    window.resize(800, 600)
    qtbot.waitUntil(lambda: not window.sidebar.isVisible())
    assert window.panes.side_wanted()
    window.panes.toggle_side()
    window.panes.toggle_side()  # shown, then hidden by the user
    assert not window.panes.side_wanted()
