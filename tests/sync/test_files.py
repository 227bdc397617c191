"""Attachments' files in shared threads travel through the team server: stored once per team
and hash, checked against their hash both ways, within the team's quota, and out of reach of
anyone outside the team."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.core import attachment_files as files
from tests.sync.client import Client
from tests.sync.conftest import SyncDatabase, Team
from tests.sync.test_engine import share_with


@pytest.fixture
def team(sync_db: SyncDatabase) -> Team:
    return sync_db.team("red", ["alice", "bob"])


@pytest.fixture
def pair(tmp_path: Path, team: Team) -> Iterator[tuple[Client, Client]]:
    alice = Client(tmp_path / "alice", team.members["alice"])
    bob = Client(tmp_path / "bob", team.members["bob"])
    try:
        yield alice, bob
    finally:
        alice.close()
        bob.close()


def _send_files(client: Client, thread_id: object) -> list[object]:
    service = client.service
    photo = client.run(service.attacher.attach_bytes("harbour.jpg", files.photo(800, 600)))
    report = client.run(service.attacher.attach_bytes("report.pdf", files.pdf(["Q3 words"])))
    turn = client.run(service.send(thread_id, "Look", attachments=[photo, report]))  # type: ignore[arg-type]
    client.run(service.wait_for_answer(turn.answer.id))
    return [photo, report]


def test_a_shared_threads_files_reach_a_teammate(
    pair: tuple[Client, Client], team: Team, sync_db: SyncDatabase
) -> None:
    alice, bob = pair
    thread = alice.run(alice.service.create_thread(title="Photos"))
    photo, report = _send_files(alice, thread.id)
    share_with(team, thread.id, alice, bob)

    assert bob.run(bob.service.attachments.check()) == ([], [])
    blobs = bob.service.attacher.blobs
    assert blobs.read(report.sha256) == alice.service.attacher.blobs.read(report.sha256)  # type: ignore[attr-defined]
    assert blobs.has(photo.thumb)  # type: ignore[attr-defined]
    with sync_db.connect_admin() as admin:
        stored = admin.execute("SELECT count(*) FROM chat.files WHERE team_id = %s", (team.id,))
        assert stored.fetchone() == (3,)  # the photo, its thumbnail and the PDF, once each


def test_over_the_teams_quota_the_messages_go_and_the_status_says_so(
    pair: tuple[Client, Client], team: Team, sync_db: SyncDatabase
) -> None:
    alice, bob = pair
    with sync_db.connect_admin() as admin:
        admin.execute("UPDATE chat.teams SET files_quota_bytes = 1000 WHERE id = %s", (team.id,))
    thread = alice.run(alice.service.create_thread(title="Too big"))
    _send_files(alice, thread.id)
    share_with(team, thread.id, alice, bob)
    assert "over the team's quota" in alice.engine.status.detail
    missing, damaged = bob.run(bob.service.attachments.check())
    assert (len(missing), damaged) == (3, [])
    assert bob.texts(thread.id) == alice.texts(thread.id)  # the messages came all the same


def test_no_one_outside_the_team_reaches_its_files(
    pair: tuple[Client, Client], team: Team, sync_db: SyncDatabase
) -> None:
    alice, _ = pair
    thread = alice.run(alice.service.create_thread(title="Private"))
    _, report = _send_files(alice, thread.id)
    share_with(team, thread.id, alice)
    other = sync_db.team("blue", ["carol"]).members["carol"]
    sha256 = report.sha256  # type: ignore[attr-defined]
    with other.connect() as carol:
        for call, args in (
            ("SELECT chat.get_file(%s, %s)", (team.id, sha256)),
            ("SELECT chat.files_missing(%s, %s)", (team.id, [sha256])),
            ("SELECT chat.put_file(%s, %s, %s)", (team.id, "0" * 64, b"x")),
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                carol.execute(call, args)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            carol.execute("SELECT data FROM chat.files")
    bob = team.members["bob"].connect()
    with bob, pytest.raises(psycopg.errors.InvalidParameterValue, match="does not hash"):
        bob.execute("SELECT chat.put_file(%s, %s, %s)", (team.id, sha256, b"not it"))
