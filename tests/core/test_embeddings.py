"""Embeddings for the knowledge base: the mock's offline vectors, and `embeddings.embed` through
the OpenAI-compatible provider against a real HTTP server on 127.0.0.1 (no mocked SDK)."""

from __future__ import annotations

import json
import logging
import math
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from chatdesk.core.providers.base import ErrorKind
from chatdesk.core.providers.embeddings import (
    BATCH,
    EmbeddingFailed,
    can_embed,
    embed,
    embedding_models,
)
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.providers.mock_embed import MOCK_DIMENSION, MOCK_EMBEDDING_MODEL, mock_vector
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.providers.ratelimit import RateLimiter
from tests.core.embeddings_server import (
    DIMENSION,
    FakeEmbeddings,
    embeddings_reply,
    vector_for,
)
from tests.core.providers import ScriptedProvider
from tests.core.sse_server import error_reply
from tests.ports import free_port

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

KEY = "sk-canary-embed-3b9d41"
MODEL = "nomic-embed-text"
MEANWHILE = "searched by its words only"


@pytest.fixture
def server() -> Iterator[FakeEmbeddings]:
    fake = FakeEmbeddings(key=KEY).start()
    yield fake
    fake.close()


def _provider(url: str, *, key: str = KEY, **options: object) -> OpenAICompatibleProvider:
    profile = ProviderProfile("ollama", url, api_key=key, default_model="chat-model")
    return OpenAICompatibleProvider(profile, **options)  # type: ignore[arg-type]


@pytest_asyncio.fixture
async def provider(server: FakeEmbeddings) -> AsyncIterator[OpenAICompatibleProvider]:
    made = _provider(server.url)
    yield made
    await made.aclose()


async def _failure(
    provider: object, texts: list[str], *, dimension: int | None = None
) -> EmbeddingFailed:
    with pytest.raises(EmbeddingFailed) as raised:
        await embed(provider, MODEL, texts, dimension=dimension)
    assert MEANWHILE in str(raised.value)
    return raised.value


def _cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))  # unit vectors


class _Answering:
    """A provider of another kind, behind the same `embed` method, answering as it is told."""

    name = "local"

    def __init__(self, reply: object) -> None:
        self.reply = reply

    async def embed(self, model: str, texts: list[str]) -> object:
        return self.reply


# -- the mock's vectors ------------------------------------------------------------------------


def test_a_mock_vector_is_a_unit_vector_of_the_mock_dimension() -> None:
    for text in ("index", "Indexing documents for retrieval.", "ß 漢字 émigré " * 50):
        vector = mock_vector(text)
        assert len(vector) == MOCK_DIMENSION
        assert math.isclose(math.fsum(value * value for value in vector), 1.0)


def test_words_sharing_their_letters_point_the_same_way() -> None:
    query = mock_vector("indexing documents")
    assert _cosine(query, mock_vector("indexed document")) > 0.4
    assert _cosine(query, mock_vector("indexed document")) > _cosine(
        query, mock_vector("banana bread")
    )
    assert abs(_cosine(query, mock_vector("banana bread"))) < 0.2
    assert _cosine(mock_vector("indexing"), mock_vector("indexed")) > 0.3


def test_case_and_punctuation_do_not_change_a_mock_vector() -> None:
    assert mock_vector("Indexing, documents!") == mock_vector("indexing documents")
    assert mock_vector("a b") != mock_vector("ab")


def test_a_text_without_words_is_the_zero_vector() -> None:
    for text in ("", "   \n\t", "!?…—"):
        assert mock_vector(text) == [0.0] * MOCK_DIMENSION


def test_a_mock_vector_is_the_same_in_another_process() -> None:
    # A knowledge base indexed in one run is searched in the next; a vector from hash()
    # would differ, each process salting str hashes its own way.
    text = "Indexing documents: ß, 漢字 and émigré."
    child = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            "import json, sys\n"
            "from chatdesk.core.providers.mock_embed import mock_vector\n"
            "print(json.dumps(mock_vector(sys.argv[1])))",
            text,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(child.stdout) == mock_vector(text)


def test_a_mock_vector_keeps_its_known_value() -> None:
    # Pinned: changing how the mock makes vectors would silently mismatch every knowledge
    # base already indexed with "mock-embed".
    vector = mock_vector("index")
    assert {place: round(value, 6) for place, value in enumerate(vector) if value} == {
        2: -0.333333,
        67: -0.333333,
        76: -0.333333,
        213: 0.333333,
        239: 0.333333,
        245: 0.666667,  # the whole word, which counts twice
    }


# -- the mock provider ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_mock_provider_embeds_offline() -> None:
    mock = MockProvider()
    texts = ["indexing documents", "", "banana bread"]
    assert can_embed(mock)
    assert embedding_models(mock) == (MOCK_EMBEDDING_MODEL,)
    vectors = await embed(mock, MOCK_EMBEDDING_MODEL, texts, dimension=MOCK_DIMENSION)
    assert vectors == [mock_vector(text) for text in texts]


