"""A member of two teams taken out of one and added back, against a real PostgreSQL: what it
deleted or changed while out never reached the team, and once back it holds every message the
team's server has."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from chatdesk.core.sync.base import SyncRefused
from tests.sync.client import Client
from tests.sync.conftest import SyncDatabase, Team
from tests.sync.test_engine import share_with


@pytest.fixture
def both(sync_db: SyncDatabase, team: Team) -> Team:
    """A second team alice and bob are in too, so that out of the first they still log in."""
    return sync_db.team("blue", ["alice", "bob"])


def _thread_with_a_reply(alice: Client, bob: Client, team: Team) -> uuid.UUID:
    thread = alice.run(alice.service.create_thread(title="Plans"))
    alice.say(thread.id, "first question")
    share_with(team, thread.id, alice, bob)
    return thread.id


def _last(client: Client, thread_id: uuid.UUID) -> uuid.UUID:
    page = client.run(client.service.list_messages(thread_id, limit=100))
    return page.messages[-1].id


@pytest.mark.usefixtures("both")
def test_a_delete_made_while_out_of_the_team_does_not_hide_the_message_once_back(
    pair: tuple[Client, Client], team: Team, sync_db: SyncDatabase
) -> None:
    alice, bob = pair
    thread_id = _thread_with_a_reply(alice, bob, team)
    expected = alice.texts(thread_id)
    sync_db.admin.remove_member(str(team.id), bob.member.name)
    bob.run(bob.service.delete_message(_last(bob, thread_id)))  # never reaches the team

    bob.engine.round()  # still in blue: red leaves this machine, the delete is refused
    assert bob.threads() == []
    [(_, _, why)] = bob.engine.rejected()
    assert "no longer a member" in why
    sync_db.admin.add_member(str(team.id), bob.member.name)
    bob.engine.round()

    assert bob.texts(thread_id) == expected  # the answer the server still has is back


@pytest.mark.usefixtures("both")
def test_a_push_refused_as_the_member_was_taken_out_leaves_the_team_at_once(
    pair: tuple[Client, Client], team: Team, sync_db: SyncDatabase
) -> None:
    alice, bob = pair
    thread_id = _thread_with_a_reply(alice, bob, team)
    expected = alice.texts(thread_id)
    remote = bob.engine.remote()  # the teams are read: then he is taken out, then he pushes
    sync_db.admin.remove_member(str(team.id), bob.member.name)
    bob.run(bob.service.delete_message(_last(bob, thread_id)))
    bob.say(thread_id, "written while out")

    while bob.engine.push_once(remote):
        pass
    assert bob.threads() == []  # refused: the team left this machine with what it refused
    assert [t.name for t in bob.engine.teams()] == ["blue"]
    assert len(bob.engine.rejected()) == 3  # the delete, the question and its answer
    sync_db.admin.add_member(str(team.id), bob.member.name)
    bob.engine.round()

    assert bob.texts(thread_id) == expected  # from scratch: the server's thread, whole
    alice.engine.round()
    assert alice.texts(thread_id) == expected


def test_a_member_out_of_every_team_gets_back_what_it_deleted_while_out(
    tmp_path: Path, sync_db: SyncDatabase
) -> None:
    solo = sync_db.team("solo", ["carol"])
    carol = Client(tmp_path / "carol", solo.members["carol"])
    try:
        thread = carol.run(carol.service.create_thread(title="Ours"))
        carol.say(thread.id, "kept on the server")
        share_with(solo, thread.id, carol)
        expected = carol.texts(thread.id)
        sync_db.admin.remove_member("solo", carol.member.name)  # her last team
        carol.run(carol.service.delete_message(_last(carol, thread.id)))

        with pytest.raises(SyncRefused, match="no longer lets this login in"):
            carol.engine.round()
        sync_db.admin.add_member("solo", carol.member.name)
        carol.engine.round()

        assert carol.texts(thread.id) == expected
    finally:
        carol.close()
