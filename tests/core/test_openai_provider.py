"""The OpenAI-compatible provider against a real HTTP server on 127.0.0.1 (no mocked SDK)."""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import json
import logging
import socket
import threading
import time
import uuid

import pytest

from chatdesk.configuration import Configuration
from chatdesk.core.chat.events import AnswerRetrying
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.providers.base import (
    Accepted,
    ChatMessage,
    ChatRequest,
    ErrorKind,
    Finished,
    ProviderError,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    UsageReport,
)
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import PRESETS, ProviderProfile, profile_from_env
from chatdesk.core.service import ChatService
from chatdesk.core.store.models import Role, Status
from chatdesk.core.views import MessageView
from tests.conftest import ServiceFactory
from tests.core.conftest import MODEL, WAIT
from tests.core.sse_server import (
    FakeOpenAI,
    Reply,
    chunk,
    error_reply,
    text_reply,
    usage_chunk,
)
from tests.ports import free_port

pytestmark = pytest.mark.asyncio

KEY = "sk-canary-5f1e9c0d7a"


def _profile(url: str) -> ProviderProfile:
    return ProviderProfile("openai", url, api_key=KEY, default_model=MODEL, context_window=4096)


@pytest.fixture
def profile(server: FakeOpenAI) -> ProviderProfile:
    """With a key: the tests look for it where it must be, and where it must never be."""
    return _profile(server.url)


def _provider(url: str, **timeouts: float) -> OpenAICompatibleProvider:
    return OpenAICompatibleProvider(_profile(url), **timeouts)


def _request(**changes: object) -> ChatRequest:
    request = ChatRequest(MODEL, (ChatMessage("system", "Be brief."), ChatMessage("user", "hi")))
    return dataclasses.replace(request, **changes)  # type: ignore[arg-type]


async def _collect(provider: OpenAICompatibleProvider) -> list[StreamEvent]:
    return [event async for event in provider.stream(_request())]


async def _failure(provider: OpenAICompatibleProvider) -> tuple[ProviderError, list[StreamEvent]]:
    """The error the stream ends with, and the events that arrived before it."""
    seen: list[StreamEvent] = []
    try:
        async for event in provider.stream(_request()):
            seen.append(event)
    except ProviderError as error:
        return error, seen
    raise AssertionError(f"the stream ended without an error after {seen}")


def _text(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


async def _wait(event: threading.Event) -> bool:
    return await asyncio.to_thread(event.wait, WAIT)


# -- streaming ---------------------------------------------------------------------------------


async def test_plain_text_streams_and_finishes(
    server: FakeOpenAI, provider: OpenAICompatibleProvider
) -> None:
    server.queue(text_reply("Hel", "lo", finish="length"))
    events = await _collect(provider)
    assert _text(events) == "Hello"
    assert Finished("length") in events
    sent = server.requests[-1]
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.body["model"] == MODEL
    assert sent.body["stream"] is True
    assert sent.body["stream_options"] == {"include_usage": True}
    assert sent.body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hi"},
    ]


async def test_temperature_and_output_limit_are_sent(
    server: FakeOpenAI, provider: OpenAICompatibleProvider
) -> None:
    request = _request(temperature=0.2, max_output_tokens=50)
    [event async for event in provider.stream(request)]
    assert server.requests[-1].body["temperature"] == 0.2
    assert server.requests[-1].body["max_tokens"] == 50  # a local server knows this name


async def test_usage_is_reported_with_cached_and_reasoning_tokens(
    server: FakeOpenAI, provider: OpenAICompatibleProvider
) -> None:
    events = [chunk("ok"), chunk(finish="stop"), usage_chunk(20, 9, cached=16, reasoning=5)]
    server.queue(Reply(events=events))
    reported = [e for e in await _collect(provider) if isinstance(e, UsageReport)]
    assert reported == [UsageReport(20, 9, cached_tokens=16, reasoning_tokens=5)]


async def test_a_server_without_usage_still_finishes(
    server: FakeOpenAI, provider: OpenAICompatibleProvider
) -> None:
    server.queue(text_reply("no", " usage", usage=False))
    events = await _collect(provider)
    assert not [e for e in events if isinstance(e, UsageReport)]
    assert events[-1] == Finished("stop")


