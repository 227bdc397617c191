"""An answer's sources (parts of kind `source`, decision 0028) shared through a real PostgreSQL:
protocol 4 carries them, a chatdesk of protocol 3 pulls the answer without them and, changing
it, leaves them on the server (migration 0007), and a part of a kind this chatdesk does not
know is left out rather than stopping its sync, and kept on the server when it writes."""

from __future__ import annotations

import logging
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest

from chatdesk.core.config import MockSettings, Settings
from chatdesk.core.kinds import Status
from chatdesk.core.knowledge.model import Stage
from chatdesk.core.tools.model import WEB
from chatdesk.core.views import MessageView
from tests.core.test_knowledge import write_notes
from tests.core.web.conftest import web_settings
from tests.core.web.pages import article
from tests.core.web.web_server import FakeWeb, searxng_answer
from tests.sync.client import Client
from tests.sync.conftest import SyncDatabase, Team
from tests.sync.test_engine import share_with
from tests.sync.world import FAR, ZERO, batch, hlc

QUESTION = "What is the tyre pressure of the car?"
PULL = "SELECT id, parts FROM chat.pull_messages(%s, 0, %s, -1, %s, '-', 10000{})"


def _answer_with_sources(client: Client, folder: Path) -> MessageView:
    """`client` indexes a small knowledge base and asks from it: an answer with sources."""
    base = client.run(client.service.knowledge.create("Home"))
    client.run(client.service.knowledge.add(base.id, write_notes(folder)))
    assert client.run(client.service.knowledge.index(base.id)).stage is Stage.DONE
    turn = client.run(client.service.send_new(QUESTION, knowledge=[base.id]))
    answer = client.run(client.service.wait_for_answer(turn.answer.id))
    assert answer.sources
    return answer


def _answer(client: Client, answer: MessageView) -> MessageView:
    page = client.run(client.service.list_messages(answer.thread_id, limit=10))
    [found] = [m for m in page.messages if m.id == answer.id]
    return found


def _kinds(connection: psycopg.Connection[Any], team: Team, answer: uuid.UUID, *speaks: int) -> Any:
    """The kinds of the answer's parts as the server's pull gives them to a caller that says
    `speaks` (or, with none, to a chatdesk of protocol 2 or 3, which says nothing)."""
    query = PULL.format(", %s" if speaks else "")
    rows = connection.execute(query.encode(), (team.id, FAR, ZERO, *speaks)).fetchall()
    return [[part["kind"] for part in parts] for id, parts in rows if id == answer]


def test_sources_reach_a_teammate_as_they_were_cited(
    pair: tuple[Client, Client], team: Team, tmp_path: Path
) -> None:
    alice, bob = pair
    answer = _answer_with_sources(alice, tmp_path / "notes")
    share_with(team, answer.thread_id, alice, bob)

    seen = _answer(bob, answer)
    assert seen.content == answer.content
    assert [(s.number, s.path, s.location, s.text) for s in seen.sources] == [
        (s.number, s.path, s.location, s.text) for s in answer.sources
    ]


def test_the_pages_an_answer_read_reach_a_teammate_with_their_addresses(
    team: Team, tmp_path: Path
) -> None:
    web = FakeWeb().start()
    urls = [web.page(f"/news/{n}", article()) for n in (1, 2)]
    web.json("/searx/search", searxng_answer([(f"Story {n}", u, "") for n, u in enumerate(urls)]))
    engine = web_settings(web, engine="searxng", searxng_url=f"{web.origin}/searx")
    settings = Settings(mock=MockSettings(tokens_per_second=0), web=engine)
    alice = Client(tmp_path / "alice", team.members["alice"], settings=settings)
    bob = Client(tmp_path / "bob", team.members["bob"])
    try:
        turn = alice.run(alice.service.send_new("footbridge", tools=[WEB]))
        answer = alice.run(alice.service.wait_for_answer(turn.answer.id))
        assert sorted(s.url for s in answer.sources) == urls
        share_with(team, answer.thread_id, alice, bob)

        seen = _answer(bob, answer)
        assert [(s.number, s.url, s.title, s.read_at, s.location) for s in seen.sources] == [
            (s.number, s.url, s.title, s.read_at, "Lenne Courier") for s in answer.sources
        ]
        assert seen.sources == answer.sources  # the text that was read too
    finally:
        alice.close()
        bob.close()
        web.close()


