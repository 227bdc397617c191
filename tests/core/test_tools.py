"""Tool-calling answers over a real SQLite file: the mock provider and a real OpenAI-compatible
HTTP server on 127.0.0.1 ask for tools; chatdesk decides, runs, stores and sends the results
back. Every call and result is a message part committed when it happens."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from chatdesk.configuration import Configuration
from chatdesk.core.assembly import assemble
from chatdesk.core.attach.worker import Reader
from chatdesk.core.chat import repository as repo
from chatdesk.core.chat.events import ToolCallChanged
from chatdesk.core.config import ToolsSettings
from chatdesk.core.errors import ChatdeskError, NotFound
from chatdesk.core.kinds import CallState, ChatErrorKind
from chatdesk.core.paths import Paths
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store, open_store
from chatdesk.core.store.models import PartKind, Status
from chatdesk.core.tools.approval import ApprovalRequest, Choice, Policies
from chatdesk.core.tools.builtin import SEARCH_CHATS
from chatdesk.core.tools.model import Policy, ToolInfo, ToolOutcome
from chatdesk.core.tools.service import TOOLS_FILE
from chatdesk.core.tools.tools_file import read_tools_file
from chatdesk.core.transfer import ExportFormat, Transfer
from chatdesk.core.views import MessageView
from tests.conftest import ServiceFactory
from tests.core.sse_server import FakeOpenAI, Reply, _envelope, chunk, text_reply, usage_chunk

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes
MODEL = "tool-model"
LABEL = "chatdesk › search_chats"


async def _answer(service: ChatService, thread_id: Any, text: str) -> MessageView:
    turn = await service.send(thread_id, text)
    return await service.wait_for_answer(turn.answer.id)


async def _parts(store: Store, answer: MessageView) -> list[tuple[PartKind, str | None, Any]]:
    return await store.read(lambda s: repo.tool_parts(s, answer.id))


async def _calls(store: Store, answer: MessageView) -> list[dict[str, Any]]:
    return [data for kind, _, data in await _parts(store, answer) if kind is PartKind.TOOL_CALL]


async def _results(store: Store, answer: MessageView) -> list[tuple[str | None, Any]]:
    parts = await _parts(store, answer)
    return [(text, data) for kind, text, data in parts if kind is PartKind.TOOL_RESULT]


async def _chat_with_tools(service: ChatService, **thread: str) -> Any:
    created = await service.create_thread(**thread)
    await service.set_thread_tools(created.id, ["chatdesk"])
    return created.id


class _Approver:
    """Answers every request with `choice`, and keeps what it was asked."""

    def __init__(self, choice: Choice | None = None) -> None:
        self.choice = choice
        self.asked: list[ApprovalRequest] = []
        self.waiting = asyncio.Event()
        self.cancelled = False

    async def decide(self, requests: Sequence[ApprovalRequest]) -> Sequence[Choice]:
        self.asked.extend(requests)
        if self.choice is None:  # wait for ever, like a person who never clicks
            self.waiting.set()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.cancelled = True
                raise
        return [self.choice or Choice.DENY] * len(requests)


# -- the mock provider and chatdesk's own search_chats ------------------------------------------


async def test_an_allowed_search_runs_and_the_answer_quotes_it(
    service: ChatService, store: Store
) -> None:
    earlier = await service.send_new("Explain how a hash table works")
    await service.wait_for_answer(earlier.answer.id)
    thread_id = await _chat_with_tools(service)
    service.tools.policies.set("chatdesk", Policy.ALLOW)

    answer = await _answer(service, thread_id, "Please use the search_chats tool with query=hash")

    assert answer.status is Status.COMPLETE
    [call] = await _calls(store, answer)
    assert (call["server"], call["tool"], call["approval"], call["state"]) == (
        "chatdesk",
        "search_chats",
        "allowed",
        CallState.DONE.value,
    )
    assert json.loads(call["arguments"]) == {"query": "hash"}
    [(result, data)] = await _results(store, answer)
    found = json.loads(result or "")
    assert str(earlier.answer.thread_id) in {m["thread_id"] for m in found["messages"]}
    assert data["is_error"] is False
    assert "search_chats" in answer.content
    assert "hash" in answer.content.lower()
    row = await store.read(lambda s: repo.message_row(s, answer.id))
    assert row.tool_counts == {LABEL: 1}
    assert row.tool_time_ms is not None
    thread = await store.read(lambda s: repo.thread_row(s, thread_id))
    assert thread.tool_counts == {LABEL: 1}
    # The window's page and the answer as stored carry the call, its state and its result.
    page = await service.list_messages(thread_id)
    [shown] = page.messages[-1].tool_calls
    assert (shown.label, shown.state, shown.result) == (LABEL, "done", result)
    assert (await service.get_message(answer.id)).tool_calls == (shown,)
    assert answer.tool_calls == (shown,)  # as the answer ended


async def test_a_chat_without_tools_switched_on_offers_none(
    service: ChatService, store: Store
) -> None:
    thread = await service.create_thread()
    answer = await _answer(service, thread.id, "use the search_chats tool with query=hash")
    assert answer.status is Status.COMPLETE
    assert await _parts(store, answer) == []


async def test_with_no_one_to_ask_a_call_that_needs_asking_never_runs(
    service: ChatService, store: Store
) -> None:
    thread_id = await _chat_with_tools(service)  # the policy is "ask" by default
    answer = await _answer(service, thread_id, "use the search_chats tool with query=hash")
    assert answer.status is Status.COMPLETE
    [call] = await _calls(store, answer)
    assert (call["approval"], call["state"]) == ("refused", CallState.NOT_RUN.value)
    [(result, data)] = await _results(store, answer)
    assert "no one to ask" in (result or "")
    assert data["is_error"] is True
    assert "no one to ask" in answer.content  # the model was told, and said so


async def test_a_denied_call_is_not_run_and_the_model_is_told(
    service: ChatService, store: Store
) -> None:
    approver = _Approver(Choice.DENY)
    service.tools.approver = approver
    thread_id = await _chat_with_tools(service)
    answer = await _answer(service, thread_id, "use the search_chats tool with query=hash")
    [asked] = approver.asked
    assert (asked.tool.label, json.loads(asked.arguments)) == (LABEL, {"query": "hash"})
    [call] = await _calls(store, answer)
    assert (call["approval"], call["state"]) == ("denied", CallState.NOT_RUN.value)
    assert "denied" in answer.content


async def test_always_allow_is_saved_and_later_calls_are_not_asked(
    store: Store, config: Configuration
) -> None:
    service = assemble(
        store, _providers(config), config.settings, tools_dir=config.paths.config_dir
    )
    try:
        approver = _Approver(Choice.ALWAYS)
        service.tools.approver = approver
        thread_id = await _chat_with_tools(service)
        first = await _answer(service, thread_id, "use the search_chats tool with query=one")
        second = await _answer(service, thread_id, "use the search_chats tool with query=two")
    finally:
        await service.aclose()
    assert len(approver.asked) == 1
    assert [c["approval"] for c in await _calls(store, first)] == ["always"]
    assert [c["approval"] for c in await _calls(store, second)] == ["allowed"]
    saved = read_tools_file(config.paths.config_dir / TOOLS_FILE)
    assert saved.policies == {f"{SEARCH_CHATS.server}/{SEARCH_CHATS.name}": Policy.ALLOW}
    assert (config.paths.config_dir / TOOLS_FILE).stat().st_mode & 0o077 == 0


async def test_stopping_while_a_call_waits_for_approval_keeps_it_not_finished(
    service: ChatService, store: Store
) -> None:
    approver = _Approver(None)
    service.tools.approver = approver
    thread_id = await _chat_with_tools(service)
    turn = await service.send(thread_id, "use the search_chats tool with query=hash")
    await approver.waiting.wait()
    [waiting] = await _calls(store, turn.answer)
    assert waiting["state"] == CallState.WAITING.value  # committed before anyone decided
    stopped = await service.stop(turn.answer.id)
    assert stopped.status is Status.INTERRUPTED
    assert approver.cancelled
    [call] = await _calls(store, stopped)
    assert call["state"] == CallState.NOT_FINISHED.value
    assert await _results(store, stopped) == []


async def test_a_restart_marks_a_call_left_running_not_finished(
    service: ChatService, store: Store
) -> None:
    """What a chatdesk killed mid-call leaves: a streaming answer whose call is "running".
    The next start marks both, and runs nothing."""
    thread = await service.create_thread()
    turn = await service.send(thread.id, "hello")
    await service.wait_for_answer(turn.answer.id)
    data = {"call_id": "c1", "server": "chatdesk", "tool": "search_chats", "state": "running"}

    def crashed(session: Any) -> None:
        repo.add_parts(session, turn.answer.id, [(PartKind.TOOL_CALL, None, data)])
        row = repo.message_row(session, turn.answer.id)
        row.status, row.stream_owner = Status.STREAMING, "a-chatdesk-that-died"

    await store.write(crashed)
    assert await service.recover_interrupted() == 1
    [call] = await _calls(store, turn.answer)
    assert call["state"] == CallState.NOT_FINISHED.value
    assert await _results(store, turn.answer) == []


async def test_an_unknown_server_cannot_be_switched_on(service: ChatService) -> None:
    thread = await service.create_thread()
    with pytest.raises(Exception, match="no tool server named nope"):
        await service.set_thread_tools(thread.id, ["nope"])
    assert await service.thread_tools(thread.id) == []


# -- a real OpenAI-compatible server asking for tools --------------------------------------------


def _providers(config: Configuration, **more: Any) -> Any:
    from chatdesk.core.providers.base import Providers
    from chatdesk.core.providers.mock import MockProvider

    return Providers({"mock": MockProvider(config.settings.mock), **more})


def _call_chunks(*calls: tuple[str, str, str], pieces: int = 4) -> list[str]:
    """Chunks that stream `calls` (id, name, arguments) interleaved, their arguments split in
    `pieces`, as OpenAI does for parallel calls."""
    events = []
    for index, (call_id, name, _) in enumerate(calls):
        head = {"index": index, "id": call_id, "type": "function", "function": {"name": name}}
        events.append(_delta(tool_calls=[head]))
    for piece in range(pieces):
        for index, (_, _, arguments) in enumerate(calls):
            size = -(-len(arguments) // pieces)
            part = arguments[piece * size : (piece + 1) * size]
            if part:
                events.append(
                    _delta(tool_calls=[{"index": index, "function": {"arguments": part}}])
                )
    events += [chunk(finish="tool_calls"), usage_chunk(20, 10)]
    return events


def _delta(**delta: Any) -> str:
    choice = {"index": 0, "delta": {"role": "assistant", **delta}, "finish_reason": None}
    return json.dumps(_envelope(choices=[choice]))


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI((MODEL,)).start()
    yield fake
    fake.close()


@pytest_asyncio.fixture
async def openai(server: FakeOpenAI) -> AsyncIterator[OpenAICompatibleProvider]:
    profile = ProviderProfile("openai", server.url, default_model=MODEL, context_window=32_000)
    provider = OpenAICompatibleProvider(profile)
    yield provider
    await provider.aclose()


async def test_parallel_calls_streamed_in_pieces_run_and_go_back_in_order(
    make_service: ServiceFactory,
    store: Store,
    server: FakeOpenAI,
    openai: OpenAICompatibleProvider,
) -> None:
    service = make_service(openai=openai)
    service.tools.policies.set("chatdesk", Policy.ALLOW)
    thread_id = await _chat_with_tools(service, provider="openai", model=MODEL)
    first = ("call_a", "search_chats", json.dumps({"query": "alpha", "limit": 3}))
    second = ("call_b", "search_chats", json.dumps({"query": "beta"}))
    server.queue(
        Reply(events=[chunk("Let me look. "), *_call_chunks(first, second)]),
        text_reply("Found ", "nothing."),
    )
    answer = await _answer(service, thread_id, "What did I say about alpha and beta?")

    assert answer.status is Status.COMPLETE
    assert answer.content == "Let me look. Found nothing."
    asked, again = server.requests[-2].body, server.requests[-1].body
    assert [t["function"]["name"] for t in asked["tools"]] == ["search_chats", "read_attachment"]
    sent = again["messages"][-3:]
    assert sent[0]["role"] == "assistant"
    assert sent[0]["content"] == "Let me look. "
    assert [(c["id"], c["function"]["arguments"]) for c in sent[0]["tool_calls"]] == [
        (first[0], first[2]),
        (second[0], second[2]),
    ]
    assert [(m["role"], m["tool_call_id"]) for m in sent[1:]] == [
        ("tool", "call_a"),
        ("tool", "call_b"),
    ]
    assert json.loads(sent[1]["content"])["query"] == "alpha"
    calls = await _calls(store, answer)
    assert [(c["call_id"], c["state"], c["offset"]) for c in calls] == [
        ("call_a", "done", 13),
        ("call_b", "done", 13),
    ]
    assert answer.usage.prompt_tokens == 27  # both rounds: 20 + the text reply's 7


async def test_an_export_shows_a_call_where_the_model_made_it_between_its_words(
    make_service: ServiceFactory,
    store: Store,
    reader: Reader,
    server: FakeOpenAI,
    openai: OpenAICompatibleProvider,
    tmp_path: Path,
) -> None:
    service = make_service(openai=openai)
    service.tools.policies.set("chatdesk", Policy.ALLOW)
    thread_id = await _chat_with_tools(service, provider="openai", model=MODEL)
    asked = ("call_a", "search_chats", json.dumps({"query": "alpha"}))
    server.queue(
        Reply(events=[chunk("Let me look first."), *_call_chunks(asked)]),
        text_reply("Found ", "nothing after looking."),
    )
    await _answer(service, thread_id, "What did I say about alpha?")
    transfer = Transfer(store, reader)
    for kind, name in ((ExportFormat.MARKDOWN, "t.md"), (ExportFormat.HTML, "t.html")):
        await transfer.export_thread(thread_id, kind, tmp_path / name)
        written = (tmp_path / name).read_text()
        before, card, after = (
            written.index("Let me look first."),
            written.index("<summary>Tool: chatdesk › search_chats"),
            written.index("nothing after looking."),
        )
        assert before < card < after, name


async def test_malformed_arguments_and_unknown_tools_are_told_not_run(
    make_service: ServiceFactory, store: Store, server: FakeOpenAI, openai: OpenAICompatibleProvider
) -> None:
    service = make_service(openai=openai)
    service.tools.policies.set("chatdesk", Policy.ALLOW)
    thread_id = await _chat_with_tools(service, provider="openai", model=MODEL)
    server.queue(
        Reply(
            events=_call_chunks(
                ("c1", "search_chats", '{"query": "unterminated'),
                ("c2", "delete_everything", "{}"),
            )
        ),
        text_reply("Sorry."),
    )
    answer = await _answer(service, thread_id, "go")
    assert answer.status is Status.COMPLETE
    calls = await _calls(store, answer)
    assert [c["state"] for c in calls] == ["not_run", "not_run"]
    assert calls[1]["approval"] == "unknown"
    told = [m["content"] for m in server.requests[-1].body["messages"] if m["role"] == "tool"]
    assert "not valid JSON" in told[0]
    assert "no tool named 'delete_everything'" in told[1]
    assert "search_chats" in told[1]


async def _limited(
    make_service: ServiceFactory,
    openai: OpenAICompatibleProvider,
    config: Configuration,
    rounds: int,
) -> tuple[ChatService, Any]:
    """A service whose answers may make `rounds` rounds of calls, and a chat on the OpenAI
    server with search_chats switched on and allowed."""
    settings = dataclasses.replace(config.settings, tools=ToolsSettings(max_rounds=rounds))
    service = make_service(settings, openai=openai)
    service.tools.policies.set("chatdesk", Policy.ALLOW)
    return service, await _chat_with_tools(service, provider="openai", model=MODEL)


async def _past_the_limit(
    service: ChatService, server: FakeOpenAI, thread_id: Any, calls: int
) -> MessageView:
    """An answer whose model asks for a search `calls` times in a row, one more than its
    limit: it ends interrupted at the limit."""
    for number in range(calls):
        server.queue(Reply(events=_call_chunks((f"c{number}", "search_chats", '{"query":"x"}'))))
    answer = await _answer(service, thread_id, "look again and again")
    assert (answer.status, answer.error_type) == (Status.INTERRUPTED, "tool_rounds")
    return answer


async def test_a_model_that_never_stops_calling_is_stopped_at_the_round_limit(
    make_service: ServiceFactory,
    store: Store,
    server: FakeOpenAI,
    openai: OpenAICompatibleProvider,
    config: Configuration,
) -> None:
    service, thread_id = await _limited(make_service, openai, config, rounds=2)
    answer = await _past_the_limit(service, server, thread_id, calls=3)
    assert "2 rounds" in (answer.error_detail or "")
    calls = await _calls(store, answer)
    assert [c["state"] for c in calls] == ["done", "done", "not_run"]
    assert len(server.requests) == 3


class _SlowTools:
    """A tool source whose one tool takes `seconds`, or returns `size` characters."""

    server = "slow"

    def __init__(self, seconds: float = 0.0, size: int = 10) -> None:
        self.seconds, self.size = seconds, size

    async def tools(self) -> list[ToolInfo]:
        return [ToolInfo("slow", "work", "Works.", {"type": "object", "properties": {}})]

    def known_tools(self) -> list[ToolInfo]:
        return [ToolInfo("slow", "work", "Works.", {"type": "object", "properties": {}})]

    async def call(self, name: str, arguments: dict[str, Any]) -> ToolOutcome:
        await asyncio.sleep(self.seconds)
        return ToolOutcome("y" * self.size, size=self.size)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (_SlowTools(seconds=30), "did not answer within 1 seconds"),
        (_SlowTools(size=5_000), "3,000 more characters cut by chatdesk"),
    ],
)
async def test_a_call_is_bounded_in_time_and_size(
    make_service: ServiceFactory,
    store: Store,
    config: Configuration,
    source: _SlowTools,
    expected: str,
) -> None:
    tools = ToolsSettings(call_timeout=1.0, max_result_chars=2_000)
    service = make_service(dataclasses.replace(config.settings, tools=tools))
    service.tools.box.add(source)
    service.tools.policies.set("slow", Policy.ALLOW)
    thread = await service.create_thread()
    await service.set_thread_tools(thread.id, ["slow"])
    answer = await _answer(service, thread.id, "use the work tool")
    [(result, data)] = await _results(store, answer)
    assert expected in (result or "")
    assert data["truncated"] is (source.size > 2_000)


async def test_a_damaged_tools_file_leaves_every_tool_asking(tmp_path: Path) -> None:
    path = tmp_path / TOOLS_FILE
    path.write_text("{not json")
    tool = ToolInfo("chatdesk", "search_chats", "", {}, read_only=True)
    read = read_tools_file(path)
    assert read.problems
    assert (read.servers, read.policies) == ((), None)
    assert Policies(read.policies).policy_for(tool) is Policy.ASK
    assert Policies(read.policies).policy_for(tool, read_only=Policy.ALLOW) is Policy.ALLOW


class _WordyTools(_SlowTools):
    """A tool whose description alone is bigger than the mock model's context window."""

    server = "wordy"

    async def tools(self) -> list[ToolInfo]:
        return self.known_tools()

    def known_tools(self) -> list[ToolInfo]:
        schema = {"type": "object", "properties": {}}
        return [ToolInfo("wordy", "explain", "word " * 12_000, schema)]