async def test_reasoning_arrives_under_either_field_name(
    server: FakeOpenAI, provider: OpenAICompatibleProvider
) -> None:
    events = [
        chunk(reasoning_content="Think"),
        chunk(reasoning=" more"),
        chunk("Answer"),
        chunk(finish="stop"),
    ]
    server.queue(Reply(events=events))
    assert await _collect(provider) == [
        Accepted(),
        ReasoningDelta("Think"),
        ReasoningDelta(" more"),
        TextDelta("Answer"),
        Finished("stop"),
    ]


async def test_a_stream_without_finish_reason_just_ends(
    server: FakeOpenAI, provider: OpenAICompatibleProvider
) -> None:
    server.queue(Reply(events=[chunk("half"), chunk(" an answer")], done=False))
    events = await _collect(provider)
    assert events == [Accepted(), TextDelta("half"), TextDelta(" an answer")]  # no Finished


async def test_list_models(server: FakeOpenAI, provider: OpenAICompatibleProvider) -> None:
    assert await provider.list_models() == ["big-model", "small-model"]
    assert provider.models == ("big-model", "small-model")
    assert provider.context_window("big-model") == 4096


# -- HTTP errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "kind", "words"),
    [
        (error_reply(401, "Invalid key", code="invalid_api_key"), ErrorKind.AUTH, "API key"),
        (error_reply(403, "Not allowed"), ErrorKind.PERMISSION, MODEL),
        (error_reply(404, "No such model", code="model_not_found"), ErrorKind.NOT_FOUND, MODEL),
        (error_reply(400, "messages is empty"), ErrorKind.BAD_REQUEST, "messages is empty"),
        (
            error_reply(429, "You exceeded your quota", code="insufficient_quota"),
            ErrorKind.QUOTA,
            "quota",
        ),
        (error_reply(500, "Internal failure"), ErrorKind.SERVER, "HTTP 500"),
        (error_reply(503, "Overloaded"), ErrorKind.SERVER, "HTTP 503"),
    ],
    ids=["401", "403", "404-model", "400", "429-quota", "500", "503"],
)
async def test_http_errors_become_typed_errors(
    server: FakeOpenAI,
    provider: OpenAICompatibleProvider,
    reply: Reply,
    kind: ErrorKind,
    words: str,
) -> None:
    server.queue(reply)
    error, seen = await _failure(provider)
    assert seen == []
    assert error.kind is kind
    assert words in str(error)
    assert error.hint
    assert error.retryable is (kind is ErrorKind.SERVER)


# Bodies as servers send them when the conversation does not fit the model's window.
_TOO_LONG_REPLIES = {
    "openai": error_reply(
        400,
        "This model's maximum context length is 128000 tokens. However, your messages "
        "resulted in 131072 tokens. Please reduce the length of the messages.",
        code="context_length_exceeded",
    ),
    "vllm": Reply(
        status=400,
        json_body={
            "object": "error",
            "message": "This model's maximum context length is 4096 tokens. However, you "
            "requested 5000 tokens (4000 in the messages, 1000 in the completion).",
            "type": "BadRequestError",
            "param": None,
            "code": 400,
        },
    ),
    "litellm": error_reply(
        400,
        "litellm.ContextWindowExceededError: litellm.BadRequestError: the input is too long",
        code="400",
    ),
    "llama.cpp": Reply(
        status=400,
        json_body={
            "error": {
                "code": 400,
                "message": "the request exceeds the available context size, try increasing it",
                "type": "exceed_context_size_error",
                "n_prompt_tokens": 9000,
                "n_ctx": 8192,
            }
        },
    ),
    "anthropic": error_reply(400, "prompt is too long: 210000 tokens > 200000 maximum"),
    "proxy-413": Reply(status=413, json_body={"error": {"message": "Request Entity Too Large"}}),
}


@pytest.mark.parametrize("server_name", list(_TOO_LONG_REPLIES))
async def test_a_conversation_too_long_for_the_window_is_its_own_kind(
    server: FakeOpenAI, provider: OpenAICompatibleProvider, server_name: str
) -> None:
    server.queue(_TOO_LONG_REPLIES[server_name])
    error, seen = await _failure(provider)
    assert seen == []
    assert error.kind is ErrorKind.CONVERSATION_TOO_LONG
    assert f"The conversation is too long for {MODEL}" in str(error)
    assert "refused the request" not in str(error)
    assert "Summarise the older messages, or choose a model with a larger context window" in str(
        error
    )
    assert not error.retryable


