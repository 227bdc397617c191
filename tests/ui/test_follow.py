"""The view follows what the user does: a send shows its answer as it grows, the chat list's
highlight is always the chat shown, a message is edited in place, the status bar tells the
truth about an answer being written."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QPlainTextEdit, QToolButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from chatdesk.app import Core
from chatdesk.core.chat import repository as repo
from chatdesk.core.kinds import Role, Status
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.store.models import Thread
from chatdesk.core.sync import publish
from chatdesk.core.sync.apply import Applied
from chatdesk.core.views import ProjectSettings
from chatdesk.ui.main_window import MainWindow
from tests.core.sse_server import FakeOpenAI, Reply, chunk

LONG = "Show me a table and some code"  # the mock's long answer: a few of them scroll


def send(qtbot: QtBot, window: MainWindow, text: str) -> None:
    qtbot.keyClicks(window.composer.editor, text)
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return)


def answered(window: MainWindow, count: int) -> bool:
    messages = window.conversation.messages()
    widgets = window.view.widgets
    return (
        len(messages) == count
        and messages[-1].status.is_final
        and len(widgets) == count
        and all(w.isVisible() for w in widgets)
    )


def at_end(window: MainWindow) -> bool:
    bar = window.view.verticalScrollBar()
    return bar.maximum() > 0 and bar.value() == bar.maximum()


def in_sight(window: MainWindow, index: int) -> bool:
    """The message widget at `index` is at least partly inside the viewport."""
    view = window.view
    widget = view.widgets[index]
    top = widget.mapTo(view.viewport(), widget.rect().topLeft()).y()
    return top < view.viewport().height() and top + widget.height() > 0


def long_chat(qtbot: QtBot, window: MainWindow, turns: int = 3) -> None:
    for turn in range(1, turns + 1):
        send(qtbot, window, LONG)
        qtbot.waitUntil(lambda turn=turn: answered(window, 2 * turn))
    qtbot.waitUntil(lambda: window.view.verticalScrollBar().maximum() > 0)


# -- 1. a send follows its answer --------------------------------------------------------------


def test_a_send_while_scrolled_up_shows_the_new_message_and_its_answer(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window = open_window(make_core())
    long_chat(qtbot, window)
    window.view.verticalScrollBar().setValue(0)
    assert not window.view.following
    send(qtbot, window, "and one more")
    qtbot.waitUntil(lambda: answered(window, 8))
    qtbot.waitUntil(lambda: at_end(window))
    assert in_sight(window, 6)  # the question just sent
    assert in_sight(window, 7)  # and its answer
    assert window.view.following


@pytest.mark.parametrize("action", ["regenerate", "edit"])
def test_a_regenerate_or_an_edit_while_scrolled_up_shows_the_new_answer(
    make_core: Any, open_window: Any, qtbot: QtBot, action: str
) -> None:
    window = open_window(make_core())
    long_chat(qtbot, window)
    last_answer = window.view.widgets[5].message
    window.view.verticalScrollBar().setValue(0)
    if action == "regenerate":
        window.actions_.run("regenerate", last_answer.id)
    else:
        window.actions_.edit(window.view.widgets[4].message.id, "said again")
    qtbot.waitUntil(
        lambda: answered(window, 6) and window.conversation.messages()[-1].id != last_answer.id
    )
    qtbot.waitUntil(lambda: at_end(window))
    assert in_sight(window, 5)


def test_scrolling_up_during_an_answer_stops_following_and_offers_latest(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    core = make_core()
    window = open_window(core)
    long_chat(qtbot, window, turns=2)
    mock = core.insides.providers.get("mock")
    mock.tokens_per_second = 4  # type: ignore[attr-defined]  # the next answer comes slowly
    send(qtbot, window, LONG)
    qtbot.waitUntil(lambda: len(window.conversation.messages()) == 6)
    qtbot.waitUntil(lambda: bool(window.conversation.messages()[-1].content) and at_end(window))
    window.view.verticalScrollBar().setValue(0)
    jump = window.view.findChild(QToolButton, "jumpToLatest")
    assert jump is not None
    qtbot.waitUntil(jump.isVisible)
    grown = len(window.conversation.messages()[-1].content)
    qtbot.waitUntil(lambda: len(window.conversation.messages()[-1].content) > grown + 8)
    assert window.view.verticalScrollBar().value() == 0  # left where the user went
    assert not window.view.following
    qtbot.mouseClick(jump, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: at_end(window) and window.view.following)
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Escape)  # stop it
    qtbot.waitUntil(lambda: window.conversation.messages()[-1].status.is_final)


# -- 2. the chat list's highlight is the chat shown --------------------------------------------


def three_chats(core: Core, finish: Any) -> list[uuid.UUID]:
    made = []
    for title in ("first", "second", "third"):
        turn = finish(core.service.send_new(title))
        finish(core.service.wait_for_answer(turn.answer.id))
        made.append(turn.answer.thread_id)
    return made


def highlighted(window: MainWindow) -> uuid.UUID | None:
    """The chat the list's highlight is on, as the user sees it (None: no row highlighted)."""
    tree = window.sidebar.tree
    chosen = [window.sidebar.model.thread_at(i) for i in tree.selectionModel().selectedIndexes()]
    current = window.sidebar.model.thread_at(tree.currentIndex())
    if not chosen:
        return None
    assert chosen == [current]
    return current.id if current is not None else None


