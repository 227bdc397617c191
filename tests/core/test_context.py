"""The context builder and the budget: what a request holds fits the model, exactly, and never
leaves out the user's newest message; token counts are cached per message."""

from __future__ import annotations

import dataclasses
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from chatdesk.configuration import Configuration
from chatdesk.core.assembly import assemble
from chatdesk.core.chat import context
from chatdesk.core.chat import repository as repo
from chatdesk.core.chat.budget import Budget, known_window, thread_setup
from chatdesk.core.chat.context import ContextSpec, ContextTooLong
from chatdesk.core.chat.events import Event, ProviderStateChanged
from chatdesk.core.config import ChatSettings, GeneralSettings, Settings
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.ids import new_id
from chatdesk.core.prompts import SUMMARY_HEADING
from chatdesk.core.providers.base import ChatMessage, Providers
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store
from chatdesk.core.store.models import Message, Role, Status, Summary, Thread
from chatdesk.core.tokens import Counted, Encodings, MessageLike, TokenCounter
from tests.conftest import ServiceFactory
from tests.core.providers import ScriptedProvider

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

MODEL = "gpt-4o"
Turn = tuple[Role, str, Status]


@pytest.fixture(scope="module")
def counter() -> Iterator[TokenCounter]:
    loaded = TokenCounter()  # the app's: tiktoken in a counting process
    assert loaded.load(MODEL), "the o200k encoding must be available to the tests"
    yield loaded
    loaded.close()


# -- seeding threads straight into the store -----------------------------------------------------


def new_thread(store: Store, **columns: object) -> uuid.UUID:
    now = datetime.now(UTC)

    def work(session: Session) -> uuid.UUID:
        row = Thread(
            id=new_id(),
            title="seeded",
            last_activity_at=now,
            created_at=now,
            updated_at=now,
            **columns,
        )
        session.add(row)
        return row.id

    return store.write_now(work)


def seed(store: Store, thread_id: uuid.UUID, turns: Sequence[Turn]) -> list[uuid.UUID]:
    """Append `turns` to the thread's active branch; returns their ids, oldest first."""
    now = datetime.now(UTC)

    def work(session: Session) -> list[uuid.UUID]:
        thread = repo.thread_row(session, thread_id)
        parent = session.get(Message, thread.active_leaf_id) if thread.active_leaf_id else None
        ids = []
        for role, text, status in turns:
            row = repo.insert_message(session, now, thread, parent, role, status, text)
            session.flush()
            if parent is not None:
                parent.active_child_id = row.id
            parent = row
            ids.append(row.id)
        thread.active_leaf_id = parent.id if parent else None
        return ids

    return store.write_now(work)


def add_summary(store: Store, thread_id: uuid.UUID, covers: uuid.UUID, text: str) -> uuid.UUID:
    def work(session: Session) -> uuid.UUID:
        row = Summary(
            id=new_id(),
            thread_id=thread_id,
            covers_through_message_id=covers,
            content=text,
            token_count=0,
            created_at=datetime.now(UTC),
        )
        session.add(row)
        return row.id

    return store.write_now(work)


def chat(count: int, words: int = 30) -> list[Turn]:
    """`count` complete messages, user and assistant in turn, each about `words` words."""
    return [
        (
            Role.USER if n % 2 == 0 else Role.ASSISTANT,
            f"message {n}: " + " ".join(f"word{n}x{k}" for k in range(words)),
            Status.COMPLETE,
        )
        for n in range(count)
    ]


def build(
    store: Store, counter: TokenCounter, thread_id: uuid.UUID, budget: int, **spec: object
) -> context.BuiltContext:
    def work(session: Session) -> context.BuiltContext:
        start = repo.thread_row(session, thread_id).active_leaf_id
        request = ContextSpec(thread_id, start, MODEL, Budget(budget * 2, budget), **spec)  # type: ignore[arg-type]
        return context.build(session, counter, request, with_messages=True)

    return store.read_now(work)


# -- the builder over random threads -------------------------------------------------------------

