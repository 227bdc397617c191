"""Tool calls in the window, driven through the widgets: the mock model calls chatdesk's own
search_chats in a chat that has it switched on; the call waits on its card until the user
picks by keyboard, and the card follows it to its end (or to "not finished" when stopped). A
real MCP server's pictures are shown on their call's card and open the image viewer."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from chatdesk.core.store.models import Status
from chatdesk.core.views import ToolCallView
from chatdesk.ui.conversation.tool_calls import ToolCallList
from chatdesk.ui.conversation.tool_card import ToolCallCard
from chatdesk.ui.main_window import MainWindow
from tests.ui.composer_parts import chip_words, choose
from tests.ui.test_window import answer_done, send
from tests.ui.tool_windows import last_card, press, waiting, window_on, window_with_server

ASK = "use the search_chats tool with query=tables"


def _asked(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> tuple[MainWindow, ToolCallCard]:
    """A window on a chat with search_chats switched on, whose answer's call waits."""
    core = make_core()
    thread = finish(core.service.create_thread(title="With tools"))
    finish(core.service.set_thread_tools(thread.id, ["chatdesk"]))
    window = window_on(open_window, qtbot, core, thread.id)
    send(qtbot, window, ASK)
    qtbot.waitUntil(lambda: waiting(window))
    card = last_card(window)
    assert card is not None
    return window, card