async def test_a_too_long_error_inside_the_stream_is_not_a_server_failure(
    server: FakeOpenAI, provider: OpenAICompatibleProvider
) -> None:
    too_long = {"message": "Input is too long", "code": "context_length_exceeded"}
    server.queue(Reply(events=[json.dumps({"error": too_long})]))
    error, _ = await _failure(provider)
    assert error.kind is ErrorKind.CONVERSATION_TOO_LONG
    assert not error.retryable


async def test_other_refusals_stay_bad_requests(
    server: FakeOpenAI, provider: OpenAICompatibleProvider
) -> None:
    server.queue(error_reply(400, "temperature must be at most 2", code="invalid_value"))
    error, _ = await _failure(provider)
    assert error.kind is ErrorKind.BAD_REQUEST


async def test_rate_limit_carries_retry_after_seconds(
    server: FakeOpenAI, provider: OpenAICompatibleProvider
) -> None:
    server.queue(error_reply(429, "Slow down", retry_after="7"))
    error, _ = await _failure(provider)
    assert error.kind is ErrorKind.RATE_LIMIT
    assert error.retry_after == 7
    assert "Wait 7 s" in str(error)


async def test_rate_limit_carries_retry_after_as_an_http_date(
    server: FakeOpenAI, provider: OpenAICompatibleProvider
) -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    server.queue(error_reply(429, "Slow down", retry_after=when))
    error, _ = await _failure(provider)
    assert error.retry_after is not None
    assert 25 <= error.retry_after <= 31


# -- broken connections and streams ------------------------------------------------------------


async def test_connection_refused() -> None:
    provider = _provider(f"http://127.0.0.1:{free_port()}/v1")
    try:
        error, _ = await _failure(provider)
    finally:
        await provider.aclose()
    assert error.kind is ErrorKind.CONNECTION
    assert "refused" in str(error)


async def test_unknown_host() -> None:
    provider = _provider("https://chatdesk-test.invalid/v1")
    try:
        error, _ = await _failure(provider)
    finally:
        await provider.aclose()
    assert error.kind is ErrorKind.CONNECTION
    assert "Cannot resolve host chatdesk-test.invalid" in str(error)


async def test_tls_failure(server: FakeOpenAI) -> None:
    provider = _provider(f"https://127.0.0.1:{server.port}/v1")  # the server speaks plain HTTP
    try:
        error, _ = await _failure(provider)
    finally:
        await provider.aclose()
    assert error.kind is ErrorKind.CONNECTION
    assert "TLS" in str(error)


async def test_a_connection_that_never_opens_is_a_connect_timeout() -> None:
    # A listener whose accept queue is full: the kernel drops further SYNs, so the connect
    # hangs exactly as it does towards a firewalled host.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    address = listener.getsockname()
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(address)
        fillers.append(filler)
    # An hour for the first byte: waiting for it rather than the connect timeout would end in
    # the suite's timeout.
    url = f"http://127.0.0.1:{address[1]}/v1"
    provider = _provider(url, connect_timeout=0.5, first_byte_timeout=3600)
    try:
        error, _ = await _failure(provider)
    finally:
        await provider.aclose()
        for sock in (*fillers, listener):
            sock.close()
    assert error.kind is ErrorKind.TIMEOUT
    assert "did not answer in time" in str(error)


async def test_no_first_byte_in_time_is_a_timeout(server: FakeOpenAI) -> None:
    server.queue(Reply(events=[chunk("late")], hold_first_byte=True))
    provider = _provider(server.url, first_byte_timeout=0.3)
    try:
        error, _ = await _failure(provider)
    finally:
        await provider.aclose()
    assert error.kind is ErrorKind.TIMEOUT
    assert error.retryable
    assert await _wait(server.disconnected)  # the held request was given up, not left open


async def test_connection_dropped_mid_stream(
    server: FakeOpenAI, provider: OpenAICompatibleProvider
) -> None:
    server.queue(Reply(events=[chunk("par"), chunk("tial"), chunk("lost")], drop_after=2))
    error, seen = await _failure(provider)
    assert _text(seen) == "partial"
    assert error.kind is ErrorKind.CUT_OFF
    assert not error.retryable  # text has arrived: a retry would duplicate it