PIECES = [*"abc xyz\n{}();=<>|", "def ", "return ", "人工", "智能", "🎉", "🇯🇵", "é", "  "]
TEXT = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
MESSAGE = st.tuples(
    st.sampled_from([Role.USER, Role.ASSISTANT]),
    TEXT,
    st.sampled_from([Status.COMPLETE, Status.COMPLETE, Status.ERROR, Status.INTERRUPTED]),
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    history=st.lists(MESSAGE, max_size=20),
    newest=TEXT.map("And {}?".format),
    budget=st.integers(min_value=8, max_value=900),
    system=st.sampled_from(["", "Answer briefly, in the user's language."]),
    summary_at=st.one_of(st.none(), st.integers(min_value=0, max_value=19)),
    cap=st.integers(min_value=1, max_value=40),
)
def test_the_context_fits_exactly_and_keeps_the_newest_message(
    store: Store,
    counter: TokenCounter,
    history: list[Turn],
    newest: str,
    budget: int,
    system: str,
    summary_at: int | None,
    cap: int,
) -> None:
    thread_id = new_thread(store)
    ids = seed(store, thread_id, [*history, (Role.USER, newest, Status.COMPLETE)])
    floor = -1
    if summary_at is not None and summary_at < len(history):
        add_summary(store, thread_id, ids[summary_at], "The user likes short answers.")
        floor = summary_at
    alone = [ChatMessage("system", system)] if system else []
    alone.append(ChatMessage("user", newest))
    if counter.count_messages(MODEL, alone).tokens > budget:
        with pytest.raises(ContextTooLong, match="It was saved"):
            build(store, counter, thread_id, budget, system_prompt=system, newest_required=True)
        event("refused: the newest message does not fit")
        return
    built = build(
        store,
        counter,
        thread_id,
        budget,
        system_prompt=system,
        max_messages=cap,
        newest_required=True,
    )
    parts = built.breakdown
    # Exact: the breakdown is what tiktoken counts for the request that is sent.
    assert parts.used == counter.count_messages(MODEL, built.messages).tokens
    assert parts.used <= budget
    assert built.messages[-1] == ChatMessage("user", newest)
    assert len(built.history) <= cap
    # The history is the newest run of sendable messages after the summary, none skipped.
    sendable = [i for i, turn in enumerate(history) if turn[1] and i > floor]
    taken = [ids.index(entry.id) for entry in built.history]
    assert taken == [*sendable, len(history)][len(sendable) + 1 - len(taken) :]
    assert (parts.summary > 0) == (built.summary is not None)
    if built.summary is not None:
        assert built.messages[1 if system else 0].content.startswith(SUMMARY_HEADING)
    older = [i for i in sendable if i < (taken[0] if taken else len(history))]
    if older and len(taken) < cap:  # the next older message would not have fit
        entry_tokens = counter.count_message(MODEL, ChatMessage(*_role_text(history[older[-1]])))
        assert parts.used + entry_tokens.tokens > budget
    event("history cut by the budget" if older and len(taken) < cap else "history cut or whole")
    event("summary sent" if built.summary else "no summary sent")


def _role_text(turn: Turn) -> tuple[str, str]:
    return turn[0].value, turn[1]


def test_a_summary_off_the_branch_is_not_used(store: Store, counter: TokenCounter) -> None:
    thread_id = new_thread(store)
    ids = seed(store, thread_id, chat(4))
    add_summary(store, thread_id, ids[1], "from the first branch")

    def branch_off(session: Session) -> None:  # an edited first message: a second root
        thread = repo.thread_row(session, thread_id)
        row = repo.insert_message(
            session, datetime.now(UTC), thread, None, Role.USER, Status.COMPLETE, "again"
        )
        session.flush()
        thread.active_leaf_id = row.id

    store.write_now(branch_off)
    built = build(store, counter, thread_id, 500)
    assert built.summary is None
    assert [m.content for m in built.messages] == ["again"]


def test_counts_are_estimates_without_an_encoding(store: Store) -> None:
    nowhere = TokenCounter(Encodings(lambda: ()))
    thread_id = new_thread(store)
    seed(store, thread_id, chat(6))
    built = build(store, nowhere, thread_id, 10_000)
    assert built.breakdown.estimated
    assert built.breakdown.used == nowhere.count_messages(MODEL, built.messages).tokens
    assert {update.key for update in built.fresh_counts} == {"o200k_base~"}


# -- the budget ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "window"),
    [
        ("gpt-4o", 128_000),
        ("openai/gpt-4o-mini", 128_000),
        ("gpt-4.1-nano", 1_047_576),
        ("o3-mini", 200_000),
        ("o1-mini-2024-09-12", 128_000),
        ("gpt-3.5-turbo", 16_385),
        ("gpt-4", 8_192),
        ("llama3.1:8b", 131_072),
        ("meta-llama/Llama-3.3-70B-Instruct", 131_072),
        ("llama3:latest", 8_192),
        ("qwen2.5-coder:7b", 32_768),
        ("some-new-model", None),
    ],
)
def test_known_context_windows(model: str, window: int | None) -> None:
    assert known_window(model) == window


class SizedProvider(ScriptedProvider):
    def __init__(self, window: int) -> None:
        super().__init__(["ok"])
        self.window = window

    def context_window(self, model: str) -> int:
        return self.window


