"""Images a tool gives back, end to end: a real MCP server (`tests/core/mcp_server.py`, over
stdio) returns pictures made with Pillow; chatdesk reads each one in the reading child as an
image, stores it once by content beside the call's result, shows it in the call's view, sends
it to a model that takes images (to a real OpenAI-compatible server on 127.0.0.1) and tells a
model that does not what it missed. Bytes that only claim to be an image are not kept."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from PIL import Image

from chatdesk.configuration import Configuration
from chatdesk.core.attach.worker import Reader
from chatdesk.core.chat import repository as repo
from chatdesk.core.paths import Paths
from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store, open_store
from chatdesk.core.store.blobs import BlobStore
from chatdesk.core.store.models import Status
from chatdesk.core.tools.mcp_results import MAX_IMAGES, outcome_of
from chatdesk.core.tools.model import Policy
from chatdesk.core.transfer import ExportFormat, Transfer
from chatdesk.core.views import MessageView
from tests.core.mcp_helpers import service_with_tools, stdio
from tests.core.sse_server import FakeOpenAI, Reply, _envelope, chunk, text_reply, usage_chunk

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes
MODEL = "picture-model"


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI((MODEL,)).start()
    yield fake
    fake.close()


async def _service(
    store: Store, config: Configuration, server: FakeOpenAI, tmp_path: Path, images: str
) -> AsyncIterator[ChatService]:
    profile = ProviderProfile(
        "openai", server.url, default_model=MODEL, context_window=32_000, images=images
    )
    provider = OpenAICompatibleProvider(profile)
    service = service_with_tools(store, config, tmp_path, Providers({"openai": provider}))
    await service.tools.add_server(stdio("pics"))
    service.tools.policies.set("pics", Policy.ALLOW)
    try:
        yield service
    finally:
        await service.aclose()
        await provider.aclose()


@pytest_asyncio.fixture
async def sees(
    store: Store, config: Configuration, server: FakeOpenAI, tmp_path: Path
) -> AsyncIterator[ChatService]:
    async for service in _service(store, config, server, tmp_path, images="yes"):
        yield service


@pytest_asyncio.fixture
async def blind(
    store: Store, config: Configuration, server: FakeOpenAI, tmp_path: Path
) -> AsyncIterator[ChatService]:
    async for service in _service(store, config, server, tmp_path, images="no"):
        yield service


def _calls(name: str, arguments: dict[str, Any]) -> Reply:
    head = {"index": 0, "id": "call_1", "type": "function"}
    head["function"] = {"name": f"pics__{name}", "arguments": json.dumps(arguments)}
    choice = {"index": 0, "delta": {"role": "assistant", "tool_calls": [head]}}
    first = json.dumps(_envelope(choices=[{**choice, "finish_reason": None}]))
    return Reply(events=[first, chunk(finish="tool_calls"), usage_chunk(20, 5)])


async def _ask(service: ChatService, server: FakeOpenAI, tool: str, **arguments: Any) -> Any:
    server.queue(_calls(tool, arguments), text_reply("I see ", "it."))
    thread = await service.create_thread(provider="openai", model=MODEL)
    await service.set_thread_tools(thread.id, ["pics"])
    turn = await service.send(thread.id, f"use {tool}")
    return await service.wait_for_answer(turn.answer.id)


def _near(pixel: Any, wanted: tuple[int, int, int]) -> bool:
    """A JPEG's colour is within a few steps of what was drawn."""
    return all(abs(a - b) <= 4 for a, b in zip(pixel, wanted, strict=True))


def _sent_after_the_call(server: FakeOpenAI) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = server.requests[-1].body["messages"]
    start = next(i for i, m in enumerate(messages) if m.get("tool_calls"))
    return messages[start + 1 :]


async def test_a_tools_picture_is_kept_shown_with_its_call_and_sent_to_a_model_that_sees(
    sees: ChatService, store: Store, server: FakeOpenAI
) -> None:
    answer = await _ask(sees, server, "picture", width=64, height=48, colour="red")

    assert answer.status is Status.COMPLETE, answer.error
    stored: MessageView = await store.read(lambda s: repo.full_message(s, answer.id))
    (call,) = stored.tool_calls
    assert call.state == "done"
    assert "a red picture, 64x48" in (call.result or "")
    (image,) = call.images
    # Re-encoded as any attached image is: JPEG, for it has no transparency.
    assert (image.kind, image.width, image.height, image.mime) == ("image", 64, 48, "image/jpeg")
    assert image.name == "picture result 1.jpg"
    kept = Image.open(io.BytesIO(BlobStore.beside(store.path).read(image.sha256)))
    assert kept.size == (64, 48)
    assert _near(kept.convert("RGB").getpixel((10, 10)), (255, 0, 0))
    assert image.thumb
    assert BlobStore.beside(store.path).has(image.thumb)

    tool, shown = _sent_after_the_call(server)
    assert tool["role"] == "tool"
    assert "[image, image/png" in tool["content"]
    assert shown["role"] == "user"
    text, picture = shown["content"]
    assert "1 from pics › picture" in text["text"]
    url = picture["image_url"]["url"]
    assert url.startswith("data:image/jpeg;base64,")
    sent = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert sent.size == (64, 48)