async def test_the_tools_offered_take_their_room_in_the_context(
    service: ChatService, store: Store
) -> None:
    thread = await service.create_thread()
    plain = await _answer(service, thread.id, "hello")
    assert plain.status is Status.COMPLETE  # the same message fits without the tools
    service.tools.box.add(_WordyTools())
    await service.set_thread_tools(thread.id, ["wordy"])
    answer = await _answer(service, thread.id, "hello")
    assert answer.status is Status.ERROR
    assert answer.error_type == ChatErrorKind.MESSAGE_TOO_LONG  # refused here, not sent too long
    gauge = await service.context_usage(thread.id)
    assert gauge.used_tokens > gauge.budget_tokens  # the gauge counts them too


async def test_tool_calls_are_exported_and_come_back_without_running(
    service: ChatService, store: Store, tmp_path: Path, config: Configuration, reader: Reader
) -> None:
    service.tools.policies.set("chatdesk", Policy.ALLOW)
    project = await service.create_project("Research", tools=["chatdesk"])
    thread_id = (await service.create_thread(project_id=project.id)).id
    answer = await _answer(service, thread_id, "use the search_chats tool with query=export")
    transfer = Transfer(store, reader)
    await transfer.export_thread(thread_id, ExportFormat.MARKDOWN, tmp_path / "t.md")
    markdown = (tmp_path / "t.md").read_text()
    assert "<details><summary>Tool: chatdesk › search_chats — Done" in markdown
    assert '"query": "export"' in markdown
    await transfer.export_thread(thread_id, ExportFormat.HTML, tmp_path / "t.html")
    html = (tmp_path / "t.html").read_text()
    assert "<summary>Tool: chatdesk › search_chats — Done" in html
    assert "&quot;query&quot;" not in html  # the arguments are text inside <pre>, not markup

    await transfer.export_thread(thread_id, ExportFormat.JSON, tmp_path / "t.json")
    root = tmp_path / "elsewhere"
    paths = Paths(root / "data", root / "config", root / "log", root / "cache")
    other = open_store(paths, config.settings)
    try:
        report = await Transfer(other, reader).import_file(tmp_path / "t.json")
        assert report.threads_added == 1
        there = await other.read(lambda s: repo.full_message(s, answer.id))
        here = await store.read(lambda s: repo.full_message(s, answer.id))
        assert there.tool_calls == here.tool_calls  # states and results, nothing run again
        assert there.tool_time_ms == here.tool_time_ms
        # Another machine's servers are switched on by nothing imported.
        assert await other.read(lambda s: repo.thread_tools(s, thread_id)) == []
        [imported] = await other.read(lambda s: repo.list_projects(s))
        assert (imported.name, imported.tools) == ("Research", ())
    finally:
        other.close()


