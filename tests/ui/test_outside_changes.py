"""The window shows what another chatdesk process writes to its database, as it comes
(decision 0041): a real `chatdesk ask` run beside the window, its thread in the sidebar, its
message in the open conversation, its answer growing and ending there; Stop says it cannot
stop an answer written elsewhere, until that answer ends."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.sidebar.model import ThreadTreeModel
from tests.core.second_process import ask_command, delete_message_command
from tests.core.sse_server import FakeOpenAI, Reply, chunk
from tests.e2e.cli import chatdesk


def sidebar_threads(model: ThreadTreeModel) -> dict[uuid.UUID, str]:
    """Every thread the sidebar lists (in its groups or at the top), with its title."""
    found: dict[uuid.UUID, str] = {}
    pending = [model.index(row, 0) for row in range(model.rowCount())]
    while pending:
        index = pending.pop()
        thread = model.thread_at(index)
        if thread is not None:
            found[thread.id] = index.data()
        pending += [model.index(row, 0, index) for row in range(model.rowCount(index))]
    return found


def texts(window: MainWindow) -> list[str]:
    return [w.message.content for w in window.view.widgets]


@pytest.fixture
def watched_window(make_core: Any, open_window: Any, finish: Any, qtbot: QtBot) -> Any:
    """The window on a thread of one question and its answer, the core watching others."""
    core: Core = make_core()
    window: MainWindow = open_window(core)
    turn = finish(core.service.send_new("A question asked here"))
    finish(core.service.wait_for_answer(turn.answer.id))
    core.watch_outside()
    window.show_thread(turn.answer.thread_id)
    qtbot.waitUntil(lambda: len(window.view.widgets) == 2)
    return window, core, turn.answer.thread_id


def test_the_window_shows_threads_and_messages_another_process_writes(
    watched_window: Any, qtbot: QtBot
) -> None:
    window, _core, thread_id = watched_window
    qtbot.waitUntil(lambda: thread_id in sidebar_threads(window.sidebar.model))
    texts_before = texts(window)

    added = chatdesk("ask", "Asked from the terminal", "--thread", thread_id.hex)
    assert added.returncode == 0, added.stderr
    qtbot.waitUntil(lambda: len(window.view.widgets) == 4)
    assert texts(window)[2] == "Asked from the terminal"
    assert window.view.widgets[3].message.status.is_final

    asked_there = window.view.widgets[2].message.id
    deleted = subprocess.run(delete_message_command(asked_there), capture_output=True, check=False)
    assert deleted.returncode == 0, deleted.stderr.decode()
    qtbot.waitUntil(lambda: texts(window) == [texts_before[0], texts_before[1]])

    new = chatdesk("ask", "A chat started elsewhere", "--json")
    assert new.returncode == 0, new.stderr
    elsewhere = uuid.UUID(json.loads(new.stdout)["thread_id"])
    qtbot.waitUntil(lambda: elsewhere in sidebar_threads(window.sidebar.model))
    assert window.current_thread_id == thread_id  # shown in the list, not opened over ours

    assert chatdesk("threads", "rename", elsewhere.hex, "Renamed over there").returncode == 0
    qtbot.waitUntil(
        lambda: sidebar_threads(window.sidebar.model).get(elsewhere) == "Renamed over there"
    )
    assert chatdesk("threads", "delete", elsewhere.hex).returncode == 0
    qtbot.waitUntil(lambda: elsewhere not in sidebar_threads(window.sidebar.model))
    assert thread_id in sidebar_threads(window.sidebar.model)


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(("llama3.2",)).start()
    yield fake
    fake.release.set()
    fake.close()


def test_an_answer_written_elsewhere_grows_in_the_window_and_stop_says_why_not(
    watched_window: Any, server: FakeOpenAI, qtbot: QtBot
) -> None:
    window, _core, thread_id = watched_window
    added = chatdesk("providers", "add", "home", "--preset", "ollama", "--base-url", server.url)
    assert added.returncode == 0, added.stderr
    server.queue(Reply(events=[chunk("Half "), chunk("and whole.", finish="stop")], hold_after=1))
    asked = (
        "Slowly, please",
        "--thread",
        thread_id.hex,
        "--provider",
        "home",
        "--model",
        "llama3.2",
    )
    other = subprocess.Popen(ask_command(*asked), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        qtbot.waitUntil(lambda: texts(window)[2:] == ["Slowly, please", "Half "])
        assert not window.view.widgets[3].message.status.is_final
        qtbot.waitUntil(lambda: window.provider_status.text() == "llama3.2: writing an answer…")
        window.sending.stop()
        qtbot.waitUntil(lambda: "another chatdesk" in window.statusBar().currentMessage())
        server.release.set()
        qtbot.waitUntil(lambda: window.view.widgets[3].message.status.is_final)
        assert texts(window)[3] == "Half and whole."
        # the answer ended: why it could not be stopped is no longer said
        assert "another chatdesk" not in window.statusBar().currentMessage()
    finally:
        server.release.set()
        _, err = other.communicate()
    assert other.returncode == 0, err.decode()
