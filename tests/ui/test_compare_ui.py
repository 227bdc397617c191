"""Comparing models in the window, with real widgets offscreen over a started core on a real
SQLite file: Compare in the composer ("+" ▸ Compare) sends one message to the models chosen
(remembered in the settings), the answers stream side by side, any can be stopped alone, and
"Continue with this one" shows its branch and makes its model the chat's."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolButton
from pytestqt.qtbot import QtBot
from shiboken6 import Shiboken

from chatdesk.core.kinds import Status
from chatdesk.ui.conversation.comparison import ComparisonColumns
from chatdesk.ui.main_window import MainWindow
from tests.ui.composer_parts import chips, close_menus, open_plus

LEFT = Qt.MouseButton.LeftButton


def _compare(qtbot: QtBot, window: MainWindow) -> QMenu:
    """The "+" menu's Compare ▸, once the mock's models are in it."""
    menu = window.composer.plus_menu.compare
    qtbot.waitUntil(lambda: len(_models(menu)) >= 3)
    return menu


def _models(menu: QMenu) -> list[QAction]:
    """Its ticks, one a model (after Compare's own switch)."""
    return [action for action in menu.actions() if action.data()]


def _tick(menu: QMenu, *keys: str) -> None:
    for action in _models(menu):
        if action.data() in keys:
            action.trigger()  # as a click on the menu's entry does


def _chip(window: MainWindow) -> str:
    """What Compare's chip says ("": there is none, Compare is off)."""
    chip = chips(window.composer).get("compare")
    return chip.label.accessibleName() if chip is not None else ""


def _columns(window: MainWindow) -> ComparisonColumns | None:
    alive = [c for c in window.actions_.compared.shown if Shiboken.isValid(c)]
    shown = [c for c in alive if c.isVisible()]
    return shown[-1] if shown else None


def test_compare_sends_to_each_model_and_shows_the_answers_side_by_side(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core(tokens_per_second=30)
    window = open_window(core)
    menu = _compare(qtbot, window)

    _tick(menu, "mock/mock-1", "mock/mock-2")
    assert window.settings.current.ui.compare_models == "mock/mock-1,mock/mock-2"
    assert window.composer.plus_menu.compare_on.isChecked()  # two models ticked: on
    assert _chip(window) == "Compare · 2"  # a chip in the row says so
    tip = chips(window.composer)["compare"].toolTip()
    assert tip == "On: the next message goes to 2 models: mock-1, mock-2"

    qtbot.keyClicks(window.composer.editor, "Explain tides")
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _columns(window) is not None)
    columns = _columns(window)
    assert columns is not None
    first, second = columns.widgets.values()
    assert [w.message.model for w in (first, second)] == ["mock-1", "mock-2"]
    assert columns.continue_buttons[first.message.id].text() == "Shown"

    qtbot.mouseClick(columns.stop_buttons[second.message.id], LEFT)  # stopped alone
    qtbot.waitUntil(lambda: second.message.status is Status.INTERRUPTED)
    qtbot.waitUntil(lambda: first.message.status is Status.COMPLETE, timeout=20_000)
    assert first.body.toPlainText()
    assert "mock-1" in first._meta.text()
    assert not columns.stop_buttons[first.message.id].isVisible()

    thread_id = window.current_thread_id
    qtbot.mouseClick(columns.continue_buttons[second.message.id], LEFT)
    qtbot.waitUntil(lambda: finish(core.service.get_thread(thread_id)).model == "mock-2")
    qtbot.waitUntil(lambda: window.conversation.messages()[-1].id == second.message.id)
    qtbot.waitUntil(
        lambda: (
            (c := _columns(window)) is not None
            and c.continue_buttons[second.message.id].text() == "Shown"
        )
    )


def _pill(window: MainWindow) -> QToolButton:
    found = window.composer.findChild(QToolButton, "modelPicker")
    assert found is not None
    return found


@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_ticking_models_keeps_the_menu_open_and_two_switch_compare_on(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window = open_window(make_core())
    menu = _compare(qtbot, window)
    assert _chip(window) == ""  # off: no chip
    assert _pill(window).text() == "mock-1"
    window.composer.open_compare()
    qtbot.waitUntil(menu.isVisible)

    def click(key: str) -> None:
        action = next(a for a in _models(menu) if a.data() == key)
        qtbot.mouseClick(menu, LEFT, pos=menu.actionGeometry(action).center())

    click("mock/mock-2")
    assert menu.isVisible()  # still open, for the next tick
    assert _chip(window) == ""
    click("mock/mock-3")
    assert menu.isVisible()
    assert _chip(window) == "Compare · 2"  # two ticked: on
    assert _pill(window).text() == "mock-2 + mock-3"  # what the next message goes to
    assert _pill(window).accessibleDescription() == "mock-2 + mock-3"
    click("mock/mock-1")
    assert _pill(window).text() == "3 models"
    menu.setActiveAction(next(a for a in _models(menu) if a.data() == "mock/mock-1"))
    qtbot.keyClick(menu, Qt.Key.Key_Space)  # the keyboard unticks too, and the menu stays
    assert menu.isVisible()
    assert _pill(window).text() == "mock-2 + mock-3"
    click("mock/mock-2")
    assert _chip(window) == ""  # one left: off, and the model chip names the chat's again
    assert _pill(window).text() == "mock-1"
    qtbot.keyClick(menu, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not menu.isVisible())
    assert window.settings.current.ui.compare_models == "mock/mock-3"


def test_the_compare_set_is_remembered_and_kept_to_four(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window = open_window(make_core())
    menu = _compare(qtbot, window)
    keys = [a.data() for a in _models(menu)]
    window.models.compare.on = True
    for key in keys[:5]:
        _tick(menu, key)
    chosen = window.settings.current.ui.compare_models.split(",")
    assert chosen == keys[: min(4, len(keys))]
    ticked = [a.data() for a in _models(menu) if a.isChecked()]
    assert ticked == chosen


@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_compare_with_fewer_than_two_models_sends_nothing_and_says_why(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    from chatdesk.core.views import ThreadFilter
    from chatdesk.ui.window.compare_choice import TOO_FEW

    core = make_core()
    window = open_window(core)
    menu = _compare(qtbot, window)
    _tick(menu, "mock/mock-1")
    assert _chip(window) == ""  # one model: nothing to compare yet
    plus = open_plus(qtbot, window.composer)
    plus.setActiveAction(menu.menuAction())
    qtbot.keyClick(plus, Qt.Key.Key_Right)  # "+" ▸ Compare
    qtbot.waitUntil(menu.isVisible)
    menu.setActiveAction(window.composer.plus_menu.compare_on)
    qtbot.keyClick(menu, Qt.Key.Key_Return)  # "Compare the models ticked"
    assert _chip(window) == "Compare · 1"
    tip = chips(window.composer)["compare"].toolTip()
    assert tip == "On: the next message goes to 1 model: mock-1"
    assert menu.isVisible()  # still open, to tick one more
    close_menus(qtbot)  # the user closes it without ticking another

    qtbot.keyClicks(window.composer.editor, "Explain tides")
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == TOO_FEW)
    assert window.composer.text() == "Explain tides"  # kept, to send once the models are set
    listed = finish(core.service.list_threads(ThreadFilter(archived=None), limit=5, cursor=None))
    assert listed.threads == ()