async def test_huge_arguments_streamed_in_many_pieces_arrive_whole(
    make_service: ServiceFactory,
    store: Store,
    server: FakeOpenAI,
    openai: OpenAICompatibleProvider,
) -> None:
    service = make_service(openai=openai)
    service.tools.box.add(_SlowTools())
    service.tools.policies.set("slow", Policy.ALLOW)
    thread = await service.create_thread(provider="openai", model=MODEL)
    await service.set_thread_tools(thread.id, ["slow"])
    arguments = json.dumps({"blob": "é" * 1_000_000})
    server.queue(
        Reply(events=_call_chunks(("c1", "slow__work", arguments), pieces=400)),
        text_reply("Done."),
    )
    answer = await _answer(service, thread.id, "go")
    assert answer.status is Status.COMPLETE
    [call] = await _calls(store, answer)
    assert (call["state"], len(call["arguments"])) == ("done", len(arguments))
    assert json.loads(call["arguments"]) == json.loads(arguments)


async def test_a_tool_switched_off_is_never_offered(service: ChatService, store: Store) -> None:
    service.tools.policies.set("chatdesk", Policy.ALLOW)
    service.tools.switch_tool(SEARCH_CHATS, False)
    thread_id = await _chat_with_tools(service)
    answer = await _answer(service, thread_id, "use the search_chats tool with query=hash")
    assert answer.status is Status.COMPLETE
    assert await _parts(store, answer) == []  # the model was not offered it, so never called it
    service.tools.switch_tool(SEARCH_CHATS, True)
    again = await _answer(service, thread_id, "use the search_chats tool with query=hash")
    assert [c["state"] for c in await _calls(store, again)] == ["done"]


