"""The main window's parts on their own, without the window: where it was, the provider's
status, the drafts that follow their thread, the menus, the model choice, sending and stopping,
and the status line's notices about answers."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QStatusBar, QToolButton
from pytestqt.qtbot import QtBot

from chatdesk.core.chat import events as ev
from chatdesk.core.config import Settings
from chatdesk.core.kinds import Status
from chatdesk.core.views import DraftView, ThreadView
from chatdesk.ui.composer import Composer
from chatdesk.ui.runner import Runner
from chatdesk.ui.window.answer_notices import AnswerNotices
from chatdesk.ui.window.drafts import Drafts
from chatdesk.ui.window.menus import NEEDS_SERVICE, NEEDS_THREAD, WindowMenus
from chatdesk.ui.window.models import ModelChoice
from chatdesk.ui.window.provider_status import ProviderStatus
from chatdesk.ui.window.sending import WAITING_TEXT, Sending
from chatdesk.ui.window.state import WindowState
from tests.core.web.pages import article
from tests.core.web.web_server import FakeWeb, searxng_answer
from tests.ui.test_window import answer_done


def _window(qtbot: QtBot, state_file: Path) -> tuple[QMainWindow, QSplitter, WindowState]:
    window = QMainWindow()
    qtbot.addWidget(window)
    splitter = QSplitter()
    side, main = QLabel("side"), QLabel("main")
    splitter.addWidget(side)
    splitter.addWidget(main)
    window.setCentralWidget(splitter)
    return window, splitter, WindowState(window, splitter, lambda: side, state_file)


def test_the_window_comes_back_where_it_was(qtbot: QtBot, tmp_path: Path) -> None:
    state_file = tmp_path / "state.ini"
    window, splitter, state = _window(qtbot, state_file)
    window.resize(700, 500)  # inside the offscreen screen, where geometry is kept to it
    window.show()
    splitter.setSizes([250, 450])
    wanted = splitter.sizes()
    state.save()

    again, splitter_again, state_again = _window(qtbot, state_file)
    state_again.restore()
    again.show()
    assert again.size() == window.size()
    assert splitter_again.sizes() == wanted

    splitter_again.widget(0).hide()  # type: ignore[union-attr]
    state_again.save()
    _, hidden, state_hidden = _window(qtbot, state_file)
    state_hidden.restore()
    assert hidden.widget(0).isHidden()  # type: ignore[union-attr]


def test_the_provider_status_says_what_the_last_request_showed(qtbot: QtBot) -> None:
    status = ProviderStatus()
    qtbot.addWidget(status)
    assert status.text() == "Ready"
    status.show_state("openai", "offline", "cannot reach the provider")
    assert (status.text(), status.toolTip()) == ("openai: offline", "cannot reach the provider")
    status.show_state("openai", "auth", "the API key was refused")
    assert status.text() == "openai: auth error"


def test_the_provider_status_follows_a_research_run_step_by_step(
    make_core: Any, qtbot: QtBot, finish: Any
) -> None:
    web = FakeWeb().start()
    try:
        hits = [(f"Story {n}", web.page(f"/news/{n}", article()), "") for n in (1, 2)]
        web.json("/searx/search", searxng_answer(hits))
        core = make_core(
            CHATDESK_WEB_ENGINE="searxng",
            CHATDESK_WEB_SEARXNG_URL=f"{web.origin}/searx",
            CHATDESK_WEB_ALLOW_PRIVATE=web.allow,
        )
        status = ProviderStatus()
        qtbot.addWidget(status)
        shown: list[str] = []

        def follow(event: Any) -> None:
            status.apply(event)
            shown.append(status.text())

        core.service.events.subscribe(follow)
        turn = finish(core.service.research.send(None, "footbridge"))
        finish(core.service.wait_for_answer(turn.answer.id))
    finally:
        web.close()
    steps = [text for text in shown if "pages, " in text]
    assert steps[0].startswith("mock-1: Planning the searches (0 of 30 pages, ")
    assert any(t.startswith("mock-1: Reading: ") and "(0 of 30 pages" in t for t in steps)
    assert steps[-1].startswith("mock-1: Writing the report (2 of 30 pages, ")
    assert status.text() == "mock: ready"  # the answer ended


def test_drafts_stay_with_their_thread(make_core: Any, qtbot: QtBot, finish: Any) -> None:
    core = make_core()
    composer = Composer()
    qtbot.addWidget(composer)
    runner = Runner()
    first = finish(core.service.create_thread(title="first")).id
    current: list[uuid.UUID | None] = [first]
    drafts = Drafts(
        composer,
        service=lambda: core.service,
        runner=lambda: runner,
        current_thread=lambda: current[0],
    )
    drafts.load(first)
    qtbot.waitUntil(lambda: drafts.shown)
    qtbot.keyClicks(composer.editor, "half a thought")
    drafts.leave()  # to the new chat
    current[0] = None
    drafts.load(None)
    assert composer.text() == ""
    qtbot.waitUntil(lambda: finish(core.service.load_draft(first)) == DraftView("half a thought"))

    current[0] = first
    drafts.load(first)
    qtbot.waitUntil(lambda: composer.text() == "half a thought")
    finish(runner.aclose())


class _Found:
    def __init__(self) -> None:
        self.calls = 0

    def open_bar(self) -> None:
        self.calls += 1


class _MenuWindow(QMainWindow):
    """The methods the menu table names on the window itself."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args: None


