"""Rotation: which backups are kept, over generated timelines, and the daily run on real files."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatdesk.core.store.backup import (
    BackupError,
    BackupInfo,
    BackupKind,
    backup_name,
    list_backups,
    parse_backup_name,
)
from chatdesk.core.store.rotation import (
    RotationPolicy,
    automatic_backup,
    backup_due,
    backups_to_delete,
    backups_to_keep,
)

START = datetime(2026, 1, 1, tzinfo=UTC)
KINDS = st.sampled_from(list(BackupKind))
policies = st.builds(
    RotationPolicy,
    daily=st.integers(1, 10),
    weekly=st.integers(0, 6),
    pre_migration=st.integers(1, 4),
)


@st.composite
def timelines(draw: st.DrawFn) -> list[BackupInfo]:
    """Backups at random moments over a year: mostly daily ones, some of every other kind."""
    offsets = draw(st.lists(st.integers(0, 365 * 24 * 60), min_size=0, max_size=60, unique=True))
    backups = []
    for minutes in offsets:
        kind = draw(st.sampled_from([BackupKind.DAILY] * 4 + list(BackupKind)))
        made = START + timedelta(minutes=minutes)
        backups.append(BackupInfo(Path(f"/backups/{minutes}-{kind.value}.db"), 1, made, kind))
    return backups


def newest_first(backups: list[BackupInfo]) -> list[BackupInfo]:
    return sorted(backups, key=lambda b: b.created_at, reverse=True)


@given(timelines(), policies)
def test_rotation_keeps_what_the_policy_promises(
    backups: list[BackupInfo], policy: RotationPolicy
) -> None:
    keep = backups_to_keep(backups, policy)
    doomed = {b.path for b in backups_to_delete(backups, policy)}
    assert keep.isdisjoint(doomed)
    assert keep | doomed == {b.path for b in backups}
    # never files it did not make automatically, never the newest of all
    for backup in backups:
        if backup.kind in (BackupKind.MANUAL, BackupKind.OTHER):
            assert backup.path in keep
    if backups:
        assert newest_first(backups)[0].path in keep
    # the newest daily backup of each of the `daily` most recent days with one
    daily = newest_first([b for b in backups if b.kind is BackupKind.DAILY])
    days: dict[object, Path] = {}
    for backup in daily:
        days.setdefault(backup.created_at.date(), backup.path)
    for path in list(days.values())[: policy.daily]:
        assert path in keep
    # automatic ones kept: at most daily + weekly (+1: the newest of all)
    kept_daily = [b for b in daily if b.path in keep]
    assert len(kept_daily) <= policy.daily + policy.weekly + 1
    # no two kept weeklies share an ISO week
    weeklies = [b for b in kept_daily if b.path not in set(list(days.values())[: policy.daily])]
    weeks = [b.created_at.isocalendar()[:2] for b in weeklies]
    assert len(weeks) - len(set(weeks)) <= 1  # the newest of all may share a week
    migrations = newest_first([b for b in backups if b.kind is BackupKind.PRE_MIGRATION])
    for backup in migrations[: policy.pre_migration]:
        assert backup.path in keep


@given(timelines(), policies)
def test_rotating_again_deletes_nothing_more(
    backups: list[BackupInfo], policy: RotationPolicy
) -> None:
    kept = [b for b in backups if b.path in backups_to_keep(backups, policy)]
    assert backups_to_delete(kept, policy) == []


def test_seven_dailies_and_four_weeklies_after_two_months_of_daily_backups() -> None:
    backups = [
        BackupInfo(Path(f"/b/{day}.db"), 1, START + timedelta(days=day, hours=9), BackupKind.DAILY)
        for day in range(60)
    ]
    kept = sorted(
        (b for b in backups if b.path in backups_to_keep(backups, RotationPolicy())),
        key=lambda b: b.created_at,
    )
    dates = [b.created_at.date().isoformat() for b in kept]
    # 2026-03-01 is the newest; 02-23 … 03-01 are the dailies; weeklies: the Sunday (end) of
    # each of the four ISO weeks before them (2026-02-22 is a Sunday).
    assert dates == [
        "2026-02-01",
        "2026-02-08",
        "2026-02-15",
        "2026-02-22",
        "2026-02-23",
        "2026-02-24",
        "2026-02-25",
        "2026-02-26",
        "2026-02-27",
        "2026-02-28",
        "2026-03-01",
    ]


def test_a_backup_is_due_after_a_day_or_when_the_clock_went_back() -> None:
    made = BackupInfo(Path("/b/1.db"), 1, START, BackupKind.DAILY)
    manual = BackupInfo(Path("/b/2.db"), 1, START + timedelta(hours=30), BackupKind.MANUAL)
    assert backup_due([], START)
    assert not backup_due([made], START + timedelta(hours=23))
    assert backup_due([made], START + timedelta(hours=24))
    assert backup_due([made, manual], START + timedelta(hours=25))  # only daily ones count
    assert backup_due([made], START - timedelta(days=3))  # a newest backup in the future


LABELS = {
    "daily": BackupKind.DAILY,
    "manual": BackupKind.MANUAL,
    "pre-migrate-0004-to-0005": BackupKind.PRE_MIGRATION,
    "pre-migrate-none-to-0005": BackupKind.PRE_MIGRATION,
}
MOMENTS = st.datetimes(datetime(2000, 1, 1), datetime(9999, 12, 30), timezones=st.just(UTC))


@settings(max_examples=50)
@given(MOMENTS, st.sampled_from(sorted(LABELS)))
def test_backup_names_say_when_and_why(now: datetime, label: str) -> None:
    assert parse_backup_name(backup_name(label, now)) == (now, LABELS[label])


def test_names_it_did_not_write_are_not_its_backups() -> None:
    for name in ("chatdesk.db", "chatdesk-old.db", "chatdesk-20260101T000000Z-daily.db"):
        assert parse_backup_name(name) is None
    assert parse_backup_name("chatdesk-20260101T000000.000000Z-mine.db") == (
        START,
        BackupKind.OTHER,
    )


def make_database(path: Path, rows: int = 10) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
        connection.executemany(
            "INSERT INTO notes VALUES (?)", [(f"note {i}",) for i in range(rows)]
        )
    connection.close()


def test_daily_runs_over_a_month_keep_the_policy_and_leave_other_files_alone(
    tmp_path: Path,
) -> None:
    database, folder = tmp_path / "chatdesk.db", tmp_path / "backups"
    make_database(database)
    folder.mkdir()
    mine = folder / "chatdesk-mine.db"  # a file the user put there
    mine.write_bytes(b"not ours")
    manual = folder / backup_name("manual", START)
    manual.write_bytes(b"a manual backup")
    made = 0
    for hour in range(0, 40 * 24, 6):  # every six hours for forty days
        done = automatic_backup(database, folder, START + timedelta(hours=hour), RotationPolicy())
        made += done.made is not None
    assert made == 40
    found = list_backups(folder)
    daily = [b for b in found if b.kind is BackupKind.DAILY]
    assert len(daily) == 7 + 4
    assert mine.read_bytes() == b"not ours"
    assert manual.read_bytes() == b"a manual backup"
    assert not list(folder.glob("*.partial"))


def test_no_rotation_when_the_new_backup_fails(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    old = [folder / backup_name("daily", START + timedelta(days=day)) for day in range(20)]
    for path in old:
        path.write_bytes(b"an old backup")
    missing = tmp_path / "gone.db"  # the database cannot be read: the backup fails
    with pytest.raises(BackupError, match="could not back up"):
        automatic_backup(missing, folder, START + timedelta(days=30), RotationPolicy())
    assert all(path.exists() for path in old)
