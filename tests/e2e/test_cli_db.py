"""`chatdesk db backups|restore|recover` as a user runs them, and what every command says when
the database is damaged."""

from __future__ import annotations

import asyncio
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from chatdesk.app import build_core
from chatdesk.configuration import configure
from tests.core.databases import damage_middle_of, damage_table, fill, sha256
from tests.e2e.cli import chatdesk, chatdesk_json, rows


@pytest.fixture
def database(chatdesk_home: Path) -> Path:
    return chatdesk_home / "data" / "chatdesk.db"


def filled(threads: int, turns: int) -> None:
    """Threads with questions and answers, written in this process (faster than `ask`)."""

    async def fill_them() -> None:
        core = build_core(configure())
        await core.start()
        try:
            await fill(core.service, threads, turns)
        finally:
            await core.aclose()

    asyncio.run(fill_them())


def titles(database: Path) -> list[str]:
    return sorted(title for (title,) in rows(database, "SELECT title FROM threads"))


def with_a_backup(database: Path) -> Path:
    chatdesk_json("ask", "kept in the backup")
    made = chatdesk_json("db", "backup")
    chatdesk_json("ask", "written after the backup")
    return Path(made["backup"])


def test_backups_are_listed_and_the_newest_is_restored(database: Path) -> None:
    backup = with_a_backup(database)
    listed = chatdesk_json("db", "backups")
    assert [(b["path"], b["kind"]) for b in listed] == [(str(backup), "manual")]
    assert len(rows(database, "SELECT id FROM threads")) == 2
    before = sha256(database)

    done = chatdesk_json("db", "restore")

    assert done["restored"] == str(backup)
    [aside] = [Path(p) for p in done["set_aside"] if not p.endswith(("-wal", "-shm"))]
    assert aside.name.startswith("chatdesk.db.before-restore-")
    assert sha256(aside) == before
    assert len(rows(database, "SELECT id FROM threads")) == 1
    asked = rows(database, "SELECT content FROM messages WHERE role = 'user'")
    assert asked == [("kept in the backup",)]
    assert chatdesk("threads", "list").returncode == 0  # it opens as any database does


def test_a_backup_is_restored_by_its_name(database: Path) -> None:
    backup = with_a_backup(database)
    plain = chatdesk("db", "restore", backup.name)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.startswith(f"restored {backup.name}")
    missing = chatdesk("db", "restore", "chatdesk-nothing.db")
    assert missing.returncode == 1
    assert "no backup at" in missing.stderr


def test_restore_is_refused_while_another_chatdesk_runs(database: Path) -> None:
    with_a_backup(database)
    before = sha256(database)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from chatdesk.configuration import configure; "
            "from chatdesk.core.store import "
            "open_store; c = configure(); s = open_store(c.paths, c.settings); print('open', "
            "flush=True); sys.stdin.read(); s.close()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "open"
        refused = chatdesk("db", "restore")
        recover = chatdesk("db", "recover")
    finally:
        holder.communicate("", timeout=60)
    assert refused.returncode == 1
    assert "another chatdesk process is using the database" in refused.stderr
    assert "nothing was changed" in refused.stderr
    assert recover.returncode == 1
    assert sha256(database) == before
    assert chatdesk("db", "restore").returncode == 0  # once it has closed


@pytest.mark.slow("every command run as its own chatdesk process on a damaged database")
def test_every_command_on_a_damaged_database_says_how_to_fix_it(database: Path) -> None:
    filled(threads=4, turns=8)
    damage_middle_of(database, "messages")
    before = sha256(database)

    listed = chatdesk("threads", "list")

    assert listed.returncode == 1
    lines = listed.stderr.strip().splitlines()
    assert len(lines) == 1, listed.stderr
    assert "is damaged" in lines[0]
    assert "`chatdesk db restore`" in lines[0]
    assert "`chatdesk db recover`" in lines[0]
    assert not database.exists()
    [folder] = database.parent.glob("damaged-*")
    assert sha256(folder / "chatdesk.db") == before
    for command in (("ask", "hello"), ("db", "check"), ("db", "backup"), ("search", "x")):
        again = chatdesk(*command)
        assert again.returncode == 1, command
        assert "chatdesk db recover" in again.stderr, command
    assert not database.exists()

    recovered = chatdesk_json("db", "recover")

    assert recovered["copied"]["threads"] == 4
    assert 0 < recovered["copied"]["messages"] < 4 * 8 * 2
    assert recovered["damaged_stretches"] + sum(recovered["refused"].values()) >= 1
    check = chatdesk_json("db", "check")
    assert check["integrity"] == "ok"
    assert titles(database) == [f"thread {t}" for t in range(4)]
    assert chatdesk("threads", "list").returncode == 0


def test_db_check_on_a_damaged_database_changes_nothing(database: Path) -> None:
    chatdesk_json("ask", "hello")
    damage_table(database, "threads")
    before = sha256(database)
    check = chatdesk("db", "check")
    assert check.returncode == 1
    assert "integrity:" in check.stdout
    assert "chatdesk db restore" in check.stdout
    assert sha256(database) == before


def _small_files() -> None:
    limit = 64 * 1024  # any file the process writes stops growing here, as on a full disk
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_disk_that_fills_up_during_a_backup_harms_nothing(database: Path) -> None:
    filled(threads=4, turns=8)
    assert database.stat().st_size > 128 * 1024
    before = sha256(database)
    backups = database.parent / "backups"

    result = subprocess.run(
        [sys.executable, "-m", "chatdesk", "db", "backup"],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ,
        preexec_fn=_small_files,
        check=False,
    )

    assert result.returncode == 1
    assert "The database was not changed and no partial copy was left" in result.stderr
    assert not list(backups.glob("*"))
    assert sha256(database) == before
    assert rows(database, "PRAGMA integrity_check") == [("ok",)]


def test_a_scheduled_restore_can_be_cancelled_from_the_command_line(database: Path) -> None:
    backup = with_a_backup(database)
    request = database.parent / "restore-request.json"
    request.write_text(f'{{"backup": "{backup}"}}\n')
    cancelled = chatdesk_json("db", "restore", "--cancel")
    assert cancelled == {"cancelled": str(backup)}
    assert not request.exists()


def test_the_daily_backup_from_cron_is_made_once_a_day(database: Path) -> None:
    chatdesk_json("ask", "hello")
    first = chatdesk_json("db", "backup", "--daily")
    assert first["backup"] is not None
    assert Path(first["backup"]).name.endswith("-daily.db")
    again = chatdesk("db", "backup", "--daily")
    assert again.returncode == 0
    assert again.stdout.strip() == "the newest daily backup is recent"
    assert [b["kind"] for b in chatdesk_json("db", "backups")] == ["daily"]
