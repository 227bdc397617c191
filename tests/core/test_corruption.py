"""A damaged copy of a real database: found at start, set aside untouched, and recovered
either from the newest verified backup or by salvaging what can still be read."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from chatdesk.app import build_core
from chatdesk.configuration import Configuration
from chatdesk.core.store import open_store
from chatdesk.core.store.backup import (
    backup_name,
    integrity_problems,
    make_backup,
    problem_lines,
)
from chatdesk.core.store.damage import DatabaseDamaged
from chatdesk.core.store.opening import open_checked
from chatdesk.core.store.recovery import recover_database
from chatdesk.core.store.restore import restore_backup
from chatdesk.core.views import ThreadFilter
from tests.core.databases import damage_middle_of, fill, rows, sha256

pytestmark = pytest.mark.asyncio


async def titles_and_messages(config: Configuration) -> tuple[list[str], dict[str, list[str]]]:
    """Every thread's title and the text of its active branch, through a real core."""
    core = build_core(config)
    try:
        await core.start()
        page = await core.service.list_threads(ThreadFilter(), limit=500)
        shown = {}
        for thread in page.threads:
            listed = await core.service.list_messages(thread.id, limit=1000)
            shown[thread.title] = [m.content for m in listed.messages]
        return sorted(shown), shown
    finally:
        await core.aclose()


@pytest_asyncio.fixture
async def damaged(config: Configuration, tmp_path: Path) -> AsyncIterator[dict[str, object]]:
    """A database made elsewhere (backed up halfway), copied into the data folder, and the
    copy's messages table damaged in the middle. Nothing has opened the damaged copy yet."""
    elsewhere = Configuration(
        type(config.paths)(
            tmp_path / "elsewhere", config.paths.config_dir, tmp_path / "log", tmp_path / "c"
        ),
        config.loaded,
    )
    core = build_core(elsewhere)
    await core.start()
    before = await fill(core.service, threads=3, turns=12)
    backup = make_backup(core.insides.store.path, config.paths.backups_dir / backup_name("daily"))
    after = await fill(core.service, threads=1, turns=2, tag="after backup: ")
    await core.aclose()
    _, expected = await titles_and_messages(elsewhere)
    config.paths.data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(elsewhere.paths.database, config.paths.database)
    page = damage_middle_of(config.paths.database, "messages")
    yield {
        "before": before,
        "after": after,
        "backup": backup,
        "expected": expected,
        "page": page,
        "sha256": sha256(config.paths.database),
    }


async def test_quick_check_finds_the_damage_and_the_files_are_set_aside_untouched(
    config: Configuration, damaged: dict[str, object]
) -> None:
    database = config.paths.database
    assert integrity_problems(database, quick=True)

    with pytest.raises(DatabaseDamaged) as raised:
        open_checked(config.paths, config.settings)

    error = raised.value
    assert error.damaged_dir is not None
    assert error.damaged_dir.parent == config.paths.data_dir
    assert error.damaged_dir.name.startswith("damaged-")
    assert not database.exists()
    moved = error.damaged_dir / database.name
    assert sha256(moved) == damaged["sha256"]
    record = json.loads((error.damaged_dir / "damage.json").read_text())
    assert record["files"][database.name]["sha256"] == damaged["sha256"]
    assert record["resolved"] is None
    assert error.backup is not None
    assert error.backup.path == damaged["backup"]
    message = str(error)
    assert "chatdesk db restore" in message
    assert "chatdesk db recover" in message
    assert str(error.damaged_dir) in message

    # The next start neither trips over the file again nor starts on an empty database.
    with pytest.raises(DatabaseDamaged) as again:
        open_checked(config.paths, config.settings)
    assert again.value.damaged_dir == error.damaged_dir
    assert not database.exists()
    assert len(list(config.paths.data_dir.glob("damaged-*"))) == 1
    assert sha256(moved) == damaged["sha256"]


