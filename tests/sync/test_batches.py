"""A batch is written as a whole (server migration 0006): one statement for the batch, the
stamp trigger for every row, and the same outcome as the rows written one after another."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import psycopg
import pytest

from tests.sync.conftest import SyncDatabase
from tests.sync.world import World, connect, hlc, make_world, pull, put, row

HLC = re.compile(r"[0-9]{13}\.[0-9]{6}\.[0-9a-f]{32}")
DAY_MS = 86_400_000


@pytest.fixture
def world(sync_db: SyncDatabase) -> World:
    return make_world(sync_db)


def _version(connection: psycopg.Connection[Any], team: uuid.UUID) -> int:
    found = connection.execute("SELECT version FROM chat.team_version(%s)", (team,)).fetchone()
    assert found is not None
    return int(found[0])


def test_a_batch_is_stamped_row_by_row_and_moves_the_clock_once(world: World) -> None:
    team = world.a.team.id
    thread = world.a.threads[0]
    rows = [
        row("messages", team, thread=thread, depth=1, text=f"batch {n}", author=world.bob.name)
        for n in range(50)
    ]
    with connect(world.alice) as connection:
        before = _version(connection, team)
        put(connection, "messages", *rows)
        after = _version(connection, team)
        written = {r["id"]: r for r in pull(connection, "messages", team)}
    assert after == before + 1
    assert [(written[r["id"]]["author"], written[r["id"]]["server_version"]) for r in rows] == [
        (world.alice.name, after)
    ] * len(rows)


def test_a_batch_naming_a_row_twice_ends_as_its_rows_one_after_another(world: World) -> None:
    team = world.a.team.id
    now = int(time.time() * 1000)
    thread = row("threads", team, text="first", stamp=hlc(now))
    renamed = {**thread, "title": "second", "title_hlc": hlc(now, 1)}
    stale = {**thread, "title": "stale", "title_hlc": hlc(now - 1)}
    message = row("messages", team, thread=world.a.threads[0], text="first", stamp=hlc(now))
    edited = {**message, "content": "edited", "content_hlc": hlc(now, 1)}
    with connect(world.alice) as connection:
        put(connection, "threads", thread, renamed, stale)
        put(connection, "messages", message, edited, {**message, "content": "stale"})
        titles = [r["title"] for r in pull(connection, "threads", team) if r["id"] == thread["id"]]
        texts = [
            r["content"] for r in pull(connection, "messages", team) if r["id"] == message["id"]
        ]
    assert (titles, texts) == (["second"], ["edited"])


def test_a_batch_with_one_row_of_another_team_writes_nothing(world: World) -> None:
    before_b = world.snapshot_b()
    before_a = world.count_a()
    mine = row("messages", world.a.team.id, thread=world.a.threads[0], text="mine")
    theirs = row("messages", world.b.team.id, thread=world.b.threads[0], text="theirs")
    with connect(world.alice) as connection:
        for batch in ((mine, theirs), (theirs, mine)):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="not a member"):
                put(connection, "messages", *batch)
    assert (world.snapshot_b(), world.count_a()) == (before_b, before_a)


def test_a_batch_may_hold_rows_of_every_team_one_is_in(sync_db: SyncDatabase) -> None:
    red = sync_db.team("red", ["alice"])
    blue = sync_db.team("blue", ["alice"])
    alice = red.members["alice"]
    threads = [row("threads", team.id, text=team.name) for team in (red, blue)]
    with connect(alice) as connection:
        put(connection, "threads", *threads)
        titles = [[r["title"] for r in pull(connection, "threads", t.id)] for t in (red, blue)]
    assert titles == [["red title"], ["blue title"]]


def _candidates(valid: str) -> list[str]:
    """`valid` with one character replaced, dropped or added, around where its parts meet."""
    found = {valid, valid + "\n", valid.upper(), "", "zzzz"}
    for at in (0, 1, 12, 13, 14, 19, 20, 21, 22, 51, 52):
        for other in (".", "0", "a", "f", "g", "A", " ", "\n", "é", "٣"):
            found.add(valid[:at] + other + valid[at + 1 :])
            found.add(valid[:at] + other + valid[at:])
        found.add(valid[:at] + valid[at + 1 :])
    return sorted(found)


def test_an_hlcs_shape_is_checked_exactly_as_the_one_regular_expression_did(
    world: World,
) -> None:
    """The trigger tests an HLC with a LIKE and a cheaper expression since migration 0006: it
    must refuse exactly what `^[0-9]{13}\\.[0-9]{6}\\.[0-9a-f]{32}$` (and the day ahead)
    refused."""
    now = int(time.time() * 1000) - 3_600_000  # an hour back: one digit changed stays clear
    refused = []
    expected = []
    with connect(world.alice) as connection:
        for stamp in _candidates(hlc(now)):
            ok = stamp == "" or (bool(HLC.fullmatch(stamp)) and int(stamp[:13]) <= now + DAY_MS)
            values = row("messages", world.a.team.id, thread=world.a.threads[0])
            try:
                put(connection, "messages", {**values, "content_hlc": stamp})
            except psycopg.errors.InvalidParameterValue:
                refused.append(stamp)
            if not ok:
                expected.append(stamp)
    assert refused == expected
    assert 50 < len(refused) < len(_candidates(hlc(now)))
