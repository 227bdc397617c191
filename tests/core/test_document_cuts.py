"""A document cut to fit the model is recorded on the answer: how much of it went, kept after
a restart, counted by the gauge as it was sent, said by the exports, and synced."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from chatdesk.configuration import Configuration
from chatdesk.core.assembly import assemble
from chatdesk.core.attach.worker import Reader
from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.service import ChatService
from chatdesk.core.store import open_store
from chatdesk.core.transfer.service import ExportFormat, Transfer
from chatdesk.core.views import DocumentCut, MessageView
from tests.conftest import ServiceFactory
from tests.core import attachment_files as files
from tests.core.sse_server import FakeOpenAI, text_reply

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes

WINDOW = 4_000  # tokens: about 3,000 for the request once the answer's share is kept
LINES = "\n".join(["figures and notes on the quarter, line by line"] * 30)


def _profile(server: FakeOpenAI) -> ProviderProfile:
    return ProviderProfile("openai", server.url, api_key="sk-test", default_model="gpt-4o")


@pytest_asyncio.fixture
async def openai(server: FakeOpenAI) -> AsyncIterator[OpenAICompatibleProvider]:
    made = OpenAICompatibleProvider(_profile(server))
    yield made
    await made.aclose()


async def _ask(service: ChatService, name: str, data: bytes, question: str) -> MessageView:
    document = await service.attacher.attach_bytes(name, data)
    thread = await service.create_thread(provider="openai", model="gpt-4o")
    await service.set_thread_context_window(thread.id, WINDOW)
    turn = await service.send(thread.id, question, attachments=[document])
    answer = await service.wait_for_answer(turn.answer.id)
    assert answer.status.value == "complete", answer.error_detail
    return answer


def _report() -> bytes:
    return files.pdf([f"Page {n} lists item {n}:\n{LINES}" for n in range(1, 41)])


async def test_the_answer_records_which_pages_of_the_pdf_went_and_keeps_it_after_a_restart(
    make_service: ServiceFactory,
    server: FakeOpenAI,
    openai: OpenAICompatibleProvider,
    config: Configuration,
) -> None:
    server.queue(text_reply("It covers ", "the first pages."))
    service = make_service(openai=openai)
    answer = await _ask(service, "report.pdf", _report(), "What does it cover?")

    sent = server.requests[0].body["messages"][-1]["content"]
    pages = [int(n) for n in re.findall(r"^--- Page (\d+) ---$", sent, re.MULTILINE)]
    assert pages == list(range(1, len(pages) + 1))
    assert 1 < len(pages) < 40
    question = (await service.list_messages(answer.thread_id)).messages[0]
    [cut] = answer.cuts
    assert cut == DocumentCut(question.attachments[0].id, "report.pdf", "page", len(pages), 40)
    assert cut.said() == f"report.pdf was cut to fit: pages 1–{len(pages)} of 40 sent"

    # Another start of chatdesk on the same data reads it from the database.
    store = open_store(config.paths, config.settings)
    providers = Providers({"openai": OpenAICompatibleProvider(_profile(server))})
    again = assemble(store, providers, config.settings)
    try:
        shown = (await again.list_messages(answer.thread_id)).messages
        assert [m.cuts for m in shown] == [(), (cut,)]
    finally:
        await again.aclose()
        store.close()


async def test_the_gauge_counts_the_question_as_it_was_sent_and_so_do_later_requests(
    make_service: ServiceFactory, server: FakeOpenAI, openai: OpenAICompatibleProvider
) -> None:
    server.queue(text_reply("Forty items."), text_reply("Item 3."))
    service = make_service(openai=openai)
    answer = await _ask(service, "report.pdf", _report(), "What does it cover?")
    sent = server.requests[0].body["messages"][-1]["content"]
    whole = await service.context_usage(answer.thread_id)

    # Both messages are in the next request as far as the gauge can tell: the question as it
    # went (the whole document would not fit at all), the answer after it.
    assert whole.breakdown is not None
    assert (whole.breakdown.messages, whole.breakdown.omitted) == (2, 0)
    assert whole.used_tokens <= whole.budget_tokens
    # Room for the question as it went and a follow-up: the follow-up request sends it so.
    await service.set_thread_context_window(answer.thread_id, WINDOW + 1_000)
    more = await service.send(answer.thread_id, "And item 3?")
    await service.wait_for_answer(more.answer.id)
    follow_up = [m["content"] for m in server.requests[1].body["messages"]]
    assert follow_up == [sent, "Forty items.", "And item 3?"]


async def test_a_text_file_cut_to_fit_says_how_many_characters_went_in_the_exports(
    make_service: ServiceFactory,
    server: FakeOpenAI,
    openai: OpenAICompatibleProvider,
    store: object,
    tmp_path: Path,
    reader: Reader,
) -> None:
    server.queue(text_reply("A long log."))
    service = make_service(openai=openai)
    log = "".join(f"{n:05d} timeout on node {n % 17}, retrying\n" for n in range(1, 1_201))
    answer = await _ask(service, "server.log", log.encode(), "What keeps failing?")

    [cut] = answer.cuts
    sent = server.requests[0].body["messages"][-1]["content"]
    assert (cut.name, cut.unit, cut.total) == ("server.log", "character", len(log))
    assert log[: cut.sent] in sent
    assert log[: cut.sent + 40] not in sent
    said = f"server.log was cut to fit: {cut.sent:,} characters of {len(log):,} sent"
    assert cut.said() == said

    transfer = Transfer(store, reader)  # type: ignore[arg-type]
    markdown, native = tmp_path / "chat.md", tmp_path / "chat.json"
    await transfer.export_thread(answer.thread_id, ExportFormat.MARKDOWN, markdown)
    await transfer.export_thread(answer.thread_id, ExportFormat.JSON, native)
    assert f"A long log.\n\n> {said}\n" in markdown.read_text(encoding="utf-8")
    exported = json.loads(native.read_text(encoding="utf-8"))
    [part] = [p for m in exported["messages"] for p in m["parts"] if p["kind"] == "cut"]
    assert part["data"]["name"] == "server.log"
    assert part["data"]["sent"] == cut.sent
