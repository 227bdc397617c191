"""A thread opened in the conversation view: painted first from its newest messages, filling
the view, formatted (by what was kept from an earlier run, or by the render worker while the
widgets are made), with the rest of the page built above them over turns of the loop."""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from chatdesk.core.chat.summaries import records
from chatdesk.core.render.kept import KeptRenders
from chatdesk.core.store.models import Message
from chatdesk.ui.conversation import formatter as formatter_module
from chatdesk.ui.conversation import view as view_module
from chatdesk.ui.conversation.controller import FIRST_PAGE
from chatdesk.ui.conversation.message import MessageWidget
from chatdesk.ui.conversation.view import STAGE
from chatdesk.ui.main_window import MainWindow
from tests.ui.test_conversation import open_thread, seed_thread


class _PagePaints(QObject):
    """Each paint of a message in the conversation: how many of the shown thread's widgets
    were made, whether it was scrolled to its end, and whether those made filled the view."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window = window
        self.seen: list[tuple[int, bool, bool]] = []

    def watch(self, widget: MessageWidget | QWidget) -> None:
        """A message, or any widget of the view (its viewport: a paint of no message)."""
        shown = widget.body.viewport() if isinstance(widget, MessageWidget) else widget
        shown.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        view = self.window.view
        if event.type() == QEvent.Type.Paint:
            made = view.made_widgets  # not `widgets`: reading those makes the rest at once
            bar = view.verticalScrollBar()
            filled = sum(w.height() for w in made) >= view.viewport().height()
            self.seen.append((len(made), bar.value() == bar.maximum(), filled))
        return False


class _Turns(QObject):
    """Whether the loop has turned since `mark()`: an event posted then is delivered at the
    start of the next turn, before its timers."""

    def __init__(self) -> None:
        super().__init__()
        self.marked = False

    def mark(self) -> None:
        self.marked = True
        QCoreApplication.postEvent(self, QEvent(QEvent.Type.User))

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.User:
            self.marked = False
            return True
        return super().event(event)


def test_a_page_is_first_painted_at_its_end_filling_the_view_and_built_above_over_turns(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its messages painted first hold their formatting, however long the render worker takes
    # on a busy machine: a message shown plain, then formatted, may take less room.
    monkeypatch.setattr(view_module, "FORMAT_WAIT_MS", 60_000)
    core = make_core()
    long = seed_thread(core, finish, 400)
    short = seed_thread(core, finish, 30)
    window = open_window(core)
    open_thread(window, qtbot, short.id, FIRST_PAGE)
    turns = [0]
    ticker = QTimer(interval=0)  # counts the turns of the loop
    ticker.timeout.connect(lambda: turns.__setitem__(0, turns[0] + 1))
    made_in_turn: list[int] = []
    window.view.message_widget_added.connect(lambda _: made_in_turn.append(turns[0]))
    paints = _PagePaints(window)
    for widget in window.view.widgets:  # the page shown before
        paints.watch(widget)
    paints.watch(window.view.widget())  # never painted empty between the two pages
    window.view.message_widget_added.connect(paints.watch)
    shown: list[int] = []
    window.view.page_shown.connect(lambda: shown.append(len(window.view.made_widgets)))
    older: list[bool] = []
    window.view.older_wanted.connect(lambda: older.append(True))
    # Whether a message widget was made in the turn that puts one in place, each half the work.
    making = _Turns()
    made = MessageWidget.__init__

    def made_and_marked(widget: MessageWidget, *args: Any, **kwargs: Any) -> None:
        made(widget, *args, **kwargs)
        making.mark()

    monkeypatch.setattr(MessageWidget, "__init__", made_and_marked)
    placed_as_made: list[bool] = []
    window.view.message_widget_added.connect(lambda _: placed_as_made.append(making.marked))
    ticker.start()
    try:
        window.show_thread(long.id)
        qtbot.waitUntil(lambda: len(made_in_turn) == FIRST_PAGE)
        qtbot.waitUntil(lambda: any(made == FIRST_PAGE for made, _, _ in paints.seen))
    finally:
        ticker.stop()
        window.view.message_widget_added.disconnect(paints.watch)
    # Never more than a few widgets made in one turn: keys and timers are served in between,
    # and between the making of each and its showing.
    assert max(made_in_turn.count(turn) for turn in set(made_in_turn)) <= STAGE
    assert placed_as_made == [False] * FIRST_PAGE
    # Painted first with its newest messages only, filling the view: the rest came above.
    assert 0 < shown[-1] < FIRST_PAGE
    # Every paint of the view showed the old page or the new one at its end, never the view
    # empty or partly so.
    assert all(at_end and filled for _, at_end, filled in paints.seen), paints.seen
    assert window.view.widgets[-1].message.id == window.conversation.last.id
    qtbot.waitUntil(lambda: all(w.rendered is not None for w in window.view.widgets))
    assert not older  # the page filled the view: nothing above it was read while it was built


def test_a_change_while_a_page_is_built_reaches_the_right_message(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    thread = seed_thread(core, finish, 100)
    window = open_window(core)
    started: list[bool] = []
    # Right after the page arrives, before the view has made all of its widgets:
    window.controller.loaded.connect(lambda _: started.append(window.view._unbuilt > 0))
    window.show_thread(thread.id)
    qtbot.waitUntil(lambda: bool(started))
    assert started == [True]  # the page is being built a few widgets per turn
    oldest = window.conversation.message(0)
    window.conversation.replace(dataclasses.replace(oldest, content="changed meanwhile"))
    widget = window.view.widget_for(oldest.id)  # made at once, with the change
    assert widget is not None
    assert widget.message.content == "changed meanwhile"
    assert [w.message.id for w in window.view.widgets] == [
        window.conversation.message(row).id for row in range(window.conversation.rowCount())
    ]


class _FirstPaints(QObject):
    """For each message widget, whether it showed formatted text when it was first painted."""

    def __init__(self) -> None:
        super().__init__()
        self.formatted: dict[Any, bool] = {}

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            widget: QObject | None = watched  # a part of a message widget (its text)
            while widget is not None and not isinstance(widget, MessageWidget):
                widget = widget.parent()
            if widget is not None:
                self.formatted.setdefault(widget.message.id, widget.rendered is not None)
        return False


def test_a_thread_formatted_in_an_earlier_run_is_formatted_at_its_first_paint(
    make_core: Any, qtbot: QtBot, finish: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A page waits only briefly for what is kept on disk (a busy disk costs formatting, not the
    # page); a busy machine can take longer than that to read it, so the test waits as long.
    monkeypatch.setattr(formatter_module, "KEPT_WAIT", 60.0)
    core = make_core()
    thread = seed_thread(core, finish, 40)
    folder = tmp_path / "cache"

    def one_run(check: _FirstPaints | None = None) -> None:
        kept = KeptRenders(folder)
        window = MainWindow()
        window.attach(core.service, kept_renders=kept)
        window.show()
        window.start()
        if check is not None:
            QApplication.instance().installEventFilter(check)  # type: ignore[union-attr]
        try:
            open_thread(window, qtbot, thread.id, FIRST_PAGE)
            if check is not None:
                qtbot.waitUntil(lambda: bool(check.formatted))  # the screenful is painted
        finally:
            if check is not None:
                QApplication.instance().removeEventFilter(check)  # type: ignore[union-attr]
            window.close()
            finish(window.aclose())
            window.deleteLater()
            kept.close()  # what was formatted is written by now

    one_run()  # formatted by the render worker, and kept
    assert len(KeptRenders(folder).message_ids()) == FIRST_PAGE

    painted = _FirstPaints()
    one_run(painted)  # a restart: the same thread opened again
    assert painted.formatted  # the messages on screen…
    assert all(painted.formatted.values())  # …each formatted when first painted


def test_a_thread_never_formatted_paints_first_what_its_formatting_has_reached(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The page is not held back before its widgets are made: the view makes them while the
    # render worker formats their text, and paints once those it shows are formatted (a busy
    # machine formats slowly: the test waits as long as that takes).
    monkeypatch.setattr(formatter_module, "AHEAD_WAIT", 0.0)
    monkeypatch.setattr(view_module, "FORMAT_WAIT_MS", 60_000)
    core = make_core()
    thread = seed_thread(core, finish, 40)
    window = open_window(core)
    painted = _FirstPaints()
    QApplication.instance().installEventFilter(painted)  # type: ignore[union-attr]
    try:
        window.show_thread(thread.id)
        qtbot.waitUntil(lambda: bool(painted.formatted))  # the screenful is painted
    finally:
        QApplication.instance().removeEventFilter(painted)  # type: ignore[union-attr]
    assert all(painted.formatted.values())


def test_the_thread_before_stays_on_screen_while_the_next_ones_page_is_read(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(view_module, "FORMAT_WAIT_MS", 0)  # no wait for formatting to end it
    monkeypatch.setattr(view_module, "READING_WAIT_MS", 300)
    core = make_core()
    before, after = seed_thread(core, finish, 30), seed_thread(core, finish, 30)
    window = open_window(core)
    open_thread(window, qtbot, before.id, FIRST_PAGE)
    held = asyncio.Event()
    reading = core.service.list_messages

    async def slow_read(*args: Any, **kwargs: Any) -> Any:  # a slow disk
        await held.wait()
        return await reading(*args, **kwargs)

    monkeypatch.setattr(core.service, "list_messages", slow_read)
    paints = _PagePaints(window)
    paints.watch(window.view.widget())
    shown: list[tuple[float, int]] = []  # when, and how many paints came before
    window.view.page_shown.connect(lambda: shown.append((time.perf_counter(), len(paints.seen))))
    clicked = time.perf_counter()
    window.show_thread(after.id)
    qtbot.waitUntil(lambda: bool(shown))  # the read took too long: the view shows it is empty
    when, painted_before = shown[0]
    assert when - clicked >= 0.25  # not before (Qt's coarse timers end up to 5 % early)
    # until then, the thread before
    assert all(made for made, _, _ in paints.seen[:painted_before]), paints.seen
    held.set()
    open_thread(window, qtbot, after.id, FIRST_PAGE)


def test_a_summary_arriving_while_a_page_is_built_heads_the_page(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = make_core()
    thread = seed_thread(core, finish, 100)
    store = core.insides.store
    tenth = store.read_now(
        lambda session: session.scalar(
            select(Message.id).where(Message.thread_id == thread.id, Message.depth == 9)
        )
    )
    store.write_now(  # a summary of the thread's first ten messages, all above its first page
        lambda session: records.add(
            session,
            now=datetime.now(UTC),
            thread_id=thread.id,
            covers_through=tenth,
            content="what came before",
            tokens=3,
            provider=None,
            model=None,
        )
    )
    [summary] = finish(core.service.list_summaries(thread.id))
    window = open_window(core)
    read = core.service.list_summaries
    page_read = asyncio.Event()

    async def held(thread_id: uuid.UUID) -> Any:
        await page_read.wait()  # the window's own read gives the same, after the page
        return await read(thread_id)

    monkeypatch.setattr(core.service, "list_summaries", held)
    building: list[bool] = []

    def summary_meanwhile() -> None:
        """The summary arrives right after the page, its widgets not all made yet."""
        building.append(window.view._unbuilt > 0)
        window.conversation.set_summary(summary, 9)
        page_read.set()

    window.controller.loaded.connect(lambda _: summary_meanwhile())
    window.show_thread(thread.id)
    qtbot.waitUntil(lambda: bool(building))
    assert building == [True]
    view = window.view
    qtbot.waitUntil(lambda: view.divider.isVisible())
    qtbot.waitUntil(lambda: view.divider.y() + view.divider.height() <= view.widgets[0].y())
