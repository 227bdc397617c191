"""The composer's model picker in the window, over a started core on a real SQLite file: a
search field over the models, grouped by provider, the ones used last first, each marked with
what chatdesk knows of it; typing filters, Enter takes the model, Esc closes."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QToolButton, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.ui.composer.model_menu import KEY_ROLE, MARKS_ROLE, ModelMenu
from chatdesk.ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
NOWHERE = "http://127.0.0.1:9/v1"  # never asked: the picker only lists the profile's models


def _listed(menu: ModelMenu) -> list[str]:
    """The picker's lines as read: "# heading" or a model's label."""
    items = [menu.list.item(i) for i in range(menu.list.count())]
    return [i.text().strip() if i.data(KEY_ROLE) else f"# {i.text()}" for i in items]


def _marks(menu: ModelMenu) -> dict[str, str]:
    items = [menu.list.item(i) for i in range(menu.list.count())]
    return {i.data(KEY_ROLE): i.data(MARKS_ROLE) for i in items if i.data(KEY_ROLE)}


def _ticked(menu: ModelMenu) -> list[str]:
    """The models the picker ticks: an icon that draws something, and said to a screen reader."""
    items = [menu.list.item(i) for i in range(menu.list.count())]
    ticked = []
    for item in items:
        drawn = item.icon().pixmap(16, 16).toImage()
        inked = any(drawn.pixelColor(x, y).alpha() for x in range(drawn.width()) for y in range(16))
        said = item.data(Qt.ItemDataRole.AccessibleDescriptionRole)
        assert inked == bool(said), item.text()
        if inked:  # the row under the keys is a quiet ground: the tick keeps its colour there
            normal, selected = (
                {
                    image.pixelColor(x, y).name()
                    for x in range(16)
                    for y in range(16)
                    if image.pixelColor(x, y).alpha() == 255
                }
                for image in (drawn, item.icon().pixmap(16, 16, QIcon.Mode.Selected).toImage())
            )
            assert normal == selected, item.text()
        if inked:
            ticked.append(item.data(KEY_ROLE))
    return ticked


def _open(qtbot: QtBot, window: MainWindow) -> ModelMenu:
    pill = window.composer.findChild(QToolButton, "modelPicker")
    assert pill is not None
    qtbot.mouseClick(pill, Qt.MouseButton.LeftButton)
    menu = window.composer.model_menu
    qtbot.waitUntil(menu.isVisible)
    return menu


def test_the_picker_opens_above_the_card_within_its_width(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    """As the "+" menu does: the text typed stays in sight, and the picker does not hang off the
    window's edge from the pill at the row's end."""
    window = open_window(make_core())
    menu = _open(qtbot, window)
    card = window.composer.findChild(QWidget, "composerBox")
    assert card is not None
    top_left = card.mapToGlobal(QPoint(0, 0))
    assert menu.geometry().bottom() < top_left.y()
    assert top_left.x() <= menu.geometry().left()
    assert menu.geometry().right() <= top_left.x() + card.width()


def test_the_picker_groups_by_provider_marks_vision_and_filters_as_you_type(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    window = open_window(core)
    profile = ProviderProfile("local", NOWHERE, models=("gpt-4o", "llama2"), context_window=4096)
    finish(core.profiles.save(profile))
    qtbot.waitUntil(lambda: "local/llama2" in dict(window.composer._row.model_entries))

    menu = _open(qtbot, window)
    assert not menu.list.verticalScrollBar().isVisible()  # under twelve lines: all in sight
    assert _listed(menu) == [
        "# mock",
        "mock-1",
        "mock-2",
        "mock-3",
        "# local",
        "gpt-4o (local)",
        "llama2 (local)",
    ]
    marks = _marks(menu)
    assert marks["mock/mock-1"] == "images · 8.2k tokens"  # the mock provider reads images
    assert marks["local/gpt-4o"] == "images · 4.1k tokens"  # a vision family, the profile's window
    assert marks["local/llama2"] == "4.1k tokens"  # not known to read images: no mark

    qtbot.keyClicks(menu.search, "LLA")
    assert _listed(menu) == ["# local", "llama2 (local)"]
    qtbot.keyClicks(menu.search, "x")
    assert _listed(menu) == ["# No model matches “LLAx”"]
    menu.search.clear()
    qtbot.keyClicks(menu.search, "mock")
    qtbot.keyClick(menu.search, Qt.Key.Key_Down)  # from mock-1 to mock-2
    with qtbot.waitSignal(window.composer.model_changed) as chosen:
        qtbot.keyClick(menu.search, Qt.Key.Key_Return)
    assert chosen.args == ["mock/mock-2"]
    assert not menu.isVisible()
    assert window.models.current() == ("mock", "mock-2")  # the new chat's model

    menu = _open(qtbot, window)
    assert _ticked(menu) == ["mock/mock-2"]  # the model in use, and it alone
    qtbot.keyClick(menu.search, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not menu.isVisible())
    assert window.models.current() == ("mock", "mock-2")


def test_the_models_used_last_come_first(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    for model in ("mock-3", "mock-2"):
        turn = finish(core.service.send_new("hello", provider="mock", model=model))
        finish(core.service.wait_for_answer(turn.answer.id))
    window = open_window(core)
    menu = _open(qtbot, window)
    qtbot.waitUntil(lambda: _listed(menu)[0] == "# Recent")
    assert _listed(menu)[:4] == ["# Recent", "mock-2", "mock-3", "# mock"]
    selected = menu.list.currentItem()  # the chosen model, in its provider's group
    assert selected is not None
    assert selected.data(KEY_ROLE) == "mock/mock-1"
    menu.hide()
