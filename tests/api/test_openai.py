"""The OpenAI-compatible endpoints driven by the real `openai` SDK over real sockets, against a
core the composition root builds (real SQLite, the offline mock; a real OpenAI-compatible
server on 127.0.0.1 where a provider must cost money or be watched for the request's end)."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import io
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx2 as httpx
import openai
import pytest
import pytest_asyncio
from PIL import Image

from chatdesk.core import i18n
from chatdesk.core.assistants.model import AssistantFields
from chatdesk.core.chat.events import MessageFinished, ThreadCreated
from chatdesk.core.kinds import Status
from chatdesk.core.providers.mock_embed import mock_vector
from chatdesk.core.providers.mock_text import mock_answer, tokens_of
from chatdesk.core.views import ThreadFilter, ThreadView
from tests.api.conftest import KEY, Served
from tests.api.conftest import serving as served_core
from tests.api.sockets import held_provider
from tests.core.sse_server import FakeOpenAI, Reply, chunk, text_reply, usage_chunk

pytestmark = pytest.mark.asyncio


_CLIENTS: list[openai.AsyncOpenAI] = []


def client(served: Served, key: str | None = None) -> openai.AsyncOpenAI:
    """The SDK as a user's script makes it (no retries: each request is seen once)."""
    made = openai.AsyncOpenAI(base_url=served.url + "/v1", api_key=key or served.key, max_retries=0)
    _CLIENTS.append(made)
    return made


@pytest_asyncio.fixture(autouse=True)
async def _closed_clients() -> AsyncIterator[None]:
    """Every client a test made is closed on the test's own loop."""
    yield
    while _CLIENTS:
        await _CLIENTS.pop().close()