async def test_malformed_json_chunk_is_a_protocol_error(
    server: FakeOpenAI, provider: OpenAICompatibleProvider
) -> None:
    server.queue(Reply(events=[chunk("fine"), '{"choices": [{"delta": ']))
    error, seen = await _failure(provider)
    assert _text(seen) == "fine"
    assert error.kind is ErrorKind.PROTOCOL


@pytest.mark.parametrize(
    ("error_object", "kind"),
    [
        ({"message": "Rate limit reached", "code": "rate_limit_exceeded"}, ErrorKind.RATE_LIMIT),
        ({"message": "Upstream exploded", "type": "server_error"}, ErrorKind.SERVER),
        ({"message": "Too many", "code": 429}, ErrorKind.RATE_LIMIT),
    ],
    ids=["rate-limit-code", "server-error", "numeric-code"],
)
async def test_an_error_object_inside_a_200_stream_is_an_error_not_text(
    server: FakeOpenAI,
    provider: OpenAICompatibleProvider,
    error_object: dict[str, object],
    kind: ErrorKind,
) -> None:
    server.queue(Reply(events=[json.dumps({"error": error_object})]))
    error, seen = await _failure(provider)
    assert seen == [Accepted()]  # taken (HTTP 200), then the error: never text
    assert error.kind is kind
    assert str(error_object["message"]) in str(error)


async def test_cancelling_the_stream_closes_the_connection(
    server: FakeOpenAI, provider: OpenAICompatibleProvider
) -> None:
    server.queue(Reply(events=[chunk("one"), chunk("two")], hold_after=1))
    first = asyncio.Event()

    async def consume() -> None:
        async for _ in provider.stream(_request()):
            first.set()

    task = asyncio.create_task(consume())
    await first.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await _wait(server.disconnected)


async def test_leaving_the_stream_early_closes_the_connection(
    server: FakeOpenAI, provider: OpenAICompatibleProvider
) -> None:
    server.queue(Reply(events=[chunk("one"), chunk("two")], hold_after=1))
    stream = provider.stream(_request())
    assert await anext(stream) == Accepted()
    assert await anext(stream) == TextDelta("one")
    await stream.aclose()  # what the service does after its idle timeout
    assert await _wait(server.disconnected)


# -- secrets -----------------------------------------------------------------------------------


