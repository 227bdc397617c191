"""What a new user connects in one step: the catalogue of providers, the servers found on this
computer (real HTTP servers on 127.0.0.1), and the offline demo saying what it is."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from chatdesk.core import i18n
from chatdesk.core.assistants.builtin import BUILT_IN
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.providers.catalogue import (
    CATALOGUE,
    HOSTED,
    LOCAL,
    azure_profile,
    models_to_offer,
)
from chatdesk.core.providers.discovery import find_local_servers
from chatdesk.core.providers.mock_text import IDENTITY, mock_answer
from tests.core.sse_server import FakeOpenAI
from tests.ports import free_port

HOSTED_NAMES = {
    "OpenAI",
    "Anthropic",
    "Google Gemini",
    "DeepSeek",
    "Mistral",
    "Groq",
    "OpenRouter",
    "xAI",
    "Azure OpenAI",
    "Together AI",
}


def test_every_hosted_provider_has_an_https_address_a_key_page_and_models() -> None:
    assert {entry.name for entry in HOSTED} == HOSTED_NAMES
    for entry in HOSTED:
        assert urlsplit(entry.key_page).scheme == "https", entry.name
        if entry.needs_resource:
            continue
        profile = entry.profile()  # a valid profile: https, a host
        assert profile.base_url.startswith("https://"), entry.name
        assert profile.default_model == entry.fallback_models[0]
        assert profile.api_key == ""


def test_local_servers_are_on_this_computer_at_their_usual_ports() -> None:
    assert [(e.name, e.base_url) for e in LOCAL] == [
        ("Ollama", "http://127.0.0.1:11434/v1"),
        ("LM Studio", "http://127.0.0.1:1234/v1"),
    ]
    assert all(entry.local and not entry.key_page for entry in LOCAL)


def test_azure_builds_its_address_from_the_resource_and_serves_its_deployment() -> None:
    profile = CATALOGUE["azure"].profile(resource="contoso-ai", deployment="gpt-4o-prod")
    assert profile.base_url == "https://contoso-ai.openai.azure.com/openai/v1"
    assert profile.default_model == "gpt-4o-prod"
    assert models_to_offer(CATALOGUE["azure"], profile.models) == ("gpt-4o-prod",)
    pasted = azure_profile("https://Contoso-AI.openai.azure.com/", "gpt-4o-prod")
    assert pasted.base_url == profile.base_url  # the endpoint as the portal shows it works too
    with pytest.raises(InvalidRequest, match="resource"):
        azure_profile("", "gpt-4o-prod")
    with pytest.raises(InvalidRequest, match="deployment"):
        azure_profile("contoso-ai", "")


def test_a_listed_model_is_offered_before_the_built_in_list() -> None:
    groq = CATALOGUE["groq"]
    assert models_to_offer(groq, ("a-model",)) == ("a-model",)
    assert models_to_offer(groq, ()) == groq.fallback_models


@pytest.fixture
def ollama() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI(models=("qwen2.5:0.5b", "llama3.2:latest")).start()
    yield server
    server.close()


@pytest.fixture
def hanging_port() -> Iterator[int]:
    """A port that takes connections and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # the connection is made by the kernel; nobody reads the request
        yield int(listener.getsockname()[1])


@pytest.mark.asyncio
async def test_a_running_server_is_found_with_its_models(ollama: FakeOpenAI) -> None:
    found = await find_local_servers({"ollama": ollama.port, "lmstudio": free_port()})
    assert [server.name for server in found] == ["Ollama"]
    assert found[0].models == ("llama3.2:latest", "qwen2.5:0.5b")
    assert found[0].entry.base_url == ollama.url
    assert [r.path for r in ollama.requests] == ["/v1/models"]


@pytest.mark.asyncio
async def test_both_servers_are_found_when_both_run(ollama: FakeOpenAI) -> None:
    studio = FakeOpenAI(models=("lmstudio-community/gemma-3-1b",)).start()
    try:
        found = await find_local_servers({"ollama": ollama.port, "lmstudio": studio.port})
    finally:
        studio.close()
    assert [(s.name, s.models) for s in found] == [
        ("Ollama", ("llama3.2:latest", "qwen2.5:0.5b")),
        ("LM Studio", ("lmstudio-community/gemma-3-1b",)),
    ]


@pytest.mark.asyncio
async def test_a_dead_port_and_a_hanging_server_are_none_found(hanging_port: int) -> None:
    found = await find_local_servers({"ollama": free_port(), "lmstudio": hanging_port}, bound=0.5)
    assert found == []


@pytest.mark.asyncio
async def test_a_server_that_is_not_a_model_server_is_not_found() -> None:
    web = FakeOpenAI().start()
    try:
        # Its /v1/models answers; a base URL one folder off answers 404, as another web
        # server on that port would.
        found = await find_local_servers({"ollama": web.port})
        elsewhere = await find_local_servers(
            entries=[dataclasses.replace(LOCAL[0], base_url=f"http://127.0.0.1:{web.port}/api")]
        )
    finally:
        web.close()
    assert [s.name for s in found] == ["Ollama"]
    assert elsewhere == []


def test_the_demo_says_what_it_is_and_greets_a_greeting() -> None:
    hello = mock_answer("hello").text
    assert hello.splitlines()[0] == f"> {IDENTITY}"  # a quote above the answer
    assert "Connect a model" in hello
    assert "```" not in hello  # a greeting gets a greeting, not a showcase


def test_the_demo_does_not_pretend_to_answer_a_question() -> None:
    text = mock_answer("Explain how HTTPS works").text
    assert text.splitlines()[0] == f"> {IDENTITY}"
    assert "cannot really answer “Explain how HTTPS works”" in text
    assert "```" not in text
    assert "$" not in text
    showcase = mock_answer("Show me a demo of the formatting").text
    assert showcase.startswith(mock_answer("hi").text.splitlines()[0])
    assert "```" in showcase


@pytest.fixture
def german() -> Iterator[None]:
    i18n.set_language("de")
    yield
    i18n.set_language(i18n.SOURCE)


def test_the_demo_answers_each_suggested_example_in_the_users_language(german: None) -> None:
    """A new chat suggests each built-in assistant's first example, a whole question: taken
    without a model connected, it gets an answer to it (the demo's sample), as shown to the
    user (in German here) and as stored (English)."""
    firsts = [fields.examples[0] for fields in BUILT_IN]
    for example in firsts:
        shown = i18n.tr(example)
        assert shown != example  # the example as a German user reads it
        answer = mock_answer(shown).text
        assert answer.splitlines()[0] == f"> {i18n.tr(IDENTITY)}"
        assert "nicht wirklich antworten" not in answer  # not "I cannot really answer"
        assert mock_answer(example).text == answer  # as stored: the same answer
    derivative = mock_answer(i18n.tr(firsts[3])).text
    assert "$$f'(x) = \\lim_{h \\to 0} \\frac{f(x + h) - f(x)}{h}$$" in derivative
    assert "Ableitung" in derivative  # in German
    started = mock_answer(i18n.tr("Translate into French: ") + "guten Morgen").text
    assert "guten Morgen" in started  # the start of one, finished: an ordinary question
