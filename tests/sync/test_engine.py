"""Two chatdesk clients sharing threads through a real PostgreSQL, step by step."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from chatdesk.core.chat.events import SyncEditLost
from chatdesk.core.sync.base import SyncRefused
from chatdesk.core.tools.model import Policy
from tests.sync.client import Client
from tests.sync.conftest import SyncDatabase, Team
from tests.sync.pg import PgServer


def share_with(team: Team, thread_id: uuid.UUID, sharer: Client, *others: Client) -> None:
    """`sharer` learns its teams, shares the thread and sends it; `others` receive it."""
    sharer.engine.round()
    sharer.engine.share(thread_id, team.id)
    sharer.engine.round()
    for other in others:
        other.engine.round()


def test_a_shared_thread_reaches_a_teammate_with_its_history(
    pair: tuple[Client, Client], team: Team
) -> None:
    alice, bob = pair
    thread = alice.run(alice.service.create_thread(title="Launch plan"))
    alice.say(thread.id, "What do we ship first?")
    share_with(team, thread.id, alice, bob)

    [seen] = bob.threads()
    assert seen.title == "Launch plan"
    assert seen.team_id == team.id
    assert bob.texts(seen.id) == alice.texts(thread.id)
    assert len(bob.texts(seen.id)) == 2  # the question and the mock's answer


def test_the_assistant_an_answer_came_from_reaches_a_teammate(
    pair: tuple[Client, Client], team: Team
) -> None:
    alice, bob = pair
    tutor = alice.run(alice.service.assistants.find("Tutor"))
    turn = alice.run(alice.service.send_new("Teach me limits", assistant_id=tutor.id))
    alice.run(alice.service.wait_for_answer(turn.answer.id))
    share_with(team, turn.answer.thread_id, alice, bob)

    page = bob.run(bob.service.list_messages(turn.answer.thread_id, limit=10))
    assert [(m.role.value, m.agent) for m in page.messages] == [
        ("user", None),
        ("assistant", "Tutor"),
    ]


def test_replies_renames_and_deletes_flow_both_ways(
    pair: tuple[Client, Client], team: Team
) -> None:
    alice, bob = pair
    thread = alice.run(alice.service.create_thread(title="Budget"))
    alice.say(thread.id, "first")
    share_with(team, thread.id, alice, bob)

    bob.say(thread.id, "bob's reply")
    bob.run(bob.service.rename_thread(thread.id, "Budget 2027"))
    bob.engine.round()
    alice.engine.round()
    assert alice.texts(thread.id) == bob.texts(thread.id)
    assert "bob's reply" in alice.texts(thread.id)
    assert alice.run(alice.service.get_thread(thread.id)).title == "Budget 2027"

    alice.run(alice.service.delete_thread(thread.id))
    alice.engine.round()
    bob.engine.round()
    assert bob.threads() == []
    bob.run(bob.service.restore_thread(thread.id))
    bob.engine.round()
    alice.engine.round()
    assert [t.id for t in alice.threads()] == [thread.id]


def test_a_concurrent_rename_that_loses_is_noted_and_kept(
    pair: tuple[Client, Client], team: Team, sync_db: SyncDatabase
) -> None:
    alice, bob = pair
    thread = alice.run(alice.service.create_thread(title="Draft"))
    share_with(team, thread.id, alice, bob)

    alice.run(alice.service.rename_thread(thread.id, "Alice's name"))
    bob.run(bob.service.rename_thread(thread.id, "Bob's name"))  # later: wins
    bob.engine.round()
    alice.engine.round()

    assert alice.run(alice.service.get_thread(thread.id)).title == "Bob's name"
    [lost] = [e for e in alice.events if isinstance(e, SyncEditLost)]
    assert (lost.note.lost_value, lost.note.kept_value) == ("Alice's name", "Bob's name")
    assert lost.note.kept_by == team.members["bob"].name
    with sync_db.connect_admin() as admin:
        kept = admin.execute(
            "SELECT value->>'title' FROM chat.revisions WHERE entity_id = %s AND field = 'title'",
            (thread.id,),
        ).fetchall()
    assert {row[0] for row in kept} >= {"Alice's name", "Bob's name"}


def test_deleting_a_message_with_replies_removes_the_branch_everywhere(
    pair: tuple[Client, Client], team: Team
) -> None:
    alice, bob = pair
    thread = alice.run(alice.service.create_thread(title="Branches"))
    alice.say(thread.id, "keep me")
    alice.say(thread.id, "delete from here")
    alice.say(thread.id, "and this reply")
    share_with(team, thread.id, alice, bob)
    assert len(bob.texts(thread.id)) == 6

    page = alice.run(alice.service.list_messages(thread.id, limit=100))
    doomed = next(m for m in page.messages if m.content == "delete from here")
    alice.run(alice.service.delete_message(doomed.id))  # the question, its answer, what follows
    alice.engine.round()
    bob.engine.round()  # the tombstones arrive parents first; the children go with them

    assert bob.texts(thread.id) == alice.texts(thread.id)
    assert "delete from here" not in bob.texts(thread.id)
    assert len(bob.texts(thread.id)) == 2
    bob.say(thread.id, "bob goes on")
    bob.engine.round()
    alice.engine.round()
    assert alice.texts(thread.id) == bob.texts(thread.id)


def test_the_first_round_after_a_server_restart_goes_through(
    pair: tuple[Client, Client], team: Team, pg_server: PgServer
) -> None:
    alice, bob = pair
    thread = alice.run(alice.service.create_thread(title="Restarts"))
    alice.engine.round()
    alice.engine.share(thread.id, team.id)
    alice.engine.round()  # the connection stays open across the restart
    pg_server.restart()
    alice.say(thread.id, "after the restart")
    assert alice.engine.round().state == "up to date"
    bob.engine.round()
    assert "after the restart" in bob.texts(thread.id)


def test_a_client_behind_a_purge_resyncs_and_drops_what_the_server_purged(
    pair: tuple[Client, Client], team: Team, sync_db: SyncDatabase
) -> None:
    alice, bob = pair
    gone = alice.run(alice.service.create_thread(title="Old plans"))
    kept = alice.run(alice.service.create_thread(title="Current plans"))
    alice.say(gone.id, "obsolete")
    alice.say(kept.id, "still true")
    alice.say(kept.id, "a wrong turn")
    alice.engine.round()
    alice.engine.share(gone.id, team.id)
    alice.engine.share(kept.id, team.id)
    alice.engine.round()
    bob.engine.round()
    assert {t.title for t in bob.threads()} == {"Old plans", "Current plans"}
    assert len(bob.texts(kept.id)) == 4

    alice.run(alice.service.delete_thread(gone.id))
    page = alice.run(alice.service.list_messages(kept.id, limit=100))
    wrong = next(m for m in page.messages if m.content == "a wrong turn")
    alice.run(alice.service.delete_message(wrong.id))
    alice.engine.round()
    bob.run(bob.service.rename_thread(kept.id, "Current plans (bob)"))  # waits in bob's outbox
    [report] = sync_db.admin.purge_tombstones(below_version=10**9, team=str(team.id))
    assert (report.threads, report.messages) == (1, 4)  # the thread's 2, the wrong turn's 2

    bob.engine.round()  # his cursor is below what the server still keeps: a full resync

    assert [t.title for t in bob.threads()] == ["Current plans (bob)"]
    assert bob.texts(kept.id) == alice.texts(kept.id)
    assert "a wrong turn" not in bob.texts(kept.id)
    assert bob.engine.outbox() == (0, 0)
    alice.engine.round()
    assert alice.run(alice.service.get_thread(kept.id)).title == "Current plans (bob)"


def test_a_member_removed_from_the_team_loses_its_threads_here_and_keeps_personal_ones(
    pair: tuple[Client, Client], team: Team, sync_db: SyncDatabase
) -> None:
    alice, bob = pair
    shared = alice.run(alice.service.create_thread(title="Team roadmap"))
    alice.engine.round()
    alice.engine.share(shared.id, team.id)
    alice.engine.round()
    personal = bob.run(bob.service.create_thread(title="Bob's own notes"))
    bob.engine.round()
    bob.run(bob.service.rename_thread(shared.id, "Roadmap (bob)"))  # queued, never sent
    sync_db.admin.add_team("elsewhere")
    sync_db.admin.add_member("elsewhere", team.members["bob"].name)  # so he can still log in

    sync_db.admin.remove_member(str(team.id), team.members["bob"].name)
    bob.engine.round()

    assert [t.id for t in bob.threads()] == [personal.id]
    assert [t.name for t in bob.engine.teams()] == ["elsewhere"]
    [(_, _, why)] = bob.engine.rejected()  # the rename that could not reach the team, kept
    assert "no longer a member" in why
    alice.engine.round()
    assert alice.run(alice.service.get_thread(shared.id)).title == "Team roadmap"


def test_summaries_travel_with_the_thread_and_so_do_their_edits_and_deletes(
    pair: tuple[Client, Client], team: Team
) -> None:
    alice, bob = pair
    thread = alice.run(alice.service.create_thread(title="Long one"))
    for n in range(3):
        alice.say(thread.id, f"point {n}")
    summary = alice.run(alice.service.summarize_now(thread.id))
    assert summary is not None
    share_with(team, thread.id, alice, bob)
    [seen] = bob.run(bob.service.list_summaries(thread.id))
    assert (seen.id, seen.content) == (summary.id, summary.content)
    assert seen.in_use  # bob's next message starts from the same summary

    bob.run(bob.service.edit_summary(summary.id, "Three points, kept short."))
    bob.engine.round()
    alice.engine.round()
    [edited] = alice.run(alice.service.list_summaries(thread.id))
    assert edited.content == "Three points, kept short."

    alice.run(alice.service.delete_summary(summary.id))
    alice.engine.round()
    bob.engine.round()
    assert bob.run(bob.service.list_summaries(thread.id)) == []


def test_stopping_sharing_keeps_the_thread_here_and_deletes_it_for_the_team(
    pair: tuple[Client, Client], team: Team
) -> None:
    alice, bob = pair
    thread = alice.run(alice.service.create_thread(title="Was shared"))
    alice.say(thread.id, "shared words")
    share_with(team, thread.id, alice, bob)
    assert [t.id for t in bob.threads()] == [thread.id]

    alice.engine.unshare(thread.id)
    alice.say(thread.id, "private from now on")
    alice.engine.round()
    bob.engine.round()

    [mine] = alice.threads()
    assert mine.team_id is None
    assert "private from now on" in alice.texts(thread.id)
    assert bob.threads() == []  # in bob's trash, restorable while the server keeps it
    bob.run(bob.service.restore_thread(thread.id))
    bob.engine.round()
    assert "private from now on" not in bob.texts(thread.id)
    alice.engine.round()
    assert alice.threads()[0].team_id is None  # the team's copy does not take it back


def test_a_summary_made_in_a_thread_already_shared_reaches_the_team(
    pair: tuple[Client, Client], team: Team
) -> None:
    alice, bob = pair
    thread = alice.run(alice.service.create_thread(title="Shared first"))
    alice.engine.round()
    alice.engine.share(thread.id, team.id)
    for n in range(3):
        alice.say(thread.id, f"point {n}")
    alice.engine.round()
    bob.engine.round()

    summary = bob.run(bob.service.summarize_now(thread.id))  # made after sharing, by a teammate
    assert summary is not None
    assert bob.engine.outbox() == (1, 0)
    bob.engine.round()
    alice.engine.round()
    [seen] = alice.run(alice.service.list_summaries(thread.id))
    assert (seen.id, seen.content) == (summary.id, summary.content)


def test_a_member_taken_out_and_back_gets_its_own_messages_back(
    pair: tuple[Client, Client], team: Team, sync_db: SyncDatabase
) -> None:
    alice, bob = pair
    thread = alice.run(alice.service.create_thread(title="Mine too"))
    alice.engine.round()
    alice.engine.share(thread.id, team.id)
    alice.say(thread.id, "written by alice in this launch")
    alice.engine.round()

    sync_db.admin.remove_member(str(team.id), team.members["alice"].name)
    with pytest.raises(SyncRefused):  # her last team: shut out, the team's threads leave
        alice.engine.round()
    assert alice.threads() == []
    sync_db.admin.add_member(str(team.id), team.members["alice"].name)
    alice.engine.round()  # from scratch: her own messages too, though this launch wrote them

    assert "written by alice in this launch" in alice.texts(thread.id)
    bob.engine.round()
    assert alice.texts(thread.id) == bob.texts(thread.id)


def test_a_copy_no_longer_shared_takes_no_deletes_from_the_team(
    pair: tuple[Client, Client], team: Team
) -> None:
    alice, bob = pair
    thread = alice.run(alice.service.create_thread(title="Going private"))
    alice.say(thread.id, "keep this here")
    alice.say(thread.id, "and this")
    summary = alice.run(alice.service.summarize_now(thread.id))
    assert summary is not None
    share_with(team, thread.id, alice, bob)
    alice.engine.unshare(thread.id)
    alice.engine.round()
    mine = alice.texts(thread.id)

    bob.run(bob.service.restore_thread(thread.id))
    bob.run(bob.service.edit_summary(summary.id, "Bob's words"))
    page = bob.run(bob.service.list_messages(thread.id, limit=100))
    bob.run(bob.service.delete_message(page.messages[0].id))  # the team's copy: all of it
    bob.engine.round()
    alice.engine.round()

    assert alice.texts(thread.id) == mine
    [kept] = alice.run(alice.service.list_summaries(thread.id))
    assert kept.content == summary.content


def test_a_login_the_server_no_longer_lets_in_is_told_so_and_leaves_every_team(
    tmp_path: Path, sync_db: SyncDatabase
) -> None:
    solo = sync_db.team("solo", ["carol"])
    carol = Client(tmp_path / "carol", solo.members["carol"])
    try:
        shared = carol.run(carol.service.create_thread(title="Ours"))
        carol.engine.round()
        carol.engine.share(shared.id, solo.id)
        carol.engine.round()
        personal = carol.run(carol.service.create_thread(title="Mine"))
        carol.run(carol.service.rename_thread(shared.id, "Ours, renamed"))  # never sent
        sync_db.admin.remove_member("solo", solo.members["carol"].name)  # her last team

        with pytest.raises(SyncRefused, match="no longer lets this login in"):
            carol.engine.round()
        assert carol.engine.status.state == "error"  # said, not retried as "offline"
        assert "ask the team's administrator" in carol.engine.status.detail.lower()
        assert [t.id for t in carol.threads()] == [personal.id]
        assert carol.engine.teams() == []
        [(_, _, why)] = carol.engine.rejected()  # the rename that could not reach the team
        assert "no longer a member" in why

        sync_db.admin.add_member("solo", solo.members["carol"].name)
        assert carol.engine.round().state == "up to date"
        assert {t.title for t in carol.threads()} == {"Ours", "Mine"}
    finally:
        carol.close()


def test_a_pull_of_a_team_left_a_moment_ago_is_quietly_empty(
    pair: tuple[Client, Client], team: Team, sync_db: SyncDatabase
) -> None:
    alice, bob = pair
    thread = alice.run(alice.service.create_thread(title="Soon gone"))
    share_with(team, thread.id, alice, bob)
    sync_db.admin.add_team("elsewhere")
    sync_db.admin.add_member("elsewhere", team.members["bob"].name)  # so he stays logged in
    remote = bob.engine.remote()
    sync_db.admin.remove_member(str(team.id), team.members["bob"].name)

    bob.engine.pull_team(remote, team.id)  # between reading the teams and pulling: nothing

    assert [t.id for t in bob.threads()] == [thread.id]  # gone at the next round, not now
    assert bob.engine.round().state == "up to date"
    assert bob.threads() == []


def test_running_workers_deliver_a_message_without_anyone_asking(
    pair: tuple[Client, Client], team: Team
) -> None:
    """Both workers run with an hour-long poll: only the local change waking A and the
    server's notification waking B can bring the message over."""
    import threading

    from chatdesk.core.chat.events import Event, MessageAdded

    alice, bob = pair
    thread = alice.run(alice.service.create_thread(title="Live"))
    share_with(team, thread.id, alice, bob)
    arrived = threading.Event()

    def heard(event: Event) -> None:
        bob.events.append(event)
        if isinstance(event, MessageAdded) and event.message.content == "live words":
            arrived.set()

    bob.engine._publish = heard
    for client in (alice, bob):
        client.engine._poll = 3600.0
        client.engine.start()
    bob.engine.wait_for_round(10)  # listening from here on

    alice.say(thread.id, "live words")

    assert arrived.wait(10), "the message did not arrive"
    assert "live words" in bob.texts(thread.id)