def showing(qtbot: QtBot, window: MainWindow, thread_id: uuid.UUID) -> None:
    qtbot.waitUntil(lambda: window.sidebar.model.index_of_thread(thread_id).isValid())
    window.show_thread(thread_id)
    qtbot.waitUntil(lambda: window.current_thread_id == thread_id)
    qtbot.waitUntil(lambda: highlighted(window) == thread_id)


class Shown(NamedTuple):
    core: Core
    threads: list[uuid.UUID]  # "first", "second", "third", oldest first
    window: MainWindow
    shown: uuid.UUID  # the second, shown and highlighted


@pytest.fixture
def second_shown(make_core: Any, open_window: Any, qtbot: QtBot, finish: Any) -> Shown:
    core = make_core()
    threads = three_chats(core, finish)
    window = open_window(core)
    showing(qtbot, window, threads[1])
    return Shown(core, threads, window, threads[1])


Act = Callable[[Core, Any, MainWindow, uuid.UUID], None]


def _pin(core: Core, finish: Any, window: MainWindow, shown: uuid.UUID) -> None:
    finish(core.service.set_pinned(shown, True))


def _unpin(core: Core, finish: Any, window: MainWindow, shown: uuid.UUID) -> None:
    finish(core.service.set_pinned(shown, True))
    finish(core.service.set_pinned(shown, False))


def _archive_other(core: Core, finish: Any, window: MainWindow, shown: uuid.UUID) -> None:
    others = [t.id for t in finish(core.service.list_threads()).threads if t.id != shown]
    finish(core.service.set_archived(others[0], True))


def _move(core: Core, finish: Any, window: MainWindow, shown: uuid.UUID) -> None:
    project = finish(core.service.save_project(None, ProjectSettings(name="Work")))
    window.sidebar.tree.expand(window.sidebar.model.index_of_project(project.id))
    finish(core.service.move_thread(shown, project.id))


def _rename(core: Core, finish: Any, window: MainWindow, shown: uuid.UUID) -> None:
    finish(core.service.rename_thread(shown, "a better name"))


def _resorted(core: Core, finish: Any, window: MainWindow, shown: uuid.UUID) -> None:
    others = [t.id for t in finish(core.service.list_threads()).threads if t.id != shown]
    turn = finish(core.service.send(others[-1], "news in another chat"))
    finish(core.service.wait_for_answer(turn.answer.id))


