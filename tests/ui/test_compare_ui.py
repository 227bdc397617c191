"""Comparing models in the window, with real widgets offscreen over a started core on a real
SQLite file: Compare in the composer sends one message to the models chosen (remembered in
the settings), the answers stream side by side, any can be stopped alone, and "Continue with
this one" shows its branch and makes its model the chat's."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton
from pytestqt.qtbot import QtBot
from shiboken6 import Shiboken

from chatdesk.core.kinds import Status
from chatdesk.ui.conversation.comparison import ComparisonColumns
from chatdesk.ui.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton


def _compare(window: MainWindow) -> QToolButton:
    found = window.composer.findChild(QToolButton, "compareButton")
    assert found is not None
    return found


def _tick(button: QToolButton, *keys: str) -> None:
    for action in button.menu().actions():
        if action.data() in keys:
            action.trigger()  # as a click on the menu's entry does


def _columns(window: MainWindow) -> ComparisonColumns | None:
    alive = [c for c in window.actions_.compared.shown if Shiboken.isValid(c)]
    shown = [c for c in alive if c.isVisible()]
    return shown[-1] if shown else None


def test_compare_sends_to_each_model_and_shows_the_answers_side_by_side(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core(tokens_per_second=30)
    window = open_window(core)
    button = _compare(window)
    qtbot.waitUntil(lambda: len(button.menu().actions()) >= 3)

    _tick(button, "mock/mock-1", "mock/mock-2")
    assert window.settings.current.ui.compare_models == "mock/mock-1,mock/mock-2"
    assert button.isChecked()  # two models ticked: Compare is on
    assert button.text() == "Compare · 2"  # beside its icon
    assert button.accessibleDescription() == "On: the next message goes to 2 models"

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
    button = _compare(window)
    qtbot.waitUntil(lambda: len(button.menu().actions()) >= 3)
    assert button.text() == "Compare"
    assert _pill(window).text().startswith("mock-1")
    window.composer.open_compare()
    menu = button.menu()
    qtbot.waitUntil(menu.isVisible)

    def click(key: str) -> None:
        action = next(a for a in menu.actions() if a.data() == key)
        qtbot.mouseClick(menu, LEFT, pos=menu.actionGeometry(action).center())

    click("mock/mock-2")
    assert menu.isVisible()  # still open, for the next tick
    assert not button.isChecked()
    click("mock/mock-3")
    assert menu.isVisible()
    assert button.isChecked()  # two ticked: on
    assert button.text() == "Compare · 2"
    assert _pill(window).text().startswith("mock-2 + mock-3")  # what the next message goes to
    assert _pill(window).accessibleDescription() == "mock-2 + mock-3"
    click("mock/mock-1")
    assert _pill(window).text().startswith("3 models")
    menu.setActiveAction(next(a for a in menu.actions() if a.data() == "mock/mock-1"))
    qtbot.keyClick(menu, Qt.Key.Key_Space)  # the keyboard unticks too, and the menu stays
    assert menu.isVisible()
    assert _pill(window).text().startswith("mock-2 + mock-3")
    click("mock/mock-2")
    assert not button.isChecked()  # one left: off, and the pill names the chat's model again
    assert button.text() == "Compare"
    assert _pill(window).text().startswith("mock-1")
    qtbot.keyClick(menu, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not menu.isVisible())
    assert window.settings.current.ui.compare_models == "mock/mock-3"


def test_the_compare_set_is_remembered_and_kept_to_four(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window = open_window(make_core())
    button = _compare(window)
    qtbot.waitUntil(lambda: len(button.menu().actions()) >= 3)
    keys = [a.data() for a in button.menu().actions()]
    window.models.compare.on = True
    for key in keys[:5]:
        _tick(button, key)
    chosen = window.settings.current.ui.compare_models.split(",")
    assert chosen == keys[: min(4, len(keys))]
    ticked = [a.data() for a in button.menu().actions() if a.isChecked()]
    assert ticked == chosen


@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_compare_with_fewer_than_two_models_sends_nothing_and_says_why(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    from chatdesk.core.views import ThreadFilter
    from chatdesk.ui.window.compare_choice import TOO_FEW

    core = make_core()
    window = open_window(core)
    button = _compare(window)
    qtbot.waitUntil(lambda: len(button.menu().actions()) >= 3)
    _tick(button, "mock/mock-1")
    assert not button.isChecked()  # one model: nothing to compare yet
    qtbot.mouseClick(button, LEFT)
    assert button.isChecked()
    assert button.text() == "Compare · 1"
    assert button.accessibleDescription() == "On: the next message goes to 1 model"
    qtbot.waitUntil(button.menu().isVisible)  # offered, to tick one more
    button.menu().hide()  # the user closes it without ticking another

    qtbot.keyClicks(window.composer.editor, "Explain tides")
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == TOO_FEW)
    assert window.composer.text() == "Explain tides"  # kept, to send once the models are set
    listed = finish(core.service.list_threads(ThreadFilter(archived=None), limit=5, cursor=None))
    assert listed.threads == ()
