"""A thread imported from ChatGPT with a tool's output can be continued on any server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.core.attach.worker import Reader
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.store import Store
from chatdesk.core.transfer import Transfer
from tests.conftest import ServiceFactory
from tests.core.sse_server import FakeOpenAI
from tests.fixtures.chatgpt.export import Conversation, write_json

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(("gpt-4o",)).start()
    yield fake
    fake.close()


@pytest.mark.asyncio
async def test_a_tools_output_is_sent_as_the_assistants_text(
    store: Store, make_service: ServiceFactory, server: FakeOpenAI, tmp_path: Path, reader: Reader
) -> None:
    chat = Conversation("Arithmetic")
    question = chat.user(None, "What does print(2 + 2) show?")
    code = chat.add(
        question,
        "assistant",
        {"content_type": "code", "language": "python", "text": "print(2 + 2)"},
        model="gpt-4o",
        recipient="python",
    )
    result = {"content_type": "execution_output", "text": "4"}
    output = chat.add(code, "tool", result, name="python")
    chat.assistant(output, "It prints 4.")
    report = await Transfer(store, reader).import_file(
        write_json(tmp_path / "c.json", [chat.json()])
    )
    [thread_id] = report.thread_ids

    provider = OpenAICompatibleProvider(ProviderProfile("openai-like", server.url))
    service = make_service(**{"openai-like": provider})
    await service.set_thread_model(thread_id, provider="openai-like", model="gpt-4o")
    turn = await service.send(thread_id, "And print(3 * 3)?")
    await service.wait_for_answer(turn.answer.id)
    sent = server.requests[-1].body["messages"]
    roles = [message["role"] for message in sent]
    assert "tool" not in roles  # no tool call in the request: a "tool" message is refused
    assert any("4" in message["content"] and message["role"] == "assistant" for message in sent)
    await provider.aclose()
