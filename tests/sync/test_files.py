"""Attachments' files in shared threads travel through the team server: stored once per team
and hash, checked against their hash both ways, within the team's quota (set with `chatdesk
server quota`), out of reach of anyone outside the team, asked about once rather than every
round, and purged with the last message that referred to them."""

from __future__ import annotations

import json
from datetime import timedelta

import psycopg
import pytest

from chatdesk.core.units import format_size
from tests.core import attachment_files as files
from tests.sync.client import Client
from tests.sync.conftest import SyncDatabase, Team
from tests.sync.test_engine import share_with


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


def test_files_the_server_holds_are_not_asked_about_again_each_round(
    pair: tuple[Client, Client], team: Team
) -> None:
    alice, bob = pair
    thread = alice.run(alice.service.create_thread(title="Photos"))
    _send_files(alice, thread.id)
    share_with(team, thread.id, alice, bob)
    assert len(alice.link.files_asked) == 3  # the photo, its thumbnail, the PDF: once
    assert len(bob.link.files_asked) == 3  # which of those the server holds, once
    alice.link.files_asked.clear()
    bob.link.files_asked.clear()

    alice.engine.round()
    bob.engine.round()
    assert (alice.link.files_asked, bob.link.files_asked) == ([], [])
    again = alice.run(alice.service.attacher.attach_bytes("notes.txt", b"new words here"))
    turn = alice.run(alice.service.send(thread.id, "And these", attachments=[again]))
    alice.run(alice.service.wait_for_answer(turn.answer.id))
    alice.engine.round()
    bob.engine.round()
    assert alice.link.files_asked == [again.sha256]
    assert bob.link.files_asked == [again.sha256]
    assert bob.service.attacher.blobs.read(again.sha256) == b"new words here"


def test_purging_a_deleted_thread_takes_the_files_no_other_message_uses(
    pair: tuple[Client, Client], team: Team, sync_db: SyncDatabase
) -> None:
    alice, bob = pair
    gone = alice.run(alice.service.create_thread(title="Gone"))
    photo, report = _send_files(alice, gone.id)
    kept = alice.run(alice.service.create_thread(title="Kept"))
    turn = alice.run(alice.service.send(kept.id, "The photo again", attachments=[photo]))  # type: ignore[list-item]
    alice.run(alice.service.wait_for_answer(turn.answer.id))
    share_with(team, gone.id, alice, bob)
    share_with(team, kept.id, alice, bob)
    alice.run(alice.service.delete_thread(gone.id))
    alice.engine.round()

    fresh = sync_db.admin.purge_tombstones(older_than=timedelta(0))
    assert [(r.threads, r.files) for r in fresh] == [(1, 0)]  # uploaded within the hour: kept
    with sync_db.connect_admin() as admin:
        admin.execute("UPDATE chat.files SET created_at = now() - interval '2 hours'")
    [purged] = sync_db.admin.purge_tombstones(older_than=timedelta(0))

    assert (purged.files, purged.file_bytes) == (1, report.size)  # type: ignore[attr-defined]
    with sync_db.connect_admin() as admin:
        left = {row[0] for row in admin.execute("SELECT sha256 FROM chat.files")}
    assert left == {photo.sha256, photo.thumb}  # type: ignore[attr-defined]


def test_the_cli_sets_a_teams_quota_and_the_status_shows_what_it_uses(
    pair: tuple[Client, Client],
    team: Team,
    sync_db: SyncDatabase,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from chatdesk.cli.main import main

    alice, bob = pair
    thread = alice.run(alice.service.create_thread(title="Photos"))
    _send_files(alice, thread.id)
    share_with(team, thread.id, alice, bob)
    with sync_db.connect_admin() as admin:
        used = admin.execute("SELECT sum(size) FROM chat.files").fetchone()[0]  # type: ignore[index]
    dsn = ("--dsn", sync_db.admin_dsn)

    assert main(["server", "quota", "red", "2.5 GB", *dsn]) == 0
    said = capsys.readouterr().out
    assert said.strip() == "team red may keep 2.5 GB of attachment files on the server"
    assert main(["server", "status", "--json", *dsn]) in (0, 1)
    [shown] = json.loads(capsys.readouterr().out)["teams"]
    assert (shown["files_bytes"], shown["files_quota_bytes"]) == (used, int(2.5 * 1024**3))
    assert main(["server", "status", *dsn]) in (0, 1)
    assert f"  files: {format_size(used)} of 2.5 GB" in capsys.readouterr().out

    assert main(["server", "quota", "red", "lots", *dsn]) == 2
    assert "'lots' is not a size" in capsys.readouterr().err
    assert main(["server", "quota", "red", "0", *dsn]) == 0  # no new files; those kept stay
    capsys.readouterr()
    again = alice.run(alice.service.attacher.attach_bytes("more.txt", b"more words"))
    turn = alice.run(alice.service.send(thread.id, "More", attachments=[again]))
    alice.run(alice.service.wait_for_answer(turn.answer.id))
    alice.engine.round()
    assert "over the team's quota" in alice.engine.status.detail