def test_a_change_pushed_while_a_worker_begins_to_listen_still_arrives(
    pair: tuple[Client, Client], team: Team
) -> None:
    """A's message reaches the server after B's first round has read it and before B listens
    for notifications, so no notification reaches B: with an hour-long poll, only B reading
    the server once more when it starts listening brings the message now."""
    import threading

    from chatdesk.core.chat.events import Event, MessageAdded

    alice, bob = pair
    thread = alice.run(alice.service.create_thread(title="Gap"))
    share_with(team, thread.id, alice, bob)
    arrived = threading.Event()

    def heard(event: Event) -> None:
        bob.events.append(event)
        if isinstance(event, MessageAdded) and event.message.content == "in the gap":
            arrived.set()

    def meanwhile() -> None:  # on B's worker, between its round and its LISTEN
        alice.say(thread.id, "in the gap")
        alice.engine.round()

    bob.engine._publish = heard
    bob.link.before_listen = meanwhile
    bob.engine._poll = 3600.0
    bob.engine.start()

    assert arrived.wait(10), "the message waits for the next poll"
    assert "in the gap" in bob.texts(thread.id)


@pytest.mark.slow("two hundred round trips between two workers and a real PostgreSQL, in turn")
def test_every_message_of_a_long_exchange_arrives_without_waiting_for_the_poll(
    pair: tuple[Client, Client], team: Team
) -> None:
    """Two hundred messages, each sent as soon as the one before arrived, both workers running
    with an hour-long poll: a wake-up lost anywhere (the bell, a notification, the moment a
    worker starts listening) shows as one message never arriving in the half-minute given,
    a hundredth of the poll. How fast they arrive is the benchmark `sync`'s to say."""
    import threading

    from chatdesk.core.chat.events import Event, MessageAdded

    alice, bob = pair
    thread = alice.run(alice.service.create_thread(title="Many"))
    share_with(team, thread.id, alice, bob)
    arrived: set[str] = set()
    changed = threading.Condition()

    def heard(event: Event) -> None:
        bob.events.append(event)
        if isinstance(event, MessageAdded):
            with changed:
                arrived.add(event.message.content)
                changed.notify_all()

    bob.engine._publish = heard
    for client in (alice, bob):
        client.engine._poll = 3600.0
        client.engine.start()
    bob.engine.wait_for_round(10)  # the moment between its first round and its LISTEN

    for number in range(200):
        text = f"message {number}"
        alice.say(thread.id, text)
        with changed:
            assert changed.wait_for(lambda: text in arrived, 30), f"{text} never arrived"  # noqa: B023


