"""Restoring a backup: the newest verified one by default, the current database kept aside
untouched, refused while another chatdesk has the database open, and scheduled from the window
to be applied at the next start."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command

from chatdesk.app import build_core
from chatdesk.configuration import Configuration
from chatdesk.core.store import migrate
from chatdesk.core.store.backup import backup_name, list_backups, make_backup
from chatdesk.core.store.backups import Backups
from chatdesk.core.store.engine import sqlite_engine, writer
from chatdesk.core.store.exclusive import DatabaseInUse
from chatdesk.core.store.instances import InstanceLock
from chatdesk.core.store.opening import open_checked
from chatdesk.core.store.restore import RestoreFailed, restore_backup
from chatdesk.core.store.scheduled import REQUEST_FILE, scheduled_restore
from chatdesk.core.views import ThreadFilter
from tests.core.databases import damage_table, fill, rows, sha256

pytestmark = pytest.mark.asyncio


async def titles(config: Configuration) -> list[str]:
    core = build_core(config)
    try:
        await core.start()
        page = await core.service.list_threads(ThreadFilter(), limit=100)
        return sorted(thread.title for thread in page.threads)
    finally:
        await core.aclose()


async def with_backup_then_more(config: Configuration) -> Path:
    """Threads "kept 0..1" in a backup, then "later" written after it; returns the backup."""
    core = build_core(config)
    try:
        await core.start()
        await fill(core.service, threads=2, turns=1, tag="kept ")
        backup = await core.backups.back_up_now()
        await fill(core.service, threads=1, turns=1, tag="later ")
    finally:
        await core.aclose()
    return backup.path


async def test_restore_puts_back_the_newest_backup_and_keeps_the_current_files(
    config: Configuration,
) -> None:
    await with_backup_then_more(config)
    database = config.paths.database
    before = sha256(database)

    done = restore_backup(config.paths, now=datetime(2026, 5, 1, 12, tzinfo=UTC))

    assert await titles(config) == ["kept thread 0", "kept thread 1"]
    aside = config.paths.data_dir / "chatdesk.db.before-restore-20260501T120000Z"
    assert done.set_aside[0] == aside
    assert sha256(aside) == before  # untouched, and still a database of its own
    assert rows(aside, "SELECT count(*) FROM threads") == [(3,)]
    assert not list(config.paths.data_dir.glob("*.restoring*"))


async def test_the_default_is_the_newest_backup_that_verifies(config: Configuration) -> None:
    good = await with_backup_then_more(config)
    newer = make_backup(config.paths.database, config.paths.backups_dir / backup_name("manual"))
    damage_table(newer, "messages")

    done = restore_backup(config.paths)

    assert done.backup == good
    assert await titles(config) == ["kept thread 0", "kept thread 1"]


async def test_restore_is_refused_while_another_chatdesk_has_the_database(
    config: Configuration,
) -> None:
    await with_backup_then_more(config)
    before = sha256(config.paths.database)
    other = InstanceLock(config.paths.run_dir)  # what every running chatdesk holds
    try:
        with pytest.raises(DatabaseInUse, match="another chatdesk process is using"):
            restore_backup(config.paths)
    finally:
        other.release()
    assert sha256(config.paths.database) == before
    assert not list(config.paths.data_dir.glob("chatdesk.db.before-restore-*"))


async def test_a_damaged_or_foreign_backup_is_refused_and_nothing_changes(
    config: Configuration, tmp_path: Path
) -> None:
    backup = await with_backup_then_more(config)
    before = sha256(config.paths.database)
    damage_table(backup, "messages")
    with pytest.raises(RestoreFailed, match="is damaged"):
        restore_backup(config.paths, backup)
    foreign = tmp_path / "notes.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
    connection.close()
    with pytest.raises(RestoreFailed, match="not a chatdesk database"):
        restore_backup(config.paths, foreign)
    with pytest.raises(RestoreFailed, match="no verified backup"):
        restore_backup(config.paths)  # the only backup is damaged
    assert sha256(config.paths.database) == before


async def test_a_backup_from_a_newer_chatdesk_is_refused(config: Configuration) -> None:
    backup = await with_backup_then_more(config)
    with sqlite3.connect(backup) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.close()
    with pytest.raises(RestoreFailed, match="newer chatdesk"):
        restore_backup(config.paths, backup)


def database_at(path: Path, revision: str) -> None:
    engine = sqlite_engine(path, foreign_keys=False)
    config = migrate.alembic_config()
    with writer(engine).connect() as connection, connection.begin():
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.exec_driver_sql(
            "INSERT INTO threads (id, title, last_activity_at, created_at, updated_at) VALUES "
            "('0195c1a0c7a07a5e9c1e2d3f4a5b6c7d', 'from an older chatdesk', "
            "'2025-01-01 00:00:00', '2025-01-01 00:00:00', '2025-01-01 00:00:00')"
        )
    engine.dispose()


async def test_an_older_backup_opens_and_is_migrated_after_restoring(
    config: Configuration, tmp_path: Path
) -> None:
    await with_backup_then_more(config)
    old = tmp_path / "old.db"
    database_at(old, "0003")

    restore_backup(config.paths, old)

    store, checks = open_checked(config.paths, config.settings)
    try:
        assert checks.check == "quick_check"
        assert store.migration.from_revision == "0003"
        assert store.migration.changed
    finally:
        store.close()
    assert await titles(config) == ["from an older chatdesk"]


# -- scheduled in the window, applied at the next start -----------------------------------------


async def schedule(config: Configuration, backup: Path) -> None:
    """What "Restore…" in the Data tab does."""
    backups = Backups(config.paths.database, config.paths.backups_dir)
    try:
        await backups.schedule_restore(backup)
    finally:
        backups.close()


async def test_a_restore_scheduled_while_open_is_applied_at_the_next_start(
    config: Configuration,
) -> None:
    backup = await with_backup_then_more(config)
    core = build_core(config)
    try:
        await core.start()
        await core.backups.schedule_restore(backup)
        assert await core.backups.scheduled_restore() == backup
        assert len((await core.service.list_threads(ThreadFilter())).threads) == 3  # not yet
    finally:
        await core.aclose()

    core = build_core(config)  # the next start
    try:
        assert core.startup.restored is not None
        assert core.startup.restored.backup == backup
        await core.start()
        assert await core.backups.scheduled_restore() is None
    finally:
        await core.aclose()
    assert await titles(config) == ["kept thread 0", "kept thread 1"]
    assert len(list(config.paths.data_dir.glob("chatdesk.db.before-restore-*"))) == 1


async def test_a_scheduled_restore_waits_while_another_chatdesk_runs(
    config: Configuration,
) -> None:
    backup = await with_backup_then_more(config)
    await schedule(config, backup)
    other = InstanceLock(config.paths.run_dir)
    try:
        store, checks = open_checked(config.paths, config.settings)
        store.close()
        assert checks.restored is None
        assert scheduled_restore(config.paths.data_dir) == backup  # still asked for
    finally:
        other.release()
    assert await titles(config) == ["kept thread 0", "kept thread 1"]  # done now


async def test_a_scheduled_restore_that_fails_says_why_and_is_dropped(
    config: Configuration,
) -> None:
    backup = await with_backup_then_more(config)
    await schedule(config, backup)
    damage_table(backup, "messages")  # damaged after it was chosen
    before = sha256(config.paths.database)

    with pytest.raises(RestoreFailed, match=r"could not be done.*is damaged.*request was removed"):
        build_core(config)

    assert not (config.paths.data_dir / REQUEST_FILE).exists()
    assert sha256(config.paths.database) == before
    assert len(await titles(config)) == 3  # the next start opens the current database


async def test_scheduling_a_damaged_backup_is_refused_at_once(config: Configuration) -> None:
    backup = await with_backup_then_more(config)
    damage_table(backup, "messages")
    backups = Backups(config.paths.database, config.paths.backups_dir)
    try:
        with pytest.raises(Exception, match=r"is damaged.*Nothing was scheduled"):
            await backups.schedule_restore(backup)
        assert await backups.scheduled_restore() is None
    finally:
        backups.close()
    assert [b.path for b in list_backups(config.paths.backups_dir)] == [backup]