async def test_a_model_that_does_not_take_images_is_told_it_was_not_shown_them(
    blind: ChatService, store: Store, server: FakeOpenAI
) -> None:
    answer = await _ask(blind, server, "picture", width=32, height=32)

    assert answer.status is Status.COMPLETE, answer.error
    (tool,) = _sent_after_the_call(server)  # no message of images follows the result
    assert tool["role"] == "tool"
    assert f"not shown to you: {MODEL} does not take images" in tool["content"]
    stored: MessageView = await store.read(lambda s: repo.full_message(s, answer.id))
    assert [i.width for i in stored.tool_calls[0].images] == [32]  # kept, for the user


async def test_bytes_that_only_claim_to_be_an_image_are_not_kept_and_the_model_is_told(
    sees: ChatService, store: Store, server: FakeOpenAI
) -> None:
    answer = await _ask(sees, server, "not_a_picture")

    stored: MessageView = await store.read(lambda s: repo.full_message(s, answer.id))
    (call,) = stored.tool_calls
    assert call.images == ()
    assert "Image 1 of this result was not kept: it is not an image (PDF)" in (call.result or "")
    (tool,) = _sent_after_the_call(server)
    assert "was not kept: it is not an image" in tool["content"]


async def test_a_result_keeps_its_first_images_and_names_the_rest(
    sees: ChatService, store: Store, server: FakeOpenAI
) -> None:
    answer = await _ask(sees, server, "pictures", count=MAX_IMAGES + 2)

    stored: MessageView = await store.read(lambda s: repo.full_message(s, answer.id))
    (call,) = stored.tool_calls
    assert [i.width for i in call.images] == [8 + n for n in range(MAX_IMAGES)]
    assert (call.result or "").count(f"not kept: at most {MAX_IMAGES} images per result") == 2
    shown = _sent_after_the_call(server)[-1]
    assert len(shown["content"]) == 1 + MAX_IMAGES


async def test_a_tools_picture_is_in_the_exports_and_comes_back_with_its_call(
    sees: ChatService,
    store: Store,
    server: FakeOpenAI,
    tmp_path: Path,
    config: Configuration,
    reader: Reader,
) -> None:
    answer = await _ask(sees, server, "picture", width=20, height=10, colour="blue")
    transfer = Transfer(store, reader)
    await transfer.export_thread(answer.thread_id, ExportFormat.MARKDOWN, tmp_path / "t.md")
    markdown = (tmp_path / "t.md").read_text("utf-8")
    assert "**From pics › picture:** picture result 1.jpg (image/jpeg" in markdown
    assert "](data:image/jpeg;base64," in markdown
    await transfer.export_thread(answer.thread_id, ExportFormat.HTML, tmp_path / "t.html")
    html = (tmp_path / "t.html").read_text("utf-8")
    assert '<img src="data:image/jpeg;base64,' in html
    assert "From pics › picture: picture result 1.jpg" in html

    await transfer.export_thread(answer.thread_id, ExportFormat.JSON, tmp_path / "t.json")
    root = tmp_path / "elsewhere"
    paths = Paths(root / "data", root / "config", root / "log", root / "cache")
    other = open_store(paths, config.settings)
    try:
        report = await Transfer(other, reader).import_file(tmp_path / "t.json")
        assert report.threads_added == 1
        there: MessageView = await other.read(lambda s: repo.full_message(s, answer.id))
        here: MessageView = await store.read(lambda s: repo.full_message(s, answer.id))
        assert there.tool_calls == here.tool_calls  # the picture with its call, nothing run
        (image,) = there.tool_calls[0].images
        kept = Image.open(io.BytesIO(BlobStore.beside(other.path).read(image.sha256)))
        assert _near(kept.convert("RGB").getpixel((5, 5)), (0, 0, 255))
    finally:
        other.close()


async def test_image_data_that_is_not_base64_is_named_and_not_kept() -> None:
    from mcp_types import CallToolResult, ImageContent, TextContent

    result = CallToolResult(
        content=[
            TextContent(type="text", text="here it is"),
            ImageContent(type="image", data="@@ not base64 @@", mime_type="image/png"),
        ]
    )
    outcome = outcome_of(result)
    assert outcome.images == ()
    assert outcome.text.startswith("here it is\n\n[image, image/png")
    assert outcome.text.endswith("not kept: its data is not base64]")