def _answered_here(core: Core, finish: Any, window: MainWindow, shown: uuid.UUID) -> None:
    turn = finish(core.service.send(shown, "news here"))
    finish(core.service.wait_for_answer(turn.answer.id))


@pytest.mark.parametrize(
    "act",
    [_pin, _unpin, _archive_other, _move, _rename, _resorted, _answered_here],
    ids=["pin", "unpin", "archive another", "move", "rename", "re-sort", "answered"],
)
def test_the_highlight_stays_on_the_chat_shown(
    second_shown: Shown, qtbot: QtBot, finish: Any, act: Act
) -> None:
    core, _, window, shown = second_shown
    act(core, finish, window, shown)
    qtbot.waitUntil(lambda: window.sidebar.model.index_of_thread(shown).isValid())
    assert window.current_thread_id == shown
    assert highlighted(window) == shown


# A team pull writes a teammate's changes into the database, then announces them through
# publish.applied, as the sync engine does after each page it applies. Each pull below gives
# what it writes, what the applier would have told, and how the list shows it once it arrived.

Seen = Callable[[MainWindow], bool]
Pull = tuple[Callable[[Session], None], Applied, Seen]


def _row_of(window: MainWindow, thread_id: uuid.UUID) -> int:
    index = window.sidebar.model.index_of_thread(thread_id)
    return index.row() if index.isValid() else -1


def _title_of(window: MainWindow, thread_id: uuid.UUID) -> str | None:
    model = window.sidebar.model
    thread = model.thread_at(model.index_of_thread(thread_id))
    return thread.title if thread is not None else None


def _newest(session: Session, threads: list[uuid.UUID]) -> datetime:
    return max(session.get_one(Thread, t).last_activity_at for t in threads) + timedelta(hours=1)


def _teammates_new_chat(shown: uuid.UUID, threads: list[uuid.UUID]) -> Pull:
    made = uuid.uuid4()

    def write(session: Session) -> None:
        later = _newest(session, threads)  # the newest chat: its row comes first
        session.add(
            Thread(
                id=made,
                team_id=uuid.uuid4(),
                title="from a teammate",
                title_set_by_user=True,
                last_activity_at=later,
                created_at=later,
                updated_at=later,
            )
        )  # as the team's applier makes it

    return (
        write,
        Applied(threads_created={made}),
        lambda w: 0 <= _row_of(w, made) < _row_of(w, shown),
    )


def _teammate_renames_the_shown(shown: uuid.UUID, threads: list[uuid.UUID]) -> Pull:
    renamed = "renamed by a teammate"  # in the list and the window's title

    def write(session: Session) -> None:
        session.get_one(Thread, shown).title = renamed

    changes = Applied(threads_changed={shown})
    return write, changes, lambda w: _title_of(w, shown) == w.windowTitle()[: len(renamed)]


def _teammate_deletes_another(shown: uuid.UUID, threads: list[uuid.UUID]) -> Pull:
    above = threads[2]  # the newest: its row is above the one shown, which moves up

    def write(session: Session) -> None:
        thread = session.get_one(Thread, above)
        thread.deleted_at = thread.last_activity_at

    changes = Applied(threads_deleted={above}, threads_changed={above})
    return write, changes, lambda w: _row_of(w, above) == -1


def _teammate_writes_in_another(shown: uuid.UUID, threads: list[uuid.UUID]) -> Pull:
    below = threads[0]  # the oldest: a teammate's message brings it above the one shown
    made: list[uuid.UUID] = []

    def write(session: Session) -> None:
        row, later = repo.thread_row(session, below), _newest(session, threads)
        asked = repo.insert_message(session, later, row, None, Role.USER, Status.COMPLETE, "hi")
        row.last_activity_at = later
        made.append(asked.id)

    return write, Applied(messages_added=made), lambda w: 0 <= _row_of(w, below) < _row_of(w, shown)