def test_a_worker_stopped_inside_a_slow_round_never_runs_beside_its_successor(
    pair: tuple[Client, Client], sync_db: SyncDatabase
) -> None:
    """The server holds the first worker's round (a lock) longer than `stop` waits: after a
    reconfigure and a start, the old worker ends with that round and never runs another, the
    new one takes over, and only one worker thread is left."""
    import threading

    import psycopg

    from chatdesk.core.sync.base import Team as ListedTeam
    from chatdesk.core.sync.remote import Remote

    alice, _ = pair
    alice.engine.round()  # knows its team
    engine = alice.engine
    engine.stop_timeout = 0.2
    before = {t for t in threading.enumerate() if t.name == "chatdesk-sync"}
    asking = threading.Event()  # the worker is asking the server for its teams

    class Asking(Remote):
        def teams(self) -> list[ListedTeam]:
            asking.set()
            return super().teams()

    def connect() -> Remote:
        return Asking(alice.link.connect().connection)

    engine.reconfigure(connect, 3600.0)  # no worker runs yet: none starts
    with psycopg.connect(sync_db.admin_dsn) as admin:
        admin.execute("LOCK TABLE chat.teams IN ACCESS EXCLUSIVE MODE")  # held until rollback
        engine.start()
        assert asking.wait(10), "the worker did not start a round"
        [old] = {t for t in threading.enumerate() if t.name == "chatdesk-sync"} - before
        engine.reconfigure(alice.link.connect, 3600.0)  # stop gives up after 0.2 s
        assert old.is_alive()  # still inside its round, held by the server
        admin.rollback()
    old.join(10)
    assert not old.is_alive(), "the stopped worker ran on after its round"
    assert engine.wait_for_round(10).state == "up to date"  # the new worker works
    running = {t for t in threading.enumerate() if t.name == "chatdesk-sync"} - before
    assert len(running) == 1
    assert old not in running


def test_an_answers_tool_calls_travel_with_it_and_run_nowhere_else(
    pair: tuple[Client, Client], team: Team
) -> None:
    alice, bob = pair
    alice.service.tools.policies.set("chatdesk", Policy.ALLOW)
    thread = alice.run(alice.service.create_thread(title="Search"))
    alice.run(alice.service.set_thread_tools(thread.id, ["chatdesk"]))
    alice.say(thread.id, "use the search_chats tool with query=launch")
    share_with(team, thread.id, alice, bob)

    [seen] = bob.threads()
    mine = alice.run(alice.service.list_messages(thread.id)).messages[-1]
    theirs = bob.run(bob.service.list_messages(seen.id)).messages[-1]
    assert [c.label for c in mine.tool_calls] == ["chatdesk › search_chats"]
    assert theirs.tool_calls == mine.tool_calls  # the call and its result, as shown here
    assert bob.run(bob.service.thread_tools(seen.id)) == []  # switched on nowhere else
