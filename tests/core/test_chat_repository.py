"""The chat package's statements on their own, over a real SQLite file: attachments, the
branch walk and the token-count cache, starting a turn, a thread made with its settings, and a
thread's project; and the answer runner alone against a real OpenAI-compatible HTTP server."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from sqlalchemy import update
from sqlalchemy.orm import Session

from chatdesk.configuration import Configuration
from chatdesk.core.assembly import tools_in
from chatdesk.core.attach.attacher import Attacher
from chatdesk.core.attach.worker import Reader
from chatdesk.core.chat import repository as repo
from chatdesk.core.chat.answers import Answers
from chatdesk.core.chat.contexts import Contexts
from chatdesk.core.chat.counts import Counting
from chatdesk.core.chat.events import Event, EventBus, ProviderStateChanged
from chatdesk.core.chat.repository.rows import stored_uuid, thread_copy
from chatdesk.core.chat.tasks import BackgroundTasks
from chatdesk.core.clock import SystemClock
from chatdesk.core.errors import NotFound
from chatdesk.core.ids import new_id
from chatdesk.core.kinds import Status, TurnKind
from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.store import Store, changes
from chatdesk.core.store.blobs import BlobStore
from chatdesk.core.store.models import Message, Thread
from chatdesk.core.tokens import TokenCounter
from chatdesk.core.views import (
    AttachmentInput,
    MessageView,
    StartedTurn,
    ThreadView,
    TurnRequest,
)
from tests.core.sse_server import FakeOpenAI, error_reply, text_reply

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
MODEL = "small-model"


def _contexts(
    store: Store, config: Configuration, providers: Providers, counting: Counting | None = None
) -> Contexts:
    return Contexts(
        store,
        providers,
        lambda: config.settings,
        counting or Counting(TokenCounter()),
        BackgroundTasks(),
        BlobStore.beside(store.path),
    )


def _start(
    store: Store, config: Configuration, turn: TurnRequest, providers: Providers | None = None
) -> StartedTurn:
    providers = providers or Providers({"mock": MockProvider(config.settings.mock)})
    setup = _contexts(store, config, providers).setup
    return store.write_now(lambda s: repo.start_turn(s, NOW, turn, "me", setup))


def _finish(store: Store, answer: MessageView, text: str) -> None:
    values = {"status": Status.COMPLETE, "content": text}
    store.write_now(lambda s: repo.finish_answer(s, NOW, answer.id, values, "", 0))


def _exchange(
    store: Store, config: Configuration, thread: uuid.UUID | None, text: str
) -> StartedTurn:
    turn = _start(store, config, TurnRequest(TurnKind.SEND, thread, text=text))
    _finish(store, turn.answer, f"answer to {text}")
    return turn


# -- attachments ---------------------------------------------------------------------------------


def test_attachments_are_kept_in_order_and_read_back_for_the_window_and_the_model(
    store: Store, config: Configuration
) -> None:
    files = (AttachmentInput("notes.md", "# Notes"), AttachmentInput("paste", "x = 1", "paste"))
    turn = _start(
        store, config, TurnRequest(TurnKind.SEND, None, text="Read these", attachments=files)
    )
    assert turn.user_message is not None
    question = turn.user_message.id

    shown = store.read_now(lambda s: repo.full_message(s, question))
    assert [(a.name, a.size) for a in shown.attachments] == [("notes.md", 7), ("paste", 5)]
    sent = store.read_now(lambda s: repo.attachment_texts(s, [question, turn.answer.id]))
    assert {k: [(view.name, text) for view, text in v] for k, v in sent.items()} == {
        question: [("notes.md", "# Notes"), ("paste", "x = 1")]
    }
    first = shown.attachments[0].id
    assert store.read_now(lambda s: repo.attachment_text(s, first)) == "# Notes"
    with pytest.raises(NotFound):
        store.read_now(lambda s: repo.attachment_text(s, uuid.uuid4()))


# -- the branch walk and the count cache ---------------------------------------------------------


def test_the_walk_goes_up_a_branch_in_chunks_newest_first(
    store: Store, config: Configuration
) -> None:
    first = _exchange(store, config, None, "one")
    thread = first.thread.id
    second = _exchange(store, config, thread, "two")

    start = second.answer.id
    chunk_of_three = store.read_now(lambda s: repo.walk_up(s, start, 3, with_texts=True))
    assert [row.content for row in chunk_of_three] == ["answer to two", "two", "answer to one"]
    rest_from = uuid.UUID(chunk_of_three[-1].parent_hex)
    rest = store.read_now(lambda s: repo.walk_up(s, rest_from, 3, with_texts=False))
    assert [row.id for row in rest] == [rest_from]
    assert rest[0].parent_hex is None  # the top of the branch: nothing to go on with
    assert "content" not in rest[0]._fields  # counting alone reads no text


def test_a_page_reads_every_field_of_its_messages_as_the_views_constructor_makes_them(
    store: Store, config: Configuration
) -> None:
    first = _exchange(store, config, None, "one")
    thread = first.thread.id
    second = _exchange(store, config, thread, "two")
    with_figures = {"prompt_tokens": 12, "completion_tokens": 3, "cost_usd": 0.25}
    store.write_now(
        lambda s: s.execute(
            update(Message).where(Message.id == second.answer.id).values(**with_figures)
        )
    )

    page = store.read_plain_now(
        lambda c: repo.branch_page(c, thread, before=None, after=None, limit=10)
    )
    question, answer = page.messages[-2:]
    assert [m.content for m in page.messages] == ["one", "answer to one", "two", "answer to two"]
    assert answer.parent_id == question.id
    assert question.thread_id == thread
    assert answer.usage.total == 15
    assert answer.usage.cost_usd == 0.25
    assert question.usage.total == 0
    assert question.usage.cost_usd is None
    assert answer.created_at == NOW
    assert answer.created_at.utcoffset() == timedelta(0)
    for view in page.messages:
        # built without MessageView.__init__: the same fields, equal to what it would make
        assert vars(view).keys() == {f.name for f in dataclasses.fields(MessageView)}
        assert dataclasses.replace(view) == view
        with pytest.raises(dataclasses.FrozenInstanceError):
            view.content = "changed"  # type: ignore[misc]


def test_a_count_is_cached_unless_the_message_changed_after_it_was_counted(
    store: Store, config: Configuration
) -> None:
    answer = _exchange(store, config, None, "count me").answer.id
    walked = store.read_now(lambda s: repo.walk_up(s, answer, 10, with_texts=False))
    assert [row.token_count for row in walked] == [None, None]  # nothing counted yet
    counted = [repo.CountUpdate(row.id, row.updated_at, 11, "o200k_base") for row in walked]
    changed_at = walked[0].updated_at + timedelta(seconds=1)  # the answer changed meanwhile
    store.write_now(
        lambda s: s.execute(
            update(Message).where(Message.id == answer).values(updated_at=changed_at)
        )
    )
    store.write_now(lambda s: repo.save_counts(s, counted))

    rows = store.read_now(lambda s: repo.walk_up(s, answer, 10, with_texts=False))
    assert [(row.token_count, row.token_encoding) for row in rows] == [
        (None, None),  # counted before its change: the count would be wrong
        (11, "o200k_base"),
    ]


# -- starting a turn -----------------------------------------------------------------------------


def _thread_now(store: Store, thread_id: uuid.UUID) -> ThreadView:
    return store.read_now(lambda s: repo.thread_view(repo.thread_row(s, thread_id)))


def test_a_turn_saves_everything_it_changed_in_its_thread(
    store: Store, config: Configuration
) -> None:
    first = _exchange(store, config, None, "Plan the week")
    thread = first.thread.id
    assert first.thread == _thread_now(store, thread)
    assert first.thread.title == "Plan the week"  # named after its first message

    later = NOW + timedelta(minutes=5)
    setup = _contexts(store, config, Providers({"mock": MockProvider(config.settings.mock)})).setup
    request = TurnRequest(TurnKind.SEND, thread, text="And then?", provider="mock", model="big")
    second = store.write_now(lambda s: repo.start_turn(s, later, request, "me", setup))
    saved = _thread_now(store, thread)
    assert second.thread == saved
    assert (saved.provider, saved.model, saved.title) == ("mock", "big", "Plan the week")
    assert (saved.message_count, saved.active_leaf_id) == (4, second.answer.id)
    assert saved.last_activity_at == later
    assert store.read_now(lambda s: repo.thread_row(s, thread).updated_at) == later

    _finish(store, second.answer, "Tuesday")
    again = _start(store, config, TurnRequest(TurnKind.REGENERATE, thread, second.answer.id))
    assert again.thread == _thread_now(store, thread)
    assert (again.thread.message_count, again.thread.active_leaf_id) == (5, again.answer.id)


def test_a_turn_names_what_it_changed_for_team_sync(store: Store, config: Configuration) -> None:
    first = _exchange(store, config, None, "one")
    thread = first.thread.id
    setup = _contexts(store, config, Providers({"mock": MockProvider(config.settings.mock)})).setup

    def send(session: Session) -> tuple[StartedTurn, changes.Changes]:
        changes.track(session)
        request = TurnRequest(TurnKind.SEND, thread, text="two")
        return repo.start_turn(session, NOW, request, "me", setup), changes.take(session)

    turn, noted = store.write_now(send)
    assert turn.user_message is not None
    new = {turn.user_message.id, turn.answer.id}
    assert noted.touched == {("thread", thread), ("message", first.answer.id)} | {
        ("message", message_id) for message_id in new
    }


def test_a_message_is_numbered_among_its_siblings_and_one_alone_is_one_of_one(
    store: Store, config: Configuration
) -> None:
    first = _exchange(store, config, None, "pick one")
    thread = first.thread.id
    answers = [first.answer]
    for _ in range(2):
        regenerated = _start(
            store, config, TurnRequest(TurnKind.REGENERATE, thread, first.answer.id)
        )
        _finish(store, regenerated.answer, "another")
        answers.append(regenerated.answer)

    def shown_with(answer: MessageView) -> list[tuple[uuid.UUID, int, int]]:
        store.write_now(lambda s: repo.switch_branch(s, NOW, answer.id))
        page = store.read_plain_now(
            lambda c: repo.branch_page(c, thread, before=None, after=None, limit=10)
        )
        return [(m.id, m.sibling_index, m.sibling_count) for m in page.messages]

    question = first.user_message
    assert question is not None
    for position, answer in enumerate(answers, start=1):
        assert shown_with(answer) == [(question.id, 1, 1), (answer.id, position, 3)]


def test_views_of_many_messages_come_in_the_order_asked_and_a_missing_one_is_refused(
    store: Store, config: Configuration
) -> None:
    first = _exchange(store, config, None, "0")
    turns = [first] + [_exchange(store, config, first.thread.id, str(n)) for n in range(1, 6)]
    ids = [m.id for t in turns for m in (t.answer, t.user_message) if m is not None]
    ids.reverse()  # 12: more than one read takes, in an order of their own
    views = store.read_now(lambda s: repo.message_views(s, ids))
    assert [view.id for view in views] == ids
    assert [view.content for view in views[:2]] == ["5", "answer to 5"]
    with pytest.raises(NotFound):
        store.read_now(lambda s: repo.message_views(s, [*ids, new_id()]))


def test_an_id_as_stored_reads_back_as_the_same_uuid() -> None:
    made = new_id()
    read = stored_uuid(made.hex)
    assert read == made
    assert {made: "found"}[read] == "found"
    assert (str(read), read.version, read.is_safe) == (str(made), made.version, made.is_safe)
    for damaged in ("not an id", "z" * 32):
        with pytest.raises(ValueError, match=r"hexadecimal|invalid literal"):
            stored_uuid(damaged)


def test_a_thread_read_without_the_orm_is_the_thread_the_orm_reads(store: Store) -> None:
    made = store.write_now(lambda s: repo.create_thread(s, NOW, None, "Tools", {"model": "m"}))
    store.write_now(lambda s: repo.set_thread_tools(s, made.id, ["files", "chatdesk"]))

    def both(session: Session) -> tuple[list[object], list[object]]:
        columns = [column.key for column in Thread.__table__.columns]
        copy, row = thread_copy(session, made.id), repo.thread_row(session, made.id)
        return [getattr(copy, c) for c in columns], [getattr(row, c) for c in columns]

    copied, loaded = store.read_now(both)
    assert copied == loaded
    assert ["chatdesk", "files"] in copied


# -- threads and projects ------------------------------------------------------------------------


def test_a_new_thread_has_its_settings_and_its_project(store: Store) -> None:
    project = store.write_now(lambda s: repo.new_project(s, NOW, "Work", system_prompt="Be terse."))
    defaults = {"provider": "mock", "model": "mock-small", "system_prompt": None}
    made = store.write_now(lambda s: repo.create_thread(s, NOW, project.id, "Plans", defaults))
    assert (made.title, made.project_id, made.provider, made.model) == (
        "Plans",
        project.id,
        "mock",
        "mock-small",
    )

    def project_name(thread_id: uuid.UUID) -> str | None:
        def read(session: Session) -> str | None:
            found = repo.project_of(session, repo.thread_row(session, thread_id))
            return found.name if found else None

        return store.read_now(read)

    assert project_name(made.id) == "Work"
    loose = store.write_now(lambda s: repo.create_thread(s, NOW, None, None, {}))
    assert loose.title == repo.DEFAULT_TITLE
    assert project_name(loose.id) is None


# -- the answer runner against a real HTTP server ------------------------------------------------


@pytest_asyncio.fixture
async def openai(server: FakeOpenAI) -> AsyncIterator[Providers]:
    profile = ProviderProfile("openai", server.url, api_key="sk-test", default_model=MODEL)
    provider = OpenAICompatibleProvider(profile)
    yield Providers({"openai": provider})
    await provider.aclose()


def _runner(
    store: Store, config: Configuration, providers: Providers
) -> tuple[Answers, list[Event]]:
    events, seen = EventBus(), []
    events.subscribe(seen.append)
    counting = Counting(TokenCounter())
    contexts = _contexts(store, config, providers, counting)
    answers = Answers(
        store,
        providers,
        lambda: config.settings,
        events,
        SystemClock(),
        counting,
        contexts,
        lambda _: None,
        tools_in(lambda: config.settings, None),
        Attacher(BlobStore.beside(store.path), lambda: config.settings, Reader()),
    )
    return answers, seen


def _ask(store: Store, config: Configuration, providers: Providers, text: str) -> StartedTurn:
    request = TurnRequest(TurnKind.SEND, None, text=text, provider="openai", model=MODEL)
    return _start(store, config, request, providers)


@pytest.mark.asyncio
async def test_the_runner_streams_a_server_answer_with_the_usage_it_reports(
    store: Store, config: Configuration, server: FakeOpenAI, openai: Providers
) -> None:
    answers, seen = _runner(store, config, openai)
    server.queue(text_reply("Tables ", "hold ", "rows."))
    turn = _ask(store, config, openai, "Explain tables")
    answers.start(turn.answer)
    final = await answers.wait(turn.answer.id)
    assert (final.status, final.content) == (Status.COMPLETE, "Tables hold rows.")
    assert (final.usage.prompt_tokens, final.usage.completion_tokens) == (7, 3)
    assert not final.usage.estimated
    assert server.requests[-1].body["messages"][-1] == {"role": "user", "content": "Explain tables"}
    assert [e.state for e in seen if isinstance(e, ProviderStateChanged)] == ["ready"]


@pytest.mark.asyncio
async def test_the_runner_counts_the_usage_a_server_does_not_report(
    store: Store, config: Configuration, server: FakeOpenAI, openai: Providers
) -> None:
    answers, _ = _runner(store, config, openai)
    server.queue(text_reply("Four.", usage=False))
    turn = _ask(store, config, openai, "What is 2+2?")
    answers.start(turn.answer)
    final = await answers.wait(turn.answer.id)
    assert final.status is Status.COMPLETE
    assert final.usage.estimated
    assert final.usage.prompt_tokens
    assert final.usage.completion_tokens


@pytest.mark.asyncio
async def test_the_runner_ends_an_answer_refused_by_the_server_and_says_why(
    store: Store, config: Configuration, server: FakeOpenAI, openai: Providers
) -> None:
    answers, seen = _runner(store, config, openai)
    server.queue(error_reply(401, "Incorrect API key provided", code="invalid_api_key"))
    turn = _ask(store, config, openai, "hello")
    answers.start(turn.answer)
    final = await answers.wait(turn.answer.id)
    assert (final.status, final.error_type) == (Status.ERROR, "auth")
    assert final.content == ""
    [state] = [e for e in seen if isinstance(e, ProviderStateChanged)]
    assert (state.provider, state.state) == ("openai", "auth")
    stored = await store.read(lambda s: repo.full_message(s, turn.answer.id))
    assert stored.status is Status.ERROR  # what the window shows after a restart, too
