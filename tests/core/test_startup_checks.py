"""Every start checks the database: quick_check normally, the full integrity_check after a
chatdesk ended without closing (its lock file is left behind, or its -wal still holds pages)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from chatdesk.configuration import Configuration
from chatdesk.core.store import open_store
from chatdesk.core.store.damage import DatabaseDamaged
from chatdesk.core.store.failures import translated
from chatdesk.core.store.instances import InstanceLock
from chatdesk.core.store.opening import StartupChecks, open_checked
from tests.core.databases import damage_table, sha256

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)


def start(config: Configuration) -> StartupChecks:
    store, checks = open_checked(config.paths, config.settings)
    store.close()
    return checks


def test_a_new_database_needs_no_check_and_then_gets_a_quick_one(config: Configuration) -> None:
    first = start(config)
    assert (first.check, first.unclean_exit) == (None, False)
    second = start(config)
    assert (second.check, second.unclean_exit) == ("quick_check", False)
    assert second.check_ms > 0


def test_a_dead_processs_lock_file_means_a_full_check_once(config: Configuration) -> None:
    start(config)
    dead = config.paths.run_dir / "0123456789abcdef0123456789abcdef.lock"
    dead.touch()  # a lock file nobody holds: its process is gone

    checks = start(config)

    assert (checks.check, checks.unclean_exit) == ("integrity_check", True)
    assert not dead.exists()
    assert start(config).check == "quick_check"


def test_a_killed_chatdesk_is_followed_by_a_full_check(config: Configuration) -> None:
    start(config)
    killed = (
        "import os; from chatdesk.app import build_core; "
        "from chatdesk.configuration import configure; "
        "core = build_core(configure()); "
        "core.insides.store.write_now(lambda s: s.execute(__import__('sqlalchemy').text("
        "\"INSERT INTO drafts (key, text, updated_at) VALUES ('new', 'half', '2026-01-01')\"))); "
        "os._exit(9)"
    )
    subprocess.run([sys.executable, "-c", killed], check=False, timeout=120, env=os.environ)
    assert list(config.paths.run_dir.glob("*.lock"))

    checks = start(config)

    assert (checks.check, checks.unclean_exit) == ("integrity_check", True)
    assert not list(config.paths.run_dir.glob("*.lock"))


def test_a_wal_left_with_pages_means_a_full_check(config: Configuration) -> None:
    start(config)
    connection = sqlite3.connect(config.paths.database, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("INSERT INTO drafts (key, text, updated_at) VALUES ('k', 't', 'x')")
    wal = config.paths.database.with_name("chatdesk.db-wal")
    assert wal.stat().st_size > 0  # as a process that died before closing leaves it
    try:
        checks = start(config)
    finally:
        connection.close()
    assert checks.unclean_exit
    assert checks.check == "integrity_check"


def test_damage_found_while_another_chatdesk_runs_is_reported_but_not_moved(
    config: Configuration,
) -> None:
    store = open_store(config.paths, config.settings)
    store.close()
    damage_table(config.paths.database, "threads")
    before = sha256(config.paths.database)
    other = InstanceLock(config.paths.run_dir)
    try:
        with pytest.raises(DatabaseDamaged, match="close every other chatdesk") as raised:
            start(config)
    finally:
        other.release()
    assert raised.value.damaged_dir is None
    assert sha256(config.paths.database) == before
    assert not list(config.paths.data_dir.glob("damaged-*"))
    assert not list(config.paths.run_dir.glob("*.lock"))  # this start's own lock was released


def test_damage_reported_by_opening_is_handled_like_a_failed_check(
    config: Configuration, monkeypatch: pytest.MonkeyPatch
) -> None:
    start(config)

    def malformed(*args: object) -> None:
        damage = sqlite3.DatabaseError("database disk image is malformed")
        damage.sqlite_errorcode = sqlite3.SQLITE_CORRUPT  # as SQLite reports it
        with translated():  # as opening reports it
            raise damage

    monkeypatch.setattr("chatdesk.core.store.opening._opened", malformed)
    with pytest.raises(DatabaseDamaged) as raised:
        start(config)
    assert raised.value.damaged_dir is not None
    assert (raised.value.damaged_dir / "chatdesk.db").exists()
    assert not config.paths.database.exists()


def test_a_file_that_is_not_a_database_is_still_refused_untouched(config: Configuration) -> None:
    config.paths.data_dir.mkdir(parents=True)
    config.paths.database.write_text("my notes, not a database")
    with pytest.raises(Exception, match="not a chatdesk database"):
        start(config)
    assert config.paths.database.read_text() == "my notes, not a database"
    assert not list(config.paths.data_dir.glob("damaged-*"))


def test_the_check_runs_before_anything_writes(config: Configuration, tmp_path: Path) -> None:
    start(config)
    damage_table(config.paths.database, "threads")
    before = sha256(config.paths.database)
    with pytest.raises(DatabaseDamaged) as raised:
        start(config)
    assert raised.value.damaged_dir is not None
    assert sha256(raised.value.damaged_dir / "chatdesk.db") == before


def test_a_sound_database_put_back_by_hand_settles_the_damage(config: Configuration) -> None:
    start(config)
    good = config.paths.data_dir / "copy.db"
    good.write_bytes(config.paths.database.read_bytes())
    damage_table(config.paths.database, "threads")
    with pytest.raises(DatabaseDamaged):
        start(config)
    good.rename(config.paths.database)  # what a user may do with a copy of their own

    assert start(config).check == "quick_check"

    config.paths.database.unlink()  # starting afresh later is not taken for the old damage
    assert start(config).check is None