@pytest.mark.parametrize(
    ("thread_window", "profile_window", "expected"),
    [
        (None, 0, 128_000),  # a profile without one: the table
        (None, 32_000, 32_000),  # the profile knows its server
        (4_096, 32_000, 4_096),  # the thread's own setting wins
    ],
)
def test_the_window_comes_from_thread_then_profile_then_table(
    store: Store, thread_window: int | None, profile_window: int, expected: int
) -> None:
    providers = Providers({"scripted": SizedProvider(profile_window)})
    thread_id = new_thread(store, provider="scripted", model="gpt-4o", context_window=thread_window)
    setup = store.read_now(
        lambda s: thread_setup(s, repo.thread_row(s, thread_id), Settings(), providers)
    )
    assert setup.budget.window == expected
    assert setup.budget.reserve == min(1_024, expected // 2)


def test_the_answer_limit_is_the_reserve_but_at_most_half_the_window(store: Store) -> None:
    thread_id = new_thread(store, model="gpt-4")
    for limit, reserve in ((2_000, 2_000), (20_000, 4_096), (0, 512)):
        chosen = Settings(
            general=GeneralSettings(max_output_tokens=limit),
            chat=ChatSettings(answer_reserve_tokens=512),
        )
        setup = store.read_now(
            lambda s, c=chosen: thread_setup(s, repo.thread_row(s, thread_id), c, Providers({}))
        )
        assert (setup.budget.window, setup.budget.reserve) == (8_192, reserve)


@pytest.mark.asyncio
async def test_a_thread_window_outside_the_bounds_is_refused(service: ChatService) -> None:
    thread = await service.create_thread()
    with pytest.raises(InvalidRequest):
        await service.set_thread_context_window(thread.id, 10)
    assert (await service.set_thread_context_window(thread.id, 4_096)).context_window == 4_096


# -- through the service -------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_message_too_long_for_the_model_is_kept_and_nothing_is_sent(
    make_service: ServiceFactory,
) -> None:
    provider = ScriptedProvider(["never"])
    service = make_service(scripted=provider)
    heard: list[Event] = []
    service.events.subscribe(heard.append)
    thread = await service.create_thread(provider="scripted", model="gpt-4o")
    await service.set_thread_context_window(thread.id, 1_000)  # 500 for the request
    text = "Please review this log:\n" + "timeout on node 17, retrying\n" * 200
    turn = await service.send(thread.id, text)
    answer = await service.wait_for_answer(turn.answer.id)
    assert provider.requests == []
    assert answer.status is Status.ERROR
    assert answer.error_type == "context_too_long"
    detail = answer.error_detail or ""
    assert "more than gpt-4o can take here: 1,000 tokens" in detail
    assert "500 kept for the answer" in detail
    assert "It was saved" in detail
    page = await service.list_messages(thread.id)
    assert (page.messages[0].role, page.messages[0].content) == (Role.USER, text)
    assert not [e for e in heard if isinstance(e, ProviderStateChanged)]  # not the server's fault
    assert (await service.context_usage(thread.id, text)).fraction > 1  # typed again: red
    usage = await service.context_usage(thread.id)
    assert usage.breakdown is not None
    assert usage.breakdown.omitted == 1  # the next request leaves it out


@pytest.mark.asyncio
async def test_the_gauge_counts_the_draft_and_adds_up(service: ChatService) -> None:
    thread = await service.create_thread(model="gpt-4o", system_prompt="Be brief.")
    turn = await service.send(thread.id, "What is a B-tree?")
    await service.wait_for_answer(turn.answer.id)
    before = await service.context_usage(thread.id)
    typed = await service.context_usage(thread.id, "and a B+ tree?")
    assert before.breakdown is not None
    assert typed.breakdown is not None
    parts = typed.breakdown
    assert not parts.estimated  # gpt-4o: its own encoding
    assert before.breakdown.draft == 0
    assert parts.draft > 0
    assert typed.used_tokens == before.used_tokens + parts.draft
    assert parts.used == parts.system + parts.summary + parts.history + parts.draft
    assert (parts.messages, parts.budget, parts.window) == (2, 7_168, 8_192)  # the mock's


@pytest.mark.asyncio
async def test_requests_follow_the_budget_not_a_fixed_count(
    make_service: ServiceFactory, store: Store, counter: TokenCounter
) -> None:
    provider = ScriptedProvider(["fine"])
    service = make_service(scripted=provider)
    thread = await service.create_thread(provider="scripted", model="gpt-4o")
    await service.set_thread_context_window(thread.id, 1_024)
    seed(store, thread.id, chat(40))
    turn = await service.send(thread.id, "and then?")
    await service.wait_for_answer(turn.answer.id)
    sent = provider.requests[-1].messages
    assert sent[-1].content == "and then?"
    assert 3 < len(sent) < 41  # as many of the newest as fit in 512 tokens
    assert counter.count_messages(MODEL, sent).tokens <= 512