def test_menus_offer_what_the_core_and_the_shown_thread_allow(qtbot: QtBot) -> None:
    window = _MenuWindow()
    qtbot.addWidget(window)
    menus = WindowMenus(window)
    assert [menu.text() for menu in window.menuBar().actions()] == [
        "&File",
        "&Chat",
        "&View",
        "&Help",
    ]
    assert menus.actions == {}  # the titles first; the entries follow the first paint
    menus.add_entries(lambda: None, ())
    actions = menus.actions
    assert not any(actions[name].isEnabled() for name in NEEDS_SERVICE | NEEDS_THREAD)
    assert actions["new_chat"].shortcut().toString() == "Ctrl+N"

    menus.core_attached({"open_search": True})  # a core without search
    assert actions["new_chat"].isEnabled()
    assert not actions["open_search"].isEnabled()
    assert not actions["export_thread"].isEnabled()  # still no thread shown

    menus.thread_shown(shown=True, summarising=False, can_export=True)
    assert actions["summaries.summarize_now"].isEnabled()
    assert not actions["summaries.cancel"].isEnabled()
    assert actions["export_thread"].isEnabled()
    menus.thread_shown(shown=True, summarising=True, can_export=False)
    assert not actions["summaries.summarize_now"].isEnabled()
    assert actions["summaries.cancel"].isEnabled()
    assert not actions["export_thread"].isEnabled()

    found = _Found()  # a part made after the menus: looked up when the entry is chosen
    window.find_bar = found  # type: ignore[attr-defined]
    actions["find_bar.open_bar"].trigger()
    assert found.calls == 1


class _Held:
    """Settings in use, as the window holds them."""

    def __init__(self, settings: Settings) -> None:
        self.current = settings

    def apply(self, settings: Settings) -> None:
        self.current = settings


