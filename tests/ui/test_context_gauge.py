"""The context gauge in the thread header: what the next message would send, with its parts on
hover, following the draft as it is typed, yellow from 80 % and red from 95 %."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from chatdesk.core.service import ChatService
from chatdesk.core.views import ContextUsage
from chatdesk.ui.header import gauge_level
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
    figures = window.header.figures
    assert figures.text() == f"≈{usage.used_tokens} of 7.2k tokens in context"
    assert figures.isVisible()
    assert not gauge.isTextVisible()  # the figures never sit on the bar's colour
    assert gauge.value() == round(usage.fraction * 100)
    lines = tooltip(window).splitlines()
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
    figures = window.header.figures
    qtbot.waitUntil(lambda: figures.text().endswith("of 1.0k tokens in context"))  # 2,048 - 1,024
    assert gauge.property("level") == figures.property("level") == "ok"

    window.composer.editor.insertPlainText(warn)
    qtbot.waitUntil(lambda: gauge.property("level") == "warn")
    assert figures.property("level") == "warn"  # the figures turn the bar's colour too
    assert figures.palette().color(figures.foregroundRole()) == warning_colour(window)
    assert 80 <= gauge.value() < 95
    window.composer.editor.insertPlainText(full[len(warn) :])
    qtbot.waitUntil(lambda: gauge.property("level") == "full")
    assert gauge.value() >= 95
    assert "Nearly full" in tooltip(window)
    window.composer.editor.insertPlainText("word " * 400)  # more than the model can take
    qtbot.waitUntil(lambda: "Too long for this model" in tooltip(window))
    assert gauge.value() == 100


def test_choosing_a_context_window_for_the_thread_changes_the_total(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    thread = finish(core.service.create_thread(title="local model"))
    window = open_window(core)
    opened(qtbot, window, thread.id)
    figures = window.header.figures
    qtbot.waitUntil(lambda: figures.text().endswith("of 7.2k tokens in context"))

    window.choose_context_window()
    qtbot.waitUntil(lambda: window.context_window.dialog is not None)
    dialog = window.context_window.dialog
    assert dialog.model_own.isChecked()  # the thread has no window of its own yet
    assert "8,192" in dialog.model_own.text()
    dialog.model_own.setChecked(False)
    dialog.tokens.setValue(4_096)
    dialog.accept()
    qtbot.waitUntil(lambda: figures.text().endswith("of 3.1k tokens in context"))  # 4,096 - 1,024
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
