"""The context gauge in the thread header, a ring: what the next message would send, its parts
on hover, to a screen reader and as a card opened on demand (a click, or Space on it), following
the draft as it is typed, amber from 80 % and red from 95 %, when it says its share."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QToolButton
from pytestqt.qtbot import QtBot

from chatdesk.core.service import ChatService
from chatdesk.core.views import ContextUsage
from chatdesk.ui.header import gauge_level
from chatdesk.ui.header.breakdown import BreakdownCard
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.colours import colours


def exchange(finish: Any, service: ChatService, thread_id: uuid.UUID, text: str) -> None:
    turn = finish(service.send(thread_id, text))
    finish(service.wait_for_answer(turn.answer.id))


def opened(qtbot: QtBot, window: MainWindow, thread_id: uuid.UUID) -> None:
    window.show_thread(thread_id)
    qtbot.waitUntil(lambda: window.header.gauge.isVisible())


def tooltip(window: MainWindow) -> str:
    return window.header.gauge.toolTip()


def ring_colours(window: MainWindow) -> set[str]:
    """The colours of the ring's pixels drawn fully."""
    gauge = window.header.gauge
    image = gauge.icon().pixmap(gauge.iconSize()).toImage()
    size = range(image.width())
    return {
        image.pixelColor(x, y).name()
        for x in size
        for y in size
        if image.pixelColor(x, y).alpha() == 255
    }


def breakdown(qtbot: QtBot, window: MainWindow) -> BreakdownCard:
    """The ring clicked: its breakdown, shown."""
    gauge = window.header.gauge
    qtbot.mouseClick(gauge, Qt.MouseButton.LeftButton)
    card = gauge.card
    assert card is not None
    qtbot.waitUntil(card.isVisible)
    return card