async def test_continue_tells_the_model_of_an_unfinished_call_and_asks_before_running_it_again(
    make_service: ServiceFactory,
    store: Store,
    server: FakeOpenAI,
    openai: OpenAICompatibleProvider,
) -> None:
    service = make_service(openai=openai)
    service.tools.box.add(_SlowTools(seconds=600))
    service.tools.policies.set("slow", Policy.ALLOW)
    running = asyncio.Event()
    service.events.subscribe(
        lambda e: (
            running.set() if isinstance(e, ToolCallChanged) and e.call.state == "running" else None
        )
    )
    thread = await service.create_thread(provider="openai", model=MODEL)
    await service.set_thread_tools(thread.id, ["slow"])
    server.queue(Reply(events=[chunk("Let me work. "), *_call_chunks(("c1", "slow__work", "{}"))]))
    turn = await service.send(thread.id, "work")
    await running.wait()
    stopped = await service.stop(turn.answer.id)
    assert [c.state for c in stopped.tool_calls] == ["not_finished"]

    approver = _Approver(Choice.DENY)
    service.tools.approver = approver
    server.queue(Reply(events=_call_chunks(("c2", "slow__work", "{}"))), text_reply("Fine."))
    again = await service.continue_answer(turn.answer.id)
    final = await service.wait_for_answer(again.answer.id)
    told = server.requests[-2].body["messages"][-1]["content"]
    assert "Your call of slow__work did not finish" in told
    assert [r.tool.label for r in approver.asked] == ["slow › work"]  # asked despite "allow"
    assert [c.state for c in final.tool_calls][-1] == "not_run"