@pytest.mark.parametrize(
    "pull",
    [
        _teammates_new_chat,
        _teammate_renames_the_shown,
        _teammate_deletes_another,
        _teammate_writes_in_another,
    ],
    ids=["a new chat above", "the chat shown renamed", "another deleted", "another re-sorted"],
)
def test_the_highlight_stays_on_the_chat_shown_through_a_team_pull(
    second_shown: Shown, qtbot: QtBot, pull: Callable[[uuid.UUID, list[uuid.UUID]], Pull]
) -> None:
    core, threads, window, shown = second_shown
    write, changes, seen = pull(shown, threads)
    assert not seen(window)
    core.insides.store.write_now(write)
    publish.applied(core.insides.store, changes, core.service.events.publish)
    qtbot.waitUntil(lambda: seen(window))
    assert window.current_thread_id == shown
    assert highlighted(window) == shown


def test_archiving_the_chat_shown_leaves_nothing_else_highlighted_and_unarchive_finds_it(
    second_shown: Shown, qtbot: QtBot, finish: Any
) -> None:
    core, _, window, shown = second_shown
    finish(core.service.set_archived(shown, True))
    qtbot.waitUntil(lambda: not window.sidebar.model.index_of_thread(shown).isValid())
    assert highlighted(window) is None  # not the row that took its place
    finish(core.service.set_archived(shown, False))
    qtbot.waitUntil(lambda: window.sidebar.model.index_of_thread(shown).isValid())
    assert highlighted(window) == shown


def test_a_new_chat_highlights_nothing_until_it_is_sent_then_itself(
    second_shown: Shown, qtbot: QtBot
) -> None:
    _, threads, window, _ = second_shown
    qtbot.mouseClick(window.sidebar.new_chat, Qt.MouseButton.LeftButton)
    assert window.current_thread_id is None
    assert highlighted(window) is None
    send(qtbot, window, "a fresh start")
    qtbot.waitUntil(lambda: window.current_thread_id not in (None, *threads))
    qtbot.waitUntil(lambda: highlighted(window) == window.current_thread_id)


def _delete_then_undo(qtbot: QtBot, window: MainWindow, meanwhile: Callable[[], None]) -> None:
    """Delete the chat shown from the list, do `meanwhile` while Undo is offered under it (with
    the chat gone), then click Undo."""
    model = window.sidebar.model
    assert window.current_thread_id is not None
    thread = model.thread_at(model.index_of_thread(window.current_thread_id))
    assert thread is not None
    window.sidebar.commands.delete(thread)
    qtbot.waitUntil(lambda: window.sidebar.notice.isVisible())
    meanwhile()
    qtbot.mouseClick(window.sidebar.notice.action, Qt.MouseButton.LeftButton)


def test_deleting_the_chat_shown_highlights_nothing_and_undo_shows_it_again(
    second_shown: Shown, qtbot: QtBot, finish: Any
) -> None:
    core, _, window, shown = second_shown

    def gone() -> None:
        assert window.current_thread_id is None
        assert highlighted(window) is None  # not the chat that moved into its row
        assert not window.view.widgets  # its messages went with it

    _delete_then_undo(qtbot, window, gone)
    qtbot.waitUntil(lambda: window.current_thread_id == shown)
    qtbot.waitUntil(lambda: len(window.view.widgets) == 2)  # its question and answer, back
    assert window.view.widgets[0].message.content == "second"
    qtbot.waitUntil(lambda: highlighted(window) == shown)
    title = finish(core.service.get_thread(shown)).title
    assert window.windowTitle().startswith(title)  # its title, not "New chat"


def test_undo_of_a_chat_deleted_after_another_was_opened_leaves_the_view_alone(
    second_shown: Shown, qtbot: QtBot
) -> None:
    _, threads, window, _ = second_shown
    # the user went on to another chat before Undo
    _delete_then_undo(qtbot, window, lambda: showing(qtbot, window, threads[0]))
    qtbot.waitUntil(lambda: window.sidebar.model.index_of_thread(threads[1]).isValid())
    assert window.current_thread_id == threads[0]
    assert highlighted(window) == threads[0]