def test_the_gauge_shows_used_of_total_with_the_breakdown_and_marks_estimates(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    service = core.service
    thread = finish(service.create_thread(title="two questions"))
    for question in ("what is a heap?", "and a stack?"):
        exchange(finish, service, thread.id, question)
    usage = finish(service.context_usage(thread.id))
    window = open_window(core)
    opened(qtbot, window, thread.id)

    gauge = window.header.gauge
    qtbot.waitUntil(lambda: "Recent messages" in tooltip(window))
    assert usage.estimated  # the mock's model is counted by chatdesk's estimator
    assert usage.used_tokens < 1000
    assert gauge.value() == round(usage.fraction * 100)
    assert gauge.text() == ""  # quiet: a ring, no figures, while the context has room
    assert gauge.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
    assert gauge.accessibleName() == f"Context used: {round(usage.fraction * 100)}%"
    qtbot.waitUntil(lambda: "This thread so far" in tooltip(window))  # read beside it
    context, spent = tooltip(window).split("\n\n")  # the next message's, then the thread's
    assert spent.startswith("This thread so far (2 answers, every branch):")
    lines = context.splitlines()
    assert lines[0].startswith(f"Context of the next message (mock-1): about {usage.used_tokens:,}")
    assert "  Summary: 0" in lines
    assert f"  Recent messages: {usage.breakdown.history:,} (4 messages)" in lines
    assert "  Your draft: 0" in lines
    assert "  Kept for the answer: 1,024 (context window 8,192)" in lines
    assert lines[-1].startswith("≈ Estimated")
    description = gauge.accessibleDescription()
    assert "Kept for the answer: 1,024" in description
    assert "Estimated" in description
    assert gauge.property("level") == "ok"
    quiet = colours(current_look())["text_quiet"]
    assert quiet in ring_colours(window)  # filled as far as the context is, in the quiet colour


@pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")  # the card
def test_the_header_says_the_title_and_the_model_and_the_figures_on_demand(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    thread = finish(core.service.create_thread(title="a quiet header"))
    exchange(finish, core.service, thread.id, "what is a heap?")
    window = open_window(core)
    opened(qtbot, window, thread.id)
    header = window.header
    qtbot.waitUntil(lambda: "This thread so far (1 answer, every branch):" in tooltip(window))
    shown = [*header.findChildren(QLabel), *header.findChildren(QToolButton)]
    words = [w.text() for w in shown if w.isVisible() and w.text()]
    assert sorted(words) == ["a quiet header", "mock-1"]  # no counts in the header itself

    card = breakdown(qtbot, window)
    usage = finish(core.service.context_usage(thread.id))
    assert card.figures.text() == f"≈{usage.used_tokens} of 7.2k tokens in context"
    assert card.bar.value() == window.header.gauge.value()
    assert not card.bar.isTextVisible()  # the figures never sit on the bar's colour
    assert card.parts.text().splitlines()[0].startswith("Context of the next message (mock-1)")
    assert "  Kept for the answer: 1,024 (context window 8,192)" in card.parts.text()
    spent = card.spent.text().splitlines()
    assert spent[0] == "This thread so far (1 answer, every branch):"
    assert spent[1].startswith("  ")  # under the first line
    assert spent[1].endswith("tokens in (0 cached)")
    assert QApplication.focusWidget() is card.parts  # a screen reader reads where it opened
    QTest.keyClick(card.parts, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not card.isVisible())


@pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")
def test_the_breakdown_opens_from_the_keyboard_and_gives_it_back(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    thread = finish(core.service.create_thread(title="by the keyboard"))
    window = open_window(core)
    opened(qtbot, window, thread.id)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    gauge = window.header.gauge
    assert gauge.focusPolicy() & Qt.FocusPolicy.TabFocus
    window.composer.focus_editor()
    for _ in range(40):  # Shift+Tab from the composer reaches the ring
        if gauge.hasFocus():
            break
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
    assert gauge.hasFocus()
    QTest.keyClick(gauge, Qt.Key.Key_Space)
    card = gauge.card
    assert card is not None
    qtbot.waitUntil(lambda: card.isVisible() and card.parts.hasFocus())
    below = gauge.mapToGlobal(QPoint(0, gauge.height()))
    assert card.geometry().top() >= below.y()  # under the ring
    QTest.keyClick(card.parts, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not card.isVisible())
    qtbot.waitUntil(gauge.hasFocus)  # back where the key was pressed


def test_typing_moves_the_gauge_after_a_pause(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    thread = finish(core.service.create_thread(title="drafting"))
    exchange(finish, core.service, thread.id, "hello")
    window = open_window(core)
    opened(qtbot, window, thread.id)
    gauge = window.header.gauge
    qtbot.waitUntil(lambda: "  Your draft: 0" in tooltip(window))
    before = gauge.value()

    qtbot.keyClicks(window.composer.editor, "A long question about B-trees. " * 60)
    qtbot.waitUntil(lambda: gauge.value() > before + 5)
    assert "  Your draft: 0" not in tooltip(window)

    window.composer.editor.clear()  # deleting the draft gives the room back
    qtbot.waitUntil(lambda: gauge.value() == before)


def test_one_reading_at_a_time_and_the_last_one_shows_the_latest_draft(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, monkeypatch: Any
) -> None:
    core = make_core()
    service = core.service
    thread = finish(service.create_thread(title="coalesced"))
    window = open_window(core)
    opened(qtbot, window, thread.id)
    qtbot.waitUntil(lambda: not window.gauge.feed.running)

    real = service.context_usage
    gate = asyncio.Event()
    drafts: list[str] = []
    in_flight = [0, 0]  # now, most at once

    async def held(thread_id: uuid.UUID, draft: str = "", images: int = 0) -> ContextUsage:
        drafts.append(draft)
        in_flight[0] += 1
        in_flight[1] = max(in_flight)
        try:
            await gate.wait()
            return await real(thread_id, draft, images)
        finally:
            in_flight[0] -= 1

    monkeypatch.setattr(service, "context_usage", held)
    for word in ("one", " two", " three", " four"):
        qtbot.keyClicks(window.composer.editor, word)
        window.gauge.feed.now()  # as if each pause had been long enough
        qtbot.waitUntil(lambda: len(drafts) == 1)
    assert drafts == ["one"]  # the others wait for it to end
    gate.set()
    qtbot.waitUntil(lambda: len(drafts) == 2 and not window.gauge.feed.running)
    assert drafts == ["one", "one two three four"]  # one more reading, of the latest draft
    assert in_flight[1] == 1
    qtbot.waitUntil(lambda: "  Your draft: 0" not in tooltip(window))


def warning_colour(window: MainWindow) -> QColor:
    return QColor(colours(current_look())["warning"])


def draft_reaching(finish: Any, service: ChatService, thread_id: uuid.UUID, share: float) -> str:
    """The shortest draft (in words) that fills `share` of the thread's budget."""
    low, high = 1, 4_000
    while low < high:
        middle = (low + high) // 2
        usage = finish(service.context_usage(thread_id, "word " * middle))
        low, high = (middle + 1, high) if usage.fraction < share else (low, middle)
    return "word " * low


def test_the_gauge_turns_yellow_at_80_and_red_at_95_percent(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    service = core.service
    thread = finish(service.create_thread(title="small model"))
    finish(service.set_thread_context_window(thread.id, 2_048))
    warn = draft_reaching(finish, service, thread.id, 0.80)
    full = draft_reaching(finish, service, thread.id, 0.95)
    assert gauge_level(finish(service.context_usage(thread.id, warn)).fraction) == "warn"
    window = open_window(core)
    opened(qtbot, window, thread.id)
    gauge = window.header.gauge
    qtbot.waitUntil(lambda: "of 1,024 tokens" in tooltip(window))  # 2,048 - 1,024
    assert gauge.property("level") == "ok"
    assert gauge.text() == ""

    window.composer.editor.insertPlainText(warn)
    qtbot.waitUntil(lambda: gauge.property("level") == "warn")
    assert 80 <= gauge.value() < 95
    # It says its share beside the ring, both in the warning's colour.
    assert gauge.text() == f"{gauge.value()}%"
    assert gauge.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    assert gauge.palette().color(gauge.foregroundRole()) == warning_colour(window)
    assert warning_colour(window).name() in ring_colours(window)
    window.composer.editor.insertPlainText(full[len(warn) :])
    qtbot.waitUntil(lambda: gauge.property("level") == "full")
    assert gauge.value() >= 95
    danger = colours(current_look())["danger"]
    assert gauge.palette().color(gauge.foregroundRole()) == QColor(danger)
    assert danger in ring_colours(window)
    assert "Nearly full" in tooltip(window)
    window.composer.editor.insertPlainText("word " * 400)  # more than the model can take
    qtbot.waitUntil(lambda: "Too long for this model" in tooltip(window))
    assert gauge.value() == 100


@pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")
def test_choosing_a_context_window_for_the_thread_changes_the_total(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    thread = finish(core.service.create_thread(title="local model"))
    window = open_window(core)
    opened(qtbot, window, thread.id)
    qtbot.waitUntil(lambda: "of 7,168 tokens" in tooltip(window))

    window.choose_context_window()
    qtbot.waitUntil(lambda: window.context_window.dialog is not None)
    dialog = window.context_window.dialog
    assert dialog.model_own.isChecked()  # the thread has no window of its own yet
    assert "8,192" in dialog.model_own.text()
    dialog.model_own.setChecked(False)
    dialog.tokens.setValue(4_096)
    dialog.accept()
    qtbot.waitUntil(lambda: "of 3,072 tokens" in tooltip(window))  # 4,096 - 1,024
    assert breakdown(qtbot, window).figures.text().endswith("of 3.1k tokens in context")
    assert finish(core.service.get_thread(thread.id)).context_window == 4_096


def test_a_costly_send_shows_its_estimated_cost_in_the_composer(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    from PySide6.QtWidgets import QLabel

    from chatdesk.core.providers.profiles import ProviderProfile
    from chatdesk.core.units import format_cost

    core = make_core()
    # $100 per million tokens in: 500 tokens cost $0.05, the default from which it shows.
    paid = ProviderProfile(
        "paid", "http://127.0.0.1:9/v1", default_model="pricey", input_price_per_million=100.0
    )
    finish(core.profiles.save(paid))
    thread = finish(core.service.create_thread(title="report", provider="paid", model="pricey"))
    window = open_window(core)
    opened(qtbot, window, thread.id)
    cost = window.composer.findChild(QLabel, "sendCost")
    assert cost is not None
    qtbot.waitUntil(lambda: "  Your draft: 0" in tooltip(window))
    assert not cost.isVisible()  # a short request costs next to nothing: nothing shown

    window.composer.editor.setFocus()  # pasted: 6,000 characters typed one by one take seconds
    window.composer.editor.insertPlainText("Please read this long report carefully. " * 150)
    qtbot.waitUntil(lambda: cost.isVisible())
    usage = finish(core.service.context_usage(thread.id, window.composer.text()))
    assert usage.send_cost_usd is not None
    assert usage.send_cost_usd > 0.05
    assert cost.text() == f"≈ {format_cost(usage.send_cost_usd)} to send"  # "≈ $0.121 to send"
    assert f"{usage.used_tokens:,} tokens" in cost.toolTip()

    window.composer.editor.clear()
    qtbot.waitUntil(lambda: not cost.isVisible())


def test_a_thread_opened_shows_its_page_before_its_gauge_and_spending_are_read(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, monkeypatch: Any
) -> None:
    """The gauge's context and the thread's spending (every answer of it) are read once the
    page is shown: read beside it, they took the interpreter from its widgets."""
    core = make_core()
    service = core.service
    thread = finish(service.create_thread(title="read once painted"))
    exchange(finish, service, thread.id, "what is a heap?")
    window = open_window(core)
    shown: list[bool] = []
    window.view.page_shown.connect(lambda: shown.append(True))
    asked: list[tuple[str, bool]] = []
    context_usage, thread_usage = service.context_usage, service.thread_usage

    async def usage(*args: Any) -> ContextUsage:
        asked.append(("context", bool(shown)))
        return await context_usage(*args)

    async def spent(thread_id: uuid.UUID) -> Any:
        asked.append(("spending", bool(shown)))
        return await thread_usage(thread_id)

    monkeypatch.setattr(service, "context_usage", usage)
    monkeypatch.setattr(service, "thread_usage", spent)
    opened(qtbot, window, thread.id)
    qtbot.waitUntil(lambda: len(asked) >= 2)
    assert sorted(asked) == [("context", True), ("spending", True)]