@pytest.mark.asyncio
async def test_the_mock_provider_offers_only_its_one_embedding_model() -> None:
    with pytest.raises(EmbeddingFailed) as raised:
        await embed(MockProvider(), "text-embedding-3-small", ["hello"])
    assert raised.value.kind is ErrorKind.NOT_FOUND
    assert 'it offers only "mock-embed"' in str(raised.value)
    assert MEANWHILE in str(raised.value)


@pytest.mark.asyncio
async def test_a_provider_without_embeddings_is_refused_by_name() -> None:
    scripted = ScriptedProvider(["hi"])
    assert not can_embed(scripted)
    assert embedding_models(scripted) == ()
    error = await _failure(scripted, ["hello"])
    assert "scripted cannot make embeddings" in str(error)
    assert error.kind is None


# -- through a real server ---------------------------------------------------------------------


@pytest.mark.asyncio
async def test_vectors_come_back_in_the_order_of_the_texts(
    server: FakeEmbeddings, provider: OpenAICompatibleProvider
) -> None:
    texts = ["first", "second", "third", "fourth"]
    server.queue(embeddings_reply(texts, shuffled=True))
    assert await embed(provider, MODEL, texts) == [vector_for(text) for text in texts]
    (request,) = server.requests
    assert request.path == "/v1/embeddings"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.body == {"model": MODEL, "input": texts, "encoding_format": "float"}
    assert can_embed(provider)
    assert embedding_models(provider) == ()  # the API cannot say which models embed


@pytest.mark.asyncio
async def test_many_texts_go_in_batches(
    server: FakeEmbeddings, provider: OpenAICompatibleProvider
) -> None:
    texts = [f"passage {number}" for number in range(150)]
    vectors = await embed(provider, MODEL, texts, dimension=DIMENSION)
    assert [len(batch) for batch in server.inputs()] == [BATCH, BATCH, 150 - 2 * BATCH]
    assert [text for batch in server.inputs() for text in batch] == texts
    assert vectors == [vector_for(text) for text in texts]


@pytest.mark.asyncio
async def test_an_empty_text_is_sent_as_a_space_and_no_text_sends_nothing(
    server: FakeEmbeddings, provider: OpenAICompatibleProvider
) -> None:
    assert await embed(provider, MODEL, []) == []
    assert server.requests == []
    vectors = await embed(provider, MODEL, ["", "words"])
    assert server.inputs() == [[" ", "words"]]
    assert vectors == [vector_for(" "), vector_for("words")]


@pytest.mark.asyncio
async def test_each_request_counts_against_the_providers_request_limit(
    server: FakeEmbeddings,
) -> None:
    limited = _provider(server.url, limiter=RateLimiter(3))
    try:
        await embed(limited, MODEL, [f"passage {number}" for number in range(150)])
    finally:
        await limited.aclose()
    assert len(server.requests) == 3
    assert limited.limiter.wait_time() > 0  # a fourth request would wait its turn


@pytest.mark.asyncio
async def test_vectors_of_another_size_than_the_knowledge_base_are_refused(
    server: FakeEmbeddings, provider: OpenAICompatibleProvider
) -> None:
    error = await _failure(provider, ["hello"], dimension=768)
    assert (
        f"{MODEL} on ollama returned vectors of {DIMENSION} numbers; this knowledge base holds "
        "vectors of 768. Choose the model it was made with, or re-index it with this one."
    ) in str(error)
    assert error.kind is None


@pytest.mark.asyncio
async def test_vectors_of_different_sizes_are_refused(
    server: FakeEmbeddings, provider: OpenAICompatibleProvider
) -> None:
    texts = ["a", "b", "c"]
    server.queue(embeddings_reply(texts, vectors=[vector_for("a"), vector_for("b"), [0.5] * 5]))
    error = await _failure(provider, texts)
    assert f"returned vectors of different sizes ({DIMENSION} and 5 numbers)" in str(error)


@pytest.mark.asyncio
async def test_a_size_that_changes_between_batches_is_refused(
    server: FakeEmbeddings, provider: OpenAICompatibleProvider
) -> None:
    texts = [f"passage {number}" for number in range(BATCH + 1)]
    server.queue(embeddings_reply(texts[:BATCH]), embeddings_reply(texts[BATCH:], vectors=[[1.0]]))
    error = await _failure(provider, texts)
    assert f"different sizes ({DIMENSION} and 1 numbers)" in str(error)


@pytest.mark.asyncio
async def test_a_vector_missing_from_the_reply_is_refused(
    server: FakeEmbeddings, provider: OpenAICompatibleProvider
) -> None:
    texts = ["a", "b", "c"]
    server.queue(embeddings_reply(texts, vectors=[vector_for("a"), vector_for("b")]))
    error = await _failure(provider, texts)
    assert f"{MODEL} on ollama returned 2 vectors for 3 texts." in str(error)


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (math.nan, "not a finite number"),
        (math.inf, "not a finite number"),
        (10**400, "in a form chatdesk does not understand"),  # JSON's integers have no bound
        (None, "not a list of numbers"),
        ("0.5", "not a list of numbers"),
    ],
    ids=["nan", "infinity", "huge-integer", "null", "string"],
)
@pytest.mark.asyncio
async def test_a_vector_holding_what_is_not_a_finite_number_is_refused(
    server: FakeEmbeddings, provider: OpenAICompatibleProvider, value: object, said: str
) -> None:
    server.queue(embeddings_reply(["a"], vectors=[[0.5, value, 0.25]]))
    error = await _failure(provider, ["a"])
    assert said in str(error)


