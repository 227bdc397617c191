"""The parts behind ChatService, each on its own over a real SQLite file: the transaction that
starts a turn of each kind, and the answer runner writing, stopping and recovering answers
without the rest of the service."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection

from chatdesk.configuration import Configuration
from chatdesk.core.assembly import tools_in
from chatdesk.core.attach.attacher import Attacher
from chatdesk.core.attach.worker import Reader
from chatdesk.core.chat import repository as repo
from chatdesk.core.chat.answers import Answers
from chatdesk.core.chat.contexts import Contexts
from chatdesk.core.chat.counts import Counting
from chatdesk.core.chat.events import AnswerTextAppended, Event, EventBus, MessageFinished
from chatdesk.core.chat.tasks import BackgroundTasks
from chatdesk.core.clock import SystemClock
from chatdesk.core.errors import Busy
from chatdesk.core.kinds import Role, Status, TurnKind
from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.store import Store
from chatdesk.core.store.blobs import BlobStore
from chatdesk.core.tokens import TokenCounter
from chatdesk.core.views import MessageView, StartedTurn, TurnRequest

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _start(store: Store, turn: TurnRequest, config: Configuration) -> StartedTurn:
    providers = Providers({"mock": MockProvider(config.settings.mock)})
    contexts = Contexts(
        store,
        providers,
        lambda: config.settings,
        Counting(TokenCounter()),
        BackgroundTasks(),
        BlobStore.beside(store.path),
    )
    return store.write_now(lambda s: repo.start_turn(s, NOW, turn, "me", contexts.setup))


def _branch(store: Store, thread_id: uuid.UUID) -> list[tuple[Role, Status, str]]:
    def read(connection: Connection) -> list[tuple[Role, Status, str]]:
        page = repo.branch_page(
            connection, thread_id=thread_id, before=None, after=None, around=None, limit=50
        )
        return [(m.role, m.status, m.content) for m in page.messages]

    return store.read_plain_now(read)


def _finish(store: Store, answer: MessageView, text: str) -> None:
    values = {"status": Status.COMPLETE, "content": text}
    store.write_now(lambda s: repo.finish_answer(s, NOW, answer.id, values, "", 0))


def test_each_turn_kind_adds_what_it_says(store: Store, config: Configuration) -> None:
    first = _start(store, TurnRequest(TurnKind.SEND, None, text="What is 2+2?"), config)
    assert first.new_thread
    assert first.thread.title == "What is 2+2?"  # provisional, until it is named
    thread = first.thread.id
    assert first.user_message is not None
    assert (first.answer.status, first.answer.provider) == (Status.PENDING, "mock")
    _finish(store, first.answer, "4")

    again = _start(store, TurnRequest(TurnKind.REGENERATE, thread, first.answer.id), config)
    assert again.user_message is None
    assert again.answer.parent_id == first.user_message.id
    assert _branch(store, thread) == [
        (Role.USER, Status.COMPLETE, "What is 2+2?"),
        (Role.ASSISTANT, Status.PENDING, ""),
    ]
    _finish(store, again.answer, "Four")

    edit = TurnRequest(TurnKind.EDIT, thread, first.user_message.id, text="What is 3+3?")
    edited = _start(store, edit, config)
    assert edited.user_message is not None
    assert edited.user_message.parent_id is None  # beside the original question
    assert edited.user_message.sibling_count == 2
    store.write_now(
        lambda s: repo.finish_answer(
            s, NOW, edited.answer.id, {"status": Status.INTERRUPTED, "content": "Si"}, "", 0
        )
    )

    going_on = _start(store, TurnRequest(TurnKind.CONTINUE, thread, edited.answer.id), config)
    assert going_on.answer.id == edited.answer.id
    assert (going_on.answer.status, going_on.answer.content) == (Status.PENDING, "Si")
    assert _branch(store, thread) == [
        (Role.USER, Status.COMPLETE, "What is 3+3?"),
        (Role.ASSISTANT, Status.PENDING, "Si"),
    ]


def test_a_turn_refused_while_an_answer_is_written_changes_nothing(
    store: Store, config: Configuration
) -> None:
    first = _start(store, TurnRequest(TurnKind.SEND, None, text="hello"), config)
    before = _branch(store, first.thread.id)
    with pytest.raises(Busy):
        _start(store, TurnRequest(TurnKind.SEND, first.thread.id, text="again"), config)
    assert _branch(store, first.thread.id) == before


Runner = tuple[Answers, EventBus, list[MessageView]]


def _runner(store: Store, config: Configuration, tokens_per_second: float = 0) -> Runner:
    events, ended = EventBus(), []
    mock = dataclasses.replace(config.settings.mock, tokens_per_second=tokens_per_second)
    providers = Providers({"mock": MockProvider(mock)})
    counting, settings = Counting(TokenCounter()), (lambda: config.settings)
    contexts = Contexts(
        store, providers, settings, counting, BackgroundTasks(), BlobStore.beside(store.path)
    )
    tools = tools_in(settings, None)
    attacher = Attacher(BlobStore.beside(store.path), settings, Reader())
    answers = Answers(
        store,
        providers,
        settings,
        events,
        SystemClock(),
        counting,
        contexts,
        ended.append,
        tools,
        attacher,
    )
    return answers, events, ended


@pytest.mark.asyncio
async def test_the_runner_writes_an_answer_to_its_end(store: Store, config: Configuration) -> None:
    answers, events, ended = _runner(store, config)
    seen: list[Event] = []
    events.subscribe(seen.append)
    turn = _start(store, TurnRequest(TurnKind.SEND, None, text="Explain tables"), config)
    answers.start(turn.answer)
    final = await answers.wait(turn.answer.id)
    assert final.status is Status.COMPLETE
    assert final.content
    assert ended == [final]
    assert [e.message for e in seen if isinstance(e, MessageFinished)] == [final]
    assert _branch(store, turn.thread.id)[-1] == (Role.ASSISTANT, Status.COMPLETE, final.content)


@pytest.mark.asyncio
async def test_the_runner_stops_an_answer_keeping_what_arrived(
    store: Store, config: Configuration
) -> None:
    answers, events, _ = _runner(store, config, tokens_per_second=50)  # slow: stopped mid-way
    arrived = asyncio.Event()
    events.subscribe(lambda e: arrived.set() if isinstance(e, AnswerTextAppended) else None)
    turn = _start(store, TurnRequest(TurnKind.SEND, None, text="Explain tables"), config)
    answers.start(turn.answer)
    await arrived.wait()
    stopped = await answers.stop(turn.answer.id)
    assert stopped.status is Status.INTERRUPTED
    assert stopped.content  # what arrived is kept
    assert not answers.is_running(turn.answer.id)


@pytest.mark.asyncio
async def test_the_runner_marks_answers_of_a_dead_chatdesk_interrupted(
    store: Store, config: Configuration
) -> None:
    answers, _, _ = _runner(store, config)
    turn = _start(store, TurnRequest(TurnKind.SEND, None, text="hello"), config)
    assert await answers.recover_interrupted() == 1  # "me" is no running chatdesk
    [answer] = await store.read(lambda s: repo.message_views(s, [turn.answer.id]))
    assert (answer.status, answer.error_type) == (Status.INTERRUPTED, "app_exit")
