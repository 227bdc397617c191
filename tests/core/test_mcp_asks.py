"""A server's questions (elicitation), a call's progress and stopping, and a server's log
messages, against the test server (`tests/core/mcp_server.py` with `mcp_parts/asks.py`) run as
its own process over stdio and over Streamable HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from chatdesk.configuration import Configuration
from chatdesk.core.chat.call_progress import CallProgress
from chatdesk.core.chat.events import EventBus, ToolCallProgressed
from chatdesk.core.store import Store
from chatdesk.core.store.models import Status
from chatdesk.core.tools.mcp_asks import ServerAsks
from chatdesk.core.tools.model import CALLER, Caller, ToolInfo
from chatdesk.core.tools.questions import (
    CANCEL,
    DECLINE,
    Answer,
    Field,
    Kind,
    Question,
    Value,
    form_of,
    parsed,
    problems,
)
from chatdesk.core.tools.servers import ServerConfig
from chatdesk.core.tools.service import Tools
from tests.core.mcp_helpers import (
    answer_with_server,
    listening,
    over,
    service_with_tools,
    tools_with,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes
GOOD: dict[str, Value] = {
    "name": "Ada",
    "guests": 3,
    "budget": 12.5,
    "seat": "aisle",
    "vegetarian": True,
}


class Person:
    """Answers each question with the next of `answers` (a function of the question), and
    keeps what it was asked."""

    def __init__(self, *answers: Answer | Callable[[Question], Answer]) -> None:
        self.asked: list[Question] = []
        self._answers = list(answers)

    async def ask(self, question: Question) -> Answer:
        self.asked.append(question)
        answer = self._answers.pop(0)
        return answer(question) if callable(answer) else answer


@pytest.fixture(params=["stdio", "http"])
def server(request: pytest.FixtureRequest) -> Iterator[ServerConfig]:
    yield from over(request.param)


@pytest_asyncio.fixture
async def tools(
    config: Configuration, tmp_path: Path, server: ServerConfig
) -> AsyncIterator[Tools]:
    async for made in tools_with(config, tmp_path, server):
        yield made


CALL = Caller(uuid.uuid4(), uuid.uuid4(), "call-1")


async def _call(tools: Tools, name: str, caller: Caller | None = CALL, **arguments: object) -> str:
    token = CALLER.set(caller)
    try:
        outcome = await tools.source("test").call(name, dict(arguments))
    finally:
        CALLER.reset(token)
    assert not outcome.is_error, outcome.text
    return outcome.text


# -- questions -------------------------------------------------------------------------------


async def test_a_form_question_is_asked_of_the_person_and_their_answer_sent(tools: Tools) -> None:
    tools.asker = person = Person(Answer.accept(GOOD))
    said = await _call(tools, "ask_form")
    assert json.loads(said.removeprefix("accept ")) == GOOD | {"email": None}
    [question] = person.asked
    assert (question.server, question.message) == ("test", "Book a table: who is coming?")
    assert (question.thread_id, question.message_id, question.call_id) == (
        CALL.thread_id,
        CALL.message_id,
        "call-1",
    )
    fields = {f.name: f for f in question.fields}
    assert fields["name"].kind is Kind.TEXT
    assert fields["name"].required
    assert (fields["name"].label, fields["name"].minimum, fields["name"].maximum) == (
        "Your name",
        2,
        20,
    )
    assert fields["guests"].kind is Kind.WHOLE
    assert not fields["guests"].required
    assert (fields["guests"].default, fields["guests"].description) == (2, "How many people")
    assert fields["budget"].kind is Kind.NUMBER
    assert fields["seat"].kind is Kind.CHOICE
    assert fields["seat"].options == ("window", "aisle")
    assert fields["vegetarian"].kind is Kind.YES_NO
    assert question.url is None


@pytest.mark.parametrize("answer", [DECLINE, CANCEL])
async def test_a_question_declined_or_cancelled_is_said_so_to_the_server(
    tools: Tools, answer: Answer
) -> None:
    tools.asker = Person(answer)
    assert await _call(tools, "ask_form") == answer.action.value


async def test_a_wrong_answer_goes_back_to_the_person_with_the_reason_and_is_never_sent(
    tools: Tools,
) -> None:
    wrong: dict[str, Value] = GOOD | {"name": "A", "guests": 40, "seat": "roof"}
    tools.asker = person = Person(Answer.accept(wrong), Answer.accept(GOOD))
    said = await _call(tools, "ask_form")
    assert json.loads(said.removeprefix("accept "))["name"] == "Ada"  # only the right one went
    first, second = person.asked
    assert not first.refused
    assert "name: at least 2 characters" in second.refused
    assert "guests: at most 8" in second.refused
    assert "seat: pick one of the choices" in second.refused


async def test_with_no_one_to_ask_a_question_is_declined_and_logged(
    tools: Tools, caplog: pytest.LogCaptureFixture
) -> None:
    assert tools.asker is None  # the CLI without a terminal, the API without a window
    assert await _call(tools, "ask_form") == "decline"
    assert "declined: no one is there to ask" in caplog.text


async def test_a_url_question_gives_the_address_and_asks_nothing_else(tools: Tools) -> None:
    tools.asker = person = Person(Answer.accept())
    url = "https://pay.example.com/checkout?order=7"
    assert await _call(tools, "ask_url", url=url) == "accept"
    [question] = person.asked
    assert (question.url, question.host, question.fields) == (url, "pay.example.com", ())
    assert question.message == "Finish paying on the shop's page."


async def test_a_question_outside_any_call_is_declined() -> None:
    from mcp_types import ElicitRequestFormParams

    person = Person(Answer.accept({"x": "y"}))
    asks = ServerAsks("test", lambda: person)
    schema = {"type": "object", "properties": {"x": {"type": "string"}}}
    result = await asks.elicit(None, ElicitRequestFormParams(message="hi", requested_schema=schema))  # type: ignore[arg-type]
    assert result.action == "decline"
    assert person.asked == []


async def test_a_question_during_a_whole_answer_names_that_answer_and_call(
    store: Store, config: Configuration, tmp_path: Path
) -> None:
    service = service_with_tools(store, config, tmp_path)
    service.tools.asker = person = Person(Answer.accept(GOOD))
    thread, answer = await answer_with_server(service, "use the ask_form tool")
    assert answer.status is Status.COMPLETE
    [question] = person.asked
    assert (question.thread_id, question.message_id) == (thread.id, answer.id)
    assert question.call_id == answer.tool_calls[0].call_id
    assert "Ada" in (answer.tool_calls[0].result or "")


# -- progress, stopping, logs ----------------------------------------------------------------


async def test_a_calls_progress_reaches_its_caller(tools: Tools) -> None:
    moved: list[tuple[float, float | None, str | None]] = []
    caller = dataclasses.replace(CALL, progressed=lambda *said: moved.append(said))
    assert await _call(tools, "count", caller, steps=5) == "counted 5"
    assert moved == [(n, 5, f"step {n} of 5") for n in range(1, 6)]


async def test_stopping_a_call_cancels_it_on_the_server(tools: Tools) -> None:
    started = asyncio.Event()
    loop = asyncio.get_running_loop()

    def moved(*_: object) -> None:
        loop.call_soon_threadsafe(started.set)

    caller = dataclasses.replace(CALL, progressed=moved)
    async with listening() as (port, said):
        call = asyncio.create_task(
            _call(tools, "count", caller, steps=10_000, every=0.05, tell=port)
        )
        await started.wait()
        call.cancel()  # as Stop does to the answer's task
        with pytest.raises(asyncio.CancelledError):
            await call
        assert await said.get() == b"cancelled"
    assert await _call(tools, "count", steps=1) == "counted 1"  # the session goes on


async def test_a_call_past_its_time_is_cancelled_on_the_server(tools: Tools) -> None:
    assert await _call(tools, "count", steps=1) == "counted 1"  # started: the time is the call's
    info = ToolInfo("test", "count", "", {})
    async with listening() as (port, said):
        outcome = await tools.box.run(
            info, {"steps": 10_000, "every": 0.05, "tell": port}, seconds=1.0, max_chars=1000
        )
        assert outcome.is_error
        assert "did not answer within 1 seconds" in outcome.text
        assert await said.get() == b"cancelled"


async def test_a_servers_log_messages_go_to_its_log_file_a_line_each(tools: Tools) -> None:
    assert await _call(tools, "chatter", text="hello there") == "hello there"
    path = tools.source("test").log_path
    assert path is not None
    lines = path.read_text().splitlines()
    assert any(line.endswith("[info] chatter: hello there") for line in lines)
    assert any(line.endswith('[warning] chatter.deep: {"said": "hello there"}') for line in lines)
    assert any(line.endswith("[error] -: line one line two") for line in lines)


async def test_progress_from_another_thread_is_coalesced_and_the_last_kept() -> None:
    bus = EventBus()
    heard: list[ToolCallProgressed] = []
    last = asyncio.Event()

    def hear(event: object) -> None:
        assert isinstance(event, ToolCallProgressed)
        heard.append(event)
        if event.progress == 1000:
            last.set()

    bus.subscribe(hear)
    progress = CallProgress(bus, uuid.uuid4(), uuid.uuid4(), "c")
    done = asyncio.Event()
    loop = asyncio.get_running_loop()

    def report() -> None:
        for n in range(1, 1001):
            progress(n, 1000, f"{n}")
        loop.call_soon_threadsafe(done.set)

    threading.Thread(target=report).start()
    await done.wait()
    await last.wait()
    assert len(heard) < 50
    assert (heard[-1].total, heard[-1].message, heard[-1].call_id) == (1000, "1000", "c")


# -- the form's rules ------------------------------------------------------------------------


async def test_a_form_that_is_not_flat_values_is_not_asked() -> None:
    nested = {"type": "object", "properties": {"a": {"type": "object", "properties": {}}}}
    assert isinstance(form_of(nested), str)
    assert isinstance(form_of({"type": "array"}), str)
    titled = {
        "type": "object",
        "properties": {"c": {"type": "string", "oneOf": [{"const": "r", "title": "Red"}]}},
    }
    fields = form_of(titled)
    assert not isinstance(fields, str)
    assert (fields[0].kind, fields[0].options, fields[0].option_titles) == (
        Kind.CHOICE,
        ("r",),
        ("Red",),
    )


async def test_values_are_checked_against_the_form() -> None:
    fields = (
        Field("mail", Kind.TEXT, format="email", required=True),
        Field("n", Kind.WHOLE, minimum=1),
        Field("ok", Kind.YES_NO),
    )
    assert problems(fields, {"mail": "a@b.org", "n": 2, "ok": False}) == {}
    found = problems(fields, {"mail": "nope", "n": 1.5, "ok": "yes", "extra": 1})
    assert set(found) == {"mail", "n", "ok", "extra"}
    assert problems(fields, {})["mail"] == "an answer is required"
    assert parsed(fields[1], "3") == 3
    assert parsed(fields[1], "x") is None
    assert parsed(fields[2], "y") is True


async def test_a_url_questions_host_is_found_behind_a_user_part() -> None:
    question = Question("s", "m", url="https://chatdesk.example@evil.example:8443/x")
    assert question.host == "evil.example"


async def test_an_older_servers_question_comes_on_its_own_and_finds_the_call_that_runs(
    tools: Tools, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the 2026-07-28 protocol a question is a request of its own, outside the call."""
    import functools

    import mcp

    monkeypatch.setattr(mcp, "Client", functools.partial(mcp.Client, mode="legacy"))
    tools.asker = person = Person(Answer.accept(GOOD))
    assert (await _call(tools, "ask_form")).startswith("accept ")
    assert person.asked[0].call_id == "call-1"
    moved: list[object] = []
    caller = dataclasses.replace(CALL, progressed=lambda *said: moved.append(said))
    assert await _call(tools, "count", caller, steps=2) == "counted 2"
    assert len(moved) == 2
