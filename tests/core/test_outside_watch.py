"""What another chatdesk process writes to the same database reaches this process's core as
the service's own events (decision 0041): a real second process (`python -m chatdesk ask`,
answered by a real local server that holds its stream half-way) beside a core whose watch is
started as the window starts it."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from chatdesk.app import Core, build_core
from chatdesk.configuration import configure
from chatdesk.core.chat import events as ev
from chatdesk.core.errors import Busy
from chatdesk.core.kinds import AnswerStage, Role, Status
from tests.core.second_process import ask_command, delete_message_command
from tests.core.sse_server import FakeOpenAI, Reply, chunk
from tests.e2e.cli import chatdesk

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)


class Heard:
    """Every event the core's bus publishes, and a way to wait for one that matters."""

    def __init__(self) -> None:
        self.events: list[ev.Event] = []
        self._arrived = asyncio.Event()

    def __call__(self, event: ev.Event) -> None:
        self.events.append(event)
        self._arrived.set()

    async def until(self, found: Callable[[], bool]) -> None:
        while not found():
            self._arrived.clear()
            await self._arrived.wait()

    def of(self, kind: type[ev.Event]) -> list[ev.Event]:
        return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(("llama3.2",)).start()
    yield fake
    fake.close()


@pytest_asyncio.fixture
async def watched(chatdesk_home: Path) -> AsyncIterator[tuple[Core, Heard]]:
    core = build_core(configure())
    heard = Heard()
    core.service.events.subscribe(heard)
    await core.start()
    core.watch_outside()
    try:
        yield core, heard
    finally:
        await core.aclose()


async def _ask(*args: str) -> asyncio.subprocess.Process:
    """`chatdesk ask …` in a process of its own, on the test's data folder."""
    return await asyncio.create_subprocess_exec(
        *ask_command(*args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _told_text(heard: Heard, answer_id: uuid.UUID) -> str:
    """The answer's text as the events tell it: added, then grown at the offsets they give."""
    text = ""
    for event in heard.events:
        match event:
            case ev.MessageAdded(message) if message.id == answer_id:
                text = message.content
            case ev.AnswerTextAppended(message_id, _, more, _, offset) if message_id == answer_id:
                assert offset == len(text)  # no gap, no overlap
                text += more
            case _:
                pass
    return text


@pytest.mark.asyncio
async def test_an_answer_another_process_writes_is_told_as_it_grows_and_ends(
    server: FakeOpenAI, watched: tuple[Core, Heard]
) -> None:
    core, heard = watched
    added = chatdesk("providers", "add", "home", "--preset", "ollama", "--base-url", server.url)
    assert added.returncode == 0, added.stderr
    server.queue(Reply(events=[chunk("Hello, "), chunk("neighbour.", finish="stop")], hold_after=1))

    other = await _ask("Who is there?", "--provider", "home", "--model", "llama3.2")

    def answer() -> ev.MessageAdded | None:
        found = [e for e in heard.of(ev.MessageAdded) if e.message.role is Role.ASSISTANT]
        return found[0] if found else None  # type: ignore[return-value]

    await heard.until(lambda: (a := answer()) is not None and _told_text(heard, a.message.id) != "")
    started = answer()
    assert started is not None
    (created,) = heard.of(ev.ThreadCreated)
    assert created.thread.id == started.message.thread_id  # type: ignore[union-attr]
    (question,) = [e for e in heard.of(ev.MessageAdded) if e.message.role is Role.USER]
    assert question.message.content == "Who is there?"  # type: ignore[union-attr]
    assert _told_text(heard, started.message.id) == "Hello, "
    assert not heard.of(ev.MessageFinished)  # still being written over there
    (stage,) = heard.of(ev.AnswerStageChanged)  # said once, as the first words came
    assert stage.stage is AnswerStage.WRITING  # type: ignore[union-attr]

    with pytest.raises(Busy, match="another chatdesk"):  # Stop here cannot stop it there
        await core.service.stop(started.message.id)

    server.release.set()
    await heard.until(lambda: bool(heard.of(ev.MessageFinished)))
    (finished,) = heard.of(ev.MessageFinished)
    assert finished.message.id == started.message.id  # type: ignore[union-attr]
    assert finished.message.status is Status.COMPLETE  # type: ignore[union-attr]
    assert finished.message.content == "Hello, neighbour."  # type: ignore[union-attr]
    _, err = await other.communicate()
    assert other.returncode == 0, err.decode()
    # Told once each, though the watch read them on several turns.
    assert len(heard.of(ev.ThreadCreated)) == 1
    assert len({e.message.id for e in heard.of(ev.MessageAdded)}) == 2  # type: ignore[attr-defined]
    assert len(heard.of(ev.MessageAdded)) == 2


@pytest.mark.asyncio
async def test_this_process_own_writes_are_told_once_by_its_service(
    watched: tuple[Core, Heard],
) -> None:
    core, heard = watched
    turn = await core.service.send_new("Something of my own")
    await core.service.wait_for_answer(turn.answer.id)
    assert turn.user_message is not None
    mine = {turn.user_message.id, turn.answer.id}
    await core.service.rename_thread(turn.answer.thread_id, "Renamed here")  # through the ORM

    # Another process writes after: once it is told, the watch has read past our writes.
    other = await _ask("Something from elsewhere")
    await heard.until(lambda: len(heard.of(ev.ThreadCreated)) == 2)
    await heard.until(lambda: any(e.message.status.is_final for e in _answers_of(heard, mine)))
    await other.wait()

    added = [e.message.id for e in heard.of(ev.MessageAdded)]  # type: ignore[attr-defined]
    assert sorted(added.count(i) for i in mine) == [1, 1]
    finished = [e.message.id for e in heard.of(ev.MessageFinished)]  # type: ignore[attr-defined]
    assert finished.count(turn.answer.id) == 1
    threads = [e.thread.id for e in heard.of(ev.ThreadCreated)]  # type: ignore[attr-defined]
    assert threads.count(turn.answer.thread_id) == 1
    renamed = [e for e in heard.of(ev.ThreadUpdated) if e.thread.title == "Renamed here"]  # type: ignore[union-attr]
    assert len(renamed) == 1


def _answers_of(heard: Heard, mine: set[uuid.UUID]) -> list[ev.MessageFinished]:
    """Answers finished in another process (not among `mine`)."""
    return [
        e
        for e in heard.of(ev.MessageFinished)
        if isinstance(e, ev.MessageFinished) and e.message.id not in mine
    ]


@pytest.mark.asyncio
async def test_messages_another_process_deletes_are_told(watched: tuple[Core, Heard]) -> None:
    core, heard = watched
    first = await core.service.send_new("Keep this question")
    await core.service.wait_for_answer(first.answer.id)
    thread_id = first.answer.thread_id
    second = await core.service.send(thread_id, "Delete this one over there")
    await core.service.wait_for_answer(second.answer.id)
    assert second.user_message is not None

    deleting = delete_message_command(second.user_message.id)
    other = await asyncio.create_subprocess_exec(*deleting, stderr=subprocess.PIPE)
    _, err = await other.communicate()
    assert other.returncode == 0, err.decode()
    await heard.until(lambda: bool(heard.of(ev.MessagesDeleted)))

    (deleted,) = heard.of(ev.MessagesDeleted)
    assert deleted.thread_id == thread_id  # type: ignore[union-attr]
    told = [e for e in heard.of(ev.ThreadUpdated) if e.thread.id == thread_id]  # type: ignore[union-attr]
    assert told[-1].thread.message_count == 2  # type: ignore[union-attr]