def test_the_model_choice_follows_the_shown_thread_and_the_new_chat(
    make_core: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    composer = Composer()
    qtbot.addWidget(composer)
    runner = Runner()
    settings = Settings()
    default = (settings.general.default_provider, settings.general.default_model)
    shown: list[ThreadView | None] = [None]
    models = ModelChoice(composer, _Held(settings), lambda: shown[0])
    models.attach(core.service, runner)
    assert models.current() == default
    assert models.choose("mock/mock-2")  # for the new chat: nothing is stored
    assert models.current() == ("mock", "mock-2")
    models.show()
    assert composer._row.model_key == "mock/mock-2"
    models.new_chat(None)
    assert models.current() == default

    thread = finish(core.service.create_thread(title="t"))
    shown[0] = thread
    assert not models.choose("mock/mock-3")
    qtbot.waitUntil(lambda: finish(core.service.get_thread(thread.id)).model == "mock-3")
    shown[0] = finish(core.service.get_thread(thread.id))
    assert models.current() == ("mock", "mock-3")
    finish(runner.aclose())


def test_a_message_sent_before_the_core_is_open_waits_then_goes(
    make_core: Any, qtbot: QtBot, finish: Any
) -> None:
    composer = Composer()
    qtbot.addWidget(composer)
    status = QStatusBar()
    qtbot.addWidget(status)
    shown: list[ThreadView | None] = [None]
    settings = Settings()
    models = ModelChoice(composer, _Held(settings), lambda: shown[0])
    sent: list[Any] = []
    sending = Sending(composer, status, lambda: models, lambda: shown[0], sent.append)
    qtbot.keyClicks(composer.editor, "written while opening")
    sending.send(composer.text(), composer.attachments())
    assert status.currentMessage() == WAITING_TEXT
    assert composer.text() == "written while opening"  # kept, and still editable
    qtbot.keyClicks(composer.editor, "!")

    core = make_core()
    runner = Runner()
    sending.attach(core.service, runner)
    assert sending.begin()
    qtbot.waitUntil(lambda: len(sent) == 1)
    assert composer.text() == ""
    assert status.currentMessage() == ""
    messages = finish(core.service.list_messages(sent[0].answer.thread_id))
    assert messages.messages[0].content == "written while opening!"
    assert not sending.begin()  # nothing waits any more
    finish(runner.aclose())


def test_stop_is_offered_while_the_shown_thread_answer_is_written(
    make_core: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    composer = Composer()
    qtbot.addWidget(composer)
    status = QStatusBar()
    qtbot.addWidget(status)
    runner = Runner()
    turn = finish(core.service.send_new("hello"))
    answer = finish(core.service.wait_for_answer(turn.answer.id))
    thread = finish(core.service.get_thread(answer.thread_id))
    shown: list[ThreadView | None] = [thread]
    models = ModelChoice(composer, Settings, lambda: shown[0])
    sending = Sending(composer, status, models, lambda: shown[0], lambda turn: None)
    sending.attach(core.service, runner)
    button = composer.findChild(QToolButton, "sendButton")  # it sends, or stops
    assert button is not None

    def stop_offered() -> bool:
        return button.isEnabled() and button.accessibleName() == "Stop"

    writing = replace(answer, status=Status.STREAMING)
    sending.apply(ev.MessageAdded(writing))
    assert stop_offered()
    shown[0] = None  # the new chat is shown: it has nothing to stop
    sending.show_streaming()
    assert not stop_offered()
    shown[0] = thread
    sending.show_streaming()
    assert stop_offered()
    sending.apply(ev.MessageFinished(answer))
    assert not stop_offered()
    finish(runner.aclose())


def test_notices_say_which_thread_an_answer_waits_or_failed_in(
    make_core: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    turn = finish(core.service.send_new("hello"))
    answer = finish(core.service.wait_for_answer(turn.answer.id))
    status = QStatusBar()
    qtbot.addWidget(status)
    current: list[uuid.UUID | None] = [answer.thread_id]
    notices = AnswerNotices(status, lambda: current[0])

    notices.apply(ev.AnswerWaiting(answer.id, answer.thread_id, 4.2, "the request limit"))
    assert status.currentMessage() == "Waiting 4 s: the request limit"
    notices.apply(ev.AnswerRetrying(answer.id, answer.thread_id, 1, 2.0, "server error 502"))
    assert status.currentMessage() == "Retrying in 2 s (attempt 2): server error 502"
    failed = replace(answer, status=Status.ERROR, error_detail="the server went away")
    notices.apply(ev.MessageFinished(failed))  # in the shown thread: the message itself says it
    assert status.currentMessage() == "Retrying in 2 s (attempt 2): server error 502"
    notices.apply(ev.CapNear(answer.thread_id, "Spending cap near: $9.00 of $10.00 (90%)."))
    assert status.currentMessage() == "Spending cap near: $9.00 of $10.00 (90%)."
    left_out = ("report.pdf: pages 9–40", "notes.docx: the last 1,200 characters")
    notices.apply(ev.AnswerShortened(answer.id, answer.thread_id, left_out))
    assert status.currentMessage() == (
        "Sent in part, to fit the model's context: report.pdf: pages 9–40; notes.docx: the "
        "last 1,200 characters left out."
    )

    current[0] = None
    notices.apply(ev.AnswerWaiting(answer.id, answer.thread_id, 3, "the request limit"))
    assert status.currentMessage() == "An answer in another thread: Waiting 3 s: the request limit"
    notices.apply(ev.MessageFinished(failed))
    assert status.currentMessage() == "An answer in another thread failed: the server went away"


def test_a_reached_cap_offers_to_send_the_message_anyway(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    from chatdesk.core.chat.caps import CapReached

    window = open_window(make_core())
    window.composer.set_text("Worth it")
    said = "The spending cap is reached: $9.00 of $5.00 (180%) this month, all providers."
    window.sending._refused(CapReached(said))  # as the service refuses a send at a cap
    assert window.statusBar().currentMessage() == said
    button = window.sending.over_cap_button
    assert button is not None
    assert button.isVisible()
    assert button.accessibleName() == "Send anyway, past the spending cap"
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: answer_done(window))
    assert window.view.widgets[0].message.content == "Worth it"
    assert not button.isVisible()
