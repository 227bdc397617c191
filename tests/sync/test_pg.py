"""The throwaway server's fault controls behave as the sync tests rely on."""

from __future__ import annotations

import psycopg
import pytest

from chatdesk.core.sync.server.connection import connect
from chatdesk.core.sync.server.errors import ServerUnreachable
from tests.sync.conftest import SyncDatabase
from tests.sync.world import pull, put, row


def test_an_immediate_restart_keeps_what_was_committed_and_cuts_connections(
    sync_db: SyncDatabase,
) -> None:
    red = sync_db.team("red", ["alice"])
    alice = red.members["alice"]
    values = row("threads", red.id)
    with alice.connect() as before:
        put(before, "threads", values)
        sync_db.server.restart()
        with pytest.raises(psycopg.OperationalError):
            before.execute("SELECT 1")
    with alice.connect() as after:
        found = [r["id"] for r in pull(after, "threads", red.id)]
    assert found == [values["id"]]


def test_a_stopped_server_is_unreachable_until_started(sync_db: SyncDatabase) -> None:
    member = sync_db.team("red", ["alice"]).members["alice"]
    sync_db.server.stop()
    assert not sync_db.server.is_running()
    with pytest.raises(ServerUnreachable):
        connect(member.dsn)
    sync_db.server.start()
    with connect(member.dsn) as connection:
        assert connection.execute("SELECT chat.current_member()").fetchone() == (member.name,)