async def test_the_key_appears_in_no_log_record_error_or_repr(
    server: FakeOpenAI, provider: OpenAICompatibleProvider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.queue(
        error_reply(401, f"Incorrect API key provided: {KEY}."),  # a server that echoes it
        error_reply(429, f"Key {KEY} is rate limited"),
        text_reply("fine"),
    )
    errors = [(await _failure(provider))[0], (await _failure(provider))[0]]
    assert _text(await _collect(provider)) == "fine"
    refused = _provider(f"http://127.0.0.1:{free_port()}/v1")
    try:
        errors.append((await _failure(refused))[0])
    finally:
        await refused.aclose()
    assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"  # it was really used
    assert caplog.records  # the SDK and the provider did log
    texts = [record.getMessage() for record in caplog.records]
    texts += [f"{error!s} {error!r} {error.hint}" for error in errors]
    texts += [repr(provider), repr(provider.profile)]
    assert not [text for text in texts if KEY in text]


# -- through the chat service ------------------------------------------------------------------


def _settings(config: Configuration, **chat: object) -> object:
    return dataclasses.replace(
        config.settings,
        chat=dataclasses.replace(config.settings.chat, **chat),  # type: ignore[arg-type]
    )


async def _answer(service: ChatService, text: str = "hi") -> tuple[MessageView, uuid.UUID]:
    thread = await service.create_thread(provider="openai", model=MODEL)
    turn = await service.send(thread.id, text)
    return await service.wait_for_answer(turn.answer.id), thread.id


async def test_service_stores_a_complete_answer(
    server: FakeOpenAI, provider: OpenAICompatibleProvider, make_service: ServiceFactory
) -> None:
    server.queue(text_reply("All", " good"))
    answer, _ = await _answer(make_service(openai=provider))
    assert answer.status is Status.COMPLETE
    assert answer.content == "All good"
    assert answer.usage.prompt_tokens == 7


async def test_service_keeps_the_partial_when_the_connection_drops(
    server: FakeOpenAI, provider: OpenAICompatibleProvider, make_service: ServiceFactory
) -> None:
    server.queue(Reply(events=[chunk("kept"), chunk(" text"), chunk("lost")], drop_after=2))
    answer, _ = await _answer(make_service(openai=provider))
    assert answer.status is Status.ERROR
    assert answer.error_type == "cut_off"
    assert answer.content == "kept text"


async def test_service_marks_a_stream_without_finish_interrupted(
    server: FakeOpenAI, provider: OpenAICompatibleProvider, make_service: ServiceFactory
) -> None:
    server.queue(Reply(events=[chunk("so far")], done=False))
    answer, _ = await _answer(make_service(openai=provider))
    assert answer.status is Status.INTERRUPTED
    assert answer.content == "so far"


async def test_service_gives_up_a_stalled_stream_and_keeps_the_partial(
    server: FakeOpenAI,
    provider: OpenAICompatibleProvider,
    make_service: ServiceFactory,
    config: Configuration,
) -> None:
    server.queue(Reply(events=[chunk("before"), chunk(" stall"), chunk("never")], hold_after=2))
    service = make_service(_settings(config, stream_idle_timeout=0.4), openai=provider)
    answer, _ = await _answer(service)
    assert answer.status is Status.ERROR
    assert answer.error_type == "stalled"
    assert answer.content == "before stall"
    assert await _wait(server.disconnected)


async def test_service_retries_a_rate_limit_once_after_retry_after(
    server: FakeOpenAI, provider: OpenAICompatibleProvider, make_service: ServiceFactory
) -> None:
    server.queue(error_reply(429, "Slow down", retry_after="0.2"), text_reply("Second", " try"))
    service = make_service(openai=provider)
    retries: list[AnswerRetrying] = []
    service.events.subscribe(lambda e: retries.append(e) if isinstance(e, AnswerRetrying) else None)
    answer, thread_id = await _answer(service)
    assert answer.status is Status.COMPLETE
    assert answer.content == "Second try"
    assert [(r.attempt, r.delay) for r in retries] == [(1, 0.2)]
    assert len(server.requests) == 2
    page = await service.list_messages(thread_id)
    assert [m.role for m in page.messages] == [Role.USER, Role.ASSISTANT]


# -- profiles ----------------------------------------------------------------------------------


async def test_presets_point_at_the_usual_servers() -> None:
    assert PRESETS["openai"].base_url == "https://api.openai.com/v1"
    assert PRESETS["ollama"].base_url == "http://localhost:11434/v1"
    assert PRESETS["lmstudio"].base_url == "http://localhost:1234/v1"
    assert PRESETS["vllm"].base_url == "http://localhost:8000/v1"
    assert PRESETS["llamacpp"].base_url == "http://localhost:8080/v1"
    assert PRESETS["openrouter"].base_url == "https://openrouter.ai/api/v1"


async def test_profile_from_env() -> None:
    assert profile_from_env({}) is None
    assert profile_from_env({"OPENAI_BASE_URL": "http://localhost:8000/v1"}) is None
    profile = profile_from_env({"OPENAI_API_KEY": KEY})
    assert profile is not None
    assert (profile.name, profile.base_url, profile.api_key) == (
        "openai",
        "https://api.openai.com/v1",
        KEY,
    )
    assert KEY not in repr(profile)
    elsewhere = profile_from_env({"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "http://gpu:8000/v1"})
    assert elsewhere is not None
    assert elsewhere.base_url == "http://gpu:8000/v1"
    assert elsewhere.input_price_per_million is None


@pytest.mark.parametrize("url", ["ftp://host/v1", "localhost:8000", "https://me:pw@host/v1"])
async def test_profiles_refuse_unusable_base_urls(url: str) -> None:
    with pytest.raises(ChatdeskError):
        ProviderProfile("bad", url)


async def test_a_key_from_the_environment_is_redacted_in_logs() -> None:
    from chatdesk.core.logs import redact

    key = "env-canary-5c1f0e9a7d"  # no sk- prefix: only the registration can hide it
    assert profile_from_env({"OPENAI_API_KEY": key}) is not None
    assert key not in redact(f"request failed with key {key}")