def test_a_call_waits_on_its_card_and_runs_once_allowed_by_keyboard(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window, card = _asked(make_core, open_window, qtbot, finish)
    assert card.call.label == "chatdesk › search_chats"
    assert "waits for your approval: chatdesk › search_chats" in window.actions_.last_announcement
    assert "waits for your approval" in window.statusBar().currentMessage()
    assert all(button.isVisible() for button in card.choice_buttons.values())
    status = window.view.widgets[-1]._status.text()
    assert status == "Waiting for your approval of a tool call…"
    assert card._arguments is not None  # folded out, so the whole arguments are seen first
    assert json.loads(card._arguments.toPlainText()) == {"query": "tables"}
    press(qtbot, card, "once")

    qtbot.waitUntil(lambda: answer_done(window))
    assert card.call.state == "done"
    assert "waits for your approval" not in window.statusBar().currentMessage()  # decided
    assert not card.choice_buttons["once"].isVisible()
    assert card._result is not None
    assert '"query": "tables"' in card._result.toPlainText()
    assert "search_chats" in window.view.widgets[-1].message.content


def test_a_denied_call_says_so_and_the_answer_goes_on(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window, card = _asked(make_core, open_window, qtbot, finish)
    press(qtbot, card, "deny")
    qtbot.waitUntil(lambda: answer_done(window))
    assert card.call.state == "not_run"
    assert card._state.text() == "Denied by you"
    assert "denied" in window.view.widgets[-1].message.content


def test_stopping_while_a_call_waits_leaves_it_not_finished(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window, card = _asked(make_core, open_window, qtbot, finish)
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.conversation.messages()[-1].status is Status.INTERRUPTED)
    qtbot.waitUntil(lambda: card.call.state == "not_finished")
    assert card._state.text() == "Stopped by you before it ended"
    assert not card.choice_buttons["once"].isVisible()


def test_the_tools_menu_switches_tools_on_for_the_new_chat_and_follows_the_chat_shown(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    window = open_window(core)
    composer = window.composer
    tools = composer.plus_menu.tools  # the "+" menu's Tools ▸
    qtbot.waitUntil(lambda: tools.menuAction().isVisible())
    [search] = tools.actions()
    assert (search.text(), search.isChecked()) == ("chatdesk: search your chats", False)
    choose(qtbot, composer, "Tools", "chatdesk: search your chats")
    assert chip_words(composer) == ["Tools · 1"]
    send(qtbot, window, ASK)
    qtbot.waitUntil(lambda: waiting(window))
    thread_id = window.current_thread_id
    assert finish(core.service.thread_tools(thread_id)) == ["chatdesk"]

    other = finish(core.service.create_thread(title="No tools here"))
    window.show_thread(other.id)
    qtbot.waitUntil(lambda: chip_words(composer) == [])
    assert not tools.actions()[0].isChecked()
    window.show_thread(thread_id)
    qtbot.waitUntil(lambda: chip_words(composer) == ["Tools · 1"])


def _call(number: int, state: str = "done") -> ToolCallView:
    return ToolCallView(
        f"c{number}",
        "files",
        "read",
        "files__read",
        json.dumps({"n": number}),
        state,
        approval="allowed" if state != "waiting" else None,
        duration_ms=10,
        result="ok",
    )


def _shown_order(listed: ToolCallList) -> list[str]:
    layout = listed.layout()
    widgets = [layout.itemAt(i).widget() for i in range(layout.count())]
    return [w.call.call_id for w in widgets if isinstance(w, ToolCallCard) and not w.isHidden()]


def test_many_calls_fold_under_one_line_and_unfold_in_order(qtbot: QtBot) -> None:
    listed = ToolCallList()
    qtbot.addWidget(listed)
    listed.show()
    calls = (*(_call(n) for n in range(11)), _call(11, "waiting"))
    listed.show_calls(calls)
    summary = listed._summary
    assert summary.isVisible()
    assert summary.text() == "▸ 12 tool calls: 11 done, 1 waiting"
    assert _shown_order(listed) == ["c11"]  # what waits for the user is never folded away

    summary.setFocus()
    qtbot.keyClick(summary, Qt.Key.Key_Space)  # unfolded by keyboard
    qtbot.waitUntil(lambda: len(_shown_order(listed)) == 12)  # made a few per turn of the loop
    assert _shown_order(listed) == [f"c{n}" for n in range(12)]
    assert summary.text().startswith("▾ 12 tool calls")
    assert summary.accessibleName() == "Hide all 12 tool calls"

    listed.show_calls((*calls[:11], _call(11, "done")))  # decided and run: folded again
    qtbot.keyClick(summary, Qt.Key.Key_Space)
    assert _shown_order(listed) == []
    assert summary.text() == "▸ 12 tool calls: 12 done"


def test_folded_calls_the_user_stopped_are_counted_as_stopped_by_them(qtbot: QtBot) -> None:
    listed = ToolCallList()
    qtbot.addWidget(listed)
    listed.show()
    stopped = replace(_call(10, "not_finished"), stopped_by_user=True)
    left = _call(11, "not_finished")  # chatdesk closed or died during it
    listed.show_calls((*(_call(n) for n in range(10)), stopped, left))
    text = listed._summary.text()
    assert text == "▸ 12 tool calls: 10 done, 1 stopped by you, 1 not finished"


def test_a_few_calls_show_as_cards_at_once(qtbot: QtBot) -> None:
    listed = ToolCallList()
    qtbot.addWidget(listed)
    listed.show()
    listed.show_calls(tuple(_call(n) for n in range(3)))
    assert not listed._summary.isVisible()
    assert _shown_order(listed) == ["c0", "c1", "c2"]


def test_the_pictures_a_tool_gives_show_on_its_card_and_open_the_viewer(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window = window_with_server(make_core, open_window, qtbot, finish, "pics", "Pictures")
    send(qtbot, window, "use the picture tool with width=48 height=30 colour=green")
    # A bound for a hang, not a speed: the server and the reading child start first, and on a
    # busy machine that took over 20 s.
    qtbot.waitUntil(lambda: answer_done(window), timeout=90_000)

    card = last_card(window)
    assert card is not None
    assert card.call.state == "done"
    assert "It also showed me 1 image (48×30)." in window.view.widgets[-1].message.content
    assert card.images is not None
    assert card.images.accessibleName() == "Images from pics › picture"
    (button,) = card.images.buttons
    assert button.accessibleName() == "Image picture result 1.jpg"
    assert button.accessibleDescription().startswith("48×30")
    qtbot.waitUntil(lambda: not button.icon().isNull())  # its thumbnail, read off the GUI thread
    actions = window.actions_.attachments
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: len(actions.viewers) == 1)
    viewer = actions.viewers[0]
    qtbot.waitUntil(lambda: viewer.size_label.text().startswith("48×30"))
    viewer.close()


def test_a_long_state_wraps_rather_than_widening_the_conversation(qtbot: QtBot) -> None:
    stopped = replace(_call(1, "not_finished"), tool="a_tool_with_a_rather_long_name_indeed")
    card = ToolCallCard(stopped)
    qtbot.addWidget(card)
    card.show()
    state = card._state.text()
    assert state == "Stopped before it ended (it was not run again)"
    one_line = card.fontMetrics().horizontalAdvance(f"files › {stopped.tool} {state}")
    assert card.minimumSizeHint().width() < one_line  # the card may be narrower: it wraps
    card.resize(one_line // 2, card.heightForWidth(one_line // 2))
    qtbot.waitUntil(lambda: card._state.height() > card._state.fontMetrics().height() * 1.5)