def test_a_protocol_3_chatdesk_pulls_the_answer_without_its_sources(
    pair: tuple[Client, Client],
    team: Team,
    sync_db: SyncDatabase,
    tmp_path: Path,
) -> None:
    alice, bob = pair
    answer = _answer_with_sources(alice, tmp_path / "notes")
    share_with(team, answer.thread_id, alice)
    bob.link.protocol = 3  # bob's chatdesk is the previous one

    assert bob.engine.round().state == "up to date"
    seen = _answer(bob, answer)
    assert (seen.content, seen.sources) == (answer.content, ())
    bob.say(answer.thread_id, "Thanks")  # bob's node claims protocol 3 as it pushes
    bob.engine.round()
    alice.engine.round()
    assert "Thanks" in alice.texts(answer.thread_id)
    assert _answer(alice, answer).sources == answer.sources  # the server kept them
    with sync_db.connect_admin() as connection:
        claimed = connection.execute(
            "SELECT protocol FROM chat.sync_clients WHERE member = %s", (bob.member.name,)
        ).fetchall()
    with team.members["bob"].connect() as connection:
        # What chatdesks of protocol 2 and 3 send (seven arguments), and what 4 sends.
        older, newer = _kinds(connection, team, answer.id), _kinds(connection, team, answer.id, 4)
    assert newer[0].count("source") == len(answer.sources)
    assert older == [[kind for kind in newer[0] if kind != "source"]]
    assert claimed == [(3,)]


def test_a_protocol_3_chatdesk_continuing_an_answer_leaves_its_sources_on_the_server(
    team: Team, tmp_path: Path
) -> None:
    cut = Settings(mock=MockSettings(tokens_per_second=0, fault="cut_after:5"))
    alice = Client(tmp_path / "alice", team.members["alice"], settings=cut)
    bob = Client(tmp_path / "bob", team.members["bob"])
    try:
        answer = _answer_with_sources(alice, tmp_path / "notes")  # cut short after 5 tokens
        assert answer.status is not Status.COMPLETE
        share_with(team, answer.thread_id, alice)
        bob.link.protocol = 3  # bob's chatdesk is the previous one
        assert bob.engine.round().state == "up to date"
        assert _answer(bob, answer).sources == ()
        turn = bob.run(bob.service.continue_answer(answer.id))  # bob's mock is not cut
        continued = bob.run(bob.service.wait_for_answer(turn.answer.id))
        assert continued.status is Status.COMPLETE
        bob.engine.round()  # the whole answer, with the parts bob has: none

        alice.engine.round()
        seen = _answer(alice, answer)
        assert seen.content == continued.content  # bob's continuation arrived
        assert seen.sources == answer.sources  # and the sources bob could not read stayed
        with team.members["alice"].connect() as connection:
            [kinds] = _kinds(connection, team, answer.id, 4)
        assert kinds.count("source") == len(answer.sources)
    finally:
        alice.close()
        bob.close()


def test_a_part_of_a_kind_unknown_here_is_left_out_and_logged(
    pair: tuple[Client, Client], team: Team, caplog: pytest.LogCaptureFixture
) -> None:
    alice, bob = pair
    thread = alice.run(alice.service.create_thread(title="From the future"))
    alice.say(thread.id, "Show me")
    share_with(team, thread.id, alice)
    with team.members["alice"].connect() as connection:  # as a newer chatdesk writes it
        [answer] = [r for r in _rows(connection, team) if r["role"] == "assistant"]
        answer["parts"] = [
            *answer["parts"],
            _part(answer, 8, "reasoning", "Thought it over"),
            _part(answer, 9, "hologram", "3D"),
        ]
        answer["content_hlc"] = hlc(int(time.time() * 1000) + 1000, node=uuid.uuid4().hex)
        answer["status"] = "interrupted"
        connection.execute("SELECT chat.put_messages(%s)", (batch(answer),))

    with caplog.at_level(logging.INFO, logger="chatdesk.sync"):
        assert bob.engine.round().state == "up to date"
    assert bob.texts(thread.id) == alice.texts(thread.id)
    page = bob.run(bob.service.list_messages(thread.id, limit=10))
    assert page.messages[-1].reasoning == "Thought it over"  # the kinds it knows are kept
    assert "left out a part of kind 'hologram'" in caplog.text
    assert str(answer["id"]) in caplog.text

    turn = bob.run(bob.service.continue_answer(page.messages[-1].id))  # it was cut short
    assert bob.run(bob.service.wait_for_answer(turn.answer.id)).status is Status.COMPLETE
    bob.engine.round()  # the answer, with the parts bob has: its reasoning
    with team.members["alice"].connect() as connection:
        [kept] = [r["parts"] for r in _rows(connection, team) if r["id"] == answer["id"]]
    assert "hologram" in [part["kind"] for part in kept]  # bob could not read it: it stays


def _part(message: dict[str, Any], position: int, kind: str, text: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "message_id": str(message["id"]),
        "position": position,
        "kind": kind,
        "text": text,
        "attachment_id": None,
        "data": None,
    }


def _rows(connection: psycopg.Connection[Any], team: Team) -> list[dict[str, Any]]:
    found = connection.execute(
        "SELECT * FROM chat.pull_messages(%s, 0, %s, -1, %s, '-', 10000, 4)", (team.id, FAR, ZERO)
    )
    names = [column.name for column in found.description or ()]
    rows = [dict(zip(names, r, strict=True)) for r in found.fetchall()]
    for r in rows:
        for name in ("author", "server_version"):
            r.pop(name)
    return rows
