"""Outages: work done while the team server is down reaches it exactly once when it returns, and
an acknowledgement lost after the server committed (the client then crashes) duplicates nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from chatdesk.core.store.models import Message
from chatdesk.core.sync.base import SyncUnavailable
from tests.sync.client import Client
from tests.sync.conftest import SyncDatabase, Team
from tests.sync.pg import PgServer
from tests.sync.test_convergence import outbox, quiet_settings

SENDS = 500  # each a question and the mock's answer: 1,000 messages


@pytest.fixture
def team(sync_db: SyncDatabase) -> Team:
    return sync_db.team("outage", ["alice", "bob"])


@pytest.fixture
def pair(tmp_path: Path, team: Team) -> Iterator[tuple[Client, Client]]:
    alice = Client(tmp_path / "alice", team.members["alice"], settings=quiet_settings())
    bob = Client(tmp_path / "bob", team.members["bob"], settings=quiet_settings())
    try:
        yield alice, bob
    finally:
        alice.close()
        bob.close()


def shared_thread(alice: Client, bob: Client, team: Team) -> uuid.UUID:
    thread = alice.run(alice.service.create_thread(title="Incident log"))
    alice.engine.round()
    alice.engine.share(thread.id, team.id)
    alice.engine.round()
    bob.engine.round()
    assert [t.id for t in bob.threads()] == [thread.id]
    return thread.id


def local_count(client: Client, thread_id: uuid.UUID) -> int:
    query = select(func.count()).select_from(Message).where(Message.thread_id == thread_id)
    return int(client.store.read_now(lambda s: s.scalar(query)))


def server_counts(db: SyncDatabase, thread_id: uuid.UUID) -> tuple[int, int, int]:
    """(rows, distinct ids, distinct question texts) of the thread on the server."""
    with db.connect_admin() as admin:
        row = admin.execute(
            "SELECT count(*), count(DISTINCT id), "
            "count(DISTINCT content) FILTER (WHERE role = 'user') "
            "FROM chat.messages WHERE thread_id = %s",
            (thread_id,),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def branch(client: Client, thread_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    page = client.run(client.service.list_messages(thread_id, limit=1_000))
    return [(m.id, m.content) for m in page.messages]


def drain(client: Client, rounds: int = 10) -> None:
    """Rounds until the outbox is empty and a round went through."""
    for _ in range(rounds):
        try:
            client.engine.round()
        except SyncUnavailable:
            continue
        if outbox(client)[0] == 0:
            return
    raise AssertionError(f"outbox not drained after {rounds} rounds: {outbox(client)}")


@pytest.mark.slow("1,000 messages written while PostgreSQL is down, then synced to a second client")
def test_a_thousand_messages_written_offline_arrive_exactly_once(
    pair: tuple[Client, Client], team: Team, sync_db: SyncDatabase, pg_server: PgServer
) -> None:
    alice, bob = pair
    thread_id = shared_thread(alice, bob, team)

    pg_server.stop()
    try:
        for n in range(SENDS):
            alice.say(thread_id, f"note {n:04d}")
        # every write is committed here, whatever the server's state
        assert local_count(alice, thread_id) == 2 * SENDS
        with pytest.raises(SyncUnavailable):
            alice.engine.round()
        status = alice.engine.status
        assert status.state == "offline", status
        assert status.pending >= 2 * SENDS  # every message waits (plus thread touches)
        assert outbox(alice)[1] == []
    finally:
        pg_server.start()

    drain(alice)
    total, distinct, questions = server_counts(sync_db, thread_id)
    assert (total, distinct, questions) == (2 * SENDS, 2 * SENDS, SENDS)
    assert alice.engine.status.state == "up to date"

    drain(bob)
    mine = branch(alice, thread_id)
    assert len(mine) == 2 * SENDS
    assert branch(bob, thread_id) == mine  # same messages, same order
    assert [text for _, text in mine[::2]] == [f"note {n:04d}" for n in range(SENDS)]


def test_a_lost_acknowledgement_then_a_crash_duplicates_nothing(
    pair: tuple[Client, Client], team: Team, sync_db: SyncDatabase
) -> None:
    alice, bob = pair
    thread_id = shared_thread(alice, bob, team)
    for n in range(20):
        alice.say(thread_id, f"before the crash {n}")

    alice.link.lose_next_ack = True
    with pytest.raises(SyncUnavailable):
        alice.engine.round()
    # the server committed the push, but alice never heard: her ops are still queued
    assert server_counts(sync_db, thread_id)[:2] == (40, 40)
    assert outbox(alice)[0] >= 40
    alice.crash()  # a new launch: new HLC node, the queued ops keep the old one

    alice.say(thread_id, "after the crash")
    drain(alice)
    assert server_counts(sync_db, thread_id) == (42, 42, 21)
    bob.engine.round()
    assert branch(bob, thread_id) == branch(alice, thread_id)
    assert len(branch(bob, thread_id)) == 42