# -- the count cache -----------------------------------------------------------------------------


def cached(database: Path) -> dict[str, tuple[int | None, str | None, str]]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT id, token_count, token_encoding, content FROM messages")
        return {row[0]: (row[1], row[2], row[3]) for row in rows}


@pytest.mark.asyncio
async def test_counts_are_cached_per_message_with_their_encoding(
    make_service: ServiceFactory, store: Store, counter: TokenCounter
) -> None:
    service = make_service(scripted=ScriptedProvider(["Sure: ", "人工智能 🎉 ", "`x = 1`"]))
    thread = await service.create_thread(provider="scripted", model="gpt-4o")
    turn = await service.send(thread.id, "Count me: 漢字 and emoji 🇯🇵, def f(): pass")
    await service.wait_for_answer(turn.answer.id)
    await service.context_usage(thread.id)
    await service.settle()
    rows = cached(store.path)
    assert len(rows) == 2
    for tokens, encoding, content in rows.values():
        assert encoding == "o200k_base"
        role = "user" if content.startswith("Count") else "assistant"
        assert tokens == counter.count_message(MODEL, ChatMessage(role, content)).tokens

    await service.set_thread_model(thread.id, provider="scripted", model="gpt-4")
    await service.context_usage(thread.id)
    await service.settle()
    assert {row[1] for row in cached(store.path).values()} == {"cl100k_base"}


@pytest.mark.asyncio
async def test_a_continued_answer_is_counted_again(
    make_service: ServiceFactory, store: Store
) -> None:
    provider = ScriptedProvider(["Hello", " wor", "ld"], hold_after=2)
    service = make_service(scripted=provider)
    thread = await service.create_thread(provider="scripted", model="gpt-4o")
    turn = await service.send(thread.id, "hi")
    await provider.held.wait()
    stopped = await service.stop(turn.answer.id)
    await service.context_usage(thread.id)
    await service.settle()
    first = cached(store.path)[stopped.id.hex][0]
    provider.tokens, provider.hold_after = [" and much more text here"], None
    await service.wait_for_answer((await service.continue_answer(stopped.id)).answer.id)
    await service.context_usage(thread.id)
    await service.settle()
    again, _, content = cached(store.path)[stopped.id.hex]
    assert content == "Hello wor and much more text here"
    assert again is not None
    assert first is not None
    assert again > first


@pytest.mark.asyncio
async def test_counts_are_never_loaded_for_a_model_that_is_not_openais(
    config: Configuration, store: Store
) -> None:
    counter = TokenCounter()
    service = assemble(
        store,
        Providers({"mock": MockProvider(config.settings.mock)}),
        config.settings,
        tokens=counter,
    )
    try:
        thread = await service.create_thread(model="llama3.1:8b")
        turn = await service.send(thread.id, "hello there")
        await service.wait_for_answer(turn.answer.id)
        usage = await service.context_usage(thread.id)
        assert usage.estimated
        assert usage.used_tokens > 0
        assert not counter.ready("gpt-4o")  # no counting process was started for it
    finally:
        await service.aclose()


class CountingSpy(TokenCounter):
    """The app's counter, noting every text it is asked to count."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def count_each(self, model: str, messages: Iterable[MessageLike]) -> Counted:
        asked = list(messages)
        self.texts.extend(message.content for message in asked)
        return super().count_each(model, asked)


@pytest.mark.asyncio
async def test_counts_go_with_the_answers_writes_and_are_made_once(
    config: Configuration, store: Store
) -> None:
    spy = CountingSpy()
    chat_settings = dataclasses.replace(config.settings.chat, summary_threshold=0.0)
    settings = dataclasses.replace(config.settings, chat=chat_settings)
    provider = ScriptedProvider(["An answer ", "in four ", "pieces", "."])
    service = assemble(store, Providers({"scripted": provider}), settings, tokens=spy)
    try:
        thread = await service.create_thread(provider="scripted", model="gpt-4o")
        turn = await service.send(thread.id, "Count this question once")
        answer = await service.wait_for_answer(turn.answer.id)
        assert turn.user_message is not None
        # The question was counted for the request; its count went with the answer's writes.
        assert cached(store.path)[turn.user_message.id.hex][0] is not None
        await service.context_usage(thread.id)  # counts the answer: kept for the next write
        assert cached(store.path)[answer.id.hex][0] is None
        await service.context_usage(thread.id)
        assert spy.texts.count(answer.content) == 1  # the count kept was used, not made again
        assert spy.texts.count("Count this question once") == 1
        await service.settle()
        tokens = spy.count_message(MODEL, ChatMessage("assistant", answer.content)).tokens
        assert cached(store.path)[answer.id.hex][:2] == (tokens, "o200k_base")
    finally:
        await service.aclose()