def test_a_search_jump_highlights_the_chat_it_opens(
    second_shown: Shown, qtbot: QtBot, finish: Any
) -> None:
    core, threads, window, _ = second_shown
    page = finish(core.service.list_messages(threads[2]))
    window.open_message(threads[2], page.messages[0].id)
    qtbot.waitUntil(lambda: window.current_thread_id == threads[2])
    qtbot.waitUntil(lambda: highlighted(window) == threads[2])


# -- 3. editing in place -----------------------------------------------------------------------


def _editor(window: MainWindow, index: int) -> QPlainTextEdit:
    widget = window.view.widgets[index]
    return next(
        e for e in widget.findChildren(QPlainTextEdit) if e.accessibleName() == "Edit your message"
    )


def _editing(qtbot: QtBot, window: MainWindow, text: str) -> tuple[Any, QPlainTextEdit]:
    """Ask `text`, then click Edit under it: the question's widget and its editor, shown."""
    send(qtbot, window, text)
    qtbot.waitUntil(lambda: answered(window, 2))
    user = window.view.widgets[0]
    qtbot.mouseClick(user.footer.edit_button, Qt.MouseButton.LeftButton)
    editor = _editor(window, 0)
    qtbot.waitUntil(editor.isVisible)
    return user, editor


def test_editing_replaces_the_bubble_and_ctrl_enter_resends(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window = open_window(make_core())
    user, editor = _editing(qtbot, window, "first wording")
    assert not user.body.isVisible()  # the text shows once: in the editor
    short = editor.height()
    assert short < 120  # the size of one line, not a big box
    editor.setPlainText("\n".join(f"line {n}" for n in range(6)))
    qtbot.waitUntil(lambda: editor.height() > short)
    editor.setPlainText("\n".join(f"line {n}" for n in range(200)))
    qtbot.waitUntil(lambda: editor.height() < window.view.viewport().height())
    editor.setPlainText("second wording")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: (
            answered(window, 2) and window.conversation.messages()[0].content == "second wording"
        )
    )
    assert window.view.widgets[0].body.isVisible()


