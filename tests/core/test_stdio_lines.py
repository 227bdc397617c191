"""A stdio server's lines (chatdesk/core/tools/stdio_lines.py): split from chunks as the SDK's
own reader splits them, whatever the chunks, and a large message read over stdio from the test
server (`tests/core/mcp_server.py` with `mcp_parts/resbench.py`) arrives whole, its multi-byte
characters included, with the messages after it framed right."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from chatdesk.configuration import Configuration
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store
from chatdesk.core.tools import stdio_lines
from chatdesk.core.tools.stdio_lines import Lines
from tests.core.mcp_helpers import stdio
from tests.core.mcp_parts.resbench import wide_text
from tests.core.test_mcp_resources import _service

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)


def _split_as_the_sdk_does(chunks: list[str]) -> list[str]:
    """The SDK's reader: what is kept of a line joined to each chunk, split again."""
    found, buffer = [], ""
    for chunk in chunks:
        lines = (buffer + chunk).split("\n")
        buffer = lines.pop()
        found += lines
    return found


def _split_by_lines(chunks: list[str]) -> list[str]:
    lines = Lines()
    return [line for chunk in chunks for line in lines.feed(chunk)]


@pytest.mark.parametrize("seed", range(40))
def test_lines_are_split_from_any_chunks_as_the_sdk_splits_them(seed: int) -> None:
    rng = random.Random(seed)
    pieces = ['{"id":1}', "", "é" * rng.randint(0, 300), "x" * rng.randint(0, 5000), "\n"]
    text = "".join(rng.choice(pieces) + rng.choice(["\n", ""]) for _ in range(rng.randint(0, 60)))
    cuts = sorted(rng.randint(0, len(text)) for _ in range(rng.randint(0, 30)))
    chunks = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    assert _split_by_lines(chunks) == _split_as_the_sdk_does(chunks)


def test_a_line_over_many_chunks_is_one_line_and_the_rest_waits() -> None:
    lines = Lines()
    assert lines.feed('{"a":') == []
    assert lines.feed("") == []
    assert lines.feed('"b"') == []
    assert lines.feed('}\n{"c":1}\n{"d"') == ['{"a":"b"}', '{"c":1}']
    assert lines.feed(":2}\n") == ['{"d":2}']
    assert lines.feed("\n") == [""]  # an empty line is given, as the SDK gives it (an error)


@pytest_asyncio.fixture
async def service(
    store: Store, config: Configuration, tmp_path: Path
) -> AsyncIterator[ChatService]:
    made = _service(store, config, tmp_path)
    await made.tools.add_server(stdio())
    yield made
    await made.aclose()


@pytest.mark.asyncio
async def test_a_large_message_over_stdio_arrives_whole(service: ChatService) -> None:
    resources = service.tools.resources
    [wide] = await resources.read("test", "wide://12000")  # ~12 MB of JSON on one line
    assert wide.text == wide_text(12000)
    [note] = await resources.read("test", "note://shopping")  # the next line framed right
    assert note.text == "Remember the milk.\nAnd the eggs."
    [again] = await resources.read("test", "wide://700")
    assert again.text == wide_text(700)


@pytest.mark.asyncio
async def test_an_sdk_without_the_helpers_reads_through_its_own_client(
    store: Store, config: Configuration, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mcp.client import stdio as sdk

    monkeypatch.delattr(sdk, "_drain_stdout")  # as a release that renamed it would be
    monkeypatch.setattr(stdio_lines, "stdio_client", _never)
    service = _service(store, config, tmp_path)
    try:
        await service.tools.add_server(stdio())
        [note] = await service.tools.resources.read("test", "note://shopping")
        assert note.text == "Remember the milk.\nAnd the eggs."
    finally:
        await service.aclose()


def _never(*args: object, **kwargs: object) -> None:
    raise AssertionError("chatdesk's reader was used without the helpers it needs")