async def test_restoring_the_newest_backup_brings_back_what_it_holds(
    config: Configuration, damaged: dict[str, object]
) -> None:
    with pytest.raises(DatabaseDamaged) as raised:
        open_checked(config.paths, config.settings)

    restore_backup(config.paths)

    titles, shown = await titles_and_messages(config)
    assert titles == sorted(damaged["before"])  # type: ignore[call-overload]
    expected = damaged["expected"]
    assert isinstance(expected, dict)
    for title in titles:
        assert shown[title] == expected[title]
    assert integrity_problems(config.paths.database) == []
    record = json.loads((raised.value.damaged_dir / "damage.json").read_text())  # type: ignore[operator]
    assert record["resolved"]["how"].startswith("restored")
    assert sha256(raised.value.damaged_dir / "chatdesk.db") == damaged["sha256"]  # type: ignore[operator]


async def test_recovering_salvages_every_readable_message_and_mends_the_threads(
    config: Configuration, damaged: dict[str, object]
) -> None:
    expected = damaged["expected"]
    assert isinstance(expected, dict)
    with pytest.raises(DatabaseDamaged):
        open_checked(config.paths, config.settings)

    report = recover_database(config.paths)

    assert integrity_problems(config.paths.database) == []
    messages = report.salvage.tables["messages"]
    total = sum(len(texts) for texts in expected.values())
    lost = total - messages.copied
    assert 0 < lost < total // 5, f"lost {lost} of {total} messages"
    assert messages.damaged_stretches + messages.refused >= 1
    assert report.salvage.tables["threads"].copied == len(expected)
    assert sha256(report.damaged_dir / "chatdesk.db") == damaged["sha256"]

    titles, shown = await titles_and_messages(config)
    assert titles == sorted(expected)
    for title, texts in shown.items():
        # what survived is exactly what was there, in order; only lost messages are missing
        assert texts, title
        assert all(text in expected[title] for text in texts)
        order = [expected[title].index(text) for text in texts]
        assert order == sorted(order)
    survivors = sum(len(texts) for texts in shown.values())
    assert survivors >= total - lost - len(expected)  # at most a lost leaf's branch ends early
    # every message hangs from one that exists, one level up
    broken = rows(
        config.paths.database,
        "SELECT count(*) FROM messages AS child LEFT JOIN messages AS parent "
        "ON parent.id = child.parent_id WHERE child.parent_id IS NOT NULL "
        "AND (parent.id IS NULL OR child.depth != parent.depth + 1)",
    )
    assert broken == [(0,)]
    counted = rows(
        config.paths.database,
        "SELECT count(*) FROM threads WHERE message_count != "
        "(SELECT count(*) FROM messages WHERE thread_id = threads.id)",
    )
    assert counted == [(0,)]


async def test_recovered_messages_are_found_by_search(
    config: Configuration, damaged: dict[str, object]
) -> None:
    with pytest.raises(DatabaseDamaged):
        open_checked(config.paths, config.settings)
    recover_database(config.paths)
    core = build_core(config)
    try:
        await core.start()
        found = await core.search.search("lighthouses", limit=100)
        assert found.messages
    finally:
        await core.aclose()


async def test_recover_refuses_a_sound_database_and_changes_nothing(
    config: Configuration,
) -> None:
    open_store(config.paths, config.settings).close()
    before = sha256(config.paths.database)
    with pytest.raises(Exception, match="passes its integrity check"):
        recover_database(config.paths)
    assert sha256(config.paths.database) == before
    assert not list(config.paths.data_dir.glob("damaged-*"))


async def test_sqlite_s_heading_is_not_shown_as_a_problem() -> None:
    rows = [
        "*** in database main ***\nOn tree page 7 cell 0: invalid page number 4096",
        "row 12 missing from index ix_messages_status",
    ]
    assert problem_lines(rows) == [
        "On tree page 7 cell 0: invalid page number 4096",
        "row 12 missing from index ix_messages_status",
    ]
    assert problem_lines(["ok"]) == []
