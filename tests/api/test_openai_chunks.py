"""The chunks a stream of /v1/chat/completions is written in: a batch of tokens as one chunk per
run, written directly yet byte for byte as the models write them; and the batches themselves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from chatdesk.api.batching import batched
from chatdesk.api.openai_convert import Chunks, sse
from chatdesk.api.openai_schemas import Delta
from chatdesk.api.routes.openai import _lines
from chatdesk.core.providers.base import ReasoningDelta, TextDelta, ToolCall

TEXTS = ["plain", 'hé "quoted"\n', "\u2028 \u2029", "\x00\t\x1f", "日本語", "</script>", "a\\b"]


@pytest.mark.parametrize("text", TEXTS)
def test_a_chunk_written_directly_is_the_models_own(text: str) -> None:
    chunks = Chunks('mock/"odd" name')
    assert chunks.text_line(text) == sse(chunks.of(TextDelta(text)))
    assert chunks.text_line(text, reasoning=True) == sse(chunks.of(ReasoningDelta(text)))


@pytest.mark.parametrize("model", ['mock/"odd" name', *TEXTS])
def test_a_streams_opening_and_end_written_directly_are_the_models_own(model: str) -> None:
    chunks = Chunks(model)
    assert chunks.opening_line() == sse(chunks.chunk(Delta(role="assistant", content="")))
    for reason in ("stop", "length", "tool_calls"):
        assert chunks.finish_line(reason) == sse(chunks.chunk(Delta(), reason))
    assert chunks.text_line("Hi") == sse(chunks.chunk(Delta.model_construct(content="Hi")))


def test_a_batch_is_one_chunk_per_run_in_order() -> None:
    chunks = Chunks("mock/mock-1")
    twin = Chunks(chunks.model, chunks.id, chunks.created)  # the same stream, written apart
    call = ToolCall("call_1", "search", "{}")
    batch = [
        ReasoningDelta("think "),
        ReasoningDelta("more"),
        TextDelta("Hello"),
        TextDelta(", world"),
        call,
        TextDelta("!"),
    ]
    tool_chunk = twin.of(call)
    assert tool_chunk is not None
    assert _lines(chunks, batch) == [
        twin.text_line("think more", reasoning=True),
        twin.text_line("Hello, world"),
        sse(tool_chunk),
        twin.text_line("!"),
    ]


async def _source(gate: asyncio.Event, fail: bool = False) -> AsyncIterator[str]:
    yield "first"
    await gate.wait()
    yield "second"
    yield "third"
    if fail:
        raise RuntimeError("the provider broke")


@pytest.mark.asyncio
async def test_the_first_event_comes_alone_then_what_came_meanwhile() -> None:
    gate = asyncio.Event()
    batches = batched(_source(gate), every=0.01)
    assert await anext(batches) == ["first"]  # not held for a batch
    gate.set()
    assert [event async for batch in batches for event in batch] == ["second", "third"]


@pytest.mark.asyncio
async def test_an_event_already_taken_comes_first_and_at_once() -> None:
    """The route reads the first event itself (a failure before it is an HTTP status): it is
    the first batch, not held while the source is silent."""
    gate = asyncio.Event()
    source = _source(gate)
    first = await anext(source)
    batches = batched(source, every=0.01, taken=[first])
    assert await anext(batches) == ["first"]
    gate.set()
    assert [event async for batch in batches for event in batch] == ["second", "third"]


@pytest.mark.asyncio
async def test_the_first_word_after_an_opening_the_client_is_not_shown_is_not_held() -> None:
    """The stream opens with its acceptance, which writes nothing: the words after it come as
    they arrive, not a batch's pause later (an hour here: held, the test would never end), and
    the first of them is not held back by the burst it came in ("third", the next batch)."""
    gate = asyncio.Event()
    source = _source(gate)
    first = await anext(source)  # "first": the opening
    batches = batched(source, every=3600, taken=[first], shown=lambda b: b != ["first"])
    assert await anext(batches) == ["first"]
    gate.set()
    assert await anext(batches) == ["second"]
    await batches.aclose()  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_a_failure_comes_after_what_came_before_it() -> None:
    gate = asyncio.Event()
    gate.set()
    got: list[str] = []

    async def read() -> None:
        async for batch in batched(_source(gate, fail=True), every=0.01):
            got.extend(batch)

    with pytest.raises(RuntimeError, match="broke"):
        await read()
    assert got == ["first", "second", "third"]


@pytest.mark.asyncio
async def test_closing_the_batches_closes_the_source() -> None:
    closed = asyncio.Event()

    async def endless() -> AsyncIterator[int]:
        try:
            n = 0
            while True:
                n += 1
                yield n
                await asyncio.sleep(0)
        finally:
            closed.set()

    batches = batched(endless(), every=0.01)
    assert await anext(batches) == [1]
    await batches.aclose()  # the client left
    assert closed.is_set()


@pytest.mark.asyncio
async def test_a_silence_is_an_empty_batch_and_the_source_goes_on() -> None:
    """With `idle`, a silence longer than it is told by an empty batch (the stream's keep-alive
    comment); the source is not disturbed by it and its next event comes as it would have."""
    gate = asyncio.Event()
    batches = batched(_source(gate), every=0.01, idle=0.01)
    assert await anext(batches) == ["first"]
    assert await anext(batches) == []  # the source waits for the gate: a silence
    assert await anext(batches) == []
    gate.set()
    assert [event async for batch in batches for event in batch] == ["second", "third"]