class _ChattyTools(_SlowTools):
    """A tool whose result is `words` different words: each round of it takes room."""

    def __init__(self, words: int) -> None:
        super().__init__()
        self.words = words

    async def call(self, name: str, arguments: dict[str, Any]) -> ToolOutcome:
        text = " ".join(f"w{i}" for i in range(self.words))
        return ToolOutcome(text, size=len(text))


async def test_an_earlier_answers_calls_go_to_the_model_as_notes_in_its_text(
    make_service: ServiceFactory, server: FakeOpenAI, openai: OpenAICompatibleProvider
) -> None:
    service = make_service(openai=openai)
    service.tools.policies.set("chatdesk", Policy.ALLOW)
    thread_id = await _chat_with_tools(service, provider="openai", model=MODEL)
    server.queue(
        Reply(
            events=[
                chunk("Let me look. "),
                *_call_chunks(("c1", "search_chats", '{"query":"alpha"}')),
            ]
        ),
        text_reply("Nothing about alpha."),
    )
    await _answer(service, thread_id, "What did I say about alpha?")
    server.queue(text_reply("As I said."))
    await _answer(service, thread_id, "And now?")

    sent = server.requests[-1].body["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]  # no orphan tool message
    earlier = sent[1]["content"]
    assert earlier.startswith("Let me look.\n[Tool call chatdesk › search_chats")
    assert '{"query":"alpha"} → result (' in earlier
    assert earlier.endswith("]\nNothing about alpha.")

    # A summary of the thread is written from the same texts: it hears of the call too.
    server.queue(text_reply("- searched for alpha, found nothing"))
    summary = await service.summarize_now(thread_id)
    assert summary is not None
    asked = server.requests[-1].body["messages"][-1]["content"]
    assert 'Assistant: Let me look.\n[Tool call chatdesk › search_chats {"query":"alpha"}' in asked


async def test_older_rounds_become_notes_when_the_rounds_outgrow_the_context(
    make_service: ServiceFactory,
    store: Store,
    server: FakeOpenAI,
) -> None:
    profile = ProviderProfile("openai", server.url, default_model=MODEL, context_window=6_000)
    openai = OpenAICompatibleProvider(profile)
    service = make_service(openai=openai)
    # About 3,200 tokens a round, where the context leaves about 4,900: two whole rounds do
    # not fit.
    service.tools.box.add(_ChattyTools(words=1_600))
    service.tools.policies.set("slow", Policy.ALLOW)
    thread = await service.create_thread(provider="openai", model=MODEL)
    await service.set_thread_tools(thread.id, ["slow"])
    for number in range(3):
        server.queue(Reply(events=_call_chunks((f"c{number}", "slow__work", "{}"))))
    server.queue(text_reply("Done."))
    answer = await _answer(service, thread.id, "work hard")
    await openai.aclose()

    assert answer.status is Status.COMPLETE
    assert [c.state for c in answer.tool_calls] == ["done", "done", "done"]
    last = server.requests[-1].body["messages"]
    whole = [m for m in last if m["role"] == "tool"]
    noted = [m for m in last if m["role"] == "assistant" and "tool_calls" not in m]
    assert [m["tool_call_id"] for m in whole] == ["c2"]  # the newest round stays whole
    assert len(whole[0]["content"]) == answer.tool_calls[-1].size
    size = answer.tool_calls[0].size
    assert len(noted) == 2  # the two older rounds, a one-line note each
    for note in noted:
        assert note["content"].startswith(f"[Tool call slow › work {{}} → result ({size:,} ")
        assert note["content"].endswith("w…]")
        assert "\n" not in note["content"]


async def test_a_continued_answers_figures_count_every_run(
    make_service: ServiceFactory,
    store: Store,
    server: FakeOpenAI,
    openai: OpenAICompatibleProvider,
    config: Configuration,
) -> None:
    service, thread_id = await _limited(make_service, openai, config, rounds=1)
    answer = await _past_the_limit(service, server, thread_id, calls=2)

    server.queue(Reply(events=_call_chunks(("c2", "search_chats", '{"query":"y"}'))))
    server.queue(text_reply("Found it."))
    turn = await service.continue_answer(answer.id)
    final = await service.wait_for_answer(turn.answer.id)

    assert final.status is Status.COMPLETE
    assert [c.state for c in final.tool_calls] == ["done", "not_run", "done"]
    told = server.requests[-2].body["messages"][-2]["content"]  # the answer so far, as notes
    assert told.count("[Tool call chatdesk › search_chats") == 2
    assert "limit of tool rounds" in told
    row = await store.read(lambda s: repo.message_row(s, answer.id))
    assert row.tool_counts == {LABEL: 2}
    thread = await store.read(lambda s: repo.thread_row(s, thread_id))
    assert thread.tool_counts == {LABEL: 2}


async def test_a_tools_file_that_cannot_be_written_says_so_and_the_change_holds(
    store: Store, config: Configuration, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the config folder should be")
    service = assemble(store, _providers(config), config.settings, tools_dir=blocked)
    try:
        service.tools.policies.set("chatdesk", Policy.ALLOW)  # holds at once
        with pytest.raises(ChatdeskError, match="could not be saved"):
            await service.tools.saved()
        thread_id = await _chat_with_tools(service)
        answer = await _answer(service, thread_id, "use the search_chats tool with query=x")
        assert [c.state for c in answer.tool_calls] == ["done"]  # allowed, though not saved
    finally:
        await service.aclose()


async def test_a_projects_new_chats_start_with_its_tools(
    service: ChatService, store: Store
) -> None:
    with pytest.raises(NotFound, match="no tool server named nope"):
        await service.create_project("Lab", tools=["nope"])
    project = await service.create_project("Lab", tools=["chatdesk"])
    assert project.tools == ("chatdesk",)
    service.tools.policies.set("chatdesk", Policy.ALLOW)

    turn = await service.send_new("use the search_chats tool with query=x", project_id=project.id)
    answer = await service.wait_for_answer(turn.answer.id)
    assert await service.thread_tools(answer.thread_id) == ["chatdesk"]
    assert [c.state for c in answer.tool_calls] == ["done"]
    # Unticked for this new chat in the composer: none, whatever the project says.
    chosen = await service.send_new("hello", project_id=project.id, tools=[])
    assert await service.thread_tools(chosen.answer.thread_id) == []
    created = await service.create_thread(project_id=project.id)
    assert await service.thread_tools(created.id) == ["chatdesk"]
    # Changing the project changes its new chats, not the ones it has.
    await service.update_project(project.id, tools=None)
    later = await service.create_thread(project_id=project.id)
    assert await service.thread_tools(later.id) == []
    assert await service.thread_tools(created.id) == ["chatdesk"]