@asynccontextmanager
async def serving(home: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> AsyncIterator[Served]:
    """A served core with `env` set first (CHATDESK_… settings) and the providers.toml in
    `home`'s config, if the test wrote one."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    async with served_core() as served:
        yield served


def write_profile(home: Path, fake: FakeOpenAI, **more: float) -> None:
    lines = ["[[provider]]", 'name = "paid"', f'base_url = "{fake.url}"', 'default_model = "m"']
    lines += [f"{key} = {value}" for key, value in more.items()]
    folder = home / "config"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "providers.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI(("m",)).start()
    yield server
    server.close()


async def test_the_models_are_the_providers_and_the_assistants(served: Served) -> None:
    listed = await client(served).models.list()

    ids = [model.id for model in listed.data]
    assert "mock/mock-1" in ids
    assert "mock/mock-embed" in ids
    names = [a.name for a in await served.core.service.assistants.list()]
    assert names  # the built-in assistants
    assert [i for i in ids if i.startswith("assistant/")] == [f"assistant/{n}" for n in names]


async def test_an_assistants_model_id_stays_the_same_in_another_language(served: Served) -> None:
    """A program keeps "assistant/<name>": switching the window to German must not rename a
    built-in assistant's id, while its German name, as the window shows it, answers too."""
    english = {m.id for m in (await client(served).models.list()).data}
    asked = [{"role": "user", "content": "Hello"}]
    i18n.set_language("de")
    try:
        german = {m.id for m in (await client(served).models.list()).data}
        shown = [a.name for a in await served.core.service.assistants.list()]
        kept = [a.name for a in await served.core.service.assistants.list(as_stored=True)]
        translated = [(s, k) for s, k in zip(shown, kept, strict=True) if s != k]
        assert translated  # a built-in's name reads differently in German
        for name in translated[0]:  # by its German name and by its kept one
            done = await client(served).chat.completions.create(
                model=f"assistant/{name}", messages=asked
            )
            assert done.choices[0].message.content
    finally:
        i18n.set_language(i18n.SOURCE)
    assert german == english


async def test_a_completion_answers_as_the_model_would_and_keeps_nothing(served: Served) -> None:
    done = await client(served).chat.completions.create(
        model="mock/mock-1", messages=[{"role": "user", "content": "Tell me about rivers"}]
    )

    assert done.choices[0].message.content == mock_answer("Tell me about rivers", "mock-1").text
    assert done.choices[0].finish_reason == "stop"
    assert done.usage is not None
    assert done.usage.completion_tokens > 0
    assert (await served.core.service.list_threads()).threads == ()
    [row] = await served.core.service.usage_by_month()
    assert (row.provider, row.model, row.totals.answers) == ("mock", "mock-1", 1)


async def test_a_streamed_completion_ends_with_usage_and_done(served: Served) -> None:
    stream = await client(served).chat.completions.create(
        model="mock/mock-2",
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = [c async for c in stream]

    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == mock_answer("Hi", "mock-2").text
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens > 0


async def test_the_models_reasoning_streams_as_reasoning_content(
    chatdesk_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with serving(chatdesk_home, monkeypatch, CHATDESK_MOCK_REASONING="1") as served:
        stream = await client(served).chat.completions.create(
            model="mock/mock-1", messages=[{"role": "user", "content": "Why?"}], stream=True
        )
        deltas = [c.choices[0].delta async for c in stream if c.choices]

    reasoning = "".join(getattr(d, "reasoning_content", None) or "" for d in deltas)
    assert reasoning == mock_answer("Why?", "mock-1").reasoning
    assert "".join(d.content or "" for d in deltas) == mock_answer("Why?", "mock-1").text


def _red_picture() -> list[dict[str, object]]:
    picture = io.BytesIO()
    Image.new("RGB", (8, 6), (220, 20, 20)).save(picture, "PNG")
    url = "data:image/png;base64," + base64.b64encode(picture.getvalue()).decode()
    content = [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": url}},
    ]
    return [{"role": "user", "content": content}]


async def test_an_image_in_a_user_message_reaches_a_model_that_takes_images(
    served: Served,
) -> None:
    done = await client(served).chat.completions.create(
        model="mock/mock-1",
        messages=_red_picture(),
    )

    assert "an image, 8×6 pixels, mostly red" in (done.choices[0].message.content or "")


async def test_an_image_in_a_kept_chat_is_the_chats_attachment(served: Served) -> None:
    done = await client(served).chat.completions.create(
        model="mock/mock-1",
        messages=_red_picture(),
        store=True,
    )

    assert "an image, 8×6 pixels, mostly red" in (done.choices[0].message.content or "")
    thread_id = uuid.UUID((done.model_extra or {})["chatdesk"]["thread_id"])
    [asked, _answer] = (await served.core.service.list_messages(thread_id)).messages
    assert asked.content == "What is this?"
    assert [a.name for a in asked.attachments] == ["image-1.png"]  # kept as chatdesk keeps one


WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


async def test_the_clients_tools_go_to_the_model_and_its_calls_come_back(served: Served) -> None:
    asked = [{"role": "user", "content": "Please use the get_weather tool with city=Paris"}]
    api = client(served)

    done = await api.chat.completions.create(model="mock/mock-1", messages=asked, tools=[WEATHER])

    choice = done.choices[0]
    assert choice.finish_reason == "tool_calls"
    [call] = choice.message.tool_calls or []
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Paris"}
    result = {"role": "tool", "tool_call_id": call.id, "content": "Sunny, 21 degrees"}
    answered = await api.chat.completions.create(
        model="mock/mock-1",
        messages=[*asked, choice.message.model_dump(exclude_none=True), result],
        tools=[WEATHER],
        stream=True,
    )
    text = "".join([c.choices[0].delta.content or "" async for c in answered if c.choices])
    assert "Sunny, 21 degrees" in text


async def test_errors_come_in_openais_shape(served: Served) -> None:
    api = client(served)
    asked = [{"role": "user", "content": "Hi"}]
    with pytest.raises(openai.NotFoundError) as unknown:
        await api.chat.completions.create(model="nowhere/model", messages=asked)
    assert unknown.value.code == "model_not_found"
    with pytest.raises(openai.NotFoundError):
        await api.chat.completions.create(model="assistant/Nobody", messages=asked)
    with pytest.raises(openai.PermissionDeniedError):
        await client(served, key="cdk-wrong").models.list()
    with pytest.raises(openai.BadRequestError) as refused:
        await api.chat.completions.create(
            model="mock/mock-1",
            messages=[
                {
                    "role": "user",
                    "content": [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}],
                }
            ],
        )
    assert "data URLs" in refused.value.message


async def test_a_reached_spending_cap_refuses_a_completion(
    chatdesk_home: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeOpenAI
) -> None:
    price = {"input_price_per_million": 500000.0, "output_price_per_million": 500000.0}
    write_profile(chatdesk_home, fake, monthly_cap_usd=1.0, **price)
    fake.queue(text_reply("Fine ", "thanks."))
    async with serving(chatdesk_home, monkeypatch) as served:
        api = client(served)
        asked = [{"role": "user", "content": "Hi"}]
        first = await api.chat.completions.create(model="paid/m", messages=asked)
        assert first.choices[0].message.content == "Fine thanks."  # $4.50: over the $1.00 cap

        with pytest.raises(openai.BadRequestError) as refused:
            await api.chat.completions.create(model="paid/m", messages=asked, stream=True)

    assert refused.value.code == "cap_reached"
    assert "this month on paid" in refused.value.message
    assert len(fake.requests) == 1


async def test_a_client_that_leaves_a_stream_ends_the_providers_request(
    chatdesk_home: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeOpenAI
) -> None:
    write_profile(chatdesk_home, fake)
    events = [chunk("Fine "), chunk("thanks."), chunk(finish="stop"), usage_chunk(7, 2)]
    fake.queue(Reply(events=events, hold_after=1))
    async with serving(chatdesk_home, monkeypatch) as served:
        stream = await client(served).chat.completions.create(
            model="paid/m", messages=[{"role": "user", "content": "Hi"}], stream=True
        )
        async for piece in stream:
            if piece.choices and piece.choices[0].delta.content:
                break
        await stream.close()

        await asyncio.to_thread(fake.disconnected.wait)
    assert piece.choices[0].delta.content == "Fine "


async def test_embeddings_come_from_the_configured_embedding_model(served: Served) -> None:
    api = client(served)
    made = await api.embeddings.create(model="mock/mock-embed", input=["tomatoes", "roses"])
    one = await api.embeddings.create(model="mock-embed", input="tomatoes", encoding_format="float")

    assert len(made.data) == 2
    assert made.data[0].embedding == pytest.approx(mock_vector("tomatoes"), abs=1e-6)
    assert made.data[1].embedding == pytest.approx(mock_vector("roses"), abs=1e-6)
    assert one.data[0].embedding == pytest.approx(mock_vector("tomatoes"), abs=1e-6)
    with pytest.raises(openai.NotFoundError):
        await api.embeddings.create(model="mock/mock-1x", input="x")


async def test_store_keeps_the_exchange_as_a_chat_made_through_the_api(served: Served) -> None:
    api = client(served)
    raw = await api.chat.completions.with_raw_response.create(
        model="mock/mock-1",
        messages=[{"role": "user", "content": "Tell me about rivers"}],
        store=True,
    )
    done = raw.parse()
    thread_id = uuid.UUID(raw.headers["x-chatdesk-thread"])
    extra = (done.model_extra or {})["chatdesk"]

    assert extra["thread_id"] == str(thread_id)
    assert done.choices[0].message.content == mock_answer("Tell me about rivers", "mock-1").text
    page = await served.core.service.list_threads()
    assert [(t.id, t.origin) for t in page.threads] == [(thread_id, "api")]

    stream = await api.chat.completions.create(
        model="mock/mock-1",
        messages=[{"role": "user", "content": "And lakes?"}],
        stream=True,
        extra_headers={"X-Chatdesk-Thread": str(thread_id)},
    )
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text == mock_answer("And lakes?", "mock-1").text
    messages = (await served.core.service.list_messages(thread_id)).messages
    assert [m.content for m in messages if m.role.value == "user"] == [
        "Tell me about rivers",
        "And lakes?",
    ]


async def test_a_kept_answer_stops_when_its_client_leaves(
    chatdesk_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with serving(chatdesk_home, monkeypatch, CHATDESK_MOCK_TOKENS_PER_SECOND="5") as served:
        service = served.core.service
        finished: asyncio.Queue[MessageFinished] = asyncio.Queue()
        service.events.subscribe(
            lambda e: finished.put_nowait(e) if isinstance(e, MessageFinished) else None
        )
        stream = await client(served).chat.completions.create(
            model="mock/mock-1",
            messages=[{"role": "user", "content": "Tell me a long story"}],
            stream=True,
            extra_headers={"X-Chatdesk-Thread": "new"},
        )
        async for piece in stream:
            if piece.choices and piece.choices[0].delta.content:
                break
        await stream.close()

        ended = (await finished.get()).message
    assert ended.status is Status.INTERRUPTED
    assert ended.content != mock_answer("Tell me a long story", "mock-1").text


async def test_an_assistant_as_a_model_answers_from_its_knowledge_and_leaves_nothing(
    served: Served, tmp_path: Path
) -> None:
    service = served.core.service
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "cars.md").write_text("# Car\n\nThe tyre pressure is 2.4 bar at the front.")
    base = await service.knowledge.create("Garage")
    await service.knowledge.add(base.id, notes)
    await service.knowledge.index(base.id)
    [tutor, *_] = await service.assistants.list()
    await service.knowledge.link("assistant_id", tutor.id, [base.id])

    done = await client(served).chat.completions.create(
        model=f"assistant/{tutor.name}",
        messages=[{"role": "user", "content": "What is the tyre pressure of the car?"}],
    )

    assert "2.4 bar" in (done.choices[0].message.content or "")
    extra = (done.model_extra or {})["chatdesk"]
    assert extra.get("thread_id") is None
    assert extra["sources"][0]["path"].endswith("cars.md")
    assert "2.4 bar" in extra["sources"][0]["text"]
    assert (await service.list_threads()).threads == ()
    assert (await service.list_threads(ThreadFilter(deleted=True))).threads == ()
    found = await served.core.search.search("tyre pressure")
    assert (found.threads, found.messages) == ((), ())


async def test_an_assistants_answer_not_kept_is_listed_found_and_named_nowhere_meanwhile(
    served: Served,
) -> None:
    """While it is written, the chat an unkept answer needs is not in the window's list (no
    flash of a chat that is about to go), not found by search, and not given a paid title."""
    service = served.core.service
    provider = held_provider(served, ["The tyre pressure ", "is 2.4 ", "bar."], hold_after=2)
    created: list[ThreadView] = []
    unsubscribe = service.events.subscribe(
        lambda event: created.append(event.thread) if isinstance(event, ThreadCreated) else None
    )
    [tutor, *_] = await service.assistants.list()
    question = "What is the tyre pressure of the car?\nThe front ones, that is, on a cold day."
    asked = [{"role": "user", "content": question}]  # two lines: a title would be asked for
    answering = asyncio.create_task(
        client(served).chat.completions.create(model=f"assistant/{tutor.name}", messages=asked)
    )
    try:
        await provider.held.wait()
        assert [thread.origin for thread in created] == ["api-once"]
        assert (await service.list_threads()).threads == ()
        found = await served.core.search.search("tyre pressure")
        assert (found.threads, found.messages) == ((), ())
    finally:
        provider.gate.set()
        done = await answering
        unsubscribe()
    assert done.choices[0].message.content == "The tyre pressure is 2.4 bar."
    await service.settle()  # what the answer started in the background has ended
    assert len(provider.requests) == 1  # the answer's; no title's


async def test_without_the_key_nothing_is_answered(served: Served) -> None:
    async with httpx.AsyncClient() as plain:
        answer = await plain.post(served.url + "/v1/chat/completions", json={"model": "x"})
    assert answer.status_code == 401
    assert KEY not in answer.text


async def test_an_assistants_tool_call_that_needs_approval_is_refused_headless(
    chatdesk_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with serving(chatdesk_home, monkeypatch, CHATDESK_TOOLS_READ_ONLY="ask") as served:
        service = served.core.service
        assert service.tools.approver is None  # `chatdesk serve`: no window to ask
        fields = AssistantFields(name="Librarian", provider="mock", model="mock-1")
        await service.assistants.create(dataclasses.replace(fields, tools=("chatdesk",)))

        done = await client(served).chat.completions.create(
            model="assistant/Librarian",
            messages=[{"role": "user", "content": "Please use the search_chats tool"}],
        )

        assert "there was no one to ask" in (done.choices[0].message.content or "")
        assert (await service.list_threads()).threads == ()


async def test_a_stream_on_the_wire_is_openais(served: Served) -> None:
    body = {
        "model": "mock/mock-1",
        "stream": True,
        "stream_options": {"include_usage": True},
        "messages": [{"role": "user", "content": "Hi"}],
    }
    async with (
        httpx.AsyncClient() as plain,
        plain.stream(
            "POST", served.url + "/v1/chat/completions", json=body, headers=served.headers
        ) as answer,
    ):
        lines = [line async for line in answer.aiter_lines() if line]

    assert answer.headers["content-type"].startswith("text/event-stream")
    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line.removeprefix("data: ")) for line in lines[:-1]]
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[1]["choices"][0]["finish_reason"] is None
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["total_tokens"] > 0


async def test_a_failure_after_the_first_token_ends_the_stream_with_an_error(
    chatdesk_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with serving(chatdesk_home, monkeypatch, CHATDESK_MOCK_FAULT="error_after:3") as served:
        stream = await client(served).chat.completions.create(
            model="mock/mock-1", messages=[{"role": "user", "content": "Hi"}], stream=True
        )
        pieces: list[str] = []

        async def read() -> None:
            async for piece in stream:
                pieces.extend(c.delta.content or "" for c in piece.choices)

        with pytest.raises(openai.APIError, match="failed after 3 tokens"):
            await read()

    assert "".join(pieces) == "".join(tokens_of(mock_answer("Hi", "mock-1").text)[:3])


async def test_a_chat_the_header_names_must_exist(served: Served) -> None:
    api = client(served)
    asked = [{"role": "user", "content": "Hi"}]
    with pytest.raises(openai.NotFoundError):
        await api.chat.completions.create(
            model="mock/mock-1",
            messages=asked,
            extra_headers={"X-Chatdesk-Thread": str(uuid.uuid4())},
        )
    with pytest.raises(openai.BadRequestError, match="'new' or a chat's id"):
        await api.chat.completions.create(
            model="mock/mock-1", messages=asked, extra_headers={"X-Chatdesk-Thread": "mine"}
        )
    assert (await served.core.service.list_threads()).threads == ()
