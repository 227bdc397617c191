"""The record of a document cut to fit the model (parts of kind `cut`) shared through a real
PostgreSQL: a teammate of the same protocol reads it under the answer; a chatdesk of protocol
3 pulls the answer without it and, writing to the thread, leaves it on the server."""

from __future__ import annotations

from chatdesk.core.views import MessageView
from tests.core import attachment_files as files
from tests.sync.client import Client
from tests.sync.conftest import Team
from tests.sync.test_engine import share_with
from tests.sync.test_sources import _answer, _kinds

LINES = "\n".join(["figures and notes on the quarter, line by line"] * 30)


def _answer_with_a_cut(client: Client) -> MessageView:
    """`client` asks about a PDF longer than the model's context: an answer with a cut."""
    pages = [f"Page {n} lists item {n}:\n{LINES}" for n in range(1, 41)]
    report = client.run(client.service.attacher.attach_bytes("report.pdf", files.pdf(pages)))
    thread = client.run(client.service.create_thread(title="The report"))
    client.run(client.service.set_thread_context_window(thread.id, 4_000))
    turn = client.run(client.service.send(thread.id, "What does it cover?", attachments=[report]))
    answer = client.run(client.service.wait_for_answer(turn.answer.id))
    assert [cut.name for cut in answer.cuts] == ["report.pdf"]
    return answer


def test_a_teammate_reads_the_cut_under_the_answer(pair: tuple[Client, Client], team: Team) -> None:
    alice, bob = pair
    answer = _answer_with_a_cut(alice)
    share_with(team, answer.thread_id, alice, bob)

    seen = _answer(bob, answer)
    assert [cut.said() for cut in seen.cuts] == [cut.said() for cut in answer.cuts]


def test_a_protocol_3_chatdesk_leaves_the_cut_on_the_server(
    pair: tuple[Client, Client], team: Team
) -> None:
    alice, bob = pair
    answer = _answer_with_a_cut(alice)
    share_with(team, answer.thread_id, alice)
    bob.link.protocol = 3  # bob's chatdesk is the previous one

    assert bob.engine.round().state == "up to date"
    assert _answer(bob, answer).cuts == ()
    bob.say(answer.thread_id, "Thanks")
    bob.engine.round()
    alice.engine.round()
    assert "Thanks" in alice.texts(answer.thread_id)
    assert _answer(alice, answer).cuts == answer.cuts
    with team.members["bob"].connect() as connection:
        older, newer = _kinds(connection, team, answer.id), _kinds(connection, team, answer.id, 4)
    assert newer[0].count("cut") == 1
    assert older == [[kind for kind in newer[0] if kind != "cut"]]
