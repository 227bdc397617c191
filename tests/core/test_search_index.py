"""The index itself: any text as a query, repair at start-up, and the upgrade that builds it."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine

from chatdesk.configuration import Configuration
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.search import Search, SearchFilters, SearchResults
from chatdesk.core.store import Store, migrate, open_store
from chatdesk.core.store.migrate import alembic_config
from chatdesk.core.store.models import Message, Role, Status, Thread
from chatdesk.core.store.schema import HEAD_REVISION
from chatdesk.core.store.search_index import repair_index

NOW = datetime(2026, 1, 1, tzinfo=UTC)

HOSTILE = [
    'say "hi" -not (this) OR that AND NEAR(a b, 3) col:umn *star* ^caret',
    "C++ and C# and F# -O2 --flag key:value a/b a.b a_b 2.5 $4 100%",
    "emoji 🎉🎉 party 👩‍👩‍👧 family ☕ café naïve Ångström ß",
    "日本語のテキスト 中文 한국어 עברית العربية",
    "zero\u200bwidth\ufeffbom \ue000private\ue001 tab\tnew\nline",
]

# The same settings for every property here: a real database per test, shared by its examples.
property_settings = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def add_thread(store: Store, *texts: str, status: Status = Status.COMPLETE) -> uuid.UUID:
    """A thread holding `texts` as user messages, written as an import would."""

    def work(session: object) -> uuid.UUID:
        thread = Thread(
            title=texts[0][:300] if texts else "empty",
            last_activity_at=NOW,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(thread)  # type: ignore[attr-defined]
        session.flush()  # type: ignore[attr-defined]
        parent = None
        for depth, content in enumerate(texts):
            row = Message(
                thread_id=thread.id,
                parent_id=parent,
                depth=depth,
                role=Role.USER,
                status=status,
                content=content,
                created_at=NOW,
                updated_at=NOW,
            )
            session.add(row)  # type: ignore[attr-defined]
            session.flush()  # type: ignore[attr-defined]
            parent = row.id
        return thread.id

    return store.write_now(work)


def run(search: Search, text: str, **options: object) -> SearchResults:
    return asyncio.run(search.search(text, **options))  # type: ignore[arg-type]


@pytest.fixture
def search(store: Store) -> Search:
    add_thread(store, *HOSTILE)
    return Search(store)


# -- any text ------------------------------------------------------------------------------------


@property_settings
@given(text=st.text())
@example(text="\x00")
@example(text='"')
@example(text="*")
@example(text="NEAR(")
@example(text=" ".join(["word"] * 500))
def test_any_text_is_a_plain_query(search: Search, text: str) -> None:
    run(search, text)  # never raises


@property_settings
@given(text=st.text(alphabet=st.sampled_from(list('"()*-+:^{}NEAROTD ,/\\.\u200b🎉é3ax'))))
@example(text='"unterminated')
@example(text="*reads")
@example(text="a NEAR/ b")
@example(text="(" * 200 + "a" + ")" * 200)
def test_advanced_syntax_fails_only_with_invalid_request(search: Search, text: str) -> None:
    with contextlib.suppress(InvalidRequest):
        run(search, text, advanced=True)


@property_settings
@given(text=st.text(min_size=1))
@example(text="C++ -O2")
@example(text="日本語のテキスト")
@example(text="ώ combining")
def test_a_message_is_found_by_its_own_text(store: Store, text: str) -> None:
    search = Search(store)
    thread = add_thread(store, text)
    found = run(search, text, filters=SearchFilters(thread_id=thread))
    if any(char.isalnum() for char in text):
        assert len(found.messages) == 1


def test_very_long_advanced_queries_are_refused(search: Search) -> None:
    with pytest.raises(InvalidRequest, match="longer than"):
        run(search, "word OR " * 1000, advanced=True)


# -- repair --------------------------------------------------------------------------------------


@pytest.fixture
def reopen(config: Configuration) -> Iterator[Callable[[], Store]]:
    opened: list[Store] = []

    def opener() -> Store:
        for store in opened:
            store.close()
        opened.append(open_store(config.paths, config.settings))
        return opened[-1]

    yield opener
    opened[-1].close()


def damage(database: Path, *statements: str) -> None:
    with sqlite3.connect(database) as connection:
        for statement in statements:
            connection.execute(statement)


@pytest.mark.parametrize(
    "statements",
    [
        ("DROP TABLE search_messages",),
        ("DROP TABLE search_threads_docsize",),
        ("DROP TRIGGER search_messages_insert",),
        (
            "DROP TRIGGER search_messages_update",
            "UPDATE messages SET content = 'orchids were repotted'",
        ),
        ("UPDATE search_messages_data SET block = x'0011223344' WHERE id = 10",),
        (
            "DROP TRIGGER search_threads_update",
            "CREATE TRIGGER search_threads_update AFTER UPDATE ON threads BEGIN SELECT 1; END",
        ),
    ],
    ids=["table", "shadow", "trigger", "stale", "garbage", "other-trigger"],
)
def test_a_missing_or_damaged_index_is_rebuilt_at_start_up(
    reopen: Callable[[], Store], statements: tuple[str, ...]
) -> None:
    store = reopen()
    add_thread(store, "orchids need little water")
    damage(store.path, *statements)
    store = reopen()
    search = Search(store)
    [hit] = run(search, "orchids ").messages
    assert "orchids" in hit.snippet.text
    assert len(run(search, "orchids ").threads) == 1
    add_thread(store, "orchids again")  # writes work: the triggers are there again
    assert len(run(search, "orchids ").messages) == 2
    assert not repair_index(store._engine)  # sound now: the check finds nothing to do


def test_rebuild_on_request(store: Store) -> None:
    add_thread(store, "ferns like shade")
    search = Search(store)
    asyncio.run(search.rebuild_index())
    assert len(run(search, "ferns ").messages) == 1


# -- upgrade -------------------------------------------------------------------------------------


def test_upgrading_a_0004_database_indexes_its_messages(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{database}")
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
    engine.dispose()
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO threads (id, title, title_set_by_user, pinned, archived, message_count, "
            "total_tokens, last_activity_at, created_at, updated_at, summaries_paused) VALUES "
            "('aa', 'Holiday plans', 0, 0, 0, 3, 0, '2026-01-01', '2026-01-01', '2026-01-01', 0)"
        )
        for mid, parent, status, content in (
            ("m1", None, "complete", "where to go in spring"),
            ("m2", "m1", "interrupted", "Lisbon in spring is mild"),
            ("m3", "m2", "streaming", "spring text still arriving"),
        ):
            connection.execute(
                "INSERT INTO messages (id, thread_id, parent_id, depth, role, status, content, "
                "created_at, updated_at) VALUES (?, 'aa', ?, 0, 'user', ?, ?, "
                "'2026-01-01', '2026-01-01')",
                (mid, parent, status, content),
            )
    report = migrate.upgrade(database, tmp_path / "backups")
    assert (report.from_revision, report.to_revision) == ("0004", HEAD_REVISION)
    with sqlite3.connect(database) as connection:
        found = connection.execute(
            "SELECT m.content FROM search_messages "
            "JOIN messages m ON m.rowid = search_messages.rowid "
            "WHERE search_messages MATCH 'spring' ORDER BY m.id"
        ).fetchall()
        titles = connection.execute(
            "SELECT rowid FROM search_threads WHERE search_threads MATCH 'holiday'"
        ).fetchall()
    # a streaming answer is indexed when it ends (here: when chatdesk marks it interrupted)
    assert found == [("where to go in spring",), ("Lisbon in spring is mild",)]
    assert len(titles) == 1