def test_escape_cancels_an_edit_and_shows_the_message_again(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window = open_window(make_core())
    user, editor = _editing(qtbot, window, "keep me")
    editor.setPlainText("never sent")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(user.body.isVisible)
    assert not [e for e in user.findChildren(QPlainTextEdit) if e.isVisible()]
    assert window.conversation.messages()[0].content == "keep me"
    assert window.composer.text() == ""  # Escape did not reach the composer's Stop either


def _in_viewport(window: MainWindow, widget: QWidget, rect: QRect | None = None) -> bool:
    """`rect` of `widget` (all of it by default) lies inside the conversation's viewport."""
    port = window.view.viewport()
    shown = rect if rect is not None else widget.rect()
    top_left = widget.mapTo(port, shown.topLeft())
    return port.rect().contains(QRect(top_left, shown.size()))


def test_editing_a_long_message_scrolled_partly_off_screen_shows_its_editor_and_caret(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    question = "\n".join(f"line {n} of a long question" for n in range(60))
    turn = finish(core.service.send_new(question))
    finish(core.service.wait_for_answer(turn.answer.id))
    window = open_window(core)
    window.resize(800, 600)
    window.show_thread(turn.answer.thread_id)
    qtbot.waitUntil(lambda: answered(window, 2) and window.view.widgets[1].rendered is not None)
    user = window.view.widgets[0]
    port = window.view.viewport()
    qtbot.waitUntil(lambda: user.height() > 2 * port.height())  # laid out, taller than the view
    # Scrolled to the end of the question: its Edit in sight, its first lines far above.
    bottom = user.geometry().bottom()
    window.view.verticalScrollBar().setValue(bottom - port.height() // 2)
    edit = user.footer.edit_button
    qtbot.waitUntil(lambda: _in_viewport(window, edit))
    assert not _in_viewport(window, user.body)
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    editor = _editor(window, 0)
    qtbot.waitUntil(lambda: editor.isVisible() and editor.hasFocus())
    qtbot.waitUntil(lambda: _in_viewport(window, editor))  # the box whole: it fits
    assert _in_viewport(window, editor.viewport(), editor.cursorRect())  # and its caret
    qtbot.keyClicks(editor, "Edited: ")
    assert editor.toPlainText().startswith("Edited: line 0")  # typed where the user looks


# -- 4. the status bar tells the truth ---------------------------------------------------------


def test_the_status_bar_says_an_answer_is_being_written_and_ready_only_after(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    core = make_core()
    window = open_window(core)
    status = window.provider_status
    send(qtbot, window, "quick one")
    qtbot.waitUntil(lambda: answered(window, 2))
    qtbot.waitUntil(lambda: status.text().endswith(": ready"))
    mock = core.insides.providers.get("mock")
    mock.tokens_per_second = 4  # type: ignore[attr-defined]  # slow enough to be seen
    send(qtbot, window, LONG)
    qtbot.waitUntil(lambda: len(window.conversation.messages()) == 4)
    qtbot.waitUntil(lambda: "writing" in status.text())
    model = window.conversation.messages()[-1].model
    assert model
    assert model in status.text()
    assert "ready" not in status.text().lower()
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.conversation.messages()[-1].status.is_final)
    qtbot.waitUntil(lambda: "writing" not in status.text())


def test_the_status_bar_names_a_rate_limit_while_the_answer_waits(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    from chatdesk.core.chat.events import AnswerWaiting, MessageAdded

    core = make_core()
    window = open_window(core)
    send(qtbot, window, "hello")
    qtbot.waitUntil(lambda: answered(window, 2))
    answer = window.conversation.messages()[-1]
    pending = replace(answer, status=Status.PENDING, content="")
    window.provider_status.apply(MessageAdded(pending))
    assert window.provider_status.text() == f"Connecting to {answer.provider}…"
    window.provider_status.apply(AnswerWaiting(answer.id, answer.thread_id, 3.0, "limit"))
    assert "rate limited" in window.provider_status.text()


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(("m",)).start()
    yield fake
    fake.release.set()
    fake.close()


def _ask_box(core: Core, finish: Any, window: MainWindow, server: FakeOpenAI) -> uuid.UUID:
    """A chat with the model m of the provider "box" (the local server), shown, asked."""
    finish(core.profiles.save(ProviderProfile("box", server.url, default_model="m")))
    thread = finish(core.service.create_thread(provider="box", model="m"))
    window.show_thread(thread.id)
    turn = finish(core.service.send(thread.id, "hello"))
    answer_id: uuid.UUID = turn.answer.id
    return answer_id


@pytest.mark.parametrize(
    ("held", "said"),
    [
        (
            Reply(events=[chunk("Hi"), chunk(finish="stop")], hold_first_byte=True),
            "Connecting to box…",
        ),
        (Reply(events=[chunk("Hi"), chunk(finish="stop")], hold_after=0), "Waiting for m…"),
    ],
    ids=["the server has not answered", "the model's first words have not come"],
)
def test_the_status_bar_says_connecting_then_waiting_before_an_answer_is_written(
    make_core: Any,
    open_window: Any,
    qtbot: QtBot,
    finish: Any,
    server: FakeOpenAI,
    held: Reply,
    said: str,
) -> None:
    core = make_core()
    window = open_window(core)
    status = window.provider_status
    server.queue(held)
    answer_id = _ask_box(core, finish, window, server)
    qtbot.waitUntil(server.holding.is_set)
    qtbot.waitUntil(lambda: status.text() == said)
    assert "writing" not in status.text()
    server.release.set()
    finish(core.service.wait_for_answer(answer_id))
    qtbot.waitUntil(lambda: status.text() == "box: ready")