@pytest.mark.parametrize(
    ("vector", "said"),
    [
        ([True, False], "returned an empty vector, or one that is not a list of numbers"),
        ([0.5, 10**400], "returned a vector holding a value that is not a finite number"),
    ],
    ids=["booleans", "huge-integer"],
)
@pytest.mark.asyncio
async def test_what_the_sdk_would_not_pass_on_is_refused_from_any_provider(
    vector: list[object], said: str
) -> None:
    # The SDK turns JSON's true into 1.0 and fails on an integer past any float; a provider
    # of another kind might hand either on.
    error = await _failure(_Answering([vector]), ["a"])
    assert f"{MODEL} on local {said}" in str(error)


@pytest.mark.parametrize("vector", [[], None, "AAAAPw=="], ids=["empty", "null", "base64"])
@pytest.mark.asyncio
async def test_an_empty_or_missing_vector_is_refused(
    server: FakeEmbeddings, provider: OpenAICompatibleProvider, vector: object
) -> None:
    server.queue(embeddings_reply(["a"], vectors=[vector]))
    error = await _failure(provider, ["a"])
    assert "returned an empty vector, or one that is not a list of numbers" in str(error)


@pytest.mark.asyncio
async def test_a_reply_in_another_shape_is_a_protocol_error(
    server: FakeEmbeddings, provider: OpenAICompatibleProvider
) -> None:
    reply = embeddings_reply(["a", "b"])
    assert isinstance(reply.json_body, dict)
    reply.json_body["data"][1]["index"] = 0  # two vectors claim the first place
    server.queue(reply)
    error = await _failure(provider, ["a", "b"])
    assert error.kind is ErrorKind.PROTOCOL
    assert "answered the embeddings request in a form chatdesk does not understand" in str(error)


@pytest.mark.asyncio
async def test_a_model_the_server_does_not_have_says_so(
    server: FakeEmbeddings, provider: OpenAICompatibleProvider
) -> None:
    server.queue(error_reply(404, f'model "{MODEL}" not found, try pulling it first'))
    error = await _failure(provider, ["hello"])
    assert error.kind is ErrorKind.NOT_FOUND
    assert f"Could not make embeddings with {MODEL} on ollama:" in str(error)
    assert f"does not know the model {MODEL}" in str(error)
    assert "try pulling it first" in str(error)  # the server's own words are kept


@pytest.mark.asyncio
async def test_a_refused_key_says_so_without_showing_it(server: FakeEmbeddings) -> None:
    wrong = _provider(server.url, key="sk-wrong-key-77aa10")
    try:
        error = await _failure(wrong, ["hello"])
    finally:
        await wrong.aclose()
    assert error.kind is ErrorKind.AUTH
    assert "refused the API key" in str(error)
    assert "sk-wrong-key-77aa10" not in str(error)


@pytest.mark.asyncio
async def test_a_key_the_server_repeats_is_scrubbed(
    server: FakeEmbeddings, provider: OpenAICompatibleProvider
) -> None:
    server.queue(error_reply(400, f"input refused for key {KEY}"))
    error = await _failure(provider, ["hello"])
    assert KEY not in str(error)
    assert "[key]" in str(error)


@pytest.mark.asyncio
async def test_a_rate_limit_keeps_the_servers_wait(
    server: FakeEmbeddings, provider: OpenAICompatibleProvider
) -> None:
    server.queue(error_reply(429, "Too many requests", retry_after="7"))
    error = await _failure(provider, ["hello"])
    assert error.kind is ErrorKind.RATE_LIMIT
    assert error.retry_after == 7
    assert "Wait 7 s, then retry." in str(error)


@pytest.mark.asyncio
async def test_a_server_that_is_not_running_is_said_to_refuse() -> None:
    dead = _provider(f"http://127.0.0.1:{free_port()}/v1", connect_timeout=0.5)
    try:
        error = await _failure(dead, ["hello"])
    finally:
        await dead.aclose()
    assert error.kind is ErrorKind.CONNECTION
    assert "refused the connection" in str(error)


@pytest.mark.asyncio
async def test_texts_never_reach_the_log(
    server: FakeEmbeddings, provider: OpenAICompatibleProvider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="chatdesk")
    secret = "the-passage-canary-0c41"
    await embed(provider, MODEL, [secret])
    server.queue(error_reply(500, "overloaded"))
    await _failure(provider, [secret])
    await _failure(provider, [secret], dimension=3)
    assert caplog.records  # the failures were logged ...
    assert secret not in caplog.text  # ... without the text
